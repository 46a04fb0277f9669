#include "adapters/cli/format.h"

#include <cstdio>

namespace baiying::cli {

std::string FormatDuration(TravelTime t) {
  if (t == kInfiniteTime) return "unreachable";
  const std::uint64_t total_s = (std::uint64_t{t} + 500) / 1000;
  const std::uint64_t h = total_s / 3600, min = (total_s % 3600) / 60, s = total_s % 60;
  char buf[64];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%llu h %02llu min", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(min));
  } else if (min > 0) {
    std::snprintf(buf, sizeof buf, "%llu min", static_cast<unsigned long long>(min));
  } else {
    std::snprintf(buf, sizeof buf, "%llu s", static_cast<unsigned long long>(s));
  }
  return buf;
}

std::string FormatDistance(std::uint64_t metres) {
  char buf[64];
  if (metres < 1000) {
    std::snprintf(buf, sizeof buf, "%llu m", static_cast<unsigned long long>(metres));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f km", static_cast<double>(metres) / 1000.0);
  }
  return buf;
}

std::string PlaceLabel(const RoadGraph& graph, PlaceId place) {
  const PlaceSpec& p = graph.place(place);
  if (p.pinyin.empty() || p.pinyin == p.name) return p.name;
  return p.name + " (" + p.pinyin + ")";
}

}  // namespace baiying::cli
