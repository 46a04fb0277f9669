// RoadQuery: shortest routes, one-to-all and K-nearest searches in both directions, checked
// against brute force (Floyd-Warshall from tests/support/graph_oracle.h, and Boost's Dijkstra on
// larger graphs) on many random graphs; early stopping; reuse of one query object; legs; the
// hand-made network of graph_oracle.h.

#include "engine/roads/road_query.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_types.h"
#include "tests/support/graph_oracle.h"
#include "tests/support/tally.h"

namespace baiying {
namespace {

using testing::FixedArc;
using testing::FloydWarshall;
using testing::HandGraph;
using testing::kA, testing::kB, testing::kC, testing::kD, testing::kE, testing::kF, testing::kG;
using testing::kHour;
using testing::kNone;
using testing::Matrix;
using testing::MustBuild;
using testing::NumberedPlaces;
using testing::RoutePlaces;
using testing::Tally;
using testing::Text;
using testing::ToTravelTime;

// Brute-force times from `place` (kFromPlace) or to it (kToPlace), by place.
using Row = std::vector<std::uint64_t>;

Row RowOf(const Matrix& d, std::uint32_t place, Direction direction) {
  Row row(d.size());
  for (std::uint32_t v = 0; v < d.size(); ++v) {
    row[v] = direction == Direction::kFromPlace ? d[place][v] : d[v][place];
  }
  return row;
}

std::string Name(Direction direction) {
  return direction == Direction::kFromPlace ? "from" : "to";
}

// The answer Nearest must give: distinct targets within max_time, by (time, id), first k.
std::vector<Reach> ExpectedNearest(const Row& row, std::span<const PlaceId> targets,
                                   const NearestOptions& options) {
  std::vector<std::uint32_t> ids;
  for (PlaceId t : targets)
    ids.push_back(t.value());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Reach> out;
  for (std::uint32_t id : ids) {
    const std::uint64_t t = row[id];
    if (t == kNone || t > options.max_time) continue;
    out.push_back(Reach{PlaceId(id), static_cast<TravelTime>(t)});
  }
  std::sort(out.begin(), out.end(), [](const Reach& a, const Reach& b) {
    return a.time != b.time ? a.time < b.time : a.place < b.place;
  });
  if (out.size() > options.k) out.resize(options.k);
  return out;
}

// "" when `got` equals the brute-force row, else the first difference.
std::string CompareTimes(std::span<const TravelTime> got, const Row& row) {
  const auto n = static_cast<std::uint32_t>(row.size());
  if (got.size() != n) {
    return "size " + std::to_string(got.size()) + ", want " + std::to_string(n);
  }
  for (std::uint32_t v = 0; v < n; ++v) {
    const TravelTime want = ToTravelTime(row[v]);
    if (got[v] != want) {
      return "place " + std::to_string(v) + ": got " + std::to_string(got[v]) + ", want " +
             std::to_string(want);
    }
  }
  return "";
}

std::uint32_t ReachableCount(const Row& row) {
  return static_cast<std::uint32_t>(
      std::count_if(row.begin(), row.end(), [](std::uint64_t t) { return t != kNone; }));
}

// "" when `legs` are the arcs merged by road reference, else what differs.
std::string CompareLegs(const RoadGraph& graph, std::span<const ArcId> arcs,
                        const std::vector<RouteLeg>& legs) {
  std::size_t leg = 0;
  std::size_t i = 0;
  while (i < arcs.size()) {
    std::size_t j = i;
    std::uint64_t length = 0;
    TravelTime time = 0;
    bool estimated = false;
    while (j < arcs.size() && graph.road_ref(arcs[j]) == graph.road_ref(arcs[i])) {
      length += graph.length_m(arcs[j]);
      time += graph.travel_time(arcs[j]);
      estimated = estimated || graph.length_source(arcs[j]) == LengthSource::kEstimated;
      ++j;
    }
    if (leg >= legs.size()) return "too few legs: " + std::to_string(legs.size());
    const RouteLeg& got = legs[leg];
    const std::string where = "leg " + std::to_string(leg) + ": ";
    if (got.road_ref != graph.road_ref(arcs[i])) return where + "road_ref " + got.road_ref;
    if (got.from != graph.tail(arcs[i])) return where + "from " + std::to_string(got.from.value());
    if (got.to != graph.head(arcs[j - 1])) return where + "to " + std::to_string(got.to.value());
    if (got.length_m != length) return where + "length " + std::to_string(got.length_m);
    if (got.time != time) return where + "time " + std::to_string(got.time);
    if (got.estimated != estimated) return where + "estimated flag";
    ++leg;
    i = j;
  }
  if (leg != legs.size()) return "too many legs: " + std::to_string(legs.size());
  return "";
}

// Checks a route against the brute-force time: "" when right, else what is wrong.
std::string CheckRoute(const RoadGraph& graph, const Result<Route>& route, std::uint32_t from,
                       std::uint32_t to, std::uint64_t want) {
  if (want == kNone) {
    if (route.ok()) return "found a route of " + std::to_string(route->time) + " ms, want none";
    if (route.status().code() != StatusCode::kNotFound) {
      return "want NotFound, got " + route.status().ToString();
    }
    return "";
  }
  if (!route.ok()) return "got " + route.status().ToString() + ", want " + std::to_string(want);
  if (route->time != want) {
    return "time " + std::to_string(route->time) + ", want " + std::to_string(want);
  }
  if (route->from != PlaceId(from) || route->to != PlaceId(to)) return "wrong from/to";
  if (from == to && !route->arcs.empty()) return "arcs on a route to itself";
  PlaceId at(from);
  std::uint64_t time = 0;
  std::uint64_t length = 0;
  for (ArcId a : route->arcs) {
    if (a.value() >= graph.arc_count()) return "arc id out of range";
    if (graph.tail(a) != at) return "arcs not contiguous at arc " + std::to_string(a.value());
    at = graph.head(a);
    time += graph.travel_time(a);
    length += graph.length_m(a);
  }
  if (at != PlaceId(to)) return "arcs end at " + std::to_string(at.value());
  if (time != want) return "arcs sum to " + std::to_string(time);
  if (route->length_m != length) return "length_m " + std::to_string(route->length_m);
  return CompareLegs(graph, route->arcs, route->legs);
}

// --- Random graphs ---

// "0>2:1 2>1:0": the arcs of a small graph with their times, to reproduce a failure.
std::string ArcsText(const std::vector<ArcSpec>& arcs) {
  std::string out;
  for (const ArcSpec& arc : arcs) {
    if (!out.empty()) out += ' ';
    out += std::to_string(arc.from.value()) + ">" + std::to_string(arc.to.value()) + ":" +
           std::to_string(*arc.fixed_time);
  }
  return "arcs [" + out + "]";
}

std::string IdsText(std::span<const PlaceId> ids) {
  std::string out;
  for (PlaceId id : ids)
    out += (out.empty() ? "" : " ") + std::to_string(id.value());
  return "[" + out + "]";
}

struct RandomCase {
  std::uint32_t place_count = 0;
  std::vector<ArcSpec> arcs;
  TravelTime max_weight = 0;
  bool zero_arcs = false;  // some arc takes no time
};

// Sizes 1..max_places; weights from {0, 1, 2} (ties and zero arcs), all equal, small or large;
// parallel arcs; sometimes two parts joined one way only, so that some places cannot reach
// others.
RandomCase MakeRandomCase(std::mt19937& rng, std::uint32_t max_places) {
  RandomCase c;
  c.place_count = std::uniform_int_distribution<std::uint32_t>(1, max_places)(rng);
  const std::uint32_t n = c.place_count;
  const std::uint32_t weight_mode = std::uniform_int_distribution<std::uint32_t>(0, 3)(rng);
  const TravelTime max_weights[] = {2, 5, 1000, 10'000'000};
  c.max_weight = max_weights[weight_mode];
  std::uniform_int_distribution<TravelTime> weight(weight_mode == 3 ? 1 : 0, c.max_weight);
  const std::uint32_t m = n < 2 ? 0 : std::uniform_int_distribution<std::uint32_t>(0, 4 * n)(rng);
  const bool split = n >= 4 && rng() % 3 == 0;
  const std::uint32_t cut = split ? n / 2 : n;
  for (std::uint32_t i = 0; i < m; ++i) {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    if (!c.arcs.empty() && rng() % 5 == 0) {  // parallel to the previous arc
      from = c.arcs.back().from.value();
      to = c.arcs.back().to.value();
    } else {
      from = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
      if (split) {
        // Within a part, or from the first part into the second, never back.
        const bool first_part = from < cut;
        const bool cross = first_part && rng() % 6 == 0;
        to = first_part && !cross ? std::uniform_int_distribution<std::uint32_t>(0, cut - 1)(rng)
                                  : std::uniform_int_distribution<std::uint32_t>(cut, n - 1)(rng);
      } else {
        to = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
      }
      if (from == to) continue;
    }
    const TravelTime w = weight_mode == 1 ? 5 : weight(rng);
    c.arcs.push_back(FixedArc(from, to, w, "R" + std::to_string(rng() % 3)));
    c.zero_arcs = c.zero_arcs || w == 0;
  }
  return c;
}

std::vector<PlaceId> RandomTargets(std::mt19937& rng, std::uint32_t n) {
  const std::uint32_t count = std::uniform_int_distribution<std::uint32_t>(0, n + 3)(rng);
  std::vector<PlaceId> targets;
  for (std::uint32_t i = 0; i < count; ++i) {
    targets.push_back(PlaceId(std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng)));
  }
  return targets;
}

// A max_time that is unbounded, exactly some reachable time (to test that the bound is
// inclusive), or anything.
TravelTime RandomMaxTime(std::mt19937& rng, const Row& row, TravelTime max_weight) {
  const auto n = static_cast<std::uint32_t>(row.size());
  switch (rng() % 3) {
    case 0:
      return kInfiniteTime;
    case 1: {
      const std::uint64_t t = row[std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng)];
      return t != kNone ? static_cast<TravelTime>(t) : 0;
    }
    default:
      return std::uniform_int_distribution<TravelTime>(0, 3 * max_weight)(rng);
  }
}

std::string NearestText(Direction direction, PlaceId place, std::span<const PlaceId> targets,
                        const NearestOptions& options) {
  return "Nearest " + Name(direction) + " place " + std::to_string(place.value()) + ", targets " +
         IdsText(targets) + ", k " + std::to_string(options.k) + ", max_time " +
         std::to_string(options.max_time);
}

TEST_CASE("random graphs: AllTimes, ShortestRoute and Nearest equal brute force") {
  constexpr std::uint32_t kSeed = 20250101;
  constexpr int kCases = 600;
  std::mt19937 rng(kSeed);
  Tally all_times("AllTimes equals brute force");
  Tally settled("AllTimes settles exactly the reachable places");
  Tally routes("ShortestRoute equals brute force, arcs contiguous and summing to the time");
  Tally nearest("Nearest equals brute force, graphs without zero-time arcs");
  Tally nearest_zero("Nearest equals brute force, graphs with zero-time arcs");
  Tally target_set("Nearest over a TargetSet answers as Nearest over a span");
  int unreachable_routes = 0;
  int nonempty_nearest = 0;
  for (int case_index = 0; case_index < kCases; ++case_index) {
    const RandomCase c = MakeRandomCase(rng, 40);
    const std::uint32_t n = c.place_count;
    const auto where = [&] {
      return "seed " + std::to_string(kSeed) + " case " + std::to_string(case_index) + ": " +
             std::to_string(n) + " places, " + ArcsText(c.arcs) + "; ";
    };
    const RoadGraph graph = MustBuild(NumberedPlaces(n), c.arcs);
    const Matrix d = FloydWarshall(n, c.arcs);
    RoadQuery query(graph);

    for (std::uint32_t s = 0; s < n; ++s) {
      for (Direction direction : {Direction::kFromPlace, Direction::kToPlace}) {
        const Row want = RowOf(d, s, direction);
        const std::string diff = CompareTimes(query.AllTimes(PlaceId(s), direction), want);
        const std::uint32_t count = query.last_settled_count();
        const auto what = [&] {
          return where() + "AllTimes " + Name(direction) + " " + std::to_string(s) + ": ";
        };
        all_times.Expect(diff.empty(), [&] { return what() + diff; });
        settled.Expect(count == ReachableCount(want), [&] {
          return what() + "settled " + std::to_string(count) + ", reachable " +
                 std::to_string(ReachableCount(want));
        });
      }
      for (std::uint32_t t = 0; t < n; ++t) {
        const std::string problem =
            CheckRoute(graph, query.ShortestRoute(PlaceId(s), PlaceId(t)), s, t, d[s][t]);
        routes.Expect(problem.empty(), [&] {
          return where() + "route " + std::to_string(s) + " to " + std::to_string(t) + ": " +
                 problem;
        });
        unreachable_routes += d[s][t] == kNone ? 1 : 0;
      }
    }

    for (int q = 0; q < 40; ++q) {
      const auto place = PlaceId(std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng));
      const Direction direction = rng() % 2 == 0 ? Direction::kFromPlace : Direction::kToPlace;
      std::vector<PlaceId> targets = RandomTargets(rng, n);
      if (rng() % 4 == 0) targets.push_back(place);
      NearestOptions options;
      options.k = std::uniform_int_distribution<std::uint32_t>(1, n + 2)(rng);
      const Row row = RowOf(d, place.value(), direction);
      options.max_time = RandomMaxTime(rng, row, c.max_weight);
      const std::string want = Text(ExpectedNearest(row, targets, options));
      const std::string got = Text(query.Nearest(place, direction, targets, options));
      (c.zero_arcs ? nearest_zero : nearest).Expect(got == want, [&] {
        return where() + NearestText(direction, place, targets, options) + ": got " + got +
               ", want " + want;
      });
      nonempty_nearest += want != "(none)" ? 1 : 0;

      TargetSet set(n);
      for (PlaceId t : targets)
        set.Add(t);
      const std::string got_set = Text(query.Nearest(place, direction, set, options));
      target_set.Expect(got_set == got, [&] {
        return where() + NearestText(direction, place, targets, options) + ": over the set " +
               got_set + ", over the span " + got;
      });
    }
  }
  CHECK_MESSAGE(all_times.ok(), all_times.Report());
  CHECK_MESSAGE(settled.ok(), settled.Report());
  CHECK_MESSAGE(routes.ok(), routes.Report());
  CHECK_MESSAGE(nearest.ok(), nearest.Report());
  CHECK_MESSAGE(nearest_zero.ok(), nearest_zero.Report());
  CHECK_MESSAGE(target_set.ok(), target_set.Report());
  // The cases exercise what they claim to.
  CHECK(routes.checks() > 100'000);
  CHECK(unreachable_routes > 10'000);
  CHECK(routes.checks() - unreachable_routes > 10'000);
  CHECK(nearest.checks() > 5000);
  CHECK(nearest_zero.checks() > 5000);
  CHECK(nonempty_nearest > (nearest.checks() + nearest_zero.checks()) / 3);
}

// Nearest on graphs where dozens of targets share a time, with arc weights drawn from
// `weights`.
void CheckTies(std::uint32_t seed, std::span<const TravelTime> weights, Tally& tally,
               int& tied_answers) {
  std::mt19937 rng(seed);
  for (int case_index = 0; case_index < 300; ++case_index) {
    const std::uint32_t n = std::uniform_int_distribution<std::uint32_t>(2, 40)(rng);
    std::vector<ArcSpec> arcs;
    for (std::uint32_t i = 0; i < 3 * n; ++i) {
      const std::uint32_t from = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
      const std::uint32_t to = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
      if (from != to) arcs.push_back(FixedArc(from, to, weights[rng() % weights.size()]));
    }
    const RoadGraph graph = MustBuild(NumberedPlaces(n), arcs);
    const Matrix d = FloydWarshall(n, arcs);
    RoadQuery query(graph);
    for (int q = 0; q < 20; ++q) {
      const auto place = PlaceId(std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng));
      const Direction direction = q % 2 == 0 ? Direction::kFromPlace : Direction::kToPlace;
      std::vector<PlaceId> targets;
      for (std::uint32_t v = 0; v < n; ++v) {
        if (rng() % 2 == 0) targets.push_back(PlaceId(v));
      }
      std::shuffle(targets.begin(), targets.end(), rng);
      NearestOptions options;
      options.k = std::uniform_int_distribution<std::uint32_t>(1, 6)(rng);
      const std::vector<Reach> want =
          ExpectedNearest(RowOf(d, place.value(), direction), targets, options);
      for (std::size_t i = 1; i < want.size(); ++i) {
        tied_answers += want[i].time == want[i - 1].time ? 1 : 0;
      }
      const std::string got = Text(query.Nearest(place, direction, targets, options));
      tally.Expect(got == Text(want), [&] {
        return "seed " + std::to_string(seed) + " case " + std::to_string(case_index) + ": " +
               std::to_string(n) + " places, " + ArcsText(arcs) + "; " +
               NearestText(direction, place, targets, options) + ": got " + got + ", want " +
               Text(want);
      });
    }
  }
}

TEST_CASE("random graphs with many ties: Nearest breaks ties by place id") {
  const TravelTime positive[] = {1, 2};
  Tally tally("Nearest by (time, id), arcs of 1 or 2 ms");
  int tied_answers = 0;
  CheckTies(99, positive, tally, tied_answers);
  CHECK_MESSAGE(tally.ok(), tally.Report());
  CHECK(tied_answers > 500);
}

TEST_CASE("random graphs with many ties and zero-time arcs: Nearest breaks ties by place id") {
  const TravelTime with_zero[] = {0, 1};
  Tally tally("Nearest by (time, id), arcs of 0 or 1 ms");
  int tied_answers = 0;
  CheckTies(100, with_zero, tally, tied_answers);
  CHECK_MESSAGE(tally.ok(), tally.Report());
  CHECK(tied_answers > 500);
}

TEST_CASE("zero-time arcs: a place settled later at the same time still sorts by id") {
  // 0 > 2 takes 1 ms and 2 > 1 takes nothing: 1 and 2 are both 1 ms from 0. A search settles
  // 2 first and reaches 1 only through it; the answer is by (time, id) all the same.
  const RoadGraph forward = MustBuild(NumberedPlaces(3), {FixedArc(0, 2, 1), FixedArc(2, 1, 0)});
  RoadQuery forward_query(forward);
  const std::vector<PlaceId> targets = {PlaceId(1), PlaceId(2)};
  CHECK(Text(forward_query.Nearest(PlaceId(0), Direction::kFromPlace, targets,
                                   {2, kInfiniteTime})) == "1@1 2@1");
  CHECK(Text(forward_query.Nearest(PlaceId(0), Direction::kFromPlace, targets,
                                   {1, kInfiniteTime})) == "1@1");
  const auto times = forward_query.AllTimes(PlaceId(0), Direction::kFromPlace);
  CHECK(times[1] == 1);
  CHECK(times[2] == 1);

  // The same towards a place: 2 > 0 takes 1 ms and 1 > 2 nothing.
  const RoadGraph backward = MustBuild(NumberedPlaces(3), {FixedArc(2, 0, 1), FixedArc(1, 2, 0)});
  RoadQuery backward_query(backward);
  CHECK(Text(backward_query.Nearest(PlaceId(0), Direction::kToPlace, targets,
                                    {2, kInfiniteTime})) == "1@1 2@1");
  CHECK(Text(backward_query.Nearest(PlaceId(0), Direction::kToPlace, targets,
                                    {1, kInfiniteTime})) == "1@1");
}

// Boost's Dijkstra over an adjacency list, as an independent reference on larger graphs.
Row BoostTimes(std::uint32_t n, const std::vector<ArcSpec>& arcs, std::uint32_t source,
               Direction direction) {
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                            boost::property<boost::edge_weight_t, std::uint64_t>>;
  Graph g(n);
  const bool forward = direction == Direction::kFromPlace;
  for (const ArcSpec& arc : arcs) {
    boost::add_edge(forward ? arc.from.value() : arc.to.value(),
                    forward ? arc.to.value() : arc.from.value(),
                    static_cast<std::uint64_t>(*arc.fixed_time), g);
  }
  Row times(n, kNone);
  boost::dijkstra_shortest_paths(g, source,
                                 boost::distance_map(boost::make_iterator_property_map(
                                     times.begin(), boost::get(boost::vertex_index, g))));
  return times;
}

TEST_CASE("larger random graphs: times, routes and Nearest equal Boost's Dijkstra") {
  constexpr std::uint32_t kSeed = 31337;
  std::mt19937 rng(kSeed);
  Tally all_times("AllTimes equals Boost");
  Tally routes("ShortestRoute equals Boost");
  Tally nearest("Nearest equals Boost");
  for (int case_index = 0; case_index < 6; ++case_index) {
    const std::uint32_t n = std::uniform_int_distribution<std::uint32_t>(500, 4000)(rng);
    // Arcs of 1 to 3 ms give many ties; 1 to 100,000 ms few.
    const TravelTime max_weight = case_index % 2 == 0 ? 3 : 100'000;
    std::vector<ArcSpec> arcs;
    for (std::uint32_t i = 0; i < 3 * n; ++i) {
      const std::uint32_t from = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
      const std::uint32_t to = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
      if (from == to) continue;
      arcs.push_back(
          FixedArc(from, to, std::uniform_int_distribution<TravelTime>(1, max_weight)(rng)));
    }
    const RoadGraph graph = MustBuild(NumberedPlaces(n), arcs);
    RoadQuery query(graph);
    for (int s_index = 0; s_index < 10; ++s_index) {
      const std::uint32_t s = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
      const auto where = [&] {
        return "seed " + std::to_string(kSeed) + " case " + std::to_string(case_index) + " (" +
               std::to_string(n) + " places), place " + std::to_string(s) + ": ";
      };
      for (Direction direction : {Direction::kFromPlace, Direction::kToPlace}) {
        const Row want = BoostTimes(n, arcs, s, direction);
        const std::string diff = CompareTimes(query.AllTimes(PlaceId(s), direction), want);
        all_times.Expect(diff.empty(), [&] { return where() + Name(direction) + ": " + diff; });

        for (int q = 0; q < 5; ++q) {
          std::vector<PlaceId> targets;
          for (int i = 0; i < 60; ++i) {
            targets.push_back(PlaceId(std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng)));
          }
          NearestOptions options;
          options.k = std::uniform_int_distribution<std::uint32_t>(1, 20)(rng);
          options.max_time = q % 2 == 0 ? kInfiniteTime : max_weight * 4;
          const std::string expected = Text(ExpectedNearest(want, targets, options));
          const std::string got = Text(query.Nearest(PlaceId(s), direction, targets, options));
          nearest.Expect(got == expected, [&] {
            return where() + NearestText(direction, PlaceId(s), targets, options) + ": got " + got +
                   ", want " + expected;
          });
        }
        if (direction == Direction::kToPlace) continue;
        for (int q = 0; q < 20; ++q) {
          const std::uint32_t t = std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
          const std::string problem =
              CheckRoute(graph, query.ShortestRoute(PlaceId(s), PlaceId(t)), s, t, want[t]);
          routes.Expect(problem.empty(),
                        [&] { return where() + "to " + std::to_string(t) + ": " + problem; });
        }
      }
    }
  }
  CHECK_MESSAGE(all_times.ok(), all_times.Report());
  CHECK_MESSAGE(routes.ok(), routes.Report());
  CHECK_MESSAGE(nearest.ok(), nearest.Report());
  CHECK(nearest.checks() == 6 * 10 * 2 * 5);
}

// --- Early stopping ---

// A road of `n` places in a row, every arc 1,000 ms; two-way unless `one_way`.
RoadGraph PathGraph(std::uint32_t n, bool one_way) {
  std::vector<ArcSpec> arcs;
  for (std::uint32_t i = 0; i + 1 < n; ++i) {
    arcs.push_back(FixedArc(i, i + 1, 1000, "G318"));
    if (!one_way) arcs.push_back(FixedArc(i + 1, i, 1000, "G318"));
  }
  return MustBuild(NumberedPlaces(n), arcs);
}

TEST_CASE("Nearest with a small K stops early on a long road") {
  constexpr std::uint32_t kPlaces = 100'000;
  const RoadGraph graph = PathGraph(kPlaces, /*one_way=*/false);
  RoadQuery query(graph);

  std::vector<PlaceId> near_targets = {PlaceId(1), PlaceId(2), PlaceId(3)};
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, near_targets, {1, kInfiniteTime})) ==
        "1@1000");
  CHECK(query.last_settled_count() <= 3);

  std::vector<PlaceId> everyone;
  for (std::uint32_t v = 0; v < kPlaces; ++v)
    everyone.push_back(PlaceId(v));
  CHECK(Text(query.Nearest(PlaceId(50'000), Direction::kFromPlace, everyone, {5, kInfiniteTime})) ==
        "50000@0 49999@1000 50001@1000 49998@2000 50002@2000");
  CHECK(query.last_settled_count() <= 8);
  CHECK(Text(query.Nearest(PlaceId(50'000), Direction::kToPlace, everyone, {3, kInfiniteTime})) ==
        "50000@0 49999@1000 50001@1000");
  CHECK(query.last_settled_count() <= 6);

  // A time bound stops the search too: 50 s reaches places 0..50 and no further.
  std::vector<PlaceId> far_target = {PlaceId(kPlaces - 1)};
  CHECK(query.Nearest(PlaceId(0), Direction::kFromPlace, far_target, {1, 50'000}).empty());
  CHECK(query.last_settled_count() <= 53);

  // Without a bound the far target is found after settling (nearly) everything.
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, far_target, {1, kInfiniteTime})) ==
        std::to_string(kPlaces - 1) + "@" + std::to_string((kPlaces - 1) * 1000));

  query.AllTimes(PlaceId(0), Direction::kFromPlace);
  CHECK(query.last_settled_count() == kPlaces);
}

TEST_CASE("Nearest towards a place stops early on a one-way road") {
  constexpr std::uint32_t kPlaces = 100'000;
  const RoadGraph graph = PathGraph(kPlaces, /*one_way=*/true);
  RoadQuery query(graph);
  const PlaceId last(kPlaces - 1);

  std::vector<PlaceId> targets = {PlaceId(0), PlaceId(kPlaces - 3), PlaceId(kPlaces - 6)};
  CHECK(Text(query.Nearest(last, Direction::kToPlace, targets, {1, kInfiniteTime})) ==
        std::to_string(kPlaces - 3) + "@2000");
  CHECK(query.last_settled_count() <= 4);
  CHECK(Text(query.Nearest(last, Direction::kToPlace, targets, {2, kInfiniteTime})) ==
        std::to_string(kPlaces - 3) + "@2000 " + std::to_string(kPlaces - 6) + "@5000");
  CHECK(query.last_settled_count() <= 7);

  // Nothing can be reached from the end of a one-way road.
  CHECK(query.Nearest(last, Direction::kFromPlace, targets, {3, kInfiniteTime}).empty());
  CHECK(query.last_settled_count() <= 1);
  const auto times = query.AllTimes(last, Direction::kFromPlace);
  CHECK(times[kPlaces - 1] == 0);
  CHECK(times[kPlaces - 2] == kInfiniteTime);
  CHECK(times[0] == kInfiniteTime);
}

// --- Reuse of one query object ---

TEST_CASE("one RoadQuery answers thousands of mixed queries correctly") {
  constexpr std::uint32_t kSeed = 8128;
  constexpr std::uint32_t kPlaces = 250;
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<std::uint32_t> any_place(0, kPlaces - 1);
  std::vector<ArcSpec> arcs;
  for (std::uint32_t i = 0; i < 4 * kPlaces; ++i) {
    const std::uint32_t from = any_place(rng);
    std::uint32_t to = any_place(rng);
    // The last quarter of the places has no way back to the rest.
    if (from >= 3 * kPlaces / 4) {
      to = std::uniform_int_distribution<std::uint32_t>(3 * kPlaces / 4, kPlaces - 1)(rng);
    }
    if (from != to) arcs.push_back(FixedArc(from, to, static_cast<TravelTime>(1 + rng() % 6)));
  }
  const RoadGraph graph = MustBuild(NumberedPlaces(kPlaces), arcs);
  const Matrix d = FloydWarshall(kPlaces, arcs);
  RoadQuery query(graph);
  Tally all_times("AllTimes");
  Tally routes("ShortestRoute");
  Tally nearest("Nearest");
  Tally nearest_set("Nearest over a TargetSet changed between queries");
  // Teams come and go: a TargetSet kept across queries, and how many teams each place has.
  TargetSet teams(kPlaces);
  std::vector<std::uint32_t> team_count(kPlaces, 0);
  for (int q = 0; q < 8000; ++q) {
    const std::uint32_t kind = static_cast<std::uint32_t>(rng() % 5);
    const std::uint32_t place = any_place(rng);
    const auto where = [&] {
      return "seed " + std::to_string(kSeed) + " query " + std::to_string(q) + ": ";
    };
    if (kind < 2) {
      const Direction direction = kind == 0 ? Direction::kFromPlace : Direction::kToPlace;
      const std::string diff =
          CompareTimes(query.AllTimes(PlaceId(place), direction), RowOf(d, place, direction));
      all_times.Expect(diff.empty(), [&] {
        return where() + Name(direction) + " " + std::to_string(place) + ": " + diff;
      });
    } else if (kind == 2) {
      const std::uint32_t to = any_place(rng);
      const std::string problem = CheckRoute(
          graph, query.ShortestRoute(PlaceId(place), PlaceId(to)), place, to, d[place][to]);
      routes.Expect(problem.empty(), [&] {
        return where() + std::to_string(place) + " to " + std::to_string(to) + ": " + problem;
      });
    } else if (kind == 4) {
      for (int change = 0; change < 3; ++change) {
        const std::uint32_t team_place = any_place(rng);
        if (rng() % 2 == 0) {
          teams.Add(PlaceId(team_place));
          ++team_count[team_place];
        } else {
          const bool removed = teams.Remove(PlaceId(team_place));
          CHECK(removed == (team_count[team_place] > 0));
          if (team_count[team_place] > 0) --team_count[team_place];
        }
      }
      std::vector<PlaceId> targets;
      for (std::uint32_t v = 0; v < kPlaces; ++v) {
        if (team_count[v] > 0) targets.push_back(PlaceId(v));
      }
      const Direction direction = rng() % 2 == 0 ? Direction::kFromPlace : Direction::kToPlace;
      NearestOptions options;
      options.k = std::uniform_int_distribution<std::uint32_t>(1, 8)(rng);
      const std::string want = Text(ExpectedNearest(RowOf(d, place, direction), targets, options));
      const std::string got = Text(query.Nearest(PlaceId(place), direction, teams, options));
      nearest_set.Expect(got == want && teams.distinct_places() == targets.size(), [&] {
        return where() + NearestText(direction, PlaceId(place), targets, options) + ": got " + got +
               ", want " + want;
      });
    } else {
      const Direction direction = rng() % 2 == 0 ? Direction::kFromPlace : Direction::kToPlace;
      std::vector<PlaceId> targets;
      const std::uint32_t count = std::uniform_int_distribution<std::uint32_t>(0, 30)(rng);
      for (std::uint32_t i = 0; i < count; ++i)
        targets.push_back(PlaceId(any_place(rng)));
      NearestOptions options;
      options.k = std::uniform_int_distribution<std::uint32_t>(1, 8)(rng);
      options.max_time = rng() % 2 == 0 ? kInfiniteTime : static_cast<TravelTime>(rng() % 12);
      const std::string want = Text(ExpectedNearest(RowOf(d, place, direction), targets, options));
      const std::string got = Text(query.Nearest(PlaceId(place), direction, targets, options));
      nearest.Expect(got == want, [&] {
        return where() + NearestText(direction, PlaceId(place), targets, options) + ": got " + got +
               ", want " + want;
      });
    }
  }
  CHECK_MESSAGE(all_times.ok(), all_times.Report());
  CHECK_MESSAGE(routes.ok(), routes.Report());
  CHECK_MESSAGE(nearest.ok(), nearest.Report());
  CHECK_MESSAGE(nearest_set.ok(), nearest_set.Report());
  CHECK(all_times.checks() > 2500);
  CHECK(routes.checks() > 1000);
  CHECK(nearest.checks() > 1000);
  CHECK(nearest_set.checks() > 1000);
}

TEST_CASE("TargetSet counts places added several times") {
  TargetSet set(5);
  CHECK(set.place_count() == 5);
  CHECK(set.distinct_places() == 0);
  CHECK_FALSE(set.Contains(PlaceId(3)));
  set.Add(PlaceId(3));
  set.Add(PlaceId(3));
  set.Add(PlaceId(1));
  CHECK(set.Count(PlaceId(3)) == 2);
  CHECK(set.Count(PlaceId(1)) == 1);
  CHECK(set.Count(PlaceId(0)) == 0);
  CHECK(set.distinct_places() == 2);
  CHECK(set.Remove(PlaceId(3)));
  CHECK(set.Contains(PlaceId(3)));
  CHECK(set.distinct_places() == 2);
  CHECK(set.Remove(PlaceId(3)));
  CHECK_FALSE(set.Contains(PlaceId(3)));
  CHECK(set.distinct_places() == 1);
  CHECK_FALSE(set.Remove(PlaceId(3)));
  CHECK_FALSE(set.Remove(PlaceId(4)));
  CHECK(set.distinct_places() == 1);
}

TEST_CASE("Nearest over a TargetSet follows the set as it changes") {
  const RoadGraph graph =
      MustBuild(NumberedPlaces(4), {FixedArc(0, 1, 10), FixedArc(0, 2, 20), FixedArc(0, 3, 30)});
  RoadQuery query(graph);
  TargetSet teams(graph.place_count());
  CHECK(query.Nearest(PlaceId(0), Direction::kFromPlace, teams, {2, kInfiniteTime}).empty());
  teams.Add(PlaceId(3));
  teams.Add(PlaceId(2));
  teams.Add(PlaceId(2));
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, teams, {5, kInfiniteTime})) ==
        "2@20 3@30");
  CHECK(teams.Remove(PlaceId(2)));
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, teams, {1, kInfiniteTime})) ==
        "2@20");
  CHECK(teams.Remove(PlaceId(2)));
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, teams, {1, kInfiniteTime})) ==
        "3@30");
  teams.Add(PlaceId(0));
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, teams, {5, 29})) == "0@0");
  CHECK(Text(query.Nearest(PlaceId(3), Direction::kToPlace, teams, {5, kInfiniteTime})) ==
        "3@0 0@30");
}

TEST_CASE("a target of one query is not a target of the next") {
  const RoadGraph graph =
      MustBuild(NumberedPlaces(4), {FixedArc(0, 1, 10), FixedArc(0, 2, 20), FixedArc(0, 3, 30)});
  RoadQuery query(graph);
  const std::vector<PlaceId> first = {PlaceId(1), PlaceId(3)};
  const std::vector<PlaceId> second = {PlaceId(2)};
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, first, {5, kInfiniteTime})) ==
        "1@10 3@30");
  CHECK(Text(query.Nearest(PlaceId(0), Direction::kFromPlace, second, {5, kInfiniteTime})) ==
        "2@20");
  CHECK(query.Nearest(PlaceId(0), Direction::kFromPlace, {}, {5, kInfiniteTime}).empty());
  // Distances of an earlier search do not leak into a later one.
  CHECK(query.AllTimes(PlaceId(0), Direction::kFromPlace)[3] == 30);
  const auto from_one = query.AllTimes(PlaceId(1), Direction::kFromPlace);
  CHECK(from_one[1] == 0);
  CHECK(from_one[0] == kInfiniteTime);
  CHECK(from_one[3] == kInfiniteTime);
  CHECK(query.ShortestRoute(PlaceId(1), PlaceId(3)).status().code() == StatusCode::kNotFound);
  CHECK(query.ShortestRoute(PlaceId(0), PlaceId(3))->time == 30);
}

// --- Legs ---

TEST_CASE("SummarizeLegs merges consecutive arcs with the same road reference") {
  std::vector<ArcSpec> arcs = {
      FixedArc(0, 1, 100, "G318"), FixedArc(1, 2, 200, "G318"), FixedArc(2, 3, 300, ""),
      FixedArc(3, 4, 400, "S5"),   FixedArc(4, 5, 500, "S5"),   FixedArc(5, 6, 600, "G318"),
  };
  arcs[0].length_m = 10'000;
  arcs[1].length_m = 20'000;
  arcs[2].length_m = 3'000;
  arcs[3].length_m = 40'000;
  arcs[4].length_m = 50'000;
  arcs[5].length_m = 60'000;
  arcs[4].length_source = LengthSource::kEstimated;
  const RoadGraph graph = MustBuild(NumberedPlaces(7), arcs);
  const std::vector<ArcId> path = {ArcId(0), ArcId(1), ArcId(2), ArcId(3), ArcId(4), ArcId(5)};
  const std::vector<RouteLeg> legs = SummarizeLegs(graph, path);
  REQUIRE(legs.size() == 4);
  CHECK(legs[0].road_ref == "G318");
  CHECK(legs[0].from == PlaceId(0));
  CHECK(legs[0].to == PlaceId(2));
  CHECK(legs[0].length_m == 30'000);
  CHECK(legs[0].time == 300);
  CHECK_FALSE(legs[0].estimated);
  CHECK(legs[1].road_ref == "");
  CHECK(legs[1].from == PlaceId(2));
  CHECK(legs[1].to == PlaceId(3));
  CHECK(legs[1].length_m == 3'000);
  CHECK(legs[1].time == 300);
  CHECK(legs[2].road_ref == "S5");
  CHECK(legs[2].from == PlaceId(3));
  CHECK(legs[2].to == PlaceId(5));
  CHECK(legs[2].length_m == 90'000);
  CHECK(legs[2].time == 900);
  CHECK(legs[2].estimated);
  // G318 again after S5: a new leg, not merged with the first.
  CHECK(legs[3].road_ref == "G318");
  CHECK(legs[3].from == PlaceId(5));
  CHECK(legs[3].to == PlaceId(6));
  CHECK(legs[3].length_m == 60'000);
  CHECK(legs[3].time == 600);
  CHECK_FALSE(legs[3].estimated);

  CHECK(SummarizeLegs(graph, {}).empty());
  const std::vector<ArcId> one = {ArcId(3)};
  const std::vector<RouteLeg> single = SummarizeLegs(graph, one);
  REQUIRE(single.size() == 1);
  CHECK(single[0].road_ref == "S5");
  CHECK(single[0].from == PlaceId(3));
  CHECK(single[0].to == PlaceId(4));
  CHECK(single[0].length_m == 40'000);
  CHECK(single[0].time == 400);

  // The route through all of them carries the same legs.
  RoadQuery query(graph);
  const Result<Route> route = query.ShortestRoute(PlaceId(0), PlaceId(6));
  REQUIRE(route.ok());
  CHECK(route->time == 2100);
  CHECK(route->length_m == 183'000);
  CHECK(route->arcs == path);
  CHECK(route->legs.size() == 4);
  CHECK(CompareLegs(graph, path, route->legs) == "");
}

// --- The hand-made network of graph_oracle.h, with times from the travel-time model ---

TEST_CASE("routes on a hand-made network") {
  const RoadGraph graph = HandGraph();
  RoadQuery query(graph);

  const Result<Route> a_to_c = query.ShortestRoute(PlaceId(kA), PlaceId(kC));
  REQUIRE(a_to_c.ok());
  CHECK(a_to_c->time == 3 * kHour);  // via B; via D is 3.1 h, via E 3.5 h
  CHECK(RoutePlaces(graph, *a_to_c) == "A>B>C");
  CHECK(a_to_c->length_m == 165'000);
  REQUIRE(a_to_c->legs.size() == 1);
  CHECK(a_to_c->legs[0].road_ref == "G318");
  CHECK(a_to_c->legs[0].from == PlaceId(kA));
  CHECK(a_to_c->legs[0].to == PlaceId(kC));
  CHECK(a_to_c->legs[0].time == 3 * kHour);

  const Result<Route> a_to_f = query.ShortestRoute(PlaceId(kA), PlaceId(kF));
  REQUIRE(a_to_f.ok());
  CHECK(a_to_f->time == 3 * kHour + 720'000);
  CHECK(RoutePlaces(graph, *a_to_f) == "A>B>C>F");
  CHECK(a_to_f->legs.size() == 1);

  const Result<Route> d_to_b = query.ShortestRoute(PlaceId(kD), PlaceId(kB));
  REQUIRE(d_to_b.ok());
  CHECK(d_to_b->time == 2'160'000 + kHour);  // D>C>B, not D>A>B (4.5 h)
  CHECK(RoutePlaces(graph, *d_to_b) == "D>C>B");
  REQUIRE(d_to_b->legs.size() == 2);
  CHECK(d_to_b->legs[0].road_ref == "X123");
  CHECK(d_to_b->legs[1].road_ref == "G318");

  const Result<Route> e_to_d = query.ShortestRoute(PlaceId(kE), PlaceId(kD));
  REQUIRE(e_to_d.ok());
  CHECK(e_to_d->time == 5'400'000 + 2'160'000);
  CHECK(RoutePlaces(graph, *e_to_d) == "E>C>D");

  const Result<Route> a_to_d = query.ShortestRoute(PlaceId(kA), PlaceId(kD));
  REQUIRE(a_to_d.ok());
  CHECK(a_to_d->time == 9'000'000);
  CHECK(RoutePlaces(graph, *a_to_d) == "A>D");

  const Result<Route> itself = query.ShortestRoute(PlaceId(kC), PlaceId(kC));
  REQUIRE(itself.ok());
  CHECK(itself->time == 0);
  CHECK(itself->arcs.empty());
  CHECK(itself->legs.empty());
  CHECK(itself->length_m == 0);

  const Result<Route> to_g = query.ShortestRoute(PlaceId(kA), PlaceId(kG));
  REQUIRE_FALSE(to_g.ok());
  CHECK(to_g.status().code() == StatusCode::kNotFound);

  for (const auto& [from, to] :
       {std::pair{PlaceId(7), PlaceId(kA)}, std::pair{PlaceId(kA), PlaceId(7)},
        std::pair{kNoPlace, PlaceId(kA)}, std::pair{PlaceId(kA), kNoPlace}}) {
    CAPTURE(from.value());
    CAPTURE(to.value());
    CHECK(query.ShortestRoute(from, to).status().code() == StatusCode::kInvalidArgument);
  }

  const auto from_a = query.AllTimes(PlaceId(kA), Direction::kFromPlace);
  const std::vector<TravelTime> want_from_a = {0,         2 * kHour,  3 * kHour,    9'000'000,
                                               2 * kHour, 11'520'000, kInfiniteTime};
  CHECK(std::vector<TravelTime>(from_a.begin(), from_a.end()) == want_from_a);
  const auto to_c = query.AllTimes(PlaceId(kC), Direction::kToPlace);
  const std::vector<TravelTime> want_to_c = {3 * kHour, kHour,        0, 2'160'000, 5'400'000,
                                             720'000,   kInfiniteTime};
  CHECK(std::vector<TravelTime>(to_c.begin(), to_c.end()) == want_to_c);
}

TEST_CASE("Nearest on the hand-made network") {
  const RoadGraph graph = HandGraph();
  RoadQuery query(graph);
  const auto ids = [](std::initializer_list<std::uint32_t> list) {
    std::vector<PlaceId> out;
    for (std::uint32_t v : list)
      out.push_back(PlaceId(v));
    return out;
  };

  // Towards C: D 0.6 h, B 1 h, E 1.5 h, A 3 h.
  CHECK(Text(query.Nearest(PlaceId(kC), Direction::kToPlace, ids({kA, kB, kD, kE}),
                           {2, kInfiniteTime})) == "3@2160000 1@3600000");
  // B and E tie at 2 h from A: the lower id first.
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kE, kB}),
                           {2, kInfiniteTime})) == "1@7200000 4@7200000");
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kE, kB}),
                           {1, kInfiniteTime})) == "1@7200000");
  // The place itself, at 0.
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kB, kA}),
                           {1, kInfiniteTime})) == "0@0");
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kToPlace, ids({kB, kA}), {2, kInfiniteTime})) ==
        "0@0 1@7200000");
  // Duplicates count once.
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kB, kB, kB, kE, kB}),
                           {3, kInfiniteTime})) == "1@7200000 4@7200000");
  // K beyond the reachable targets: all reachable ones, G never.
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kG, kF, kD}),
                           {10, kInfiniteTime})) == "3@9000000 5@11520000");
  // max_time is inclusive: exactly 2 h is reported, 2 h - 1 ms is not.
  CHECK(Text(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kB, kC, kE}),
                           {5, 2 * kHour})) == "1@7200000 4@7200000");
  CHECK(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kB, kC, kE}), {5, 2 * kHour - 1})
            .empty());
  // K = 0 asks for nothing.
  CHECK(query.Nearest(PlaceId(kA), Direction::kFromPlace, ids({kB}), {0, kInfiniteTime}).empty());
}

}  // namespace
}  // namespace baiying

namespace baiying {
namespace {

std::string OffsetText(std::span<const OffsetReach> reaches) {
  std::string out;
  for (const OffsetReach& r : reaches) {
    out += " t" + std::to_string(r.tag) + "@p" + std::to_string(r.place.value()) + ":" +
           std::to_string(r.travel) + "+=" + std::to_string(r.total);
  }
  return out;
}

}  // namespace

TEST_CASE("NearestWithOffsets ranks by travel plus offset, exactly as brute force") {
  constexpr std::uint32_t kSeed = 20261128;
  std::mt19937 rng(kSeed);
  testing::Tally tally("NearestWithOffsets equals brute force");
  for (int case_index = 0; case_index < 300; ++case_index) {
    const RandomCase c = MakeRandomCase(rng, 30);
    const std::uint32_t n = c.place_count;
    const RoadGraph graph = MustBuild(NumberedPlaces(n), c.arcs);
    const Matrix d = FloydWarshall(n, c.arcs);
    RoadQuery query(graph);
    for (int q = 0; q < 10; ++q) {
      // Teams: several may share a place; offsets from 0 (ready now) to beyond most routes.
      std::vector<OffsetTarget> targets;
      const std::uint32_t count = std::uniform_int_distribution<std::uint32_t>(0, 2 * n)(rng);
      for (std::uint32_t i = 0; i < count; ++i) {
        const TravelTime offset =
            std::uniform_int_distribution<TravelTime>(0, 3 * c.max_weight)(rng);
        targets.push_back({PlaceId(static_cast<std::uint32_t>(rng() % n)), offset, i});
      }
      std::shuffle(targets.begin(), targets.end(), rng);
      const std::uint32_t place = static_cast<std::uint32_t>(rng() % n);
      const std::uint32_t k = std::uniform_int_distribution<std::uint32_t>(1, 6)(rng);
      const TravelTime max_time =
          rng() % 3 == 0 ? std::uniform_int_distribution<TravelTime>(0, 6 * c.max_weight)(rng)
                         : kInfiniteTime;
      for (Direction direction : {Direction::kToPlace, Direction::kFromPlace}) {
        std::vector<OffsetReach> want;
        for (const OffsetTarget& t : targets) {
          const std::uint64_t travel = direction == Direction::kToPlace ? d[t.place.value()][place]
                                                                        : d[place][t.place.value()];
          if (travel == kNone || travel + t.offset > max_time) continue;
          want.push_back({t.tag, t.place, static_cast<TravelTime>(travel),
                          static_cast<TravelTime>(travel + t.offset)});
        }
        std::sort(want.begin(), want.end(), [](const OffsetReach& a, const OffsetReach& b) {
          return a.total != b.total ? a.total < b.total : a.tag < b.tag;
        });
        if (want.size() > k) want.resize(k);
        const std::span<const OffsetReach> got =
            query.NearestWithOffsets(PlaceId(place), direction, targets, {k, max_time});
        const bool same = std::equal(got.begin(), got.end(), want.begin(), want.end());
        tally.Expect(same, [&] {
          return "case " + std::to_string(case_index) + " place " + std::to_string(place) + " k " +
                 std::to_string(k) + ": got" + OffsetText(got) + ", want" + OffsetText(want);
        });
      }
    }
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
  CHECK(tally.checks() == 6000);
}

TEST_CASE("NearestWithOffsets: a slow-to-mobilize team nearby loses to a ready one farther away") {
  // p0 - p1 - p2 on a line, 10 minutes an arc. The unit is at p0.
  const TravelTime kTen = 600'000;
  const RoadGraph graph = MustBuild(
      NumberedPlaces(3),
      {FixedArc(0, 1, kTen), FixedArc(1, 0, kTen), FixedArc(1, 2, kTen), FixedArc(2, 1, kTen)});
  RoadQuery query(graph);
  const std::vector<OffsetTarget> teams = {
      {PlaceId(1), 3 * kTen, 7},  // 10 min away, 30 min to mobilize: ETA 40 min
      {PlaceId(2), 0, 9},         // 20 min away, ready: ETA 20 min
      {PlaceId(2), kTen, 3},      // 20 min away, 10 min to mobilize: ETA 30 min
  };
  const std::span<const OffsetReach> got =
      query.NearestWithOffsets(PlaceId(0), Direction::kToPlace, teams, {.k = 2});
  REQUIRE(got.size() == 2);
  CHECK(got[0] == OffsetReach{9, PlaceId(2), 2 * kTen, 2 * kTen});
  CHECK(got[1] == OffsetReach{3, PlaceId(2), 2 * kTen, 3 * kTen});
}

}  // namespace baiying
