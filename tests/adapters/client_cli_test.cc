// The duty officer's client commands (`baiying submit`, `ack`, `watch`, ...) as a user runs
// them: the real binary against a server in the test process (tests/support/server_fixture.h).

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/run_command.h"
#include "tests/support/server_fixture.h"

namespace {

using namespace baiying::testing;  // NOLINT: the fixture's names read better bare
using baiying::Result;

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Runs `baiying ARGS --server ... [--token TOKEN]` against `server`; an empty token sends none.
struct Cli {
  const RunningServer& server;

  explicit Cli(const RunningServer& s) : server(s) { unsetenv("BAIYING_TOKEN"); }

  std::vector<std::string> Args(std::vector<std::string> args,
                                std::string_view token = kOfficerToken) const {
    args.push_back("--server");
    args.push_back("127.0.0.1:" + std::to_string(server.server().port()));
    if (!token.empty()) {
      args.push_back("--token");
      args.push_back(std::string(token));
    }
    return args;
  }
  CommandResult Run(std::vector<std::string> args, std::string_view token = kOfficerToken) const {
    return RunCommand(BAIYING_BINARY, Args(std::move(args), token));
  }
  // Runs a command that must succeed and returns its output.
  std::string Ok(std::vector<std::string> args) const {
    const CommandResult r = Run(std::move(args));
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
};

// A server on port 0 and the command line pointed at it.
struct Served {
  World world;
  RunningServer server{world};
  Cli cli{server};

  // `baiying watch ARGS` in the background, once it says it is watching `what`.
  std::unique_ptr<BackgroundCommand> Watch(std::vector<std::string> args,
                                           const std::string& what) const {
    args.insert(args.begin(), "watch");
    auto watch = std::make_unique<BackgroundCommand>(BAIYING_BINARY, cli.Args(std::move(args)));
    REQUIRE_MESSAGE(watch->WaitForErr("watching " + what, std::chrono::seconds(10)), watch->err());
    return watch;
  }
};

v1::RequestInfo RequestState(const RunningServer& server, const std::string& id) {
  Client client = server.Connect();
  Result<v1::Reply> reply = client.Call(GetRequest(id));
  REQUIRE(reply.ok());
  REQUIRE_MESSAGE(reply->code() == v1::OK, reply->message());
  return reply->request();
}

v1::TeamInfo TeamState(const RunningServer& server, const std::string& team) {
  Client client = server.Connect();
  v1::Request request;
  request.mutable_get_team()->set_team(team);
  Result<v1::Reply> reply = client.Call(request);
  REQUIRE(reply.ok());
  REQUIRE_MESSAGE(reply->code() == v1::OK, reply->message());
  return reply->team();
}

// The single team of a request with one assignment.
std::string OnlyTeam(const v1::RequestInfo& request) {
  REQUIRE(request.assignments_size() == 1);
  return request.assignments(0).team();
}

v1::TeamActivity ActivityOf(const RunningServer& server, const std::string& id) {
  return RequestState(server, id).assignments(0).activity();
}

}  // namespace

TEST_CASE_FIXTURE(Served, "client cli: ack, enroute, arrive, release, duty move a team along") {
  const std::string submitted =
      cli.Ok({"submit", "--at", "定日", "--need", "medical:1", "--id", "C1"});
  CHECK(Has(submitted, "accepted C1 at 定日"));
  CHECK(Has(submitted, "assigned "));
  const std::string team = OnlyTeam(RequestState(server, "C1"));
  CHECK(ActivityOf(server, "C1") == v1::TEAM_ACTIVITY_ASSIGNED);

  CHECK(Has(cli.Ok({"ack", "C1", team}), "acknowledged " + team + " for C1"));
  CHECK(ActivityOf(server, "C1") == v1::TEAM_ACTIVITY_ACKNOWLEDGED);
  CHECK(Has(cli.Ok({"enroute", team}), "en route " + team + " to C1"));
  CHECK(ActivityOf(server, "C1") == v1::TEAM_ACTIVITY_EN_ROUTE);
  CHECK(Has(cli.Ok({"arrive", team}), "on scene " + team + " at C1"));
  CHECK(ActivityOf(server, "C1") == v1::TEAM_ACTIVITY_ON_SCENE);

  // `status` shows the team on scene.
  const std::string status = cli.Ok({"status", "C1"});
  CHECK(Has(status, "C1  filled"));
  CHECK(Has(status, team));
  CHECK(Has(status, "on_scene"));

  // Released where it is: the scene, named.
  const std::string released = cli.Ok({"release", team});
  CHECK(Has(released, "released " + team + " at 定日"));
  CHECK_FALSE(Has(released, "place "));
  const v1::TeamInfo state = TeamState(server, team);
  CHECK(state.activity() == v1::TEAM_ACTIVITY_AVAILABLE);
  CHECK(state.request_id().empty());
  CHECK(state.location().name().find("定日") == 0);

  // Off duty and back.
  CHECK(Has(cli.Ok({"duty", team, "off"}), "off duty " + team));
  CHECK(TeamState(server, team).activity() == v1::TEAM_ACTIVITY_OFF_DUTY);
  CHECK(Has(cli.Ok({"duty", team, "on"}), "on duty " + team));
  CHECK(TeamState(server, team).activity() == v1::TEAM_ACTIVITY_AVAILABLE);
}

TEST_CASE_FIXTURE(Served, "client cli: decline replaces the team; cancel frees the new one") {
  cli.Ok({"submit", "--at", "定日", "--need", "medical:1", "--id", "C2"});
  const std::string first = OnlyTeam(RequestState(server, "C2"));
  const std::string declined = cli.Ok({"decline", "C2", first, "--reason", "vehicle broke down"});
  CHECK(Has(declined, "declined " + first + " for C2: vehicle broke down"));
  CHECK(Has(declined, "assigned "));
  const std::string second = OnlyTeam(RequestState(server, "C2"));
  CHECK(second != first);
  CHECK(Has(declined, "assigned " + second + " to C2"));

  const std::string cancelled = cli.Ok({"cancel", "C2", "--reason", "false alarm"});
  CHECK(Has(cancelled, "cancelled C2: false alarm"));
  CHECK(RequestState(server, "C2").status() == v1::REQUEST_STATUS_CANCELLED);
  CHECK(TeamState(server, second).activity() == v1::TEAM_ACTIVITY_AVAILABLE);
}

TEST_CASE_FIXTURE(Served, "client cli: close-road and reopen-road, by name and by id") {
  const std::string closed = cli.Ok({"close-road", "波密", "墨脱", "--reason", "landslide"});
  CHECK(Has(closed, "road closed 波密县-墨脱县: landslide"));
  const Result<baiying::PlaceId> bomi = world.graph->FindPlace("波密");
  const Result<baiying::PlaceId> medog = world.graph->FindPlace("墨脱");
  REQUIRE(bomi.ok());
  REQUIRE(medog.ok());
  const std::string reopened =
      cli.Ok({"reopen-road", std::to_string(bomi->value()), std::to_string(medog->value())});
  CHECK(Has(reopened, "road reopened 波密县-墨脱县"));

  // A place the server does not know: refused, naming the argument.
  const CommandResult unknown = cli.Run({"close-road", "无此地", "墨脱", "--reason", "x"});
  CHECK(unknown.exit_code == 3);
  CHECK(Has(unknown.err, "NOT_FOUND"));
  CHECK(Has(unknown.err, "close_road.from"));
}

TEST_CASE_FIXTURE(Served, "client cli: refused credentials exit 3; a hint when none is given") {
  v1::Request theirs = Submit("P1", 16, {{"medical", 1}});
  theirs.mutable_submit()->set_unit("定日边防连");
  REQUIRE(server.Connect().Call(theirs)->code() == v1::OK);

  const CommandResult foreign =
      cli.Run({"cancel", "P1", "--reason", "not ours"}, UnitToken("萨嘎边防营"));
  INFO("stderr: " << foreign.err);
  CHECK(foreign.exit_code == 3);
  CHECK(Has(foreign.err, "baiying cancel: PERMISSION_DENIED"));
  CHECK(RequestState(server, "P1").status() != v1::REQUEST_STATUS_CANCELLED);

  const CommandResult none = cli.Run({"demand"}, "");
  CHECK(none.exit_code == 3);
  CHECK(Has(none.err, "UNAUTHENTICATED"));
  CHECK(Has(none.err,
            "no credential given: pass --token or set BAIYING_TOKEN (tokens come from "
            "`baiying credentials issue`)"));

  const CommandResult unknown = cli.Run({"ack", "P1", "TM-X"}, "by_nobody");
  CHECK(unknown.exit_code == 3);
  CHECK(Has(unknown.err, "UNAUTHENTICATED"));
  CHECK_FALSE(Has(unknown.err, "no credential given"));

  // The token from the environment.
  setenv("BAIYING_TOKEN", std::string(kOfficerToken).c_str(), 1);
  const CommandResult from_env = cli.Run({"status", "P1"}, "");
  unsetenv("BAIYING_TOKEN");
  CHECK(from_env.exit_code == 0);
  CHECK(Has(from_env.out, "P1  filled"));
}

TEST_CASE_FIXTURE(Served, "client cli: --json prints the server's reply as JSON") {
  const nlohmann::json submitted = nlohmann::json::parse(
      cli.Ok({"submit", "--at", "定日", "--need", "medical:1", "--id", "J1", "--json"}));
  CHECK(submitted["events"]["events"][0]["request_accepted"]["request_id"] == "J1");
  const std::string team = OnlyTeam(RequestState(server, "J1"));
  const nlohmann::json acked = nlohmann::json::parse(cli.Ok({"ack", "J1", team, "--json"}));
  CHECK(acked["events"]["events"][0]["assignment_acknowledged"]["team"] == team);
  const nlohmann::json status = nlohmann::json::parse(cli.Ok({"status", "J1", "--json"}));
  CHECK(status["request"]["request_id"] == "J1");

  // A refusal is JSON too, and exits 3.
  const CommandResult refused = cli.Run({"cancel", "nobody", "--reason", "x", "--json"});
  CHECK(refused.exit_code == 3);
  CHECK(nlohmann::json::parse(refused.out)["code"] == "NOT_FOUND");
}

TEST_CASE("client cli: bad arguments exit 2, naming the argument") {
  // No server needed: nothing is sent.
  const auto run = [](std::vector<std::string> args) {
    args.insert(args.end(), {"--server", "127.0.0.1:1", "--token", "t"});
    return RunCommand(BAIYING_BINARY, args);
  };
  const CommandResult no_team = run({"ack", "C1"});
  CHECK(no_team.exit_code == 2);
  CHECK(Has(no_team.err, "TEAM"));
  const CommandResult no_reason = run({"decline", "C1", "TM-1"});
  CHECK(no_reason.exit_code == 2);
  CHECK(Has(no_reason.err, "--reason"));
  const CommandResult bad_place = run({"close-road", "12x", "墨脱", "--reason", "x"});
  CHECK(bad_place.exit_code == 2);
  CHECK(Has(bad_place.err, "FROM"));
  const CommandResult bad_state = run({"duty", "TM-1", "maybe"});
  CHECK(bad_state.exit_code == 2);
  CHECK(Has(bad_state.err, "STATE"));
  const CommandResult bad_count = run({"watch", "--count", "0"});
  CHECK(bad_count.exit_code == 2);
  CHECK(Has(bad_count.err, "--count"));
  const CommandResult bad_timeout = run({"demand", "--timeout", "-1"});
  CHECK(bad_timeout.exit_code == 2);
  CHECK(Has(bad_timeout.err, "--timeout"));
  // Nobody listens on port 1.
  CHECK(run({"demand"}).exit_code == 4);
}

TEST_CASE_FIXTURE(Served, "client cli: watch --json prints JSON Lines and stops at --count") {
  const auto watch = Watch({"--count", "3", "--json"}, "every request");
  Client client = server.Connect();
  REQUIRE(client.Call(Submit("W1", 16, {{"medical", 1}}))->code() == v1::OK);
  const CommandResult r = watch->Wait(std::chrono::seconds(20));
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  std::vector<nlohmann::json> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 3);
  for (const nlohmann::json& line : lines)
    CHECK(line["received_at"].get<std::string>().ends_with("Z"));
  CHECK(lines[0]["event"]["request_accepted"]["request_id"] == "W1");
  // The assignment follows (perhaps after the search widened).
  bool assigned = false;
  for (const nlohmann::json& line : lines) {
    if (line["event"].contains("team_assigned")) {
      assigned = true;
      CHECK(line["event"]["team_assigned"]["request_id"] == "W1");
      CHECK(line["event"]["text"].get<std::string>().starts_with("assigned "));
    }
  }
  CHECK(assigned);
}

TEST_CASE_FIXTURE(Served, "client cli: watch outlasts --timeout, filters, ends on SIGTERM") {
  const auto watch = Watch({"W2", "--timeout", "0.5"}, "request W2");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // three timeouts, idle
  Client client = server.Connect();
  REQUIRE(client.Call(Submit("W1", 16, {{"medical", 1}}))->code() == v1::OK);
  REQUIRE(client.Call(Submit("W2", 20, {{"transport", 1}}))->code() == v1::OK);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!Has(watch->out(), "filled W2") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  watch->Signal(SIGTERM);
  const CommandResult r = watch->Wait(std::chrono::seconds(10));
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Has(r.out, "accepted W2 at "));
  CHECK(Has(r.out, "filled W2"));
  CHECK_FALSE(Has(r.out, "W1"));
  // Each line starts with the time it was received, in UTC.
  CHECK(std::regex_search(r.out, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  )")));
}

TEST_CASE_FIXTURE(Served, "client cli: watch exits 4 when the server goes away") {
  const auto watch = Watch({}, "every request");
  server.Stop();
  const CommandResult r = watch->Wait(std::chrono::seconds(10));
  CHECK(r.exit_code == 4);
  CHECK(Has(r.err, "baiying watch: "));
}
