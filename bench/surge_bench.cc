// Surge benchmark (一声令下、一呼百应): the joint assignment of 1,000 request lines over 5,000
// teams with 20 allowed teams per line, beside the one-by-one greedy baseline in the same run, on
// the same instances (fixed seeds).
//
// Three instance families:
// - unit:  every team brings 1 unit, lines want 1-5 (the exact class: teams as units);
// - whole: every team covers any line alone (capacity 10-20, lines 1-10; exact class);
// - mixed: capacities 1-8, lines 1-12 (outside the exact class: two valuations, each repaired,
//          and the best of them and one-by-one);
// - scarce: unit teams, lines 1-10: about 5,500 units wanted from 5,000 teams, so the flash lines
//          must take teams from the routine ones and the searches are at their longest.
// Each benchmark reports, besides the time, the objective of its answer as counters: units filled
// per priority class (p3 = flash .. p0 = routine) and the total ETA in hours.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/match/joint_assignment.h"

namespace baiying::bench {
namespace {

constexpr std::uint32_t kDemands = 1000;
constexpr std::uint32_t kSupplies = 5000;
constexpr std::uint32_t kOptionsPerDemand = 20;
constexpr std::uint64_t kSeed = 20261128;

enum class Family { kUnit, kWhole, kMixed, kScarce };

JointProblem MakeSurge(Family family, std::uint32_t demands, std::uint32_t supplies) {
  std::mt19937_64 rng(kSeed + static_cast<std::uint64_t>(family));
  auto draw = [&](std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  };
  JointProblem p;
  for (std::uint32_t t = 0; t < supplies; ++t) {
    std::uint32_t capacity = 1;
    if (family == Family::kWhole) capacity = draw(10, 20);
    if (family == Family::kMixed) capacity = draw(1, 8);
    p.supplies.push_back({SupplyId(t), capacity});
  }
  for (std::uint32_t d = 0; d < demands; ++d) {
    std::uint32_t quantity = draw(1, 5);
    if (family == Family::kWhole) quantity = draw(1, 10);
    if (family == Family::kMixed) quantity = draw(1, 12);
    if (family == Family::kScarce) quantity = draw(1, 10);
    p.demands.push_back({DemandId(d), static_cast<std::uint8_t>(draw(0, 3)), d, quantity});
    std::vector<std::uint32_t> chosen;
    while (chosen.size() < kOptionsPerDemand) {
      const std::uint32_t t = draw(0, supplies - 1);
      bool repeated = false;
      for (std::uint32_t c : chosen)
        repeated = repeated || c == t;
      if (repeated) continue;
      chosen.push_back(t);
      // 5 minutes to 8 hours.
      p.options.push_back({DemandId(d), SupplyId(t), draw(5 * 60'000, 8 * 3'600'000)});
    }
  }
  return p;
}

const JointProblem& Surge(Family family) {
  static const JointProblem unit = MakeSurge(Family::kUnit, kDemands, kSupplies);
  static const JointProblem whole = MakeSurge(Family::kWhole, kDemands, kSupplies);
  static const JointProblem mixed = MakeSurge(Family::kMixed, kDemands, kSupplies);
  static const JointProblem scarce = MakeSurge(Family::kScarce, kDemands, kSupplies);
  switch (family) {
    case Family::kUnit:
      return unit;
    case Family::kWhole:
      return whole;
    case Family::kMixed:
      return mixed;
    case Family::kScarce:
      break;
  }
  return scarce;
}

void Report(benchmark::State& state, const JointResult& r) {
  for (const ClassUnits& c : r.units_by_class) {
    state.counters["p" + std::to_string(c.priority)] = static_cast<double>(c.units);
  }
  state.counters["shortfall"] = static_cast<double>(r.shortfall);
  state.counters["eta_h"] = static_cast<double>(r.total_eta) / 3'600'000.0;
  state.counters["teams"] = static_cast<double>(r.assignments.size());
  state.counters["flow_kept"] = r.method == JointMethod::kFlow ? 1 : 0;
}

void BM_Joint(benchmark::State& state, Family family) {
  const JointProblem& p = Surge(family);
  JointResult r;
  for (auto _ : state) {
    r = AssignJointly(p);
    benchmark::DoNotOptimize(r);
  }
  Report(state, r);
}

void BM_JointFlowOnly(benchmark::State& state, Family family) {
  const JointProblem& p = Surge(family);
  JointResult r;
  for (auto _ : state) {
    r = AssignJointly(p, JointOptions{.compare_with_one_by_one = false});
    benchmark::DoNotOptimize(r);
  }
  Report(state, r);
}

void BM_OneByOne(benchmark::State& state, Family family) {
  const JointProblem& p = Surge(family);
  JointResult r;
  for (auto _ : state) {
    r = AssignOneByOne(p);
    benchmark::DoNotOptimize(r);
  }
  Report(state, r);
}

BENCHMARK_CAPTURE(BM_Joint, unit, Family::kUnit)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OneByOne, unit, Family::kUnit)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Joint, whole, Family::kWhole)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OneByOne, whole, Family::kWhole)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Joint, mixed, Family::kMixed)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_JointFlowOnly, mixed, Family::kMixed)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OneByOne, mixed, Family::kMixed)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Joint, scarce, Family::kScarce)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OneByOne, scarce, Family::kScarce)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace baiying::bench

BENCHMARK_MAIN();
