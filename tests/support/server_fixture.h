#pragma once
// A dispatch server on loopback for tests: data/xizang and the seed registry (imported into a
// temporary database), a journal in a temporary directory, port 0, the clock fixed to
// 2026-11-01T08:00Z and running on from there, and fixed test credentials (TestAuthenticate).
// Clients are the blocking net::Client, carrying the officer's token unless told otherwise.

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/cli/registry_command.h"
#include "adapters/loaders/network_loader.h"
#include "adapters/net/client.h"
#include "adapters/net/server.h"
#include "adapters/store/credentials.h"
#include "adapters/store/registry_store.h"
#include "tests/support/files.h"

namespace baiying::testing {

namespace v1 = baiying::v1;
using baiying::net::Client;
using baiying::net::Server;
using baiying::net::ServerOptions;
using baiying::net::ServerWorld;

// Test tokens: the officer's, the admin's, "unit:NAME" for a unit credential of unit NAME, a
// revoked one; anything else is unknown.
inline constexpr std::string_view kOfficerToken = "by_test_officer";
inline constexpr std::string_view kAdminToken = "by_test_admin";
inline constexpr std::string_view kRevokedToken = "by_test_revoked";
inline std::string UnitToken(std::string_view unit) {
  return "unit:" + std::string(unit);
}

inline Result<store::Credential> TestAuthenticate(std::string_view token) {
  store::Credential who;
  if (token == kOfficerToken) {
    who.id = "CR-T-OFFICER";
    who.role = store::CredentialRole::kOfficer;
    who.holder = "test officer";
  } else if (token == kAdminToken) {
    who.id = "CR-T-ADMIN";
    who.role = store::CredentialRole::kAdmin;
    who.holder = "test admin";
  } else if (token.starts_with("unit:") && token.size() > 5) {
    who.id = "CR-T-UNIT";
    who.role = store::CredentialRole::kUnit;
    who.unit = std::string(token.substr(5));
    who.holder = who.unit;
  } else if (token == kRevokedToken) {
    return Status::Unauthenticated("credential CR-T-REVOKED was revoked");
  } else {
    return Status::Unauthenticated("unknown credential");
  }
  return who;
}

inline const Instant kStart =
    Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1)) + std::chrono::hours(8);

inline Instant TestClock() {
  static const auto started = std::chrono::steady_clock::now();
  return kStart +
         std::chrono::duration_cast<baiying::Duration>(std::chrono::steady_clock::now() - started);
}

inline std::int64_t UnixMs(Instant t) {
  return t.time_since_epoch().count();
}

// data/xizang and the seed registry, loaded once per test.
struct World {
  TempDir dir;
  std::unique_ptr<RoadGraph> graph;
  std::shared_ptr<const Registry> registry;

  World() {
    spdlog::set_level(spdlog::level::warn);
    const std::filesystem::path network = std::filesystem::path(BAIYING_SOURCE_DIR) / "data/xizang";
    Result<baiying::loaders::NetworkSpec> spec = baiying::loaders::LoadNetworkSpec(network);
    REQUIRE(spec.ok());
    Result<RoadGraph> built = baiying::loaders::BuildGraph(std::move(*spec));
    REQUIRE(built.ok());
    graph = std::make_unique<RoadGraph>(std::move(built).value());
    baiying::cli::RegistryFlags flags;
    flags.db = dir.path() / "registry.db";
    flags.network = network;
    flags.now = kStart;
    std::ostringstream notes;
    Result<baiying::store::RegistryStore> store = baiying::cli::OpenRegistryStore(flags, notes);
    REQUIRE_MESSAGE(store.ok(), store.status().message());
    Result<Registry> loaded = store->Load();
    REQUIRE(loaded.ok());
    registry = std::make_shared<const Registry>(std::move(loaded).value());
  }

  std::filesystem::path journal() const { return dir.path() / "journal.db"; }
};

// A Server running Run() on a background thread until Stop() or destruction.
class RunningServer {
 public:
  explicit RunningServer(const World& world, ServerOptions options = Options(),
                         baiying::store::JournalOptions journal = {},
                         std::shared_ptr<const ChIndex> index = nullptr) {
    ServerWorld w;
    w.journal_options = journal;
    w.index = std::move(index);
    w.graph = world.graph.get();
    w.registry = world.registry;
    w.journal_path = world.journal();
    w.authenticate = TestAuthenticate;
    Result<std::unique_ptr<Server>> started = Server::Start(options, w);
    REQUIRE_MESSAGE(started.ok(), started.status().message());
    server_ = std::move(started).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~RunningServer() { Stop(); }

  static ServerOptions Options() {
    ServerOptions options;
    options.port = 0;
    options.handle_signals = false;
    options.read_timeout = std::chrono::milliseconds(300);
    options.clock = TestClock;
    return options;
  }

  void Stop() {
    if (thread_.joinable()) {
      server_->Stop();
      thread_.join();
    }
  }
  // A client carrying `token` (the officer's by default).
  Client Connect(std::string_view token = kOfficerToken) const {
    Result<Client> client = Client::Connect("127.0.0.1", server_->port(), std::chrono::seconds(5));
    REQUIRE_MESSAGE(client.ok(), client.status().message());
    client->set_token(std::string(token));
    return std::move(client).value();
  }
  const Server& server() const { return *server_; }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

inline v1::Request Submit(const std::string& id, std::uint32_t place_id,
                   const std::vector<std::pair<std::string, int>>& need) {
  v1::Request request;
  v1::Submit* submit = request.mutable_submit();
  submit->set_request_id(id);
  submit->set_unit("unit-" + id);
  submit->set_place_id(place_id);
  submit->set_priority(v1::PRIORITY_URGENT);
  submit->set_mode(v1::MODE_EMERGENCY);
  submit->set_deadline_unix_ms(UnixMs(kStart + std::chrono::hours(24)));
  for (const auto& [specialty, quantity] : need) {
    v1::RequestLine* line = submit->add_lines();
    line->set_specialty(specialty);
    line->set_quantity(quantity);
  }
  return request;
}

inline v1::Request GetRequest(const std::string& id) {
  v1::Request request;
  request.mutable_get_request()->set_request_id(id);
  return request;
}

inline std::vector<std::string> AssignedTeams(const v1::Reply& reply) {
  std::vector<std::string> teams;
  for (const v1::Event& event : reply.events().events()) {
    if (event.has_team_assigned()) teams.push_back(event.team_assigned().team());
  }
  return teams;
}

// team -> units, of a request's active assignments.
inline std::map<std::string, std::uint32_t> Assignments(const v1::Reply& reply) {
  std::map<std::string, std::uint32_t> out;
  for (const v1::AssignmentInfo& a : reply.request().assignments())
    out[a.team()] += a.units();
  return out;
}

}  // namespace baiying::testing
