#pragma once
// The drill scenarios of scenarios/ (every *.textproto), sorted by name, for the tests that
// play them all.

#include <algorithm>
#include <filesystem>
#include <vector>

namespace baiying::testing {

inline std::vector<std::filesystem::path> ScenarioFiles(const std::filesystem::path& source) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(source / "scenarios"))
    if (entry.path().extension() == ".textproto") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace baiying::testing
