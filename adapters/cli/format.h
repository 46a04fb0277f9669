#pragma once
// How the command line shows durations, distances and places to people.

#include <cstdint>
#include <string>

#include "engine/core/time.h"
#include "engine/roads/road_graph.h"

namespace baiying::cli {

// "5 h 07 min", "42 min", "35 s".
std::string FormatDuration(TravelTime t);
// "263.4 km" (one decimal), "850 m" below a kilometre.
std::string FormatDistance(std::uint64_t metres);
// "日喀则 (Shigatse)", or the bare name when there is no pinyin.
std::string PlaceLabel(const RoadGraph& graph, PlaceId place);

}  // namespace baiying::cli
