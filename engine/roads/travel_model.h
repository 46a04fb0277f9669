#pragma once
// The travel-time model: how long a vehicle convoy of a support team takes over one arc,
// from the arc's class, surface, length and elevations. Computed once when the graph is
// built; queries only read the resulting weights.

#include <array>
#include <cstdint>
#include <string>

#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_types.h"

namespace baiying {

struct TravelTimeOptions {
  // --- Free-flow speed by road class, km/h (index: RoadClass). ---
  // China's highway technical standard (JTG B01-2014) sets design speeds of 80-120 km/h for
  // expressways, 60-100 for class-I, 40-80 for class-II, 30-40 for class-III and 20-30 for
  // class-IV roads. National highways on the plateau are mostly class-II/III, with section
  // speed checks that hold trucks and convoys near 40-60 km/h (G318, G109), so the defaults
  // sit at the low end of each band: a convoy, not a car.
  std::array<double, 5> speed_kmh = {80.0, 55.0, 45.0, 35.0, 20.0};

  // --- Surface. ---
  // Multiplier on speed for gravel: washboard, potholes and loose stone take about a third off
  // a convoy's speed on unpaved plateau roads.
  double gravel_speed_factor = 0.65;

  // --- Altitude. ---
  // Naturally aspirated engines lose roughly 10% of power per 1,000 m of altitude, and
  // drivers tire faster in thin air; above `altitude_threshold_m` speed drops by
  // `altitude_slowdown_per_km` for each 1,000 m that the arc's highest point lies above it.
  std::int32_t altitude_threshold_m = 3000;
  double altitude_slowdown_per_km = 0.06;
  // Speed never falls below this share of its free-flow value through altitude alone.
  double min_altitude_factor = 0.6;

  // --- Passes and switchbacks. ---
  // Extra time for each metre of climb and descent over an arc whose highest point rises above
  // both ends (a pass). Hairpins such as the 72 bends below Yela on G318, which drop about
  // 1,900 m in some 40 km of road and take a truck around an hour more than that road length
  // on the flat, suggest about 2 seconds per metre of relief.
  double relief_seconds_per_m = 2.0;

  // Fails with InvalidArgument naming the first bad field.
  Status Validate() const;
};

// Travel time over an arc from `from_elevation_m` to `to_elevation_m`. Arcs with a fixed
// time return it unchanged. Never returns 0 for a positive length.
TravelTime ArcTravelTime(const TravelTimeOptions& options, const ArcSpec& arc,
                         std::int32_t from_elevation_m, std::int32_t to_elevation_m);

}  // namespace baiying
