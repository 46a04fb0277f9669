// The seed registry of data/xizang/registry: it imports into the store as checked in, it holds
// the size, spread and mix of states it promises at its reference date (2026-11-01, passed in,
// never read from the clock), its teams stand at places of data/xizang, and the generator
// reproduces the files byte for byte.

#include "adapters/loaders/seed_registry.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/loaders/network_csv.h"
#include "adapters/loaders/text_reader.h"
#include "adapters/store/registry_store.h"
#include "engine/registry/eligibility.h"
#include "engine/registry/registry.h"
#include "tests/support/files.h"

namespace baiying::loaders {
namespace {

namespace fs = std::filesystem;
using ::baiying::testing::TempDir;

const fs::path kNetworkDir = fs::path(BAIYING_SOURCE_DIR) / "data" / "xizang";
const fs::path kSeedDir = kNetworkDir / "registry";

constexpr std::string_view kFiles[] = {"organisations.csv", "teams.csv",      "capacities.csv",
                                       "vetting.csv",       "agreements.csv", "personnel.csv"};
constexpr std::string_view kSpecialties[] = {"medical",        "transport",   "logistics",
                                             "communications", "spectrum",    "road_repair",
                                             "security",       "water_power", "technical"};
// Prefecture-level adcodes; a county's code shares the first four digits.
constexpr std::uint32_t kPrefectureAdcodes[] = {540100, 540200, 540300, 540400,
                                                540500, 540600, 542500};

std::optional<std::size_t> PrefectureOf(std::uint32_t adcode) {
  for (std::size_t i = 0; i < std::size(kPrefectureAdcodes); ++i) {
    if (adcode != 0 && adcode / 100 == kPrefectureAdcodes[i] / 100) return i;
  }
  return std::nullopt;
}

const NetworkSpec& Network() {
  static const Result<NetworkSpec> spec = ReadNetworkCsv(kNetworkDir);
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  return spec.value();
}

const PlaceSpec* FindPlace(std::string_view name) {
  for (const PlaceSpec& p : Network().places) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Instant ReferenceDate() {
  Result<Instant> at = store::ParseDate(kSeedReferenceDate);
  REQUIRE(at.ok());
  return *at;
}

// The checked-in registry, imported into a fresh database and loaded. Built once.
const Registry& Seed() {
  static TempDir dir;
  static const Result<Registry> registry = []() -> Result<Registry> {
    Result<store::RegistryStore> db = store::RegistryStore::Open(dir.path() / "registry.db");
    if (!db.ok()) return db.status();
    const store::Actor actor{"seed-test", ReferenceDate(), "import the seed registry"};
    const store::PlaceCheck check = [](std::string_view place) {
      return FindPlace(place) != nullptr
                 ? Status::Ok()
                 : Status::NotFound("no place '" + std::string(place) + "' in data/xizang");
    };
    Result<store::ImportReport> imported = db->Import(kSeedDir, actor, check);
    if (!imported.ok()) return imported.status();
    return db->Load();
  }();
  REQUIRE_MESSAGE(registry.ok(), registry.status().ToString());
  return registry.value();
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The rows of a checked-in CSV file as column -> value maps.
std::vector<std::map<std::string, std::string>> ReadRows(std::string_view file) {
  std::ifstream in(kSeedDir / file, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), std::string(file));
  std::string line;
  REQUIRE(std::getline(in, line));
  Result<std::vector<std::string>> header = SplitCsv(line);
  REQUIRE(header.ok());
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    Result<std::vector<std::string>> fields = SplitCsv(line);
    REQUIRE_MESSAGE(fields.ok(), file, ": ", line);
    REQUIRE_MESSAGE(fields->size() == header->size(), file, ": ", line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < fields->size(); ++i)
      row[(*header)[i]] = (*fields)[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST_CASE("seed registry: the checked-in files import and load, large enough") {
  const Registry& r = Seed();
  CHECK(r.teams().size() >= 300);
  CHECK(r.organisations().size() >= 120);
  CHECK(r.personnel().size() >= 300);
  CHECK(r.specialties().size() >= std::size(kSpecialties));

  std::set<Tier> tiers;
  std::set<OrganisationKind> kinds;
  for (const Organisation& o : r.organisations()) {
    tiers.insert(o.tier);
    kinds.insert(o.kind);
    CHECK_MESSAGE(o.name.find("示例") != std::string::npos, o.code, ": ", o.name);
    CHECK_MESSAGE(o.contact_phone.find("-555") != std::string::npos, o.code);
    CHECK(!r.teams_of(o.id).empty());
  }
  CHECK(tiers.size() == 3);
  CHECK(kinds.size() == 5);
}

TEST_CASE("seed registry: all 7 prefectures, every specialty in each") {
  const Registry& r = Seed();
  std::set<std::size_t> org_prefectures;
  for (const Organisation& o : r.organisations()) {
    if (std::optional<std::size_t> p = PrefectureOf(o.adcode)) org_prefectures.insert(*p);
  }
  CHECK(org_prefectures.size() == 7);

  // [prefecture][specialty code]: teams whose home place is a seat of that prefecture.
  std::vector<std::map<std::string, std::size_t>> teams(std::size(kPrefectureAdcodes));
  std::map<std::string, std::size_t> by_specialty;
  for (const Team& t : r.teams()) {
    const PlaceSpec* place = FindPlace(t.home_place);
    REQUIRE_MESSAGE(place != nullptr, t.code, ": ", t.home_place);
    const std::optional<std::size_t> p = PrefectureOf(place->adcode);
    for (const TeamCapacity& c : t.capacities) {
      const std::string& code = r.specialty(c.specialty).code;
      ++by_specialty[code];
      if (p) ++teams[*p][code];
    }
  }
  for (std::string_view s : kSpecialties) {
    CAPTURE(s);
    CHECK(by_specialty[std::string(s)] >= 15);
    for (std::size_t p = 0; p < teams.size(); ++p) {
      CAPTURE(kPrefectureAdcodes[p]);
      CHECK(teams[p][std::string(s)] >= 1);
    }
  }
}

TEST_CASE("seed registry: teams are plausible") {
  const Registry& r = Seed();
  std::size_t unfit = 0, fit_high = 0, peacetime_only = 0, two_specialties = 0;
  for (const Team& t : r.teams()) {
    CAPTURE(t.code);
    CHECK(t.mobilization_delay >= std::chrono::minutes(15));
    CHECK(t.mobilization_delay <= std::chrono::hours(6));
    CHECK(t.max_work_elevation_m >= 4000);
    CHECK(t.max_work_elevation_m <= 5500);
    if (t.max_work_elevation_m <= 4500) ++unfit;
    if (t.max_work_elevation_m >= 5000) ++fit_high;
    if (t.modes == ModeSet{Mode::kPeacetime}) ++peacetime_only;
    if (t.capacities.size() > 1) ++two_specialties;
    for (const TeamCapacity& c : t.capacities)
      CHECK(c.quantity > 0);
  }
  CHECK(unfit > 0);
  CHECK(fit_high * 2 > r.teams().size());
  CHECK(peacetime_only > 0);
  CHECK(two_specialties > 0);

  std::size_t on_two_teams = 0, veterans = 0, certified = 0;
  for (const PersonnelCard& p : r.personnel()) {
    CHECK(p.name.find("演示人员") == 0);
    CHECK(!p.skills.empty());
    if (p.teams.size() >= 2) ++on_two_teams;
    if (p.veteran) ++veterans;
    if (!p.certifications.empty()) ++certified;
  }
  CHECK(on_two_teams > 0);
  CHECK(veterans > 0);
  CHECK(certified > 0);
}

TEST_CASE("seed registry: every state shows at the reference date, most teams may go") {
  const Registry& r = Seed();
  const Instant now = ReferenceDate();
  std::map<Obstacle, std::size_t> emergency;
  std::size_t dispatchable = 0, emergency_not_wartime = 0;
  for (const Team& t : r.teams()) {
    const Verdict v = r.Judge(t.id, Mode::kEmergency, now);
    for (const Hindrance& h : v.hindrances)
      ++emergency[h.obstacle];
    if (!v.dispatchable()) continue;
    ++dispatchable;
    if (t.modes.Has(Mode::kWartime) &&
        r.Judge(t.id, Mode::kWartime, now).Has(Obstacle::kNoAgreement)) {
      ++emergency_not_wartime;
    }
  }
  for (Obstacle o :
       {Obstacle::kTeamSuspended, Obstacle::kTeamWithdrawn, Obstacle::kOrganisationSuspended,
        Obstacle::kModeNotCommitted, Obstacle::kVettingMissing, Obstacle::kVettingFailed,
        Obstacle::kVettingExpired, Obstacle::kNoAgreement, Obstacle::kAgreementExpired,
        Obstacle::kAgreementNotYetSigned}) {
    CAPTURE(ToString(o));
    CHECK(emergency[o] > 0);
  }
  CHECK(emergency_not_wartime > 0);
  CHECK(dispatchable * 10 >= r.teams().size() * 6);

  std::size_t suspended_reasons = 0;
  for (const Team& t : r.teams()) {
    if (t.status != RegistryStatus::kActive) suspended_reasons += t.status_reason.empty() ? 0 : 1;
  }
  CHECK(suspended_reasons > 0);
  for (const Organisation& o : r.organisations()) {
    if (o.status != RegistryStatus::kActive) {
      CHECK(!o.status_reason.empty());
    }
  }
}

TEST_CASE("seed registry: the files follow the import formats") {
  // Every home place is a place of data/xizang, read straight from teams.csv.
  for (const auto& row : ReadRows("teams.csv")) {
    CAPTURE(row.at("code"));
    CHECK(FindPlace(row.at("home_place")) != nullptr);
  }
  // Agreements: joint review <= notice from < notice until <= signed < expires (ISO dates
  // compare as text).
  for (const auto& row : ReadRows("agreements.csv")) {
    CAPTURE(row.at("code"));
    CHECK(row.at("joint_review_on") <= row.at("notice_from"));
    CHECK(row.at("notice_from") < row.at("notice_until"));
    CHECK(row.at("notice_until") <= row.at("signed_on"));
    CHECK(row.at("signed_on") < row.at("expires_on"));
  }
  for (const auto& row : ReadRows("vetting.csv")) {
    CAPTURE(row.at("team"));
    CHECK(row.at("checked_on") < row.at("expires_on"));
    CHECK(row.at("checked_on") < std::string(kSeedReferenceDate));
    CHECK((row.at("result") == "pass" || row.at("result") == "fail"));
  }
}

TEST_CASE("seed registry: the generator reproduces the checked-in files byte for byte") {
  TempDir out;
  SeedRegistryOptions options;
  options.network_dir = kNetworkDir;
  options.out_dir = out.path() / "registry";
  Result<SeedReport> report = BuildSeedRegistry(options);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->teams >= 300);
  CHECK(report->Summary().find("dispatchable at 2026-11-01") != std::string::npos);
  for (std::string_view file : kFiles) {
    CAPTURE(file);
    const std::string built = ReadAll(options.out_dir / file);
    CHECK(!built.empty());
    CHECK(built == ReadAll(kSeedDir / file));
  }
}

TEST_CASE("seed registry: options that cannot be met are refused") {
  SeedRegistryOptions options;
  options.network_dir = kNetworkDir;
  options.teams_per_prefecture[6] = 5;  // fewer than 9 specialties x 2
  CHECK(BuildSeedRegistry(options).status().code() == StatusCode::kInvalidArgument);

  options = SeedRegistryOptions{};
  options.network_dir = kNetworkDir;
  options.organisations_without_agreement = 10000;
  Result<SeedReport> report = BuildSeedRegistry(options);
  CHECK(report.status().code() == StatusCode::kInvalidArgument);
  CHECK(report.status().message().find("organisations_without_agreement") != std::string::npos);

  options = SeedRegistryOptions{};
  options.network_dir = fs::path(BAIYING_SOURCE_DIR) / "no-such-network";
  CHECK(BuildSeedRegistry(options).status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace baiying::loaders
