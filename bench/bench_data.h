#pragma once
// What the road benchmarks (road_query_bench, match_bench, ch_bench, surge_dispatch_bench)
// share: where their data is (the DIMACS New York graph under the shared folder, data/xizang in
// the project), loading and building a network, and the Boost.Graph baseline's graph over the
// same arcs.
//
// The shared folder is BAIYING_SHARED_DIR when that is set, else <source>/../shared; the source
// folder is BAIYING_SOURCE_DIR, which bench/CMakeLists.txt defines for each benchmark.

#include <time.h>

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/network_spec.h"
#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_graph.h"

#ifndef BAIYING_SOURCE_DIR
#error "BAIYING_SOURCE_DIR must name the project's source directory (set by bench/CMakeLists.txt)"
#endif

namespace baiying::bench {

// --- Where the data is. ---

enum class NetworkKind { kNewYork, kXizang };

inline std::string_view ShortName(NetworkKind kind) {
  return kind == NetworkKind::kNewYork ? "ny" : "xizang";
}

inline std::filesystem::path SharedDir() {
  if (const char* env = std::getenv("BAIYING_SHARED_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(BAIYING_SOURCE_DIR) / ".." / "shared";
}

inline std::filesystem::path XizangDir() {
  return std::filesystem::path(BAIYING_SOURCE_DIR) / "data" / "xizang";
}

inline std::filesystem::path NetworkPath(NetworkKind kind) {
  if (kind == NetworkKind::kNewYork) return SharedDir() / "data" / "dimacs" / "USA-road-t.NY.gr.gz";
  return XizangDir();
}

// Why the network cannot be loaded, or "" when it can be tried. For data/xizang every one of
// `xizang_files` (relative to XizangDir()) must be present; the message names them all, after
// `xizang_what` ("data/xizang network not found: no places.csv and roads.csv in ...").
inline std::string MissingDataMessage(NetworkKind kind,
                                      std::span<const std::string_view> xizang_files,
                                      std::string_view xizang_what) {
  const std::filesystem::path path = NetworkPath(kind);
  std::error_code ec;
  if (kind == NetworkKind::kNewYork) {
    if (std::filesystem::is_regular_file(path, ec)) return "";
    return "DIMACS New York graph not found at " + path.string() +
           " (set BAIYING_SHARED_DIR to the shared folder)";
  }
  bool all_present = true;
  std::string listed;
  for (std::size_t i = 0; i < xizang_files.size(); ++i) {
    if (!std::filesystem::is_regular_file(path / xizang_files[i], ec)) all_present = false;
    if (i > 0) listed += (i + 1 == xizang_files.size()) ? " and " : ", ";
    listed += xizang_files[i];
  }
  if (all_present) return "";
  return std::string(xizang_what) + " not found: no " + listed + " in " + path.string();
}

// The items of a comma-separated command-line list ("1,10" -> "1", "10"; "" -> none).
inline std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const std::size_t comma = std::min(list.find(','), list.size());
    out.emplace_back(list.substr(0, comma));
    list.remove_prefix(std::min(comma + 1, list.size()));
  }
  return out;
}

// --- Loading and building a network. ---

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// This thread's CPU time in seconds: unlike the wall clock, it leaves out the time the scheduler
// gives other work on a shared machine (a 4 ms time slice lost shows in the wall clock only).
inline double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// RoadGraph's move constructor cannot be instantiated outside road_graph.cc (it is defaulted
// in the header next to a unique_ptr to an incomplete type), so graphs stay inside the Result
// that built them, constructed in place on the heap.
using BuiltGraph = std::unique_ptr<Result<RoadGraph>>;

inline BuiltGraph BuildInPlace(loaders::NetworkSpec spec) {
  return BuiltGraph(new Result<RoadGraph>(loaders::BuildGraph(std::move(spec))));
}

// Whether LoadAndBuild keeps the loaded spec (for benchmarks that build it again) or moves it
// into the build.
enum class KeepSpec { kNo, kYes };

struct LoadedNetwork {
  std::string error;                         // non-empty: the network could not be loaded or built
  std::optional<loaders::NetworkSpec> spec;  // with KeepSpec::kYes, once loaded
  BuiltGraph built;
  const RoadGraph* graph = nullptr;  // built's value once it is ok
  double load_seconds = 0;           // reading the spec, without the build
};

// Loads NetworkPath(kind) and builds its graph. Check MissingDataMessage first: this reports
// absent data as a loading error.
inline LoadedNetwork LoadAndBuild(NetworkKind kind, KeepSpec keep) {
  LoadedNetwork loaded;
  const auto start = std::chrono::steady_clock::now();
  Result<loaders::NetworkSpec> spec = loaders::LoadNetworkSpec(NetworkPath(kind));
  if (!spec.ok()) {
    loaded.error = "loading " + NetworkPath(kind).string() + ": " + spec.status().ToString();
    return loaded;
  }
  loaded.load_seconds = SecondsSince(start);
  if (keep == KeepSpec::kYes) {
    loaded.spec = std::move(spec).value();
    loaded.built = BuildInPlace(*loaded.spec);
  } else {
    loaded.built = BuildInPlace(std::move(spec).value());
  }
  if (!loaded.built->ok()) {
    loaded.error = "building the " + std::string(ShortName(kind)) +
                   " graph: " + loaded.built->status().ToString();
    return loaded;
  }
  loaded.graph = &loaded.built->value();
  return loaded;
}

// --- The Boost.Graph baseline's graph. ---

struct ArcTime {
  TravelTime time = 0;
};
using BoostGraph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, ArcTime,
                                       boost::no_property, std::uint32_t, std::uint32_t>;

enum class Orientation {
  kForward,   // arcs as they are: searches from a place
  kReversed,  // every arc turned round: a search from a place gives times towards it
};

// Builds the CSR graph from the RoadGraph's arcs, as a user of Boost.Graph would: an edge list
// and a weight per edge, unsorted.
inline BoostGraph BuildBoostGraph(const RoadGraph& graph, Orientation orientation) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  std::vector<ArcTime> times;
  edges.reserve(graph.arc_count());
  times.reserve(graph.arc_count());
  for (std::uint32_t a = 0; a < graph.arc_count(); ++a) {
    const ArcId arc(a);
    const std::uint32_t tail = graph.tail(arc).value();
    const std::uint32_t head = graph.head(arc).value();
    if (orientation == Orientation::kForward) {
      edges.emplace_back(tail, head);
    } else {
      edges.emplace_back(head, tail);
    }
    times.push_back({graph.travel_time(arc)});
  }
  return BoostGraph(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(), times.begin(),
                    graph.place_count());
}

}  // namespace baiying::bench
