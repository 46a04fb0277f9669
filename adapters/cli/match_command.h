#pragma once
// `baiying match`: one urgent request matched against the registry on the road network, in
// process, as the dispatcher would answer it; for duty officers to try and for engineers to
// see the explanations. Nothing is stored.

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "engine/core/time.h"

namespace baiying::cli {

struct MatchFlags {
  std::filesystem::path network;  // default data/xizang
  std::filesystem::path db;       // registry database (default as for `registry`)
  bool db_given = false;
  std::string at;    // the unit's place: a name, or "lat,lon"
  std::string need;  // "medical:2,transport:1"
  std::string priority = "urgent";
  std::string mode = "emergency";
  double deadline_hours = 6;
  std::vector<std::string> close_roads;  // "A-B"
  Instant now{};
  bool json = false;
};

int RunMatch(const MatchFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
