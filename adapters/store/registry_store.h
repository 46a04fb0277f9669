#pragma once
// RegistryStore: the support registry (社会拥军名录) in SQLite. WAL journal, a versioned schema
// whose migrations run at Open, prepared statements reused, and an audit row (who, when, what,
// why) for every change, written in the same transaction as the change itself.
//
// Records are addressed by their public codes ("ORG-LS-001", "TM-LS-MED-01"); row ids never
// leave the store. Load() returns an immutable engine snapshot (engine/registry/registry.h)
// in which ids are positions in code order.
//
// Thread safety: not thread-safe; one RegistryStore per thread (SQLite's own locking keeps
// several processes on one file consistent).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/registry/registry.h"
#include "engine/registry/registry_types.h"

namespace baiying::store {

struct StoreOptions {
  // Fail with NotFound instead of creating a new database file.
  bool must_exist = false;
  // How long a writer waits for another process's lock before Unavailable.
  int busy_timeout_ms = 5000;
};

// Who makes a change, when and why. `when` is given by the caller (the program reads the
// clock; tests and drills pass their own), `why` is required for suspensions and
// reinstatements.
struct Actor {
  std::string who;
  Instant when{};
  std::string why;
};

// --- Changes, by code. Validation errors name the record's code and the field. ---
//
// Every change checks, before it writes: actor.who is not empty; codes are one word (no
// spaces, quotes, ',' or '|') and new (a code in use is InvalidArgument "team 'TM-1', field
// 'code': team 'TM-1' is already in the registry"); names are not empty; references exist
// (NotFound "team 'TM-1', field 'organisation': no organisation with code 'ORG-9'"); modes
// are not empty; quantities are positive; a mobilization delay is whole minutes, not
// negative; vetting expires after it was checked; agreement dates run joint review <= notice
// from < notice until <= signed < expires. Each change and its audit row commit together.

struct CapacityEntry {
  std::string specialty;  // specialty code
  std::uint32_t quantity = 0;
  bool splittable = false;
};

struct TeamEntry {
  std::string code;
  std::string name;
  std::string organisation;  // organisation code
  std::vector<CapacityEntry> capacities;
  std::string home_place;  // a place name of the road network
  Duration mobilization_delay{0};
  ModeSet modes;
  std::int32_t max_work_elevation_m = 0;
  RegistryStatus status = RegistryStatus::kActive;
  std::string status_reason;
};

struct VettingEntry {
  std::string team;  // team code
  Department department = Department::kDisciplineInspection;
  Instant checked_at{};
  std::string examiner;
  Instant expires_at{};
  bool passed = false;
  std::string reason;
};

struct AgreementEntry {
  std::string code;
  std::string organisation;  // organisation code
  Instant joint_review_at{};
  Instant notice_from{};
  Instant notice_until{};
  Instant signed_at{};
  Instant expires_at{};
  ModeSet modes;
};

struct PersonEntry {
  std::string code;
  std::string name;
  bool veteran = false;
  std::vector<std::string> skills;
  std::vector<Certification> certifications;
  std::vector<std::string> teams;  // team codes
};

enum class Subject { kTeam, kOrganisation };

struct AuditEntry {
  std::int64_t seq = 0;  // order of changes
  Instant at{};
  std::string who;
  std::string action;  // "enroll", "vet", "sign", "suspend", "reinstate", "import", ...
  std::string entity;  // "organisation", "team", "vetting", "agreement", "person", "specialty"
  std::string code;    // the record's code
  std::string detail;  // what changed, for people
  std::string why;
};

struct ImportReport {
  std::size_t specialties = 0;
  std::size_t organisations = 0;
  std::size_t teams = 0;
  std::size_t capacities = 0;
  std::size_t vetting = 0;
  std::size_t agreements = 0;
  std::size_t personnel = 0;
};

// Checks a home place name against the road network; returns InvalidArgument or NotFound
// with a message for people. Given by the caller, who holds the network.
using PlaceCheck = std::function<Status(std::string_view place)>;

class RegistryStore {
 public:
  static Result<RegistryStore> Open(const std::filesystem::path& path,
                                    const StoreOptions& options = {});

  RegistryStore(RegistryStore&&) noexcept;
  RegistryStore& operator=(RegistryStore&&) noexcept;
  ~RegistryStore();

  // The schema version the file is at after Open (the newest this build knows).
  int schema_version() const;
  static int LatestSchemaVersion();

  // Imports the CSV files of `directory` (formats in data/README.md): specialties.csv
  // (optional), organisations.csv, teams.csv, capacities.csv, vetting.csv, agreements.csv,
  // personnel.csv; any may be absent. All or nothing: the first error (naming file, line and
  // field) rolls everything back. Codes already in the database are errors, not updates.
  // `check_place` (may be empty) vets every team's home place.
  Result<ImportReport> Import(const std::filesystem::path& directory, const Actor& actor,
                              const PlaceCheck& check_place = {});

  Status AddSpecialty(const Specialty& specialty, const Actor& actor);
  Status AddOrganisation(const Organisation& organisation, const Actor& actor);
  Status EnrollTeam(const TeamEntry& team, const Actor& actor, const PlaceCheck& check_place = {});
  Status RecordVetting(const VettingEntry& result, const Actor& actor);
  Status SignAgreement(const AgreementEntry& agreement, const Actor& actor);
  Status AddPerson(const PersonEntry& person, const Actor& actor);

  // Suspends (status kSuspended) or reinstates (kActive) a team or an organisation; withdraws
  // (kWithdrawn). actor.why is required. FailedPrecondition when the status is already that.
  Status SetStatus(Subject subject, std::string_view code, RegistryStatus status,
                   const Actor& actor);

  // The whole registry as an engine snapshot.
  Result<Registry> Load() const;

  // Audit rows, oldest first; only those about `code` when given.
  Result<std::vector<AuditEntry>> Audit(std::optional<std::string> code = std::nullopt) const;

 private:
  struct Impl;
  explicit RegistryStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "2025-03-01" <-> midnight UTC; InvalidArgument for anything else.
Result<Instant> ParseDate(std::string_view text);

}  // namespace baiying::store
