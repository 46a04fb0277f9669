#include "engine/match/joint_assignment.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

namespace baiying {
namespace {

constexpr std::int32_t kUnassigned = -1;

// --- The problem, indexed. ---

struct DemandOption {
  std::uint32_t team = 0;
  TravelTime eta = 0;
};

struct TeamOption {
  std::uint32_t demand = 0;
  TravelTime eta = 0;
};

// Demands and teams by position; options deduplicated (lowest ETA of a repeated pair), options
// naming unknown ids, teams of capacity 0 and demands of quantity 0 left out.
struct Indexed {
  const JointProblem* problem = nullptr;
  std::vector<std::vector<DemandOption>> by_demand;  // in the problem's option order
  std::vector<std::vector<TeamOption>> by_team;
  std::vector<std::uint32_t> class_rank;     // per demand: 0 is the lowest priority present
  std::vector<std::uint8_t> class_priority;  // per rank

  std::size_t demand_count() const { return by_demand.size(); }
  std::size_t team_count() const { return by_team.size(); }
  std::uint32_t quantity(std::size_t d) const { return problem->demands[d].quantity; }
  std::uint32_t capacity(std::size_t t) const { return problem->supplies[t].capacity; }
  // What team t brings to demand d: min(capacity, quantity).
  std::uint32_t contribution(std::size_t t, std::size_t d) const {
    return std::min(capacity(t), quantity(d));
  }
};

Indexed Index(const JointProblem& problem) {
  Indexed x;
  x.problem = &problem;
  x.by_demand.resize(problem.demands.size());
  x.by_team.resize(problem.supplies.size());

  std::unordered_map<std::uint32_t, std::uint32_t> demand_index;
  std::unordered_map<std::uint32_t, std::uint32_t> team_index;
  for (std::size_t d = 0; d < problem.demands.size(); ++d) {
    demand_index.emplace(problem.demands[d].id.value(), static_cast<std::uint32_t>(d));
  }
  for (std::size_t t = 0; t < problem.supplies.size(); ++t) {
    team_index.emplace(problem.supplies[t].id.value(), static_cast<std::uint32_t>(t));
  }
  // (demand, team) -> position in by_demand[demand]
  std::unordered_map<std::uint64_t, std::size_t> seen;
  for (const JointOption& option : problem.options) {
    const auto d_it = demand_index.find(option.demand.value());
    const auto t_it = team_index.find(option.supply.value());
    if (d_it == demand_index.end() || t_it == team_index.end()) continue;
    const std::uint32_t d = d_it->second;
    const std::uint32_t t = t_it->second;
    if (problem.demands[d].quantity == 0 || problem.supplies[t].capacity == 0) continue;
    const std::uint64_t key = (std::uint64_t{d} << 32) | t;
    auto [it, inserted] = seen.emplace(key, x.by_demand[d].size());
    if (inserted) {
      x.by_demand[d].push_back({t, option.eta});
    } else {
      TravelTime& eta = x.by_demand[d][it->second].eta;
      eta = std::min(eta, option.eta);
    }
  }
  for (std::uint32_t d = 0; d < x.by_demand.size(); ++d) {
    for (const DemandOption& o : x.by_demand[d])
      x.by_team[o.team].push_back({d, o.eta});
  }

  std::vector<std::uint8_t> priorities;
  for (const JointDemand& demand : problem.demands)
    priorities.push_back(demand.priority);
  std::sort(priorities.begin(), priorities.end());
  priorities.erase(std::unique(priorities.begin(), priorities.end()), priorities.end());
  x.class_priority = priorities;
  for (const JointDemand& demand : problem.demands) {
    const auto it = std::lower_bound(priorities.begin(), priorities.end(), demand.priority);
    x.class_rank.push_back(static_cast<std::uint32_t>(it - priorities.begin()));
  }
  return x;
}

// Demands in the baseline's order: priority (highest first), oldest, then id.
std::vector<std::uint32_t> DemandsByUrgency(const Indexed& x) {
  std::vector<std::uint32_t> order(x.demand_count());
  for (std::uint32_t d = 0; d < order.size(); ++d)
    order[d] = d;
  const auto& demands = x.problem->demands;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const JointDemand& da = demands[a];
    const JointDemand& db = demands[b];
    if (da.priority != db.priority) return da.priority > db.priority;
    if (da.order != db.order) return da.order < db.order;
    if (da.id != db.id) return da.id < db.id;
    return a < b;
  });
  return order;
}

// A demand's options by ETA, then supply id.
std::vector<DemandOption> NearestFirst(const Indexed& x, std::size_t d) {
  std::vector<DemandOption> options = x.by_demand[d];
  const auto& supplies = x.problem->supplies;
  std::sort(options.begin(), options.end(), [&](const DemandOption& a, const DemandOption& b) {
    if (a.eta != b.eta) return a.eta < b.eta;
    return supplies[a.team].id < supplies[b.team].id;
  });
  return options;
}

// --- A solution under construction: which demand each team serves. ---

struct Plan {
  std::vector<std::int32_t> team_demand;  // kUnassigned or a demand index
  std::vector<TravelTime> team_eta;       // the ETA of the team's arc, when assigned
};

Plan EmptyPlan(const Indexed& x) {
  return Plan{std::vector<std::int32_t>(x.team_count(), kUnassigned),
              std::vector<TravelTime>(x.team_count(), 0)};
}

std::vector<std::vector<std::uint32_t>> TeamsByDemand(const Indexed& x, const Plan& plan) {
  std::vector<std::vector<std::uint32_t>> teams(x.demand_count());
  for (std::uint32_t t = 0; t < plan.team_demand.size(); ++t) {
    if (plan.team_demand[t] != kUnassigned) {
      teams[static_cast<std::size_t>(plan.team_demand[t])].push_back(t);
    }
  }
  return teams;
}

// Removes teams that add nothing to their demand, the highest ETA first (ties: larger id).
void DropUseless(const Indexed& x, Plan& plan) {
  const auto& supplies = x.problem->supplies;
  auto teams = TeamsByDemand(x, plan);
  for (std::size_t d = 0; d < teams.size(); ++d) {
    const std::uint64_t q = x.quantity(d);
    while (true) {
      std::uint64_t sum = 0;
      for (std::uint32_t t : teams[d])
        sum += x.contribution(t, d);
      std::size_t worst = teams[d].size();
      for (std::size_t i = 0; i < teams[d].size(); ++i) {
        const std::uint32_t t = teams[d][i];
        if (sum - x.contribution(t, d) < q) continue;  // needed
        if (worst == teams[d].size()) {
          worst = i;
          continue;
        }
        const std::uint32_t w = teams[d][worst];
        if (plan.team_eta[t] > plan.team_eta[w] ||
            (plan.team_eta[t] == plan.team_eta[w] && supplies[t].id > supplies[w].id)) {
          worst = i;
        }
      }
      if (worst == teams[d].size()) break;
      plan.team_demand[teams[d][worst]] = kUnassigned;
      teams[d].erase(teams[d].begin() + static_cast<std::ptrdiff_t>(worst));
    }
  }
}

// Fills what each demand still needs from its nearest free teams, demands in urgency order.
void FillGreedily(const Indexed& x, Plan& plan) {
  std::vector<std::uint64_t> filled(x.demand_count(), 0);
  for (std::uint32_t t = 0; t < plan.team_demand.size(); ++t) {
    if (plan.team_demand[t] == kUnassigned) continue;
    const auto d = static_cast<std::size_t>(plan.team_demand[t]);
    filled[d] = std::min<std::uint64_t>(x.quantity(d), filled[d] + x.contribution(t, d));
  }
  for (std::uint32_t d : DemandsByUrgency(x)) {
    if (filled[d] >= x.quantity(d)) continue;
    for (const DemandOption& option : NearestFirst(x, d)) {
      if (filled[d] >= x.quantity(d)) break;
      if (plan.team_demand[option.team] != kUnassigned) continue;
      plan.team_demand[option.team] = static_cast<std::int32_t>(d);
      plan.team_eta[option.team] = option.eta;
      filled[d] =
          std::min<std::uint64_t>(x.quantity(d), filled[d] + x.contribution(option.team, d));
    }
  }
}

// The result of a plan without useless teams. Each demand's teams give their units smallest
// capacity first, so that every team gives at least one.
JointResult Finish(const Indexed& x, const Plan& plan, JointMethod method) {
  const JointProblem& problem = *x.problem;
  JointResult result;
  result.method = method;
  result.units_by_class.resize(x.class_priority.size());
  for (std::size_t r = 0; r < x.class_priority.size(); ++r) {
    result.units_by_class[x.class_priority.size() - 1 - r].priority = x.class_priority[r];
  }
  auto teams = TeamsByDemand(x, plan);
  for (std::size_t d = 0; d < x.demand_count(); ++d) {
    std::vector<std::uint32_t>& mine = teams[d];
    std::sort(mine.begin(), mine.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (x.capacity(a) != x.capacity(b)) return x.capacity(a) < x.capacity(b);
      if (plan.team_eta[a] != plan.team_eta[b]) return plan.team_eta[a] < plan.team_eta[b];
      return problem.supplies[a].id < problem.supplies[b].id;
    });
    std::uint32_t remaining = x.quantity(d);
    std::vector<JointAssignment> assigned;
    for (std::uint32_t t : mine) {
      const std::uint32_t units = std::min(x.capacity(t), remaining);
      assert(units > 0 && "Finish: a useless team reached the result");
      if (units == 0) continue;
      remaining -= units;
      assigned.push_back({problem.demands[d].id, problem.supplies[t].id, units, plan.team_eta[t]});
      result.total_eta += plan.team_eta[t];
    }
    std::sort(
        assigned.begin(), assigned.end(),
        [](const JointAssignment& a, const JointAssignment& b) { return a.supply < b.supply; });
    result.assignments.insert(result.assignments.end(), assigned.begin(), assigned.end());
    const std::uint32_t filled = x.quantity(d) - remaining;
    result.fills.push_back({problem.demands[d].id, x.quantity(d), filled, remaining});
    result.units_filled += filled;
    result.shortfall += remaining;
    result.units_by_class[x.class_priority.size() - 1 - x.class_rank[d]].units += filled;
  }
  return result;
}

// --- The min-cost flow in teams. ---

// A lexicographic cost: weighted units (negative is good), then ETA in ms.
struct Cost {
  std::int64_t key = 0;
  std::int64_t eta = 0;

  friend Cost operator+(Cost a, Cost b) { return {a.key + b.key, a.eta + b.eta}; }
  friend Cost operator-(Cost a, Cost b) { return {a.key - b.key, a.eta - b.eta}; }
  friend auto operator<=>(const Cost&, const Cost&) = default;
};
constexpr Cost kUnreached{std::numeric_limits<std::int64_t>::max(),
                          std::numeric_limits<std::int64_t>::max()};

// Class weights: one unit of class r+1 outweighs every unit of classes 0..r. Empty when they do
// not fit in 56 bits.
std::vector<std::int64_t> ClassWeights(const Indexed& x) {
  std::vector<std::uint64_t> possible(x.class_priority.size(), 0);
  for (std::size_t d = 0; d < x.demand_count(); ++d) {
    std::uint64_t reach = 0;
    for (const DemandOption& o : x.by_demand[d])
      reach += x.contribution(o.team, d);
    possible[x.class_rank[d]] += std::min<std::uint64_t>(reach, x.quantity(d));
  }
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 56;  // headroom for sums along paths
  std::vector<std::int64_t> weights;
  std::uint64_t w = 1;
  for (std::uint64_t units : possible) {
    weights.push_back(static_cast<std::int64_t>(w));
    if (units + 1 > kLimit / w) return {};
    w *= units + 1;
  }
  return weights;
}

// The solver: a rectangular assignment of slots to teams, solved exactly by successive shortest
// augmenting paths, one slot (row) at a time (the Jonker-Volgenant scheme). A demand has one
// slot per team it may take, the j-th worth v_j units; assigning slot r of demand d to team t
// costs (-v_j * W(class of d), eta(d, t)); every slot also has a private "dummy" column at cost
// (0, 0), taken when the slot stays empty. Every slot is assigned (to a team or its dummy) and
// the total cost is minimised, which is the lexicographic objective. Processing the slots one by
// one gives the same optimum in any order; each search starts from one slot and stops at the
// first free column, so it stays local.
//
// Nodes: slots 0..R-1, then teams, then one dummy per slot. Potentials p make every residual
// arc's reduced cost cost + p(from) - p(to) non-negative (Johnson); the arcs are slot -> column
// (not assigned) and column -> slot (assigned: the negated cost, reduced cost 0).
class SlotAssignment {
 public:
  // How a team of a mixed demand is valued in a slot (uniform demands: the same either way).
  enum class Valuation {
    kCapped,      // min(slot value, what the team brings): never overstates a set of teams
    kOptimistic,  // the slot value, whatever the team: favours near teams, repaired afterwards
  };

  SlotAssignment(const Indexed& x, const std::vector<std::int64_t>& weights, Valuation valuation)
      : x_(x), valuation_(valuation) {
    for (std::uint32_t d : DemandsByUrgency(x)) {
      std::vector<std::uint32_t> contributions;
      for (const DemandOption& o : x.by_demand[d]) {
        contributions.push_back(x.contribution(o.team, d));
      }
      // The largest contributions first, each capped by what is still missing: with uniform
      // contributions e this is e, e, ..., remainder (exact); otherwise optimistic.
      std::sort(contributions.begin(), contributions.end(), std::greater<>());
      std::uint32_t missing = x.quantity(d);
      for (std::uint32_t e : contributions) {
        if (missing == 0) break;
        const std::uint32_t v = std::min(e, missing);
        missing -= v;
        slots_.push_back({d, v, weights[x.class_rank[d]]});
      }
    }
    const std::size_t nodes = 2 * slots_.size() + x.team_count();
    potential_.assign(nodes, Cost{});
    dist_.assign(nodes, kUnreached);
    stamp_.assign(nodes, 0);
    done_.assign(nodes, 0);
    previous_.assign(nodes, 0);
    column_of_.assign(slots_.size(), kNone);
    slot_of_.assign(nodes, kNone);
  }

  Plan Solve() {
    // A demand's slots are consecutive and worth less and less; when one stays empty, the next
    // (same arcs, no higher value, processed right after) would stay empty too: skip the search.
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
      const bool after_empty = slot > 0 && slots_[slot - 1].demand == slots_[slot].demand &&
                               column_of_[slot - 1] == DummyNode(slot - 1);
      if (after_empty) {
        column_of_[slot] = DummyNode(slot);
        slot_of_[DummyNode(slot)] = slot;  // never reached: only its own slot leads there
        continue;
      }
      AddSlot(slot);
    }
    Plan plan = EmptyPlan(x_);
    for (std::uint32_t slot = 0; slot < slots_.size(); ++slot) {
      const std::uint32_t column = column_of_[slot];
      if (!IsTeam(column)) continue;
      const std::size_t t = column - slots_.size();
      plan.team_demand[t] = static_cast<std::int32_t>(slots_[slot].demand);
      plan.team_eta[t] = EtaOf(slots_[slot].demand, t);
    }
    return plan;
  }

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  struct Slot {
    std::uint32_t demand = 0;
    std::uint32_t value = 0;  // units the slot is worth at most
    std::int64_t weight = 0;  // of one unit of the demand's class
  };

  std::uint32_t TeamNode(std::size_t t) const {
    return static_cast<std::uint32_t>(slots_.size() + t);
  }
  std::uint32_t DummyNode(std::uint32_t slot) const {
    return static_cast<std::uint32_t>(slots_.size() + x_.team_count() + slot);
  }
  bool IsTeam(std::uint32_t node) const {
    return node >= slots_.size() && node < slots_.size() + x_.team_count();
  }
  // A team fills a slot with at most what it brings: uniform demands get exactly their slot
  // values; mixed ones never more than the teams really bring (min(q, sum) >= the sum of these).
  Cost ArcCost(std::uint32_t slot, std::size_t t, TravelTime eta) const {
    const Slot& s = slots_[slot];
    const std::uint32_t units = valuation_ == Valuation::kCapped
                                    ? std::min(s.value, x_.contribution(t, s.demand))
                                    : s.value;
    return Cost{-static_cast<std::int64_t>(units) * s.weight, eta};
  }

  TravelTime EtaOf(std::uint32_t d, std::size_t t) const {
    for (const DemandOption& o : x_.by_demand[d]) {
      if (o.team == t) return o.eta;
    }
    return kInfiniteTime;
  }

  Cost Reduced(Cost cost, std::uint32_t from, std::uint32_t to) const {
    const Cost reduced = cost + potential_[from] - potential_[to];
    assert(reduced >= Cost{} && "SlotAssignment: negative reduced cost");
    return reduced;
  }

  void Touch(std::uint32_t node) {
    if (stamp_[node] == generation_) return;
    stamp_[node] = generation_;
    dist_[node] = kUnreached;
    done_[node] = 0;
  }

  // Relaxes the arcs of a slot reached at `distance` (its columns other than its own).
  void Expand(std::uint32_t slot, Cost distance) {
    const Slot& s = slots_[slot];
    const std::uint32_t from = slot;
    for (const DemandOption& o : x_.by_demand[s.demand]) {
      const std::uint32_t column = TeamNode(o.team);
      if (column == column_of_[slot]) continue;
      Relax(column, distance + Reduced(ArcCost(slot, o.team, o.eta), from, column), slot);
    }
    const std::uint32_t dummy = DummyNode(slot);
    if (dummy != column_of_[slot]) Relax(dummy, distance + Reduced(Cost{}, from, dummy), slot);
  }

  void Relax(std::uint32_t column, Cost distance, std::uint32_t slot) {
    Touch(column);
    if (done_[column] || !(distance < dist_[column])) return;
    dist_[column] = distance;
    previous_[column] = slot;
    heap_.push_back({distance, column});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  void AddSlot(std::uint32_t start) {
    // A potential for the new slot that makes its arcs' reduced costs non-negative.
    Cost highest = potential_[DummyNode(start)];
    for (const DemandOption& o : x_.by_demand[slots_[start].demand]) {
      highest = std::max(highest, potential_[TeamNode(o.team)] - ArcCost(start, o.team, o.eta));
    }
    potential_[start] = highest;

    ++generation_;
    heap_.clear();
    settled_.clear();
    Touch(start);
    dist_[start] = Cost{};
    settled_.push_back(start);
    Expand(start, Cost{});
    std::uint32_t end = kNone;
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      const auto [distance, column] = heap_.back();
      heap_.pop_back();
      if (done_[column] || distance > dist_[column]) continue;
      done_[column] = 1;
      settled_.push_back(column);
      const std::uint32_t holder = slot_of_[column];
      // A free team, or a dummy reached from its own slot (which then gives up its team).
      if (holder == kNone) {
        end = column;
        break;
      }
      // Along the assigned arc back to its slot: reduced cost 0.
      Touch(holder);
      dist_[holder] = distance + Reduced(Cost{} - HeldCost(holder, column), column, holder);
      settled_.push_back(holder);
      Expand(holder, dist_[holder]);
    }
    assert(end != kNone && "SlotAssignment: the dummy column is always reachable");

    const Cost reach = dist_[end];
    for (std::uint32_t node : settled_) {
      if (dist_[node] < reach) potential_[node] = potential_[node] + (dist_[node] - reach);
    }
    // Flip the path: each column takes the slot it was reached from.
    std::uint32_t column = end;
    while (true) {
      const std::uint32_t slot = previous_[column];
      const std::uint32_t before = column_of_[slot];
      column_of_[slot] = column;
      slot_of_[column] = slot;
      if (slot == start) break;
      column = before;
    }
  }

  // The cost of the arc between a slot and the team it holds.
  Cost HeldCost(std::uint32_t slot, std::uint32_t column) const {
    if (!IsTeam(column)) return Cost{};  // a dummy costs nothing
    const std::size_t t = column - slots_.size();
    return ArcCost(slot, t, EtaOf(slots_[slot].demand, t));
  }

  const Indexed& x_;
  Valuation valuation_;
  std::vector<Slot> slots_;  // demands by urgency, their slots in order
  std::vector<Cost> potential_;
  std::vector<Cost> dist_;
  std::vector<std::uint32_t> stamp_;
  std::vector<std::uint8_t> done_;
  std::vector<std::uint32_t> previous_;   // per column: the slot it was reached from
  std::vector<std::uint32_t> column_of_;  // per slot: its column, or kNone before it is added
  std::vector<std::uint32_t> slot_of_;    // per column: the slot holding it, or kNone
  std::vector<std::uint32_t> settled_;
  std::uint32_t generation_ = 0;
  std::vector<std::pair<Cost, std::uint32_t>> heap_;  // a min-heap by std::greater
};

bool UniformContribution(const Indexed& x) {
  for (std::size_t d = 0; d < x.demand_count(); ++d) {
    const auto& options = x.by_demand[d];
    for (const DemandOption& o : options) {
      if (x.contribution(o.team, d) != x.contribution(options.front().team, d)) return false;
    }
  }
  return true;
}

Plan OneByOnePlan(const Indexed& x) {
  Plan plan = EmptyPlan(x);
  FillGreedily(x, plan);
  return plan;
}

}  // namespace

Status ValidateJointProblem(const JointProblem& problem) {
  std::unordered_map<std::uint32_t, std::size_t> demands;
  std::unordered_map<std::uint32_t, std::size_t> supplies;
  for (const JointDemand& d : problem.demands) {
    if (!demands.emplace(d.id.value(), 0).second) {
      return Status::InvalidArgument("demand " + std::to_string(d.id.value()) + " given twice");
    }
  }
  for (const JointSupply& s : problem.supplies) {
    if (!supplies.emplace(s.id.value(), 0).second) {
      return Status::InvalidArgument("supply " + std::to_string(s.id.value()) + " given twice");
    }
  }
  std::unordered_map<std::uint64_t, int> pairs;
  for (const JointOption& o : problem.options) {
    const std::string pair = "option (demand " + std::to_string(o.demand.value()) + ", supply " +
                             std::to_string(o.supply.value()) + ")";
    if (!demands.contains(o.demand.value())) {
      return Status::InvalidArgument(pair + ": unknown demand");
    }
    if (!supplies.contains(o.supply.value())) {
      return Status::InvalidArgument(pair + ": unknown supply");
    }
    const std::uint64_t key = (std::uint64_t{o.demand.value()} << 32) | o.supply.value();
    if (!pairs.emplace(key, 0).second) return Status::InvalidArgument(pair + " given twice");
  }
  return Status::Ok();
}

int CompareObjective(const JointResult& a, const JointResult& b) {
  assert(a.units_by_class.size() == b.units_by_class.size());
  for (std::size_t i = 0; i < a.units_by_class.size() && i < b.units_by_class.size(); ++i) {
    if (a.units_by_class[i].units != b.units_by_class[i].units) {
      return a.units_by_class[i].units > b.units_by_class[i].units ? -1 : 1;
    }
  }
  if (a.total_eta != b.total_eta) return a.total_eta < b.total_eta ? -1 : 1;
  return 0;
}

bool IsUniformContribution(const JointProblem& problem) {
  return UniformContribution(Index(problem));
}

JointResult AssignOneByOne(const JointProblem& problem) {
  const Indexed x = Index(problem);
  return Finish(x, OneByOnePlan(x), JointMethod::kOneByOne);
}

JointResult AssignJointly(const JointProblem& problem, const JointOptions& options) {
  const Indexed x = Index(problem);
  std::vector<std::int64_t> weights = ClassWeights(x);
  if (weights.empty()) return Finish(x, OneByOnePlan(x), JointMethod::kOneByOne);

  if (UniformContribution(x)) {
    JointResult exact =
        Finish(x, SlotAssignment(x, weights, SlotAssignment::Valuation::kCapped).Solve(),
               JointMethod::kFlow);
    exact.proven_optimal = true;
    return exact;
  }
  // Mixed team sizes: both valuations, each repaired, and the baseline; the best is kept (the
  // earlier on a tie). Neither valuation wins everywhere: capped is nearer the optimum on small
  // instances, optimistic finds far less total ETA on large mixed surges (bench/RESULTS.md).
  JointResult best;
  bool have_best = false;
  for (const auto valuation :
       {SlotAssignment::Valuation::kCapped, SlotAssignment::Valuation::kOptimistic}) {
    Plan plan = SlotAssignment(x, weights, valuation).Solve();
    // Drop, fill, drop: the fill may make an earlier, smaller team redundant (a line of 5 from
    // teams of 2 and 2 topped up with a team of 3 needs only one of the 2s).
    DropUseless(x, plan);
    if (options.fill_leftovers) {
      FillGreedily(x, plan);
      DropUseless(x, plan);
    }
    JointResult candidate = Finish(x, plan, JointMethod::kFlow);
    if (!have_best || CompareObjective(candidate, best) < 0) best = std::move(candidate);
    have_best = true;
  }
  if (options.compare_with_one_by_one) {
    JointResult baseline = Finish(x, OneByOnePlan(x), JointMethod::kOneByOne);
    if (CompareObjective(baseline, best) < 0) return baseline;
  }
  return best;
}

JointResult AssignExhaustive(const JointProblem& problem) {
  const Indexed x = Index(problem);
  std::uint64_t combinations = 1;
  for (const auto& options : x.by_team) {
    combinations *= options.size() + 1;
    if (combinations > kExhaustiveMaxCombinations) {
      JointResult refused = Finish(x, EmptyPlan(x), JointMethod::kTooLarge);
      return refused;
    }
  }

  const std::size_t classes = x.class_priority.size();
  Plan plan = EmptyPlan(x);
  Plan best_plan = plan;
  std::vector<std::uint64_t> best_units;  // by rank, highest first; empty: none yet
  std::uint64_t best_eta = 0;

  std::vector<std::uint64_t> sum(x.demand_count());
  std::vector<std::uint64_t> smallest(x.demand_count());
  std::vector<std::uint64_t> units(classes);
  const std::function<void(std::size_t)> visit = [&](std::size_t t) {
    if (t < x.team_count()) {
      plan.team_demand[t] = kUnassigned;
      visit(t + 1);
      for (const TeamOption& o : x.by_team[t]) {
        plan.team_demand[t] = static_cast<std::int32_t>(o.demand);
        plan.team_eta[t] = o.eta;
        visit(t + 1);
      }
      plan.team_demand[t] = kUnassigned;
      return;
    }
    std::fill(sum.begin(), sum.end(), 0);
    std::fill(smallest.begin(), smallest.end(), std::numeric_limits<std::uint64_t>::max());
    std::uint64_t eta = 0;
    for (std::size_t team = 0; team < x.team_count(); ++team) {
      if (plan.team_demand[team] == kUnassigned) continue;
      const auto d = static_cast<std::size_t>(plan.team_demand[team]);
      const std::uint64_t e = x.contribution(team, d);
      sum[d] += e;
      smallest[d] = std::min(smallest[d], e);
      eta += plan.team_eta[team];
    }
    std::fill(units.begin(), units.end(), 0);
    for (std::size_t d = 0; d < x.demand_count(); ++d) {
      if (sum[d] == 0) continue;
      if (sum[d] - smallest[d] >= x.quantity(d)) return;  // a team that adds nothing
      units[classes - 1 - x.class_rank[d]] += std::min<std::uint64_t>(sum[d], x.quantity(d));
    }
    const bool better =
        best_units.empty() || units > best_units || (units == best_units && eta < best_eta);
    if (better) {
      best_units = units;
      best_eta = eta;
      best_plan = plan;
    }
  };
  visit(0);
  return Finish(x, best_plan, JointMethod::kExhaustive);
}

}  // namespace baiying
