#pragma once
// `baiying route`: the fastest road route between two places, honouring closures.

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/time.h"

namespace baiying::cli {

// Exit codes of the baiying program, documented in README.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 2,        // a bad flag, an unknown or ambiguous place, a malformed closure
  kExitUnreachable = 3,  // the destination cannot be reached (cut off by closures)
  kExitDataError = 4,    // the network or a closures file could not be loaded
};

std::filesystem::path DefaultNetworkPath();  // <source>/data/xizang, or $BAIYING_DATA/xizang

struct RouteOptions {
  std::filesystem::path network = DefaultNetworkPath();
  std::string from;
  std::string to;
  std::vector<std::string> close_roads;   // "A-B": the road between two places
  std::vector<std::string> close_places;  // a place closed to all traffic
  std::optional<std::filesystem::path> closures_file;
  Instant at{};  // the moment whose closures apply
  bool json = false;
};

// Loads the network, applies the closures, prints the route to `out` (text or JSON) and
// problems to `err`. Returns an ExitCode.
int RunRoute(const RouteOptions& options, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
