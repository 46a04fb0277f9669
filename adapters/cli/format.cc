#include "adapters/cli/format.h"

#include <charconv>
#include <cstdio>
#include <limits>

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

Result<std::vector<RequestLine>> ParseNeed(std::string_view text) {
  std::vector<RequestLine> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma - start);
    const std::size_t colon = item.find(':');
    std::uint32_t quantity = 0;
    const char* first = item.data() + (colon == std::string_view::npos ? item.size() : colon + 1);
    const char* last = item.data() + item.size();
    auto [ptr, ec] = std::from_chars(first, last, quantity);
    if (colon == std::string_view::npos || colon == 0 || ec != std::errc() || ptr != last ||
        quantity == 0 ||
        quantity > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max())) {
      return Status::InvalidArgument("--need '" + std::string(item) +
                                     "': expected specialty:quantity");
    }
    lines.push_back({std::string(item.substr(0, colon)), quantity});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return lines;
}

}  // namespace baiying::cli
