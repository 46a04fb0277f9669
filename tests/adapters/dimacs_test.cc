#include "adapters/loaders/dimacs.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/network_spec.h"
#include "tests/support/files.h"

namespace baiying::loaders {
namespace {

using ::baiying::testing::TempDir;
using ::baiying::testing::WriteFile;
using ::baiying::testing::WriteGzipFile;

namespace fs = std::filesystem;

constexpr const char* kGraph =
    "c a small test graph\n"
    "c\n"
    "p sp 4 5\n"
    "c graph contains 4 nodes and 5 arcs\n"
    "a 1 2 10\n"
    "a 2 1 10\n"
    "a 2 3 7\r\n"
    "a\t3 4  0\n"
    "\n"
    "a 4 1 123456\n";

constexpr const char* kCoords =
    "c coordinates\n"
    "p aux sp co 4\n"
    "v 1 -73530767 41085396\n"
    "v 3 -73519366 41048796\n"
    "v 2 -73530538 41086098\n"
    "v 4 -73519377 41048654\n";

void CheckSmallGraph(const NetworkSpec& spec, bool with_coords) {
  REQUIRE(spec.places.size() == 4);
  REQUIRE(spec.arcs.size() == 5);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(spec.places[i].name == std::to_string(i + 1));
    CHECK(spec.places[i].kind == PlaceKind::kJunction);
  }
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> ends = {
      {0, 1}, {1, 0}, {1, 2}, {2, 3}, {3, 0}};
  const std::vector<TravelTime> times = {100, 100, 70, 0, 1234560};
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(spec.arcs[i].from == PlaceId(ends[i].first));
    CHECK(spec.arcs[i].to == PlaceId(ends[i].second));
    CHECK(spec.arcs[i].fixed_time == times[i]);  // 10 ms per unit by default
    CHECK(spec.arcs[i].road_ref.empty());
    CHECK(spec.arcs[i].road_class == RoadClass::kNational);
    CHECK(spec.arcs[i].length_source == LengthSource::kEstimated);
  }
  if (with_coords) {
    CHECK(spec.places[0].lon == doctest::Approx(-73.530767));
    CHECK(spec.places[0].lat == doctest::Approx(41.085396));
    CHECK(spec.places[2].lon == doctest::Approx(-73.519366));
    CHECK(spec.places[1].lat == doctest::Approx(41.086098));
    // Straight-line lengths: nodes 1 and 2 are about 80 m apart.
    CHECK(spec.arcs[0].length_m == spec.arcs[1].length_m);
    CHECK(spec.arcs[0].length_m > 60);
    CHECK(spec.arcs[0].length_m < 100);
  } else {
    CHECK(spec.places[0].lat == 0);
    CHECK(spec.arcs[0].length_m == 0);
  }
}

TEST_CASE("ReadDimacs reads plain and gzip graphs and coordinates") {
  TempDir dir;
  WriteFile(dir.path() / "small.gr", kGraph);
  WriteGzipFile(dir.path() / "small.gr.gz", kGraph);
  WriteFile(dir.path() / "small.co", kCoords);
  WriteGzipFile(dir.path() / "small.co.gz", kCoords);

  for (const char* graph : {"small.gr", "small.gr.gz"}) {
    CAPTURE(graph);
    Result<NetworkSpec> bare = ReadDimacs(dir.path() / graph, std::nullopt);
    REQUIRE_MESSAGE(bare.ok(), bare.status().ToString());
    CheckSmallGraph(*bare, false);
    for (const char* coords : {"small.co", "small.co.gz"}) {
      CAPTURE(coords);
      Result<NetworkSpec> spec = ReadDimacs(dir.path() / graph, dir.path() / coords);
      REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
      CheckSmallGraph(*spec, true);
      Result<RoadGraph> built = BuildGraph(std::move(spec).value());
      REQUIRE_MESSAGE(built.ok(), built.status().ToString());
      CHECK(built->arc_count() == 5);
      CHECK(built->travel_time(built->FindArc(PlaceId(0), PlaceId(1))) == 100);
      CHECK(built->FindPlace("3").ok());
      CHECK(*built->FindPlace("3") == PlaceId(2));
    }
  }
  // Graphs without coordinates build too: arcs with a fixed time may have length 0.
  Result<NetworkSpec> bare = ReadDimacs(dir.path() / "small.gr", std::nullopt);
  REQUIRE(bare.ok());
  CHECK(BuildGraph(std::move(bare).value()).ok());
}

TEST_CASE("ReadDimacs scales weights by the time unit and checks for overflow") {
  TempDir dir;
  WriteFile(dir.path() / "g.gr", "p sp 2 1\na 1 2 4294967\n");
  DimacsOptions seconds;
  seconds.time_unit = Duration(1000);
  Result<NetworkSpec> spec = ReadDimacs(dir.path() / "g.gr", std::nullopt, seconds);
  REQUIRE(spec.ok());
  CHECK(spec->arcs[0].fixed_time == 4294967000u);

  WriteFile(dir.path() / "big.gr", "p sp 2 1\na 1 2 4294968\n");
  Result<NetworkSpec> overflow = ReadDimacs(dir.path() / "big.gr", std::nullopt, seconds);
  REQUIRE_FALSE(overflow.ok());
  CHECK(overflow.status().message().find("line 2, field 'weight'") != std::string::npos);

  DimacsOptions zero;
  zero.time_unit = Duration(0);
  CHECK_FALSE(ReadDimacs(dir.path() / "g.gr", std::nullopt, zero).ok());
}

struct BadCase {
  const char* what;
  std::string graph;
  std::string coords;  // empty: no coordinates file
  const char* file;
  int line;
  const char* detail;
};

TEST_CASE("ReadDimacs errors name the file and line") {
  const std::vector<BadCase> cases = {
      {"too few arcs", "p sp 3 3\na 1 2 1\na 2 3 1\n", "", "g.gr", 3,
       "after 2 arcs, but the problem line (line 1) announces 3"},
      {"too many arcs", "p sp 3 1\na 1 2 1\na 2 3 1\n", "", "g.gr", 3, "more arcs than the 1"},
      {"tail out of range", "p sp 3 1\na 0 2 1\n", "", "g.gr", 2, "field 'tail'"},
      {"head out of range", "c\np sp 3 1\na 1 4 1\n", "", "g.gr", 3, "field 'head'"},
      {"non-numeric id", "p sp 3 1\na 1 x 1\n", "", "g.gr", 2, "field 'head'"},
      {"negative weight", "p sp 3 1\na 1 2 -5\n", "", "g.gr", 2, "field 'weight'"},
      {"fractional weight", "p sp 3 1\na 1 2 1.5\n", "", "g.gr", 2, "field 'weight'"},
      {"loop", "p sp 3 1\na 2 2 1\n", "", "g.gr", 2, "loop"},
      {"garbage line", "p sp 3 1\nhello world\na 1 2 1\n", "", "g.gr", 2, "unrecognised line"},
      {"short arc line", "p sp 3 1\na 1 2\n", "", "g.gr", 2, "expected 'a <tail> <head>"},
      {"arc before problem line", "a 1 2 3\np sp 3 1\n", "", "g.gr", 1, "before the problem"},
      {"two problem lines", "p sp 3 1\np sp 3 1\n", "", "g.gr", 2, "second problem line"},
      {"wrong problem type", "p max 3 1\n", "", "g.gr", 1, "'p sp <nodes> <arcs>'"},
      {"bad node count", "p sp three 1\n", "", "g.gr", 1, "field 'nodes'"},
      {"no problem line", "c only comments\n", "", "g.gr", -1, "no problem line"},
      {"coords for another graph", "p sp 2 1\na 1 2 1\n", "p aux sp co 3\n", "g.co", 1,
       "field 'nodes'"},
      {"coords missing a node", "p sp 2 1\na 1 2 1\n", "p aux sp co 2\nv 1 10 10\n", "g.co", 2,
       "node 2 has none"},
      {"coords repeated node", "p sp 2 1\na 1 2 1\n", "p aux sp co 2\nv 1 1 1\nv 1 1 1\n", "g.co",
       3, "already has coordinates"},
      {"latitude out of range", "p sp 2 1\na 1 2 1\n", "p aux sp co 2\nv 1 0 0\nv 2 0 91000000\n",
       "g.co", 3, "field 'y'"},
      {"coords garbage", "p sp 2 1\na 1 2 1\n", "p aux sp co 2\nv 1 0 0\nx\n", "g.co", 3,
       "unrecognised line"},
  };
  for (const BadCase& c : cases) {
    CAPTURE(c.what);
    TempDir dir;
    WriteFile(dir.path() / "g.gr", c.graph);
    std::optional<fs::path> coords;
    if (!c.coords.empty()) {
      coords = dir.path() / "g.co";
      WriteFile(*coords, c.coords);
    }
    Result<NetworkSpec> spec = ReadDimacs(dir.path() / "g.gr", coords);
    REQUIRE_FALSE(spec.ok());
    const std::string& message = spec.status().message();
    CAPTURE(message);
    CHECK(spec.status().code() == StatusCode::kInvalidArgument);
    CHECK(message.find((dir.path() / c.file).string()) != std::string::npos);
    if (c.line > 0) {
      CHECK(message.find(" line " + std::to_string(c.line)) != std::string::npos);
    }
    CHECK(message.find(c.detail) != std::string::npos);
  }

  TempDir dir;
  Result<NetworkSpec> missing = ReadDimacs(dir.path() / "absent.gr", std::nullopt);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

TEST_CASE("LoadNetworkSpec picks the reader and finds coordinates beside a graph") {
  TempDir dir;
  WriteGzipFile(dir.path() / "USA-road-t.XX.gr.gz", kGraph);
  WriteFile(dir.path() / "USA-road-d.XX.co", kCoords);
  Result<NetworkSpec> twin = LoadNetworkSpec(dir.path() / "USA-road-t.XX.gr.gz");
  REQUIRE_MESSAGE(twin.ok(), twin.status().ToString());
  CheckSmallGraph(*twin, true);

  // The same stem wins over the "-d" twin.
  WriteFile(dir.path() / "USA-road-t.XX.co.gz",
            "p aux sp co 4\nv 1 1000000 2000000\nv 2 0 0\nv 3 0 0\nv 4 0 0\n");
  Result<NetworkSpec> same = LoadNetworkSpec(dir.path() / "USA-road-t.XX.gr.gz");
  REQUIRE(same.ok());
  CHECK(same->places[0].lon == doctest::Approx(1.0));
  CHECK(same->places[0].lat == doctest::Approx(2.0));

  WriteFile(dir.path() / "plain.gr", kGraph);
  Result<NetworkSpec> plain = LoadNetworkSpec(dir.path() / "plain.gr");
  REQUIRE(plain.ok());
  CheckSmallGraph(*plain, false);

  Result<NetworkSpec> missing = LoadNetworkSpec(dir.path() / "nowhere.gr");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("nowhere.gr") != std::string::npos);

  WriteFile(dir.path() / "graph.txt", kGraph);
  Result<NetworkSpec> unknown = LoadNetworkSpec(dir.path() / "graph.txt");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().code() == StatusCode::kInvalidArgument);
  CHECK(unknown.status().message().find("graph.txt") != std::string::npos);
}

// ../shared/data/dimacs, from BAIYING_SHARED_DIR; empty (with a MESSAGE why) where absent.
std::optional<fs::path> SharedDimacsFile(const char* name) {
  const char* shared = std::getenv("BAIYING_SHARED_DIR");
  if (shared == nullptr || *shared == '\0') {
    MESSAGE(
        "skipped: BAIYING_SHARED_DIR is not set (it names the shared folder holding "
        "data/dimacs/"
        << std::string(name) << ")");
    return std::nullopt;
  }
  fs::path path = fs::path(shared) / "data" / "dimacs" / name;
  if (!fs::exists(path)) {
    MESSAGE("skipped: " << path.string() << " does not exist");
    return std::nullopt;
  }
  return path;
}

TEST_CASE("the DIMACS New York graph loads and builds") {
  const std::optional<fs::path> path = SharedDimacsFile("USA-road-t.NY.gr.gz");
  if (!path) return;
  const auto start = std::chrono::steady_clock::now();
  Result<NetworkSpec> spec = LoadNetworkSpec(*path);  // finds USA-road-d.NY.co.gz beside it
  const auto loaded = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  CHECK(spec->places.size() == 264346);
  CHECK(spec->arcs.size() == 733846);
  CHECK(spec->arcs[0].from == PlaceId(0));
  CHECK(spec->arcs[0].to == PlaceId(1));
  CHECK(spec->arcs[0].fixed_time == 20080u);  // "a 1 2 2008"
  const bool has_coords = fs::exists(path->parent_path() / "USA-road-d.NY.co.gz");
  if (has_coords) {
    CHECK(spec->places[0].lon == doctest::Approx(-73.530767));
    CHECK(spec->places[0].lat == doctest::Approx(41.085396));
  }
  Result<RoadGraph> graph = BuildGraph(std::move(spec).value());
  const auto built = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(graph.ok(), graph.status().ToString());
  CHECK(graph->place_count() == 264346);
  CHECK(graph->arc_count() == 733846);
  using Ms = std::chrono::duration<double, std::milli>;
  MESSAGE("New York: load " << Ms(loaded - start).count() << " ms"
                            << std::string(has_coords ? " with coordinates" : "") << ", build "
                            << Ms(built - loaded).count() << " ms");
}

TEST_CASE("the DIMACS rome99 graph loads and builds") {
  const std::optional<fs::path> path = SharedDimacsFile("rome99.gr");
  if (!path) return;
  Result<NetworkSpec> spec = LoadNetworkSpec(*path);
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  CHECK(spec->places.size() == 3353);
  CHECK(spec->arcs.size() == 8870);
  Result<RoadGraph> graph = BuildGraph(std::move(spec).value());
  REQUIRE_MESSAGE(graph.ok(), graph.status().ToString());
  CHECK(graph->arc_count() == 8870);
}

}  // namespace
}  // namespace baiying::loaders
