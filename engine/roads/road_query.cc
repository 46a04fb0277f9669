#include "engine/roads/road_query.h"

#include <algorithm>
#include <utility>

#include "engine/roads/heap_key.h"

namespace baiying {
namespace {

using roads_internal::HeapKey;
using roads_internal::KeyPlace;
using roads_internal::KeyTime;

constexpr std::uint32_t kNotInHeap = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t kSettled = kNotInHeap - 1;
constexpr std::uint32_t kNoParent = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kArity = 4;

}  // namespace

// A 4-ary min-heap of (time, place) keys with a position per place, so that a place's key can
// be decreased in place. Keys are unique because places are, which makes the order total.
class RoadQuery::Heap {
 public:
  Heap(std::vector<std::uint64_t>& keys, std::vector<std::uint32_t>& pos)
      : keys_(keys), pos_(pos) {}

  bool empty() const { return keys_.empty(); }

  void Push(std::uint64_t key) {
    keys_.push_back(key);
    SiftUp(keys_.size() - 1);
  }

  // Precondition: the place of `key` is in the heap with a larger key.
  void Decrease(std::uint64_t key) {
    const std::size_t i = pos_[KeyPlace(key)];
    keys_[i] = key;
    SiftUp(i);
  }

  std::uint64_t Pop() {
    const std::uint64_t top = keys_.front();
    pos_[KeyPlace(top)] = kSettled;
    const std::uint64_t last = keys_.back();
    keys_.pop_back();
    if (!keys_.empty()) {
      keys_[0] = last;
      pos_[KeyPlace(last)] = 0;
      SiftDown(0);
    }
    return top;
  }

 private:
  void Place(std::size_t i, std::uint64_t key) {
    keys_[i] = key;
    pos_[KeyPlace(key)] = static_cast<std::uint32_t>(i);
  }
  void SiftUp(std::size_t i) {
    const std::uint64_t key = keys_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (keys_[parent] <= key) break;
      Place(i, keys_[parent]);
      i = parent;
    }
    Place(i, key);
  }
  void SiftDown(std::size_t i) {
    const std::uint64_t key = keys_[i];
    const std::size_t n = keys_.size();
    while (true) {
      const std::size_t first = i * kArity + 1;
      if (first >= n) break;
      const std::size_t last = std::min(first + kArity, n);
      std::size_t best = first;
      for (std::size_t c = first + 1; c < last; ++c) {
        if (keys_[c] < keys_[best]) best = c;
      }
      if (keys_[best] >= key) break;
      Place(i, keys_[best]);
      i = best;
    }
    Place(i, key);
  }

  std::vector<std::uint64_t>& keys_;
  std::vector<std::uint32_t>& pos_;
};

RoadQuery::RoadQuery(const RoadGraph& graph)
    : graph_(&graph),
      stamp_(graph.place_count(), 0),
      distance_(graph.place_count(), kInfiniteTime),
      parent_arc_(graph.place_count(), kNoParent),
      target_stamp_(graph.place_count(), 0),
      heap_pos_(graph.place_count(), kNotInHeap),
      first_target_(graph.place_count(), 0) {}

void RoadQuery::StartSearch() {
  ++generation_;
  if (generation_ == 0) {  // wrapped: old stamps could be mistaken for new ones
    std::fill(stamp_.begin(), stamp_.end(), 0);
    std::fill(target_stamp_.begin(), target_stamp_.end(), 0);
    generation_ = 1;
  }
  heap_keys_.clear();
  settled_count_ = 0;
}

template <Direction kDir, typename OnSettle>
void RoadQuery::Run(PlaceId source, const QueryContext& context, TravelTime bound,
                    OnSettle&& on_settle) {
  Heap heap(heap_keys_, heap_pos_);
  last_direction_ = kDir;
  const ClosureSet* closures = context.closures;
  if (closures != nullptr && closures->empty()) closures = nullptr;
  const RoadGraph& g = *graph_;

  const std::uint32_t s = source.value();
  stamp_[s] = generation_;
  distance_[s] = 0;
  parent_arc_[s] = kNoParent;
  heap.Push(HeapKey(0, s));

  auto relax = [&](std::uint32_t w, TravelTime d, TravelTime weight, std::uint32_t arc) {
    const TravelTime nd = SaturatingAdd(d, weight);
    if (nd == kInfiniteTime || nd > bound) return;
    if (!Reached(w)) {
      stamp_[w] = generation_;
      distance_[w] = nd;
      parent_arc_[w] = arc;
      heap.Push(HeapKey(nd, w));
    } else if (heap_pos_[w] != kSettled && nd < distance_[w]) {
      distance_[w] = nd;
      parent_arc_[w] = arc;
      heap.Decrease(HeapKey(nd, w));
    }
  };

  while (!heap.empty()) {
    const std::uint64_t key = heap.Pop();
    const std::uint32_t v = KeyPlace(key);
    const TravelTime d = KeyTime(key);
    ++settled_count_;
    if (!on_settle(v, d)) return;
    if constexpr (kDir == Direction::kFromPlace) {
      const std::uint32_t end = g.end_out(PlaceId(v));
      for (std::uint32_t a = g.first_out(PlaceId(v)); a < end; ++a) {
        if (closures != nullptr && !closures->ArcOpen(ArcId(a), context.at)) continue;
        relax(g.head(ArcId(a)).value(), d, g.travel_time(ArcId(a)), a);
      }
    } else {
      const std::uint32_t end = g.end_in(PlaceId(v));
      for (std::uint32_t pos = g.first_in(PlaceId(v)); pos < end; ++pos) {
        if (closures != nullptr && !closures->ArcOpen(g.in_arc(pos), context.at)) continue;
        relax(g.in_tail(pos).value(), d, g.in_travel_time(pos), g.in_arc(pos).value());
      }
    }
  }
}

Result<Route> RoadQuery::ShortestRoute(PlaceId from, PlaceId to, const QueryContext& context) {
  const std::uint32_t n = graph_->place_count();
  if (!from.valid() || from.value() >= n || !to.valid() || to.value() >= n) {
    return Status::InvalidArgument("route: place id out of range (" + std::to_string(n) +
                                   " places)");
  }
  StartSearch();
  bool found = false;
  Run<Direction::kFromPlace>(from, context, kInfiniteTime - 1, [&](std::uint32_t v, TravelTime) {
    found = (v == to.value());
    return !found;
  });
  if (!found) {
    return Status::NotFound(
        graph_->place(to).name + " cannot be reached from " + graph_->place(from).name +
        (context.closures != nullptr && !context.closures->empty() ? " under the closures in force"
                                                                   : ""));
  }

  Route route;
  route.from = from;
  route.to = to;
  route.time = distance_[to.value()];
  for (std::uint32_t v = to.value(); parent_arc_[v] != kNoParent;) {
    const ArcId arc(parent_arc_[v]);
    route.arcs.push_back(arc);
    v = graph_->tail(arc).value();
  }
  std::reverse(route.arcs.begin(), route.arcs.end());
  route.max_elevation_m = graph_->place(from).elevation_m;
  for (ArcId arc : route.arcs) {
    route.length_m += graph_->length_m(arc);
    route.max_elevation_m = std::max(route.max_elevation_m, graph_->max_elevation_m(arc));
  }
  route.legs = SummarizeLegs(*graph_, route.arcs);
  return route;
}

template <typename IsTarget>
void RoadQuery::RunNearest(PlaceId place, Direction direction, std::uint32_t wanted,
                           const NearestOptions& options, const QueryContext& context,
                           IsTarget&& is_target) {
  // Places are settled in (time, id) order except across zero-time arcs, which can reveal a
  // place of lower id at the time just settled. So once the K-th target is in, the search
  // goes on through that same time, and the answer is sorted and cut at K.
  TravelTime cutoff = kInfiniteTime;
  auto on_settle = [&](std::uint32_t v, TravelTime d) {
    if (d > cutoff) return false;
    if (is_target(v)) {
      reaches_.push_back({PlaceId(v), d});
      if (reaches_.size() == wanted) cutoff = d;
    }
    return true;
  };
  const TravelTime bound = std::min(options.max_time, kInfiniteTime - 1);
  if (direction == Direction::kFromPlace) {
    Run<Direction::kFromPlace>(place, context, bound, on_settle);
  } else {
    Run<Direction::kToPlace>(place, context, bound, on_settle);
  }
  std::sort(reaches_.begin(), reaches_.end(), [](const Reach& a, const Reach& b) {
    return a.time != b.time ? a.time < b.time : a.place < b.place;
  });
  if (reaches_.size() > wanted) reaches_.resize(wanted);
}

std::span<const Reach> RoadQuery::Nearest(PlaceId place, Direction direction,
                                          std::span<const PlaceId> targets,
                                          const NearestOptions& options,
                                          const QueryContext& context) {
  reaches_.clear();
  const std::uint32_t n = graph_->place_count();
  if (!place.valid() || place.value() >= n || options.k == 0) return reaches_;

  StartSearch();
  std::uint32_t distinct = 0;
  for (PlaceId t : targets) {
    if (!t.valid() || t.value() >= n || target_stamp_[t.value()] == generation_) continue;
    target_stamp_[t.value()] = generation_;
    ++distinct;
  }
  const std::uint32_t wanted = std::min(options.k, distinct);
  if (wanted == 0) return reaches_;
  RunNearest(place, direction, wanted, options, context,
             [&](std::uint32_t v) { return target_stamp_[v] == generation_; });
  return reaches_;
}

std::span<const Reach> RoadQuery::Nearest(PlaceId place, Direction direction,
                                          const TargetSet& targets, const NearestOptions& options,
                                          const QueryContext& context) {
  reaches_.clear();
  const std::uint32_t n = graph_->place_count();
  if (!place.valid() || place.value() >= n || options.k == 0 || targets.place_count() != n) {
    return reaches_;
  }
  const std::uint32_t wanted = std::min(options.k, targets.distinct_places());
  if (wanted == 0) return reaches_;
  StartSearch();
  RunNearest(place, direction, wanted, options, context,
             [&](std::uint32_t v) { return targets.Contains(PlaceId(v)); });
  return reaches_;
}

std::span<const OffsetReach> RoadQuery::NearestWithOffsets(PlaceId place, Direction direction,
                                                           std::span<const OffsetTarget> targets,
                                                           const NearestOptions& options,
                                                           const QueryContext& context) {
  offset_reaches_.clear();
  const std::uint32_t n = graph_->place_count();
  if (!place.valid() || place.value() >= n || options.k == 0) return offset_reaches_;

  StartSearch();
  sorted_targets_.clear();
  TravelTime min_offset = kInfiniteTime;
  for (const OffsetTarget& t : targets) {
    if (!t.place.valid() || t.place.value() >= n || t.offset == kInfiniteTime) continue;
    sorted_targets_.push_back(t);
    min_offset = std::min(min_offset, t.offset);
  }
  if (sorted_targets_.empty() || min_offset > options.max_time) return offset_reaches_;
  std::sort(sorted_targets_.begin(), sorted_targets_.end(),
            [](const OffsetTarget& a, const OffsetTarget& b) {
              return a.place != b.place ? a.place < b.place : a.tag < b.tag;
            });
  for (std::uint32_t i = 0; i < sorted_targets_.size(); ++i) {
    const std::uint32_t p = sorted_targets_[i].place.value();
    if (target_stamp_[p] != generation_) {
      target_stamp_[p] = generation_;
      first_target_[p] = i;
    }
  }

  // The K best (total, tag) so far, worst on top.
  auto worse = [](const OffsetReach& a, const OffsetReach& b) {
    return a.total != b.total ? a.total < b.total : a.tag < b.tag;
  };
  std::vector<OffsetReach>& best = offset_reaches_;
  auto on_settle = [&](std::uint32_t v, TravelTime d) {
    // Ties on total break by tag, so only a strictly larger bound ends the search.
    if (best.size() == options.k && SaturatingAdd(d, min_offset) > best.front().total) {
      return false;
    }
    if (target_stamp_[v] != generation_) return true;
    for (std::uint32_t i = first_target_[v];
         i < sorted_targets_.size() && sorted_targets_[i].place.value() == v; ++i) {
      const OffsetTarget& t = sorted_targets_[i];
      const OffsetReach r{t.tag, t.place, d, SaturatingAdd(d, t.offset)};
      if (r.total > options.max_time) continue;
      if (best.size() < options.k) {
        best.push_back(r);
        std::push_heap(best.begin(), best.end(), worse);
      } else if (worse(r, best.front())) {
        std::pop_heap(best.begin(), best.end(), worse);
        best.back() = r;
        std::push_heap(best.begin(), best.end(), worse);
      }
    }
    return true;
  };
  const TravelTime bound = std::min(options.max_time, kInfiniteTime - 1) - min_offset;
  if (direction == Direction::kFromPlace) {
    Run<Direction::kFromPlace>(place, context, bound, on_settle);
  } else {
    Run<Direction::kToPlace>(place, context, bound, on_settle);
  }
  std::sort(best.begin(), best.end(), worse);
  return best;
}

std::span<const TravelTime> RoadQuery::AllTimes(PlaceId place, Direction direction,
                                                const QueryContext& context) {
  const std::uint32_t n = graph_->place_count();
  all_times_.assign(n, kInfiniteTime);
  if (!place.valid() || place.value() >= n) return all_times_;
  StartSearch();
  auto on_settle = [&](std::uint32_t v, TravelTime d) {
    all_times_[v] = d;
    return true;
  };
  if (direction == Direction::kFromPlace) {
    Run<Direction::kFromPlace>(place, context, kInfiniteTime - 1, on_settle);
  } else {
    Run<Direction::kToPlace>(place, context, kInfiniteTime - 1, on_settle);
  }
  return all_times_;
}

std::vector<ArcId> RoadQuery::PathOfLastSearch(PlaceId place) const {
  std::vector<ArcId> arcs;
  if (!place.valid() || place.value() >= graph_->place_count() || !Reached(place.value())) {
    return arcs;
  }
  // Parents point towards the source: along arcs backwards in a forward search, forwards in a
  // backward one.
  for (std::uint32_t v = place.value(); parent_arc_[v] != kNoParent;) {
    const ArcId arc(parent_arc_[v]);
    arcs.push_back(arc);
    v = (last_direction_ == Direction::kFromPlace ? graph_->tail(arc) : graph_->head(arc)).value();
  }
  if (last_direction_ == Direction::kFromPlace) std::reverse(arcs.begin(), arcs.end());
  return arcs;
}

std::vector<RouteLeg> SummarizeLegs(const RoadGraph& graph, std::span<const ArcId> arcs) {
  std::vector<RouteLeg> legs;
  for (ArcId arc : arcs) {
    const std::string_view ref = graph.road_ref(arc);
    if (legs.empty() || legs.back().road_ref != ref) {
      RouteLeg leg;
      leg.road_ref = std::string(ref);
      leg.from = graph.tail(arc);
      legs.push_back(std::move(leg));
    }
    RouteLeg& leg = legs.back();
    leg.to = graph.head(arc);
    leg.length_m += graph.length_m(arc);
    leg.time = SaturatingAdd(leg.time, graph.travel_time(arc));
    leg.estimated = leg.estimated || graph.length_source(arc) == LengthSource::kEstimated;
  }
  return legs;
}

}  // namespace baiying
