#pragma once
// `baiying drill FILE`: a scenario run on a simulated clock, its expectations judged, and its
// report written (text on the terminal, JSON and HTML in the report folder). In process, or
// with --server against a running `baiying serve` in drill mode: the same timeline on a
// dispatcher of the server's own for this drill, never the live one.

#include <filesystem>
#include <iosfwd>
#include <string>

namespace baiying::cli {

// Exit code of `baiying drill` when the drill ran and some expectation failed (or a step of
// its timeline was refused). 0: every expectation passed; 2: a bad flag or scenario file;
// 4: the network or registry could not be loaded, or the server could not be reached or
// refused the drill (a credential refused, too many drills).
inline constexpr int kExitDrillFailed = 1;

struct DrillFlags {
  std::filesystem::path scenario;
  std::filesystem::path report_dir = "drill-reports";  // <dir>/<scenario stem>.json and .html
  bool json = false;  // print the JSON report instead of the summary
  // Against a running server (adapters/drill/network_sink.h): HOST:PORT, empty for in process;
  // the credential (main.cc falls back to $BAIYING_TOKEN); the drill's id there.
  std::string server;
  std::string token;
  std::string drill_id;
};

int RunDrill(const DrillFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
