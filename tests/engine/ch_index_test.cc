// ChIndex, CandidateSet and ChQuery: on hundreds of random graphs (ties, zero-time arcs,
// parallel arcs, one-way parts) the hierarchy's times equal Floyd-Warshall's for every pair,
// and the matcher's question over a candidate set changed by random adds and removes gets
// exactly RoadQuery::NearestWithOffsets's answer (teams, times and order); under a closure the
// exact search answers.

#include "engine/roads/ch_index.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"
#include "engine/roads/road_types.h"
#include "tests/support/graph_oracle.h"
#include "tests/support/tally.h"

namespace baiying {
namespace {

using testing::FixedArc;
using testing::FloydWarshall;
using testing::Matrix;
using testing::MustBuild;
using testing::NumberedPlaces;

struct Network {
  std::uint32_t n = 0;
  std::vector<ArcSpec> arcs;
  TravelTime max_weight = 0;
};

// 1..max_places places; weights all equal, from {0, 1, 2}, up to 1000, or large; some parallel
// arcs; a third of the graphs in two parts joined one way only.
Network RandomNetwork(std::mt19937& rng, std::uint32_t max_places) {
  Network net;
  net.n = std::uniform_int_distribution<std::uint32_t>(1, max_places)(rng);
  const std::uint32_t mode = static_cast<std::uint32_t>(rng() % 4);
  const TravelTime maxima[] = {5, 2, 1000, 10'000'000};
  net.max_weight = maxima[mode];
  std::uniform_int_distribution<TravelTime> weight(mode == 3 ? 1 : 0, net.max_weight);
  const std::uint32_t arcs =
      net.n < 2 ? 0 : std::uniform_int_distribution<std::uint32_t>(0, 4 * net.n)(rng);
  const bool two_parts = net.n >= 4 && rng() % 3 == 0;
  const std::uint32_t half = net.n / 2;
  auto pick = [&](std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  };
  for (std::uint32_t i = 0; i < arcs; ++i) {
    std::uint32_t from = pick(0, net.n - 1);
    std::uint32_t to = pick(0, net.n - 1);
    if (!net.arcs.empty() && rng() % 6 == 0) {
      from = net.arcs.back().from.value();
      to = net.arcs.back().to.value();
    } else if (two_parts) {
      const bool low = from < half;
      to = low && rng() % 5 != 0 ? pick(0, half - 1) : pick(half, net.n - 1);
    }
    if (from == to) continue;
    net.arcs.push_back(FixedArc(from, to, mode == 0 ? 5 : weight(rng)));
  }
  return net;
}

// A grid of `side` x `side` places with two-way roads of random times and a few one-way ones
// missing: deep enough for many levels of shortcuts.
Network RandomGrid(std::mt19937& rng, std::uint32_t side) {
  Network net;
  net.n = side * side;
  net.max_weight = 1000;
  std::uniform_int_distribution<TravelTime> weight(1, net.max_weight);
  auto link = [&](std::uint32_t a, std::uint32_t b) {
    if (rng() % 10 != 0) net.arcs.push_back(FixedArc(a, b, weight(rng)));
    if (rng() % 10 != 0) net.arcs.push_back(FixedArc(b, a, weight(rng)));
  };
  for (std::uint32_t r = 0; r < side; ++r) {
    for (std::uint32_t c = 0; c < side; ++c) {
      const std::uint32_t v = r * side + c;
      if (c + 1 < side) link(v, v + 1);
      if (r + 1 < side) link(v, v + side);
    }
  }
  return net;
}

ChOptions RandomOptions(std::mt19937& rng) {
  ChOptions options;
  if (rng() % 3 == 0) {  // witness searches cut very short: many needless shortcuts
    options.witness_settled_limit = 1 + static_cast<std::uint32_t>(rng() % 3);
    options.priority_settled_limit = 1;
  }
  return options;
}

// About half of tags 0..n-1 as candidates at random places with random offsets.
void AddSomeCandidates(std::mt19937& rng, const Network& net, CandidateSet& set) {
  for (std::uint32_t tag = 0; tag < net.n; ++tag) {
    if (rng() % 2 == 0) {
      (void)set.Add({PlaceId(static_cast<std::uint32_t>(rng() % net.n)),
                     static_cast<TravelTime>(rng() % (net.max_weight + 1)), tag});
    }
  }
}

ChIndex MustBuildIndex(const RoadGraph& graph, const ChOptions& options = {}) {
  Result<ChIndex> index = ChIndex::Build(graph, options);
  REQUIRE_MESSAGE(index.ok(), index.status().ToString());
  return std::move(index).value();
}

std::string ReachText(std::span<const OffsetReach> reaches) {
  std::string out;
  for (const OffsetReach& r : reaches) {
    out += " " + std::to_string(r.tag) + "@" + std::to_string(r.place.value()) + ":" +
           std::to_string(r.travel) + "+" + std::to_string(r.total);
  }
  return out.empty() ? " (none)" : out;
}

// How often NearestByTravelAgain was read off the question's search, and searched again.
struct WindowPaths {
  int reread = 0;
  int searched = 0;
};

// Random adds and removes on a CandidateSet mirrored in a map, and candidates marked available
// or not, each step followed by a few queries whose answers must equal the exact search's over
// the same candidates.
void CheckAgainstExact(std::mt19937& rng, const RoadGraph& graph, const ChIndex& index,
                       TravelTime max_weight, int steps, int queries_per_step,
                       testing::Tally& tally, const std::string& what, WindowPaths& paths) {
  const std::uint32_t n = graph.place_count();
  CandidateSet set(index);
  ChQuery ch(index, graph);
  RoadQuery exact(graph);
  std::map<std::uint32_t, OffsetTarget> mirror;
  std::set<std::uint32_t> unavailable;  // tags in mirror marked not available
  // Its own generator, so that the marks leave the sequence of adds, removes and queries as
  // it was.
  std::mt19937 marks(static_cast<std::uint32_t>(n * 7919 + steps));
  const std::uint32_t tag_range = 2 * n + 4;
  for (int step = 0; step < steps; ++step) {
    const std::uint32_t tag = static_cast<std::uint32_t>(rng() % tag_range);
    if (rng() % 3 != 0) {
      const OffsetTarget t{PlaceId(static_cast<std::uint32_t>(rng() % n)),
                           std::uniform_int_distribution<TravelTime>(0, 3 * max_weight)(rng), tag};
      const bool added = set.Add(t);
      tally.Expect(added == !mirror.contains(tag), [&] { return what + ": Add's answer"; });
      if (added) mirror[tag] = t;
    } else {
      const bool removed = set.Remove(tag);
      tally.Expect(removed == mirror.contains(tag), [&] { return what + ": Remove's answer"; });
      mirror.erase(tag);
      unavailable.erase(tag);
    }
    // A candidate marked available or not (a tag not held is refused), then every mark read.
    if (marks() % 2 == 0) {
      const std::uint32_t marked = static_cast<std::uint32_t>(marks() % tag_range);
      const bool to = marks() % 3 == 0;
      const bool held = mirror.contains(marked);
      tally.Expect(set.SetAvailable(marked, to) == held,
                   [&] { return what + ": SetAvailable's answer"; });
      if (held && to) unavailable.erase(marked);
      if (held && !to) unavailable.insert(marked);
    }
    for (std::uint32_t t = 0; t < tag_range; ++t) {
      tally.Expect(set.available(t) == (mirror.contains(t) && !unavailable.contains(t)),
                   [&] { return what + ": the mark of " + std::to_string(t); });
    }
    std::vector<OffsetTarget> targets;
    for (const auto& [key, t] : mirror)
      targets.push_back(t);
    for (int q = 0; q < queries_per_step; ++q) {
      const PlaceId place(static_cast<std::uint32_t>(rng() % n));
      NearestOptions options;
      options.k = std::uniform_int_distribution<std::uint32_t>(1, 6)(rng);
      if (rng() % 3 == 0) {
        options.max_time = std::uniform_int_distribution<TravelTime>(0, 6 * max_weight)(rng);
      }
      const std::span<const OffsetReach> want_span =
          exact.NearestWithOffsets(place, Direction::kToPlace, targets, options);
      const std::vector<OffsetReach> want(want_span.begin(), want_span.end());
      const std::span<const OffsetReach> got_span = ch.NearestWithOffsets(place, set, options);
      const std::vector<OffsetReach> got(got_span.begin(), got_span.end());
      tally.Expect(
          std::equal(got.begin(), got.end(), want.begin(), want.end()) && !ch.last_was_exact(),
          [&] {
            return what + " step " + std::to_string(step) + " place " +
                   std::to_string(place.value()) + " k " + std::to_string(options.k) +
                   " max_time " + std::to_string(options.max_time) + ": got" + ReachText(got) +
                   ", want" + ReachText(want);
          });
      // Each answer's route, unpacked from the same search, joins the candidate to the unit
      // along arcs of the graph in exactly its travel time.
      for (const OffsetReach& reach : got) {
        const std::vector<PlaceId> path = ch.PathOfLastAnswer(reach.tag);
        std::uint64_t along = 0;
        bool joined = !path.empty() && path.front() == reach.place && path.back() == place;
        for (std::size_t i = 1; joined && i < path.size(); ++i) {
          const ArcId arc = graph.FindArc(path[i - 1], path[i]);
          joined = arc.valid();
          if (joined) along += graph.travel_time(arc);
        }
        tally.Expect(joined && along == reach.travel, [&] {
          return what + " step " + std::to_string(step) + ": route of " +
                 std::to_string(reach.tag) + " from " + std::to_string(reach.place.value()) +
                 " to " + std::to_string(place.value()) + " has " +
                 std::to_string(path.size()) + " places and takes " + std::to_string(along) +
                 ", want " + std::to_string(reach.travel);
        });
      }
      tally.Expect(ch.PathOfLastAnswer(tag_range + 1).empty(),
                   [&] { return what + ": a route for a tag not in the answer"; });
      // Filtered: the K best of the candidates the filter allows, exactly, in one search.
      const std::uint32_t salt = static_cast<std::uint32_t>(rng() % 5);
      auto allowed = [salt](std::uint32_t candidate) { return (candidate * 7 + salt) % 5 >= 2; };
      std::vector<OffsetTarget> allowed_targets;
      for (const OffsetTarget& t : targets) {
        if (allowed(t.tag)) allowed_targets.push_back(t);
      }
      const std::span<const OffsetReach> want_filtered_span =
          exact.NearestWithOffsets(place, Direction::kToPlace, allowed_targets, options);
      const std::vector<OffsetReach> want_filtered(want_filtered_span.begin(),
                                                   want_filtered_span.end());
      const std::span<const OffsetReach> got_filtered = ch.NearestInIndex(place, set, options, allowed);
      tally.Expect(std::equal(got_filtered.begin(), got_filtered.end(), want_filtered.begin(),
                              want_filtered.end()),
                   [&] {
                     return what + " step " + std::to_string(step) + " filtered by " +
                            std::to_string(salt) + ": got" + ReachText(got_filtered) + ", want" +
                            ReachText(want_filtered);
                   });
      // Among the available only, filtered: the exact search over those.
      std::vector<OffsetTarget> available_targets;
      for (const OffsetTarget& t : allowed_targets) {
        if (!unavailable.contains(t.tag)) available_targets.push_back(t);
      }
      const std::span<const OffsetReach> want_available_span =
          exact.NearestWithOffsets(place, Direction::kToPlace, available_targets, options);
      const std::vector<OffsetReach> want_available(want_available_span.begin(),
                                                    want_available_span.end());
      const std::span<const OffsetReach> got_available =
          ch.NearestAvailable(place, set, options, allowed);
      tally.Expect(std::equal(got_available.begin(), got_available.end(), want_available.begin(),
                              want_available.end()),
                   [&] {
                     return what + " step " + std::to_string(step) + " available, filtered by " +
                            std::to_string(salt) + ": got" + ReachText(got_available) +
                            ", want" + ReachText(want_available);
                   });
      // The nearest by road time alone (offsets ignored, nothing filtered, marks ignored), alone
      // and as the window of the same search, after each kind of question.
      NearestOptions window;
      window.k = std::uniform_int_distribution<std::uint32_t>(1, 8)(rng);
      if (rng() % 3 == 0) {
        window.max_time = std::uniform_int_distribution<TravelTime>(0, 3 * max_weight)(rng);
      }
      std::vector<OffsetTarget> at_once = targets;
      for (OffsetTarget& t : at_once) t.offset = 0;
      const std::span<const OffsetReach> want_window_span =
          exact.NearestWithOffsets(place, Direction::kToPlace, at_once, window);
      const std::vector<OffsetReach> want_window(want_window_span.begin(), want_window_span.end());
      const std::span<const OffsetReach> by_travel = ch.NearestByTravel(place, set, window);
      const std::vector<OffsetReach> got_by_travel(by_travel.begin(), by_travel.end());
      // Again after a question: read off that search when it went far enough, else searched.
      (void)ch.NearestAvailable(place, set, options, allowed);
      const std::span<const OffsetReach> after_available = ch.NearestByTravelAgain(window);
      const std::vector<OffsetReach> again_after_available(after_available.begin(),
                                                           after_available.end());
      (void)ch.NearestInIndex(place, set, options, allowed);
      const std::span<const OffsetReach> again = ch.NearestByTravelAgain(window);
      ++(ch.last_was_reread() ? paths.reread : paths.searched);
      tally.Expect(got_by_travel == want_window && again_after_available == want_window &&
                       std::equal(again.begin(), again.end(), want_window.begin(),
                                  want_window.end()),
                   [&] {
                     return what + " step " + std::to_string(step) + " window " +
                            std::to_string(window.k) + " within " +
                            std::to_string(window.max_time) + ": by travel" +
                            ReachText(got_by_travel) + ", again" + ReachText(again) +
                            ", after the available" + ReachText(again_after_available) + ", want" +
                            ReachText(want_window);
                   });
    }
    const std::string fault = set.CheckConsistency();
    tally.Expect(fault.empty(), [&] { return what + " step " + std::to_string(step) + ": " + fault; });
  }
}

// Builds the index of `net` and compares ChQuery::Time with Floyd-Warshall for every pair.
void CheckAllPairs(std::mt19937& rng, const Network& net, testing::Tally& tally,
                   const std::string& what) {
  const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
  const ChIndex index = MustBuildIndex(graph, RandomOptions(rng));
  const Matrix d = FloydWarshall(net.n, net.arcs);
  ChQuery query(index, graph);
  for (std::uint32_t s = 0; s < net.n; ++s) {
    for (std::uint32_t t = 0; t < net.n; ++t) {
      const TravelTime got = query.Time(PlaceId(s), PlaceId(t));
      tally.Expect(got == testing::ToTravelTime(d[s][t]), [&] {
        return what + " " + std::to_string(s) + ">" + std::to_string(t) + ": got " +
               std::to_string(got) + ", want " + std::to_string(d[s][t]);
      });
      // The unpacked path runs along arcs of the graph and takes exactly that time.
      const std::vector<PlaceId> path = query.Path(PlaceId(s), PlaceId(t));
      std::uint64_t along = 0;
      bool joined = !path.empty() && path.front() == PlaceId(s) && path.back() == PlaceId(t);
      for (std::size_t i = 1; joined && i < path.size(); ++i) {
        const ArcId arc = graph.FindArc(path[i - 1], path[i]);
        joined = arc.valid();
        if (joined) along += graph.travel_time(arc);
      }
      const bool reachable = d[s][t] != testing::kNone;
      tally.Expect(reachable ? joined && along == d[s][t] : path.empty(), [&] {
        return what + " path " + std::to_string(s) + ">" + std::to_string(t) + " of " +
               std::to_string(path.size()) + " places takes " + std::to_string(along);
      });
    }
  }
}

TEST_CASE("random graphs: the hierarchy's times equal Floyd-Warshall's for every pair") {
  std::mt19937 rng(20261128);
  testing::Tally tally("ChQuery::Time equals brute force");
  for (int case_index = 0; case_index < 300; ++case_index) {
    CheckAllPairs(rng, RandomNetwork(rng, 30), tally, "case " + std::to_string(case_index));
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
  CHECK(tally.checks() > 20000);
}

TEST_CASE("grids: the hierarchy's times equal Floyd-Warshall's for every pair") {
  std::mt19937 rng(20261129);
  testing::Tally tally("ChQuery::Time equals brute force on grids");
  for (int case_index = 0; case_index < 6; ++case_index) {
    CheckAllPairs(rng, RandomGrid(rng, 12), tally, "grid " + std::to_string(case_index));
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
}

TEST_CASE("random graphs: K nearest with offsets over a changing set equals the exact search") {
  std::mt19937 rng(20261130);
  testing::Tally tally("ChQuery::NearestWithOffsets equals RoadQuery's");
  WindowPaths paths;
  for (int case_index = 0; case_index < 300; ++case_index) {
    const Network net = RandomNetwork(rng, 30);
    const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
    const ChIndex index = MustBuildIndex(graph, RandomOptions(rng));
    CheckAgainstExact(rng, graph, index, net.max_weight, 40, 2, tally,
                      "case " + std::to_string(case_index), paths);
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
  // Both ways of answering the window were compared.
  CHECK(paths.reread > 1000);
  CHECK(paths.searched > 1000);
}

TEST_CASE("grids: K nearest with offsets over a changing set equals the exact search") {
  std::mt19937 rng(20261131);
  testing::Tally tally("ChQuery::NearestWithOffsets equals RoadQuery's on grids");
  WindowPaths paths;
  for (int case_index = 0; case_index < 4; ++case_index) {
    const Network net = RandomGrid(rng, 30);
    const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
    const ChIndex index = MustBuildIndex(graph);
    CheckAgainstExact(rng, graph, index, net.max_weight, 600, 3, tally,
                      "grid " + std::to_string(case_index), paths);
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
  CHECK(paths.reread > 100);
}

TEST_CASE("CandidateSet refuses duplicates, bad places and teams that never leave") {
  const RoadGraph graph = MustBuild(NumberedPlaces(3), {FixedArc(0, 1, 5), FixedArc(1, 2, 5)});
  const ChIndex index = MustBuildIndex(graph);
  CandidateSet set(index);
  CHECK(set.Add({PlaceId(0), 0, 7}));
  CHECK_FALSE(set.Add({PlaceId(1), 0, 7}));
  CHECK_FALSE(set.Add({PlaceId(3), 0, 8}));
  CHECK_FALSE(set.Add({kNoPlace, 0, 8}));
  CHECK_FALSE(set.Add({PlaceId(1), kInfiniteTime, 8}));
  CHECK(set.size() == 1);
  CHECK(set.min_offset() == 0);
  CHECK(set.Remove(7));
  CHECK_FALSE(set.Remove(7));
  CHECK(set.size() == 0);
  CHECK(set.entry_count() == 0);
  CHECK(set.min_offset() == kInfiniteTime);
  CHECK(ChIndex::Build(graph, ChOptions{0, 1}).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("under a closure the exact search answers, and after the reopening the index again") {
  std::mt19937 rng(20261201);
  testing::Tally tally("answers under closures equal the exact search's");
  for (int case_index = 0; case_index < 100; ++case_index) {
    const Network net = RandomNetwork(rng, 25);
    if (net.arcs.empty()) continue;
    const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
    const ChIndex index = MustBuildIndex(graph);
    CandidateSet set(index);
    AddSomeCandidates(rng, net, set);
    ClosureSet closures(graph);
    const ArcId closed(static_cast<std::uint32_t>(rng() % graph.arc_count()));
    const Result<ClosureId> id = closures.CloseArc(closed, "landslide");
    REQUIRE(id.ok());
    const QueryContext context{&closures, Instant{}};
    ChQuery ch(index, graph);
    RoadQuery exact(graph);
    const PlaceId place(static_cast<std::uint32_t>(rng() % net.n));
    const NearestOptions options{3, kInfiniteTime};
    for (int phase = 0; phase < 2; ++phase) {
      const std::span<const OffsetReach> want_span =
          exact.NearestWithOffsets(place, Direction::kToPlace, set.targets(), options, context);
      const std::vector<OffsetReach> want(want_span.begin(), want_span.end());
      const std::span<const OffsetReach> got = ch.NearestWithOffsets(place, set, options, context);
      const bool exact_expected = phase == 0;
      tally.Expect(std::equal(got.begin(), got.end(), want.begin(), want.end()) &&
                       ch.last_was_exact() == exact_expected,
                   [&] {
                     return "case " + std::to_string(case_index) + " phase " +
                            std::to_string(phase) + ": got" + ReachText(got) + ", want" +
                            ReachText(want);
                   });
      if (phase == 0) REQUIRE(closures.Reopen(id.value()).ok());
    }
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
}

TEST_CASE("an index built or recontracted for the closures in force answers as the exact search") {
  std::mt19937 rng(20261202);
  testing::Tally tally("indexes for closures equal the exact search under them");
  for (int case_index = 0; case_index < 200; ++case_index) {
    const Network net = RandomNetwork(rng, 25);
    if (net.arcs.empty()) continue;
    const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
    const ChIndex open = MustBuildIndex(graph, RandomOptions(rng));
    ClosureSet closures(graph);
    const int count = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < count; ++c) {
      if (rng() % 4 == 0) {
        REQUIRE(closures.ClosePlace(PlaceId(static_cast<std::uint32_t>(rng() % net.n)), "snow")
                    .ok());
      } else {
        REQUIRE(closures.CloseArc(ArcId(static_cast<std::uint32_t>(rng() % graph.arc_count())),
                                  "landslide")
                    .ok());
      }
    }
    // One closure that starts later: not part of the metric now.
    const Instant later = Instant{} + std::chrono::hours(5);
    REQUIRE(closures.CloseArc(ArcId(static_cast<std::uint32_t>(rng() % graph.arc_count())),
                              "planned works", later)
                .ok());
    const std::vector<ArcId> closed = closures.ClosedArcsAt(Instant{});
    Result<ChIndex> built = ChIndex::Build(graph, {}, closed);
    Result<ChIndex> recontracted = ChIndex::Recontract(graph, open, closed);
    REQUIRE(built.ok());
    REQUIRE(recontracted.ok());
    CHECK(built->BuiltFor(closed));
    CHECK(recontracted->BuiltFor(closed));
    CHECK(recontracted->graph_fingerprint() == open.graph_fingerprint());
    const QueryContext context{&closures, Instant{}};
    RoadQuery exact(graph);
    for (const ChIndex* index : {&built.value(), &recontracted.value()}) {
      const std::string what = "case " + std::to_string(case_index) +
                               (index == &built.value() ? " built" : " recontracted");
      ChQuery ch(*index, graph);
      for (std::uint32_t s = 0; s < net.n; ++s) {
        for (std::uint32_t t = 0; t < net.n; ++t) {
          const Result<Route> route = exact.ShortestRoute(PlaceId(s), PlaceId(t), context);
          const TravelTime want = route.ok() ? route->time : kInfiniteTime;
          const TravelTime got = ch.Time(PlaceId(s), PlaceId(t));
          tally.Expect(got == want, [&] {
            return what + " " + std::to_string(s) + ">" + std::to_string(t) + ": got " +
                   std::to_string(got) + ", want " + std::to_string(want);
          });
        }
      }
      CandidateSet set(*index);
      AddSomeCandidates(rng, net, set);
      const PlaceId place(static_cast<std::uint32_t>(rng() % net.n));
      const NearestOptions options{3, kInfiniteTime};
      const std::span<const OffsetReach> want_span =
          exact.NearestWithOffsets(place, Direction::kToPlace, set.targets(), options, context);
      const std::vector<OffsetReach> want(want_span.begin(), want_span.end());
      const std::span<const OffsetReach> got = ch.NearestWithOffsets(place, set, options, context);
      tally.Expect(std::equal(got.begin(), got.end(), want.begin(), want.end()) &&
                       !ch.last_was_exact(),
                   [&] { return what + ": got" + ReachText(got) + ", want" + ReachText(want); });
      // Once the later closure starts, the index no longer fits: the exact search answers.
      const QueryContext after{&closures, later};
      (void)ch.NearestWithOffsets(place, set, options, after);
      const bool changed = closures.ClosedArcsAt(later) != closed;
      tally.Expect(ch.last_was_exact() == changed,
                   [&] { return what + ": exact search after the later closure started"; });
    }
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
}

TEST_CASE("a recontraction asks whether to go on, and stops when told to") {
  std::mt19937 rng(20261205);
  // 1,600 places: asked before the first place and after the 1,024th.
  const Network net = RandomGrid(rng, 40);
  const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
  const ChIndex open = MustBuildIndex(graph);
  const std::vector<ArcId> closed = {ArcId(0), ArcId(7)};
  const Result<ChIndex> whole = ChIndex::Recontract(graph, open, closed);
  REQUIRE(whole.ok());

  int asked = 0;
  const Result<ChIndex> let_run =
      ChIndex::Recontract(graph, open, closed, {}, [&asked] { return ++asked > 0; });
  REQUIRE(let_run.ok());
  CHECK(asked == 2);
  // Asking changes nothing in what is built.
  const ChIndexParts a = whole->ToParts(), b = let_run->ToParts();
  CHECK(a.rank == b.rank);
  CHECK(a.first_up == b.first_up);
  CHECK(a.first_down == b.first_down);
  CHECK(a.up.size() == b.up.size());
  CHECK(a.down.size() == b.down.size());
  CHECK(a.closed_arcs == b.closed_arcs);

  for (const int stop_at : {1, 2}) {
    CAPTURE(stop_at);
    asked = 0;
    const Result<ChIndex> stopped = ChIndex::Recontract(graph, open, closed, {}, [&] {
      return ++asked < stop_at;
    });
    CHECK(asked == stop_at);
    REQUIRE_FALSE(stopped.ok());
    CHECK(stopped.status().code() == StatusCode::kUnavailable);
    CHECK(stopped.status().message().find("stopped") != std::string::npos);
  }
}

TEST_CASE("ClosedArcsAt lists the arcs shut by arc and place closures in force at that time") {
  const RoadGraph graph = MustBuild(
      NumberedPlaces(4), {FixedArc(0, 1, 5), FixedArc(1, 0, 5), FixedArc(1, 2, 5), FixedArc(2, 3, 5)});
  ClosureSet closures(graph);
  CHECK(closures.ClosedArcsAt(Instant{}).empty());
  const std::uint64_t v0 = closures.version();
  const Instant t1 = Instant{} + std::chrono::hours(1);
  const Instant t2 = Instant{} + std::chrono::hours(2);
  REQUIRE(closures.CloseArc(graph.FindArc(PlaceId(2), PlaceId(3)), "rockfall", t1, t2).ok());
  const Result<ClosureId> place = closures.ClosePlace(PlaceId(1), "checkpoint");
  REQUIRE(place.ok());
  CHECK(closures.version() > v0);
  auto ids = [](const std::vector<ArcId>& arcs) {
    std::vector<std::uint32_t> out;
    for (ArcId a : arcs)
      out.push_back(a.value());
    return out;
  };
  const std::uint32_t a01 = graph.FindArc(PlaceId(0), PlaceId(1)).value();
  const std::uint32_t a10 = graph.FindArc(PlaceId(1), PlaceId(0)).value();
  const std::uint32_t a12 = graph.FindArc(PlaceId(1), PlaceId(2)).value();
  const std::uint32_t a23 = graph.FindArc(PlaceId(2), PlaceId(3)).value();
  std::vector<std::uint32_t> at_place = {a01, a10, a12};
  std::sort(at_place.begin(), at_place.end());
  CHECK(ids(closures.ClosedArcsAt(Instant{})) == at_place);
  std::vector<std::uint32_t> both = at_place;
  both.push_back(a23);
  std::sort(both.begin(), both.end());
  CHECK(ids(closures.ClosedArcsAt(t1)) == both);
  CHECK(ids(closures.ClosedArcsAt(t2)) == at_place);
  REQUIRE(closures.Reopen(place.value()).ok());
  CHECK(closures.ClosedArcsAt(Instant{}).empty());
  CHECK(ids(closures.ClosedArcsAt(t1)) == std::vector<std::uint32_t>{a23});
  // Out of range closed arcs are refused by the builder.
  CHECK(ChIndex::Build(graph, {}, std::vector<ArcId>{ArcId(99)}).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("an index's parts give the same index back, and malformed parts are refused") {
  std::mt19937 rng(20261203);
  const Network net = RandomGrid(rng, 10);
  const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
  const std::vector<ArcId> closed = {ArcId(3), ArcId(17)};
  Result<ChIndex> original = ChIndex::Build(graph, {}, closed);
  REQUIRE(original.ok());
  Result<ChIndex> copy = ChIndex::FromParts(original->ToParts(), graph);
  REQUIRE_MESSAGE(copy.ok(), copy.status().ToString());
  CHECK(copy->BuiltFor(closed));
  CHECK(copy->shortcut_count() == original->shortcut_count());
  CHECK(copy->MemoryBytes() == original->MemoryBytes());
  ChQuery a(*original, graph);
  ChQuery b(*copy, graph);
  for (std::uint32_t s = 0; s < net.n; s += 7) {
    for (std::uint32_t t = 0; t < net.n; t += 5)
      CHECK(a.Time(PlaceId(s), PlaceId(t)) == b.Time(PlaceId(s), PlaceId(t)));
  }

  auto refused = [&](const std::string& what, auto&& spoil) {
    ChIndexParts parts = original->ToParts();
    spoil(parts);
    const Result<ChIndex> r = ChIndex::FromParts(std::move(parts), graph);
    CHECK_MESSAGE(r.status().code() == StatusCode::kInvalidArgument, what);
    return r.ok() ? std::string() : r.status().message();
  };
  CHECK(refused("fingerprint", [](ChIndexParts& p) { p.graph_fingerprint ^= 1; })
            .find("another graph") != std::string::npos);
  CHECK(refused("rank count", [](ChIndexParts& p) { p.rank.pop_back(); }).find("ranks for") !=
        std::string::npos);
  CHECK(refused("rank twice", [](ChIndexParts& p) { p.rank[0] = p.rank[1]; })
            .find("permutation") != std::string::npos);
  CHECK(refused("offsets", [](ChIndexParts& p) { p.first_up.back() += 1; }).find("offsets") !=
        std::string::npos);
  // An offset past the arcs that falls back later is refused before any arc is read.
  CHECK(refused("offset out of range", [](ChIndexParts& p) {
          p.first_up[1] = static_cast<std::uint32_t>(p.up.size()) + 1000;
        }).find("offsets decrease") != std::string::npos);
  CHECK(refused("downward arc", [](ChIndexParts& p) { p.up.front().other = 0; })
            .find("malformed") != std::string::npos);
  CHECK(refused("middle", [](ChIndexParts& p) {
          for (ChArc& arc : p.down) arc.middle = PlaceId(static_cast<std::uint32_t>(p.rank.size()));
        }).find("malformed") != std::string::npos);
  CHECK(refused("closed arcs", [](ChIndexParts& p) { p.closed_arcs = {17, 3}; })
            .find("closed arcs") != std::string::npos);
}

TEST_CASE("a set filled at once answers as one filled one by one, and stays consistent") {
  std::mt19937 rng(20261204);
  testing::Tally tally("AddAll equals Add; buckets sorted and records in step");
  for (int case_index = 0; case_index < 100; ++case_index) {
    const Network net = RandomNetwork(rng, 30);
    const RoadGraph graph = MustBuild(NumberedPlaces(net.n), net.arcs);
    const ChIndex index = MustBuildIndex(graph, RandomOptions(rng));
    CandidateSet bulk(index), single(index);
    std::vector<OffsetTarget> targets;
    for (std::uint32_t tag = 0; tag < 2 * net.n; ++tag) {
      targets.push_back({PlaceId(static_cast<std::uint32_t>(rng() % net.n)),
                         static_cast<TravelTime>(rng() % (net.max_weight + 1)), tag});
    }
    targets.push_back(targets.front());  // a tag given twice is added once
    // In two calls: the second fills a set that already holds candidates.
    const std::size_t half = targets.size() / 2;
    const std::size_t added = bulk.AddAll(std::span(targets).first(half)) +
                              bulk.AddAll(std::span(targets).subspan(half));
    tally.Expect(added == targets.size() - 1, [&] {
      return "case " + std::to_string(case_index) + ": AddAll added another number";
    });
    const std::string filled = bulk.CheckConsistency();
    tally.Expect(filled.empty(),
                 [&] { return "case " + std::to_string(case_index) + ": after AddAll: " + filled; });
    for (const OffsetTarget& t : targets)
      single.Add(t);
    // Then the same changes to both: teams moving, leaving, coming back.
    for (int change = 0; change < 40; ++change) {
      const std::uint32_t tag = static_cast<std::uint32_t>(rng() % (2 * net.n));
      const OffsetTarget moved{PlaceId(static_cast<std::uint32_t>(rng() % net.n)),
                               static_cast<TravelTime>(rng() % (net.max_weight + 1)), tag};
      for (CandidateSet* set : {&bulk, &single}) {
        set->Remove(tag);
        if (change % 3 != 0) set->Add(moved);
      }
    }
    for (const CandidateSet* set : {&bulk, &single}) {
      const std::string fault = set->CheckConsistency();
      tally.Expect(fault.empty(), [&] { return "case " + std::to_string(case_index) + ": " + fault; });
    }
    tally.Expect(bulk.entry_count() == single.entry_count() && bulk.size() == single.size(),
                 [&] { return "case " + std::to_string(case_index) + ": entry counts differ"; });
    ChQuery a(index, graph), b(index, graph);
    for (int q = 0; q < 5; ++q) {
      const PlaceId place(static_cast<std::uint32_t>(rng() % net.n));
      const NearestOptions options{1 + static_cast<std::uint32_t>(rng() % 6), kInfiniteTime};
      const std::span<const OffsetReach> x = a.NearestWithOffsets(place, bulk, options);
      const std::span<const OffsetReach> y = b.NearestWithOffsets(place, single, options);
      tally.Expect(std::equal(x.begin(), x.end(), y.begin(), y.end()), [&] {
        return "case " + std::to_string(case_index) + ": all at once" + ReachText(x) +
               ", one by one" + ReachText(y);
      });
      const std::span<const OffsetReach> by_travel_x = a.NearestByTravel(place, bulk, options);
      const std::span<const OffsetReach> by_travel_y = b.NearestByTravel(place, single, options);
      const std::vector<OffsetReach> near_x(by_travel_x.begin(), by_travel_x.end());
      const std::vector<OffsetReach> near_y(by_travel_y.begin(), by_travel_y.end());
      tally.Expect(near_x == near_y, [&] {
        return "case " + std::to_string(case_index) + ": by travel, all at once" +
               ReachText(near_x) + ", one by one" + ReachText(near_y);
      });
    }
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
}

}  // namespace
}  // namespace baiying
