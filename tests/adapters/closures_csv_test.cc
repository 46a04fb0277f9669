#include "adapters/loaders/closures_csv.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "engine/roads/road_query.h"
#include "tests/support/files.h"

namespace baiying::loaders {
namespace {

using ::baiying::testing::TempDir;
using ::baiying::testing::WriteFile;
using ::baiying::testing::WriteGzipFile;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Instant At(std::chrono::year_month_day date, std::chrono::seconds time_of_day) {
  return Instant(std::chrono::sys_days(date)) + time_of_day;
}

TEST_CASE("ParseIsoInstant and FormatIsoInstant") {
  using namespace std::chrono;
  Result<Instant> t = ParseIsoInstant("2025-01-07T09:05:00Z");
  REQUIRE(t.ok());
  CHECK(*t == At(2025y / January / 7, 9h + 5min));
  CHECK(FormatIsoInstant(*t) == "2025-01-07T09:05:00Z");

  for (std::string_view text :
       {"1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "2000-02-29T12:00:00Z"}) {
    CAPTURE(text);
    Result<Instant> parsed = ParseIsoInstant(text);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    CHECK(FormatIsoInstant(*parsed) == text);
  }
  CHECK(*ParseIsoInstant("1970-01-01T00:00:01Z") == Instant(1000ms));
  CHECK(*ParseIsoInstant("1969-12-31T23:59:59Z") == Instant(-1000ms));

  for (std::string_view bad :
       {"", "2025-01-07", "2025-01-07T09:05Z", "2025-01-07T09:05:00", "2025-01-07 09:05:00Z",
        "2025-01-07T09:05:00z", "2025-01-07T09:05:00.5Z", "2025-01-07T09:05:00+08:00",
        "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z", "2025-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-01-07T24:00:00Z",
        "2025-01-07T23:60:00Z", "2025-01-07T23:59:60Z", "+025-01-07T09:05:00Z",
        "２025-01-07T09:05:00Z"}) {
    CAPTURE(bad);
    Result<Instant> parsed = ParseIsoInstant(bad);
    CHECK_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
  }

  // Milliseconds are dropped; the open ends of a window are written as "".
  CHECK(FormatIsoInstant(*t + 999ms) == "2025-01-07T09:05:00Z");
  CHECK(FormatIsoInstant(Instant(-1ms)) == "1969-12-31T23:59:59Z");
  CHECK(FormatIsoInstant(kBeginningOfTime) == "");
  CHECK(FormatIsoInstant(kEndOfTime) == "");
}

// A small network: Lhasa to Nyingchi is fastest through Dagze (20 s), slower through
// Maizhokunggar (30 s); Bayi-East (a name with a dash) hangs off Nyingchi.
// Returned in its Result rather than moved out: RoadGraph's move constructor is defaulted in
// its header, where RoadGraph::SnapGrid is incomplete.
Result<RoadGraph> TestGraph() {
  std::vector<PlaceSpec> places(5);
  const char* names[] = {"拉萨", "达孜县", "林芝", "墨竹工卡", "Bayi-East"};
  const char* pinyin[] = {"Lhasa", "Dagze", "Nyingchi", "Maizhokunggar", ""};
  for (std::size_t i = 0; i < places.size(); ++i) {
    places[i].name = names[i];
    places[i].pinyin = pinyin[i];
    places[i].lat = 29.6 + 0.01 * static_cast<double>(i);
    places[i].lon = 91.1 + 0.1 * static_cast<double>(i);
  }
  std::vector<ArcSpec> arcs;
  auto road = [&](std::uint32_t a, std::uint32_t b, TravelTime seconds) {
    for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
      ArcSpec arc;
      arc.from = PlaceId(from);
      arc.to = PlaceId(to);
      arc.length_m = 1000;
      arc.fixed_time = seconds * 1000;
      arcs.push_back(arc);
    }
  };
  road(0, 1, 10);
  road(1, 2, 10);
  road(0, 3, 15);
  road(3, 2, 15);
  road(2, 4, 5);
  return RoadGraph::Build(std::move(places), arcs);
}

constexpr TravelTime kSeconds = 1000;

Result<Route> RouteAt(const ClosureSet& closures, std::uint32_t from, std::uint32_t to,
                      Instant at) {
  RoadQuery query(closures.graph());
  return query.ShortestRoute(PlaceId(from), PlaceId(to), QueryContext{&closures, at});
}

ClosureRequest Road(std::string at, std::string origin = "test") {
  ClosureRequest r;
  r.at = std::move(at);
  r.reason = "landslide";
  r.origin = std::move(origin);
  return r;
}

ClosureRequest Place(std::string at) {
  ClosureRequest r = Road(std::move(at));
  r.is_place = true;
  return r;
}

TEST_CASE("ApplyClosures on adjacent places closes the road both ways") {
  const Result<RoadGraph> built = TestGraph();
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  const RoadGraph& graph = *built;
  ClosureSet closures(graph);
  REQUIRE(RouteAt(closures, 0, 2, Instant{})->time == 20 * kSeconds);

  Result<std::size_t> made = ApplyClosures({Road("Lhasa-达孜")}, closures);
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK(*made == 2);
  CHECK(RouteAt(closures, 0, 2, Instant{})->time == 30 * kSeconds);
  CHECK(RouteAt(closures, 2, 0, Instant{})->time == 30 * kSeconds);
  CHECK(RouteAt(closures, 1, 0, Instant{})->time == 40 * kSeconds);  // Dagze-Nyingchi-...
}

TEST_CASE("ApplyClosures on distant places closes the fastest route both ways") {
  const Result<RoadGraph> built = TestGraph();
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  const RoadGraph& graph = *built;
  ClosureSet closures(graph);
  Result<std::size_t> made = ApplyClosures({Road("Lhasa - Nyingchi")}, closures);
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK(*made == 4);  // Lhasa-Dagze and Dagze-Nyingchi, each way
  CHECK(RouteAt(closures, 0, 2, Instant{})->time == 30 * kSeconds);
  CHECK(RouteAt(closures, 2, 0, Instant{})->time == 30 * kSeconds);
  Result<Route> cut_off = RouteAt(closures, 0, 1, Instant{});
  REQUIRE_FALSE(cut_off.ok());
  CHECK(cut_off.status().code() == StatusCode::kNotFound);
}

TEST_CASE("ApplyClosures closes places and splits names that contain '-'") {
  const Result<RoadGraph> built = TestGraph();
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  const RoadGraph& graph = *built;
  ClosureSet closures(graph);
  Result<std::size_t> made =
      ApplyClosures({Place("Dagze"), Road("Nyingchi-Bayi-East"), Road("Bayi-East-林芝")}, closures);
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK(*made == 5);
  CHECK(RouteAt(closures, 0, 2, Instant{})->time == 30 * kSeconds);
  CHECK_FALSE(RouteAt(closures, 0, 4, Instant{}).ok());
}

TEST_CASE("ApplyClosures honours the window") {
  using namespace std::chrono;
  const Result<RoadGraph> built = TestGraph();
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  const RoadGraph& graph = *built;
  ClosureSet closures(graph);
  ClosureRequest r = Road("Lhasa-Dagze");
  r.from = At(2025y / January / 7, 9h);
  r.until = At(2025y / January / 7, 18h);
  REQUIRE(ApplyClosures({r}, closures).ok());
  CHECK(RouteAt(closures, 0, 2, At(2025y / January / 7, 8h))->time == 20 * kSeconds);
  CHECK(RouteAt(closures, 0, 2, At(2025y / January / 7, 10h))->time == 30 * kSeconds);
  CHECK(RouteAt(closures, 0, 2, At(2025y / January / 7, 18h))->time == 20 * kSeconds);
}

TEST_CASE("ApplyClosures applies every request or none") {
  const Result<RoadGraph> built = TestGraph();
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  const RoadGraph& graph = *built;
  struct Case {
    const char* what;
    std::vector<ClosureRequest> requests;
    StatusCode code;
    const char* detail;
  };
  ClosureRequest empty_window = Road("Lhasa-Dagze", "closures.csv line 4");
  empty_window.from = Instant(5000ms);
  empty_window.until = Instant(5000ms);
  const std::vector<Case> cases = {
      {"unknown place",
       {Road("Lhasa-Dagze"), Place("Atlantis")},
       StatusCode::kNotFound,
       "Atlantis"},
      {"unknown road end",
       {Place("Dagze"), Road("Lhasa-Atlantis", "closures.csv line 3")},
       StatusCode::kNotFound,
       "closures.csv line 3"},
      {"no dash", {Road("Lhasa-Dagze"), Road("Lhasa")}, StatusCode::kInvalidArgument, "'A-B'"},
      {"same place",
       {Road("Lhasa-Dagze"), Road("Lhasa-拉萨")},
       StatusCode::kInvalidArgument,
       "same place"},
      {"empty window",
       {Road("Nyingchi-Bayi-East"), empty_window},
       StatusCode::kInvalidArgument,
       "closures.csv line 4"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    ClosureSet closures(graph);
    Result<std::size_t> made = ApplyClosures(c.requests, closures);
    REQUIRE_FALSE(made.ok());
    CAPTURE(made.status().message());
    CHECK(made.status().code() == c.code);
    CHECK(made.status().message().find(c.detail) != std::string::npos);
    CHECK(closures.empty());
    CHECK(closures.Current().empty());
    CHECK(RouteAt(closures, 0, 2, Instant{})->time == 20 * kSeconds);
  }

  // The route between distant ends is taken on the network without closures, so a closure
  // already in force does not make the request fail.
  ClosureSet closures(graph);
  REQUIRE(ApplyClosures({Place("Nyingchi")}, closures).ok());
  Result<std::size_t> later = ApplyClosures({Road("Lhasa-Bayi-East")}, closures);
  CHECK(later.ok());  // routes are found on the network without closures
}

TEST_CASE("ReadClosuresCsv reads a good file and applies it") {
  using namespace std::chrono;
  TempDir dir;
  const fs::path path = dir.path() / "closures.csv";
  WriteFile(path,
            "what,at,reason,from,until\r\n"
            "road,拉萨-达孜,\"landslide, km 4620\",2025-01-07T09:05:00Z,\r\n"
            "\r\n"
            " place , Bayi-East ,checkpoint,,\r\n"
            "road,Nyingchi-墨竹工卡,snow,2025-01-07T00:00:00Z,2025-01-08T00:00:00Z\r\n");
  Result<std::vector<ClosureRequest>> read = ReadClosuresCsv(path);
  REQUIRE_MESSAGE(read.ok(), read.status().ToString());
  REQUIRE(read->size() == 3);
  const ClosureRequest& first = (*read)[0];
  CHECK_FALSE(first.is_place);
  CHECK(first.at == "拉萨-达孜");
  CHECK(first.reason == "landslide, km 4620");
  CHECK(first.from == At(2025y / January / 7, 9h + 5min));
  CHECK(first.until == kEndOfTime);
  CHECK(first.origin == path.string() + " line 2");
  const ClosureRequest& second = (*read)[1];
  CHECK(second.is_place);
  CHECK(second.at == "Bayi-East");
  CHECK(second.from == kBeginningOfTime);
  CHECK(second.until == kEndOfTime);
  CHECK(second.origin == path.string() + " line 4");
  CHECK((*read)[2].until == At(2025y / January / 8, 0s));

  const Result<RoadGraph> built = TestGraph();
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  const RoadGraph& graph = *built;
  ClosureSet closures(graph);
  Result<std::size_t> made = ApplyClosures(*read, closures);
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK(*made == 5);
  const Instant noon = At(2025y / January / 7, 12h);
  CHECK_FALSE(RouteAt(closures, 0, 2, noon).ok());  // both ways out of Lhasa are shut
  CHECK(RouteAt(closures, 0, 2, At(2025y / January / 8, 12h))->time == 30 * kSeconds);
}

TEST_CASE("ReadClosuresCsv names the line and field of every error") {
  struct Case {
    const char* what;
    std::string contents;
    int line;
    const char* field;  // nullptr: not about one field
    const char* detail;
  };
  const std::string header = "what,at,reason,from,until\n";
  const std::string good = "road,Lhasa-Dagze,landslide,,\n";
  const std::vector<Case> cases = {
      {"missing column", "what,at,reason,from\n", 1, nullptr, "missing column 'until'"},
      {"unknown column", "what,at,why,from,until\n", 1, nullptr, "unknown column 'why'"},
      {"empty file", "", -1, nullptr, "empty file"},
      {"bad what", header + good + "bridge,Lhasa-Dagze,x,,\n", 3, "what", "'bridge'"},
      {"road without dash", header + good + "road,Lhasa,x,,\n", 3, "at", "'A-B'"},
      {"empty at", header + good + "place,,x,,\n", 3, "at", "missing"},
      {"bad from", header + good + "road,Lhasa-Dagze,x,2025-13-01T00:00:00Z,\n", 3, "from",
       "no such date"},
      {"local time", header + "road,Lhasa-Dagze,x,,2025-01-07T09:05:00\n", 2, "until",
       "2025-01-07T09:05:00"},
      {"until before from", header + "road,A-B,x,2025-01-07T09:00:00Z,2025-01-07T08:00:00Z\n", 2,
       "until", "not later than"},
      {"field count", header + good + "road,A-B,x,\n", 3, nullptr, "expected 5 fields, found 4"},
      {"stray quote", header + good + "road,A-B,5\" gap,,\n", 3, nullptr, "quote"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    TempDir dir;
    const fs::path path = dir.path() / "closures.csv";
    WriteFile(path, c.contents);
    Result<std::vector<ClosureRequest>> read = ReadClosuresCsv(path);
    REQUIRE_FALSE(read.ok());
    const std::string& message = read.status().message();
    CAPTURE(message);
    CHECK(read.status().code() == StatusCode::kInvalidArgument);
    CHECK(message.find(path.string()) != std::string::npos);
    if (c.line > 0) CHECK(message.find(" line " + std::to_string(c.line)) != std::string::npos);
    if (c.field != nullptr) {
      CHECK(message.find("field '" + std::string(c.field) + "'") != std::string::npos);
    }
    CHECK(message.find(c.detail) != std::string::npos);
  }

  TempDir dir;
  Result<std::vector<ClosureRequest>> missing = ReadClosuresCsv(dir.path() / "none.csv");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace baiying::loaders
