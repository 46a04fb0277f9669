#pragma once
// NetworkSpec: a road network as loaded from files, before it is built into a RoadGraph.
// Loaders fill it; RoadGraph::Build turns it into the immutable graph.

#include <vector>

#include "engine/core/status.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_types.h"

namespace baiying::loaders {

struct NetworkSpec {
  std::vector<PlaceSpec> places;  // PlaceId = index
  std::vector<ArcSpec> arcs;      // directed; a two-way road is two arcs
};

inline Result<RoadGraph> BuildGraph(NetworkSpec spec, const TravelTimeOptions& options = {}) {
  return RoadGraph::Build(std::move(spec.places), spec.arcs, options);
}

}  // namespace baiying::loaders
