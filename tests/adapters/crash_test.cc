// The real `baiying serve` killed with SIGKILL under load (issue 5): after every restart on the
// same registry database and journal, each request the server acknowledged is there with the
// teams and units its reply assigned, no team is in two active assignments, and the restarted
// server takes new requests.
//
// Why an acknowledged assignment must come back unchanged: the clients send only submits of
// urgent requests with a deadline weeks away. Nothing frees a team (no cancel, decline,
// release, duty change, suspension or road change is sent), urgent requests do not preempt
// (only critical and flash ones do), and no deadline passes during the test, so the
// dispatcher never takes a team back from a request or gives one to an older short request
// later. The assignments in a submit's reply are therefore the request's assignments for
// good, and the journal's replay must reproduce them exactly.
//
// A request whose reply never came (the server died first) may or may not have been
// journaled; either is allowed, but when it is there its teams count for the "no team twice"
// check like any other.

#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/net/client.h"
#include "adapters/proto/baiying.pb.h"
#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace {

namespace v1 = baiying::v1;
using baiying::Result;
using baiying::net::Client;
using baiying::testing::BackgroundCommand;
using baiying::testing::CommandResult;
using baiying::testing::RunCommand;
using baiying::testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr int kRounds = 24;  // kills; the brief asks for at least 20
constexpr int kClients = 8;  // submitting threads, one connection each
constexpr std::uint64_t kSeed = 20261128;
constexpr std::chrono::milliseconds kStartTimeout{20000};
// Every call of the checks after a restart; generous, for a machine busy with other work.
constexpr std::chrono::seconds kCheckTimeout{30};
// The clients together send at most this many submits per second. Every request stays open
// (most end short once the registry's teams are taken) and the dispatcher's work per command
// and per replayed command grows with the open requests, so an unbounded rate on a fast
// machine would make the test's time grow with the square of it. On this 2-core machine the
// server's own pace is about the same, so the cap rarely holds a client back.
constexpr double kMaxSubmitsPerSecond = 600;

// Specialties every prefecture of the seed registry has teams for.
const std::vector<std::string> kSpecialties = {"transport", "logistics", "medical", "road_repair",
                                               "communications"};

// team code -> units, the active assignments of one request.
using Assigned = std::map<std::string, std::uint32_t>;

std::string Describe(const Assigned& assigned) {
  if (assigned.empty()) return "{none}";
  std::ostringstream out;
  out << "{";
  const char* separator = "";
  for (const auto& [team, units] : assigned) {
    out << separator << team << " x" << units;
    separator = ", ";
  }
  out << "}";
  return out.str();
}

Assigned AssignedIn(const v1::RequestInfo& info) {
  Assigned out;
  for (const v1::AssignmentInfo& a : info.assignments())
    out[a.team()] += a.units();
  return out;
}

std::int64_t UnixMsNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint32_t PlaceCount() {
  std::ifstream in(std::filesystem::path(BAIYING_SOURCE_DIR) / "data/xizang/places.csv");
  std::uint32_t lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ++lines;
  }
  REQUIRE_MESSAGE(lines > 1, "data/xizang/places.csv has no places");
  return lines - 1;  // the header
}

// What the clients sent and what the server acknowledged, over all rounds.
struct Ledger {
  struct Ack {
    int round = 0;
    Assigned assigned;          // from the TeamAssigned events of the reply
    std::uint32_t missing = 0;  // units short, from its Shortfall events
  };
  std::mutex mutex;
  std::map<std::string, Ack> acknowledged;
  std::set<std::string> unanswered;  // sent, no reply seen: durable or not
  std::vector<std::string> errors;   // what a client saw that it should not have
  std::uint64_t shortfalls = 0;      // acknowledged lines that fell short, for the message
};

v1::Request MakeSubmit(const std::string& id, std::mt19937_64& rng, std::uint32_t places) {
  v1::Request request;
  v1::Submit* submit = request.mutable_submit();
  submit->set_request_id(id);
  submit->set_unit("unit-" + id);
  submit->set_place_id(static_cast<std::uint32_t>(rng() % places));
  submit->set_priority(v1::PRIORITY_URGENT);
  submit->set_mode(v1::MODE_EMERGENCY);
  submit->set_deadline_unix_ms(UnixMsNow() + std::int64_t{30} * 24 * 3600 * 1000);
  const std::size_t first = rng() % kSpecialties.size();
  const std::size_t lines = 1 + rng() % 2;
  for (std::size_t i = 0; i < lines; ++i) {
    v1::RequestLine* line = submit->add_lines();
    line->set_specialty(kSpecialties[(first + i) % kSpecialties.size()]);
    line->set_quantity(static_cast<std::int32_t>(1 + rng() % 3));
  }
  return request;
}

// Records an acknowledged submit's reply; notes an error when the reply holds anything an urgent
// submit should not produce.
void RecordAck(Ledger& ledger, int round, const std::string& id, const v1::Reply& reply) {
  Ledger::Ack ack;
  ack.round = round;
  std::uint64_t shortfalls = 0;
  std::string wrong;
  for (const v1::Event& event : reply.events().events()) {
    if (event.has_team_assigned()) {
      const v1::TeamAssigned& assigned = event.team_assigned();
      if (assigned.request_id() != id) wrong = "assigned a team to '" + assigned.request_id() + "'";
      ack.assigned[assigned.team()] += assigned.units();
    } else if (event.has_shortfall()) {
      ++shortfalls;
      ack.missing += event.shortfall().missing();
    } else if (!event.has_request_accepted() && !event.has_scope_widened() &&
               !event.has_request_filled()) {
      wrong = "unexpected event '" + event.text() + "'";
    }
  }
  std::lock_guard lock(ledger.mutex);
  ledger.unanswered.erase(id);
  ledger.acknowledged[id] = std::move(ack);
  ledger.shortfalls += shortfalls;
  if (!wrong.empty()) {
    ledger.errors.push_back("round " + std::to_string(round) + ", request " + id + ": " + wrong);
  }
}

// The round's schedule: the k-th submit of the round (over all clients) is not sent before
// `start` + k / kMaxSubmitsPerSecond.
struct Pace {
  Clock::time_point start = Clock::now();
  std::atomic<std::uint64_t> sent{0};

  void Wait() {
    const std::uint64_t k = sent.fetch_add(1);
    std::this_thread::sleep_until(
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(static_cast<double>(k) / kMaxSubmitsPerSecond)));
  }
};

// One client connection submitting until the server is gone or `stop` is set.
void SubmitUntilGone(std::uint16_t port, const std::string& token, int round, int client,
                     std::uint32_t places, Ledger& ledger, Pace& pace,
                     const std::atomic<bool>& stop) {
  Result<Client> connected = Client::Connect("127.0.0.1", port, std::chrono::seconds(2));
  if (!connected.ok()) return;  // killed before this client got in
  Client c = std::move(connected).value();
  c.set_token(token);
  std::mt19937_64 rng(kSeed + static_cast<std::uint64_t>(round) * 1000 +
                      static_cast<std::uint64_t>(client));
  for (int n = 0; !stop.load(); ++n) {
    const std::string id =
        "K" + std::to_string(round) + "-" + std::to_string(client) + "-" + std::to_string(n);
    v1::Request request = MakeSubmit(id, rng, places);
    pace.Wait();
    {
      std::lock_guard lock(ledger.mutex);
      ledger.unanswered.insert(id);
    }
    Result<v1::Reply> reply = c.Call(std::move(request));
    if (!reply.ok()) return;  // the server died: this request was not acknowledged
    if (reply->code() != v1::OK) {
      std::lock_guard lock(ledger.mutex);
      ledger.errors.push_back("round " + std::to_string(round) + ", request " + id + ": " +
                              v1::ErrorCode_Name(reply->code()) + ": " + reply->message());
      return;
    }
    RecordAck(ledger, round, id, *reply);
  }
}

// `baiying serve` on the test's files, started and listening.
struct ServeProcess {
  std::unique_ptr<BackgroundCommand> process;
  std::uint16_t port = 0;
  std::uint64_t recovered = 0;
  double start_seconds = 0;
};

ServeProcess StartServe(const std::filesystem::path& db, const std::filesystem::path& journal) {
  ServeProcess serve;
  const auto started = Clock::now();
  serve.process = std::make_unique<BackgroundCommand>(
      BAIYING_BINARY,
      std::vector<std::string>{"serve", "--port", "0", "--db", db.string(), "--journal",
                               journal.string(), "--log-level", "warn"});
  static const std::regex kListening(
      R"(listening on [0-9.]+:([0-9]+) \(journal .*, ([0-9]+) commands recovered\))");
  // The line comes on standard output; a failure to start says "baiying serve: ..." on
  // standard error.
  while (Clock::now() - started < kStartTimeout) {
    const std::string out = serve.process->out();
    std::smatch match;
    if (std::regex_search(out, match, kListening)) {
      serve.port = static_cast<std::uint16_t>(std::stoul(match[1].str()));
      serve.recovered = std::stoull(match[2].str());
      serve.start_seconds = std::chrono::duration<double>(Clock::now() - started).count();
      return serve;
    }
    if (serve.process->err().find("baiying serve: ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  FAIL("baiying serve did not report listening within ", kStartTimeout.count(), " ms; stdout:\n",
       serve.process->out(), "stderr:\n", serve.process->err());
  return serve;
}

// The checks after a restart. `round` is the round whose kill preceded it.
void CheckRecovered(int round, const ServeProcess& serve, const std::string& token, Ledger& ledger,
                    std::uint64_t* durable_unanswered) {
  Result<Client> connected = Client::Connect("127.0.0.1", serve.port, kCheckTimeout);
  REQUIRE_MESSAGE(connected.ok(), "round ", round, ": ", connected.status().message());
  Client c = std::move(connected).value();
  c.set_token(token);

  // Every request the server holds: the open ones in one query, the rest one by one.
  std::map<std::string, v1::RequestInfo> held;
  v1::Request list;
  list.mutable_list_open_requests();
  Result<v1::Reply> open = c.Call(list);
  REQUIRE_MESSAGE(open.ok(), "round ", round, ": list open requests: ", open.status().message());
  REQUIRE_MESSAGE(open->code() == v1::OK, "round ", round,
                  ": list open requests: ", open->message());
  for (const v1::RequestInfo& info : open->open_requests().requests())
    held[info.request_id()] = info;
  auto fetch = [&](const std::string& id) -> std::optional<v1::RequestInfo> {
    if (auto it = held.find(id); it != held.end()) return it->second;
    v1::Request get;
    get.mutable_get_request()->set_request_id(id);
    Result<v1::Reply> reply = c.Call(get);
    REQUIRE_MESSAGE(reply.ok(), "round ", round, ": get request ", id, ": ",
                    reply.status().message());
    if (reply->code() == v1::NOT_FOUND) return std::nullopt;
    REQUIRE_MESSAGE(reply->code() == v1::OK, "round ", round, ": get request ", id, ": ",
                    v1::ErrorCode_Name(reply->code()), ": ", reply->message());
    held[id] = reply->request();
    return reply->request();
  };

  std::lock_guard lock(ledger.mutex);
  for (const auto& [id, ack] : ledger.acknowledged) {
    const std::optional<v1::RequestInfo> info = fetch(id);
    REQUIRE_MESSAGE(info.has_value(), "after the kill of round ", round, ": request ", id,
                    " (acknowledged in round ", ack.round, " with ", Describe(ack.assigned),
                    ") is missing");
    const Assigned now = AssignedIn(*info);
    REQUIRE_MESSAGE(now == ack.assigned, "after the kill of round ", round, ": request ", id,
                    " (acknowledged in round ", ack.round, ") was assigned ",
                    Describe(ack.assigned), ", after the restart ", Describe(now));
    REQUIRE_MESSAGE(info->missing() == ack.missing, "after the kill of round ", round, ": request ",
                    id, " (acknowledged in round ", ack.round, ") was ", ack.missing,
                    " units short, after the restart ", info->missing());
    const v1::RequestStatus status =
        ack.missing == 0 ? v1::REQUEST_STATUS_FILLED : v1::REQUEST_STATUS_OPEN;
    REQUIRE_MESSAGE(info->status() == status, "after the kill of round ", round, ": request ", id,
                    " (acknowledged in round ", ack.round, ") is ",
                    v1::RequestStatus_Name(info->status()), ", expected ",
                    v1::RequestStatus_Name(status));
  }
  *durable_unanswered = 0;
  for (const std::string& id : ledger.unanswered) {
    if (fetch(id).has_value()) ++*durable_unanswered;
  }
  std::map<std::string, std::string> holder;  // team -> the request it is assigned to
  for (const auto& [id, info] : held) {
    REQUIRE_MESSAGE((ledger.acknowledged.contains(id) || ledger.unanswered.contains(id)),
                    "after the kill of round ", round, ": the server holds request ", id,
                    ", which no client sent");
    for (const v1::AssignmentInfo& a : info.assignments()) {
      const auto [it, fresh] = holder.emplace(a.team(), id);
      REQUIRE_MESSAGE((fresh || it->second == id), "after the kill of round ", round, ": team ",
                      a.team(), " is assigned to both ", it->second, " and ", id);
    }
  }
  // The same team in two assignments of one request is a double assignment too.
  for (const auto& [id, info] : held) {
    std::set<std::string> teams;
    for (const v1::AssignmentInfo& a : info.assignments()) {
      REQUIRE_MESSAGE(teams.insert(a.team()).second, "after the kill of round ", round, ": team ",
                      a.team(), " holds two assignments of request ", id);
    }
  }
}

}  // namespace

TEST_CASE("crash: serve killed with SIGKILL under load keeps every acknowledged request") {
  const auto test_started = Clock::now();
  TempDir dir;
  const std::filesystem::path db = dir.path() / "registry.db";
  const std::filesystem::path journal = dir.path() / "journal.db";
  const std::uint32_t places = PlaceCount();

  const CommandResult init = RunCommand(BAIYING_BINARY, {"registry", "init", "--db", db.string()});
  REQUIRE_MESSAGE(init.exit_code == 0, "registry init: ", init.err);
  const CommandResult issued =
      RunCommand(BAIYING_BINARY, {"credentials", "issue", "--db", db.string(), "--role", "officer",
                                  "--holder", "crash-test", "--json"});
  REQUIRE_MESSAGE(issued.exit_code == 0, "credentials issue: ", issued.err);
  const std::string token = nlohmann::json::parse(issued.out).at("token").get<std::string>();

  Ledger ledger;
  std::mt19937_64 rng(kSeed);
  ServeProcess serve = StartServe(db, journal);
  CHECK(serve.recovered == 0);
  double max_start_seconds = serve.start_seconds;
  std::uint64_t durable_unanswered = 0;
  std::uint64_t sentinels = 0;
  for (int round = 1; round <= kRounds; ++round) {
    // Some kills right after the start, the others anywhere in 20-400 ms of load.
    const int delay_ms =
        round % 4 == 1 ? static_cast<int>(rng() % 5) : 20 + static_cast<int>(rng() % 381);
    std::atomic<bool> stop{false};
    Pace pace;
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.emplace_back(SubmitUntilGone, serve.port, std::cref(token), round, i, places,
                           std::ref(ledger), std::ref(pace), std::cref(stop));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    serve.process->Signal(SIGKILL);
    const int killed = serve.process->Wait().exit_code;
    stop = true;  // a client that never reached the server stops at its next turn
    for (std::thread& t : clients)
      t.join();
    REQUIRE_MESSAGE(killed == 128 + SIGKILL, "round ", round,
                    ": the server ended before the kill, exit code ", killed);
    {
      std::lock_guard lock(ledger.mutex);
      INFO("round ", round);
      for (const std::string& error : ledger.errors)
        FAIL_CHECK(error);
      REQUIRE(ledger.errors.empty());
    }

    serve = StartServe(db, journal);
    max_start_seconds = std::max(max_start_seconds, serve.start_seconds);
    {
      std::lock_guard lock(ledger.mutex);
      // Every acknowledged submit is one journaled command; only sent ones can be.
      CHECK_MESSAGE(serve.recovered >= ledger.acknowledged.size(), "round ", round, ": recovered ",
                    serve.recovered, " commands, acknowledged ", ledger.acknowledged.size());
      CHECK_MESSAGE(serve.recovered <= ledger.acknowledged.size() + ledger.unanswered.size(),
                    "round ", round, ": recovered ", serve.recovered, " commands, sent ",
                    ledger.acknowledged.size() + ledger.unanswered.size());
    }
    CheckRecovered(round, serve, token, ledger, &durable_unanswered);

    // The restarted server takes new requests.
    Result<Client> connected = Client::Connect("127.0.0.1", serve.port, kCheckTimeout);
    REQUIRE_MESSAGE(connected.ok(), "round ", round, ": ", connected.status().message());
    connected->set_token(token);
    const std::string id = "S" + std::to_string(round);
    std::mt19937_64 sentinel_rng(kSeed + static_cast<std::uint64_t>(round));
    Result<v1::Reply> reply = connected->Call(MakeSubmit(id, sentinel_rng, places));
    REQUIRE_MESSAGE(reply.ok(), "round ", round,
                    ": submit after the restart: ", reply.status().message());
    REQUIRE_MESSAGE(reply->code() == v1::OK, "round ", round,
                    ": submit after the restart: ", v1::ErrorCode_Name(reply->code()), ": ",
                    reply->message());
    RecordAck(ledger, round, id, *reply);
    ++sentinels;
  }
  // The last restart is checked once more with the sentinel of the last round in the ledger.
  CheckRecovered(kRounds, serve, token, ledger, &durable_unanswered);

  const double seconds = std::chrono::duration<double>(Clock::now() - test_started).count();
  std::size_t acknowledged = 0, assigned = 0;
  std::uint64_t shortfalls = 0;
  {
    std::lock_guard lock(ledger.mutex);
    acknowledged = ledger.acknowledged.size();
    shortfalls = ledger.shortfalls;
    for (const auto& [id, ack] : ledger.acknowledged)
      assigned += ack.assigned.empty() ? 0 : 1;
  }
  MESSAGE(kRounds, " SIGKILL rounds, ", kClients, " clients: ", acknowledged,
          " requests acknowledged (", sentinels, " after restarts; ", assigned,
          " with teams assigned, ", shortfalls, " short lines), ", serve.recovered,
          " commands recovered at the last start (", durable_unanswered,
          " journaled but never acknowledged), slowest start ", max_start_seconds, " s, ", seconds,
          " s in all");
  CHECK(acknowledged > static_cast<std::size_t>(kRounds));
}
