#pragma once
// `baiying data build-xizang`: rebuilds data/xizang from the raw sources beside the project.

#include <cstdint>
#include <filesystem>
#include <iosfwd>

namespace baiying::cli {

struct BuildXizangFlags {
  std::filesystem::path shared_dir =
      std::filesystem::path(BAIYING_DEFAULT_DATA_DIR) / ".." / ".." / "shared" / "data" / "xizang";
  std::filesystem::path facts_dir =
      std::filesystem::path(BAIYING_DEFAULT_DATA_DIR) / "xizang" / "facts";
  std::filesystem::path out_dir = std::filesystem::path(BAIYING_DEFAULT_DATA_DIR) / "xizang";
};

// Returns an ExitCode (route_command.h): kExitDataError when a source is missing or bad.
int RunBuildXizang(const BuildXizangFlags& flags, std::ostream& out, std::ostream& err);

// `baiying data build-seed-registry`: regenerates the fictional seed registry of data/xizang.
struct BuildSeedFlags {
  std::filesystem::path network_dir = std::filesystem::path(BAIYING_DEFAULT_DATA_DIR) / "xizang";
  std::filesystem::path out_dir =
      std::filesystem::path(BAIYING_DEFAULT_DATA_DIR) / "xizang" / "registry";
  std::uint32_t seed = 2026;
};

int RunBuildSeedRegistry(const BuildSeedFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
