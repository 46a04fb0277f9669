// The server on loopback: data/xizang and the seed registry (imported into a temporary
// database), a journal in a temporary directory, port 0, the clock fixed to 2026-11-01T08:00Z
// and running on from there. Clients are the blocking net::Client.

#include "adapters/net/server.h"

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/cli/registry_command.h"
#include "adapters/cli/route_command.h"
#include "adapters/loaders/network_loader.h"
#include "adapters/net/client.h"
#include "adapters/net/frame.h"
#include "adapters/store/registry_store.h"
#include "tests/support/files.h"

namespace {

using baiying::Instant;
using baiying::Registry;
using baiying::Result;
using baiying::RoadGraph;
using baiying::net::Client;
using baiying::net::Server;
using baiying::net::ServerOptions;
using baiying::net::ServerWorld;
namespace v1 = baiying::v1;

const Instant kStart =
    Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1)) + std::chrono::hours(8);

Instant TestClock() {
  static const auto started = std::chrono::steady_clock::now();
  return kStart +
         std::chrono::duration_cast<baiying::Duration>(std::chrono::steady_clock::now() - started);
}

std::int64_t UnixMs(Instant t) {
  return t.time_since_epoch().count();
}

// data/xizang and the seed registry, loaded once per test.
struct World {
  baiying::testing::TempDir dir;
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
                         baiying::store::JournalOptions journal = {}) {
    ServerWorld w;
    w.journal_options = journal;
    w.graph = world.graph.get();
    w.registry = world.registry;
    w.journal_path = world.journal();
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
  Client Connect() const {
    Result<Client> client = Client::Connect("127.0.0.1", server_->port(), std::chrono::seconds(5));
    REQUIRE_MESSAGE(client.ok(), client.status().message());
    return std::move(client).value();
  }
  const Server& server() const { return *server_; }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

v1::Request Submit(const std::string& id, std::uint32_t place_id,
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

v1::Request GetRequest(const std::string& id) {
  v1::Request request;
  request.mutable_get_request()->set_request_id(id);
  return request;
}

std::vector<std::string> AssignedTeams(const v1::Reply& reply) {
  std::vector<std::string> teams;
  for (const v1::Event& event : reply.events().events()) {
    if (event.has_team_assigned()) teams.push_back(event.team_assigned().team());
  }
  return teams;
}

// team -> units, of a request's active assignments.
std::map<std::string, std::uint32_t> Assignments(const v1::Reply& reply) {
  std::map<std::string, std::uint32_t> out;
  for (const v1::AssignmentInfo& a : reply.request().assignments())
    out[a.team()] += a.units();
  return out;
}

std::string Frame(const google::protobuf::Message& message) {
  return baiying::EncodeFrame(message.SerializeAsString());
}

// The server still answers a fresh client.
void CheckStillServing(const RunningServer& server) {
  Client client = server.Connect();
  v1::Request demand;
  demand.mutable_get_demand();
  Result<v1::Reply> reply = client.Call(demand);
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  CHECK(reply->code() == v1::OK);
  CHECK(reply->has_demand());
}

}  // namespace

TEST_CASE("server: a submit gets its assignments, and queries read them back") {
  World world;
  RunningServer server(world);
  Client client = server.Connect();
  Result<v1::Reply> reply = client.Call(Submit("R1", 16, {{"medical", 2}, {"transport", 1}}));
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  INFO(reply->DebugString());
  REQUIRE(reply->code() == v1::OK);
  REQUIRE(reply->events().events_size() >= 3);
  CHECK(reply->events().events(0).has_request_accepted());
  CHECK(AssignedTeams(*reply).size() >= 2);

  Result<v1::Reply> state = client.Call(GetRequest("R1"));
  REQUIRE(state.ok());
  REQUIRE(state->code() == v1::OK);
  CHECK(state->request().request_id() == "R1");
  CHECK(Assignments(*state).size() == AssignedTeams(*reply).size());

  Result<v1::Reply> unknown = client.Call(GetRequest("nobody"));
  REQUIRE(unknown.ok());
  CHECK(unknown->code() == v1::NOT_FOUND);

  // A command the codec refuses is answered, and the connection stays open.
  v1::Request nowhere = Submit("R2", 16, {{"medical", 1}});
  nowhere.mutable_submit()->set_place_name("无此地");
  Result<v1::Reply> refused = client.Call(nowhere);
  REQUIRE(refused.ok());
  CHECK(refused->code() == v1::NOT_FOUND);
  v1::Request open;
  open.mutable_list_open_requests();
  Result<v1::Reply> listed = client.Call(open);
  REQUIRE(listed.ok());
  CHECK(listed->code() == v1::OK);
  CHECK(listed->has_open_requests());
}

TEST_CASE("server: bad frames get an error reply and a close; the server serves on") {
  World world;
  RunningServer server(world);
  const auto expect_error_and_close = [&](const std::string& bytes, v1::ErrorCode code) {
    Client client = server.Connect();
    REQUIRE(client.SendBytes(bytes).ok());
    Result<v1::Reply> reply = client.ReadReply();
    REQUIRE_MESSAGE(reply.ok(), reply.status().message());
    CHECK(reply->code() == code);
    CHECK(!reply->message().empty());
    CHECK(client.WaitClosed());
    CheckStillServing(server);
  };
  SUBCASE("oversize") {
    expect_error_and_close(std::string("\x00\x01\x00\x01", 4) + "xx", v1::RESOURCE_EXHAUSTED);
  }
  SUBCASE("zero length") {
    expect_error_and_close(std::string("\x00\x00\x00\x00", 4), v1::INVALID_ARGUMENT);
  }
  SUBCASE("garbage payload") {
    expect_error_and_close(baiying::EncodeFrame("\xff\xff\xff\xff garbage"), v1::INVALID_ARGUMENT);
  }
  SUBCASE("another message type") {
    v1::Reply wrong;
    wrong.set_correlation_id(7);
    wrong.set_message("I am a reply");
    wrong.mutable_events();
    expect_error_and_close(Frame(wrong), v1::INVALID_ARGUMENT);
  }
  SUBCASE("a request without a body") {
    v1::Request empty;
    empty.set_correlation_id(9);
    expect_error_and_close(Frame(empty), v1::INVALID_ARGUMENT);
  }
  SUBCASE("truncated: closed when the read timeout passes") {
    Client client = server.Connect();
    const std::string frame = Frame(Submit("T1", 16, {{"medical", 1}}));
    REQUIRE(client.SendBytes(frame.substr(0, frame.size() / 2)).ok());
    const auto before = std::chrono::steady_clock::now();
    CHECK(client.WaitClosed());
    CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(3));
    CheckStillServing(server);
  }
}

TEST_CASE("server: 64 clients submitting at once all get answers, no team assigned twice") {
  World world;
  RunningServer server(world);
  constexpr int kClients = 64;
  const std::uint32_t places = static_cast<std::uint32_t>(world.graph->place_count());
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::string> teams;
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Result<Client> client = Client::Connect("127.0.0.1", server.server().port());
      if (!client.ok()) {
        std::lock_guard lock(mutex);
        failures.push_back(client.status().message());
        return;
      }
      const std::string id = "S" + std::to_string(i);
      Result<v1::Reply> reply = client->Call(Submit(id, static_cast<std::uint32_t>(i * 7) % places,
                                                    {{"medical", 1}, {"transport", 1}}));
      std::lock_guard lock(mutex);
      if (!reply.ok()) {
        failures.push_back(id + ": " + reply.status().message());
      } else if (reply->code() != v1::OK) {
        failures.push_back(id + ": " + reply->message());
      } else {
        ++answered;
        for (std::string& team : AssignedTeams(*reply))
          teams.push_back(std::move(team));
      }
    });
  }
  for (std::thread& t : threads)
    t.join();
  INFO("failures: " << (failures.empty() ? std::string() : failures.front()));
  CHECK(failures.empty());
  CHECK(answered == kClients);
  CHECK(!teams.empty());
  const std::set<std::string> unique(teams.begin(), teams.end());
  CHECK(unique.size() == teams.size());
  CHECK(server.server().journaled() == kClients);
  CHECK(server.server().commits() <= server.server().journaled());
  MESSAGE(kClients << " submits took " << server.server().commits() << " commits");
}

TEST_CASE("server: when the journal cannot be written, commands are refused and not applied") {
  World world;
  RunningServer server(world, RunningServer::Options(), {.max_file_bytes = 48 * 1024});
  Client client = server.Connect();
  // Cancels of unknown requests with long reasons fill the journal (they are journaled, then
  // refused by the dispatcher), submits between them, until a submit meets the full journal.
  std::map<std::string, v1::ErrorCode> submitted;
  bool refused = false;
  for (int i = 0; i < 400 && !refused; ++i) {
    v1::Request cancel;
    cancel.mutable_cancel()->set_request_id("none");
    cancel.mutable_cancel()->set_reason(std::string(1000, 'x'));
    Result<v1::Reply> cancelled = client.Call(cancel);
    REQUIRE(cancelled.ok());
    CHECK((cancelled->code() == v1::NOT_FOUND || cancelled->code() == v1::UNAVAILABLE));
    const std::string id = "F" + std::to_string(i);
    Result<v1::Reply> reply = client.Call(Submit(id, 16, {{"medical", 1}}));
    REQUIRE(reply.ok());
    CHECK((reply->code() == v1::OK || reply->code() == v1::UNAVAILABLE));
    submitted[id] = reply->code();
    refused = reply->code() == v1::UNAVAILABLE;
  }
  REQUIRE(refused);
  // Acknowledged means applied; refused means not.
  for (const auto& [id, code] : submitted) {
    Result<v1::Reply> state = client.Call(GetRequest(id));
    REQUIRE(state.ok());
    CHECK(state->code() == (code == v1::OK ? v1::OK : v1::NOT_FOUND));
  }
}

TEST_CASE("server: connections above the limit are refused with RESOURCE_EXHAUSTED") {
  World world;
  ServerOptions options = RunningServer::Options();
  options.max_connections = 2;
  RunningServer server(world, options);
  Client first = server.Connect();
  Client second = server.Connect();
  v1::Request demand;
  demand.mutable_get_demand();
  REQUIRE(first.Call(demand).ok());  // both are registered before the third arrives
  REQUIRE(second.Call(demand).ok());
  Client third = server.Connect();
  Result<v1::Reply> refused = third.ReadReply();
  REQUIRE(refused.ok());
  CHECK(refused->code() == v1::RESOURCE_EXHAUSTED);
  CHECK(third.WaitClosed());
  Result<v1::Reply> still = first.Call(demand);
  REQUIRE(still.ok());
  CHECK(still->code() == v1::OK);
}

TEST_CASE("server: a restarted server recovers every request with the same assignments") {
  World world;
  std::map<std::string, std::map<std::string, std::uint32_t>> before;
  std::map<std::string, std::string> first_answer;
  {
    RunningServer server(world);
    Client client = server.Connect();
    for (int i = 0; i < 6; ++i) {
      const std::string id = "J" + std::to_string(i);
      Result<v1::Reply> reply =
          client.Call(Submit(id, static_cast<std::uint32_t>(i * 13), {{"medical", 2}}));
      REQUIRE(reply.ok());
      REQUIRE(reply->code() == v1::OK);
      first_answer[id] = reply->events().SerializeAsString();
    }
    for (const auto& [id, answer] : first_answer) {
      Result<v1::Reply> state = client.Call(GetRequest(id));
      REQUIRE(state.ok());
      REQUIRE(state->code() == v1::OK);
      before[id] = Assignments(*state);
    }
    server.Stop();
  }
  RunningServer restarted(world);
  CHECK(restarted.server().recovered_applied() == 6);
  CHECK(restarted.server().recovered_skipped() == 0);
  Client client = restarted.Connect();
  for (const auto& [id, assignments] : before) {
    Result<v1::Reply> state = client.Call(GetRequest(id));
    REQUIRE(state.ok());
    REQUIRE(state->code() == v1::OK);
    CHECK(Assignments(*state) == assignments);
  }
  // The same id again changes nothing and gets its first answer back.
  Result<v1::Reply> again = client.Call(Submit("J0", 0, {{"medical", 2}}));
  REQUIRE(again.ok());
  CHECK(again->events().SerializeAsString() == first_answer["J0"]);
}
