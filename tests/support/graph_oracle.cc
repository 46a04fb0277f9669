#include "tests/support/graph_oracle.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <utility>

#include "engine/core/ids.h"
#include "engine/core/status.h"

namespace baiying::testing {

Matrix FloydWarshall(std::uint32_t n, const std::vector<ArcSpec>& arcs) {
  return FloydWarshall(n, arcs, std::vector<bool>(arcs.size(), true));
}

Matrix FloydWarshall(std::uint32_t n, const std::vector<ArcSpec>& arcs,
                     const std::vector<bool>& open) {
  Matrix d(n, std::vector<std::uint64_t>(n, kNone));
  for (std::uint32_t i = 0; i < n; ++i)
    d[i][i] = 0;
  for (std::size_t a = 0; a < arcs.size(); ++a) {
    if (!open[a]) continue;
    std::uint64_t& cell = d[arcs[a].from.value()][arcs[a].to.value()];
    cell = std::min<std::uint64_t>(cell, *arcs[a].fixed_time);
  }
  for (std::uint32_t k = 0; k < n; ++k) {
    for (std::uint32_t i = 0; i < n; ++i) {
      if (d[i][k] == kNone) continue;
      for (std::uint32_t j = 0; j < n; ++j) {
        if (d[k][j] != kNone) d[i][j] = std::min(d[i][j], d[i][k] + d[k][j]);
      }
    }
  }
  return d;
}

TravelTime ToTravelTime(std::uint64_t t) {
  return t == kNone ? kInfiniteTime : static_cast<TravelTime>(t);
}

std::vector<PlaceSpec> NumberedPlaces(std::uint32_t n) {
  std::vector<PlaceSpec> places(n);
  for (std::uint32_t p = 0; p < n; ++p)
    places[p].name = "p" + std::to_string(p);
  return places;
}

ArcSpec FixedArc(std::uint32_t from, std::uint32_t to, TravelTime time, std::string road_ref) {
  ArcSpec arc;
  arc.from = PlaceId(from);
  arc.to = PlaceId(to);
  arc.length_m = 1000 + time % 997;
  arc.road_ref = std::move(road_ref);
  arc.fixed_time = time;
  return arc;
}

RoadGraph MustBuild(std::vector<PlaceSpec> places, const std::vector<ArcSpec>& arcs,
                    const TravelTimeOptions& options) {
  Result<RoadGraph> built = RoadGraph::Build(std::move(places), arcs, options);
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  return std::move(built).value();
}

RoadGraph HandGraph() {
  std::vector<PlaceSpec> places;
  for (const char* name : {"A", "B", "C", "D", "E", "F", "G"}) {
    PlaceSpec place;
    place.name = name;
    places.push_back(place);
  }
  std::vector<ArcSpec> arcs;
  const auto road = [&arcs](std::uint32_t a, std::uint32_t b, std::uint32_t length_m,
                            const std::string& ref, RoadClass road_class) {
    for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
      ArcSpec arc;
      arc.from = PlaceId(from);
      arc.to = PlaceId(to);
      arc.length_m = length_m;
      arc.road_ref = ref;
      arc.road_class = road_class;
      arcs.push_back(arc);
    }
  };
  road(kA, kB, 110'000, "G318", RoadClass::kNational);
  road(kB, kC, 55'000, "G318", RoadClass::kNational);
  road(kA, kD, 200'000, "S5", RoadClass::kExpressway);
  road(kD, kC, 21'000, "X123", RoadClass::kCounty);
  road(kA, kE, 40'000, "Y", RoadClass::kTrack);
  road(kE, kC, 30'000, "Y", RoadClass::kTrack);
  road(kC, kF, 11'000, "G318", RoadClass::kNational);
  return MustBuild(std::move(places), arcs);
}

std::string Text(std::span<const Reach> reaches) {
  std::string out;
  for (const Reach& r : reaches) {
    if (!out.empty()) out += ' ';
    out += std::to_string(r.place.value()) + "@" + std::to_string(r.time);
  }
  return out.empty() ? "(none)" : out;
}

std::string RoutePlaces(const RoadGraph& graph, const Route& route) {
  std::string out = graph.place(route.from).name;
  for (ArcId a : route.arcs)
    out += ">" + graph.place(graph.head(a)).name;
  return out;
}

}  // namespace baiying::testing
