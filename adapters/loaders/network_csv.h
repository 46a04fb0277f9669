#pragma once
// The project's own network format, two CSV files with a header row in one directory
// (documented in data/README.md):
//
//   places.csv  id,name,pinyin,kind,lat,lon,elevation_m,adcode,aliases
//   roads.csv   from,to,length_m,ref,class,surface,max_elevation_m,length_source,oneway
//
// Place ids are 0..N-1 in file order; `from` and `to` in roads.csv are place ids. A road row
// is two-way unless oneway is 1. aliases are separated by '|'. Reading is all or nothing:
// any error names the file, line and field, and nothing half-loaded is returned.

#include <filesystem>

#include "adapters/loaders/network_spec.h"
#include "engine/core/status.h"

namespace baiying::loaders {

Result<NetworkSpec> ReadNetworkCsv(const std::filesystem::path& directory);

// Writes places.csv and roads.csv into `directory` (created if missing). Pairs of arcs that
// are each other's reverse with equal attributes are written as one two-way row.
Status WriteNetworkCsv(const NetworkSpec& spec, const std::filesystem::path& directory);

}  // namespace baiying::loaders
