#pragma once
// For the engine's tests of searches over a RoadGraph: a brute-force oracle (Floyd-Warshall
// over the input arcs, with some arcs closed if wanted), builders of small graphs, a hand-made
// network whose answers are worked out by hand, and text for answers so that a failed check
// reads well. Depends on the engine only.
//
// MustBuild and HandGraph use doctest's REQUIRE: call them only inside a test case.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "engine/core/time.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"
#include "engine/roads/road_types.h"
#include "engine/roads/travel_model.h"

namespace baiying::testing {

// --- Brute force ---

// Brute-force times, d[from][to] in ms, with kNone for "unreachable". Wider than TravelTime so
// that sums of two entries cannot overflow.
using Matrix = std::vector<std::vector<std::uint64_t>>;
inline constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();

// Shortest times between all pairs of places 0..n-1 over `arcs`, every one of which must have
// a fixed_time and ends below n. O(n^3): for graphs of a few hundred places at most.
Matrix FloydWarshall(std::uint32_t n, const std::vector<ArcSpec>& arcs);
// The same over only the arcs `a` with open[a]; open.size() == arcs.size().
Matrix FloydWarshall(std::uint32_t n, const std::vector<ArcSpec>& arcs,
                     const std::vector<bool>& open);

// A brute-force time as the engine reports it: kInfiniteTime for kNone. `t` must otherwise fit.
TravelTime ToTravelTime(std::uint64_t t);

// --- Small graphs ---

// `n` places named "p0", "p1", ..., everything else default.
std::vector<PlaceSpec> NumberedPlaces(std::uint32_t n);

// An arc that takes `time` whatever the travel-time model says. Its length, 1000 + time % 997
// m, differs between arcs of different times, so that sums of lengths check something.
ArcSpec FixedArc(std::uint32_t from, std::uint32_t to, TravelTime time, std::string road_ref = "");

// RoadGraph::Build, REQUIRE'd to succeed (the failure names the bad spec).
RoadGraph MustBuild(std::vector<PlaceSpec> places, const std::vector<ArcSpec>& arcs,
                    const TravelTimeOptions& options = {});

// A hand-made network, every place at sea level, so a time is the length over the class speed:
//   A-B  G318 national 110 km: 2 h     B-C  G318 national 55 km: 1 h
//   A-D  S5 expressway 200 km: 2.5 h   D-C  X123 county 21 km: 0.6 h
//   A-E  Y track 40 km: 2 h            E-C  Y track 30 km: 1.5 h
//   C-F  G318 national 11 km: 0.2 h (F's only road)
//   G    alone, no roads
// All roads two-way. Fastest A to C is A>B>C in 3 h; then A>D>C in 3.1 h; then A>E>C in 3.5 h.
// Places are named "A" to "G" and numbered kA to kG.
inline constexpr std::uint32_t kA = 0, kB = 1, kC = 2, kD = 3, kE = 4, kF = 5, kG = 6;
inline constexpr TravelTime kHour = 3'600'000;
RoadGraph HandGraph();

// --- Text ---

// "3@2160000 1@3600000": place@time of each reach in order, or "(none)".
std::string Text(std::span<const Reach> reaches);

// "A>B>C": the names of the places along `route`, from its start.
std::string RoutePlaces(const RoadGraph& graph, const Route& route);

}  // namespace baiying::testing
