// The server keeps its road index up to date after closures (adapters/net/server.h): a closure
// or a reopening through a client is followed, within seconds, by an index built for the arcs
// closed now, installed on the dispatch strand; answers agree with a server without an index
// throughout; drills keep their own; a journal with closures is caught up at start; a stop
// while a recontraction runs is clean.

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/registry/registry.h"
#include "engine/roads/ch_index.h"
#include "tests/support/grid_graph.h"
#include "tests/support/server_fixture.h"

namespace baiying::testing {
namespace {

using IndexState = Server::IndexState;

std::shared_ptr<const ChIndex> IndexOf(const RoadGraph& graph) {
  Result<ChIndex> index = ChIndex::Build(graph);
  REQUIRE_MESSAGE(index.ok(), index.status().message());
  return std::make_shared<const ChIndex>(std::move(index).value());
}

v1::Request CloseRoad(const std::string& from, const std::string& to) {
  v1::Request request;
  v1::CloseRoad* close = request.mutable_close_road();
  close->mutable_from()->set_name(from);
  close->mutable_to()->set_name(to);
  close->set_reason("landslide");
  return request;
}

v1::Request ReopenRoad(const std::string& from, const std::string& to) {
  v1::Request request;
  request.mutable_reopen_road()->mutable_from()->set_name(from);
  request.mutable_reopen_road()->mutable_to()->set_name(to);
  return request;
}

v1::Request InDrill(v1::Request request, const std::string& drill) {
  request.set_drill(drill);
  return request;
}

v1::Reply Call(Client& client, v1::Request request) {
  Result<v1::Reply> reply = client.Call(std::move(request));
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  REQUIRE_MESSAGE(reply->code() == v1::OK, reply->message());
  return std::move(reply).value();
}

// The events of a reply as the two ways of matching must agree on them: the teams, units and
// ETAs. A route's text and length may differ between two routes of exactly the same time, and
// the event's one-line text carries the route.
std::vector<std::string> Comparable(const v1::Reply& reply) {
  std::vector<std::string> out;
  for (v1::Event event : reply.events().events()) {
    event.clear_text();
    if (event.has_team_assigned()) {
      v1::Explanation* x = event.mutable_team_assigned()->mutable_explanation();
      x->clear_route();
      x->clear_distance_m();
    }
    out.push_back(event.ShortDebugString());
  }
  return out;
}

IndexState StateOf(const RunningServer& server, const std::string& drill = {}) {
  Result<IndexState> state = server.server().index_state(drill);
  REQUIRE_MESSAGE(state.ok(), state.status().message());
  return *state;
}

// Polls until the index is current with at least `installed` installed since start; the
// deadline is generous (sanitizers, a busy machine): this waits, it does not time anything.
IndexState WaitUntilCurrent(const RunningServer& server, std::uint64_t installed,
                            const std::string& drill = {}) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  IndexState state = StateOf(server, drill);
  while (!(state.current && state.installed >= installed) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    state = StateOf(server, drill);
  }
  return state;
}

std::uint32_t PlaceIdOf(const World& world, const std::string& name) {
  Result<PlaceId> place = world.graph->FindPlace(name);
  REQUIRE_MESSAGE(place.ok(), place.status().message());
  return place->value();
}

}  // namespace

TEST_CASE(
    "server index: after a closure and a reopening the index is current again, and "
    "answers agree with a server without one") {
  World indexed_world;
  World exact_world;
  RunningServer indexed(indexed_world, RunningServer::Options(), {}, IndexOf(*indexed_world.graph));
  RunningServer exact(exact_world);
  Client a = indexed.Connect();
  Client b = exact.Connect();
  auto both = [&](const v1::Request& request) {
    const v1::Reply from_index = Call(a, request);
    const v1::Reply from_exact = Call(b, request);
    CHECK(Comparable(from_index) == Comparable(from_exact));
    return from_index;
  };
  const std::uint32_t bomi = PlaceIdOf(indexed_world, "波密");

  IndexState state = StateOf(indexed);
  CHECK(state.in_use);
  CHECK(state.current);
  CHECK(state.closed_arcs == 0);
  CHECK_FALSE(StateOf(exact).in_use);

  CHECK(AssignedTeams(both(Submit("R1", bomi, {{"medical", 2}}))).size() >= 1);
  both(CloseRoad("鲁朗", "通麦"));
  both(Submit("R2", bomi, {{"medical", 2}, {"transport", 1}}));  // the index may not be ready

  state = WaitUntilCurrent(indexed, 1);
  REQUIRE(state.current);
  CHECK(state.installed == 1);
  CHECK(state.closed_arcs >= 2);
  CHECK(state.closed_arcs == StateOf(exact).closed_arcs);
  const std::uint64_t asked = state.index_answers;
  both(Submit("R3", bomi, {{"medical", 1}, {"transport", 1}}));
  CHECK(StateOf(indexed).index_answers > asked);

  both(ReopenRoad("鲁朗", "通麦"));
  state = WaitUntilCurrent(indexed, 2);
  REQUIRE(state.current);
  CHECK(state.closed_arcs == 0);
  const std::uint64_t asked_again = state.index_answers;
  both(Submit("R4", bomi, {{"medical", 1}}));
  CHECK(StateOf(indexed).index_answers > asked_again);
}

TEST_CASE("server index: a drill's closures bring its own index up to date, not the live one") {
  World world;
  RunningServer server(world, RunningServer::Options(), {}, IndexOf(*world.graph));
  Client client = server.Connect();
  Call(client, InDrill(CloseRoad("鲁朗", "通麦"), "d1"));
  const IndexState drill = WaitUntilCurrent(server, 1, "d1");
  CHECK(drill.current);
  CHECK(drill.installed == 1);
  CHECK(drill.closed_arcs >= 2);
  Call(client, InDrill(Submit("D1", PlaceIdOf(world, "波密"), {{"medical", 1}}), "d1"));
  CHECK(StateOf(server, "d1").index_answers > drill.index_answers);

  const IndexState live = StateOf(server);
  CHECK(live.current);
  CHECK(live.installed == 0);
  CHECK(live.closed_arcs == 0);

  v1::Request end;
  end.set_drill("d1");
  end.mutable_end_drill();
  Call(client, end);
  CHECK(server.server().index_state("d1").status().code() == StatusCode::kNotFound);
}

TEST_CASE("server index: closures recovered from the journal are caught up at start") {
  World world;
  const std::shared_ptr<const ChIndex> index = IndexOf(*world.graph);
  {
    RunningServer first(world, RunningServer::Options(), {}, index);
    Client client = first.Connect();
    Call(client, CloseRoad("鲁朗", "通麦"));
  }
  RunningServer second(world, RunningServer::Options(), {}, index);
  CHECK(second.server().recovered_applied() == 1);
  const IndexState state = WaitUntilCurrent(second, 1);
  CHECK(state.current);
  CHECK(state.closed_arcs >= 2);
}

TEST_CASE("server index: closures changing while a recontraction runs, and a stop during one") {
  // A grid large enough that a recontraction takes a while, and an empty registry.
  World world;
  Result<RoadGraph> grid = BuildGridGraph(50, 50, 1);
  REQUIRE_MESSAGE(grid.ok(), grid.status().message());
  world.graph = std::make_unique<RoadGraph>(std::move(grid).value());
  Result<Registry> empty = Registry::Build({});
  REQUIRE_MESSAGE(empty.ok(), empty.status().message());
  world.registry = std::make_shared<const Registry>(std::move(empty).value());

  const auto build_start = std::chrono::steady_clock::now();
  const std::shared_ptr<const ChIndex> index = IndexOf(*world.graph);
  MESSAGE("grid of "
          << world.graph->place_count() << " places: index built in "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count()
          << " s");
  RunningServer server(world, RunningServer::Options(), {}, index);
  Client client = server.Connect();
  // Three changes at once: each recontraction started is for closures already gone.
  Call(client, CloseRoad("P0", "P1"));
  Call(client, CloseRoad("P1", "P2"));
  Call(client, ReopenRoad("P0", "P1"));
  const IndexState state = WaitUntilCurrent(server, 1);
  CHECK(state.current);
  CHECK(state.closed_arcs == 2);

  Call(client, CloseRoad("P2", "P3"));
  const std::string running = StateOf(server).current ? "not running" : "running";
  MESSAGE("a recontraction was " << running << " at the stop");
  const auto stop_start = std::chrono::steady_clock::now();
  server.Stop();
  MESSAGE("stopped in "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - stop_start).count()
          << " s");
  CHECK(server.server().index_state({}, std::chrono::milliseconds(200)).status().code() ==
        StatusCode::kUnavailable);
}

}  // namespace baiying::testing
