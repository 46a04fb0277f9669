// The baiying program as a duty officer or a script uses it: `baiying route` on a small
// hand-made network whose answers are worked out by hand, and on data/xizang.

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace {

using baiying::testing::CommandResult;
using baiying::testing::RunCommand;
using baiying::testing::TempDir;

CommandResult Baiying(const std::vector<std::string>& args) {
  return RunCommand(BAIYING_BINARY, args);
}

// A triangle: 甲-乙 10 km, 乙-丙 10 km, 甲-丙 30 km, all national paved at 1,000 m, so the
// travel model gives 55 km/h and no altitude or relief effects: 甲 -> 丙 goes through 乙.
std::string WriteTriangle(const TempDir& dir) {
  dir.Write("places.csv",
            "id,name,pinyin,kind,lat,lon,elevation_m,adcode,aliases\n"
            "0,甲县,Jia,county_seat,29.0,91.0,1000,0,\n"
            "1,乙,Yi,town,29.0,91.1,1000,0,\n"
            "2,丙市,Bing,prefecture_seat,29.0,91.2,1000,0,丙城\n");
  dir.Write("roads.csv",
            "from,to,length_m,ref,class,surface,max_elevation_m,length_source,oneway\n"
            "0,1,10000,G1,national,paved,1000,measured,0\n"
            "1,2,10000,G1,national,paved,1000,measured,0\n"
            "0,2,30000,S2,national,paved,1000,estimated,0\n");
  return dir.path().string();
}

nlohmann::json Json(const CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE_FALSE(r.out.empty());
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("route on a hand-made network: the fastest way, by any of a place's names") {
  TempDir dir;
  const std::string net = WriteTriangle(dir);
  for (const char* from : {"甲县", "甲", "jia", "JIA", "0"}) {
    CAPTURE(from);
    const CommandResult r =
        Baiying({"route", "--network", net, "--from", from, "--to", "丙城", "--json"});
    REQUIRE(r.exit_code == 0);
    const nlohmann::json j = Json(r);
    CHECK(j["distance_m"] == 20000);
    // 20 km at 55 km/h = 1,309.09 s.
    CHECK(j["travel_time_s"].get<double>() == doctest::Approx(20.0 / 55.0 * 3600.0).epsilon(1e-5));
    REQUIRE(j["legs"].size() == 1);
    CHECK(j["legs"][0]["road_ref"] == "G1");
    CHECK(j["path"].size() == 3);
    CHECK(j["path"][1]["name"] == "乙");
  }
}

TEST_CASE("route text output names the roads and the distance") {
  TempDir dir;
  const std::string net = WriteTriangle(dir);
  const CommandResult r = Baiying({"route", "--network", net, "--from", "甲", "--to", "丙"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("甲县 (Jia) -> 丙市 (Bing)") != std::string::npos);
  CHECK(r.out.find("distance 20.0 km") != std::string::npos);
  CHECK(r.out.find("G1") != std::string::npos);
}

TEST_CASE("route honours closures from the command line and from a file") {
  TempDir dir;
  const std::string net = WriteTriangle(dir);

  SUBCASE("a closed road sends the route the long way") {
    const CommandResult r = Baiying(
        {"route", "--network", net, "--from", "甲", "--to", "丙", "--close", "甲-乙", "--json"});
    REQUIRE(r.exit_code == 0);
    const nlohmann::json j = Json(r);
    CHECK(j["distance_m"] == 30000);
    CHECK(j["legs"][0]["road_ref"] == "S2");
    CHECK(j["legs"][0]["estimated"] == true);
    CHECK(j["closures"].size() == 2);  // both directions of 甲-乙
  }
  SUBCASE("a closed place is avoided") {
    const CommandResult r = Baiying(
        {"route", "--network", net, "--from", "甲", "--to", "丙", "--close-place", "乙", "--json"});
    REQUIRE(r.exit_code == 0);
    CHECK(Json(r)["distance_m"] == 30000);
  }
  SUBCASE("cut off entirely: exit 3 and the reason") {
    const CommandResult r = Baiying({"route", "--network", net, "--from", "甲", "--to", "丙",
                                     "--close-place", "乙", "--close", "甲-丙"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("cannot be reached") != std::string::npos);
  }
  SUBCASE("a closures file is judged at --at") {
    const std::string file =
        dir.Write("closures.csv",
                  "what,at,reason,from,until\n"
                  "road,甲-乙,landslide,2025-01-07T09:00:00Z,2025-01-07T21:00:00Z\n")
            .string();
    const CommandResult during =
        Baiying({"route", "--network", net, "--from", "甲", "--to", "丙", "--closures", file,
                 "--at", "2025-01-07T10:00:00Z", "--json"});
    REQUIRE(during.exit_code == 0);
    CHECK(Json(during)["distance_m"] == 30000);
    const CommandResult after =
        Baiying({"route", "--network", net, "--from", "甲", "--to", "丙", "--closures", file,
                 "--at", "2025-01-07T21:00:00Z", "--json"});
    REQUIRE(after.exit_code == 0);
    CHECK(Json(after)["distance_m"] == 20000);
  }
}

TEST_CASE("route errors are clear and have their own exit codes") {
  TempDir dir;
  const std::string net = WriteTriangle(dir);

  const CommandResult unknown = Baiying({"route", "--network", net, "--from", "丁", "--to", "丙"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("--from") != std::string::npos);
  CHECK(unknown.err.find("丁") != std::string::npos);

  const CommandResult bad_close =
      Baiying({"route", "--network", net, "--from", "甲", "--to", "丙", "--close", "甲-戊"});
  CHECK(bad_close.exit_code == 2);
  CHECK(bad_close.err.find("甲-戊") != std::string::npos);

  const CommandResult missing = Baiying(
      {"route", "--network", (dir.path() / "nowhere").string(), "--from", "甲", "--to", "丙"});
  CHECK(missing.exit_code == 4);
  CHECK(missing.err.find("nowhere") != std::string::npos);

  dir.Write("roads.csv",
            "from,to,length_m,ref,class,surface,max_elevation_m,length_source,oneway\n"
            "0,1,10000,G1,higway,paved,1000,measured,0\n");
  const CommandResult bad_file = Baiying({"route", "--network", net, "--from", "甲", "--to", "丙"});
  CHECK(bad_file.exit_code == 4);
  CHECK(bad_file.err.find("roads.csv line 2") != std::string::npos);
  CHECK(bad_file.err.find("higway") != std::string::npos);

  const CommandResult bad_at =
      Baiying({"route", "--network", net, "--from", "甲", "--to", "丙", "--at", "yesterday"});
  CHECK(bad_at.exit_code == 2);
  CHECK(bad_at.err.find("--at") != std::string::npos);
}

TEST_CASE("route on the default network: Lhasa to Shigatse along G318") {
  const CommandResult r = Baiying({"route", "--from", "拉萨", "--to", "日喀则", "--json"});
  REQUIRE(r.exit_code == 0);
  const nlohmann::json j = Json(r);
  bool on_g318 = false;
  for (const auto& leg : j["legs"])
    on_g318 = on_g318 || leg["road_ref"] == "G318";
  CHECK(on_g318);
  // The same route by pinyin and by full name.
  const CommandResult by_pinyin =
      Baiying({"route", "--from", "Lhasa", "--to", "日喀则市", "--json"});
  REQUIRE(by_pinyin.exit_code == 0);
  CHECK(Json(by_pinyin)["distance_m"] == j["distance_m"]);

  // Closing the first stretch of that route makes it longer or impossible, never shorter.
  const std::string first = j["path"][0]["name"], second = j["path"][1]["name"];
  const CommandResult closed = Baiying(
      {"route", "--from", "拉萨", "--to", "日喀则", "--close", first + "-" + second, "--json"});
  INFO(closed.err);
  REQUIRE((closed.exit_code == 0 || closed.exit_code == 3));
  if (closed.exit_code == 0) {
    CHECK(Json(closed)["travel_time_s"].get<double>() > j["travel_time_s"].get<double>());
  }
}

TEST_CASE("route on a DIMACS graph, places named by node number") {
  const char* shared = std::getenv("BAIYING_SHARED_DIR");
  const std::filesystem::path rome =
      shared ? std::filesystem::path(shared) / "data" / "dimacs" / "rome99.gr" : "";
  if (shared == nullptr || !std::filesystem::exists(rome)) {
    MESSAGE("skipped: ../shared/data/dimacs/rome99.gr is absent (BAIYING_SHARED_DIR unset)");
    return;
  }
  const CommandResult r =
      Baiying({"route", "--network", rome.string(), "--from", "1", "--to", "3000", "--json"});
  REQUIRE(r.exit_code == 0);
  const nlohmann::json j = Json(r);
  CHECK(j["path"][0]["name"] == "1");
  CHECK(j["path"].back()["name"] == "3000");
  CHECK(j["travel_time_s"].get<double>() > 0);
}
