#pragma once
// RoadGraph: the immutable road network. Places are nodes, directed arcs carry length, road
// reference, class, surface, the highest elevation on the segment and a travel time computed
// once by the travel-time model. Arcs are stored as compressed sparse rows in both
// directions, so that searches can run from a place (where can a team go) and towards a place
// (which teams reach this unit first: the matcher's question).
//
// Built once by Build() and never changed: closures are an overlay (ClosureSet), not an edit.
// Thread safety: a built RoadGraph is read-only and may be shared by any number of threads;
// each thread uses its own RoadQuery.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_types.h"
#include "engine/roads/travel_model.h"

namespace baiying {

class RoadGraph {
 public:
  // Checks every spec (ids in range, no self loops, positive lengths unless the arc has a
  // fixed time, coordinates in range, names unique among places that have one) and builds the
  // graph. Errors name the place or
  // arc by index and name. Arcs keep the order of `arcs` within each tail's row, so ArcIds
  // are stable for a given input.
  static Result<RoadGraph> Build(std::vector<PlaceSpec> places, const std::vector<ArcSpec>& arcs,
                                 const TravelTimeOptions& options = {});

  RoadGraph(RoadGraph&&) noexcept;
  RoadGraph& operator=(RoadGraph&&) noexcept;
  RoadGraph(const RoadGraph&) = delete;
  RoadGraph& operator=(const RoadGraph&) = delete;
  ~RoadGraph();

  std::uint32_t place_count() const { return static_cast<std::uint32_t>(places_.size()); }
  std::uint32_t arc_count() const { return static_cast<std::uint32_t>(head_.size()); }

  const PlaceSpec& place(PlaceId p) const { return places_[p.value()]; }
  std::span<const PlaceSpec> places() const { return places_; }

  // --- Forward adjacency: the arcs leaving `p` are [first_out(p), first_out(p + 1)). ---
  std::uint32_t first_out(PlaceId p) const { return first_out_[p.value()]; }
  std::uint32_t end_out(PlaceId p) const { return first_out_[p.value() + 1]; }
  PlaceId head(ArcId a) const { return PlaceId(head_[a.value()]); }
  PlaceId tail(ArcId a) const { return PlaceId(tail_[a.value()]); }
  TravelTime travel_time(ArcId a) const { return weight_[a.value()]; }
  std::uint32_t length_m(ArcId a) const { return length_m_[a.value()]; }
  RoadClass road_class(ArcId a) const { return road_class_[a.value()]; }
  Surface surface(ArcId a) const { return surface_[a.value()]; }
  LengthSource length_source(ArcId a) const { return length_source_[a.value()]; }
  std::int32_t max_elevation_m(ArcId a) const { return max_elevation_m_[a.value()]; }
  std::string_view road_ref(ArcId a) const { return refs_[ref_index_[a.value()]]; }

  // --- Backward adjacency: the arcs entering `p`, as positions [first_in(p), end_in(p)) ---
  // into in_tail/in_arc/in_travel_time (the weight is copied for locality of the search).
  std::uint32_t first_in(PlaceId p) const { return first_in_[p.value()]; }
  std::uint32_t end_in(PlaceId p) const { return first_in_[p.value() + 1]; }
  PlaceId in_tail(std::uint32_t pos) const { return PlaceId(in_tail_[pos]); }
  ArcId in_arc(std::uint32_t pos) const { return ArcId(in_arc_[pos]); }
  TravelTime in_travel_time(std::uint32_t pos) const { return in_weight_[pos]; }

  // Raw arrays for tight loops and for building indexes.
  std::span<const std::uint32_t> first_out_array() const { return first_out_; }
  std::span<const std::uint32_t> head_array() const { return head_; }
  std::span<const TravelTime> travel_time_array() const { return weight_; }

  // The arc from `from` to `to` with the least travel time, or kNoArc.
  ArcId FindArc(PlaceId from, PlaceId to) const;

  // Finds a place by name as people type it: the exact name, the name without its
  // administrative suffix (拉萨 for 拉萨市, 定日 for 定日县), the pinyin (any case), an alias,
  // or a numeric PlaceId. NotFound names the query; InvalidArgument when it is ambiguous.
  Result<PlaceId> FindPlace(std::string_view query) const;

  // The place nearest to a WGS-84 position (great-circle distance), and that distance in
  // metres. Uses a grid built with the graph. Precondition: place_count() > 0.
  struct Snap {
    PlaceId place;
    double distance_m = 0;
  };
  Snap SnapToPlace(double lat, double lon) const;

  // The options the weights were computed with.
  const TravelTimeOptions& travel_options() const { return options_; }

  // Bytes held by the graph's arrays (not counting names), for benchmarks.
  std::size_t MemoryBytes() const;

 private:
  RoadGraph() = default;
  struct SnapGrid;

  std::vector<PlaceSpec> places_;
  TravelTimeOptions options_;

  std::vector<std::uint32_t> first_out_;  // place_count + 1
  std::vector<std::uint32_t> head_;       // arc_count
  std::vector<std::uint32_t> tail_;
  std::vector<TravelTime> weight_;
  std::vector<std::uint32_t> length_m_;
  std::vector<std::int32_t> max_elevation_m_;
  std::vector<std::uint16_t> ref_index_;
  std::vector<RoadClass> road_class_;
  std::vector<Surface> surface_;
  std::vector<LengthSource> length_source_;
  std::vector<std::string> refs_;  // distinct road references; refs_[0] is ""

  std::vector<std::uint32_t> first_in_;  // place_count + 1
  std::vector<std::uint32_t> in_tail_;
  std::vector<std::uint32_t> in_arc_;
  std::vector<TravelTime> in_weight_;

  // Lower-cased names, pinyin and aliases -> places; then the same with the administrative
  // suffix taken off (拉萨市 -> 拉萨), consulted only when the first finds nothing.
  std::unordered_map<std::string, std::vector<PlaceId>> names_;
  std::unordered_map<std::string, std::vector<PlaceId>> short_names_;
  std::unique_ptr<SnapGrid> snap_grid_;
};

// Great-circle distance in metres (haversine, mean Earth radius 6,371.0088 km).
double HaversineMeters(double lat1, double lon1, double lat2, double lon2);

}  // namespace baiying
