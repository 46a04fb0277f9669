#pragma once
// The vocabulary of the road network: kinds of places, classes of road, surfaces, and the
// specs from which a RoadGraph is built. Loaders in adapters/ produce these specs; the
// engine never reads a file.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/time.h"

namespace baiying {

enum class PlaceKind : std::uint8_t {
  kPrefectureSeat,  // seat of one of the 7 prefecture-level cities
  kCountySeat,      // seat of a county-level unit
  kTown,
  kJunction,  // where two roads meet
  kPass,      // a mountain pass; its elevation is the segment's highest point
  kPost,      // a garrison post or other unit's location
};

enum class RoadClass : std::uint8_t {
  kExpressway,
  kNational,    // G-roads
  kProvincial,  // S-roads
  kCounty,      // X-roads and other local roads
  kTrack,       // unpaved tracks to posts
};

enum class Surface : std::uint8_t { kPaved, kGravel };

// Whether an arc's length was measured along real geometry or estimated (straight line times
// a detour factor, or a published figure for a section the geometry lacks).
enum class LengthSource : std::uint8_t { kMeasured, kEstimated };

// Text forms used in files and on the command line ("county_seat", "national", "gravel").
std::string_view ToString(PlaceKind kind);
std::string_view ToString(RoadClass road_class);
std::string_view ToString(Surface surface);
std::string_view ToString(LengthSource source);
std::optional<PlaceKind> ParsePlaceKind(std::string_view text);
std::optional<RoadClass> ParseRoadClass(std::string_view text);
std::optional<Surface> ParseSurface(std::string_view text);
std::optional<LengthSource> ParseLengthSource(std::string_view text);

// A place to be built into the graph. Its PlaceId is its index in the vector given to Build.
struct PlaceSpec {
  std::string name;    // as people see it: "拉萨", "定日县", or a DIMACS node number
  std::string pinyin;  // Latin alias: "Lhasa", "Dingri"; may be empty
  PlaceKind kind = PlaceKind::kJunction;
  double lat = 0;  // WGS-84 degrees
  double lon = 0;  // WGS-84 degrees
  std::int32_t elevation_m = 0;
  std::uint32_t adcode = 0;          // county-level administrative code (540102), 0 when none
  std::vector<std::string> aliases;  // further names that find this place ("拉萨市", "城关区")
};

// One directed arc. Two-way roads are two ArcSpecs.
struct ArcSpec {
  PlaceId from;
  PlaceId to;
  std::uint32_t length_m = 0;
  std::string road_ref;  // "G318"; empty for unnamed links
  RoadClass road_class = RoadClass::kNational;
  Surface surface = Surface::kPaved;
  std::int32_t max_elevation_m = 0;  // highest point on the segment
  LengthSource length_source = LengthSource::kMeasured;
  // When set, the travel time is taken as given (benchmark graphs such as DIMACS carry their
  // own times) instead of computed by the travel-time model.
  std::optional<TravelTime> fixed_time;
};

}  // namespace baiying
