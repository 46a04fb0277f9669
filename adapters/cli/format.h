#pragma once
// How the command line shows durations, distances and places to people, and reads what
// duty officers type.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"
#include "engine/roads/road_graph.h"

namespace baiying::cli {

// "5 h 07 min", "42 min", "35 s".
std::string FormatDuration(TravelTime t);
// "263.4 km" (one decimal), "850 m" below a kilometre.
std::string FormatDistance(std::uint64_t metres);
// "日喀则 (Shigatse)", or the bare name when there is no pinyin.
std::string PlaceLabel(const RoadGraph& graph, PlaceId place);

// "--need medical:2,transport:1": specialty:quantity pairs, each quantity from 1 to 2^31 - 1
// (the wire carries it as int32). InvalidArgument naming the bad item.
Result<std::vector<RequestLine>> ParseNeed(std::string_view text);

}  // namespace baiying::cli
