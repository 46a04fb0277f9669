#pragma once
// The registry's schema as an ordered list of migrations. The file's PRAGMA user_version is
// the number of the last migration applied; at open every later migration runs, each in its
// own transaction together with the user_version it sets, so a crash leaves the file at a
// whole version. A migration, once released, never changes: a new need is a new migration.
//
// Storage conventions (see data/README.md):
//   - instants and dates are INTEGER milliseconds since 1970-01-01 UTC (the engine's
//     Instant, exactly); a date is its midnight UTC. Columns named *_on hold dates.
//   - enums are their text names (registry_types.h ToString), mode sets 'peacetime|emergency'.
//   - codes are the public identities; integer row ids never leave the store.

#include <filesystem>
#include <span>
#include <string_view>

#include "adapters/store/sqlite.h"
#include "engine/core/status.h"
#include "engine/core/time.h"

namespace baiying::store {

struct Migration {
  int version;               // 1, 2, 3, ... in order, no gaps
  std::string_view summary;  // for people
  std::string_view sql;      // one or more statements
};

std::span<const Migration> Migrations();
int LatestSchemaVersion();

// Applies every migration newer than the file's user_version and returns the version reached
// (LatestSchemaVersion()). FailedPrecondition when the file is newer than this build.
Result<int> Migrate(Database& db);

// Opens the registry database (Database::Open) and migrates it: the first step of every store
// on the file (RegistryStore, CredentialStore). InvalidArgument for a negative busy timeout.
Result<Database> OpenMigrated(const std::filesystem::path& path, const DatabaseOptions& options);

// One row of the audit table (migration 1): who did what to which record, when and why.
struct AuditRow {
  Instant at{};
  std::string_view who;
  std::string_view action;  // "enroll", "suspend", "issue", "revoke", ...
  std::string_view entity;  // "team", "organisation", "credential", ...
  std::string_view code;    // the record's public code or id
  std::string_view detail;  // what changed, for people
  std::string_view why;
};
// Appends `row` inside the caller's transaction.
Status WriteAuditRow(Database& db, const AuditRow& row);

}  // namespace baiying::store
