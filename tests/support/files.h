#pragma once
// Files for tests: a temporary directory that cleans up after itself, and writers for plain
// and gzip-compressed files. Failures throw std::runtime_error, which doctest reports.

#include <filesystem>
#include <string>
#include <string_view>

namespace baiying::testing {

// A fresh, empty directory under the system's temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::filesystem::path Write(const std::string& name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

void WriteFile(const std::filesystem::path& path, std::string_view contents);
void WriteGzipFile(const std::filesystem::path& path, std::string_view contents);

// The folder ../shared beside the project (BAIYING_SHARED_DIR), or empty when it is absent.
std::filesystem::path SharedDir();

}  // namespace baiying::testing
