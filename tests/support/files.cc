#include "tests/support/files.h"

#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace baiying::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "baiying-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::Write(const std::string& name, std::string_view contents) const {
  const std::filesystem::path full = path_ / name;
  WriteFile(full, contents);
  return full;
}

void WriteFile(const std::filesystem::path& path, std::string_view contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
  if (!out.good()) throw std::runtime_error("cannot write " + path.string());
}

void WriteGzipFile(const std::filesystem::path& path, std::string_view contents) {
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot open " + path.string());
  const int written = gzwrite(file, contents.data(), static_cast<unsigned>(contents.size()));
  const int closed = gzclose(file);
  if (written != static_cast<int>(contents.size()) || closed != Z_OK) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

std::filesystem::path SharedDir() {
  const char* shared = std::getenv("BAIYING_SHARED_DIR");
  if (shared == nullptr || *shared == '\0') return {};
  const std::filesystem::path dir(shared);
  return std::filesystem::is_directory(dir) ? dir : std::filesystem::path();
}

}  // namespace baiying::testing
