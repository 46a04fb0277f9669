// `baiying registry` as registry staff use it, on the seed registry of data/xizang and on a
// registry built up by hand, through the real program.

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "adapters/loaders/text_reader.h"
#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace {

using baiying::testing::CommandResult;
using baiying::testing::RunCommand;
using baiying::testing::TempDir;

// Judged as of the seed's reference date, so that the results do not move with the calendar.
constexpr const char* kAt = "2026-11-01T00:00:00Z";
const std::string kSeedDir = std::string(BAIYING_SOURCE_DIR) + "/data/xizang/registry";

CommandResult Registry(const std::string& db, std::vector<std::string> args) {
  std::vector<std::string> full = {"registry"};
  full.insert(full.end(), args.begin(), args.end());
  full.insert(full.end(), {"--db", db, "--at", kAt, "--actor", "test-officer"});
  return RunCommand(BAIYING_BINARY, full);
}

nlohmann::json Json(const CommandResult& r) {
  INFO("stdout: " << r.out.substr(0, 2000) << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

// Every value of one column of a seed CSV file.
std::vector<std::string> SeedColumn(const std::string& file, const std::string& column) {
  std::ifstream in(kSeedDir + "/" + file);
  std::string line;
  std::getline(in, line);
  auto header = baiying::loaders::SplitCsv(line);
  REQUIRE(header.ok());
  std::size_t index = 0;
  while (index < header->size() && (*header)[index] != column)
    ++index;
  REQUIRE(index < header->size());
  std::vector<std::string> values;
  while (std::getline(in, line)) {
    auto fields = baiying::loaders::SplitCsv(line);
    if (fields.ok() && index < fields->size() && !(*fields)[index].empty()) {
      values.push_back((*fields)[index]);
    }
  }
  return values;
}

struct SeededDb {
  TempDir dir;
  std::string db = (dir.path() / "registry.db").string();
  SeededDb() {
    const CommandResult init = Registry(db, {"init"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  }
};

}  // namespace

TEST_CASE("registry list: the medical teams that may serve in wartime") {
  SeededDb seeded;
  const CommandResult text = Registry(
      seeded.db, {"list", "--specialty", "medical", "--mode", "wartime", "--dispatchable"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("dispatchable in wartime") != std::string::npos);
  CHECK(text.out.find("not dispatchable") == std::string::npos);

  const nlohmann::json teams = Json(Registry(seeded.db, {"list", "--specialty", "medical", "--mode",
                                                         "wartime", "--dispatchable", "--json"}));
  REQUIRE(teams.size() > 0);
  for (const auto& t : teams) {
    CAPTURE(t["code"]);
    CHECK(t["verdicts"]["wartime"]["dispatchable"] == true);
    bool medical = false;
    for (const auto& c : t["capacities"])
      medical = medical || c["specialty"] == "medical";
    CHECK(medical);
  }

  // Every medical team committed to wartime is either listed or has a reason not to be.
  const nlohmann::json all =
      Json(Registry(seeded.db, {"list", "--specialty", "medical", "--mode", "wartime", "--json"}));
  CHECK(all.size() > teams.size());
  std::size_t refused = 0;
  for (const auto& t : all) {
    if (t["verdicts"]["wartime"]["dispatchable"] == false) {
      ++refused;
      CHECK(t["verdicts"]["wartime"]["reasons"].size() > 0);
    }
  }
  CHECK(refused + teams.size() == all.size());
}

TEST_CASE("registry show says why a team may not be dispatched") {
  SeededDb seeded;
  const nlohmann::json all = Json(Registry(seeded.db, {"list", "--json"}));
  std::string blocked;
  for (const auto& t : all) {
    if (t["verdicts"]["emergency"]["dispatchable"] == false) {
      blocked = t["code"];
      break;
    }
  }
  REQUIRE_FALSE(blocked.empty());
  const CommandResult show = Registry(seeded.db, {"show", blocked});
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find(blocked) != std::string::npos);
  CHECK(show.out.find("emergency: no") != std::string::npos);
  CHECK(show.out.find("      - ") != std::string::npos);  // the reasons, one a line

  const CommandResult unknown = Registry(seeded.db, {"show", "TM-NOPE-1"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("TM-NOPE-1") != std::string::npos);
}

TEST_CASE("suspend and reinstate need a reason, change the verdict and are audited") {
  SeededDb seeded;
  const nlohmann::json ok =
      Json(Registry(seeded.db, {"list", "--mode", "emergency", "--dispatchable", "--json"}));
  REQUIRE(ok.size() > 0);
  const std::string team = ok[0]["code"];

  const CommandResult no_reason = Registry(seeded.db, {"suspend", "--team", team});
  CHECK(no_reason.exit_code == 2);

  REQUIRE(Registry(seeded.db, {"suspend", "--team", team, "--reason", "vehicle inspection"})
              .exit_code == 0);
  const nlohmann::json shown = Json(Registry(seeded.db, {"show", team, "--json"}));
  CHECK(shown["status"] == "suspended");
  CHECK(shown["verdicts"]["emergency"]["dispatchable"] == false);
  CHECK(shown["verdicts"]["emergency"]["reasons"][0]["obstacle"] == "team_suspended");

  CHECK(Registry(seeded.db, {"suspend", "--team", team, "--reason", "again"}).exit_code == 2);
  REQUIRE(Registry(seeded.db, {"reinstate", "--team", team, "--reason", "inspection passed"})
              .exit_code == 0);
  CHECK(Json(Registry(seeded.db,
                      {"show", team, "--json"}))["verdicts"]["emergency"]["dispatchable"] == true);

  const nlohmann::json audit = Json(Registry(seeded.db, {"audit", "--code", team, "--json"}));
  std::vector<std::string> actions;
  for (const auto& a : audit) {
    actions.push_back(a["action"]);
    CHECK(a["code"] == team);
  }
  REQUIRE(actions.size() >= 3);  // imported, suspended, reinstated
  CHECK(actions[actions.size() - 2] == "suspend");
  CHECK(actions.back() == "reinstate");
  CHECK(audit.back()["who"] == "test-officer");
  CHECK(audit.back()["why"] == "inspection passed");
}

TEST_CASE("publish leaks no personnel data and no contacts") {
  SeededDb seeded;
  const std::vector<std::string> people = SeedColumn("personnel.csv", "name");
  const std::vector<std::string> person_codes = SeedColumn("personnel.csv", "code");
  const std::vector<std::string> phones = SeedColumn("organisations.csv", "contact_phone");
  const std::vector<std::string> contacts = SeedColumn("organisations.csv", "contact_name");
  REQUIRE(people.size() > 0);
  REQUIRE(phones.size() > 0);

  for (const char* tier : {"region", "prefecture", "county"}) {
    for (const char* format : {"csv", "json"}) {
      CAPTURE(tier);
      CAPTURE(format);
      const CommandResult r = Registry(seeded.db, {"publish", "--tier", tier, "--format", format});
      REQUIRE(r.exit_code == 0);
      CHECK(r.out.size() > 200);
      for (const std::vector<std::string>* secret : {&people, &person_codes, &phones, &contacts}) {
        for (const std::string& s : *secret) {
          if (r.out.find(s) != std::string::npos) FAIL_CHECK("published '" << s << "'");
        }
      }
      CHECK(r.out.find("contact") == std::string::npos);
      CHECK(r.out.find("examiner") == std::string::npos);
    }
  }
  // The filing keeps business contacts but no person's name or card.
  const CommandResult filing = Registry(seeded.db, {"export"});
  REQUIRE(filing.exit_code == 0);
  CHECK(filing.out.find(phones[0]) != std::string::npos);
  for (const std::string& s : people) {
    if (filing.out.find(s) != std::string::npos) FAIL_CHECK("filed '" << s << "'");
  }
}

TEST_CASE("a registry built by hand: enrol, vet, sign, and the team becomes dispatchable") {
  TempDir dir;
  const std::string db = (dir.path() / "hand.db").string();
  REQUIRE(Registry(db, {"init", "--empty"}).exit_code == 0);
  CHECK(Json(Registry(db, {"list", "--json"})).empty());

  REQUIRE(Registry(db, {"enroll", "org", "--code", "ORG-T-1", "--name", "演示救护协会", "--kind",
                        "social_organisation", "--tier", "county", "--adcode", "540223", "--modes",
                        "emergency|wartime", "--contact-phone", "0892-5550000"})
              .exit_code == 0);
  const CommandResult team = Registry(
      db, {"enroll", "team", "--code", "TM-T-1", "--name", "演示救护队", "--org", "ORG-T-1",
           "--capacity", "medical:8", "--home", "定日县", "--mobilization-minutes", "30", "--modes",
           "emergency", "--max-elevation", "5200"});
  INFO(team.err);
  REQUIRE(team.exit_code == 0);

  // A home place the network does not know is refused.
  const CommandResult nowhere = Registry(
      db, {"enroll", "team", "--code", "TM-T-2", "--name", "x", "--org", "ORG-T-1", "--capacity",
           "medical:1", "--home", "不存在县", "--modes", "emergency", "--max-elevation", "4000"});
  CHECK(nowhere.exit_code == 2);
  CHECK(nowhere.err.find("不存在县") != std::string::npos);

  nlohmann::json shown = Json(Registry(db, {"show", "TM-T-1", "--json"}));
  CHECK(shown["verdicts"]["emergency"]["dispatchable"] == false);
  CHECK(shown["verdicts"]["emergency"]["reasons"].size() == 6);  // 5 departments + agreement

  for (const char* d : {"discipline_inspection", "civil_affairs", "human_resources",
                        "emergency_management", "market_supervision"}) {
    REQUIRE(Registry(
                db, {"vet", "--team", "TM-T-1", "--department", d, "--result", "pass", "--examiner",
                     "审核员", "--checked-on", "2026-10-01", "--expires-on", "2028-10-01"})
                .exit_code == 0);
  }
  shown = Json(Registry(db, {"show", "TM-T-1", "--json"}));
  REQUIRE(shown["verdicts"]["emergency"]["reasons"].size() == 1);
  CHECK(shown["verdicts"]["emergency"]["reasons"][0]["obstacle"] == "no_agreement");

  const CommandResult bad_sign = Registry(
      db, {"sign", "--code", "AGR-T-1", "--org", "ORG-T-1", "--joint-review-on", "2026-09-01",
           "--notice-from", "2026-09-05", "--notice-until", "2026-09-01", "--signed-on",
           "2026-09-20", "--expires-on", "2029-09-20", "--modes", "emergency"});
  CHECK(bad_sign.exit_code == 2);  // the notice ends before it starts
  REQUIRE(Registry(db, {"sign", "--code", "AGR-T-1", "--org", "ORG-T-1", "--joint-review-on",
                        "2026-09-01", "--notice-from", "2026-09-05", "--notice-until", "2026-09-12",
                        "--signed-on", "2026-09-20", "--expires-on", "2029-09-20", "--modes",
                        "emergency"})
              .exit_code == 0);
  shown = Json(Registry(db, {"show", "TM-T-1", "--json"}));
  CHECK(shown["verdicts"]["emergency"]["dispatchable"] == true);
  CHECK(shown["verdicts"]["wartime"]["dispatchable"] == false);

  // The team is in its county and prefecture, and not elsewhere.
  CHECK(Json(Registry(db, {"list", "--area", "定日", "--json"})).size() == 1);
  CHECK(Json(Registry(db, {"list", "--area", "日喀则", "--json"})).size() == 1);
  CHECK(Json(Registry(db, {"list", "--area", "540100", "--json"})).empty());
}

TEST_CASE("an import with one bad row names its line and changes nothing") {
  TempDir dir;
  const std::string db = (dir.path() / "bad.db").string();
  REQUIRE(Registry(db, {"init", "--empty"}).exit_code == 0);
  dir.Write("organisations.csv",
            "code,name,kind,industry,tier,adcode,contact_name,contact_phone,service_content,"
            "measures,commitments,modes,response_minutes,status,status_reason\n"
            "ORG-X-1,演示一,private_enterprise,运输,county,540102,,,,,,emergency,30,active,\n"
            "ORG-X-2,演示二,private_enterprise,运输,county,540102,,,,,,emergncy,30,active,\n");
  const CommandResult r = Registry(db, {"import", dir.path().string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("organisations.csv line 3") != std::string::npos);
  CHECK(r.err.find("modes") != std::string::npos);
  CHECK(Json(Registry(db, {"audit", "--json"})).empty());
}
