#pragma once
// One entry point for every network the program takes with --network:
//   a directory             -> the project's CSV format (places.csv, roads.csv)
//   a file *.gr or *.gr.gz  -> DIMACS; a coordinates file beside it (same stem, .co or
//                              .co.gz, "-t" or "-d" variants as in USA-road-t.NY.gr and
//                              USA-road-d.NY.co) is read when present.

#include <filesystem>

#include "adapters/loaders/network_spec.h"
#include "engine/core/status.h"

namespace baiying::loaders {

Result<NetworkSpec> LoadNetworkSpec(const std::filesystem::path& path);

}  // namespace baiying::loaders
