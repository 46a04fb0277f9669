#pragma once
// Closures from a CSV file or from command-line text, applied to a ClosureSet.
//
//   closures.csv  what,at,reason,from,until
//     what   "road"  : at = "A-B", the road between two places (adjacent places, or else every
//                      arc of the fastest route from A to B as the network stood before),
//            "place" : at = a place name
//     from/until: ISO 8601 UTC ("2025-01-07T09:05:00Z") or empty for "always".
//
// On the command line `--close A-B` and `--close-place X` use the same rules. Errors name the
// file, line and field, or the command-line text; on any error nothing is applied.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_graph.h"

namespace baiying::loaders {

struct ClosureRequest {
  bool is_place = false;
  std::string at;  // "A-B" for a road, a place name for a place
  std::string reason;
  Instant from = kBeginningOfTime;
  Instant until = kEndOfTime;
  std::string origin;  // "closures.csv line 3" or "--close" for error messages
};

Result<std::vector<ClosureRequest>> ReadClosuresCsv(const std::filesystem::path& path);

// Applies every request or none. Returns the number of closures made.
Result<std::size_t> ApplyClosures(const std::vector<ClosureRequest>& requests,
                                  ClosureSet& closures);

// Parses "2025-01-07T09:05:00Z" (seconds and Z required; fractional seconds not accepted).
Result<Instant> ParseIsoInstant(std::string_view text);
std::string FormatIsoInstant(Instant t);

}  // namespace baiying::loaders
