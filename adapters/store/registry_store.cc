#include "adapters/store/registry_store.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_map>
#include <utility>

#include "adapters/store/registry_csv.h"
#include "adapters/store/schema.h"
#include "adapters/store/sqlite.h"

namespace baiying::store {
namespace {

// Where a record is, for messages: "team 'TM-1'" for a call, "<dir>/teams.csv line 7" for
// an import. Errors read "<where>, field 'modes': ..." in both cases, so a person finds the
// record and the field the same way whichever door it came in by.
class Origin {
 public:
  explicit Origin(std::string where) : where_(std::move(where)) {}
  static Origin Record(std::string_view entity, std::string_view code) {
    if (code.empty()) return Origin(std::string(entity) + " without a code");
    return Origin(std::string(entity) + " '" + std::string(code) + "'");
  }

  Status Field(std::string_view field, std::string_view what,
               StatusCode code = StatusCode::kInvalidArgument) const {
    return Status(code, where_ + ", field '" + std::string(field) + "': " + std::string(what));
  }
  Status Wrap(const Status& status) const { return status.WithPrefix(where_); }
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

std::int64_t Millis(Instant t) {
  return t.time_since_epoch().count();
}
Instant FromMillis(std::int64_t ms) {
  return Instant(Duration(ms));
}

std::string Quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// Codes are single words: they appear in '|' lists (personnel.csv teams), in CSV files and
// on command lines, where a space or a separator would split them.
Status CheckCode(const Origin& origin, std::string_view code) {
  if (code.empty()) return origin.Field("code", "must not be empty");
  for (char c : code) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '|' || c == ',' || c == '"') {
      return origin.Field("code",
                          Quoted(code) + " must be one word, without spaces, quotes, ',' or '|'");
    }
  }
  return Status::Ok();
}

Status CheckNotEmpty(const Origin& origin, std::string_view field, std::string_view value) {
  return value.empty() ? origin.Field(field, "must not be empty") : Status::Ok();
}

Status CheckModes(const Origin& origin, ModeSet modes) {
  return modes.empty() ? origin.Field("modes",
                                      "must name at least one mode (peacetime, "
                                      "emergency or wartime)")
                       : Status::Ok();
}

Status CheckActor(const Actor& actor) {
  if (actor.who.empty()) {
    return Status::InvalidArgument("a change needs to say who makes it (actor.who is empty)");
  }
  return Status::Ok();
}

std::string_view StatusAction(RegistryStatus status) {
  switch (status) {
    case RegistryStatus::kActive:
      return "reinstate";
    case RegistryStatus::kSuspended:
      return "suspend";
    case RegistryStatus::kWithdrawn:
      return "withdraw";
  }
  return "set_status";
}

// --- What each change was, for the audit's detail column. Private details (a person's name,
// contacts) stay out: the audit is shown to supervisors, the cards are not. ---

std::string Describe(const Specialty& s) {
  return s.name_zh + " (" + s.name_en + "), counted in " + s.unit;
}

std::string Describe(const Organisation& o) {
  return o.name + ", " + std::string(ToString(o.kind)) + ", " + std::string(ToString(o.tier)) +
         " " + std::to_string(o.adcode) + ", modes " + ToString(o.modes) + ", responds in " +
         std::to_string(o.response_minutes) + " min, " + std::string(ToString(o.status));
}

std::string Describe(const CapacityEntry& c) {
  return c.specialty + " " + std::to_string(c.quantity) + (c.splittable ? " (splittable)" : "");
}

std::string Describe(const TeamEntry& t) {
  std::string out =
      t.name + " of " + t.organisation + ", home " + t.home_place + ", mobilizes in " +
      std::to_string(
          std::chrono::duration_cast<std::chrono::minutes>(t.mobilization_delay).count()) +
      " min, modes " + ToString(t.modes) + ", works up to " +
      std::to_string(t.max_work_elevation_m) + " m, " + std::string(ToString(t.status));
  if (!t.capacities.empty()) {
    out += ", capacities ";
    for (std::size_t i = 0; i < t.capacities.size(); ++i) {
      if (i > 0) out += " | ";
      out += Describe(t.capacities[i]);
    }
  }
  return out;
}

std::string Describe(const VettingEntry& v) {
  std::string out = std::string(ToString(v.department)) + (v.passed ? " pass" : " fail") +
                    ", checked " + FormatDate(v.checked_at) + " by " + v.examiner + ", expires " +
                    FormatDate(v.expires_at);
  if (!v.reason.empty()) out += ": " + v.reason;
  return out;
}

std::string Describe(const AgreementEntry& a) {
  return "with " + a.organisation + ", joint review " + FormatDate(a.joint_review_at) +
         ", notice " + FormatDate(a.notice_from) + " to " + FormatDate(a.notice_until) +
         ", signed " + FormatDate(a.signed_at) + ", expires " + FormatDate(a.expires_at) +
         ", modes " + ToString(a.modes);
}

std::string Describe(const PersonEntry& p) {
  std::string teams;
  for (const std::string& t : p.teams) {
    if (!teams.empty()) teams += '|';
    teams += t;
  }
  return std::string(p.veteran ? "veteran" : "specialist") + ", " +
         std::to_string(p.skills.size()) + " skills, " + std::to_string(p.certifications.size()) +
         " certifications, teams " + (teams.empty() ? "none" : teams);
}

// Reading stored enums: a value this build does not know means the file was edited by hand
// or by a newer build that did not raise the schema version, and is reported, not guessed.
template <typename E>
Result<E> Stored(std::optional<E> value, std::string_view table, std::string_view code,
                 std::string_view column, std::string_view text) {
  if (value) return *value;
  return Status::Internal("database: " + std::string(table) + " " + Quoted(code) + ": column " +
                          std::string(column) + " holds unknown value " + Quoted(text));
}

}  // namespace

struct RegistryStore::Impl {
  Database db;
  int schema_version = 0;

  explicit Impl(Database database, int version)
      : db(std::move(database)), schema_version(version) {}

  // The row id of the record with `code` in `table`, if any.
  Result<std::optional<std::int64_t>> FindId(std::string_view table, std::string_view code) {
    Result<CachedStatement> stmt =
        db.Prepare("SELECT id FROM " + std::string(table) + " WHERE code = ?1");
    if (!stmt.ok()) return stmt.status();
    BAIYING_RETURN_IF_ERROR((*stmt)->BindAll(code));
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>((*stmt)->ColumnInt64(0));
  }

  // The row id that `field` of a record refers to; NotFound naming both when there is none.
  Result<std::int64_t> Resolve(const Origin& origin, std::string_view field,
                               std::string_view entity, std::string_view table,
                               std::string_view code) {
    if (code.empty()) return origin.Field(field, "must not be empty");
    Result<std::optional<std::int64_t>> id = FindId(table, code);
    if (!id.ok()) return origin.Wrap(id.status());
    if (!id->has_value()) {
      return origin.Field(field, "no " + std::string(entity) + " with code " + Quoted(code),
                          StatusCode::kNotFound);
    }
    return **id;
  }

  // A code for a new record: well formed and not yet used. Checked before the INSERT so that
  // a duplicate reads as the registry's rule, not as SQLite's UNIQUE constraint.
  Status CheckNewCode(const Origin& origin, std::string_view entity, std::string_view table,
                      std::string_view code) {
    BAIYING_RETURN_IF_ERROR(CheckCode(origin, code));
    Result<std::optional<std::int64_t>> id = FindId(table, code);
    if (!id.ok()) return origin.Wrap(id.status());
    if (id->has_value()) {
      return origin.Field("code",
                          std::string(entity) + " " + Quoted(code) + " is already in the registry");
    }
    return Status::Ok();
  }

  Status Execute(const Origin& origin, std::string_view sql, const auto&... args) {
    Result<CachedStatement> stmt = db.Prepare(sql);
    if (!stmt.ok()) return origin.Wrap(stmt.status());
    BAIYING_RETURN_IF_ERROR(origin.Wrap((*stmt)->BindAll(args...)));
    return origin.Wrap((*stmt)->Run());
  }

  std::int64_t LastRowId() { return db.LastInsertRowId(); }

  Status InsertSpecialty(const Origin& origin, const Specialty& s) {
    BAIYING_RETURN_IF_ERROR(CheckNewCode(origin, "specialty", "specialties", s.code));
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "name_zh", s.name_zh));
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "name_en", s.name_en));
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "unit", s.unit));
    return Execute(origin,
                   "INSERT INTO specialties (code, name_zh, name_en, unit) VALUES (?1, ?2, ?3, ?4)",
                   s.code, s.name_zh, s.name_en, s.unit);
  }

  Status InsertOrganisation(const Origin& origin, const Organisation& o) {
    BAIYING_RETURN_IF_ERROR(CheckNewCode(origin, "organisation", "organisations", o.code));
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "name", o.name));
    BAIYING_RETURN_IF_ERROR(CheckModes(origin, o.modes));
    return Execute(origin,
                   "INSERT INTO organisations (code, name, kind, industry, tier, adcode, "
                   "contact_name, contact_phone, service_content, measures, commitments, modes, "
                   "response_minutes, status, status_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                   "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                   o.code, o.name, ToString(o.kind), o.industry, ToString(o.tier), o.adcode,
                   o.contact_name, o.contact_phone, o.service_content, o.measures, o.commitments,
                   ToString(o.modes), o.response_minutes, ToString(o.status), o.status_reason);
  }

  // Inserts the team without its capacities; returns its row id.
  Result<std::int64_t> InsertTeam(const Origin& origin, const TeamEntry& t,
                                  const PlaceCheck& check_place) {
    BAIYING_RETURN_IF_ERROR(CheckNewCode(origin, "team", "teams", t.code));
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "name", t.name));
    Result<std::int64_t> organisation =
        Resolve(origin, "organisation", "organisation", "organisations", t.organisation);
    if (!organisation.ok()) return organisation.status();
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "home_place", t.home_place));
    if (check_place) {
      const Status place = check_place(t.home_place);
      if (!place.ok()) return origin.Field("home_place", place.message(), place.code());
    }
    if (t.mobilization_delay < Duration::zero()) {
      return origin.Field("mobilization_minutes", "must not be negative");
    }
    // The schema keeps whole minutes, the unit in which teams commit and people read it.
    if (t.mobilization_delay % std::chrono::minutes(1) != Duration::zero()) {
      return origin.Field("mobilization_minutes", "must be a whole number of minutes");
    }
    BAIYING_RETURN_IF_ERROR(CheckModes(origin, t.modes));
    if (t.max_work_elevation_m < 0) {
      return origin.Field("max_work_elevation_m", "must not be negative");
    }
    BAIYING_RETURN_IF_ERROR(Execute(
        origin,
        "INSERT INTO teams (code, organisation_id, name, home_place, mobilization_minutes, modes, "
        "max_work_elevation_m, status, status_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        t.code, *organisation, t.name, t.home_place,
        std::chrono::duration_cast<std::chrono::minutes>(t.mobilization_delay).count(),
        ToString(t.modes), t.max_work_elevation_m, ToString(t.status), t.status_reason));
    return LastRowId();
  }

  Status InsertCapacity(const Origin& origin, std::int64_t team_id, std::string_view team_code,
                        const CapacityEntry& c) {
    Result<std::int64_t> specialty =
        Resolve(origin, "specialty", "specialty", "specialties", c.specialty);
    if (!specialty.ok()) return specialty.status();
    if (c.quantity == 0) return origin.Field("quantity", "must be positive");
    Result<CachedStatement> held =
        db.Prepare("SELECT 1 FROM team_capacities WHERE team_id = ?1 AND specialty_id = ?2");
    if (!held.ok()) return origin.Wrap(held.status());
    BAIYING_RETURN_IF_ERROR(origin.Wrap((*held)->BindAll(team_id, *specialty)));
    Result<bool> found = (*held)->Step();
    if (!found.ok()) return origin.Wrap(found.status());
    if (*found) {
      return origin.Field("specialty", "team " + Quoted(team_code) + " already has a capacity in " +
                                           Quoted(c.specialty));
    }
    return Execute(origin,
                   "INSERT INTO team_capacities (team_id, specialty_id, quantity, splittable) "
                   "VALUES (?1, ?2, ?3, ?4)",
                   team_id, *specialty, c.quantity, c.splittable);
  }

  Status InsertVetting(const Origin& origin, const VettingEntry& v) {
    Result<std::int64_t> team = Resolve(origin, "team", "team", "teams", v.team);
    if (!team.ok()) return team.status();
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "examiner", v.examiner));
    if (v.expires_at <= v.checked_at) {
      return origin.Field("expires_on", "expiry " + FormatDate(v.expires_at) +
                                            " is not after the check on " +
                                            FormatDate(v.checked_at));
    }
    return Execute(origin,
                   "INSERT INTO vetting (team_id, department, checked_on, examiner, expires_on, "
                   "passed, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   *team, ToString(v.department), Millis(v.checked_at), v.examiner,
                   Millis(v.expires_at), v.passed, v.reason);
  }

  Status InsertAgreement(const Origin& origin, const AgreementEntry& a) {
    BAIYING_RETURN_IF_ERROR(CheckNewCode(origin, "agreement", "agreements", a.code));
    Result<std::int64_t> organisation =
        Resolve(origin, "organisation", "organisation", "organisations", a.organisation);
    if (!organisation.ok()) return organisation.status();
    // The policy's order: joint review, then public notice, then signing, then expiry.
    struct Step {
      std::string_view field;
      Instant at;
    };
    const Step steps[] = {{"joint_review_on", a.joint_review_at},
                          {"notice_from", a.notice_from},
                          {"notice_until", a.notice_until},
                          {"signed_on", a.signed_at},
                          {"expires_on", a.expires_at}};
    // notice_from < notice_until and signed_on < expires_on are strict: a notice period and
    // a term of no length are not periods.
    const bool strict[] = {false, true, false, true};
    for (std::size_t i = 0; i + 1 < std::size(steps); ++i) {
      const Step& before = steps[i];
      const Step& after = steps[i + 1];
      if (after.at < before.at || (strict[i] && after.at == before.at)) {
        return origin.Field(after.field, FormatDate(after.at) + " must be " +
                                             (strict[i] ? "after " : "on or after ") +
                                             std::string(before.field) + " " +
                                             FormatDate(before.at));
      }
    }
    BAIYING_RETURN_IF_ERROR(CheckModes(origin, a.modes));
    return Execute(origin,
                   "INSERT INTO agreements (code, organisation_id, joint_review_on, notice_from, "
                   "notice_until, signed_on, expires_on, modes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                   "?7, ?8)",
                   a.code, *organisation, Millis(a.joint_review_at), Millis(a.notice_from),
                   Millis(a.notice_until), Millis(a.signed_at), Millis(a.expires_at),
                   ToString(a.modes));
  }

  Status InsertPerson(const Origin& origin, const PersonEntry& p) {
    BAIYING_RETURN_IF_ERROR(CheckNewCode(origin, "person", "personnel", p.code));
    BAIYING_RETURN_IF_ERROR(CheckNotEmpty(origin, "name", p.name));
    std::set<std::string_view> skills;
    for (const std::string& skill : p.skills) {
      if (skill.empty()) return origin.Field("skills", "a skill must not be empty");
      if (!skills.insert(skill).second) {
        return origin.Field("skills", Quoted(skill) + " is listed twice");
      }
    }
    for (const Certification& c : p.certifications) {
      if (c.name.empty()) return origin.Field("certifications", "a certification needs a name");
    }
    std::vector<std::int64_t> team_ids;
    for (const std::string& team : p.teams) {
      Result<std::int64_t> id = Resolve(origin, "teams", "team", "teams", team);
      if (!id.ok()) return id.status();
      if (std::find(team_ids.begin(), team_ids.end(), *id) != team_ids.end()) {
        return origin.Field("teams", Quoted(team) + " is listed twice");
      }
      team_ids.push_back(*id);
    }
    BAIYING_RETURN_IF_ERROR(
        Execute(origin, "INSERT INTO personnel (code, name, veteran) VALUES (?1, ?2, ?3)", p.code,
                p.name, p.veteran));
    const std::int64_t person = LastRowId();
    for (std::size_t i = 0; i < p.skills.size(); ++i) {
      BAIYING_RETURN_IF_ERROR(Execute(
          origin, "INSERT INTO personnel_skills (person_id, position, skill) VALUES (?1, ?2, ?3)",
          person, i, p.skills[i]));
    }
    for (std::size_t i = 0; i < p.certifications.size(); ++i) {
      BAIYING_RETURN_IF_ERROR(Execute(origin,
                                      "INSERT INTO certifications (person_id, position, name, "
                                      "expires_on) VALUES (?1, ?2, ?3, ?4)",
                                      person, i, p.certifications[i].name,
                                      Millis(p.certifications[i].expires_at)));
    }
    for (std::int64_t team : team_ids) {
      BAIYING_RETURN_IF_ERROR(Execute(
          origin, "INSERT INTO memberships (person_id, team_id) VALUES (?1, ?2)", person, team));
    }
    return Status::Ok();
  }

  Status WriteAudit(const Actor& actor, std::string_view action, std::string_view entity,
                    std::string_view code, std::string_view detail) {
    return WriteAuditRow(db, {actor.when, actor.who, action, entity, code, detail, actor.why});
  }

  // One change: validate and write `apply`, audit it, commit; all or nothing.
  template <typename Apply>
  Status Change(const Actor& actor, Apply apply) {
    BAIYING_RETURN_IF_ERROR(CheckActor(actor));
    Result<Transaction> tx = Transaction::Begin(db);
    if (!tx.ok()) return tx.status();
    BAIYING_RETURN_IF_ERROR(apply());
    return tx->Commit();
  }
};

RegistryStore::RegistryStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegistryStore::RegistryStore(RegistryStore&&) noexcept = default;
RegistryStore& RegistryStore::operator=(RegistryStore&&) noexcept = default;
RegistryStore::~RegistryStore() = default;

Result<RegistryStore> RegistryStore::Open(const std::filesystem::path& path,
                                          const StoreOptions& options) {
  Result<Database> db = OpenMigrated(
      path,
      DatabaseOptions{.create = !options.must_exist, .busy_timeout_ms = options.busy_timeout_ms});
  if (!db.ok()) return db.status();
  return RegistryStore(std::make_unique<Impl>(std::move(db).value(), LatestSchemaVersion()));
}

int RegistryStore::schema_version() const {
  return impl_->schema_version;
}

int RegistryStore::LatestSchemaVersion() {
  return ::baiying::store::LatestSchemaVersion();
}

Status RegistryStore::AddSpecialty(const Specialty& specialty, const Actor& actor) {
  return impl_->Change(actor, [&]() -> Status {
    BAIYING_RETURN_IF_ERROR(
        impl_->InsertSpecialty(Origin::Record("specialty", specialty.code), specialty));
    return impl_->WriteAudit(actor, "add", "specialty", specialty.code, Describe(specialty));
  });
}

Status RegistryStore::AddOrganisation(const Organisation& organisation, const Actor& actor) {
  return impl_->Change(actor, [&]() -> Status {
    BAIYING_RETURN_IF_ERROR(
        impl_->InsertOrganisation(Origin::Record("organisation", organisation.code), organisation));
    return impl_->WriteAudit(actor, "add", "organisation", organisation.code,
                             Describe(organisation));
  });
}

Status RegistryStore::EnrollTeam(const TeamEntry& team, const Actor& actor,
                                 const PlaceCheck& check_place) {
  return impl_->Change(actor, [&]() -> Status {
    const Origin origin = Origin::Record("team", team.code);
    Result<std::int64_t> id = impl_->InsertTeam(origin, team, check_place);
    if (!id.ok()) return id.status();
    for (const CapacityEntry& c : team.capacities) {
      BAIYING_RETURN_IF_ERROR(impl_->InsertCapacity(origin, *id, team.code, c));
    }
    return impl_->WriteAudit(actor, "enroll", "team", team.code, Describe(team));
  });
}

Status RegistryStore::RecordVetting(const VettingEntry& result, const Actor& actor) {
  return impl_->Change(actor, [&]() -> Status {
    const Origin origin("vetting of team " + Quoted(result.team) + " by " +
                        std::string(ToString(result.department)));
    BAIYING_RETURN_IF_ERROR(impl_->InsertVetting(origin, result));
    return impl_->WriteAudit(actor, "vet", "vetting", result.team, Describe(result));
  });
}

Status RegistryStore::SignAgreement(const AgreementEntry& agreement, const Actor& actor) {
  return impl_->Change(actor, [&]() -> Status {
    BAIYING_RETURN_IF_ERROR(
        impl_->InsertAgreement(Origin::Record("agreement", agreement.code), agreement));
    return impl_->WriteAudit(actor, "sign", "agreement", agreement.code, Describe(agreement));
  });
}

Status RegistryStore::AddPerson(const PersonEntry& person, const Actor& actor) {
  return impl_->Change(actor, [&]() -> Status {
    BAIYING_RETURN_IF_ERROR(impl_->InsertPerson(Origin::Record("person", person.code), person));
    return impl_->WriteAudit(actor, "add", "person", person.code, Describe(person));
  });
}

Status RegistryStore::SetStatus(Subject subject, std::string_view code, RegistryStatus status,
                                const Actor& actor) {
  const bool is_team = subject == Subject::kTeam;
  const std::string_view entity = is_team ? "team" : "organisation";
  const std::string_view table = is_team ? "teams" : "organisations";
  const std::string what = std::string(entity) + " " + Quoted(code);
  if (actor.why.empty()) {
    return Status::InvalidArgument(what + ": a reason is required to " +
                                   std::string(StatusAction(status)) + " (actor.why is empty)");
  }
  return impl_->Change(actor, [&]() -> Status {
    Result<CachedStatement> stmt =
        impl_->db.Prepare("SELECT id, status FROM " + std::string(table) + " WHERE code = ?1");
    if (!stmt.ok()) return stmt.status().WithPrefix(what);
    BAIYING_RETURN_IF_ERROR((*stmt)->BindAll(code));
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return row.status().WithPrefix(what);
    if (!*row) return Status::NotFound("no " + std::string(entity) + " with code " + Quoted(code));
    const std::int64_t id = (*stmt)->ColumnInt64(0);
    const std::string before = (*stmt)->ColumnText(1);
    if (before == ToString(status)) {
      return Status::FailedPrecondition(what + " is already " + before);
    }
    const Origin origin(what);
    BAIYING_RETURN_IF_ERROR(impl_->Execute(
        origin,
        "UPDATE " + std::string(table) + " SET status = ?1, status_reason = ?2 WHERE id = ?3",
        ToString(status), actor.why, id));
    return impl_->WriteAudit(actor, StatusAction(status), entity, code,
                             before + " -> " + std::string(ToString(status)));
  });
}

Result<ImportReport> RegistryStore::Import(const std::filesystem::path& directory,
                                           const Actor& actor, const PlaceCheck& check_place) {
  BAIYING_RETURN_IF_ERROR(CheckActor(actor));
  // Parse every file before touching the database: a malformed line costs no lock.
  Result<RegistryCsv> files = ReadRegistryCsv(directory);
  if (!files.ok()) return files.status();
  const RegistryCsv& csv = *files;
  ImportReport report;
  Impl& s = *impl_;
  const auto audit = [&](std::string_view entity, std::string_view code, const Origin& origin,
                         const std::string& detail) {
    return s.WriteAudit(actor, "import", entity, code, origin.where() + ": " + detail);
  };
  const Status status = s.Change(actor, [&]() -> Status {
    for (const auto& [entry, where] : csv.specialties) {
      const Origin origin(where);
      BAIYING_RETURN_IF_ERROR(s.InsertSpecialty(origin, entry));
      BAIYING_RETURN_IF_ERROR(audit("specialty", entry.code, origin, Describe(entry)));
      ++report.specialties;
    }
    for (const auto& [entry, where] : csv.organisations) {
      const Origin origin(where);
      BAIYING_RETURN_IF_ERROR(s.InsertOrganisation(origin, entry));
      BAIYING_RETURN_IF_ERROR(audit("organisation", entry.code, origin, Describe(entry)));
      ++report.organisations;
    }
    for (const auto& [entry, where] : csv.teams) {
      const Origin origin(where);
      Result<std::int64_t> id = s.InsertTeam(origin, entry, check_place);
      if (!id.ok()) return id.status();
      BAIYING_RETURN_IF_ERROR(audit("team", entry.code, origin, Describe(entry)));
      ++report.teams;
    }
    for (const auto& [row, where] : csv.capacities) {
      const Origin origin(where);
      Result<std::int64_t> team = s.Resolve(origin, "team", "team", "teams", row.team);
      if (!team.ok()) return team.status();
      BAIYING_RETURN_IF_ERROR(s.InsertCapacity(origin, *team, row.team, row.capacity));
      BAIYING_RETURN_IF_ERROR(audit("capacity", row.team, origin, Describe(row.capacity)));
      ++report.capacities;
    }
    for (const auto& [entry, where] : csv.vetting) {
      const Origin origin(where);
      BAIYING_RETURN_IF_ERROR(s.InsertVetting(origin, entry));
      BAIYING_RETURN_IF_ERROR(audit("vetting", entry.team, origin, Describe(entry)));
      ++report.vetting;
    }
    for (const auto& [entry, where] : csv.agreements) {
      const Origin origin(where);
      BAIYING_RETURN_IF_ERROR(s.InsertAgreement(origin, entry));
      BAIYING_RETURN_IF_ERROR(audit("agreement", entry.code, origin, Describe(entry)));
      ++report.agreements;
    }
    for (const auto& [entry, where] : csv.personnel) {
      const Origin origin(where);
      BAIYING_RETURN_IF_ERROR(s.InsertPerson(origin, entry));
      BAIYING_RETURN_IF_ERROR(audit("person", entry.code, origin, Describe(entry)));
      ++report.personnel;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return report;
}

Result<Registry> RegistryStore::Load() const {
  Database& db = impl_->db;
  // One read transaction: every table from the same committed state, even while another
  // process writes.
  Result<Transaction> tx = Transaction::Begin(db, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status();

  // Runs `sql` and calls `on_row(statement)` for every row.
  const auto each_row = [&db](std::string_view sql, const auto& on_row) -> Status {
    Result<CachedStatement> stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    while (true) {
      Result<bool> row = (*stmt)->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      BAIYING_RETURN_IF_ERROR(on_row(**stmt));
    }
  };

  RegistryData data;
  // Row ids to snapshot ids, which are positions in code order.
  std::unordered_map<std::int64_t, SpecialtyId> specialty_ids;
  std::unordered_map<std::int64_t, OrganisationId> organisation_ids;
  std::unordered_map<std::int64_t, TeamId> team_ids;
  std::unordered_map<std::int64_t, PersonId> person_ids;

  BAIYING_RETURN_IF_ERROR(each_row(
      "SELECT id, code, name_zh, name_en, unit FROM specialties ORDER BY code",
      [&](const Statement& row) -> Status {
        if (data.specialties.size() >= SpecialtyId::Invalid().value()) {
          return Status::ResourceExhausted("database: more specialties than the engine holds");
        }
        const SpecialtyId id(static_cast<SpecialtyId::rep_type>(data.specialties.size()));
        specialty_ids.emplace(row.ColumnInt64(0), id);
        data.specialties.push_back(
            {id, row.ColumnText(1), row.ColumnText(2), row.ColumnText(3), row.ColumnText(4)});
        return Status::Ok();
      }));

  BAIYING_RETURN_IF_ERROR(each_row(
      "SELECT id, code, name, kind, industry, tier, adcode, contact_name, contact_phone, "
      "service_content, measures, commitments, modes, response_minutes, status, status_reason "
      "FROM organisations ORDER BY code",
      [&](const Statement& row) -> Status {
        Organisation o;
        o.id = OrganisationId(static_cast<std::uint32_t>(data.organisations.size()));
        o.code = row.ColumnText(1);
        o.name = row.ColumnText(2);
        const std::string kind = row.ColumnText(3);
        Result<OrganisationKind> k =
            Stored(ParseOrganisationKind(kind), "organisation", o.code, "kind", kind);
        if (!k.ok()) return k.status();
        o.kind = *k;
        o.industry = row.ColumnText(4);
        const std::string tier = row.ColumnText(5);
        Result<Tier> t = Stored(ParseTier(tier), "organisation", o.code, "tier", tier);
        if (!t.ok()) return t.status();
        o.tier = *t;
        o.adcode = static_cast<std::uint32_t>(row.ColumnInt64(6));
        o.contact_name = row.ColumnText(7);
        o.contact_phone = row.ColumnText(8);
        o.service_content = row.ColumnText(9);
        o.measures = row.ColumnText(10);
        o.commitments = row.ColumnText(11);
        const std::string modes = row.ColumnText(12);
        Result<ModeSet> m = Stored(ParseModeSet(modes), "organisation", o.code, "modes", modes);
        if (!m.ok()) return m.status();
        o.modes = *m;
        o.response_minutes = static_cast<std::uint32_t>(row.ColumnInt64(13));
        const std::string status = row.ColumnText(14);
        Result<RegistryStatus> st =
            Stored(ParseRegistryStatus(status), "organisation", o.code, "status", status);
        if (!st.ok()) return st.status();
        o.status = *st;
        o.status_reason = row.ColumnText(15);
        organisation_ids.emplace(row.ColumnInt64(0), o.id);
        data.organisations.push_back(std::move(o));
        return Status::Ok();
      }));

  BAIYING_RETURN_IF_ERROR(
      each_row("SELECT id, code, organisation_id, name, home_place, mobilization_minutes, modes, "
               "max_work_elevation_m, status, status_reason FROM teams ORDER BY code",
               [&](const Statement& row) -> Status {
                 Team t;
                 t.id = TeamId(static_cast<std::uint32_t>(data.teams.size()));
                 t.code = row.ColumnText(1);
                 // Foreign keys guarantee the organisation; an unknown one stays invalid and
                 // Registry::Build reports it.
                 const auto org = organisation_ids.find(row.ColumnInt64(2));
                 if (org != organisation_ids.end()) t.organisation = org->second;
                 t.name = row.ColumnText(3);
                 t.home_place = row.ColumnText(4);
                 t.mobilization_delay = std::chrono::minutes(row.ColumnInt64(5));
                 const std::string modes = row.ColumnText(6);
                 Result<ModeSet> m = Stored(ParseModeSet(modes), "team", t.code, "modes", modes);
                 if (!m.ok()) return m.status();
                 t.modes = *m;
                 t.max_work_elevation_m = static_cast<std::int32_t>(row.ColumnInt64(7));
                 const std::string status = row.ColumnText(8);
                 Result<RegistryStatus> st =
                     Stored(ParseRegistryStatus(status), "team", t.code, "status", status);
                 if (!st.ok()) return st.status();
                 t.status = *st;
                 t.status_reason = row.ColumnText(9);
                 team_ids.emplace(row.ColumnInt64(0), t.id);
                 data.teams.push_back(std::move(t));
                 return Status::Ok();
               }));

  BAIYING_RETURN_IF_ERROR(
      each_row("SELECT team_id, specialty_id, quantity, splittable FROM team_capacities",
               [&](const Statement& row) -> Status {
                 const auto team = team_ids.find(row.ColumnInt64(0));
                 if (team == team_ids.end())
                   return Status::Internal("database: capacity of no team");
                 TeamCapacity c;
                 const auto specialty = specialty_ids.find(row.ColumnInt64(1));
                 if (specialty != specialty_ids.end()) c.specialty = specialty->second;
                 c.quantity = static_cast<std::uint32_t>(row.ColumnInt64(2));
                 c.splittable = row.ColumnInt64(3) != 0;
                 data.teams[team->second.value()].capacities.push_back(c);
                 return Status::Ok();
               }));
  for (Team& t : data.teams) {
    std::sort(
        t.capacities.begin(), t.capacities.end(),
        [](const TeamCapacity& a, const TeamCapacity& b) { return a.specialty < b.specialty; });
  }

  // In the order they were recorded: eligibility breaks ties of checked_at by position.
  BAIYING_RETURN_IF_ERROR(each_row(
      "SELECT team_id, department, checked_on, examiner, expires_on, passed, reason "
      "FROM vetting ORDER BY id",
      [&](const Statement& row) -> Status {
        VettingResult v;
        const auto team = team_ids.find(row.ColumnInt64(0));
        if (team != team_ids.end()) v.team = team->second;
        const std::string department = row.ColumnText(1);
        if (!v.team.valid()) return Status::Internal("database: vetting result of no team");
        Result<Department> d = Stored(ParseDepartment(department), "vetting of team",
                                      data.teams[v.team.value()].code, "department", department);
        if (!d.ok()) return d.status();
        v.department = *d;
        v.checked_at = FromMillis(row.ColumnInt64(2));
        v.examiner = row.ColumnText(3);
        v.expires_at = FromMillis(row.ColumnInt64(4));
        v.passed = row.ColumnInt64(5) != 0;
        v.reason = row.ColumnText(6);
        data.vetting.push_back(std::move(v));
        return Status::Ok();
      }));

  BAIYING_RETURN_IF_ERROR(each_row(
      "SELECT code, organisation_id, joint_review_on, notice_from, notice_until, signed_on, "
      "expires_on, modes FROM agreements ORDER BY code",
      [&](const Statement& row) -> Status {
        Agreement a;
        a.code = row.ColumnText(0);
        const auto org = organisation_ids.find(row.ColumnInt64(1));
        if (org != organisation_ids.end()) a.organisation = org->second;
        a.joint_review_at = FromMillis(row.ColumnInt64(2));
        a.notice_from = FromMillis(row.ColumnInt64(3));
        a.notice_until = FromMillis(row.ColumnInt64(4));
        a.signed_at = FromMillis(row.ColumnInt64(5));
        a.expires_at = FromMillis(row.ColumnInt64(6));
        const std::string modes = row.ColumnText(7);
        Result<ModeSet> m = Stored(ParseModeSet(modes), "agreement", a.code, "modes", modes);
        if (!m.ok()) return m.status();
        a.modes = *m;
        data.agreements.push_back(std::move(a));
        return Status::Ok();
      }));

  BAIYING_RETURN_IF_ERROR(each_row("SELECT id, code, name, veteran FROM personnel ORDER BY code",
                                   [&](const Statement& row) -> Status {
                                     PersonnelCard p;
                                     p.id = PersonId(
                                         static_cast<std::uint32_t>(data.personnel.size()));
                                     p.code = row.ColumnText(1);
                                     p.name = row.ColumnText(2);
                                     p.veteran = row.ColumnInt64(3) != 0;
                                     person_ids.emplace(row.ColumnInt64(0), p.id);
                                     data.personnel.push_back(std::move(p));
                                     return Status::Ok();
                                   }));
  const auto person_of = [&](std::int64_t row_id) -> PersonnelCard* {
    const auto it = person_ids.find(row_id);
    return it == person_ids.end() ? nullptr : &data.personnel[it->second.value()];
  };
  BAIYING_RETURN_IF_ERROR(
      each_row("SELECT person_id, skill FROM personnel_skills ORDER BY person_id, position",
               [&](const Statement& row) -> Status {
                 PersonnelCard* p = person_of(row.ColumnInt64(0));
                 if (p == nullptr) return Status::Internal("database: skill of no person");
                 p->skills.push_back(row.ColumnText(1));
                 return Status::Ok();
               }));
  BAIYING_RETURN_IF_ERROR(each_row(
      "SELECT person_id, name, expires_on FROM certifications ORDER BY person_id, position",
      [&](const Statement& row) -> Status {
        PersonnelCard* p = person_of(row.ColumnInt64(0));
        if (p == nullptr) return Status::Internal("database: certification of no person");
        p->certifications.push_back({row.ColumnText(1), FromMillis(row.ColumnInt64(2))});
        return Status::Ok();
      }));
  BAIYING_RETURN_IF_ERROR(
      each_row("SELECT person_id, team_id FROM memberships", [&](const Statement& row) -> Status {
        PersonnelCard* p = person_of(row.ColumnInt64(0));
        if (p == nullptr) return Status::Internal("database: membership of no person");
        const auto team = team_ids.find(row.ColumnInt64(1));
        p->teams.push_back(team == team_ids.end() ? TeamId::Invalid() : team->second);
        return Status::Ok();
      }));
  for (PersonnelCard& p : data.personnel)
    std::sort(p.teams.begin(), p.teams.end());

  BAIYING_RETURN_IF_ERROR(tx->Commit());
  Result<Registry> registry = Registry::Build(std::move(data));
  if (!registry.ok()) return registry.status().WithPrefix("database");
  return registry;
}

Result<std::vector<AuditEntry>> RegistryStore::Audit(std::optional<std::string> code) const {
  Database& db = impl_->db;
  constexpr std::string_view kColumns =
      "SELECT seq, at, who, action, entity, code, detail, why FROM audit";
  Result<CachedStatement> stmt =
      code ? db.Prepare(std::string(kColumns) + " WHERE code = ?1 ORDER BY seq")
           : db.Prepare(std::string(kColumns) + " ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  if (code) BAIYING_RETURN_IF_ERROR((*stmt)->BindAll(*code));
  std::vector<AuditEntry> entries;
  while (true) {
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const Statement& r = **stmt;
    entries.push_back({r.ColumnInt64(0), FromMillis(r.ColumnInt64(1)), r.ColumnText(2),
                       r.ColumnText(3), r.ColumnText(4), r.ColumnText(5), r.ColumnText(6),
                       r.ColumnText(7)});
  }
  return entries;
}

}  // namespace baiying::store
