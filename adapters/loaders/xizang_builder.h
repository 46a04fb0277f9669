#pragma once
// Builds data/xizang, the default road network, from the raw sources in ../shared/data/xizang
// and the curated facts in data/xizang/facts (how, and every source, in data/README.md).
//
//   places: the 74 county-level seats (the 7 prefecture seats merged with the district that
//           hosts them), towns, passes and the junctions where roads meet;
//   roads:  the national highways, clipped to the region, cut at every place on them, with
//           lengths measured along the OpenStreetMap geometry; and links with estimated
//           lengths where the geometry has no road (seats off the highways, missing sections).
//
// The build is deterministic: the same inputs give byte-identical places.csv and roads.csv.
// Every seat must end up reachable from Lhasa, or the build fails naming the ones that are not.
// Thread-compatible: no shared state.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/loaders/network_spec.h"
#include "engine/core/status.h"

namespace baiying::loaders {

struct XizangBuildOptions {
  // --- Inputs and output ---
  std::filesystem::path shared_dir;  // ../shared/data/xizang: divisions.csv, stations, highways/
  std::filesystem::path facts_dir;   // data/xizang/facts: the curated CSV files
  std::filesystem::path out_dir;     // data/xizang; empty: build and report, write nothing

  // --- Placing things on the highways (metres) ---
  // A seat this close to a kept highway is put on it (its road leaves within the town).
  // Lhasa's seat lies 2.8 km from the OpenStreetMap G318 line; beyond 3 km seats get a link.
  double seat_snap_m = 3000;
  // Passes and towns in the facts carry approximate positions; each must lie this close to
  // its highway, and is then placed at the nearest point of the highway.
  double feature_snap_m = 10000;
  // A weather station this close to a seat gives the seat's elevation.
  double station_radius_m = 10000;
  // Two highways whose lines come this close meet there (a junction) ...
  double junction_m = 300;
  // ... and where they stay this close for at least this long they are one road, kept once,
  // under the reference of the highway listed first in clips.csv.
  double shared_run_m = 1000;
  // Places closer than this along one road are one place (a junction at a seat is the seat).
  double merge_m = 1000;

  // InvalidArgument naming the first bad field.
  Status Validate() const;
};

struct XizangBuildReport {
  std::size_t seat_places = 0;  // 74: the prefecture seats count once
  std::size_t seat_names = 0;   // 81: divisions whose name finds a seat place
  std::size_t towns = 0;
  std::size_t passes = 0;
  std::size_t junctions = 0;
  std::size_t places = 0;
  std::size_t roads = 0;   // two-way roads (rows of roads.csv)
  std::size_t arcs = 0;    // directed arcs (twice the roads)
  double measured_km = 0;  // over roads, each counted once
  double estimated_km = 0;
  struct Highway {
    std::string ref;
    double kept_km = 0;  // measured length kept under this reference
  };
  std::vector<Highway> highways;   // in clips.csv order
  std::vector<std::string> notes;  // station repairs, elevation sources, merges, snaps

  std::string Summary() const;  // a few lines for people
};

// Builds the network spec (places in a stable order, arcs in two-way pairs). `report` may be
// null.
Result<NetworkSpec> BuildXizangSpec(const XizangBuildOptions& options, XizangBuildReport* report);

// BuildXizangSpec, then WriteNetworkCsv into options.out_dir when it is set.
Result<XizangBuildReport> BuildXizangNetwork(const XizangBuildOptions& options);

}  // namespace baiying::loaders
