#include "adapters/loaders/network_csv.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
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

PlaceSpec Place(std::string name, std::string pinyin, PlaceKind kind, double lat, double lon,
                std::int32_t elevation, std::uint32_t adcode = 0,
                std::vector<std::string> aliases = {}) {
  PlaceSpec p;
  p.name = std::move(name);
  p.pinyin = std::move(pinyin);
  p.kind = kind;
  p.lat = lat;
  p.lon = lon;
  p.elevation_m = elevation;
  p.adcode = adcode;
  p.aliases = std::move(aliases);
  return p;
}

ArcSpec Arc(std::uint32_t from, std::uint32_t to, std::uint32_t length, std::string ref,
            RoadClass road_class = RoadClass::kNational, Surface surface = Surface::kPaved,
            std::int32_t max_elevation = 0, LengthSource source = LengthSource::kMeasured) {
  ArcSpec a;
  a.from = PlaceId(from);
  a.to = PlaceId(to);
  a.length_m = length;
  a.road_ref = std::move(ref);
  a.road_class = road_class;
  a.surface = surface;
  a.max_elevation_m = max_elevation;
  a.length_source = source;
  return a;
}

ArcSpec Reverse(ArcSpec a) {
  std::swap(a.from, a.to);
  return a;
}

NetworkSpec SampleSpec() {
  NetworkSpec spec;
  spec.places = {
      Place("拉萨", "Lhasa", PlaceKind::kPrefectureSeat, 29.652491, 91.172112, 3650, 540102,
            {"拉萨市", "城关区"}),
      Place("日喀则", "Shigatse", PlaceKind::kPrefectureSeat, 29.267519, 88.880583, 3840, 540202),
      Place("Camp \"North\", km 12", "", PlaceKind::kPost, 30.1, 90.000001, 4500, 0,
            {"a,b", "quote\"d"}),
      Place("米拉山口", "Mila Pass", PlaceKind::kPass, 29.833, 92.35, 5013),
      Place("", "", PlaceKind::kJunction, -0.1, -179.999, -12),
  };
  spec.arcs = {
      Arc(0, 1, 263000, "G318"),
      Reverse(Arc(0, 1, 263000, "G318")),
      Arc(0, 3, 120000, "G318", RoadClass::kNational, Surface::kPaved, 5013),
      Reverse(Arc(0, 3, 120000, "G318", RoadClass::kNational, Surface::kPaved, 5013)),
      // A one-way track, then a pair whose attributes differ by direction.
      Arc(1, 2, 40000, "", RoadClass::kTrack, Surface::kGravel, 4700, LengthSource::kEstimated),
      Arc(2, 4, 1000, "X,1", RoadClass::kCounty),
      Arc(4, 2, 1001, "X,1", RoadClass::kCounty),
      // A reverse pair that is not adjacent in the array stays two one-way rows.
      Arc(3, 4, 5000, "S5", RoadClass::kProvincial),
      Arc(1, 4, 7000, "", RoadClass::kExpressway),
      Reverse(Arc(3, 4, 5000, "S5", RoadClass::kProvincial)),
  };
  return spec;
}

void CheckSameSpec(const NetworkSpec& a, const NetworkSpec& b) {
  REQUIRE(a.places.size() == b.places.size());
  for (std::size_t i = 0; i < a.places.size(); ++i) {
    CAPTURE(i);
    const PlaceSpec& x = a.places[i];
    const PlaceSpec& y = b.places[i];
    CHECK(x.name == y.name);
    CHECK(x.pinyin == y.pinyin);
    CHECK(x.kind == y.kind);
    CHECK(x.lat == y.lat);  // exact: the writer uses the shortest round-trip form
    CHECK(x.lon == y.lon);
    CHECK(x.elevation_m == y.elevation_m);
    CHECK(x.adcode == y.adcode);
    CHECK(x.aliases == y.aliases);
  }
  REQUIRE(a.arcs.size() == b.arcs.size());
  for (std::size_t i = 0; i < a.arcs.size(); ++i) {
    CAPTURE(i);
    const ArcSpec& x = a.arcs[i];
    const ArcSpec& y = b.arcs[i];
    CHECK(x.from == y.from);
    CHECK(x.to == y.to);
    CHECK(x.length_m == y.length_m);
    CHECK(x.road_ref == y.road_ref);
    CHECK(x.road_class == y.road_class);
    CHECK(x.surface == y.surface);
    CHECK(x.max_elevation_m == y.max_elevation_m);
    CHECK(x.length_source == y.length_source);
    CHECK(x.fixed_time == y.fixed_time);
  }
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_CASE("WriteNetworkCsv then ReadNetworkCsv gives the same spec") {
  TempDir dir;
  const NetworkSpec spec = SampleSpec();
  const fs::path network = dir.path() / "nested" / "net";  // created by the writer
  REQUIRE(WriteNetworkCsv(spec, network).ok());

  Result<NetworkSpec> read = ReadNetworkCsv(network);
  REQUIRE_MESSAGE(read.ok(), read.status().ToString());
  CheckSameSpec(spec, *read);

  // Each adjacent two-way pair became one row: the header plus 8 rows for 10 arcs.
  const std::string roads = ReadText(network / "roads.csv");
  CHECK(std::count(roads.begin(), roads.end(), '\n') == 9);
  CHECK(roads.find("0,1,263000,G318,national,paved,0,measured,0\n") != std::string::npos);
  CHECK(roads.find("\"X,1\"") != std::string::npos);
  const std::string places = ReadText(network / "places.csv");
  CHECK(places.starts_with("id,name,pinyin,kind,lat,lon,elevation_m,adcode,aliases\n"));
  CHECK(places.find("拉萨市|城关区") != std::string::npos);
  CHECK(places.find("\"Camp \"\"North\"\", km 12\"") != std::string::npos);

  // Writing what was read gives the same bytes, and the spec builds.
  TempDir again;
  REQUIRE(WriteNetworkCsv(*read, again.path()).ok());
  CHECK(ReadText(again.path() / "roads.csv") == roads);
  CHECK(ReadText(again.path() / "places.csv") == places);
  Result<RoadGraph> graph = BuildGraph(std::move(read).value());
  REQUIRE_MESSAGE(graph.ok(), graph.status().ToString());
  CHECK(graph->place_count() == 5);
  CHECK(graph->arc_count() == 10);

  // The network loader sends a directory to this reader.
  Result<NetworkSpec> loaded = LoadNetworkSpec(network);
  REQUIRE(loaded.ok());
  CheckSameSpec(spec, *loaded);
}

TEST_CASE("ReadNetworkCsv accepts hand-edited files") {
  TempDir dir;
  // Byte order mark, CRLF, blank lines, spaces around fields, columns in another order,
  // an empty adcode.
  WriteFile(dir.path() / "places.csv",
            "\xEF\xBB\xBFid,name,pinyin,kind,lon,lat,elevation_m,adcode,aliases\r\n"
            "0, 拉萨 ,Lhasa,prefecture_seat,91.17,29.65,3650,540102, 拉萨市 | 城关区 \r\n"
            "\r\n"
            "1,Dagze,,county_seat,91.35,29.67,3700,,\r\n");
  WriteFile(dir.path() / "roads.csv",
            "oneway,from,to,length_m,ref,class,surface,max_elevation_m,length_source\n"
            "0, 0 , 1 ,21000,G318,national,paved,3700,measured\n"
            "\n"
            "1,1,0,22000,,county,gravel,3800,estimated\n");
  Result<NetworkSpec> read = ReadNetworkCsv(dir.path());
  REQUIRE_MESSAGE(read.ok(), read.status().ToString());
  REQUIRE(read->places.size() == 2);
  CHECK(read->places[0].name == "拉萨");
  CHECK(read->places[0].lon == 91.17);
  CHECK(read->places[0].lat == 29.65);
  CHECK(read->places[0].aliases == std::vector<std::string>{"拉萨市", "城关区"});
  CHECK(read->places[1].adcode == 0);
  CHECK(read->places[1].aliases.empty());
  REQUIRE(read->arcs.size() == 3);
  CHECK(read->arcs[0].from == PlaceId(0));
  CHECK(read->arcs[1].from == PlaceId(1));
  CHECK(read->arcs[2].road_class == RoadClass::kCounty);
  CHECK(read->arcs[2].surface == Surface::kGravel);
  CHECK(read->arcs[2].length_source == LengthSource::kEstimated);
}

constexpr const char* kPlacesHeader = "id,name,pinyin,kind,lat,lon,elevation_m,adcode,aliases\n";
constexpr const char* kRoadsHeader =
    "from,to,length_m,ref,class,surface,max_elevation_m,length_source,oneway\n";
constexpr const char* kGoodPlaces =
    "0,拉萨,Lhasa,prefecture_seat,29.65,91.17,3650,540102,\n"
    "1,Dagze,,county_seat,29.67,91.35,3700,540122,\n"
    "2,Nyingchi,,prefecture_seat,29.65,94.36,2990,540402,\n";
constexpr const char* kGoodRoads = "0,1,21000,G318,national,paved,3700,measured,0\n";

struct BadCase {
  const char* what;
  std::string places;
  std::string roads;
  const char* file;
  int line;
  const char* field;  // nullptr: the error is about the line, not one field
  const char* detail;
};

TEST_CASE("ReadNetworkCsv names the file, line and field of every error") {
  const std::string places_ok = std::string(kPlacesHeader) + kGoodPlaces;
  const std::string roads_ok = std::string(kRoadsHeader) + kGoodRoads;
  auto places_with = [&](const std::string& row) { return places_ok + row; };
  auto roads_with = [&](const std::string& row) { return roads_ok + row; };

  const std::vector<BadCase> cases = {
      {"missing column", "id,name,pinyin,kind,lat,elevation_m,adcode,aliases\n", roads_ok,
       "places.csv", 1, nullptr, "missing column 'lon'"},
      {"unknown column", places_ok,
       "from,to,length,ref,class,surface,max_elevation_m,"
       "length_source,oneway\n",
       "roads.csv", 1, nullptr, "unknown column 'length'"},
      {"repeated column", "id,id,name,pinyin,kind,lat,lon,elevation_m,adcode,aliases\n", roads_ok,
       "places.csv", 1, nullptr, "appears twice"},
      {"empty file", "", roads_ok, "places.csv", -1, nullptr, "empty file"},
      {"bad kind", places_with("3,Bomi,,cty,29.86,95.77,2750,0,\n"), roads_ok, "places.csv", 5,
       "kind", "unknown place kind 'cty'"},
      {"ids out of order", places_with("4,Bomi,,town,29.86,95.77,2750,0,\n"), roads_ok,
       "places.csv", 5, "id", "expected 3, found 4"},
      {"non-numeric id", places_with("x,Bomi,,town,29.86,95.77,2750,0,\n"), roads_ok, "places.csv",
       5, "id", "'x'"},
      {"latitude out of range", places_with("3,Bomi,,town,91,95.77,2750,0,\n"), roads_ok,
       "places.csv", 5, "lat", "outside [-90, 90]"},
      {"longitude out of range", places_with("3,Bomi,,town,29.86,-181,2750,0,\n"), roads_ok,
       "places.csv", 5, "lon", "outside [-180, 180]"},
      {"latitude not a number", places_with("3,Bomi,,town,29°52',95.77,2750,0,\n"), roads_ok,
       "places.csv", 5, "lat", "expected a number"},
      {"missing latitude", places_with("3,Bomi,,town,,95.77,2750,0,\n"), roads_ok, "places.csv", 5,
       "lat", "missing"},
      {"elevation with unit", places_with("3,Bomi,,town,29.86,95.77,2750m,0,\n"), roads_ok,
       "places.csv", 5, "elevation_m", "'2750m'"},
      {"negative adcode", places_with("3,Bomi,,town,29.86,95.77,2750,-1,\n"), roads_ok,
       "places.csv", 5, "adcode", "out of range"},
      {"duplicate name", places_with("3,Dagze,,town,29.86,95.77,2750,0,\n"), roads_ok, "places.csv",
       5, "name", "duplicate name 'Dagze' (first on line 3)"},
      {"empty alias", places_with("3,Bomi,,town,29.86,95.77,2750,0,a||b\n"), roads_ok, "places.csv",
       5, "aliases", "empty alias"},
      {"too few fields", places_with("3,Bomi,,town,29.86,95.77,2750,0\n"), roads_ok, "places.csv",
       5, nullptr, "expected 9 fields, found 8"},
      {"unterminated quote", places_with("3,\"Bomi,,town,29.86,95.77,2750,0,\n"), roads_ok,
       "places.csv", 5, nullptr, "unterminated quote"},
      {"bad class", places_ok, roads_with("1,2,1000,G318,higway,paved,0,measured,0\n"), "roads.csv",
       3, "class", "unknown road class 'higway'"},
      {"bad surface", places_ok, roads_with("1,2,1000,G318,national,mud,0,measured,0\n"),
       "roads.csv", 3, "surface", "unknown surface 'mud'"},
      {"bad length source", places_ok, roads_with("1,2,1000,G318,national,paved,0,guessed,0\n"),
       "roads.csv", 3, "length_source", "'guessed'"},
      {"unknown from id", places_ok, roads_with("7,2,1000,G318,national,paved,0,measured,0\n"),
       "roads.csv", 3, "from", "unknown place id 7"},
      {"negative to id", places_ok, roads_with("1,-1,1000,G318,national,paved,0,measured,0\n"),
       "roads.csv", 3, "to", "unknown place id -1"},
      {"loop", places_ok, roads_with("2,2,1000,G318,national,paved,0,measured,0\n"), "roads.csv", 3,
       "to", "same place"},
      {"non-numeric length", places_ok, roads_with("1,2,12km,G318,national,paved,0,measured,0\n"),
       "roads.csv", 3, "length_m", "'12km'"},
      {"zero length", places_ok, roads_with("1,2,0,G318,national,paved,0,measured,0\n"),
       "roads.csv", 3, "length_m", "out of range"},
      {"fractional length", places_ok, roads_with("1,2,10.5,G318,national,paved,0,measured,0\n"),
       "roads.csv", 3, "length_m", "whole number"},
      {"length too large", places_ok,
       roads_with("1,2,4294967296,G318,national,paved,0,measured,0\n"), "roads.csv", 3, "length_m",
       "out of range"},
      {"bad oneway", places_ok, roads_with("1,2,1000,G318,national,paved,0,measured,2\n"),
       "roads.csv", 3, "oneway", "expected 0 or 1"},
      {"bad max elevation", places_ok, roads_with("1,2,1000,G318,national,paved,high,measured,0\n"),
       "roads.csv", 3, "max_elevation_m", "'high'"},
  };

  for (const BadCase& c : cases) {
    CAPTURE(c.what);
    TempDir dir;
    WriteFile(dir.path() / "places.csv", c.places);
    WriteFile(dir.path() / "roads.csv", c.roads);
    Result<NetworkSpec> read = ReadNetworkCsv(dir.path());
    REQUIRE_FALSE(read.ok());
    const std::string& message = read.status().message();
    CAPTURE(message);
    CHECK(read.status().code() == StatusCode::kInvalidArgument);
    CHECK(message.find((dir.path() / c.file).string()) != std::string::npos);
    if (c.line > 0) {
      CHECK(message.find(" line " + std::to_string(c.line)) != std::string::npos);
    }
    if (c.field != nullptr) {
      CHECK(message.find("field '" + std::string(c.field) + "'") != std::string::npos);
    }
    CHECK(message.find(c.detail) != std::string::npos);
  }
}

TEST_CASE("ReadNetworkCsv reports missing directories and files") {
  TempDir dir;
  Result<NetworkSpec> no_dir = ReadNetworkCsv(dir.path() / "absent");
  REQUIRE_FALSE(no_dir.ok());
  CHECK(no_dir.status().code() == StatusCode::kNotFound);
  CHECK(no_dir.status().message().find("absent") != std::string::npos);

  WriteFile(dir.path() / "places.csv", std::string(kPlacesHeader) + kGoodPlaces);
  Result<NetworkSpec> no_roads = ReadNetworkCsv(dir.path());
  REQUIRE_FALSE(no_roads.ok());
  CHECK(no_roads.status().code() == StatusCode::kNotFound);
  CHECK(no_roads.status().message().find("roads.csv") != std::string::npos);
}

TEST_CASE("WriteNetworkCsv refuses what would not read back the same") {
  TempDir dir;
  auto refused = [&](const NetworkSpec& spec, std::string_view detail) {
    const Status status = WriteNetworkCsv(spec, dir.path() / "out");
    CHECK_FALSE(status.ok());
    CHECK(status.message().find(detail) != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path() / "out" / "places.csv"));
  };
  NetworkSpec fixed = SampleSpec();
  fixed.arcs[4].fixed_time = 1000;
  refused(fixed, "fixed travel time");

  NetworkSpec bar = SampleSpec();
  bar.places[0].aliases.push_back("a|b");
  refused(bar, "'|'");

  NetworkSpec spaced = SampleSpec();
  spaced.places[1].name = " Shigatse";
  refused(spaced, "whitespace");

  NetworkSpec newline = SampleSpec();
  newline.arcs[0].road_ref = "G3\n18";
  refused(newline, "line break");

  NetworkSpec loop = SampleSpec();
  loop.arcs[0].to = loop.arcs[0].from;
  refused(loop, "arc 0");
}

}  // namespace
}  // namespace baiying::loaders
