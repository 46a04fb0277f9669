#pragma once
// `baiying registry`: registry staff's commands on a database file. Every change is audited
// (who: --actor, why: --reason, when: the clock of this program).

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "adapters/store/registry_store.h"
#include "engine/core/time.h"
#include "engine/registry/registry.h"
#include "engine/roads/road_graph.h"

namespace baiying::cli {

std::filesystem::path DefaultDatabasePath();      // ./baiying.db, or $BAIYING_DB
std::filesystem::path DefaultSeedRegistryPath();  // <data>/xizang/registry

enum class RegistryAction {
  kInit,
  kImport,
  kEnrollOrganisation,
  kEnrollTeam,
  kVet,
  kSign,
  kSuspend,
  kReinstate,
  kShow,
  kList,
  kPublish,
  kExport,
  kAudit,
};

struct RegistryFlags {
  RegistryAction action = RegistryAction::kList;
  std::filesystem::path db = DefaultDatabasePath();
  bool db_given = false;  // a database named on the command line is never seeded on its own
  std::filesystem::path network = std::filesystem::path();  // default: data/xizang
  std::string actor;                                        // default: $USER
  std::string reason;                                       // why the change is made
  Instant now{};                                            // the program's clock, or --at
  bool json = false;

  // init
  bool empty = false;  // create without the seed registry

  // import
  std::filesystem::path import_dir;

  // enroll org / enroll team / vet / sign / suspend / reinstate / show
  Organisation organisation;            // enroll org (code, name, ... )
  std::string modes;                    // enroll, sign: "emergency|wartime"
  store::TeamEntry team;                // enroll team
  std::vector<std::string> capacities;  // enroll team: "medical:6" or "medical:6:split"
  std::int64_t mobilization_minutes = 0;
  store::VettingEntry vetting;  // vet
  std::string department, result, checked_on, expires_on;
  store::AgreementEntry agreement;  // sign
  std::string joint_review_on, notice_from, notice_until, signed_on;
  std::string team_code, organisation_code;  // suspend, reinstate
  std::string target;                        // show: a team or organisation code
  std::string kind, tier;                    // enroll org

  // list / publish filters
  std::optional<std::string> filter_tier, filter_area, filter_specialty, filter_mode, filter_status;
  bool only_dispatchable = false;
  std::string format = "csv";                // publish: csv or json
  std::optional<std::filesystem::path> out;  // publish, export: a file instead of stdout
  std::optional<std::string> audit_code;
};

// Opens the registry database named by `flags` (db, db_given, action, empty, network); the
// default database is created and seeded on first use. Notes for people go to `err`.
Result<store::RegistryStore> OpenRegistryStore(const RegistryFlags& flags, std::ostream& err);

// What `match` and `serve` work on: the road network (data/xizang unless named) and the
// registry snapshot of the named database, or of the default one (seeded on first use).
struct Ground {
  std::filesystem::path network;
  RoadGraph graph;
  std::filesystem::path db;  // the database the registry came from
  Registry registry;
};
// Errors name the file; all of them are data errors (kExitDataError).
Result<Ground> LoadGround(const std::filesystem::path& network, const std::filesystem::path& db,
                          bool db_given, Instant now, std::ostream& err);

// Runs one registry action. Returns an ExitCode (route_command.h).
int RunRegistry(RegistryFlags flags, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
