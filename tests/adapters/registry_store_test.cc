#include "adapters/store/registry_store.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "adapters/store/registry_csv.h"
#include "adapters/store/schema.h"
#include "adapters/store/sqlite.h"
#include "tests/support/files.h"

namespace baiying::store {
namespace {

using ::baiying::testing::TempDir;
using ::baiying::testing::WriteFile;
namespace fs = std::filesystem;

Instant Day(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return Instant(sys_days(year_month_day{year(y), month(m), day(d)}));
}

Actor Clerk(std::string why = "") {
  return Actor{"clerk", Day(2025, 6, 1) + std::chrono::hours(9), std::move(why)};
}

// --- Direct SQLite access, to look at the file from outside the store. ---

// The first column of the first row of `sql`, as text, on a connection of its own.
std::string QueryText(const fs::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK,
                  sqlite3_errmsg(handle));
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    if (text != nullptr) out = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return out;
}

void ExecSql(const fs::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message);
  const std::string error = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(handle);
  REQUIRE_MESSAGE(rc == SQLITE_OK, error);
}

constexpr const char* kTables[] = {"specialties",     "organisations", "teams",
                                   "team_capacities", "personnel",     "personnel_skills",
                                   "certifications",  "memberships",   "vetting",
                                   "agreements",      "audit"};

// "specialties=9 organisations=2 ..." for comparing whole files before and after.
std::string RowCounts(const fs::path& db) {
  std::string out;
  for (const char* table : kTables) {
    out += std::string(table) + "=" + QueryText(db, std::string("SELECT COUNT(*) FROM ") + table) +
           " ";
  }
  return out;
}

// Everything a snapshot says, as text, so that two snapshots compare in one CHECK.
std::string Dump(const Registry& r) {
  std::string out;
  for (const Specialty& s : r.specialties()) {
    out += "specialty " + std::to_string(s.id.value()) + " " + s.code + " " + s.unit + "\n";
  }
  for (const Organisation& o : r.organisations()) {
    out += "organisation " + std::to_string(o.id.value()) + " " + o.code + " " + o.name + " " +
           std::string(ToString(o.status)) + " " + ToString(o.modes) + "\n";
    for (const Agreement& a : r.agreements_of(o.id)) {
      out += "  agreement " + a.code + " " + FormatDate(a.signed_at) + "\n";
    }
  }
  for (const Team& t : r.teams()) {
    out += "team " + std::to_string(t.id.value()) + " " + t.code + " of " +
           r.organisation(t.organisation).code + " " + std::string(ToString(t.status)) + "\n";
    for (const TeamCapacity& c : t.capacities) {
      out +=
          "  capacity " + r.specialty(c.specialty).code + " " + std::to_string(c.quantity) + "\n";
    }
    for (const VettingResult& v : r.vetting_of(t.id)) {
      out += "  vetting " + std::string(ToString(v.department)) + (v.passed ? " pass" : " fail") +
             "\n";
    }
  }
  for (const PersonnelCard& p : r.personnel()) {
    out += "person " + p.code + " teams " + std::to_string(p.teams.size()) + "\n";
  }
  return out;
}

std::string DumpStore(const RegistryStore& store) {
  Result<Registry> registry = store.Load();
  REQUIRE_MESSAGE(registry.ok(), registry.status().ToString());
  Result<std::vector<AuditEntry>> audit = store.Audit();
  REQUIRE(audit.ok());
  std::string out = Dump(*registry);
  for (const AuditEntry& a : *audit) {
    out += "audit " + std::to_string(a.seq) + " " + a.action + " " + a.entity + " " + a.code + "\n";
  }
  return out;
}

RegistryStore OpenStore(const fs::path& path, const StoreOptions& options = {}) {
  Result<RegistryStore> store = RegistryStore::Open(path, options);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(store).value();
}

// --- A small registry as CSV: file order differs from code order on purpose. ---

const std::map<std::string, std::string> kGoodRegistry = {
    {"organisations.csv",
     "code,name,kind,industry,tier,adcode,contact_name,contact_phone,service_content,measures,"
     "commitments,modes,response_minutes,status,status_reason\n"
     "ORG-NQ-002,那曲运输合作社,social_organisation,transport,county,540602,李师傅,0896-0000002,"
     "\"transport, winter roads\",four trucks,respond within 2 hours,emergency,120,active,\n"
     "ORG-LS-001,拉萨高原急救服务有限公司,private_enterprise,health,prefecture,540100,张医生,"
     "0891-0000001,emergency medical care,two ambulances on standby,respond within 30 minutes,"
     "peacetime|emergency|wartime,30,active,\n"},
    // Columns in another order than documented: they are found by name.
    {"teams.csv",
     "name,code,organisation,home_place,mobilization_minutes,modes,max_work_elevation_m,status,"
     "status_reason\n"
     "那曲运输队,TM-NQ-TRN-01,ORG-NQ-002,那曲,90,emergency,4800,active,\n"
     "拉萨急救一队,TM-LS-MED-01,ORG-LS-001,拉萨,30,peacetime|emergency|wartime,5000,active,\n"
     "\n"
     "拉萨急救二队,TM-LS-MED-02,ORG-LS-001,拉萨,45,emergency,4200,suspended,vehicle under "
     "repair\n"},
    {"capacities.csv",
     "team,specialty,quantity,splittable\n"
     "TM-LS-MED-01,medical,12,1\n"
     "TM-LS-MED-01,transport,2,0\n"
     "TM-NQ-TRN-01,transport,8,1\n"
     "TM-LS-MED-02,medical,6,0\n"},
    {"vetting.csv",
     "team,department,checked_on,examiner,expires_on,result,reason\n"
     "TM-LS-MED-01,discipline_inspection,2025-01-10,王审核,2026-01-10,pass,\n"
     "TM-LS-MED-01,civil_affairs,2025-01-10,王审核,2026-01-10,pass,\n"
     "TM-LS-MED-01,human_resources,2025-01-10,王审核,2026-01-10,pass,\n"
     "TM-LS-MED-01,emergency_management,2025-01-10,王审核,2026-01-10,pass,\n"
     "TM-LS-MED-01,market_supervision,2025-01-10,王审核,2026-01-10,pass,\n"
     "TM-NQ-TRN-01,discipline_inspection,2025-02-01,赵审核,2026-02-01,pass,\n"
     "TM-NQ-TRN-01,civil_affairs,2025-02-01,赵审核,2026-02-01,pass,\n"
     "TM-NQ-TRN-01,human_resources,2025-02-01,赵审核,2026-02-01,pass,\n"
     "TM-NQ-TRN-01,emergency_management,2025-02-01,赵审核,2026-02-01,pass,\n"
     "TM-NQ-TRN-01,market_supervision,2025-02-01,赵审核,2026-02-01,fail,licence lapsed\n"},
    {"agreements.csv",
     "code,organisation,joint_review_on,notice_from,notice_until,signed_on,expires_on,modes\n"
     "AGR-2025-001,ORG-LS-001,2025-01-05,2025-01-06,2025-01-13,2025-01-15,2027-01-15,"
     "emergency|wartime\n"},
    {"personnel.csv",
     "code,name,veteran,skills,certifications,teams\n"
     "P-0002,次仁,0,radio,,\n"
     "P-0001,扎西,1,driving|first aid,emergency medical technician@2026-06-30,"
     "TM-NQ-TRN-01|TM-LS-MED-01\n"},
};

// New records for an import on top of kGoodRegistry: one of each kind.
const std::map<std::string, std::string> kMoreRegistry = {
    {"specialties.csv", "code,name_zh,name_en,unit\nfirefighting,消防救援,firefighting,crews\n"},
    {"organisations.csv",
     "code,name,kind,industry,tier,adcode,contact_name,contact_phone,service_content,measures,"
     "commitments,modes,response_minutes,status,status_reason\n"
     "ORG-SN-003,山南物资公司,state_owned_enterprise,logistics,prefecture,540500,,,supplies,"
     "warehouse,48 hours,emergency|wartime,240,active,\n"},
    {"teams.csv",
     "code,organisation,name,home_place,mobilization_minutes,modes,max_work_elevation_m,status,"
     "status_reason\n"
     "TM-SN-LOG-01,ORG-SN-003,山南物资队,山南,120,emergency|wartime,4500,active,\n"
     "TM-SN-LOG-02,ORG-SN-003,山南物资二队,山南,120,emergency,4500,active,\n"},
    {"capacities.csv",
     "team,specialty,quantity,splittable\n"
     "TM-SN-LOG-01,logistics,40,1\n"
     "TM-SN-LOG-02,firefighting,3,0\n"
     "TM-NQ-TRN-01,logistics,5,0\n"},
    {"vetting.csv",
     "team,department,checked_on,examiner,expires_on,result,reason\n"
     "TM-SN-LOG-01,civil_affairs,2025-03-01,刘审核,2026-03-01,pass,\n"},
    {"agreements.csv",
     "code,organisation,joint_review_on,notice_from,notice_until,signed_on,expires_on,modes\n"
     "AGR-2025-002,ORG-SN-003,2025-03-01,2025-03-02,2025-03-09,2025-03-10,2026-03-10,emergency\n"},
    {"personnel.csv",
     "code,name,veteran,skills,certifications,teams\n"
     "P-0003,格桑,1,logistics,,TM-SN-LOG-01|TM-LS-MED-01\n"},
};

fs::path WriteRegistry(const TempDir& tmp, const std::string& name,
                       const std::map<std::string, std::string>& files) {
  const fs::path dir = tmp.path() / name;
  fs::create_directories(dir);
  for (const auto& [file, contents] : files)
    WriteFile(dir / file, contents);
  return dir;
}

Organisation MakeOrganisation(std::string code) {
  Organisation o;
  o.code = std::move(code);
  o.name = "日喀则应急志愿队";
  o.kind = OrganisationKind::kVolunteerTeam;
  o.industry = "volunteer";
  o.tier = Tier::kCounty;
  o.adcode = 540221;
  o.modes = {Mode::kPeacetime, Mode::kEmergency};
  o.response_minutes = 60;
  return o;
}

TeamEntry MakeTeam(std::string code, std::string organisation) {
  TeamEntry t;
  t.code = std::move(code);
  t.name = "志愿救护队";
  t.organisation = std::move(organisation);
  t.capacities = {{"medical", 4, false}};
  t.home_place = "日喀则";
  t.mobilization_delay = std::chrono::minutes(20);
  t.modes = {Mode::kPeacetime, Mode::kEmergency};
  t.max_work_elevation_m = 4600;
  return t;
}

AgreementEntry MakeAgreement(std::string code, std::string organisation) {
  AgreementEntry a;
  a.code = std::move(code);
  a.organisation = std::move(organisation);
  a.joint_review_at = Day(2025, 1, 1);
  a.notice_from = Day(2025, 1, 2);
  a.notice_until = Day(2025, 1, 9);
  a.signed_at = Day(2025, 1, 10);
  a.expires_at = Day(2026, 1, 10);
  a.modes = {Mode::kEmergency};
  return a;
}

VettingEntry MakeVetting(std::string team, Department department) {
  return VettingEntry{
      std::move(team), department, Day(2025, 1, 10), "examiner", Day(2026, 1, 10), true, ""};
}

// --- Tests ---

TEST_CASE("registry store: migrations on an empty file seed the specialties") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  RegistryStore store = OpenStore(db);
  CHECK(store.schema_version() == RegistryStore::LatestSchemaVersion());
  CHECK(RegistryStore::LatestSchemaVersion() == LatestSchemaVersion());
  CHECK(QueryText(db, "PRAGMA user_version") == std::to_string(LatestSchemaVersion()));

  Result<Registry> registry = store.Load();
  REQUIRE_MESSAGE(registry.ok(), registry.status().ToString());
  std::vector<std::string> codes;
  for (const Specialty& s : registry->specialties())
    codes.push_back(s.code);
  // In code order, which makes the ids.
  CHECK(codes == std::vector<std::string>{"communications", "logistics", "medical", "road_repair",
                                          "security", "spectrum", "technical", "transport",
                                          "water_power"});
  Result<SpecialtyId> medical = registry->FindSpecialty("medical");
  REQUIRE(medical.ok());
  CHECK(registry->specialty(*medical).name_zh == "医疗救护");
  CHECK(registry->specialty(*medical).name_en == "medical rescue");
  CHECK(registry->specialty(*medical).unit == "medics");
  CHECK(registry->specialty(*registry->FindSpecialty("logistics")).unit == "tonnes_per_day");
  CHECK(registry->teams().empty());
  Result<std::vector<AuditEntry>> audit = store.Audit();
  REQUIRE(audit.ok());
  CHECK(audit->empty());
}

TEST_CASE("registry store: re-opening applies nothing again and keeps the data") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  std::string before;
  {
    RegistryStore store = OpenStore(db);
    REQUIRE(store.AddOrganisation(MakeOrganisation("ORG-SG-001"), Clerk()).ok());
    before = DumpStore(store);
  }
  RegistryStore again = OpenStore(db, StoreOptions{.must_exist = true});
  CHECK(again.schema_version() == RegistryStore::LatestSchemaVersion());
  CHECK(DumpStore(again) == before);
  CHECK(QueryText(db, "SELECT COUNT(*) FROM specialties") == "9");
  CHECK(QueryText(db, "SELECT COUNT(*) FROM organisations") == "1");
}

TEST_CASE("registry store: a file from a newer build is refused") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  { RegistryStore store = OpenStore(db); }
  ExecSql(db, "PRAGMA user_version = 99");
  Result<RegistryStore> store = RegistryStore::Open(db);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kFailedPrecondition);
  CHECK(store.status().message().find("schema version 99") != std::string::npos);
  CHECK(store.status().message().find(db.string()) != std::string::npos);
  CHECK(QueryText(db, "PRAGMA user_version") == "99");  // untouched
}

TEST_CASE("registry store: the journal is WAL") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  RegistryStore store = OpenStore(db);
  CHECK(QueryText(db, "PRAGMA journal_mode") == "wal");
}

TEST_CASE("registry store: must_exist on a missing file is NotFound, and creates nothing") {
  TempDir tmp;
  const fs::path db = tmp.path() / "missing.db";
  Result<RegistryStore> store = RegistryStore::Open(db, StoreOptions{.must_exist = true});
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kNotFound);
  CHECK(store.status().message().find("missing.db") != std::string::npos);
  CHECK_FALSE(fs::exists(db));
}

TEST_CASE("registry store: a file that is not SQLite gives a clear error") {
  TempDir tmp;
  std::string junk = "code,name\n";
  for (int i = 0; i < 200; ++i)
    junk += "TM-" + std::to_string(i) + ",not a database at all\n";
  const fs::path db = tmp.Write("teams.csv", junk);
  Result<RegistryStore> store = RegistryStore::Open(db);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kInvalidArgument);
  CHECK(store.status().message().find(db.string()) != std::string::npos);
  CHECK(store.status().message().find("not an SQLite database") != std::string::npos);

  // SQLite would take a file shorter than its header for an empty database and overwrite it.
  const fs::path tiny = tmp.Write("note.txt", "todo\n");
  Result<RegistryStore> small = RegistryStore::Open(tiny);
  REQUIRE_FALSE(small.ok());
  CHECK(small.status().code() == StatusCode::kInvalidArgument);
  CHECK(small.status().message().find("not an SQLite database") != std::string::npos);
  CHECK(fs::file_size(tiny) == 5);
  CHECK(fs::file_size(db) == junk.size());

  // A directory where the file should be.
  Result<RegistryStore> dir = RegistryStore::Open(tmp.path());
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().message().find(tmp.path().string()) != std::string::npos);
}

TEST_CASE("registry store: a good import gives the right snapshot, and Judge works on it") {
  TempDir tmp;
  RegistryStore store = OpenStore(tmp.path() / "registry.db");
  const fs::path dir = WriteRegistry(tmp, "good", kGoodRegistry);
  std::vector<std::string> places_checked;
  Result<ImportReport> report =
      store.Import(dir, Clerk("initial registry"), [&](std::string_view place) {
        places_checked.emplace_back(place);
        return Status::Ok();
      });
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->specialties == 0);
  CHECK(report->organisations == 2);
  CHECK(report->teams == 3);
  CHECK(report->capacities == 4);
  CHECK(report->vetting == 10);
  CHECK(report->agreements == 1);
  CHECK(report->personnel == 2);
  CHECK(places_checked == std::vector<std::string>{"那曲", "拉萨", "拉萨"});

  Result<Registry> loaded = store.Load();
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  const Registry& r = *loaded;

  // Ids are positions in code order, whatever the file order.
  REQUIRE(r.organisations().size() == 2);
  CHECK(r.organisations()[0].code == "ORG-LS-001");
  CHECK(r.organisations()[1].code == "ORG-NQ-002");
  REQUIRE(r.teams().size() == 3);
  CHECK(r.teams()[0].code == "TM-LS-MED-01");
  CHECK(r.teams()[1].code == "TM-LS-MED-02");
  CHECK(r.teams()[2].code == "TM-NQ-TRN-01");

  const Organisation& nq = r.organisations()[1];
  CHECK(nq.name == "那曲运输合作社");
  CHECK(nq.kind == OrganisationKind::kSocialOrganisation);
  CHECK(nq.tier == Tier::kCounty);
  CHECK(nq.adcode == 540602);
  CHECK(nq.contact_name == "李师傅");
  CHECK(nq.service_content == "transport, winter roads");  // quoted field with a comma
  CHECK(nq.modes == ModeSet{Mode::kEmergency});
  CHECK(nq.response_minutes == 120);
  CHECK(nq.status == RegistryStatus::kActive);

  const TeamId med1 = *r.FindTeam("TM-LS-MED-01");
  const TeamId med2 = *r.FindTeam("TM-LS-MED-02");
  const TeamId trn = *r.FindTeam("TM-NQ-TRN-01");
  const Team& t = r.team(med1);
  CHECK(t.name == "拉萨急救一队");
  CHECK(r.organisation_of(med1).code == "ORG-LS-001");
  CHECK(t.home_place == "拉萨");
  CHECK(t.mobilization_delay == std::chrono::minutes(30));
  CHECK(t.modes == ModeSet{Mode::kPeacetime, Mode::kEmergency, Mode::kWartime});
  CHECK(t.max_work_elevation_m == 5000);
  CHECK(r.Capacity(med1, *r.FindSpecialty("medical")) == 12);
  CHECK(r.Capacity(med1, *r.FindSpecialty("transport")) == 2);
  CHECK(r.Capacity(trn, *r.FindSpecialty("medical")) == 0);
  REQUIRE(t.capacities.size() == 2);
  CHECK(t.capacities[0].specialty < t.capacities[1].specialty);
  CHECK(r.team(med2).status == RegistryStatus::kSuspended);
  CHECK(r.team(med2).status_reason == "vehicle under repair");
  CHECK(r.teams_of(*r.FindOrganisation("ORG-LS-001")) == std::vector<TeamId>{med1, med2});

  REQUIRE(r.vetting_of(med1).size() == 5);
  CHECK(r.vetting_of(med1)[0].checked_at == Day(2025, 1, 10));
  CHECK(r.vetting_of(med1)[0].examiner == "王审核");
  CHECK(r.vetting_of(trn)[4].reason == "licence lapsed");
  REQUIRE(r.agreements_of(*r.FindOrganisation("ORG-LS-001")).size() == 1);
  const Agreement& a = r.agreements_of(*r.FindOrganisation("ORG-LS-001"))[0];
  CHECK(a.code == "AGR-2025-001");
  CHECK(a.joint_review_at == Day(2025, 1, 5));
  CHECK(a.notice_until == Day(2025, 1, 13));
  CHECK(a.signed_at == Day(2025, 1, 15));
  CHECK(a.expires_at == Day(2027, 1, 15));
  CHECK(a.modes == ModeSet{Mode::kEmergency, Mode::kWartime});

  REQUIRE(r.personnel().size() == 2);
  const PersonnelCard& p = r.personnel()[0];
  CHECK(p.code == "P-0001");
  CHECK(p.veteran);
  CHECK(p.skills == std::vector<std::string>{"driving", "first aid"});
  REQUIRE(p.certifications.size() == 1);
  CHECK(p.certifications[0].name == "emergency medical technician");
  CHECK(p.certifications[0].expires_at == Day(2026, 6, 30));
  CHECK(p.teams == std::vector<TeamId>{med1, trn});
  CHECK(r.personnel()[1].teams.empty());
  CHECK(r.members_of(trn) == std::vector<PersonId>{p.id});

  const Instant now = Day(2025, 6, 1);
  CHECK(r.Judge(med1, Mode::kEmergency, now).dispatchable());
  CHECK(r.Judge(med1, Mode::kWartime, now).dispatchable());
  CHECK(r.Judge(med1, Mode::kPeacetime, now).dispatchable());
  CHECK_FALSE(r.Judge(med1, Mode::kEmergency, Day(2026, 2, 1)).dispatchable());  // vetting expired
  const Verdict transport = r.Judge(trn, Mode::kEmergency, now);
  CHECK(transport.Has(Obstacle::kVettingFailed));
  CHECK(transport.Has(Obstacle::kNoAgreement));
  CHECK(r.Judge(med2, Mode::kEmergency, now).Has(Obstacle::kTeamSuspended));
}

TEST_CASE(
    "registry store: an import with one bad row names file, line and field, changes nothing") {
  struct Case {
    const char* what;
    std::string file;
    std::string contents;
    std::string expected;  // in the message, after the file name
    StatusCode code = StatusCode::kInvalidArgument;
  };
  const std::string team_header =
      "code,organisation,name,home_place,mobilization_minutes,modes,max_work_elevation_m,status,"
      "status_reason\n";
  const std::string good_team =
      "TM-SN-LOG-01,ORG-SN-003,山南物资队,山南,120,emergency,4500,active,\n";
  const std::string cap_header = "team,specialty,quantity,splittable\n";
  const std::string vet_header = "team,department,checked_on,examiner,expires_on,result,reason\n";
  const std::string agr_header =
      "code,organisation,joint_review_on,notice_from,notice_until,signed_on,expires_on,modes\n";
  const std::string org_header =
      "code,name,kind,industry,tier,adcode,contact_name,contact_phone,service_content,measures,"
      "commitments,modes,response_minutes,status,status_reason\n";
  const std::string person_header = "code,name,veteran,skills,certifications,teams\n";
  const std::vector<Case> cases = {
      {"bad enum", "teams.csv",
       team_header + good_team + "TM-SN-LOG-02,ORG-SN-003,二队,山南,120,emergency,4500,paused,\n",
       "teams.csv line 3, field 'status': unknown value 'paused'"},
      {"bad mode", "teams.csv",
       team_header + "TM-SN-LOG-02,ORG-SN-003,二队,山南,120,emergency|peace,4500,active,\n",
       "teams.csv line 2, field 'modes'"},
      {"no modes", "teams.csv",
       team_header + "TM-SN-LOG-02,ORG-SN-003,二队,山南,120,,4500,active,\n",
       "teams.csv line 2, field 'modes': must name at least one mode"},
      {"negative delay", "teams.csv",
       team_header + "TM-SN-LOG-02,ORG-SN-003,二队,山南,-5,emergency,4500,active,\n",
       "teams.csv line 2, field 'mobilization_minutes': must not be negative"},
      {"unknown organisation", "teams.csv",
       team_header + "TM-SN-LOG-02,ORG-XX-999,二队,山南,120,emergency,4500,active,\n",
       "teams.csv line 2, field 'organisation': no organisation with code 'ORG-XX-999'",
       StatusCode::kNotFound},
      {"unknown team", "capacities.csv",
       cap_header + "TM-SN-LOG-01,logistics,40,1\nTM-NOPE,medical,1,0\n",
       "capacities.csv line 3, field 'team': no team with code 'TM-NOPE'", StatusCode::kNotFound},
      {"unknown specialty", "capacities.csv", cap_header + "TM-SN-LOG-01,dentistry,40,1\n",
       "capacities.csv line 2, field 'specialty': no specialty with code 'dentistry'",
       StatusCode::kNotFound},
      {"zero quantity", "capacities.csv", cap_header + "TM-SN-LOG-01,logistics,0,1\n",
       "capacities.csv line 2, field 'quantity': must be positive"},
      {"capacity twice", "capacities.csv",
       cap_header + "TM-SN-LOG-01,logistics,4,1\nTM-SN-LOG-01,logistics,5,1\n",
       "capacities.csv line 3, field 'specialty': team 'TM-SN-LOG-01' already has a capacity"},
      {"bad splittable", "capacities.csv", cap_header + "TM-SN-LOG-01,logistics,4,yes\n",
       "capacities.csv line 2, field 'splittable'"},
      {"bad date", "vetting.csv",
       vet_header + "TM-SN-LOG-01,civil_affairs,2025-02-30,刘审核,2026-03-01,pass,\n",
       "vetting.csv line 2, field 'checked_on': '2025-02-30' is not a calendar date"},
      {"date not a date", "vetting.csv",
       vet_header + "TM-SN-LOG-01,civil_affairs,1/3/2025,刘审核,2026-03-01,pass,\n",
       "vetting.csv line 2, field 'checked_on': '1/3/2025' is not a date (YYYY-MM-DD)"},
      {"expiry before check", "vetting.csv",
       vet_header + "TM-SN-LOG-01,civil_affairs,2025-03-01,刘审核,2025-03-01,pass,\n",
       "vetting.csv line 2, field 'expires_on'"},
      {"bad department", "vetting.csv",
       vet_header + "TM-SN-LOG-01,police,2025-03-01,刘审核,2026-03-01,pass,\n",
       "vetting.csv line 2, field 'department': unknown value 'police'"},
      {"bad result", "vetting.csv",
       vet_header + "TM-SN-LOG-01,civil_affairs,2025-03-01,刘审核,2026-03-01,ok,\n",
       "vetting.csv line 2, field 'result'"},
      {"duplicate code in the database", "organisations.csv",
       org_header +
           "ORG-LS-001,重复,private_enterprise,x,county,540102,,,s,m,c,emergency,10,active,\n",
       "organisations.csv line 2, field 'code': organisation 'ORG-LS-001' is already in the "
       "registry"},
      {"duplicate code in the file", "teams.csv", team_header + good_team + good_team,
       "teams.csv line 3, field 'code': team 'TM-SN-LOG-01' is already in the registry"},
      {"bad kind", "organisations.csv",
       org_header + "ORG-SN-003,山南,company,x,county,540102,,,s,m,c,emergency,10,active,\n",
       "organisations.csv line 2, field 'kind': unknown value 'company'"},
      {"bad adcode", "organisations.csv",
       org_header +
           "ORG-SN-003,山南,private_enterprise,x,county,54a,,,s,m,c,emergency,10,active,\n",
       "organisations.csv line 2, field 'adcode': '54a' is not a whole number"},
      {"missing column", "teams.csv",
       "code,organisation,name,home_place,mobilization_minutes,max_work_elevation_m,status,"
       "status_reason\nTM-SN-LOG-01,ORG-SN-003,山南物资队,山南,120,4500,active,\n",
       "teams.csv line 1, field 'modes': missing column"},
      {"unknown column", "capacities.csv",
       "team,specialty,quantity,splittable,note\nTM-SN-LOG-01,logistics,4,1,x\n",
       "capacities.csv line 1, field 'note': unknown column"},
      {"short row", "capacities.csv", cap_header + "TM-SN-LOG-01,logistics,4\n",
       "capacities.csv line 2: 3 fields, but the header has 4"},
      {"agreement dates out of order", "agreements.csv",
       agr_header +
           "AGR-2025-002,ORG-SN-003,2025-03-01,2025-03-02,2025-03-09,2025-03-05,2026-03-10,"
           "emergency\n",
       "agreements.csv line 2, field 'signed_on': 2025-03-05 must be on or after notice_until "
       "2025-03-09"},
      {"agreement without modes", "agreements.csv",
       agr_header + "AGR-2025-002,ORG-SN-003,2025-03-01,2025-03-02,2025-03-09,2025-03-10,"
                    "2026-03-10,\n",
       "agreements.csv line 2, field 'modes'"},
      {"unknown team of a person", "personnel.csv",
       person_header + "P-0003,格桑,1,logistics,,TM-SN-LOG-01|TM-GONE\n",
       "personnel.csv line 2, field 'teams': no team with code 'TM-GONE'", StatusCode::kNotFound},
      {"bad certification", "personnel.csv",
       person_header + "P-0003,格桑,1,logistics,first aid,TM-SN-LOG-01\n",
       "personnel.csv line 2, field 'certifications': 'first aid' has no expiry date"},
      {"empty name", "personnel.csv", person_header + "P-0003,,1,logistics,,TM-SN-LOG-01\n",
       "personnel.csv line 2, field 'name': must not be empty"},
      {"code with a space", "personnel.csv", person_header + "P 0003,格桑,1,,,\n",
       "personnel.csv line 2, field 'code'"},
      {"unterminated quote", "personnel.csv", person_header + "P-0003,\"格桑,1,,,\n",
       "personnel.csv line 2: unterminated quote"},
  };

  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  RegistryStore store = OpenStore(db);
  REQUIRE(store.Import(WriteRegistry(tmp, "good", kGoodRegistry), Clerk()).ok());
  const std::string before = DumpStore(store);
  const std::string counts = RowCounts(db);

  int n = 0;
  for (const Case& c : cases) {
    CAPTURE(c.what);
    std::map<std::string, std::string> files = kMoreRegistry;
    files[c.file] = c.contents;
    const fs::path dir = WriteRegistry(tmp, "bad" + std::to_string(n++), files);
    Result<ImportReport> report = store.Import(dir, Clerk());
    REQUIRE_FALSE(report.ok());
    CHECK(report.status().code() == c.code);
    const std::string& message = report.status().message();
    CAPTURE(message);
    CHECK(message.find((dir / c.expected).string()) == 0);
    CHECK(message.find("constraint") == std::string::npos);
    CHECK(DumpStore(store) == before);
    CHECK(RowCounts(db) == counts);
  }

  // And the same files without the bad row go in.
  Result<ImportReport> good = store.Import(WriteRegistry(tmp, "more", kMoreRegistry), Clerk());
  REQUIRE_MESSAGE(good.ok(), good.status().ToString());
  CHECK(good->specialties == 1);
  CHECK(good->capacities == 3);
  Result<Registry> r = store.Load();
  REQUIRE(r.ok());
  CHECK(r->specialties().size() == 10);
  CHECK(r->Capacity(*r->FindTeam("TM-SN-LOG-02"), *r->FindSpecialty("firefighting")) == 3);
  CHECK(r->Capacity(*r->FindTeam("TM-NQ-TRN-01"), *r->FindSpecialty("logistics")) == 5);
  CHECK(r->members_of(*r->FindTeam("TM-LS-MED-01")).size() == 2);
}

TEST_CASE("registry store: import of a missing directory, or of one without registry files") {
  TempDir tmp;
  RegistryStore store = OpenStore(tmp.path() / "registry.db");
  Result<ImportReport> missing = store.Import(tmp.path() / "nowhere", Clerk());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  fs::create_directories(tmp.path() / "empty");
  Result<ImportReport> empty = store.Import(tmp.path() / "empty", Clerk());
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().code() == StatusCode::kNotFound);
  CHECK(empty.status().message().find("teams.csv") != std::string::npos);
}

TEST_CASE("registry store: a rejected home place names the field") {
  TempDir tmp;
  RegistryStore store = OpenStore(tmp.path() / "registry.db");
  REQUIRE(store.AddOrganisation(MakeOrganisation("ORG-SG-001"), Clerk()).ok());
  const PlaceCheck known_places = [](std::string_view place) {
    return place == "日喀则" ? Status::Ok()
                             : Status::NotFound("no place '" + std::string(place) + "'");
  };
  CHECK(store.EnrollTeam(MakeTeam("TM-SG-01", "ORG-SG-001"), Clerk(), known_places).ok());
  TeamEntry lost = MakeTeam("TM-SG-02", "ORG-SG-001");
  lost.home_place = "Atlantis";
  const Status status = store.EnrollTeam(lost, Clerk(), known_places);
  CHECK(status.code() == StatusCode::kNotFound);
  CHECK(status.message() == "team 'TM-SG-02', field 'home_place': no place 'Atlantis'");

  TempDir files;
  std::map<std::string, std::string> csv = {
      {"teams.csv",
       std::string(
           "code,organisation,name,home_place,mobilization_minutes,modes,max_work_elevation_m,"
           "status,status_reason\nTM-SG-03,ORG-SG-001,x,Atlantis,5,emergency,4000,active,\n")}};
  const fs::path dir = WriteRegistry(files, "r", csv);
  Result<ImportReport> report = store.Import(dir, Clerk(), known_places);
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().message() ==
        (dir / "teams.csv").string() + " line 2, field 'home_place': no place 'Atlantis'");
}

TEST_CASE("registry store: every change writes exactly its audit rows") {
  TempDir tmp;
  RegistryStore store = OpenStore(tmp.path() / "registry.db");
  const Actor clerk = Clerk();
  Specialty firefighting{SpecialtyId(), "firefighting", "消防救援", "firefighting", "crews"};
  REQUIRE(store.AddSpecialty(firefighting, clerk).ok());
  REQUIRE(store.AddOrganisation(MakeOrganisation("ORG-SG-001"), clerk).ok());
  REQUIRE(store.EnrollTeam(MakeTeam("TM-SG-01", "ORG-SG-001"), clerk).ok());
  REQUIRE(store.RecordVetting(MakeVetting("TM-SG-01", Department::kCivilAffairs), clerk).ok());
  REQUIRE(store.SignAgreement(MakeAgreement("AGR-SG-01", "ORG-SG-001"), clerk).ok());
  PersonEntry person{"P-0100", "多吉", true, {"driving"}, {}, {"TM-SG-01"}};
  REQUIRE(store.AddPerson(person, clerk).ok());
  Actor supervisor{"supervisor", Day(2025, 7, 1), "failed to answer a drill call"};
  REQUIRE(store.SetStatus(Subject::kTeam, "TM-SG-01", RegistryStatus::kSuspended, supervisor).ok());
  supervisor.why = "answered the next two drills";
  REQUIRE(store.SetStatus(Subject::kTeam, "TM-SG-01", RegistryStatus::kActive, supervisor).ok());
  supervisor.why = "left the region";
  REQUIRE(
      store.SetStatus(Subject::kOrganisation, "ORG-SG-001", RegistryStatus::kWithdrawn, supervisor)
          .ok());

  // Refused changes leave no row.
  CHECK_FALSE(store.AddOrganisation(MakeOrganisation("ORG-SG-001"), clerk).ok());
  CHECK_FALSE(store.EnrollTeam(MakeTeam("TM-SG-09", "ORG-NONE"), clerk).ok());

  TempDir files;
  const fs::path dir = WriteRegistry(
      files, "r",
      {{"organisations.csv",
        "code,name,kind,industry,tier,adcode,contact_name,contact_phone,service_content,measures,"
        "commitments,modes,response_minutes,status,status_reason\n"
        "ORG-SG-002,定日志愿队,volunteer_team,volunteer,county,540223,,,s,m,c,emergency,30,"
        "active,\n"},
       {"teams.csv",
        "code,organisation,name,home_place,mobilization_minutes,modes,max_work_elevation_m,status,"
        "status_reason\nTM-SG-02,ORG-SG-002,定日救援队,定日,15,emergency,5200,active,\n"},
       {"capacities.csv", "team,specialty,quantity,splittable\nTM-SG-02,firefighting,2,0\n"}});
  const Actor importer{"importer", Day(2025, 8, 1), "annual registry update"};
  REQUIRE(store.Import(dir, importer).ok());

  Result<std::vector<AuditEntry>> audit = store.Audit();
  REQUIRE(audit.ok());
  struct Row {
    std::string who, action, entity, code, why;
  };
  const std::vector<Row> expected = {
      {"clerk", "add", "specialty", "firefighting", ""},
      {"clerk", "add", "organisation", "ORG-SG-001", ""},
      {"clerk", "enroll", "team", "TM-SG-01", ""},
      {"clerk", "vet", "vetting", "TM-SG-01", ""},
      {"clerk", "sign", "agreement", "AGR-SG-01", ""},
      {"clerk", "add", "person", "P-0100", ""},
      {"supervisor", "suspend", "team", "TM-SG-01", "failed to answer a drill call"},
      {"supervisor", "reinstate", "team", "TM-SG-01", "answered the next two drills"},
      {"supervisor", "withdraw", "organisation", "ORG-SG-001", "left the region"},
      {"importer", "import", "organisation", "ORG-SG-002", "annual registry update"},
      {"importer", "import", "team", "TM-SG-02", "annual registry update"},
      {"importer", "import", "capacity", "TM-SG-02", "annual registry update"},
  };
  REQUIRE(audit->size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    const AuditEntry& a = (*audit)[i];
    CHECK(a.who == expected[i].who);
    CHECK(a.action == expected[i].action);
    CHECK(a.entity == expected[i].entity);
    CHECK(a.code == expected[i].code);
    CHECK(a.why == expected[i].why);
    CHECK_FALSE(a.detail.empty());
    if (i > 0) CHECK(a.seq > (*audit)[i - 1].seq);
  }
  CHECK((*audit)[0].at == clerk.when);
  CHECK((*audit)[6].at == Day(2025, 7, 1));
  CHECK((*audit)[6].detail == "active -> suspended");
  CHECK((*audit)[10].detail.find("teams.csv line 2") != std::string::npos);
  // A person's name is private; the audit says what changed without it.
  CHECK((*audit)[5].detail.find("多吉") == std::string::npos);

  Result<std::vector<AuditEntry>> team_rows = store.Audit("TM-SG-01");
  REQUIRE(team_rows.ok());
  std::vector<std::string> actions;
  for (const AuditEntry& a : *team_rows)
    actions.push_back(a.action);
  CHECK(actions == std::vector<std::string>{"enroll", "vet", "suspend", "reinstate"});

  Result<Registry> r = store.Load();
  REQUIRE(r.ok());
  const Organisation& org = r->organisation(*r->FindOrganisation("ORG-SG-001"));
  CHECK(org.status == RegistryStatus::kWithdrawn);
  CHECK(org.status_reason == "left the region");
  CHECK(r->team(*r->FindTeam("TM-SG-01")).status == RegistryStatus::kActive);
  CHECK(r->team(*r->FindTeam("TM-SG-01")).status_reason == "answered the next two drills");
}

TEST_CASE("registry store: SetStatus needs a reason and a change") {
  TempDir tmp;
  RegistryStore store = OpenStore(tmp.path() / "registry.db");
  REQUIRE(store.AddOrganisation(MakeOrganisation("ORG-SG-001"), Clerk()).ok());
  REQUIRE(store.EnrollTeam(MakeTeam("TM-SG-01", "ORG-SG-001"), Clerk()).ok());
  const std::size_t rows = store.Audit()->size();

  const Status no_reason =
      store.SetStatus(Subject::kTeam, "TM-SG-01", RegistryStatus::kSuspended, Clerk(""));
  CHECK(no_reason.code() == StatusCode::kInvalidArgument);
  CHECK(no_reason.message().find("TM-SG-01") != std::string::npos);
  CHECK(no_reason.message().find("reason") != std::string::npos);

  const Status same =
      store.SetStatus(Subject::kTeam, "TM-SG-01", RegistryStatus::kActive, Clerk("why not"));
  CHECK(same.code() == StatusCode::kFailedPrecondition);
  CHECK(same.message() == "team 'TM-SG-01' is already active");

  const Status unknown =
      store.SetStatus(Subject::kOrganisation, "ORG-NONE", RegistryStatus::kSuspended, Clerk("x"));
  CHECK(unknown.code() == StatusCode::kNotFound);
  CHECK(unknown.message() == "no organisation with code 'ORG-NONE'");

  CHECK(store.Audit()->size() == rows);
  CHECK(store.Load()->team(TeamId(0)).status == RegistryStatus::kActive);
}

TEST_CASE("registry store: the rules of single changes, with clear messages") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  RegistryStore store = OpenStore(db);
  REQUIRE(store.AddOrganisation(MakeOrganisation("ORG-SG-001"), Clerk()).ok());
  REQUIRE(store.EnrollTeam(MakeTeam("TM-SG-01", "ORG-SG-001"), Clerk()).ok());
  std::string counts = RowCounts(db);

  SUBCASE("duplicate codes") {
    const Status org = store.AddOrganisation(MakeOrganisation("ORG-SG-001"), Clerk());
    CHECK(org.code() == StatusCode::kInvalidArgument);
    CHECK(org.message() ==
          "organisation 'ORG-SG-001', field 'code': organisation "
          "'ORG-SG-001' is already in the registry");
    const Status team = store.EnrollTeam(MakeTeam("TM-SG-01", "ORG-SG-001"), Clerk());
    CHECK(team.code() == StatusCode::kInvalidArgument);
    CHECK(team.message().find("'TM-SG-01' is already in the registry") != std::string::npos);
    const Status specialty = store.AddSpecialty(
        Specialty{SpecialtyId(), "medical", "医疗", "medical", "medics"}, Clerk());
    CHECK(specialty.message().find("'medical' is already in the registry") != std::string::npos);
    REQUIRE(store.SignAgreement(MakeAgreement("AGR-1", "ORG-SG-001"), Clerk()).ok());
    CHECK(store.SignAgreement(MakeAgreement("AGR-1", "ORG-SG-001"), Clerk())
              .message()
              .find("already in the registry") != std::string::npos);
    REQUIRE(store.AddPerson(PersonEntry{"P-1", "名", false, {}, {}, {}}, Clerk()).ok());
    counts = RowCounts(db);
    CHECK(store.AddPerson(PersonEntry{"P-1", "名", false, {}, {}, {}}, Clerk())
              .message()
              .find("already in the registry") != std::string::npos);
  }
  SUBCASE("team") {
    TeamEntry t = MakeTeam("TM-SG-02", "ORG-NONE");
    Status s = store.EnrollTeam(t, Clerk());
    CHECK(s.code() == StatusCode::kNotFound);
    CHECK(s.message() ==
          "team 'TM-SG-02', field 'organisation': no organisation with code 'ORG-NONE'");
    t = MakeTeam("TM-SG-02", "ORG-SG-001");
    t.capacities = {{"medical", 0, false}};
    CHECK(store.EnrollTeam(t, Clerk()).message() ==
          "team 'TM-SG-02', field 'quantity': must be positive");
    t.capacities = {{"medical", 2, false}, {"medical", 3, true}};
    CHECK(store.EnrollTeam(t, Clerk()).message().find("already has a capacity in 'medical'") !=
          std::string::npos);
    t = MakeTeam("TM-SG-02", "ORG-SG-001");
    t.modes = {};
    CHECK(store.EnrollTeam(t, Clerk()).message().find("field 'modes'") != std::string::npos);
    t = MakeTeam("TM-SG-02", "ORG-SG-001");
    t.mobilization_delay = std::chrono::minutes(-1);
    CHECK(store.EnrollTeam(t, Clerk()).message().find("field 'mobilization_minutes'") !=
          std::string::npos);
    t.mobilization_delay = std::chrono::seconds(90);
    CHECK(store.EnrollTeam(t, Clerk()).message().find("whole number of minutes") !=
          std::string::npos);
    t = MakeTeam("", "ORG-SG-001");
    CHECK(store.EnrollTeam(t, Clerk()).message() ==
          "team without a code, field 'code': must not be empty");
    t = MakeTeam("TM-SG-02", "ORG-SG-001");
    t.name.clear();
    CHECK(store.EnrollTeam(t, Clerk()).message() ==
          "team 'TM-SG-02', field 'name': must not be empty");
  }
  SUBCASE("vetting") {
    VettingEntry v = MakeVetting("TM-SG-01", Department::kMarketSupervision);
    v.expires_at = v.checked_at;
    const Status s = store.RecordVetting(v, Clerk());
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message() ==
          "vetting of team 'TM-SG-01' by market_supervision, field 'expires_on': expiry 2025-01-10 "
          "is not after the check on 2025-01-10");
    CHECK(store.RecordVetting(MakeVetting("TM-NONE", Department::kCivilAffairs), Clerk()).code() ==
          StatusCode::kNotFound);
  }
  SUBCASE("agreement") {
    AgreementEntry a = MakeAgreement("AGR-1", "ORG-SG-001");
    a.notice_from = a.joint_review_at - std::chrono::hours(24);
    CHECK(store.SignAgreement(a, Clerk()).message() ==
          "agreement 'AGR-1', field 'notice_from': 2024-12-31 must be on or after "
          "joint_review_on 2025-01-01");
    a = MakeAgreement("AGR-1", "ORG-SG-001");
    a.notice_until = a.notice_from;
    CHECK(store.SignAgreement(a, Clerk()).message().find("field 'notice_until'") !=
          std::string::npos);
    a = MakeAgreement("AGR-1", "ORG-SG-001");
    a.expires_at = a.signed_at;
    CHECK(store.SignAgreement(a, Clerk()).message().find("field 'expires_on'") !=
          std::string::npos);
    a = MakeAgreement("AGR-1", "ORG-SG-001");
    a.modes = {};
    CHECK(store.SignAgreement(a, Clerk()).message().find("field 'modes'") != std::string::npos);
    a = MakeAgreement("AGR-1", "ORG-NONE");
    CHECK(store.SignAgreement(a, Clerk()).code() == StatusCode::kNotFound);
  }
  SUBCASE("person") {
    PersonEntry p{"P-1", "名", false, {"x", "x"}, {}, {}};
    CHECK(store.AddPerson(p, Clerk()).message() ==
          "person 'P-1', field 'skills': 'x' is listed twice");
    p = PersonEntry{"P-1", "名", false, {}, {}, {"TM-SG-01", "TM-SG-01"}};
    CHECK(store.AddPerson(p, Clerk()).message().find("field 'teams'") != std::string::npos);
    p = PersonEntry{"P-1", "名", false, {}, {}, {"TM-NONE"}};
    CHECK(store.AddPerson(p, Clerk()).message() ==
          "person 'P-1', field 'teams': no team with code 'TM-NONE'");
  }
  SUBCASE("who") {
    Actor nobody = Clerk();
    nobody.who.clear();
    CHECK(store.AddOrganisation(MakeOrganisation("ORG-SG-002"), nobody).code() ==
          StatusCode::kInvalidArgument);
  }
  CHECK(RowCounts(db) == counts);
}

TEST_CASE("registry store: two stores on one file see each other's changes") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  RegistryStore writer = OpenStore(db);
  RegistryStore reader = OpenStore(db, StoreOptions{.must_exist = true});
  REQUIRE(writer.AddOrganisation(MakeOrganisation("ORG-SG-001"), Clerk()).ok());
  Result<Registry> seen = reader.Load();
  REQUIRE(seen.ok());
  CHECK(seen->FindOrganisation("ORG-SG-001").ok());
}

TEST_CASE("registry store: ParseDate") {
  CHECK(*ParseDate("2025-03-01") == Day(2025, 3, 1));
  CHECK(*ParseDate("2024-02-29") == Day(2024, 2, 29));
  for (std::string_view bad : {"2025-3-1", "2025-02-29", "2025-13-01", "20250301", "",
                               "2025-03-01Z", "2025/03/01", "-025-03-01", "2025-0a-01"}) {
    CAPTURE(bad);
    CHECK(ParseDate(bad).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("registry store: sqlite wrappers roll back, reuse statements and name errors") {
  TempDir tmp;
  Result<Database> opened = Database::Open(tmp.path() / "w.db", DatabaseOptions{});
  REQUIRE(opened.ok());
  Database& db = *opened;
  REQUIRE(db.Execute("CREATE TABLE t (x INTEGER NOT NULL)").ok());
  CHECK(*db.PragmaInt("foreign_keys") == 1);
  CHECK(*db.PragmaInt("synchronous") == 2);  // FULL

  {
    Result<Transaction> tx = Transaction::Begin(db);
    REQUIRE(tx.ok());
    REQUIRE(db.Execute("INSERT INTO t VALUES (1)").ok());
  }  // not committed
  {
    Result<CachedStatement> count = db.Prepare("SELECT COUNT(*) FROM t");
    REQUIRE(count.ok());
    REQUIRE(*(*count)->Step());
    CHECK((*count)->ColumnInt64(0) == 0);
  }
  {
    Result<Transaction> tx = Transaction::Begin(db);
    REQUIRE(tx.ok());
    for (int i = 0; i < 3; ++i) {
      Result<CachedStatement> insert = db.Prepare("INSERT INTO t VALUES (?1)");
      REQUIRE(insert.ok());
      REQUIRE((*insert)->BindAll(i).ok());
      REQUIRE((*insert)->Run().ok());
    }
    REQUIRE(tx->Commit().ok());
  }
  // The same SQL borrowed twice at once: a nested loop over one table.
  {
    Result<CachedStatement> outer = db.Prepare("SELECT x FROM t ORDER BY x");
    REQUIRE(outer.ok());
    int pairs = 0;
    while (*(*outer)->Step()) {
      Result<CachedStatement> inner = db.Prepare("SELECT x FROM t ORDER BY x");
      REQUIRE(inner.ok());
      while (*(*inner)->Step())
        ++pairs;
    }
    CHECK(pairs == 9);
  }

  Result<CachedStatement> bad = db.Prepare("SELEKT 1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInternal);
  CHECK(bad.status().message().find("prepare 'SELEKT 1'") != std::string::npos);

  Result<CachedStatement> null = db.Prepare("INSERT INTO t VALUES (?1)");
  REQUIRE(null.ok());
  REQUIRE((*null)->BindAll(nullptr).ok());
  const Status constraint = (*null)->Run();
  CHECK(constraint.code() == StatusCode::kFailedPrecondition);
  CHECK(constraint.message().find("NOT NULL constraint failed") != std::string::npos);
  CHECK(constraint.message().find("step 'INSERT INTO t") != std::string::npos);
}

}  // namespace
}  // namespace baiying::store
