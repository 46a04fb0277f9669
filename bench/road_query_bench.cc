// Road-query benchmarks: the matcher's question (which K of these teams reach a place first),
// point-to-point routes and full searches, on the DIMACS New York travel-time graph and on
// data/xizang, each beside a plain Boost.Graph Dijkstra over the same arcs in the same run.
//
// Every input is drawn with fixed seeds, so two runs ask the same questions. Before any timing,
// the first few answers of our queries are checked against Boost.Graph's; a mismatch skips the
// benchmarks concerned with an error (and says why on stderr) rather than timing a wrong
// answer. Benchmarks whose data is absent are skipped with a message naming the path.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/two_bit_color_map.hpp>
#include <boost/property_map/property_map.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/network_spec.h"
#include "bench/bench_data.h"
#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"

namespace baiying::bench {
namespace {

// --- The questions asked. ---
constexpr std::uint64_t kTeamSeed = 20250107;
constexpr std::uint64_t kDestinationSeed = 20250108;
constexpr std::uint64_t kPairSeed = 20250109;
constexpr std::uint32_t kK = 3;             // teams wanted per request
constexpr std::size_t kQueryCount = 1000;   // destinations and pairs, cycled by the loops
constexpr std::size_t kCheckedQueries = 5;  // answers compared with Boost.Graph before timing
constexpr std::size_t kCheckedFullSearches = 2;

// Set when an answer disagrees with Boost.Graph's: the program then exits with kCheckFailedExit
// after the run, so that scripts notice as well as readers of the table.
bool check_failed = false;
constexpr int kCheckFailedExit = 2;

// What these benchmarks need of data/xizang: the network alone.
constexpr std::array<std::string_view, 2> kXizangFiles = {"places.csv", "roads.csv"};

// --- The Boost.Graph baseline. ---

using BoostVertex = boost::graph_traits<BoostGraph>::vertex_descriptor;

// An estimate of the Boost graph's own arrays: row starts, targets and one weight per edge.
std::size_t BoostGraphBytes(const BoostGraph& g) {
  return (num_vertices(g) + 1) * sizeof(std::uint32_t) +
         num_edges(g) * (sizeof(std::uint32_t) + sizeof(ArcTime));
}

// The order of Nearest's answers: by time, ties broken by place id.
bool ByTimeThenId(const Reach& a, const Reach& b) {
  return a.time != b.time ? a.time < b.time : a.place < b.place;
}

// The K nearest of `targets` by (time, place id) in a full distance map, skipping unreachable
// ones: what our Nearest answers. `targets` holds distinct places.
void PickNearest(std::span<const TravelTime> distance, std::span<const PlaceId> targets,
                 std::uint32_t k, std::vector<Reach>& out) {
  out.clear();
  for (PlaceId t : targets) {
    const TravelTime d = distance[t.value()];
    if (d != kInfiniteTime) out.push_back({t, d});
  }
  const std::size_t kept = std::min<std::size_t>(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(kept), out.end(),
                    ByTimeThenId);
  out.resize(kept);
}

// The plain user's call: named parameters, a distance vector allocated per query, and
// Boost's own colour map and heap index allocated inside the call.
std::vector<Reach> BoostNearestPlain(const BoostGraph& reversed, PlaceId place,
                                     std::span<const PlaceId> targets, std::uint32_t k) {
  std::vector<TravelTime> distance(num_vertices(reversed));
  boost::dijkstra_shortest_paths(
      reversed, place.value(),
      boost::weight_map(boost::get(&ArcTime::time, reversed))
          .distance_map(boost::make_iterator_property_map(
              distance.begin(), boost::get(boost::vertex_index, reversed))));
  std::vector<Reach> nearest;
  PickNearest(distance, targets, k, nearest);
  return nearest;
}

// Thrown by a visitor to end a Boost.Graph search early: the documented way to stop one.
struct StopSearch {};

// Records settled targets and stops once the K-th nearest is known: after K targets are
// settled, the first vertex popped with a larger time proves that no tie is missing.
class NearestVisitor : public boost::default_dijkstra_visitor {
 public:
  NearestVisitor(const std::vector<std::uint8_t>& is_target, std::uint32_t k,
                 const TravelTime* distance, std::vector<Reach>& found, std::uint64_t& settled)
      : is_target_(&is_target), k_(k), distance_(distance), found_(&found), settled_(&settled) {}

  void examine_vertex(BoostVertex v, const BoostGraph&) {
    const TravelTime d = distance_[v];
    if (found_->size() >= k_ && d > (*found_)[k_ - 1].time) throw StopSearch{};
    ++*settled_;
    if ((*is_target_)[v] != 0) found_->push_back({PlaceId(v), d});
  }

 private:
  const std::vector<std::uint8_t>* is_target_;
  std::uint32_t k_;
  const TravelTime* distance_;
  std::vector<Reach>* found_;
  std::uint64_t* settled_;
};

// Stops a forward search when the destination is settled.
class DestinationVisitor : public boost::default_dijkstra_visitor {
 public:
  explicit DestinationVisitor(BoostVertex destination) : destination_(destination) {}
  void examine_vertex(BoostVertex v, const BoostGraph&) {
    if (v == destination_) throw StopSearch{};
  }

 private:
  BoostVertex destination_;
};

// Boost.Graph with every map allocated once, as a careful user would: the distance,
// predecessor and colour maps live here and are reinitialised by each call (Boost's
// dijkstra_shortest_paths sets every vertex before searching). Boost still allocates the heap's
// index array inside each call; 1.74 has no parameter to pass one in.
class BoostSearch {
 public:
  explicit BoostSearch(const BoostGraph& g)
      : graph_(&g),
        distance_(num_vertices(g)),
        predecessor_(num_vertices(g)),
        color_(num_vertices(g), boost::get(boost::vertex_index, g)) {}

  // Full search from `source`; distances in distance().
  void Full(PlaceId source) {
    Run(source, boost::dummy_property_map(), boost::default_dijkstra_visitor());
  }

  void FullNearest(PlaceId place, std::span<const PlaceId> targets, std::uint32_t k,
                   std::vector<Reach>& out) {
    Full(place);
    PickNearest(distance_, targets, k, out);
  }

  // Stops as soon as the K nearest are known; `settled` counts vertices popped.
  void EarlyNearest(PlaceId place, const std::vector<std::uint8_t>& is_target, std::uint32_t k,
                    std::vector<Reach>& out, std::uint64_t& settled) {
    out.clear();
    try {
      Run(place, boost::dummy_property_map(),
          NearestVisitor(is_target, k, distance_.data(), out, settled));
    } catch (const StopSearch&) {
    }
    std::sort(out.begin(), out.end(), ByTimeThenId);
    if (out.size() > k) out.resize(k);
  }

  // Forward search that stops at `to`; returns the time (kInfiniteTime if unreachable) and
  // counts the arcs of the path found, walking the predecessor map as a caller would.
  TravelTime RouteTime(PlaceId from, PlaceId to, std::uint32_t& arc_count) {
    try {
      Run(from,
          boost::make_iterator_property_map(predecessor_.begin(),
                                            boost::get(boost::vertex_index, *graph_)),
          DestinationVisitor(to.value()));
    } catch (const StopSearch&) {
    }
    arc_count = 0;
    const TravelTime time = distance_[to.value()];
    if (time == kInfiniteTime) return time;
    for (std::uint32_t v = to.value(); v != from.value(); v = predecessor_[v])
      ++arc_count;
    return time;
  }

  std::span<const TravelTime> distance() const { return distance_; }

 private:
  template <typename PredecessorMap, typename Visitor>
  void Run(PlaceId source, PredecessorMap predecessor, Visitor visitor) {
    const auto index = boost::get(boost::vertex_index, *graph_);
    boost::dijkstra_shortest_paths(*graph_, source.value(), predecessor,
                                   boost::make_iterator_property_map(distance_.begin(), index),
                                   boost::get(&ArcTime::time, *graph_), index,
                                   std::less<TravelTime>(),
                                   boost::closed_plus<TravelTime>(kInfiniteTime), kInfiniteTime,
                                   TravelTime{0}, visitor, color_);
  }

  const BoostGraph* graph_;
  std::vector<TravelTime> distance_;
  std::vector<std::uint32_t> predecessor_;
  boost::two_bit_color_map<boost::property_map<BoostGraph, boost::vertex_index_t>::const_type>
      color_;
};

// --- Networks and workloads, loaded once and shared by the benchmarks. ---

struct Network {
  NetworkKind kind = NetworkKind::kNewYork;
  std::string error;  // non-empty: every benchmark on this network is skipped with it
  std::optional<loaders::NetworkSpec> spec;  // kept for the build benchmark
  BuiltGraph built;
  const RoadGraph* graph = nullptr;  // built's value once it is ok
  std::optional<BoostGraph> forward;
  std::optional<BoostGraph> reversed;
  std::string route_check;  // "" once routes and full searches agree with Boost.Graph
  bool route_checked = false;
};

Network LoadNetwork(NetworkKind kind) {
  Network network;
  network.kind = kind;
  network.error = MissingDataMessage(kind, kXizangFiles, "data/xizang network");
  if (!network.error.empty()) return network;

  LoadedNetwork loaded = LoadAndBuild(kind, KeepSpec::kYes);
  if (!loaded.error.empty()) {
    network.error = std::move(loaded.error);
    return network;
  }
  network.spec = std::move(loaded.spec);
  network.built = std::move(loaded.built);
  network.graph = loaded.graph;
  if (network.graph->place_count() == 0) {
    network.error = "the " + std::string(ShortName(kind)) + " network has no places";
    return network;
  }
  network.forward.emplace(BuildBoostGraph(*network.graph, Orientation::kForward));
  network.reversed.emplace(BuildBoostGraph(*network.graph, Orientation::kReversed));
  std::cerr << "road_query_bench: " << ShortName(kind) << ": " << network.graph->place_count()
            << " places, " << network.graph->arc_count() << " arcs, loaded in "
            << loaded.load_seconds << " s\n";
  return network;
}

Network& GetNetwork(NetworkKind kind) {
  static std::map<NetworkKind, std::unique_ptr<Network>> networks;
  std::unique_ptr<Network>& slot = networks[kind];
  if (!slot) slot = std::make_unique<Network>(LoadNetwork(kind));
  return *slot;
}

// `count` distinct places drawn with `seed` (all places when there are fewer).
std::vector<PlaceId> DistinctRandomPlaces(std::uint32_t place_count, std::size_t count,
                                          std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  count = std::min<std::size_t>(count, place_count);
  std::vector<PlaceId> places;
  std::unordered_set<std::uint32_t> seen;
  while (places.size() < count) {
    const auto p = static_cast<std::uint32_t>(rng() % place_count);
    if (seen.insert(p).second) places.emplace_back(p);
  }
  return places;
}

std::vector<PlaceId> RandomPlaces(std::uint32_t place_count, std::size_t count,
                                  std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<PlaceId> places;
  places.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    places.emplace_back(static_cast<std::uint32_t>(rng() % place_count));
  }
  return places;
}

// The teams (target places) and the requests' destinations for one team count.
struct Workload {
  std::vector<PlaceId> teams;
  std::vector<std::uint8_t> is_team;  // by place
  std::vector<PlaceId> destinations;
  std::string check;  // "" when our answers agree with Boost.Graph's
};

std::string Describe(std::span<const Reach> reaches) {
  std::ostringstream out;
  out << "[";
  for (const Reach& r : reaches)
    out << " " << r.place.value() << "@" << r.time;
  out << " ]";
  return out.str();
}

std::string CheckNearest(Network& network, const Workload& workload) {
  RoadQuery query(*network.graph);
  BoostSearch search(*network.reversed);
  std::vector<Reach> full;
  std::vector<Reach> early;
  for (std::size_t i = 0; i < std::min(kCheckedQueries, workload.destinations.size()); ++i) {
    const PlaceId place = workload.destinations[i];
    const std::span<const Reach> ours =
        query.Nearest(place, Direction::kToPlace, workload.teams, {.k = kK});
    const std::vector<Reach> plain =
        BoostNearestPlain(*network.reversed, place, workload.teams, kK);
    search.FullNearest(place, workload.teams, kK, full);
    std::uint64_t settled = 0;
    search.EarlyNearest(place, workload.is_team, kK, early, settled);
    const bool agree = std::equal(ours.begin(), ours.end(), plain.begin(), plain.end()) &&
                       plain == full && plain == early;
    if (!agree) {
      return "Nearest disagrees with Boost.Graph towards place " + std::to_string(place.value()) +
             ": ours " + Describe(ours) + ", Boost plain " + Describe(plain) + ", preallocated " +
             Describe(full) + ", early stop " + Describe(early);
    }
  }
  return "";
}

Workload& GetWorkload(Network& network, std::size_t team_count) {
  static std::map<std::pair<NetworkKind, std::size_t>, std::unique_ptr<Workload>> workloads;
  std::unique_ptr<Workload>& slot = workloads[{network.kind, team_count}];
  if (!slot) {
    slot = std::make_unique<Workload>();
    const std::uint32_t n = network.graph->place_count();
    slot->teams = DistinctRandomPlaces(n, team_count, kTeamSeed + team_count);
    slot->is_team.assign(n, 0);
    for (PlaceId t : slot->teams)
      slot->is_team[t.value()] = 1;
    slot->destinations = RandomPlaces(n, kQueryCount, kDestinationSeed);
    slot->check = CheckNearest(network, *slot);
    if (!slot->check.empty()) {
      check_failed = true;
      std::cerr << "road_query_bench: CHECK FAILED (" << ShortName(network.kind) << ", "
                << team_count << " teams): " << slot->check << "\n";
    }
  }
  return *slot;
}

struct PairList {
  std::vector<std::pair<PlaceId, PlaceId>> pairs;
};

const PairList& GetPairs(const Network& network) {
  static std::map<NetworkKind, PairList> pair_lists;
  PairList& list = pair_lists[network.kind];
  if (list.pairs.empty()) {
    const std::uint32_t n = network.graph->place_count();
    const std::vector<PlaceId> from = RandomPlaces(n, kQueryCount, kPairSeed);
    const std::vector<PlaceId> to = RandomPlaces(n, kQueryCount, kPairSeed + 1);
    for (std::size_t i = 0; i < kQueryCount; ++i)
      list.pairs.emplace_back(from[i], to[i]);
  }
  return list;
}

// Routes and full searches against Boost.Graph: route times against a full forward search and
// the early-stopping Boost route, AllTimes against Boost's whole distance map.
std::string CheckRoutesAndFullSearches(Network& network) {
  RoadQuery query(*network.graph);
  BoostSearch forward(*network.forward);
  BoostSearch reversed(*network.reversed);
  const PairList& pairs = GetPairs(network);
  for (std::size_t i = 0; i < std::min(kCheckedQueries, pairs.pairs.size()); ++i) {
    const auto [from, to] = pairs.pairs[i];
    forward.Full(from);
    const TravelTime expected = forward.distance()[to.value()];
    std::uint32_t boost_arcs = 0;
    const TravelTime boost_time = forward.RouteTime(from, to, boost_arcs);
    Result<Route> route = query.ShortestRoute(from, to);
    const TravelTime ours = route.ok() ? route->time : kInfiniteTime;
    TravelTime summed = 0;
    if (route.ok()) {
      for (ArcId arc : route->arcs)
        summed = SaturatingAdd(summed, network.graph->travel_time(arc));
    }
    if (ours != expected || boost_time != expected || (route.ok() && summed != ours)) {
      return "ShortestRoute " + std::to_string(from.value()) + " -> " + std::to_string(to.value()) +
             ": ours " + std::to_string(ours) + " (arcs sum to " + std::to_string(summed) +
             "), Boost full search " + std::to_string(expected) + ", Boost early stop " +
             std::to_string(boost_time);
    }
  }
  for (std::size_t i = 0; i < std::min(kCheckedFullSearches, pairs.pairs.size()); ++i) {
    const PlaceId place = pairs.pairs[i].first;
    const std::span<const TravelTime> ours = query.AllTimes(place, Direction::kToPlace);
    reversed.Full(place);
    const std::span<const TravelTime> theirs = reversed.distance();
    if (!std::equal(ours.begin(), ours.end(), theirs.begin(), theirs.end())) {
      const auto [mine, boost_side] = std::mismatch(ours.begin(), ours.end(), theirs.begin());
      return "AllTimes towards " + std::to_string(place.value()) +
             " differs from Boost.Graph at place " + std::to_string(mine - ours.begin()) +
             ": ours " + std::to_string(*mine) + ", Boost " + std::to_string(*boost_side);
    }
  }
  return "";
}

// Returns the network when its benchmarks may run, or skips the benchmark and returns null.
Network* NetworkOrSkip(benchmark::State& state, NetworkKind kind, bool needs_route_check) {
  Network& network = GetNetwork(kind);
  if (!network.error.empty()) {
    state.SkipWithError(network.error.c_str());
    return nullptr;
  }
  if (needs_route_check) {
    if (!network.route_checked) {
      network.route_check = CheckRoutesAndFullSearches(network);
      network.route_checked = true;
      if (!network.route_check.empty()) {
        check_failed = true;
        std::cerr << "road_query_bench: CHECK FAILED (" << ShortName(kind)
                  << "): " << network.route_check << "\n";
      }
    }
    if (!network.route_check.empty()) {
      state.SkipWithError(network.route_check.c_str());
      return nullptr;
    }
  }
  return &network;
}

Workload* WorkloadOrSkip(benchmark::State& state, Network& network, std::size_t team_count) {
  Workload& workload = GetWorkload(network, team_count);
  if (!workload.check.empty()) {
    state.SkipWithError(workload.check.c_str());
    return nullptr;
  }
  return &workload;
}

// --- The benchmarks. ---

void BM_Load(benchmark::State& state, NetworkKind kind) {
  if (NetworkOrSkip(state, kind, false) == nullptr) return;
  for (auto _ : state) {
    Result<loaders::NetworkSpec> spec = loaders::LoadNetworkSpec(NetworkPath(kind));
    if (!spec.ok()) {
      state.SkipWithError(spec.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(spec->arcs.data());
  }
}

void BM_Build(benchmark::State& state, NetworkKind kind) {
  Network* network = NetworkOrSkip(state, kind, false);
  if (network == nullptr) return;
  std::optional<loaders::NetworkSpec> spec;
  BuiltGraph graph;
  for (auto _ : state) {
    state.PauseTiming();
    graph.reset();
    spec = *network->spec;
    state.ResumeTiming();
    graph = BuildInPlace(std::move(*spec));
    benchmark::DoNotOptimize(graph->ok());
  }
  state.counters["places"] = network->graph->place_count();
  state.counters["arcs"] = network->graph->arc_count();
  state.counters["memory_bytes"] =
      benchmark::Counter(static_cast<double>(network->graph->MemoryBytes()),
                         benchmark::Counter::kDefaults, benchmark::Counter::kIs1024);
  state.counters["boost_csr_bytes"] =
      benchmark::Counter(static_cast<double>(BoostGraphBytes(*network->reversed)),
                         benchmark::Counter::kDefaults, benchmark::Counter::kIs1024);
}

void BM_BoostBuild(benchmark::State& state, NetworkKind kind) {
  Network* network = NetworkOrSkip(state, kind, false);
  if (network == nullptr) return;
  for (auto _ : state) {
    BoostGraph g = BuildBoostGraph(*network->graph, Orientation::kReversed);
    benchmark::DoNotOptimize(num_edges(g));
  }
}

void BM_Nearest(benchmark::State& state, NetworkKind kind, std::size_t team_count) {
  Network* network = NetworkOrSkip(state, kind, false);
  if (network == nullptr) return;
  Workload* workload = WorkloadOrSkip(state, *network, team_count);
  if (workload == nullptr) return;
  RoadQuery query(*network->graph);
  const NearestOptions options{.k = kK};
  std::size_t i = 0;
  std::uint64_t settled = 0;
  for (auto _ : state) {
    const PlaceId place = workload->destinations[i];
    i = (i + 1 == workload->destinations.size()) ? 0 : i + 1;
    std::span<const Reach> reaches =
        query.Nearest(place, Direction::kToPlace, workload->teams, options);
    benchmark::DoNotOptimize(reaches.data());
    settled += query.last_settled_count();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["teams"] = static_cast<double>(workload->teams.size());
  state.counters["settled"] =
      benchmark::Counter(static_cast<double>(settled), benchmark::Counter::kAvgIterations);
}

void BM_BoostNearestPlain(benchmark::State& state, NetworkKind kind, std::size_t team_count) {
  Network* network = NetworkOrSkip(state, kind, false);
  if (network == nullptr) return;
  Workload* workload = WorkloadOrSkip(state, *network, team_count);
  if (workload == nullptr) return;
  std::size_t i = 0;
  for (auto _ : state) {
    const PlaceId place = workload->destinations[i];
    i = (i + 1 == workload->destinations.size()) ? 0 : i + 1;
    std::vector<Reach> reaches = BoostNearestPlain(*network->reversed, place, workload->teams, kK);
    benchmark::DoNotOptimize(reaches.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["teams"] = static_cast<double>(workload->teams.size());
}

void BM_BoostNearestPrealloc(benchmark::State& state, NetworkKind kind, std::size_t team_count) {
  Network* network = NetworkOrSkip(state, kind, false);
  if (network == nullptr) return;
  Workload* workload = WorkloadOrSkip(state, *network, team_count);
  if (workload == nullptr) return;
  BoostSearch search(*network->reversed);
  std::vector<Reach> reaches;
  reaches.reserve(workload->teams.size());
  std::size_t i = 0;
  for (auto _ : state) {
    const PlaceId place = workload->destinations[i];
    i = (i + 1 == workload->destinations.size()) ? 0 : i + 1;
    search.FullNearest(place, workload->teams, kK, reaches);
    benchmark::DoNotOptimize(reaches.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["teams"] = static_cast<double>(workload->teams.size());
}

void BM_BoostNearestEarlyStop(benchmark::State& state, NetworkKind kind, std::size_t team_count) {
  Network* network = NetworkOrSkip(state, kind, false);
  if (network == nullptr) return;
  Workload* workload = WorkloadOrSkip(state, *network, team_count);
  if (workload == nullptr) return;
  BoostSearch search(*network->reversed);
  std::vector<Reach> reaches;
  reaches.reserve(workload->teams.size());
  std::size_t i = 0;
  std::uint64_t settled = 0;
  for (auto _ : state) {
    const PlaceId place = workload->destinations[i];
    i = (i + 1 == workload->destinations.size()) ? 0 : i + 1;
    search.EarlyNearest(place, workload->is_team, kK, reaches, settled);
    benchmark::DoNotOptimize(reaches.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["teams"] = static_cast<double>(workload->teams.size());
  state.counters["settled"] =
      benchmark::Counter(static_cast<double>(settled), benchmark::Counter::kAvgIterations);
}

void BM_Route(benchmark::State& state, NetworkKind kind) {
  Network* network = NetworkOrSkip(state, kind, true);
  if (network == nullptr) return;
  const PairList& pairs = GetPairs(*network);
  RoadQuery query(*network->graph);
  std::size_t i = 0;
  std::uint64_t settled = 0;
  for (auto _ : state) {
    const auto [from, to] = pairs.pairs[i];
    i = (i + 1 == pairs.pairs.size()) ? 0 : i + 1;
    Result<Route> route = query.ShortestRoute(from, to);
    benchmark::DoNotOptimize(route.ok());
    settled += query.last_settled_count();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["settled"] =
      benchmark::Counter(static_cast<double>(settled), benchmark::Counter::kAvgIterations);
}

void BM_BoostRoute(benchmark::State& state, NetworkKind kind) {
  Network* network = NetworkOrSkip(state, kind, true);
  if (network == nullptr) return;
  const PairList& pairs = GetPairs(*network);
  BoostSearch search(*network->forward);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto [from, to] = pairs.pairs[i];
    i = (i + 1 == pairs.pairs.size()) ? 0 : i + 1;
    std::uint32_t arc_count = 0;
    benchmark::DoNotOptimize(search.RouteTime(from, to, arc_count));
    benchmark::DoNotOptimize(arc_count);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AllTimes(benchmark::State& state, NetworkKind kind) {
  Network* network = NetworkOrSkip(state, kind, true);
  if (network == nullptr) return;
  const PairList& pairs = GetPairs(*network);
  RoadQuery query(*network->graph);
  std::size_t i = 0;
  for (auto _ : state) {
    const PlaceId place = pairs.pairs[i].first;
    i = (i + 1 == pairs.pairs.size()) ? 0 : i + 1;
    std::span<const TravelTime> times = query.AllTimes(place, Direction::kToPlace);
    benchmark::DoNotOptimize(times.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BoostAllTimes(benchmark::State& state, NetworkKind kind) {
  Network* network = NetworkOrSkip(state, kind, true);
  if (network == nullptr) return;
  const PairList& pairs = GetPairs(*network);
  BoostSearch search(*network->reversed);
  std::size_t i = 0;
  for (auto _ : state) {
    const PlaceId place = pairs.pairs[i].first;
    i = (i + 1 == pairs.pairs.size()) ? 0 : i + 1;
    search.Full(place);
    benchmark::DoNotOptimize(search.distance().data());
  }
  state.SetItemsProcessed(state.iterations());
}

void RegisterAll() {
  struct Setting {
    NetworkKind kind;
    std::vector<std::size_t> team_counts;
  };
  const std::array<Setting, 2> settings = {
      Setting{NetworkKind::kNewYork, {1000, 10000}},
      Setting{NetworkKind::kXizang, {25, 100}},
  };
  for (const Setting& setting : settings) {
    const NetworkKind kind = setting.kind;
    const std::string net(ShortName(kind));
    benchmark::RegisterBenchmark(("Load/" + net).c_str(), BM_Load, kind)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(1);
    benchmark::RegisterBenchmark(("Build/" + net).c_str(), BM_Build, kind)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BoostBuild/" + net).c_str(), BM_BoostBuild, kind)
        ->Unit(benchmark::kMillisecond);
    for (std::size_t teams : setting.team_counts) {
      const std::string suffix =
          "/" + net + "/teams:" + std::to_string(teams) + "/k:" + std::to_string(kK);
      benchmark::RegisterBenchmark(("Nearest" + suffix).c_str(), BM_Nearest, kind, teams)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BoostNearestEarlyStop" + suffix).c_str(),
                                   BM_BoostNearestEarlyStop, kind, teams)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BoostNearestPrealloc" + suffix).c_str(),
                                   BM_BoostNearestPrealloc, kind, teams)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BoostNearestPlain" + suffix).c_str(), BM_BoostNearestPlain,
                                   kind, teams)
          ->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark(("Route/" + net).c_str(), BM_Route, kind)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BoostRoute/" + net).c_str(), BM_BoostRoute, kind)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("AllTimes/" + net).c_str(), BM_AllTimes, kind)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BoostAllTimes/" + net).c_str(), BM_BoostAllTimes, kind)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace baiying::bench

int main(int argc, char** argv) {
  baiying::bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (baiying::bench::check_failed) {
    std::cerr << "road_query_bench: answers disagreed with Boost.Graph; see CHECK FAILED above\n";
    return baiying::bench::kCheckFailedExit;
  }
  return 0;
}
