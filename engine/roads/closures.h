#pragma once
// Closures: landslides, snow on a pass, a checkpoint. An overlay over the immutable
// RoadGraph that every query honours at once, with no rebuild. A closure shuts one arc or one
// place (every arc into or out of it) over a time window [from, until).
//
// Cost on the search: one byte per arc and per place is checked on every relaxation; only
// when that byte says "some closure touches this" are the closure windows looked at.
// Not thread-safe for writes: change closures from the dispatch thread only; concurrent
// queries may read a ClosureSet that nobody is changing.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_graph.h"

namespace baiying {

using ClosureId = TypedId<struct ClosureTag>;

struct Closure {
  ClosureId id;
  ArcId arc = kNoArc;  // exactly one of arc and place is set
  PlaceId place = kNoPlace;
  std::string reason;  // "landslide at Tongmai", "snow on Mila pass"
  Instant from = kBeginningOfTime;
  Instant until = kEndOfTime;  // exclusive

  bool ActiveAt(Instant t) const { return from <= t && t < until; }
};

class ClosureSet {
 public:
  // The set refers to `graph`, which must outlive it.
  explicit ClosureSet(const RoadGraph& graph);

  // Each returns the new closure's id; InvalidArgument for an unknown arc or place, or an
  // empty window (until <= from).
  Result<ClosureId> CloseArc(ArcId arc, std::string reason, Instant from = kBeginningOfTime,
                             Instant until = kEndOfTime);
  Result<ClosureId> ClosePlace(PlaceId place, std::string reason, Instant from = kBeginningOfTime,
                               Instant until = kEndOfTime);
  // Closes the road between two adjacent places in both directions (every arc joining them);
  // NotFound when no arc joins them. Returns the ids of the closures made.
  Result<std::vector<ClosureId>> CloseBetween(PlaceId a, PlaceId b, const std::string& reason,
                                              Instant from = kBeginningOfTime,
                                              Instant until = kEndOfTime);

  // Ends a closure now and for ever (the road is reopened). NotFound for an unknown id.
  Status Reopen(ClosureId id);

  // Whether the arc can be travelled at `t`: neither the arc, nor its tail, nor its head is
  // under an active closure.
  bool ArcOpen(ArcId arc, Instant t) const {
    if (arc_touched_[arc.value()] == 0 && place_touched_[graph_->tail(arc).value()] == 0 &&
        place_touched_[graph_->head(arc).value()] == 0) {
      return true;
    }
    return SlowArcOpen(arc, t);
  }
  bool PlaceOpen(PlaceId place, Instant t) const {
    return place_touched_[place.value()] == 0 || SlowPlaceOpen(place, t);
  }

  // Closures in force now or later (not reopened), in id order.
  std::vector<Closure> Current() const;
  // The arcs that cannot be travelled at `t` (closed themselves, or touching a closed place),
  // sorted, each once: the metric an index built for the closures must leave out.
  std::vector<ArcId> ClosedArcsAt(Instant t) const;
  // Changes with every closure made or reopened (a cache of ClosedArcsAt may key on it and on
  // the time).
  std::uint64_t version() const { return version_; }
  bool empty() const { return live_count_ == 0; }
  const RoadGraph& graph() const { return *graph_; }

 private:
  Result<ClosureId> Add(Closure closure);
  bool SlowArcOpen(ArcId arc, Instant t) const;
  bool SlowPlaceOpen(PlaceId place, Instant t) const;
  bool NoneActive(const std::unordered_map<std::uint32_t, std::vector<ClosureId>>& by,
                  std::uint32_t key, Instant t) const;

  const RoadGraph* graph_;
  std::vector<Closure> closures_;             // by id; reopened ones are marked below
  std::vector<bool> reopened_;                // by id
  std::vector<std::uint16_t> arc_touched_;    // live closures on each arc
  std::vector<std::uint16_t> place_touched_;  // live closures on each place
  // Live closure ids by arc and by place, read only for touched arcs and places.
  std::unordered_map<std::uint32_t, std::vector<ClosureId>> live_by_arc_;
  std::unordered_map<std::uint32_t, std::vector<ClosureId>> live_by_place_;
  std::uint32_t live_count_ = 0;
  std::uint64_t version_ = 0;
};

}  // namespace baiying
