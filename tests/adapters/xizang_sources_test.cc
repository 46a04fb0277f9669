#include "adapters/loaders/xizang_sources.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include "engine/roads/road_graph.h"
#include "tests/support/files.h"

namespace baiying::loaders {
namespace {

using ::baiying::testing::TempDir;
using ::baiying::testing::WriteFile;
using ::baiying::testing::WriteGzipFile;

namespace fs = std::filesystem;

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The raw files, when ../shared is where the build says (BAIYING_SHARED_DIR); empty otherwise.
fs::path SharedXizang() {
  const char* shared = std::getenv("BAIYING_SHARED_DIR");
  if (shared == nullptr) return {};
  const fs::path dir = fs::path(shared) / "data" / "xizang";
  return fs::is_directory(dir) ? dir : fs::path();
}

constexpr std::string_view kStationsHeader =
    "SID,SNameCH,SNameEN,Lon,Lat,Ele,FromYear,ToYear,Lose\n";

TEST_CASE("plateau_stations.csv: latitude first, degrees.minutes") {
  TempDir dir;
  const fs::path file =
      dir.Write("stations.csv", std::string(kStationsHeader) +
                                    "55591,拉萨,Lasa,29.4,91.08,3648.7,1955,2010,\n"
                                    "56137,昌都,Changdou,31.09,97.1,3306,1954,2010,\n");
  Result<StationList> list = ReadPlateauStationsCsv(file);
  REQUIRE(list.ok());
  REQUIRE(list->stations.size() == 2);
  const WeatherStation& lhasa = list->stations[0];
  CHECK(lhasa.id == 55591);
  CHECK(lhasa.name == "拉萨");
  // 29°40' N 91°08' E, 3,648.7 m: "29.4" is forty minutes, not four.
  CHECK(lhasa.position.lat == doctest::Approx(29.0 + 40.0 / 60.0));
  CHECK(lhasa.position.lon == doctest::Approx(91.0 + 8.0 / 60.0));
  CHECK(lhasa.elevation_m == doctest::Approx(3648.7));
  CHECK(list->stations[1].position.lat == doctest::Approx(31.0 + 9.0 / 60.0));
  CHECK(list->stations[1].position.lon == doctest::Approx(97.0 + 10.0 / 60.0));
  CHECK(list->notes.empty());
}

TEST_CASE("plateau_stations.csv: a longitude with an extra leading digit is repaired") {
  TempDir dir;
  const fs::path file =
      dir.Write("stations.csv", std::string(kStationsHeader) +
                                    "56317,米芝,Mizhi,29.13,194.13,2950,2005,2010,\n"
                                    "99999,远方,Faraway,29.13,250.5,2950,2005,2010,\n");
  Result<StationList> list = ReadPlateauStationsCsv(file);
  REQUIRE(list.ok());
  REQUIRE(list->stations.size() == 1);  // the second cannot be repaired and is skipped
  CHECK(list->stations[0].position.lon == doctest::Approx(94.0 + 13.0 / 60.0));
  REQUIRE(list->notes.size() == 2);
  CHECK(Contains(list->notes[0], "56317"));
  CHECK(Contains(list->notes[0], "repaired"));
  CHECK(Contains(list->notes[1], "99999"));
  CHECK(Contains(list->notes[1], "skipped"));
}

TEST_CASE("plateau_stations.csv: malformed values name file, line and field") {
  TempDir dir;
  SUBCASE("a longitude that is not degrees.minutes") {
    const fs::path file =
        dir.Write("bad.csv", std::string(kStationsHeader) +
                                 "55591,拉萨,Lasa,29.4,91.08,3648.7,1955,2010,\n"
                                 "55598,泽当,Zedang,29.15,91.x6,3551.7,1957,2010,\n");
    Result<StationList> list = ReadPlateauStationsCsv(file);
    REQUIRE_FALSE(list.ok());
    CHECK(list.status().code() == StatusCode::kInvalidArgument);
    const std::string& m = list.status().message();
    CHECK(Contains(m, "bad.csv"));
    CHECK(Contains(m, "line 3"));
    CHECK(Contains(m, "field 'Lat'"));
  }
  SUBCASE("sixty minutes or more") {
    const fs::path file =
        dir.Write("bad.csv",
                  std::string(kStationsHeader) + "55591,拉萨,Lasa,29.75,91.08,3648.7,1955,2010,\n");
    Result<StationList> list = ReadPlateauStationsCsv(file);
    REQUIRE_FALSE(list.ok());
    CHECK(Contains(list.status().message(), "line 2, field 'Lon'"));
  }
  SUBCASE("a missing column") {
    const fs::path file = dir.Write("bad.csv", "SID,SNameCH,Lon,Lat\n55591,拉萨,29.4,91.08\n");
    Result<StationList> list = ReadPlateauStationsCsv(file);
    REQUIRE_FALSE(list.ok());
    CHECK(Contains(list.status().message(), "missing column 'Ele'"));
  }
}

TEST_CASE("plateau_stations_1998.txt: packed degrees and flagged elevations") {
  TempDir dir;
  const fs::path file = dir.Write(
      "stations_1998.txt",
      "青藏高原地区地面建站至1998年4次观测资料数据集情况表\r\n\r\n"
      "区站号  站名    纬度 经度 观测场高度 建站年月\r\n"
      "55591   拉  萨     2940 09108    36487       195501------------199812    基本站\r\n"
      "52645   野牛沟     3825 09935    83200       195902------------199812    基本站\r\n"
      "56317   米  芝     2913 19413    79500       199101------------199812    一般站\r\n"
      "   5．观测场高度值?50000时，该高度值为约测值。\r\n");
  Result<StationList> list = ReadPlateauStations1998(file);
  REQUIRE(list.ok());
  REQUIRE(list->stations.size() == 3);
  const WeatherStation& lhasa = list->stations[0];
  CHECK(lhasa.name == "拉萨");  // the padding inside the name is gone
  CHECK(lhasa.position.lat == doctest::Approx(29.0 + 40.0 / 60.0));
  CHECK(lhasa.position.lon == doctest::Approx(91.0 + 8.0 / 60.0));
  CHECK(lhasa.elevation_m == doctest::Approx(3648.7));
  CHECK_FALSE(lhasa.elevation_approximate);
  // Note 5 of the table: 83200 is an approximate 3,320.0 m.
  CHECK(list->stations[1].elevation_m == doctest::Approx(3320.0));
  CHECK(list->stations[1].elevation_approximate);
  CHECK(list->stations[2].position.lon == doctest::Approx(94.0 + 13.0 / 60.0));
  CHECK(list->notes.size() == 1);
}

TEST_CASE("plateau_stations_1998.txt: a malformed elevation names line and field") {
  TempDir dir;
  const fs::path file = dir.Write(
      "stations_1998.txt",
      "header\r\n55591   拉  萨     2940 09108    3648x       195501------------199812\r\n");
  Result<StationList> list = ReadPlateauStations1998(file);
  REQUIRE_FALSE(list.ok());
  const std::string& m = list.status().message();
  CHECK(Contains(m, "stations_1998.txt line 2"));
  CHECK(Contains(m, "field 'elevation'"));
}

TEST_CASE("divisions.csv") {
  TempDir dir;
  const std::string header =
      "adcode,name,level,parent_adcode,center_lon_gcj02,center_lat_gcj02,centroid_lon,"
      "centroid_lat\n";
  SUBCASE("good rows, one without a centroid") {
    const fs::path file = dir.Write(
        "divisions.csv", header +
                             "540000,西藏自治区,province,,91.132212,29.660361,88.38,31.56\n"
                             "540624,安多县,district,540600,91.681879,32.260299,,\n");
    Result<std::vector<Division>> d = ReadDivisions(file);
    REQUIRE(d.ok());
    REQUIRE(d->size() == 2);
    CHECK((*d)[0].parent_adcode == 0);
    CHECK((*d)[1].adcode == 540624);
    CHECK((*d)[1].name == "安多县");
    CHECK((*d)[1].level == "district");
    CHECK((*d)[1].seat_gcj02.lat == doctest::Approx(32.260299));
  }
  SUBCASE("a bad code") {
    const fs::path file =
        dir.Write("divisions.csv", header + "54062x,安多县,district,540600,91.68,32.26,,\n");
    Result<std::vector<Division>> d = ReadDivisions(file);
    REQUIRE_FALSE(d.ok());
    CHECK(Contains(d.status().message(), "divisions.csv line 2, field 'adcode'"));
  }
}

TEST_CASE("GCJ-02: the inverse undoes the forward shift, which is a few hundred metres") {
  const LatLon lhasa_gcj{29.660361, 91.132212};
  const LatLon wgs = Gcj02ToWgs84(lhasa_gcj);
  const LatLon back = Wgs84ToGcj02(wgs);
  CHECK(back.lat == doctest::Approx(lhasa_gcj.lat).epsilon(1e-10));
  CHECK(back.lon == doctest::Approx(lhasa_gcj.lon).epsilon(1e-10));
  const double shift = HaversineMeters(wgs.lat, wgs.lon, lhasa_gcj.lat, lhasa_gcj.lon);
  CHECK(shift > 200);
  CHECK(shift < 600);
}

TEST_CASE("highway JSON: [lon, lat] points and segments") {
  TempDir dir;
  SUBCASE("both shapes") {
    const fs::path file =
        dir.Write("G999.json", R"({"key":"G999","cumKm":[0,1],"points":[[91.0,29.5],[91.1,29.6]],)"
                               R"("segments":[[[80.0,32.5],[80.1,32.4],[80.2,32.3]]]})");
    Result<HighwayGeometry> g = ReadHighwayJson(file);
    REQUIRE(g.ok());
    CHECK(g->ref == "G999");
    REQUIRE(g->pieces.size() == 2);
    CHECK(g->pieces[0][0].lat == doctest::Approx(29.5));
    CHECK(g->pieces[0][0].lon == doctest::Approx(91.0));
    CHECK(g->pieces[1].size() == 3);
  }
  SUBCASE("a malformed point") {
    const fs::path file = dir.Write("G999.json", R"({"key":"G999","points":[[91.0,29.5],[91.1]]})");
    Result<HighwayGeometry> g = ReadHighwayJson(file);
    REQUIRE_FALSE(g.ok());
    CHECK(Contains(g.status().message(), "G999.json, field 'points[1]'"));
  }
  SUBCASE("not JSON") {
    const fs::path file = dir.Write("G999.json", "{\"key\": ");
    Result<HighwayGeometry> g = ReadHighwayJson(file);
    REQUIRE_FALSE(g.ok());
    CHECK(Contains(g.status().message(), "not valid JSON"));
  }
}

TEST_CASE("curated CSV tables: comments, required and unknown columns") {
  TempDir dir;
  static constexpr std::string_view kRequired[] = {"name", "source"};
  static constexpr std::string_view kOptional[] = {"elevation_m"};
  SUBCASE("good") {
    const fs::path file = dir.Write(
        "facts.csv", "# why these rows\nname,elevation_m,source\n米拉山口,5013,Wikipedia\n\n");
    Result<CsvTable> t = ReadCsvTable(file, kRequired, kOptional);
    REQUIRE(t.ok());
    REQUIRE(t->rows.size() == 1);
    CHECK(t->rows[0].line == 3);
    CHECK(t->Get(t->rows[0], "elevation_m") == "5013");
    CHECK(t->Get(t->rows[0], "nonesuch").empty());
    CHECK(Contains(t->FieldError(t->rows[0], "name", "bad").message(), "facts.csv line 3"));
  }
  SUBCASE("a misspelt column") {
    const fs::path file = dir.Write("facts.csv", "name,elevaton_m,source\n");
    Result<CsvTable> t = ReadCsvTable(file, kRequired, kOptional);
    REQUIRE_FALSE(t.ok());
    CHECK(Contains(t.status().message(), "unknown column 'elevaton_m'"));
  }
}

TEST_CASE("the real station lists, where ../shared is present") {
  const fs::path shared = SharedXizang();
  if (shared.empty()) {
    MESSAGE("BAIYING_SHARED_DIR is unset or has no data/xizang: skipping the real files");
    return;
  }
  Result<StationList> csv = ReadPlateauStationsCsv(shared / "plateau_stations.csv");
  REQUIRE(csv.ok());
  Result<StationList> table = ReadPlateauStations1998(shared / "plateau_stations_1998.txt");
  REQUIRE(table.ok());
  auto find = [](const StationList& list, std::uint32_t id) -> const WeatherStation* {
    for (const WeatherStation& s : list.stations) {
      if (s.id == id) return &s;
    }
    return nullptr;
  };
  for (const StationList* list : {&*csv, &*table}) {
    const WeatherStation* lhasa = find(*list, 55591);
    REQUIRE(lhasa != nullptr);
    CHECK(lhasa->position.lat == doctest::Approx(29.0 + 40.0 / 60.0));
    CHECK(lhasa->position.lon == doctest::Approx(91.0 + 8.0 / 60.0));
    CHECK(lhasa->elevation_m == doctest::Approx(3648.7));
    const WeatherStation* mizhi = find(*list, 56317);
    REQUIRE(mizhi != nullptr);
    CHECK(mizhi->position.lon == doctest::Approx(94.0 + 13.0 / 60.0));
  }
  // Every station both lists hold agrees on its elevation once the flag is read.
  for (const WeatherStation& old : table->stations) {
    if (const WeatherStation* s = find(*csv, old.id)) {
      CAPTURE(old.id);
      CHECK(s->elevation_m == doctest::Approx(old.elevation_m).epsilon(0.001));
    }
  }
}

}  // namespace
}  // namespace baiying::loaders
