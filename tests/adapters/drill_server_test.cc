// Drills against a running server (`baiying drill FILE --server`): every scenario of
// scenarios/ that a server can play gives the same report as in process; the live side is
// untouched (no live request, every team free, nothing journaled, live watchers hear nothing)
// while drill watchers hear the drill's events marked with its id; an officer moves a drill's
// clock but not the live one; the drill limit; the binary against a server; and a scenario
// with an in-process-only registry change refused before anything is sent.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapters/drill/drill.h"
#include "adapters/drill/network_sink.h"
#include "adapters/drill/scenario.h"
#include "tests/support/run_command.h"
#include "tests/support/scenarios.h"
#include "tests/support/server_fixture.h"

namespace baiying::testing {
namespace {

const std::filesystem::path kSource = BAIYING_SOURCE_DIR;

std::string Address(const RunningServer& server) {
  return "127.0.0.1:" + std::to_string(server.server().port());
}

v1::Request InDrill(v1::Request request, const std::string& drill) {
  request.set_drill(drill);
  return request;
}

v1::Request Advance(Instant to) {
  v1::Request request;
  request.mutable_advance_time()->set_to_unix_ms(UnixMs(to));
  return request;
}

v1::Request Watch(const std::string& drill) {
  v1::Request request;
  request.mutable_subscribe()->set_drill(drill);
  return request;
}

v1::Request EndDrill(const std::string& drill) {
  v1::Request request;
  request.set_drill(drill);
  request.mutable_end_drill();
  return request;
}

v1::ErrorCode CodeOf(Client& client, v1::Request request) {
  Result<v1::Reply> reply = client.Call(std::move(request));
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  return reply->code();
}

}  // namespace

TEST_CASE("drill --server: every scenario plays as in process and leaves the live side alone") {
  World world;
  RunningServer server(world);
  Client live_watcher = server.Connect();
  REQUIRE(live_watcher.Call(Watch(""))->has_subscribed());
  Client drill_watcher = server.Connect();
  const std::string watched = "t-dingri_earthquake";
  Result<v1::Reply> subscribed = drill_watcher.Call(Watch(watched));
  REQUIRE(subscribed.ok());
  REQUIRE(subscribed->has_subscribed());
  CHECK(subscribed->drill() == watched);

  int played = 0;
  for (const std::filesystem::path& path : ScenarioFiles(kSource)) {
    INFO("scenario " << path.filename().string());
    Result<drill::ScenarioFile> file = drill::ScenarioFile::Read(path);
    REQUIRE(file.ok());
    if (!drill::CheckPlayableOnServer(*file).ok()) continue;
    drill::DrillOutcome here = drill::RunScenarioFile(path, kSource / "data" / "xizang");
    REQUIRE_MESSAGE(here.drill.has_value(), here.error.message());
    const drill::DrillTarget target{Address(server), std::string(kOfficerToken),
                                    "t-" + path.stem().string()};
    drill::DrillOutcome there = drill::RunScenarioFile(path, kSource / "data" / "xizang", target);
    REQUIRE_MESSAGE(there.drill.has_value(), there.error.message());
    CHECK(there.drill_id == target.drill_id);
    for (std::size_t i = 0; i < there.drill->checks.size(); ++i) {
      INFO(there.drill->checks[i].label << ": " << there.drill->checks[i].found);
      CHECK(there.drill->checks[i].passed == here.drill->checks[i].passed);
    }
    // Teams, ETAs, shortfalls, the log: the whole report is the same.
    CHECK(drill::JsonReport(there.drill->Report()) == drill::JsonReport(here.drill->Report()));
    ++played;
  }
  CHECK(played >= 5);

  // The live side: nothing journaled, no request, every team free.
  CHECK(server.server().journaled() == 0);
  Client officer = server.Connect();
  v1::Request open;
  open.mutable_list_open_requests();
  Result<v1::Reply> live_open = officer.Call(open);
  REQUIRE(live_open.ok());
  CHECK(live_open->code() == v1::OK);
  CHECK(live_open->open_requests().requests_size() == 0);
  CHECK(CodeOf(officer, GetRequest("R1")) == v1::NOT_FOUND);
  for (const Team& team : world.registry->teams()) {
    v1::Request get;
    get.mutable_get_team()->set_team(team.code);
    Result<v1::Reply> state = officer.Call(get);
    REQUIRE(state.ok());
    INFO(team.code);
    CHECK(state->team().activity() == v1::TEAM_ACTIVITY_AVAILABLE);
    CHECK(state->team().request_id().empty());
  }
  // Every drill was ended: asking one gives NOT_FOUND.
  CHECK(CodeOf(officer, InDrill(GetRequest("R1"), watched)) == v1::NOT_FOUND);

  // The drill watcher heard its drill, every frame marked; the live watcher heard nothing.
  int frames = 0;
  for (;;) {
    Result<v1::Reply> push = drill_watcher.ReadReply(std::chrono::milliseconds(300));
    if (!push.ok()) break;
    CHECK(push->drill() == watched);
    CHECK(push->events().events_size() > 0);
    ++frames;
  }
  CHECK(frames > 0);
  CHECK(!live_watcher.ReadReply(std::chrono::milliseconds(200)).ok());
  CHECK(server.server().journaled() == 0);
}

TEST_CASE("drill --server: an officer moves a drill's clock and suspensions, not the live ones") {
  World world;
  RunningServer server(world);
  Client officer = server.Connect();
  const Instant later = kStart + std::chrono::hours(30);
  CHECK(CodeOf(officer, Advance(later)) == v1::PERMISSION_DENIED);
  v1::Request suspend;
  suspend.mutable_set_suspension()->set_team("TM-LS-MED-002");
  suspend.mutable_set_suspension()->set_suspended(true);
  suspend.mutable_set_suspension()->set_reason("inspection");
  CHECK(CodeOf(officer, suspend) == v1::PERMISSION_DENIED);

  Result<v1::Reply> moved = officer.Call(InDrill(Advance(later), "d1"));
  REQUIRE(moved.ok());
  CHECK(moved->code() == v1::OK);
  CHECK(moved->drill() == "d1");
  CHECK(CodeOf(officer, InDrill(suspend, "d1")) == v1::OK);
  // A drill's command is stamped with the drill's clock, not the server's.
  v1::Request submit = Submit("D1", 16, {{"medical", 1}});
  submit.mutable_submit()->set_deadline_unix_ms(UnixMs(later + std::chrono::hours(6)));
  REQUIRE(CodeOf(officer, InDrill(submit, "d1")) == v1::OK);
  Result<v1::Reply> state = officer.Call(InDrill(GetRequest("D1"), "d1"));
  REQUIRE(state.ok());
  REQUIRE(state->code() == v1::OK);
  CHECK(state->drill() == "d1");
  CHECK(state->request().submitted_unix_ms() == UnixMs(later));
  CHECK(CodeOf(officer, GetRequest("D1")) == v1::NOT_FOUND);  // not live
  v1::Request team;
  team.mutable_get_team()->set_team("TM-LS-MED-002");
  Result<v1::Reply> live_team = officer.Call(team);
  REQUIRE(live_team.ok());
  CHECK(live_team->team().activity() == v1::TEAM_ACTIVITY_AVAILABLE);

  // A unit may not end a drill; the officer may, once.
  Client unit = server.Connect(UnitToken("unit-D1"));
  CHECK(CodeOf(unit, EndDrill("d1")) == v1::PERMISSION_DENIED);
  Result<v1::Reply> ended = officer.Call(EndDrill("d1"));
  REQUIRE(ended.ok());
  CHECK(ended->code() == v1::OK);
  CHECK(ended->drill_ended().commands() == 3);
  CHECK(CodeOf(officer, EndDrill("d1")) == v1::NOT_FOUND);
  v1::Request no_id;
  no_id.mutable_end_drill();
  CHECK(CodeOf(officer, no_id) == v1::INVALID_ARGUMENT);
  CHECK(CodeOf(officer, InDrill(GetRequest("D1"), std::string(200, 'x'))) == v1::INVALID_ARGUMENT);
  CHECK(server.server().journaled() == 0);
}

TEST_CASE("drill --server: more drills than the limit are RESOURCE_EXHAUSTED") {
  World world;
  ServerOptions options = RunningServer::Options();
  options.max_drills = 2;
  RunningServer server(world, options);
  Client officer = server.Connect();
  CHECK(CodeOf(officer, InDrill(Advance(kStart), "a")) == v1::OK);
  CHECK(CodeOf(officer, InDrill(Advance(kStart), "b")) == v1::OK);
  Result<v1::Reply> third = officer.Call(InDrill(Advance(kStart), "c"));
  REQUIRE(third.ok());
  CHECK(third->code() == v1::RESOURCE_EXHAUSTED);
  CHECK(third->message().find("limit 2") != std::string::npos);
  CHECK(CodeOf(officer, InDrill(Advance(kStart), "a")) == v1::OK);  // a running one goes on
  CHECK(CodeOf(officer, EndDrill("a")) == v1::OK);
  CHECK(CodeOf(officer, InDrill(Advance(kStart), "c")) == v1::OK);
}

TEST_CASE("drill --server: the binary plays a scenario on a server; in-process changes refused") {
  World world;
  RunningServer server(world);
  TempDir dir;
  const CommandResult r = RunCommand(
      BAIYING_BINARY, {"drill", (kSource / "scenarios" / "mainling_earthquake.textproto").string(),
                       "--server", Address(server), "--token", std::string(kOfficerToken),
                       "--report", (dir.path() / "reports").string()});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PASS  ") != std::string::npos);
  CHECK(r.out.find("FAIL  ") == std::string::npos);
  CHECK(r.out.find("as drill mainling_earthquake-") != std::string::npos);
  CHECK(server.server().journaled() == 0);

  const std::filesystem::path moved = dir.Write("moved.textproto", R"(name: "moved"
registry_change { team: "TM-LS-MED-002" move_home: "那曲" }
timeline { at: "0m" submit { id: "R1" place: "拉萨" need { specialty: "medical" quantity: 1 } } }
)");
  const CommandResult refused = RunCommand(
      BAIYING_BINARY, {"drill", moved.string(), "--server", Address(server), "--token",
                       std::string(kOfficerToken), "--report", (dir.path() / "reports").string()});
  INFO("stderr: " << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("moved.textproto:2:") != std::string::npos);
  CHECK(refused.err.find("registry_change[0].move_home: cannot be played against a server; run "
                         "in process") != std::string::npos);
}

}  // namespace baiying::testing
