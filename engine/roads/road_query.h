#pragma once
// RoadQuery: the searches over a RoadGraph, with their scratch space. The graph is the
// shared, read-only index; a RoadQuery belongs to one thread and is reused: its arrays are
// sized once for the graph and reset between queries by a generation stamp, never cleared or
// reallocated (RoutingKit's split of index and query).
//
// Design note. The searches are Dijkstra's algorithm with a 4-ary indexed heap keyed on
// (time, place id), so every tie breaks by id and the same question always gives the same
// answer (Nearest also sorts its answer, since zero-time arcs can reveal a place of lower id
// at a time already being settled). The matcher's question is one-to-many
// towards a place ("which of these teams reaches the unit first"): Nearest(kToPlace) runs
// backwards over incoming arcs from the unit and stops as soon as K target places are settled
// or the time bound is passed, so a question about nearby teams touches only nearby roads.
// The preprocessed index (ChIndex in ch_index.h, a contraction hierarchy) answers the same
// question faster; this exact search stays as its reference and as its fallback under closures.
//
// Not thread-safe: one RoadQuery per thread. The graph and closure set must outlive it.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_graph.h"

namespace baiying {

// What a query honours besides the graph: closures in force at `at`.
struct QueryContext {
  const ClosureSet* closures = nullptr;  // null: no closures
  Instant at = Instant{};                // the moment whose closures apply
};

// A stretch of a route along one road reference, for people to read.
struct RouteLeg {
  std::string road_ref;  // "G318", or "" for unnamed links
  PlaceId from;
  PlaceId to;
  std::uint64_t length_m = 0;
  TravelTime time = 0;
  bool estimated = false;  // some arc of the leg has an estimated length
};

struct Route {
  PlaceId from;
  PlaceId to;
  TravelTime time = 0;
  std::uint64_t length_m = 0;
  std::vector<ArcId> arcs;     // in travel order
  std::vector<RouteLeg> legs;  // consecutive arcs with the same road reference, merged
  std::int32_t max_elevation_m = 0;
};

enum class Direction {
  kFromPlace,  // times from the given place to each target
  kToPlace,    // times from each target to the given place (teams travelling to a unit)
};

struct NearestOptions {
  std::uint32_t k = 1;                  // stop after this many targets are settled
  TravelTime max_time = kInfiniteTime;  // and never report a target beyond this
};

struct Reach {
  PlaceId place;
  TravelTime time = 0;

  friend bool operator==(const Reach&, const Reach&) = default;
};

// A target with a time of its own added to its travel time: a team at `place` that needs
// `offset` to mobilize before it can leave. `tag` is the caller's (a team id) and breaks ties.
struct OffsetTarget {
  PlaceId place;
  TravelTime offset = 0;
  std::uint32_t tag = 0;
};

struct OffsetReach {
  std::uint32_t tag = 0;
  PlaceId place;
  TravelTime travel = 0;  // road time alone
  TravelTime total = 0;   // travel + offset: what the answer is ranked by

  friend bool operator==(const OffsetReach&, const OffsetReach&) = default;
};

// A set of target places kept across queries: the places of the available teams of one
// specialty, say. A place may be added several times (several teams there) and stays a target
// until removed as often. Add and Remove cost O(1), so teams may change state between every
// two queries at no cost to the next one.
class TargetSet {
 public:
  explicit TargetSet(std::uint32_t place_count) : count_(place_count, 0) {}

  // Precondition for both: `place` is a valid id of the graph the set was sized for.
  void Add(PlaceId place) {
    if (count_[place.value()]++ == 0) ++distinct_;
  }
  // Removing a place that is not in the set does nothing and returns false.
  bool Remove(PlaceId place) {
    std::uint32_t& c = count_[place.value()];
    if (c == 0) return false;
    if (--c == 0) --distinct_;
    return true;
  }
  bool Contains(PlaceId place) const { return count_[place.value()] != 0; }
  std::uint32_t Count(PlaceId place) const { return count_[place.value()]; }
  std::uint32_t distinct_places() const { return distinct_; }
  std::uint32_t place_count() const { return static_cast<std::uint32_t>(count_.size()); }

 private:
  std::vector<std::uint32_t> count_;
  std::uint32_t distinct_ = 0;
};

class RoadQuery {
 public:
  explicit RoadQuery(const RoadGraph& graph);

  // The fastest route from `from` to `to`. NotFound when `to` cannot be reached (cut off by
  // closures or by the network itself); InvalidArgument for an id out of range.
  Result<Route> ShortestRoute(PlaceId from, PlaceId to, const QueryContext& context = {});

  // The `options.k` targets nearest to `place` in `direction`, by (time, id), none slower than
  // `options.max_time`. Duplicates in `targets` count once. The place itself counts at time 0
  // when it is a target. The span is valid until the next call on this query.
  std::span<const Reach> Nearest(PlaceId place, Direction direction,
                                 std::span<const PlaceId> targets, const NearestOptions& options,
                                 const QueryContext& context = {});
  // The same over a TargetSet kept by the caller: no per-query cost for marking targets.
  // Precondition: targets.place_count() == graph().place_count().
  std::span<const Reach> Nearest(PlaceId place, Direction direction, const TargetSet& targets,
                                 const NearestOptions& options, const QueryContext& context = {});

  // The matcher's question: the `options.k` targets with the least travel time plus offset
  // (ETA = mobilization delay + road time), by (total, tag), none with a total above
  // `options.max_time`. Several targets may share a place. The search settles places in
  // travel order and stops once no unsettled place could beat the K-th total found, even with
  // the smallest offset of any target. The span is valid until the next call.
  std::span<const OffsetReach> NearestWithOffsets(PlaceId place, Direction direction,
                                                  std::span<const OffsetTarget> targets,
                                                  const NearestOptions& options,
                                                  const QueryContext& context = {});

  // Travel times from `place` in `direction` to every place; kInfiniteTime where unreachable.
  // For tests and tools: it settles the whole graph.
  std::span<const TravelTime> AllTimes(PlaceId place, Direction direction,
                                       const QueryContext& context = {});

  // The fastest path found by the last search between its source and `place`, in travel order:
  // from the source to `place` after a kFromPlace search, from `place` to the source after a
  // kToPlace one (a team's road to the unit, with no second search). Empty when the place was
  // not reached, or is the source. Valid for places the search settled.
  std::vector<ArcId> PathOfLastSearch(PlaceId place) const;

  // Places settled by the last search, for benchmarks and tests of early stopping.
  std::uint32_t last_settled_count() const { return settled_count_; }

  const RoadGraph& graph() const { return *graph_; }

 private:
  class Heap;
  void StartSearch();
  bool Reached(std::uint32_t v) const { return stamp_[v] == generation_; }
  TravelTime DistanceOf(std::uint32_t v) const { return Reached(v) ? distance_[v] : kInfiniteTime; }
  template <typename IsTarget>
  void RunNearest(PlaceId place, Direction direction, std::uint32_t wanted,
                  const NearestOptions& options, const QueryContext& context, IsTarget&& is_target);
  template <Direction kDir, typename OnSettle>
  void Run(PlaceId source, const QueryContext& context, TravelTime bound, OnSettle&& on_settle);

  const RoadGraph* graph_;
  std::uint32_t generation_ = 0;
  std::vector<std::uint32_t> stamp_;  // generation at which distance_ was set
  std::vector<TravelTime> distance_;
  std::vector<std::uint32_t> parent_arc_;  // the arc towards the source, by place
  Direction last_direction_ = Direction::kFromPlace;
  std::vector<std::uint32_t> target_stamp_;  // generation at which the place was marked target
  std::vector<std::uint32_t> heap_pos_;
  std::vector<std::uint64_t> heap_keys_;  // (time << 32) | place
  std::vector<Reach> reaches_;
  std::vector<OffsetReach> offset_reaches_;
  std::vector<std::uint32_t> first_target_;   // per place, into sorted_targets_ (stamped)
  std::vector<OffsetTarget> sorted_targets_;  // targets grouped by place
  std::vector<TravelTime> all_times_;
  std::uint32_t settled_count_ = 0;
};

// Merges a sequence of arcs into legs by road reference.
std::vector<RouteLeg> SummarizeLegs(const RoadGraph& graph, std::span<const ArcId> arcs);

}  // namespace baiying
