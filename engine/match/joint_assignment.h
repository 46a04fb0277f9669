#pragma once
// Joint assignment of a surge (一声令下、一呼百应): many request lines at once, over one pool of
// teams. Pure: no I/O, no clock, no threads; the dispatcher builds a JointProblem from its state
// (it has already filtered specialty, availability, registry rules, altitude and scope into the
// options) and applies the JointResult.
//
// The rules.
// - A team (supply) serves at most one demand; a demand may take several teams.
// - A team on a demand contributes min(its capacity, what the demand still needs) units and must
//   contribute at least 1 unit: no useless assignment is ever returned.
// - Objective, lexicographic: (1) the units filled in the highest priority class, then the next
//   class, ...; (2) the least total ETA, summed over the teams sent (a team counts once however
//   many units it brings); (3) determinism: the same problem gives the same result. Among
//   solutions equal under (1) and (2) the one returned follows from the input order (demands in
//   the order given, options in the order given); it is not a canonical choice.
//
// The formulation, and why.
// The problem is strongly NP-hard in general (deciding whether every line can be filled exactly
// is bin covering), so no polynomial method is exact everywhere. AssignJointly solves exactly the
// class where it can, and is a heuristic (never worse than one-by-one) elsewhere:
// - Teams, not units, are what flows. Each demand has "slots", one per team it may still take,
//   the j-th worth v_j units (the largest contributions first, capped by what is still missing).
//   Slots are assigned to teams: a team holds one slot, so it never splits across demands (the
//   flaw of a flow in units, which would then need repairs), and its ETA is a fixed charge on
//   its arc, so the total ETA is exact, not prorated by units.
// - Costs are lexicographic pairs (-(units x class weight), ETA). Class weights
//   W(r+1) = W(r) * (units possible in class r + 1) make one unit of a class outweigh every unit
//   of the classes below, so minimising the pair is the lexicographic objective; the ETA needs
//   no big-M because it is the second component. (When the weights would not fit in 56 bits the
//   solver is skipped and one-by-one returned; `method` says so.)
// - Solved as a rectangular assignment (every slot to a team or to its own zero-cost "stay
//   empty" column) by successive shortest augmenting paths, one slot at a time (Jonker-Volgenant
//   scheme, Dijkstra on reduced costs with Johnson potentials). This is min-cost flow on the
//   network source -> slot -> team -> sink, exact in any slot order, but each search starts at
//   one slot and stops at the first free team, so it stays local: 1,000 lines over 5,000 teams
//   in about 3-10 ms (bench/RESULTS.md). A global successive-shortest-path search from the sink
//   (tried first, same answers) took 250-370 ms on the same surge, and Boost.Graph's
//   successive_shortest_path_nonnegative_weights would be slower still: a full Dijkstra over the
//   whole graph per augmentation, thousands of them, with a scalar weight (our pair would become
//   a 128-bit big-M). So the solver is hand-written; Boost.Graph is not used.
// - Exact class ("uniform contribution"): for every demand, all its allowed teams contribute the
//   same, min(capacity, quantity). This covers teams of one unit each and teams that each cover
//   a whole line, the two common shapes. There the slots are e, e, ..., remainder and the
//   assignment optimum is the problem's optimum (proven_optimal is set).
// - Mixed team sizes on a demand: solved twice, with a team valued in a slot at min(slot value,
//   what it brings) (never overstates a set of teams) and at the slot value (optimistic: favours
//   near teams). Each answer is repaired: teams that add nothing are dropped (highest ETA first),
//   free teams are added greedily to lines still short, redundant ones dropped again. The best
//   of the two and of AssignOneByOne (options.compare_with_one_by_one) is returned, so the result
//   is never worse than one-by-one. Neither valuation wins everywhere: the capped one is nearer
//   the optimum on small instances, the optimistic one found 33% less total ETA than the capped
//   one on the 1,000-line mixed surge of bench/surge_bench.cc. On 400 random small mixed
//   instances (tests) the result fell short of the exhaustive optimum on 9 (5 of them in units
//   filled, 4 in ETA only).
// - Cost: one search per slot, local while free teams are near. When teams are scarce (more
//   units wanted than teams, bench "scarce"), the searches of low-priority slots explore most of
//   the contested teams before giving up or taking a team from a lower class: about 400 ms for
//   1,000 lines over 5,000 teams there, against about 10 ms otherwise.
//
// Thread safety: all functions are pure; concurrent calls on different or the same (const)
// problem are safe.

#include <cstdint>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"

namespace baiying {

// The dispatcher's handles for one batch: a request line, and a team (its TeamId's value).
using DemandId = TypedId<struct DemandTag>;
using SupplyId = TypedId<struct SupplyTag>;

struct JointDemand {
  DemandId id;
  std::uint8_t priority = 0;   // higher is more urgent (routine..flash = 0..3)
  std::uint64_t order = 0;     // arrival order: smaller is older
  std::uint32_t quantity = 0;  // units of the line's specialty wanted
};

struct JointSupply {
  SupplyId id;
  std::uint32_t capacity = 0;  // units the team brings; 0 makes the team unusable
};

// An allowed pairing. Only the pairs given are allowed.
struct JointOption {
  DemandId demand;
  SupplyId supply;
  TravelTime eta = 0;  // ms
};

struct JointProblem {
  std::vector<JointDemand> demands;
  std::vector<JointSupply> supplies;
  std::vector<JointOption> options;
};

// InvalidArgument when ids repeat, an option names an unknown demand or supply, or a pair is
// given twice. The Assign* functions tolerate such input (unknown ids ignored, the lowest ETA of
// a repeated pair kept) but the dispatcher should not send it.
Status ValidateJointProblem(const JointProblem& problem);

struct JointOptions {
  // Compute AssignOneByOne too and return it when it is strictly better (only possible outside
  // the exact class). Turning it off saves the baseline's time and loses the guarantee.
  bool compare_with_one_by_one = true;
  // After the flow, add free teams greedily to lines still short (outside the exact class the
  // optimistic slot values may leave some).
  bool fill_leftovers = true;

  Status Validate() const { return Status::Ok(); }  // every combination is meaningful
};

struct JointAssignment {
  DemandId demand;
  SupplyId supply;
  std::uint32_t units = 0;  // >= 1
  TravelTime eta = 0;
};

struct DemandFill {
  DemandId demand;
  std::uint32_t quantity = 0;
  std::uint32_t filled = 0;
  std::uint32_t shortfall = 0;  // quantity - filled
};

// Units filled in one priority class.
struct ClassUnits {
  std::uint8_t priority = 0;
  std::uint64_t units = 0;
  friend bool operator==(const ClassUnits&, const ClassUnits&) = default;
};

enum class JointMethod : std::uint8_t {
  kFlow,        // AssignJointly's flow (with its repair outside the exact class)
  kOneByOne,    // AssignOneByOne, or AssignJointly returning the baseline as the better
  kExhaustive,  // AssignExhaustive
  kTooLarge,    // AssignExhaustive refused: over kExhaustiveMaxCombinations; result empty
};

struct JointResult {
  // Sorted by demand (in the problem's order), then supply id.
  std::vector<JointAssignment> assignments;
  std::vector<DemandFill> fills;  // one per demand, in the problem's order
  // One entry per priority present in the problem, highest priority first.
  std::vector<ClassUnits> units_by_class;
  std::uint64_t units_filled = 0;
  std::uint64_t shortfall = 0;
  std::uint64_t total_eta = 0;  // ms, summed over assignments
  JointMethod method = JointMethod::kFlow;
  // True when the problem is in the exact class (see the top of this file) and the flow's
  // answer was returned: the result is then optimal under the objective.
  bool proven_optimal = false;
};

// Compares two results of the same problem under the lexicographic objective (1) and (2):
// negative when a is better, positive when b is, 0 when equal.
int CompareObjective(const JointResult& a, const JointResult& b);

// True when every demand's allowed teams contribute equally (the exact class).
bool IsUniformContribution(const JointProblem& problem);

// The joint solver (see the top of this file). Never worse than AssignOneByOne under the
// objective while options.compare_with_one_by_one is set.
JointResult AssignJointly(const JointProblem& problem, const JointOptions& options = {});

// The baseline: demands by priority (highest first), then oldest, then id; each filled from its
// lowest-ETA free teams (ties by supply id), each contributing min(capacity, still needed).
JointResult AssignOneByOne(const JointProblem& problem);

// The optimum by enumeration of every team's choice (none or one of its options), for tests.
// Limit: the product over teams of (options + 1) must not exceed kExhaustiveMaxCombinations
// (e.g. 6 teams with 4 options each: 15,625); beyond it the result is empty with method
// kTooLarge.
inline constexpr std::uint64_t kExhaustiveMaxCombinations = 2'000'000;
JointResult AssignExhaustive(const JointProblem& problem);

}  // namespace baiying
