#include "adapters/cli/serve_command.h"

#include <spdlog/spdlog.h>

#include <ostream>

#include "adapters/cli/index_command.h"
#include "adapters/cli/registry_command.h"
#include "adapters/cli/route_command.h"
#include "adapters/loaders/network_loader.h"
#include "adapters/net/server.h"
#include "adapters/store/credentials.h"
#include "adapters/store/registry_store.h"

namespace baiying::cli {
namespace {

int Fail(std::ostream& err, const std::string& message) {
  err << "baiying serve: " << message << "\n";
  return kExitDataError;
}

// A server nobody can use yet says how to get the first credential.
void PrintCredentialHint(const std::filesystem::path& db, std::ostream& out) {
  Result<store::CredentialStore> store = store::CredentialStore::Open(db, {.must_exist = true});
  if (!store.ok()) return;
  std::int64_t live = 0;
  for (store::CredentialRole role : {store::CredentialRole::kUnit, store::CredentialRole::kOfficer,
                                     store::CredentialRole::kAdmin}) {
    Result<std::int64_t> count = store->CountLive(role);
    if (count.ok()) live += *count;
  }
  if (live > 0) return;
  out << "baiying serve: no credentials yet, so every request is refused. Issue the first one "
         "(its token is shown once) with\n"
      << "  baiying credentials issue --role admin --holder NAME --db " << db.string() << "\n"
      << "and pass it to clients with --token TOKEN or the environment variable BAIYING_TOKEN.\n"
      << std::flush;
}

}  // namespace

int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err) {
  Result<Ground> ground = LoadGround(
      flags.network, flags.db, flags.db_given,
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()),
      err);
  if (!ground.ok()) return Fail(err, ground.status().message());

  // Tokens are checked against the same database; a revocation made while serving is
  // honoured by the next request (store::CredentialGate).
  Result<std::unique_ptr<store::CredentialGate>> gate = store::CredentialGate::Open(ground->db);
  if (!gate.ok()) return Fail(err, gate.status().message());
  std::shared_ptr<store::CredentialGate> credentials = std::move(gate).value();

  // The road index: a file that cannot be used is rebuilt, and an index that cannot be built
  // leaves the exact search, which answers the same, only slower.
  std::shared_ptr<const ChIndex> index;
  if (flags.no_index) {
    spdlog::info("road index: none (--no-index); matching with the exact search");
  } else {
    const std::filesystem::path index_path =
        flags.index.empty() ? flags.journal.parent_path() / kDefaultIndexFile : flags.index;
    Result<std::shared_ptr<const ChIndex>> ready = LoadOrBuildIndex(index_path, ground->graph);
    if (ready.ok()) {
      index = std::move(ready).value();
    } else {
      spdlog::warn("road index: cannot be built: {}; matching with the exact search",
                   ready.status().message());
    }
  }

  net::ServerOptions options;
  options.address = flags.address;
  options.port = flags.port;
  options.io_threads = flags.io_threads;
  options.max_frame_bytes = flags.max_frame_bytes;
  options.max_connections = flags.max_connections;
  options.idle_timeout = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(flags.idle_seconds));
  options.read_timeout = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(flags.read_seconds));
  net::ServerWorld world;
  world.graph = &ground->graph;
  world.registry = std::make_shared<const Registry>(std::move(ground->registry));
  world.journal_path = flags.journal;
  world.index = std::move(index);
  world.authenticate = [credentials](std::string_view token) {
    return credentials->Authenticate(token);
  };
  Result<std::unique_ptr<net::Server>> server = net::Server::Start(options, world);
  if (!server.ok()) return Fail(err, server.status().message());
  PrintCredentialHint(ground->db, out);  // before the line scripts wait for
  out << "baiying serve: listening on " << flags.address << ":" << (*server)->port() << " (journal "
      << flags.journal.string() << ", " << (*server)->recovered_applied()
      << " commands recovered); SIGINT or SIGTERM stops\n"
      << std::flush;
  spdlog::info("listening on {}:{}", flags.address, (*server)->port());
  (*server)->Run();
  out << "baiying serve: stopped\n";
  return kExitOk;
}

}  // namespace baiying::cli
