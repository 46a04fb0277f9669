// RouteText: a route given spelled, or spelled by its Source on first read, once, whichever copy
// or thread reads it first; the source released once spelled. Then through the dispatcher: a
// route found by the road index is left unspelled by Apply and reads as the exact search's.

#include "engine/dispatch/events.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_types.h"
#include "tests/support/dispatch_fixture.h"
#include "tests/support/graph_oracle.h"

namespace baiying {
namespace {

using testing::MakeRegistry;
using testing::MustBuild;
using testing::Places;
using testing::Request;
using testing::Road;
using testing::TeamSpec;

constexpr TravelTime kMin = 60'000;
const std::string kRoute = "G318 a -> b (3 km)";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Spells kRoute, 3000 m, counting its calls in a counter that outlives it. `pause` makes the
// spelling slow, so that other readers arrive while it runs.
class CountingSource final : public RouteText::Source {
 public:
  explicit CountingSource(std::atomic<int>& calls, std::chrono::milliseconds pause = {})
      : calls_(&calls), pause_(pause) {}

  void Spell(std::string& text, std::uint64_t& distance_m) const override {
    calls_->fetch_add(1);
    if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
    text = kRoute;
    distance_m = 3000;
  }

 private:
  std::atomic<int>* calls_;
  std::chrono::milliseconds pause_;
};

TEST_CASE("RouteText: a source is spelled on first read, once, and copies share the result") {
  std::atomic<int> calls{0};
  RouteText route(std::make_shared<const CountingSource>(calls));
  const RouteText before = route;  // a copy made before any read
  CHECK_FALSE(route.spelled());
  CHECK_FALSE(before.spelled());
  CHECK(calls.load() == 0);

  CHECK(route.text() == kRoute);
  CHECK(calls.load() == 1);
  CHECK(route.spelled());
  CHECK(before.spelled());  // spelled through the original, seen by the copy
  CHECK(route.distance_m() == 3000);

  const RouteText after = route;  // a copy made after the first read
  RouteText assigned;
  assigned = before;
  for (int i = 0; i < 5; ++i) {
    CHECK(route.text() == kRoute);
    CHECK(route.distance_m() == 3000);
    CHECK(before.text() == kRoute);
    CHECK(before.distance_m() == 3000);
    CHECK(after.text() == kRoute);
    CHECK(after.distance_m() == 3000);
    CHECK(assigned.text() == kRoute);
  }
  CHECK(calls.load() == 1);
  CHECK(route.spelled());
  CHECK(before.spelled());
  CHECK(after.spelled());
  CHECK(assigned.spelled());
}

TEST_CASE("RouteText: distance_m() alone spells it, and a copy read first spells it for all") {
  std::atomic<int> calls{0};
  const RouteText route(std::make_shared<const CountingSource>(calls));
  const RouteText copy = route;
  CHECK(copy.distance_m() == 3000);
  CHECK(calls.load() == 1);
  CHECK(route.spelled());
  CHECK(route.text() == kRoute);
  CHECK(calls.load() == 1);
}

TEST_CASE("RouteText: Describe of an assignment spells the route and shows its text and length") {
  std::atomic<int> calls{0};
  TeamAssigned a;
  a.request_id = "R1";
  a.team = "T1";
  a.specialty = "medical";
  a.units = 2;
  a.explanation.eta = 40 * kMin;
  a.explanation.mobilization = 10 * kMin;
  a.explanation.travel = 30 * kMin;
  a.explanation.route = RouteText(std::make_shared<const CountingSource>(calls));
  const Event event = a;  // the event holds a copy of the route
  CHECK_FALSE(a.explanation.route.spelled());
  CHECK(calls.load() == 0);

  const std::string line = Describe(event);
  CHECK_MESSAGE(Contains(line, "via " + kRoute), line);
  CHECK_MESSAGE(Contains(line, ", 3 km)"), line);  // from distance_m(), not from the text
  CHECK_MESSAGE(Contains(line, "assigned T1 to R1 medical x2"), line);
  CHECK(calls.load() == 1);
  CHECK(a.explanation.route.spelled());
  CHECK(Describe(event) == line);
  CHECK(Describe(a) == line);
  CHECK(calls.load() == 1);
}

TEST_CASE("RouteText: the source is released once spelled, not before") {
  std::atomic<int> calls{0};
  auto source = std::make_shared<const CountingSource>(calls);
  const std::weak_ptr<const CountingSource> watch = source;
  RouteText route(std::move(source));
  const RouteText copy = route;
  source.reset();  // moved from already; the route (and its copy) hold the only reference
  CHECK_FALSE(watch.expired());
  CHECK_FALSE(route.spelled());
  CHECK(calls.load() == 0);

  CHECK(copy.text() == kRoute);
  CHECK(calls.load() == 1);
  CHECK(watch.expired());
  CHECK(route.text() == kRoute);  // still readable with the source gone
  CHECK(route.distance_m() == 3000);
  CHECK(calls.load() == 1);
}

TEST_CASE("RouteText: many threads reading copies at once spell it once and all see its text") {
  constexpr int kThreads = 8;
  constexpr int kReads = 1000;
  std::atomic<int> calls{0};
  // A slow spelling, so that the other threads arrive while the first is still spelling.
  const RouteText route(
      std::make_shared<const CountingSource>(calls, std::chrono::milliseconds(20)));
  std::vector<RouteText> copies(kThreads, route);
  std::vector<int> right(kThreads, 0);
  std::vector<int> length_right(kThreads, 0);
  std::latch start(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < kReads; ++i) {
          if (copies[t].text() == kRoute) ++right[t];
          if (copies[t].distance_m() == 3000) ++length_right[t];
        }
      });
    }
  }  // joined
  for (int t = 0; t < kThreads; ++t) {
    CHECK_MESSAGE(right[t] == kReads, "thread " << t);
    CHECK_MESSAGE(length_right[t] == kReads, "thread " << t);
    CHECK(copies[t].spelled());
  }
  CHECK(calls.load() == 1);
  CHECK(route.spelled());
}

TEST_CASE("RouteText: given spelled, or none") {
  const RouteText none;
  CHECK(none.spelled());
  CHECK(none.text().empty());
  CHECK(none.distance_m() == 0);
  const RouteText none_copy = none;
  CHECK(none_copy.spelled());
  CHECK(none_copy.text().empty());

  const RouteText there("already there", 0);
  CHECK(there.spelled());
  CHECK(there.text() == "already there");
  CHECK(there.distance_m() == 0);

  const RouteText given("S5 p1 -> p0 (12 km)", 12'345);
  CHECK(given.spelled());
  CHECK(given.text() == "S5 p1 -> p0 (12 km)");
  CHECK(given.distance_m() == 12'345);
  const RouteText given_copy = given;
  CHECK(given_copy.text() == given.text());
  CHECK(given_copy.distance_m() == 12'345);
}

// --- Through the dispatcher ---

// The one TeamAssigned among `events`.
TeamAssigned OneAssignment(const std::vector<Event>& events) {
  std::vector<TeamAssigned> all;
  for (const Event& e : events) {
    if (const auto* a = std::get_if<TeamAssigned>(&e)) all.push_back(*a);
  }
  REQUIRE(all.size() == 1);
  return all.front();
}

TEST_CASE("RouteText: a route the road index found is spelled when read, as the exact search's") {
  // A chain p4 -S5- p3 -S5- p2 -G318- p1 -G318- p0, 10 min a road, and a slower way round
  // through p5 (30 + 30 min): the one fastest route from T1 at p4 to the unit at p0 is the chain.
  std::vector<ArcSpec> arcs;
  Road(arcs, 4, 3, 10, "S5");
  Road(arcs, 3, 2, 10, "S5");
  Road(arcs, 2, 1, 10, "G318");
  Road(arcs, 1, 0, 10, "G318");
  Road(arcs, 4, 5, 30, "X1");
  Road(arcs, 5, 0, 30, "X1");
  const RoadGraph graph = MustBuild(Places(6), arcs);
  TeamSpec t1;
  t1.code = "T1";
  t1.home = "p4";
  t1.specialty = "medical";
  const auto registry = MakeRegistry({t1});
  const TimedCommand submit{testing::Minutes(0),
                            Request("R1", PlaceId(0), {{"medical", 1}})};

  Result<Dispatcher> exact = Dispatcher::Create(graph, registry);
  REQUIRE_MESSAGE(exact.ok(), exact.status().ToString());
  Result<std::vector<Event>> want_events = exact->Apply(submit);
  REQUIRE_MESSAGE(want_events.ok(), want_events.status().ToString());
  const TeamAssigned want = OneAssignment(*want_events);
  CHECK(want.explanation.route.spelled());  // the exact search spells as it goes

  std::optional<Dispatcher> indexed;
  {
    Result<Dispatcher> d = Dispatcher::Create(graph, registry);
    REQUIRE_MESSAGE(d.ok(), d.status().ToString());
    indexed.emplace(std::move(d).value());
    Result<ChIndex> index = ChIndex::Build(graph);
    REQUIRE_MESSAGE(index.ok(), index.status().ToString());
    REQUIRE(indexed->UseIndex(std::make_shared<ChIndex>(std::move(index).value())).ok());
  }
  Result<std::vector<Event>> got_events = indexed->Apply(submit);
  REQUIRE_MESSAGE(got_events.ok(), got_events.status().ToString());
  CHECK(indexed->index_answers() > 0);
  const TeamAssigned* in_events = nullptr;
  for (const Event& e : *got_events) {
    if (const auto* a = std::get_if<TeamAssigned>(&e)) in_events = a;
  }
  REQUIRE(in_events != nullptr);
  CHECK(in_events->team == "T1");
  CHECK(in_events->explanation.travel == 40 * kMin);
  CHECK_FALSE(in_events->explanation.route.spelled());  // Apply left it as an outline
  const TeamAssigned got = *in_events;                   // a copy, read first
  CHECK_FALSE(got.explanation.route.spelled());

  // The index is held by the route: it spells with the dispatcher (and its index) gone.
  indexed.reset();
  const std::uint64_t arc_m = 1000 + (10 * kMin) % 997;  // FixedArc's length
  CHECK(got.explanation.route.text() == want.explanation.route.text());
  CHECK(got.explanation.route.distance_m() == want.explanation.route.distance_m());
  CHECK(got.explanation.route.distance_m() == 4 * arc_m);
  const std::string& text = got.explanation.route.text();
  CHECK_MESSAGE(Contains(text, "S5 p4 -> p2"), text);
  CHECK_MESSAGE(Contains(text, "G318 p2 -> p0"), text);
  CHECK_MESSAGE(text.find("S5") < text.find("G318"), text);
  CHECK_MESSAGE(!Contains(text, "X1"), text);
  CHECK(got.explanation.route.spelled());
  CHECK(in_events->explanation.route.spelled());  // the event's own copy shares the spelling
  CHECK(Describe(got) == Describe(want));
}

}  // namespace
}  // namespace baiying
