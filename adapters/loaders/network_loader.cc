#include "adapters/loaders/network_loader.h"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/loaders/dimacs.h"
#include "adapters/loaders/network_csv.h"

namespace baiying::loaders {
namespace {

// The stem of a DIMACS graph file name ("USA-road-t.NY" for "USA-road-t.NY.gr.gz"), or
// nothing when the name is not one.
std::optional<std::string> DimacsStem(std::string_view file_name) {
  for (std::string_view suffix : {".gr.gz", ".gr"}) {
    if (file_name.size() > suffix.size() && file_name.ends_with(suffix)) {
      return std::string(file_name.substr(0, file_name.size() - suffix.size()));
    }
  }
  return std::nullopt;
}

// The challenge publishes one coordinates file per region, named after the distance graph
// ("USA-road-d.NY.co") and shared by the travel-time graph ("USA-road-t.NY.gr"), so the
// "-t"/"-d" twin of the stem is tried after the stem itself.
std::vector<std::string> CoordinateStems(const std::string& stem) {
  std::vector<std::string> stems = {stem};
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"-t", "-d"},
                          std::pair<std::string_view, std::string_view>{"-d", "-t"}}) {
    std::size_t at = stem.rfind(from);
    while (at != std::string::npos) {
      const std::size_t after = at + from.size();
      // Only a whole "-t" part counts: followed by '.', '-' or the end of the stem.
      if (after == stem.size() || stem[after] == '.' || stem[after] == '-') {
        std::string twin = stem;
        twin.replace(at, from.size(), to);
        stems.push_back(std::move(twin));
        break;
      }
      if (at == 0) break;
      at = stem.rfind(from, at - 1);
    }
  }
  return stems;
}

std::optional<std::filesystem::path> FindCoordinates(const std::filesystem::path& graph,
                                                     const std::string& stem) {
  const std::filesystem::path directory = graph.parent_path();
  for (const std::string& candidate : CoordinateStems(stem)) {
    for (std::string_view suffix : {".co.gz", ".co"}) {
      std::filesystem::path path = directory / (candidate + std::string(suffix));
      std::error_code ec;
      if (std::filesystem::is_regular_file(path, ec)) return path;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<NetworkSpec> LoadNetworkSpec(const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(st)) {
    return Status::NotFound("network '" + path.string() +
                            "' does not exist (expected a directory with places.csv and "
                            "roads.csv, or a DIMACS graph .gr or .gr.gz)");
  }
  if (std::filesystem::is_directory(st)) return ReadNetworkCsv(path);

  const std::optional<std::string> stem = DimacsStem(path.filename().string());
  if (!stem) {
    return Status::InvalidArgument("network '" + path.string() +
                                   "': unrecognised file type (expected a directory with "
                                   "places.csv and roads.csv, or a DIMACS graph .gr or .gr.gz)");
  }
  return ReadDimacs(path, FindCoordinates(path, *stem));
}

}  // namespace baiying::loaders
