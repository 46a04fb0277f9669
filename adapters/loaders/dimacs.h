#pragma once
// The 9th DIMACS Implementation Challenge shortest-path format, plain or gzip-compressed:
//   graph  (.gr):  "c ..." comments, one "p sp N M", then M lines "a u v w" (1-based ids)
//   coords (.co):  "p aux sp co N", then N lines "v id x y" (x, y in millionths of a degree)
// Places are named by their DIMACS number ("1" .. "N"), so `baiying route --from 1 --to 2`
// works; PlaceId = number - 1. Arc weights become fixed travel times: one weight unit is
// taken as `time_unit` of travel time.

#include <filesystem>
#include <optional>

#include "adapters/loaders/network_spec.h"
#include "engine/core/status.h"
#include "engine/core/time.h"

namespace baiying::loaders {

struct DimacsOptions {
  // The files give integer weights and no unit. Measured against the coordinates of
  // USA-road-d.NY.co, New York's arcs cover about 0.04 m of straight line per weight unit at
  // the median and 0.1 m at the fastest, so one unit is read as 10 ms: 14 km/h on the median
  // street and 36 km/h on the fastest arcs (as the crow flies). Only ratios matter for
  // benchmarks; set another unit to taste.
  Duration time_unit = Duration(10);
};

// Reads `graph_path` and, if given, `coords_path` (node count must match). Errors name the
// file, line and field; arc counts must match the "p" line.
Result<NetworkSpec> ReadDimacs(const std::filesystem::path& graph_path,
                               const std::optional<std::filesystem::path>& coords_path,
                               const DimacsOptions& options = {});

}  // namespace baiying::loaders
