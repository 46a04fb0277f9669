// Joint assignment of a surge: hand-made instances worked out by hand, then random instances
// (fixed seeds) checked for the invariants, against the one-by-one baseline and, on small ones,
// against the exhaustive optimum.

#include "engine/match/joint_assignment.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace baiying {
namespace {

JointDemand Demand(std::uint32_t id, std::uint8_t priority, std::uint64_t order,
                   std::uint32_t quantity) {
  return JointDemand{DemandId(id), priority, order, quantity};
}
JointSupply Supply(std::uint32_t id, std::uint32_t capacity) {
  return JointSupply{SupplyId(id), capacity};
}
JointOption Option(std::uint32_t demand, std::uint32_t supply, TravelTime eta) {
  return JointOption{DemandId(demand), SupplyId(supply), eta};
}

const DemandFill& FillOf(const JointResult& r, std::uint32_t demand) {
  const auto it = std::find_if(r.fills.begin(), r.fills.end(),
                               [&](const DemandFill& f) { return f.demand == DemandId(demand); });
  REQUIRE(it != r.fills.end());
  return *it;
}

// (demand, supply) -> units
std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> Pairs(const JointResult& r) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> pairs;
  for (const JointAssignment& a : r.assignments) {
    pairs[{a.demand.value(), a.supply.value()}] = a.units;
  }
  return pairs;
}

// Every rule a result must keep, whatever produced it.
void CheckInvariants(const JointProblem& p, const JointResult& r) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, TravelTime> allowed;
  for (const JointOption& o : p.options)
    allowed[{o.demand.value(), o.supply.value()}] = o.eta;
  std::map<std::uint32_t, std::uint32_t> capacity;
  for (const JointSupply& s : p.supplies)
    capacity[s.id.value()] = s.capacity;

  std::set<std::uint32_t> used;
  std::map<std::uint32_t, std::uint64_t> units_of;
  std::uint64_t eta = 0;
  for (const JointAssignment& a : r.assignments) {
    const auto it = allowed.find({a.demand.value(), a.supply.value()});
    REQUIRE_MESSAGE(it != allowed.end(), "assignment outside the options");
    CHECK(a.eta == it->second);
    CHECK_MESSAGE(used.insert(a.supply.value()).second, "team used twice");
    CHECK(a.units >= 1);
    CHECK(a.units <= capacity[a.supply.value()]);
    units_of[a.demand.value()] += a.units;
    eta += a.eta;
  }
  CHECK(eta == r.total_eta);
  REQUIRE(r.fills.size() == p.demands.size());
  std::uint64_t filled = 0;
  std::uint64_t shortfall = 0;
  std::map<std::uint8_t, std::uint64_t> by_class;
  for (std::size_t i = 0; i < p.demands.size(); ++i) {
    const DemandFill& f = r.fills[i];
    CHECK(f.demand == p.demands[i].id);
    CHECK(f.quantity == p.demands[i].quantity);
    CHECK(f.filled == units_of[f.demand.value()]);
    CHECK(f.filled <= f.quantity);
    CHECK(f.shortfall == f.quantity - f.filled);
    filled += f.filled;
    shortfall += f.shortfall;
    by_class[p.demands[i].priority] += f.filled;
  }
  CHECK(r.units_filled == filled);
  CHECK(r.shortfall == shortfall);
  REQUIRE(r.units_by_class.size() == by_class.size());
  auto it = by_class.rbegin();
  for (const ClassUnits& c : r.units_by_class) {
    CHECK(c.priority == it->first);
    CHECK(c.units == it->second);
    ++it;
  }
}

struct Shape {
  std::uint32_t demands = 4;
  std::uint32_t supplies = 6;
  std::uint32_t max_options = 3;  // per demand
  std::uint32_t max_quantity = 6;
  std::uint32_t max_capacity = 4;
  std::uint8_t priorities = 4;
  bool uniform = false;  // keep only options in the exact class
};

JointProblem RandomProblem(std::uint64_t seed, const Shape& shape) {
  std::mt19937_64 rng(seed);
  auto uniform_int = [&](std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  };
  JointProblem p;
  for (std::uint32_t t = 0; t < shape.supplies; ++t) {
    p.supplies.push_back(Supply(100 + t, uniform_int(1, shape.max_capacity)));
  }
  for (std::uint32_t d = 0; d < shape.demands; ++d) {
    const auto priority = static_cast<std::uint8_t>(uniform_int(0, shape.priorities - 1u));
    const std::uint32_t quantity = uniform_int(1, shape.max_quantity);
    p.demands.push_back(Demand(10 + d, priority, uniform_int(0, 3), quantity));
    std::vector<std::uint32_t> teams(shape.supplies);
    for (std::uint32_t t = 0; t < shape.supplies; ++t)
      teams[t] = t;
    std::shuffle(teams.begin(), teams.end(), rng);
    const std::uint32_t count = uniform_int(1, std::min(shape.max_options, shape.supplies));
    std::uint32_t contribution = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::uint32_t t = teams[i];
      const std::uint32_t e = std::min(p.supplies[t].capacity, quantity);
      if (shape.uniform) {
        if (i == 0) contribution = e;
        if (e != contribution) continue;
      }
      // Few distinct ETAs, so that ties happen.
      p.options.push_back(Option(10 + d, 100 + t, 1000 * uniform_int(1, 8)));
    }
  }
  return p;
}

TEST_CASE("joint: a flash line takes the only team a routine line wanted") {
  JointProblem p;
  p.demands = {Demand(1, 0, 0, 1), Demand(2, 3, 5, 1)};  // routine and older; flash, newer
  p.supplies = {Supply(7, 1)};
  p.options = {Option(1, 7, 10), Option(2, 7, 100)};
  REQUIRE(ValidateJointProblem(p).ok());
  for (const JointResult& r : {AssignJointly(p), AssignOneByOne(p), AssignExhaustive(p)}) {
    CheckInvariants(p, r);
    CHECK(Pairs(r) ==
          std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t>{{{2, 7}, 1}});
    CHECK(FillOf(r, 1).shortfall == 1);
    CHECK(r.total_eta == 100);
    REQUIRE(r.units_by_class.size() == 2);
    CHECK(r.units_by_class[0] == ClassUnits{3, 1});
    CHECK(r.units_by_class[1] == ClassUnits{0, 0});
  }
}

TEST_CASE("joint: two lines, two teams: greedy by order pays more ETA than the joint answer") {
  // Line 1 (older) is nearest to X (10) but Y is also close (20); line 2 has only X close
  // (10, Y at 100). One by one: 1<-X, 2<-Y = 110. Jointly: 1<-Y, 2<-X = 30.
  JointProblem p;
  p.demands = {Demand(1, 1, 0, 1), Demand(2, 1, 1, 1)};
  p.supplies = {Supply(20, 1), Supply(21, 1)};  // X, Y
  p.options = {Option(1, 20, 10), Option(1, 21, 20), Option(2, 20, 10), Option(2, 21, 100)};
  const JointResult greedy = AssignOneByOne(p);
  const JointResult joint = AssignJointly(p);
  CheckInvariants(p, greedy);
  CheckInvariants(p, joint);
  CHECK(greedy.total_eta == 110);
  CHECK(joint.total_eta == 30);
  CHECK(Pairs(joint) == std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t>{
                            {{1, 21}, 1}, {{2, 20}, 1}});
  CHECK(joint.method == JointMethod::kFlow);
  CHECK(joint.proven_optimal);
  CHECK(CompareObjective(joint, greedy) < 0);
  CHECK(CompareObjective(joint, AssignExhaustive(p)) == 0);
}

TEST_CASE("joint: a line split over several teams takes the nearest whole teams") {
  // 5 units from teams of 2: three teams, the last bringing 1. Nearest three: B(10), D(20),
  // C(30); A (40) stays home.
  JointProblem p;
  p.demands = {Demand(1, 2, 0, 5)};
  p.supplies = {Supply(30, 2), Supply(31, 2), Supply(32, 2), Supply(33, 2)};  // A B C D
  p.options = {Option(1, 30, 40), Option(1, 31, 10), Option(1, 32, 30), Option(1, 33, 20)};
  const JointResult r = AssignJointly(p);
  CheckInvariants(p, r);
  CHECK(FillOf(r, 1).filled == 5);
  CHECK(FillOf(r, 1).shortfall == 0);
  CHECK(r.total_eta == 60);
  const auto pairs = Pairs(r);
  CHECK(pairs.size() == 3);
  CHECK(!pairs.contains({1, 30}));
  CHECK(pairs.at({1, 32}) == 1);  // the farthest of the three brings the last unit
  CHECK(CompareObjective(r, AssignExhaustive(p)) == 0);
}

TEST_CASE("joint: mixed team sizes: a redundant small team is dropped after the top-up") {
  // 5 units from teams of 2 (10), 2 (20), 3 (30). Best: 2 + 3 = 5 for 40; one by one takes all
  // three (the 3 bringing 1) for 60.
  JointProblem p;
  p.demands = {Demand(1, 2, 0, 5)};
  p.supplies = {Supply(40, 2), Supply(41, 2), Supply(42, 3)};
  p.options = {Option(1, 40, 10), Option(1, 41, 20), Option(1, 42, 30)};
  CHECK_FALSE(IsUniformContribution(p));
  const JointResult joint = AssignJointly(p);
  const JointResult greedy = AssignOneByOne(p);
  CheckInvariants(p, joint);
  CheckInvariants(p, greedy);
  CHECK(greedy.total_eta == 60);
  CHECK(joint.total_eta == 40);
  CHECK(FillOf(joint, 1).filled == 5);
  CHECK(Pairs(joint) == std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t>{
                            {{1, 40}, 2}, {{1, 42}, 3}});
  CHECK(CompareObjective(joint, AssignExhaustive(p)) == 0);
}

TEST_CASE("joint: shortfall when the capacity is short") {
  JointProblem p;
  p.demands = {Demand(1, 1, 0, 10)};
  p.supplies = {Supply(50, 3), Supply(51, 4)};
  p.options = {Option(1, 50, 5), Option(1, 51, 7)};
  const JointResult r = AssignJointly(p);
  CheckInvariants(p, r);
  CHECK(FillOf(r, 1).filled == 7);
  CHECK(FillOf(r, 1).shortfall == 3);
  CHECK(r.shortfall == 3);
  CHECK(r.units_filled == 7);
  CHECK(r.total_eta == 12);
}

TEST_CASE("joint: a team larger than the need counts once, and only on one line") {
  JointProblem p;
  p.demands = {Demand(1, 1, 0, 3), Demand(2, 1, 1, 3)};
  p.supplies = {Supply(60, 10)};
  p.options = {Option(1, 60, 100), Option(2, 60, 40)};
  const JointResult r = AssignJointly(p);
  CheckInvariants(p, r);
  REQUIRE(r.assignments.size() == 1);
  CHECK(r.assignments[0].units == 3);
  CHECK(r.total_eta == 40);  // the nearer line, and its ETA counted once, not per unit
  CHECK(FillOf(r, 2).filled == 3);
  CHECK(FillOf(r, 1).shortfall == 3);
  CHECK(r.proven_optimal);
}

TEST_CASE("joint: rerouting: a lower class is filled by moving a higher class's team") {
  // The flash line can use X or Y; the routine line only X. Jointly both are filled.
  JointProblem p;
  p.demands = {Demand(1, 3, 0, 1), Demand(2, 0, 1, 1)};
  p.supplies = {Supply(70, 1), Supply(71, 1)};  // X, Y
  p.options = {Option(1, 70, 10), Option(1, 71, 50), Option(2, 70, 10)};
  const JointResult greedy = AssignOneByOne(p);
  const JointResult joint = AssignJointly(p);
  CheckInvariants(p, joint);
  CHECK(greedy.units_filled == 1);
  CHECK(joint.units_filled == 2);
  CHECK(joint.total_eta == 60);
}

TEST_CASE("joint: validation names what is wrong, and the solvers tolerate it") {
  JointProblem p;
  p.demands = {Demand(1, 0, 0, 2), Demand(1, 0, 1, 2)};
  CHECK(ValidateJointProblem(p).code() == StatusCode::kInvalidArgument);
  p.demands.pop_back();
  p.supplies = {Supply(5, 1)};
  p.options = {Option(1, 6, 10)};
  const Status unknown = ValidateJointProblem(p);
  CHECK(unknown.code() == StatusCode::kInvalidArgument);
  CHECK(unknown.message().find("unknown supply") != std::string::npos);
  p.options = {Option(1, 5, 10), Option(1, 5, 8)};
  CHECK(ValidateJointProblem(p).code() == StatusCode::kInvalidArgument);
  const JointResult r = AssignJointly(p);  // the repeated pair: its lowest ETA is kept
  REQUIRE(r.assignments.size() == 1);
  CHECK(r.assignments[0].eta == 8);
  CHECK(JointOptions{}.Validate().ok());
}

TEST_CASE("joint: class weights too large for 56 bits: the baseline is returned, and says so") {
  JointProblem p;
  for (std::uint32_t c = 0; c < 4; ++c) {
    p.demands.push_back(Demand(c, static_cast<std::uint8_t>(c), c, 1u << 20));
    p.supplies.push_back(Supply(100 + c, 1u << 20));
    p.options.push_back(Option(c, 100 + c, 10));
  }
  const JointResult r = AssignJointly(p);
  CheckInvariants(p, r);
  CHECK(r.method == JointMethod::kOneByOne);
  CHECK_FALSE(r.proven_optimal);
  CHECK(r.shortfall == 0);
}

TEST_CASE("joint: the exhaustive search refuses instances over its limit") {
  JointProblem p = RandomProblem(7, Shape{.demands = 12, .supplies = 40, .max_options = 12});
  const JointResult r = AssignExhaustive(p);
  CHECK(r.method == JointMethod::kTooLarge);
  CHECK(r.assignments.empty());
}

TEST_CASE("joint: random surges: never worse than one by one, invariants hold") {
  int strictly_better = 0;
  int runs = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    Shape shape{.demands = 5 + static_cast<std::uint32_t>(seed % 30),
                .supplies = 10 + static_cast<std::uint32_t>(seed % 50),
                .max_options = 8,
                .max_quantity = 9,
                .max_capacity = seed % 3 == 0 ? 1u : 5u,
                .priorities = 4,
                .uniform = seed % 2 == 0};
    const JointProblem p = RandomProblem(seed, shape);
    CAPTURE(seed);
    const JointResult greedy = AssignOneByOne(p);
    const JointResult joint = AssignJointly(p);
    CheckInvariants(p, greedy);
    CheckInvariants(p, joint);
    const int cmp = CompareObjective(joint, greedy);
    CHECK(cmp <= 0);
    if (cmp < 0) ++strictly_better;
    ++runs;
    CHECK(joint.proven_optimal == IsUniformContribution(p));
    // Without the safety net the flow alone keeps the invariants too.
    const JointResult bare = AssignJointly(p, JointOptions{.compare_with_one_by_one = false});
    CheckInvariants(p, bare);
    if (shape.uniform) CHECK(CompareObjective(bare, greedy) <= 0);
  }
  MESSAGE("joint strictly better than one by one on " << strictly_better << " of " << runs);
  CHECK(strictly_better > 0);
}

TEST_CASE("joint: small surges in the exact class equal the exhaustive optimum") {
  int compared = 0;
  for (std::uint64_t seed = 1000; seed < 1400; ++seed) {
    Shape shape{.demands = 1 + static_cast<std::uint32_t>(seed % 4),
                .supplies = 1 + static_cast<std::uint32_t>((seed / 4) % 6),
                .max_options = 4,
                .max_quantity = 6,
                .max_capacity = seed % 5 == 0 ? 1u : 7u,
                .priorities = 3,
                .uniform = true};
    const JointProblem p = RandomProblem(seed, shape);
    CAPTURE(seed);
    REQUIRE(IsUniformContribution(p));
    const JointResult best = AssignExhaustive(p);
    REQUIRE(best.method == JointMethod::kExhaustive);
    const JointResult joint = AssignJointly(p);
    CheckInvariants(p, best);
    CheckInvariants(p, joint);
    CHECK(joint.proven_optimal);
    CHECK(CompareObjective(joint, best) == 0);
    CHECK(CompareObjective(best, AssignOneByOne(p)) <= 0);
    ++compared;
  }
  CHECK(compared == 400);
}

TEST_CASE("joint: small surges with mixed team sizes: never better than exhaustive, gap noted") {
  int worse = 0;
  int worse_units = 0;
  int runs = 0;
  for (std::uint64_t seed = 5000; seed < 5400; ++seed) {
    Shape shape{.demands = 1 + static_cast<std::uint32_t>(seed % 4),
                .supplies = 1 + static_cast<std::uint32_t>((seed / 4) % 6),
                .max_options = 4,
                .max_quantity = 8,
                .max_capacity = 6,
                .priorities = 3,
                .uniform = false};
    const JointProblem p = RandomProblem(seed, shape);
    CAPTURE(seed);
    const JointResult best = AssignExhaustive(p);
    const JointResult joint = AssignJointly(p);
    CheckInvariants(p, joint);
    const int cmp = CompareObjective(best, joint);
    CHECK(cmp <= 0);
    if (joint.proven_optimal) CHECK(cmp == 0);
    if (cmp < 0) {
      ++worse;
      if (best.units_by_class != joint.units_by_class) ++worse_units;
    }
    ++runs;
  }
  MESSAGE("mixed sizes: joint below the exhaustive optimum on "
          << worse << " of " << runs << " (" << worse_units << " of them in units)");
}

TEST_CASE("joint: the same problem gives the same result") {
  const JointProblem p =
      RandomProblem(42, Shape{.demands = 60, .supplies = 200, .max_options = 10});
  const JointResult a = AssignJointly(p);
  const JointResult b = AssignJointly(p);
  REQUIRE(a.assignments.size() == b.assignments.size());
  for (std::size_t i = 0; i < a.assignments.size(); ++i) {
    CHECK(a.assignments[i].demand == b.assignments[i].demand);
    CHECK(a.assignments[i].supply == b.assignments[i].supply);
    CHECK(a.assignments[i].units == b.assignments[i].units);
  }
  CHECK(a.total_eta == b.total_eta);
}

}  // namespace
}  // namespace baiying
