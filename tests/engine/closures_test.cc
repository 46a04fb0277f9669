// Closures: arcs and places shut over time windows, honoured by every query at once; checked
// by hand on the hand-made network of tests/support/graph_oracle.h and against brute force on
// random graphs with random closures.

#include "engine/roads/closures.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"
#include "engine/roads/road_types.h"
#include "tests/support/graph_oracle.h"
#include "tests/support/tally.h"

namespace baiying {
namespace {

using testing::FloydWarshall;
using testing::HandGraph;
using testing::kA, testing::kB, testing::kC, testing::kD, testing::kE, testing::kF;
using testing::kHour;
using testing::kNone;
using testing::Matrix;
using testing::MustBuild;
using testing::NumberedPlaces;
using testing::RoutePlaces;
using testing::Tally;
using testing::Text;
using testing::ToTravelTime;

Instant At(std::int64_t ms) {
  return Instant(Duration(ms));
}

// "A>B>C (10800000)", or the error's code name.
std::string Describe(const RoadGraph& graph, const Result<Route>& route) {
  if (!route.ok()) return std::string(StatusCodeName(route.status().code()));
  return RoutePlaces(graph, *route) + " (" + std::to_string(route->time) + ")";
}

ArcId MustFindArc(const RoadGraph& graph, std::uint32_t from, std::uint32_t to) {
  const ArcId arc = graph.FindArc(PlaceId(from), PlaceId(to));
  REQUIRE(arc != kNoArc);
  return arc;
}

ClosureId MustClose(Result<ClosureId> closed) {
  REQUIRE_MESSAGE(closed.ok(), closed.status().ToString());
  return *closed;
}

TEST_CASE("closing an arc reroutes over the detour") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const QueryContext context{&closures, At(0)};
  CHECK(closures.empty());
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>B>C (10800000)");

  MustClose(closures.CloseArc(MustFindArc(graph, kB, kC), "landslide at Tongmai"));
  CHECK_FALSE(closures.empty());
  // 2.5 h + 0.6 h.
  const Result<Route> detour = query.ShortestRoute(PlaceId(kA), PlaceId(kC), context);
  CHECK(Describe(graph, detour) == "A>D>C (11160000)");
  REQUIRE(detour.ok());
  REQUIRE(detour->legs.size() == 2);
  CHECK(detour->legs[0].road_ref == "S5");
  CHECK(detour->legs[1].road_ref == "X123");
  CHECK(detour->length_m == 221'000);
  // Only B to C is shut: C to A still goes through B.
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kC), PlaceId(kA), context)) ==
        "C>B>A (10800000)");
  // A query without the closure set sees the whole network.
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC))) == "A>B>C (10800000)");

  // Shut D too: the track through E, 2 h + 1.5 h.
  MustClose(closures.ClosePlace(PlaceId(kD), "checkpoint"));
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>E>C (12600000)");
  const auto times = query.AllTimes(PlaceId(kA), Direction::kFromPlace, context);
  CHECK(times[kC] == 12'600'000);
  CHECK(times[kD] == kInfiniteTime);
  CHECK(times[kF] == 12'600'000 + 720'000);
}

TEST_CASE("closing the only way in makes a place unreachable") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const QueryContext context{&closures, At(0)};
  MustClose(closures.CloseArc(MustFindArc(graph, kC, kF), "bridge out"));

  const Result<Route> to_f = query.ShortestRoute(PlaceId(kA), PlaceId(kF), context);
  REQUIRE_FALSE(to_f.ok());
  CHECK(to_f.status().code() == StatusCode::kNotFound);
  CHECK(query.AllTimes(PlaceId(kA), Direction::kFromPlace, context)[kF] == kInfiniteTime);
  CHECK(query.AllTimes(PlaceId(kF), Direction::kToPlace, context)[kA] == kInfiniteTime);
  const std::vector<PlaceId> targets = {PlaceId(kF), PlaceId(kD)};
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kFromPlace, targets, {2, kInfiniteTime},
                           context)) == "3@9000000");
  const std::vector<PlaceId> teams = {PlaceId(kA), PlaceId(kB)};
  CHECK(
      query.Nearest(PlaceId(kF), Direction::kToPlace, teams, {2, kInfiniteTime}, context).empty());
  // The way out is open: F>C>B>A.
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kF), PlaceId(kA), context)) ==
        "F>C>B>A (11520000)");
}

TEST_CASE("closing a place blocks every route through it, into it and out of it") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const QueryContext context{&closures, At(0)};
  MustClose(closures.ClosePlace(PlaceId(kB), "snow at B"));
  CHECK_FALSE(closures.PlaceOpen(PlaceId(kB), At(0)));
  CHECK(closures.PlaceOpen(PlaceId(kA), At(0)));
  CHECK_FALSE(closures.ArcOpen(MustFindArc(graph, kA, kB), At(0)));
  CHECK_FALSE(closures.ArcOpen(MustFindArc(graph, kB, kC), At(0)));
  CHECK(closures.ArcOpen(MustFindArc(graph, kA, kD), At(0)));

  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>D>C (11160000)");
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kC), PlaceId(kA), context)) ==
        "C>D>A (11160000)");
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kB), context)) == "NotFound");
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kB), PlaceId(kC), context)) == "NotFound");
  // Towards C: D 0.6 h, E 1.5 h; B is cut off.
  const std::vector<PlaceId> teams = {PlaceId(kA), PlaceId(kB), PlaceId(kD), PlaceId(kE)};
  CHECK(Text(query.Nearest(PlaceId(kC), Direction::kToPlace, teams, {3, kInfiniteTime}, context)) ==
        "3@2160000 4@5400000 0@11160000");
}

TEST_CASE("a closure applies from its start until just before its end") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const Instant from = At(10 * std::int64_t{kHour});
  const Instant until = At(12 * std::int64_t{kHour});
  MustClose(closures.CloseArc(MustFindArc(graph, kB, kC), "snow on the pass", from, until));

  struct Case {
    Instant at;
    const char* route;
  };
  const Case cases[] = {
      {Instant{}, "A>B>C (10800000)"},
      {from - Duration(1), "A>B>C (10800000)"},
      {from, "A>D>C (11160000)"},
      {from + Duration(kHour), "A>D>C (11160000)"},
      {until - Duration(1), "A>D>C (11160000)"},
      {until, "A>B>C (10800000)"},
      {until + Duration(kHour), "A>B>C (10800000)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.at.time_since_epoch().count());
    CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), {&closures, c.at})) ==
          c.route);
    const bool closed = from <= c.at && c.at < until;
    CHECK(closures.ArcOpen(MustFindArc(graph, kB, kC), c.at) == !closed);
  }

  // The same for a place, and for Nearest.
  MustClose(closures.ClosePlace(PlaceId(kD), "checkpoint", from, until));
  const std::vector<PlaceId> teams = {PlaceId(kD), PlaceId(kE)};
  CHECK(Text(query.Nearest(PlaceId(kC), Direction::kToPlace, teams, {1, kInfiniteTime},
                           {&closures, from - Duration(1)})) == "3@2160000");
  CHECK(Text(query.Nearest(PlaceId(kC), Direction::kToPlace, teams, {1, kInfiniteTime},
                           {&closures, from})) == "4@5400000");
  CHECK(Text(query.Nearest(PlaceId(kC), Direction::kToPlace, teams, {1, kInfiniteTime},
                           {&closures, until})) == "3@2160000");
  CHECK(closures.PlaceOpen(PlaceId(kD), until - Duration(2 * kHour) - Duration(1)));
  CHECK_FALSE(closures.PlaceOpen(PlaceId(kD), until - Duration(1)));
}

TEST_CASE("Closure::ActiveAt is the half-open window") {
  Closure closure;
  closure.from = At(100);
  closure.until = At(200);
  CHECK_FALSE(closure.ActiveAt(At(99)));
  CHECK(closure.ActiveAt(At(100)));
  CHECK(closure.ActiveAt(At(199)));
  CHECK_FALSE(closure.ActiveAt(At(200)));
  const Closure forever;
  CHECK(forever.ActiveAt(At(0)));
  CHECK(forever.ActiveAt(At(-1'000'000'000'000)));
  CHECK(forever.ActiveAt(At(1'000'000'000'000)));
}

TEST_CASE("Reopen restores the original route") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const QueryContext context{&closures, At(0)};
  const ClosureId id = MustClose(closures.CloseArc(MustFindArc(graph, kB, kC), "rockfall"));
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>D>C (11160000)");
  CHECK(closures.Reopen(id).ok());
  CHECK(closures.empty());
  CHECK(closures.Current().empty());
  CHECK(closures.ArcOpen(MustFindArc(graph, kB, kC), At(0)));
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>B>C (10800000)");

  CHECK(closures.Reopen(ClosureId(12345)).code() == StatusCode::kNotFound);
  CHECK(closures.Reopen(ClosureId::Invalid()).code() == StatusCode::kNotFound);
}

TEST_CASE("two closures on one arc: it stays shut until both are reopened") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const QueryContext context{&closures, At(0)};
  const ArcId b_to_c = MustFindArc(graph, kB, kC);
  const ClosureId first = MustClose(closures.CloseArc(b_to_c, "landslide"));
  const ClosureId second = MustClose(closures.CloseArc(b_to_c, "snow"));
  const ClosureId place = MustClose(closures.ClosePlace(PlaceId(kC), "flood"));
  CHECK(first != second);
  CHECK(second != place);
  CHECK(closures.Reopen(first).ok());
  CHECK_FALSE(closures.ArcOpen(b_to_c, At(0)));
  CHECK(closures.Reopen(place).ok());
  CHECK_FALSE(closures.ArcOpen(b_to_c, At(0)));
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>D>C (11160000)");
  CHECK(closures.Reopen(second).ok());
  CHECK(closures.ArcOpen(b_to_c, At(0)));
  CHECK(closures.PlaceOpen(PlaceId(kC), At(0)));
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>B>C (10800000)");
}

TEST_CASE("reopening one of two closures with different windows leaves only the other") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  const ArcId b_to_c = MustFindArc(graph, kB, kC);
  // A landslide now, and snow forecast from t = 1,000 on the same arc.
  const ClosureId landslide = MustClose(closures.CloseArc(b_to_c, "landslide", At(0), At(500)));
  MustClose(closures.CloseArc(b_to_c, "snow", At(1000)));
  const ClosureId flood = MustClose(closures.ClosePlace(PlaceId(kD), "flood", At(0), At(500)));
  MustClose(closures.ClosePlace(PlaceId(kD), "checkpoint", At(1000)));
  CHECK_FALSE(closures.ArcOpen(b_to_c, At(100)));
  CHECK_FALSE(closures.PlaceOpen(PlaceId(kD), At(100)));
  CHECK(closures.ArcOpen(b_to_c, At(700)));
  CHECK(closures.PlaceOpen(PlaceId(kD), At(700)));

  REQUIRE(closures.Reopen(landslide).ok());
  REQUIRE(closures.Reopen(flood).ok());
  CHECK(closures.ArcOpen(b_to_c, At(100)));
  CHECK(closures.PlaceOpen(PlaceId(kD), At(100)));
  CHECK(closures.ArcOpen(MustFindArc(graph, kA, kD), At(100)));
  CHECK_FALSE(closures.ArcOpen(b_to_c, At(1000)));
  CHECK_FALSE(closures.PlaceOpen(PlaceId(kD), At(1000)));
  CHECK_FALSE(closures.ArcOpen(MustFindArc(graph, kA, kD), At(1000)));
  RoadQuery query(graph);
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), {&closures, At(100)})) ==
        "A>B>C (10800000)");
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), {&closures, At(1000)})) ==
        "A>E>C (12600000)");
}

TEST_CASE("CloseBetween closes both directions, and only between adjacent places") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const QueryContext context{&closures, At(0)};
  const Result<std::vector<ClosureId>> closed =
      closures.CloseBetween(PlaceId(kB), PlaceId(kC), "bridge out");
  REQUIRE_MESSAGE(closed.ok(), closed.status().ToString());
  CHECK(closed->size() == 2);
  CHECK_FALSE(closures.ArcOpen(MustFindArc(graph, kB, kC), At(0)));
  CHECK_FALSE(closures.ArcOpen(MustFindArc(graph, kC, kB), At(0)));
  CHECK(closures.PlaceOpen(PlaceId(kB), At(0)));
  CHECK(closures.PlaceOpen(PlaceId(kC), At(0)));
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), context)) ==
        "A>D>C (11160000)");
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kC), PlaceId(kA), context)) ==
        "C>D>A (11160000)");
  // B is still reachable, through A.
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kC), PlaceId(kB), context)) ==
        "C>D>A>B (18360000)");

  const std::vector<Closure> current = closures.Current();
  REQUIRE(current.size() == 2);
  for (const Closure& c : current) {
    REQUIRE(c.arc != kNoArc);
    CHECK(c.place == kNoPlace);
    CHECK(c.reason == "bridge out");
    const bool joins = (graph.tail(c.arc) == PlaceId(kB) && graph.head(c.arc) == PlaceId(kC)) ||
                       (graph.tail(c.arc) == PlaceId(kC) && graph.head(c.arc) == PlaceId(kB));
    CHECK(joins);
  }
  CHECK(current[0].arc != current[1].arc);

  for (ClosureId id : *closed)
    CHECK(closures.Reopen(id).ok());
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kC), PlaceId(kA), context)) ==
        "C>B>A (10800000)");

  const Result<std::vector<ClosureId>> apart =
      closures.CloseBetween(PlaceId(kA), PlaceId(kC), "no such road");
  REQUIRE_FALSE(apart.ok());
  CHECK(apart.status().code() == StatusCode::kNotFound);
  CHECK(closures.Current().empty());
}

TEST_CASE("CloseBetween closes every parallel arc, and one-way roads") {
  std::vector<PlaceSpec> places(3);
  std::vector<ArcSpec> arcs;
  for (const auto& [from, to, time] :
       {std::tuple{0u, 1u, 10u}, std::tuple{0u, 1u, 20u}, std::tuple{1u, 0u, 30u},
        std::tuple{0u, 2u, 100u}, std::tuple{2u, 1u, 100u}}) {
    ArcSpec arc;
    arc.from = PlaceId(from);
    arc.to = PlaceId(to);
    arc.length_m = 1000;
    arc.fixed_time = time;
    arcs.push_back(arc);
  }
  const RoadGraph graph = MustBuild(std::move(places), arcs);
  ClosureSet closures(graph);
  RoadQuery query(graph);
  const QueryContext context{&closures, At(5)};

  const Result<std::vector<ClosureId>> closed =
      closures.CloseBetween(PlaceId(1), PlaceId(0), "washout", At(0), At(10));
  REQUIRE_MESSAGE(closed.ok(), closed.status().ToString());
  CHECK(closed->size() == 3);
  CHECK(closures.Current().size() == 3);
  CHECK(query.ShortestRoute(PlaceId(0), PlaceId(1), context)->time == 200);
  CHECK(query.ShortestRoute(PlaceId(1), PlaceId(0), context).status().code() ==
        StatusCode::kNotFound);
  CHECK(query.ShortestRoute(PlaceId(0), PlaceId(1), {&closures, At(10)})->time == 10);

  const Result<std::vector<ClosureId>> one_way =
      closures.CloseBetween(PlaceId(0), PlaceId(2), "one way");
  REQUIRE_MESSAGE(one_way.ok(), one_way.status().ToString());
  CHECK(one_way->size() == 1);
  CHECK(query.ShortestRoute(PlaceId(0), PlaceId(1), context).status().code() ==
        StatusCode::kNotFound);

  const Result<std::vector<ClosureId>> empty_window =
      closures.CloseBetween(PlaceId(2), PlaceId(1), "never", At(10), At(10));
  REQUIRE_FALSE(empty_window.ok());
  CHECK(empty_window.status().code() == StatusCode::kInvalidArgument);
  const Result<std::vector<ClosureId>> bad_place =
      closures.CloseBetween(PlaceId(2), PlaceId(3), "nowhere");
  CHECK_FALSE(bad_place.ok());
  CHECK(closures.Current().size() == 4);
}

TEST_CASE("bad ids and empty windows are rejected and change nothing") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  RoadQuery query(graph);

  for (ArcId bad : {ArcId(graph.arc_count()), ArcId(graph.arc_count() + 100), kNoArc}) {
    CAPTURE(bad.value());
    const Result<ClosureId> closed = closures.CloseArc(bad, "bad arc");
    REQUIRE_FALSE(closed.ok());
    CHECK(closed.status().code() == StatusCode::kInvalidArgument);
  }
  for (PlaceId bad : {PlaceId(graph.place_count()), kNoPlace}) {
    CAPTURE(bad.value());
    const Result<ClosureId> closed = closures.ClosePlace(bad, "bad place");
    REQUIRE_FALSE(closed.ok());
    CHECK(closed.status().code() == StatusCode::kInvalidArgument);
    CHECK_FALSE(closures.CloseBetween(bad, PlaceId(kA), "bad").ok());
    CHECK_FALSE(closures.CloseBetween(PlaceId(kA), bad, "bad").ok());
  }
  const ArcId arc = MustFindArc(graph, kB, kC);
  for (const auto& [from, until] : {std::pair{At(100), At(100)}, std::pair{At(100), At(50)},
                                    std::pair{kEndOfTime, kBeginningOfTime}}) {
    CAPTURE(from.time_since_epoch().count());
    CAPTURE(until.time_since_epoch().count());
    const Result<ClosureId> by_arc = closures.CloseArc(arc, "empty", from, until);
    REQUIRE_FALSE(by_arc.ok());
    CHECK(by_arc.status().code() == StatusCode::kInvalidArgument);
    const Result<ClosureId> by_place = closures.ClosePlace(PlaceId(kB), "empty", from, until);
    REQUIRE_FALSE(by_place.ok());
    CHECK(by_place.status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(closures.empty());
  CHECK(closures.Current().empty());
  CHECK(closures.ArcOpen(arc, At(100)));
  CHECK(closures.PlaceOpen(PlaceId(kB), At(100)));
  CHECK(Describe(graph, query.ShortestRoute(PlaceId(kA), PlaceId(kC), {&closures, At(75)})) ==
        "A>B>C (10800000)");
  // A one-millisecond window is not empty.
  CHECK(closures.CloseArc(arc, "brief", At(100), At(101)).ok());
}

TEST_CASE("Current lists the closures not reopened, in id order, as they were made") {
  const RoadGraph graph = HandGraph();
  ClosureSet closures(graph);
  const ArcId b_to_c = MustFindArc(graph, kB, kC);
  const ClosureId first =
      MustClose(closures.CloseArc(b_to_c, "landslide at Tongmai", At(1000), At(5000)));
  const ClosureId second = MustClose(closures.ClosePlace(PlaceId(kD), "checkpoint"));
  const ClosureId third =
      MustClose(closures.CloseArc(MustFindArc(graph, kE, kC), "snow on Mila pass", At(3000)));
  CHECK(first < second);
  CHECK(second < third);

  std::vector<Closure> current = closures.Current();
  REQUIRE(current.size() == 3);
  CHECK(current[0].id == first);
  CHECK(current[0].arc == b_to_c);
  CHECK(current[0].place == kNoPlace);
  CHECK(current[0].reason == "landslide at Tongmai");
  CHECK(current[0].from == At(1000));
  CHECK(current[0].until == At(5000));
  CHECK(current[1].id == second);
  CHECK(current[1].arc == kNoArc);
  CHECK(current[1].place == PlaceId(kD));
  CHECK(current[1].reason == "checkpoint");
  CHECK(current[1].from == kBeginningOfTime);
  CHECK(current[1].until == kEndOfTime);
  CHECK(current[2].id == third);
  CHECK(current[2].from == At(3000));
  CHECK(current[2].until == kEndOfTime);

  REQUIRE(closures.Reopen(second).ok());
  current = closures.Current();
  REQUIRE(current.size() == 2);
  CHECK(current[0].id == first);
  CHECK(current[1].id == third);
  CHECK_FALSE(closures.empty());
  REQUIRE(closures.Reopen(first).ok());
  REQUIRE(closures.Reopen(third).ok());
  CHECK(closures.Current().empty());
  CHECK(closures.empty());
}

// --- Random closures against brute force ---

std::string TimeText(std::uint64_t t) {
  return t == kNone ? "inf" : std::to_string(t);
}

// What the test knows of a closure it made: which input arcs or which place, and when.
struct ModelClosure {
  std::vector<ClosureId> ids;          // one, or several for CloseBetween
  std::vector<std::size_t> arc_specs;  // input arc indices shut
  std::uint32_t place = kNoPlace.value();
  Instant from;
  Instant until;
  bool reopened = false;

  std::string ToText() const {
    std::string out = place != kNoPlace.value() ? "place " + std::to_string(place) : "arcs";
    for (std::size_t spec : arc_specs)
      out += " #" + std::to_string(spec);
    const auto end = [](Instant t) {
      return t == kBeginningOfTime ? std::string("-inf")
             : t == kEndOfTime     ? std::string("inf")
                                   : std::to_string(t.time_since_epoch().count());
    };
    return out + " [" + end(from) + ", " + end(until) + ")" + (reopened ? " reopened" : "");
  }
};

TEST_CASE("random closures: queries equal brute force on the graph without the closed arcs") {
  constexpr std::uint32_t kSeed = 777;
  constexpr int kCases = 400;
  std::mt19937 rng(kSeed);
  Tally current("Current() lists the closures not reopened, in id order");
  Tally arc_open("ArcOpen and PlaceOpen follow the closures in force");
  Tally all_times("AllTimes equals brute force");
  Tally routes("ShortestRoute equals brute force and uses only open arcs");
  Tally nearest("Nearest equals brute force, graphs without zero-time arcs");
  Tally nearest_zero("Nearest equals brute force, graphs with zero-time arcs");
  int closed_arc_checks = 0;
  int open_arc_checks = 0;
  int closed_place_checks = 0;
  for (int case_index = 0; case_index < kCases; ++case_index) {
    const std::uint32_t n = std::uniform_int_distribution<std::uint32_t>(2, 30)(rng);
    // A third of the graphs have arcs of 0 to 2 ms (ties, zero arcs); the rest 1 to 1,000 ms.
    const bool zero_arcs = case_index % 3 == 0;
    std::uniform_int_distribution<TravelTime> weight(zero_arcs ? 0 : 1, zero_arcs ? 2 : 1000);
    std::vector<ArcSpec> arcs;
    const std::uint32_t m = std::uniform_int_distribution<std::uint32_t>(0, 4 * n)(rng);
    for (std::uint32_t i = 0; i < m; ++i) {
      ArcSpec arc;
      arc.from = PlaceId(std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng));
      arc.to = PlaceId(std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng));
      if (!arcs.empty() && rng() % 5 == 0) {  // parallel
        arc.from = arcs.back().from;
        arc.to = arcs.back().to;
      }
      if (arc.from == arc.to) continue;
      arc.length_m = 500;
      arc.fixed_time = weight(rng);
      arcs.push_back(arc);
    }
    const RoadGraph graph = MustBuild(NumberedPlaces(n), arcs);
    // Input arc index of each ArcId: rows grouped by tail, in input order.
    std::vector<std::size_t> spec_of(arcs.size());
    {
      std::uint32_t next = 0;
      for (std::uint32_t p = 0; p < n; ++p) {
        for (std::size_t i = 0; i < arcs.size(); ++i) {
          if (arcs[i].from.value() == p) spec_of[next++] = i;
        }
      }
    }
    std::vector<std::uint32_t> arc_of(arcs.size());
    for (std::uint32_t a = 0; a < arcs.size(); ++a)
      arc_of[spec_of[a]] = a;

    ClosureSet closures(graph);
    std::vector<ModelClosure> model;
    const auto random_window = [&rng](Instant& from, Instant& until) {
      from = rng() % 4 == 0 ? kBeginningOfTime
                            : At(std::uniform_int_distribution<std::int64_t>(0, 90)(rng));
      until = rng() % 4 == 0 ? kEndOfTime
                             : At(std::uniform_int_distribution<std::int64_t>(0, 100)(rng));
      if (until <= from) until = kEndOfTime;
    };
    const std::uint32_t closure_count = std::uniform_int_distribution<std::uint32_t>(0, 8)(rng);
    for (std::uint32_t c = 0; c < closure_count; ++c) {
      ModelClosure mc;
      random_window(mc.from, mc.until);
      const auto kind = static_cast<std::uint32_t>(rng() % 3);
      if (kind == 0 && !arcs.empty()) {
        const std::size_t spec = rng() % arcs.size();
        mc.arc_specs.push_back(spec);
        mc.ids.push_back(MustClose(
            closures.CloseArc(ArcId(arc_of[spec]), "arc " + std::to_string(c), mc.from, mc.until)));
      } else if (kind == 1 && !arcs.empty()) {
        const ArcSpec& joined = arcs[rng() % arcs.size()];
        for (std::size_t i = 0; i < arcs.size(); ++i) {
          if ((arcs[i].from == joined.from && arcs[i].to == joined.to) ||
              (arcs[i].from == joined.to && arcs[i].to == joined.from)) {
            mc.arc_specs.push_back(i);
          }
        }
        const Result<std::vector<ClosureId>> ids = closures.CloseBetween(
            joined.from, joined.to, "road " + std::to_string(c), mc.from, mc.until);
        REQUIRE_MESSAGE(ids.ok(), ids.status().ToString());
        CHECK(ids->size() == mc.arc_specs.size());
        mc.ids = *ids;
      } else {
        mc.place = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
        mc.ids.push_back(MustClose(closures.ClosePlace(
            PlaceId(mc.place), "place " + std::to_string(c), mc.from, mc.until)));
      }
      model.push_back(mc);
    }
    for (ModelClosure& mc : model) {
      if (rng() % 4 == 0) {
        for (ClosureId id : mc.ids)
          CHECK(closures.Reopen(id).ok());
        mc.reopened = true;
      }
    }
    const auto where = [&] {
      std::string out = "seed " + std::to_string(kSeed) + " case " + std::to_string(case_index) +
                        ": " + std::to_string(n) + " places, arcs [";
      for (std::size_t i = 0; i < arcs.size(); ++i) {
        out += (i == 0 ? "#" : " #") + std::to_string(i) + "=" +
               std::to_string(arcs[i].from.value()) + ">" + std::to_string(arcs[i].to.value()) +
               ":" + std::to_string(*arcs[i].fixed_time);
      }
      out += "], closures [";
      for (std::size_t i = 0; i < model.size(); ++i) {
        out += (i == 0 ? "" : "; ") + model[i].ToText();
      }
      return out + "]; ";
    };

    std::vector<ClosureId> live_ids;
    for (const ModelClosure& mc : model) {
      if (!mc.reopened) live_ids.insert(live_ids.end(), mc.ids.begin(), mc.ids.end());
    }
    std::sort(live_ids.begin(), live_ids.end());
    std::vector<ClosureId> current_ids;
    for (const Closure& c : closures.Current())
      current_ids.push_back(c.id);
    current.Expect(current_ids == live_ids && closures.empty() == live_ids.empty(),
                   [&] { return where() + "Current() differs"; });

    RoadQuery query(graph);
    for (int moment = 0; moment < 4; ++moment) {
      const Instant at = At(std::uniform_int_distribution<std::int64_t>(-5, 105)(rng));
      const QueryContext context{&closures, at};
      const auto when = [&] {
        return where() + "at " + std::to_string(at.time_since_epoch().count()) + ": ";
      };
      std::vector<bool> place_open(n, true);
      std::vector<bool> open(arcs.size(), true);
      for (const ModelClosure& mc : model) {
        if (mc.reopened || !(mc.from <= at && at < mc.until)) continue;
        for (std::size_t spec : mc.arc_specs)
          open[spec] = false;
        if (mc.place != kNoPlace.value()) place_open[mc.place] = false;
      }
      for (std::size_t i = 0; i < arcs.size(); ++i) {
        if (!place_open[arcs[i].from.value()] || !place_open[arcs[i].to.value()]) open[i] = false;
      }
      for (std::uint32_t p = 0; p < n; ++p) {
        arc_open.Expect(closures.PlaceOpen(PlaceId(p), at) == place_open[p],
                        [&] { return when() + "PlaceOpen(" + std::to_string(p) + ")"; });
        closed_place_checks += place_open[p] ? 0 : 1;
      }
      for (std::size_t i = 0; i < arcs.size(); ++i) {
        arc_open.Expect(closures.ArcOpen(ArcId(arc_of[i]), at) == open[i],
                        [&] { return when() + "ArcOpen(#" + std::to_string(i) + ")"; });
        (open[i] ? open_arc_checks : closed_arc_checks) += 1;
      }

      const Matrix d = FloydWarshall(n, arcs, open);
      for (std::uint32_t s = 0; s < n; ++s) {
        for (Direction direction : {Direction::kFromPlace, Direction::kToPlace}) {
          const auto times = query.AllTimes(PlaceId(s), direction, context);
          for (std::uint32_t v = 0; v < n; ++v) {
            const std::uint64_t want = direction == Direction::kFromPlace ? d[s][v] : d[v][s];
            const TravelTime got = times[v];
            all_times.Expect(got == ToTravelTime(want), [&] {
              return when() + "AllTimes " + (direction == Direction::kFromPlace ? "from " : "to ") +
                     std::to_string(s) + ", place " + std::to_string(v) + ": got " +
                     std::to_string(got) + ", want " + TimeText(want);
            });
          }
        }
        for (std::uint32_t t = 0; t < n; ++t) {
          const Result<Route> route = query.ShortestRoute(PlaceId(s), PlaceId(t), context);
          std::string problem;
          if (d[s][t] == kNone) {
            if (route.status().code() != StatusCode::kNotFound) problem = "want NotFound";
          } else if (!route.ok()) {
            problem = route.status().ToString();
          } else {
            std::uint64_t sum = 0;
            PlaceId here(s);
            for (ArcId a : route->arcs) {
              if (graph.tail(a) != here) problem = "arcs not contiguous";
              if (!open[spec_of[a.value()]])
                problem = "closed arc #" + std::to_string(spec_of[a.value()]);
              here = graph.head(a);
              sum += graph.travel_time(a);
            }
            if (here != PlaceId(t)) problem = "ends at " + std::to_string(here.value());
            if (sum != route->time) problem = "arcs sum to " + std::to_string(sum);
            if (route->time != d[s][t]) problem = "time " + std::to_string(route->time);
          }
          routes.Expect(problem.empty(), [&] {
            return when() + "route " + std::to_string(s) + " to " + std::to_string(t) + ": " +
                   problem + " (want " + TimeText(d[s][t]) + ")";
          });
        }
      }
      for (int q = 0; q < 10; ++q) {
        const std::uint32_t place = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
        const Direction direction = q % 2 == 0 ? Direction::kFromPlace : Direction::kToPlace;
        std::vector<PlaceId> targets;
        std::vector<Reach> want;
        for (std::uint32_t v = 0; v < n; ++v) {
          if (rng() % 2 != 0) continue;
          targets.push_back(PlaceId(v));
          const std::uint64_t t = direction == Direction::kFromPlace ? d[place][v] : d[v][place];
          if (t != kNone) want.push_back(Reach{PlaceId(v), static_cast<TravelTime>(t)});
        }
        // Targets were added by id, so a stable sort by time orders by (time, id).
        std::stable_sort(want.begin(), want.end(),
                         [](const Reach& a, const Reach& b) { return a.time < b.time; });
        NearestOptions options;
        options.k = std::uniform_int_distribution<std::uint32_t>(1, 5)(rng);
        if (want.size() > options.k) want.resize(options.k);
        const std::string got =
            Text(query.Nearest(PlaceId(place), direction, targets, options, context));
        (zero_arcs ? nearest_zero : nearest).Expect(got == Text(want), [&] {
          std::string ids;
          for (PlaceId t : targets)
            ids += " " + std::to_string(t.value());
          return when() + "Nearest " + (direction == Direction::kFromPlace ? "from " : "to ") +
                 std::to_string(place) + ", targets [" + ids + " ], k " +
                 std::to_string(options.k) + ": got " + got + ", want " + Text(want);
        });
      }
    }
  }
  CHECK_MESSAGE(current.ok(), current.Report());
  CHECK_MESSAGE(arc_open.ok(), arc_open.Report());
  CHECK_MESSAGE(all_times.ok(), all_times.Report());
  CHECK_MESSAGE(routes.ok(), routes.Report());
  CHECK_MESSAGE(nearest.ok(), nearest.Report());
  CHECK_MESSAGE(nearest_zero.ok(), nearest_zero.Report());
  // The cases exercise what they claim to.
  CHECK(closed_arc_checks > 1000);
  CHECK(open_arc_checks > 1000);
  CHECK(closed_place_checks > 100);
  CHECK(routes.checks() > 100'000);
  CHECK(nearest.checks() > 5000);
}

}  // namespace
}  // namespace baiying
