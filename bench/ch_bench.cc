// The road index (issue 7) on DIMACS New York: preprocessing time and memory, the cost of
// adding and removing a candidate, and the matcher's question (the K = 3 teams of one
// specialty with the least mobilization delay + travel time to a random unit) answered by the
// index beside the exact search (RoadQuery::NearestWithOffsets) and a full Dijkstra, on the
// same questions in the same run. Every index answer is compared with the exact one; a
// mismatch is reported and the program exits with status 2.
//
// A plain program: ch_bench [--network ny|xizang] [--queries N]. Teams are drawn with fixed
// seeds as in match_bench (random places, delays of 10 to 120 minutes).

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_data.h"
#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"

namespace baiying::bench {
namespace {

constexpr std::uint64_t kTeamSeed = 20261128;
constexpr std::uint64_t kUnitSeed = 20261129;
constexpr std::uint32_t kK = 3;
constexpr std::size_t kFullSearches = 20;
constexpr std::array<std::string_view, 2> kXizangFiles = {"places.csv", "roads.csv"};

double MaxRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
      .count();
}

// This thread's CPU time in microseconds: unlike the wall clock, it does not count the time
// the scheduler gives other work on a shared machine.
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// The q-quantile (0..1) of `samples`, which it sorts.
double Quantile(std::vector<double>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[i];
}

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
};

Percentiles Summary(std::vector<double> samples) {
  return {Quantile(samples, 0.5), Quantile(samples, 0.99)};
}

std::vector<OffsetTarget> Teams(const RoadGraph& graph, std::uint32_t count) {
  std::mt19937_64 rng(kTeamSeed + count);
  std::vector<OffsetTarget> teams;
  teams.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto place = static_cast<std::uint32_t>(rng() % graph.place_count());
    const auto delay = static_cast<TravelTime>((10 + rng() % 111) * 60'000);
    teams.push_back({PlaceId(place), delay, i});
  }
  return teams;
}

int Run(NetworkKind kind, std::size_t query_count) {
  const std::string missing = MissingDataMessage(kind, kXizangFiles, "data/xizang network");
  if (!missing.empty()) {
    std::cerr << "skipped: " << missing << "\n";
    return 0;
  }
  const LoadedNetwork loaded = LoadAndBuild(kind, KeepSpec::kNo);
  if (!loaded.error.empty()) {
    std::cerr << loaded.error << "\n";
    return 1;
  }
  const RoadGraph& graph = *loaded.graph;
  std::printf("network %s: %u places, %u arcs (load %.2f s)\n",
              std::string(ShortName(kind)).c_str(), graph.place_count(), graph.arc_count(),
              loaded.load_seconds);

  const double rss_before = MaxRssMiB();
  const auto build_start = std::chrono::steady_clock::now();
  Result<ChIndex> built = ChIndex::Build(graph);
  const double build_seconds = SecondsSince(build_start);
  if (!built.ok()) {
    std::cerr << "building the index: " << built.status().ToString() << "\n";
    return 1;
  }
  const ChIndex& index = built.value();
  const double rss_after = MaxRssMiB();
  std::printf(
      "preprocessing: %.2f s; index %.1f MiB (%llu shortcuts); "
      "peak RSS %.1f MiB before, %.1f MiB after (graph %.1f MiB)\n",
      build_seconds, static_cast<double>(index.MemoryBytes()) / (1024.0 * 1024.0),
      static_cast<unsigned long long>(index.shortcut_count()), rss_before, rss_after,
      static_cast<double>(graph.MemoryBytes()) / (1024.0 * 1024.0));

  std::mt19937_64 unit_rng(kUnitSeed);
  std::vector<PlaceId> units;
  for (std::size_t i = 0; i < query_count; ++i) {
    units.emplace_back(static_cast<std::uint32_t>(unit_rng() % graph.place_count()));
  }

  ChQuery ch(index, graph);
  RoadQuery exact(graph);
  int mismatches = 0;
  for (const std::uint32_t team_count : {1000u, 10000u}) {
    const std::vector<OffsetTarget> teams = Teams(graph, team_count);
    CandidateSet set(index);
    std::vector<double> add_us;
    for (const OffsetTarget& t : teams) {
      const auto start = std::chrono::steady_clock::now();
      (void)set.Add(t);
      add_us.push_back(MicrosSince(start));
    }
    // A team changes state: removed, then added again (at the same place, same delay).
    std::vector<double> remove_us;
    std::vector<double> readd_us;
    for (std::size_t i = 0; i < std::min<std::size_t>(1000, teams.size()); ++i) {
      const OffsetTarget& t = teams[(i * 7919) % teams.size()];
      auto start = std::chrono::steady_clock::now();
      (void)set.Remove(t.tag);
      remove_us.push_back(MicrosSince(start));
      start = std::chrono::steady_clock::now();
      (void)set.Add(t);
      readd_us.push_back(MicrosSince(start));
    }

    const NearestOptions options{kK, kInfiniteTime};
    std::vector<double> ch_us;
    std::vector<double> exact_us;
    std::vector<double> ch_cpu_us;
    std::vector<double> exact_cpu_us;
    std::uint64_t ch_settled = 0;
    std::uint64_t entries = 0;
    std::uint64_t exact_settled = 0;
    // The index's queries one after another, then the exact search's on the same units: each
    // loop runs with its own data in the caches, as a dispatcher answering a burst would.
    std::vector<std::vector<OffsetReach>> answers;
    answers.reserve(units.size());
    for (const PlaceId unit : units) {
      const double cpu = ThreadCpuMicros();
      const auto start = std::chrono::steady_clock::now();
      const std::span<const OffsetReach> got = ch.NearestWithOffsets(unit, set, options);
      ch_us.push_back(MicrosSince(start));
      ch_cpu_us.push_back(ThreadCpuMicros() - cpu);
      ch_settled += ch.last_settled_count();
      entries += ch.last_entries_read();
      answers.emplace_back(got.begin(), got.end());
    }
    for (std::size_t i = 0; i < units.size(); ++i) {
      const double cpu = ThreadCpuMicros();
      const auto start = std::chrono::steady_clock::now();
      const std::span<const OffsetReach> want =
          exact.NearestWithOffsets(units[i], Direction::kToPlace, set.targets(), options);
      exact_us.push_back(MicrosSince(start));
      exact_cpu_us.push_back(ThreadCpuMicros() - cpu);
      exact_settled += exact.last_settled_count();
      if (!std::equal(answers[i].begin(), answers[i].end(), want.begin(), want.end())) {
        if (mismatches++ < 3) {
          std::cerr << "CHECK FAILED: teams " << team_count << ", unit " << units[i].value()
                    << "\n";
        }
      }
    }
    std::vector<double> full_us;
    for (std::size_t i = 0; i < std::min(kFullSearches, units.size()); ++i) {
      const auto start = std::chrono::steady_clock::now();
      (void)exact.AllTimes(units[i], Direction::kToPlace);
      full_us.push_back(MicrosSince(start));
    }
    const Percentiles ch_p = Summary(ch_us);
    const Percentiles exact_p = Summary(exact_us);
    const Percentiles ch_cpu = Summary(ch_cpu_us);
    const Percentiles exact_cpu = Summary(exact_cpu_us);
    const Percentiles full_p = Summary(full_us);
    const Percentiles add_p = Summary(add_us);
    const Percentiles remove_p = Summary(remove_us);
    const Percentiles readd_p = Summary(readd_us);
    const double n = static_cast<double>(units.size());
    std::printf("teams %u (one specialty), K %u, %zu units:\n", team_count, kK, units.size());
    std::printf("  index query        p50 %9.1f us  p99 %9.1f us  (settled %.0f, entries %.0f)\n",
                ch_p.p50, ch_p.p99, static_cast<double>(ch_settled) / n,
                static_cast<double>(entries) / n);
    std::printf("  NearestWithOffsets p50 %9.1f us  p99 %9.1f us  (settled %.0f)\n", exact_p.p50,
                exact_p.p99, static_cast<double>(exact_settled) / n);
    std::printf("  thread CPU time: index p50 %.1f us p99 %.1f us; exact p50 %.1f us p99 %.1f us\n",
                ch_cpu.p50, ch_cpu.p99, exact_cpu.p50, exact_cpu.p99);
    std::printf("  full Dijkstra      p50 %9.1f us  p99 %9.1f us  (%zu searches)\n", full_p.p50,
                full_p.p99, full_us.size());
    std::printf("  ratios at p50: exact / index %.1fx, full Dijkstra / index %.0fx\n",
                exact_p.p50 / ch_p.p50, full_p.p50 / ch_p.p50);
    std::printf(
        "  Add p50 %.1f us p99 %.1f us; Remove p50 %.1f us p99 %.1f us; re-Add p50 %.1f us "
        "p99 %.1f us; %zu bucket entries, set %.1f MiB\n",
        add_p.p50, add_p.p99, remove_p.p50, remove_p.p99, readd_p.p50, readd_p.p99,
        set.entry_count(), static_cast<double>(set.MemoryBytes()) / (1024.0 * 1024.0));
  }
  std::printf("peak RSS at the end %.1f MiB; index answers equal the exact search's: %s\n",
              MaxRssMiB(), mismatches == 0 ? "all" : "NO");
  return mismatches == 0 ? 0 : 2;
}

}  // namespace
}  // namespace baiying::bench

int main(int argc, char** argv) {
  baiying::bench::NetworkKind kind = baiying::bench::NetworkKind::kNewYork;
  std::size_t queries = 1000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--network" && i + 1 < argc) {
      const std::string_view value = argv[++i];
      kind = value == "xizang" ? baiying::bench::NetworkKind::kXizang
                               : baiying::bench::NetworkKind::kNewYork;
    } else if (arg == "--queries" && i + 1 < argc) {
      queries = static_cast<std::size_t>(std::stoul(argv[++i]));
    } else {
      std::cerr << "usage: ch_bench [--network ny|xizang] [--queries N]\n";
      return 1;
    }
  }
  return baiying::bench::Run(kind, queries);
}
