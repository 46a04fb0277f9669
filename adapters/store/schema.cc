#include "adapters/store/schema.h"

#include <array>
#include <string>

namespace baiying::store {
namespace {

// STRICT tables (SQLite 3.37+) refuse a text where an integer belongs, which keeps a wrong
// bind from storing silently. The CHECKs repeat the store's cheapest rules, as a last guard
// against a bug or a hand edit; the store checks first and gives the message people read.
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE specialties (
  id      INTEGER PRIMARY KEY,
  code    TEXT NOT NULL UNIQUE CHECK (code <> ''),
  name_zh TEXT NOT NULL CHECK (name_zh <> ''),
  name_en TEXT NOT NULL CHECK (name_en <> ''),
  unit    TEXT NOT NULL CHECK (unit <> '')
) STRICT;

CREATE TABLE organisations (
  id               INTEGER PRIMARY KEY,
  code             TEXT NOT NULL UNIQUE CHECK (code <> ''),
  name             TEXT NOT NULL CHECK (name <> ''),
  kind             TEXT NOT NULL CHECK (kind IN ('state_owned_enterprise', 'private_enterprise',
                                                 'social_organisation', 'individual_business',
                                                 'volunteer_team')),
  industry         TEXT NOT NULL,
  tier             TEXT NOT NULL CHECK (tier IN ('region', 'prefecture', 'county')),
  adcode           INTEGER NOT NULL CHECK (adcode >= 0),
  contact_name     TEXT NOT NULL,
  contact_phone    TEXT NOT NULL,
  service_content  TEXT NOT NULL,
  measures         TEXT NOT NULL,
  commitments      TEXT NOT NULL,
  modes            TEXT NOT NULL CHECK (modes <> ''),
  response_minutes INTEGER NOT NULL CHECK (response_minutes >= 0),
  status           TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'withdrawn')),
  status_reason    TEXT NOT NULL
) STRICT;

CREATE TABLE teams (
  id                   INTEGER PRIMARY KEY,
  code                 TEXT NOT NULL UNIQUE CHECK (code <> ''),
  organisation_id      INTEGER NOT NULL REFERENCES organisations(id),
  name                 TEXT NOT NULL CHECK (name <> ''),
  home_place           TEXT NOT NULL CHECK (home_place <> ''),
  mobilization_minutes INTEGER NOT NULL CHECK (mobilization_minutes >= 0),
  modes                TEXT NOT NULL CHECK (modes <> ''),
  max_work_elevation_m INTEGER NOT NULL CHECK (max_work_elevation_m >= 0),
  status               TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'withdrawn')),
  status_reason        TEXT NOT NULL
) STRICT;
CREATE INDEX teams_by_organisation ON teams(organisation_id);

CREATE TABLE team_capacities (
  team_id      INTEGER NOT NULL REFERENCES teams(id),
  specialty_id INTEGER NOT NULL REFERENCES specialties(id),
  quantity     INTEGER NOT NULL CHECK (quantity > 0),
  splittable   INTEGER NOT NULL CHECK (splittable IN (0, 1)),
  PRIMARY KEY (team_id, specialty_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX team_capacities_by_specialty ON team_capacities(specialty_id);

CREATE TABLE personnel (
  id      INTEGER PRIMARY KEY,
  code    TEXT NOT NULL UNIQUE CHECK (code <> ''),
  name    TEXT NOT NULL CHECK (name <> ''),
  veteran INTEGER NOT NULL CHECK (veteran IN (0, 1))
) STRICT;

-- position keeps the order in which skills and certifications were entered.
CREATE TABLE personnel_skills (
  person_id INTEGER NOT NULL REFERENCES personnel(id),
  position  INTEGER NOT NULL,
  skill     TEXT NOT NULL CHECK (skill <> ''),
  PRIMARY KEY (person_id, position),
  UNIQUE (person_id, skill)
) STRICT, WITHOUT ROWID;

CREATE TABLE certifications (
  person_id  INTEGER NOT NULL REFERENCES personnel(id),
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL CHECK (name <> ''),
  expires_on INTEGER NOT NULL,
  PRIMARY KEY (person_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE memberships (
  person_id INTEGER NOT NULL REFERENCES personnel(id),
  team_id   INTEGER NOT NULL REFERENCES teams(id),
  PRIMARY KEY (person_id, team_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX memberships_by_team ON memberships(team_id);

-- One row per department check; a team may hold several per department over the years (the
-- latest by checked_on counts, see engine/registry/eligibility.h).
CREATE TABLE vetting (
  id         INTEGER PRIMARY KEY,
  team_id    INTEGER NOT NULL REFERENCES teams(id),
  department TEXT NOT NULL CHECK (department IN ('discipline_inspection', 'civil_affairs',
                                                 'human_resources', 'emergency_management',
                                                 'market_supervision')),
  checked_on INTEGER NOT NULL,
  examiner   TEXT NOT NULL CHECK (examiner <> ''),
  expires_on INTEGER NOT NULL,
  passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
  reason     TEXT NOT NULL,
  CHECK (expires_on > checked_on)
) STRICT;
CREATE INDEX vetting_by_team ON vetting(team_id);

CREATE TABLE agreements (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE CHECK (code <> ''),
  organisation_id INTEGER NOT NULL REFERENCES organisations(id),
  joint_review_on INTEGER NOT NULL,
  notice_from     INTEGER NOT NULL,
  notice_until    INTEGER NOT NULL,
  signed_on       INTEGER NOT NULL,
  expires_on      INTEGER NOT NULL,
  modes           TEXT NOT NULL CHECK (modes <> ''),
  CHECK (joint_review_on <= notice_from AND notice_from < notice_until AND
         notice_until <= signed_on AND signed_on < expires_on)
) STRICT;
CREATE INDEX agreements_by_organisation ON agreements(organisation_id);

-- Append-only. `at` is the actor's instant (ms since 1970 UTC); seq the order of changes.
CREATE TABLE audit (
  seq    INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  who    TEXT NOT NULL CHECK (who <> ''),
  action TEXT NOT NULL CHECK (action <> ''),
  entity TEXT NOT NULL,
  code   TEXT NOT NULL,
  detail TEXT NOT NULL,
  why    TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_code ON audit(code);

-- The first set of specialties (../shared/design/DOMAIN.md). More are added as data
-- (specialties.csv or RegistryStore::AddSpecialty), not by changing this migration.
INSERT INTO specialties (code, name_zh, name_en, unit) VALUES
  ('medical',        '医疗救护',     'medical rescue',                   'medics'),
  ('transport',      '交通运输',     'transport',                        'vehicles'),
  ('logistics',      '物资供给',     'logistics and material supply',    'tonnes_per_day'),
  ('communications', '通信保障',     'communications',                   'crews'),
  ('spectrum',       '频谱管控',     'radio spectrum control',           'monitoring_units'),
  ('road_repair',    '保交护路',     'road protection and repair',       'machines'),
  ('security',       '安全警戒',     'security',                         'guards'),
  ('water_power',    '取水用电',     'water and power',                  'units'),
  ('technical',      '科技信息支援', 'technical and information support', 'specialists');
)sql";

// Credentials for `baiying serve` (credentials.h). A token is kept as its SHA-256 and its
// first 8 characters, never whole. `seq` orders the rows and makes the public id (seq 3 is
// 'CR-0003'). A credential is live until revoked; revoked_at, revoked_by and revoke_reason are
// set together, once. Issues and revocations are also written to the audit table.
constexpr std::string_view kMigration2 = R"sql(
CREATE TABLE credentials (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE CHECK (id GLOB 'CR-[0-9][0-9][0-9][0-9]*'),
  role          TEXT NOT NULL CHECK (role IN ('unit', 'officer', 'admin')),
  holder        TEXT NOT NULL CHECK (holder <> ''),
  unit          TEXT NOT NULL,
  token_prefix  TEXT NOT NULL CHECK (length(token_prefix) = 8),
  token_sha256  TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
  issued_at     INTEGER NOT NULL,
  issued_by     TEXT NOT NULL CHECK (issued_by <> ''),
  revoked_at    INTEGER,
  revoked_by    TEXT NOT NULL DEFAULT '',
  revoke_reason TEXT NOT NULL DEFAULT '',
  CHECK ((role = 'unit') = (unit <> '')),
  CHECK ((revoked_at IS NULL AND revoked_by = '' AND revoke_reason = '') OR
         (revoked_at IS NOT NULL AND revoked_by <> '' AND revoke_reason <> ''))
) STRICT;
)sql";

constexpr std::array<Migration, 2> kMigrations = {{
    {1, "registry tables, audit, seed specialties", kMigration1},
    {2, "credentials (token digests, roles, revocations)", kMigration2},
}};

}  // namespace

std::span<const Migration> Migrations() {
  return kMigrations;
}

int LatestSchemaVersion() {
  return kMigrations.back().version;
}

Result<int> Migrate(Database& db) {
  Result<std::int64_t> found = db.PragmaInt("user_version");
  if (!found.ok()) return found.status().WithPrefix(db.path());
  if (*found > LatestSchemaVersion()) {
    return Status::FailedPrecondition(db.path() + ": the database is at schema version " +
                                      std::to_string(*found) + ", newer than this build knows (" +
                                      std::to_string(LatestSchemaVersion()) +
                                      "); use a newer baiying");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= *found) continue;
    Result<Transaction> tx = Transaction::Begin(db);
    if (!tx.ok()) return tx.status().WithPrefix(db.path());
    // Another process may have migrated while we waited for the write lock.
    Result<std::int64_t> now = db.PragmaInt("user_version");
    if (!now.ok()) return now.status().WithPrefix(db.path());
    if (*now < m.version) {
      const std::string where = db.path() + ": migration " + std::to_string(m.version) + " (" +
                                std::string(m.summary) + ")";
      BAIYING_RETURN_IF_ERROR(db.Execute(m.sql).WithPrefix(where));
      // user_version lives in the file header, which the transaction covers.
      BAIYING_RETURN_IF_ERROR(
          db.Execute("PRAGMA user_version = " + std::to_string(m.version)).WithPrefix(where));
    }
    BAIYING_RETURN_IF_ERROR(tx->Commit().WithPrefix(db.path()));
  }
  Result<std::int64_t> reached = db.PragmaInt("user_version");
  if (!reached.ok()) return reached.status().WithPrefix(db.path());
  return static_cast<int>(*reached);
}

Result<Database> OpenMigrated(const std::filesystem::path& path, const DatabaseOptions& options) {
  if (options.busy_timeout_ms < 0) {
    return Status::InvalidArgument("busy_timeout_ms must not be negative");
  }
  Result<Database> db = Database::Open(path, options);
  if (!db.ok()) return db.status();
  Result<int> version = Migrate(*db);
  if (!version.ok()) return version.status();
  return db;
}

Status WriteAuditRow(Database& db, const AuditRow& row) {
  Result<CachedStatement> stmt = db.Prepare(
      "INSERT INTO audit (at, who, action, entity, code, detail, why) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt.ok()) return stmt.status().WithPrefix("audit");
  BAIYING_RETURN_IF_ERROR((*stmt)->BindAll(row.at.time_since_epoch().count(), row.who, row.action,
                                           row.entity, row.code, row.detail, row.why));
  return (*stmt)->Run().WithPrefix("audit");
}

}  // namespace baiying::store
