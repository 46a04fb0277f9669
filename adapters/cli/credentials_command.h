#pragma once
// `baiying credentials`: issue, list and revoke the credentials that clients of `baiying
// serve` present (adapters/store/credentials.h). They live in the registry database, the
// default one of `baiying registry` (created and seeded on first use) or the file of --db,
// which must exist. A token is printed once, by `issue`; `list` shows only its first
// characters.

#include <filesystem>
#include <iosfwd>
#include <string>

#include "adapters/cli/registry_command.h"
#include "engine/core/time.h"

namespace baiying::cli {

enum class CredentialsAction { kIssue, kList, kRevoke };

struct CredentialsFlags {
  CredentialsAction action = CredentialsAction::kList;
  std::filesystem::path db = DefaultDatabasePath();
  bool db_given = false;  // a named database must exist; the default one is created
  std::string by;         // issue, revoke: who does it (default $USER, else "operator")
  Instant now{};          // the program's clock
  bool json = false;      // issue, list

  // issue
  std::string role;    // unit, officer or admin
  std::string holder;  // who holds it
  std::string unit;    // the requesting unit of a unit credential

  // revoke
  std::string id;  // "CR-0003"
  std::string reason;
};

// Runs one credentials action. Returns an ExitCode (route_command.h): 0 done, 2 a bad flag or
// an unknown id, 4 the database could not be opened or written.
int RunCredentials(const CredentialsFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
