#pragma once
// A grid road network for tests of the road index: width x height places ("P0", "P1", ... row
// by row), two-way roads between neighbours, lengths drawn from `seed`. Grids are hard for a
// contraction hierarchy (many paths of nearly equal time), so a small one already has
// shortcuts and a larger one takes a while to contract. Header-only; depends on the engine only.

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/status.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_types.h"

namespace baiying::testing {

inline Result<RoadGraph> BuildGridGraph(std::uint32_t width, std::uint32_t height,
                                        unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<std::uint32_t> length(1'000, 9'000);
  std::vector<PlaceSpec> places(std::size_t{width} * height);
  for (std::uint32_t i = 0; i < places.size(); ++i) {
    places[i].name = "P" + std::to_string(i);
    places[i].lat = 29.0 + 0.01 * (i / width);
    places[i].lon = 91.0 + 0.01 * (i % width);
  }
  std::vector<ArcSpec> arcs;
  auto road = [&](std::uint32_t a, std::uint32_t b) {
    ArcSpec arc;
    arc.from = PlaceId(a);
    arc.to = PlaceId(b);
    arc.length_m = length(random);
    arcs.push_back(arc);
    std::swap(arc.from, arc.to);
    arcs.push_back(arc);
  };
  for (std::uint32_t y = 0; y < height; ++y) {
    for (std::uint32_t x = 0; x < width; ++x) {
      if (x + 1 < width) road(y * width + x, y * width + x + 1);
      if (y + 1 < height) road(y * width + x, (y + 1) * width + x);
    }
  }
  return RoadGraph::Build(std::move(places), arcs);
}

}  // namespace baiying::testing
