#pragma once
// `baiying drill FILE`: a scenario run in process on a simulated clock, its expectations
// judged, and its report written (text on the terminal, JSON and HTML in the report folder).

#include <filesystem>
#include <iosfwd>

namespace baiying::cli {

// Exit code of `baiying drill` when the drill ran and some expectation failed (or a step of
// its timeline was refused). 0: every expectation passed; 2: a bad flag or scenario file;
// 4: the network or registry could not be loaded.
inline constexpr int kExitDrillFailed = 1;

struct DrillFlags {
  std::filesystem::path scenario;
  std::filesystem::path report_dir = "drill-reports";  // <dir>/<scenario stem>.json and .html
  bool json = false;  // print the JSON report instead of the summary
};

int RunDrill(const DrillFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
