#include "engine/roads/travel_model.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace baiying {

Status TravelTimeOptions::Validate() const {
  for (std::size_t i = 0; i < speed_kmh.size(); ++i) {
    if (!(speed_kmh[i] > 0) || !std::isfinite(speed_kmh[i])) {
      return Status::InvalidArgument("travel options: speed_kmh[" +
                                     std::string(ToString(static_cast<RoadClass>(i))) +
                                     "] must be positive");
    }
  }
  if (!(gravel_speed_factor > 0 && gravel_speed_factor <= 1)) {
    return Status::InvalidArgument("travel options: gravel_speed_factor must be in (0, 1]");
  }
  if (!(altitude_slowdown_per_km >= 0 && altitude_slowdown_per_km < 1)) {
    return Status::InvalidArgument("travel options: altitude_slowdown_per_km must be in [0, 1)");
  }
  if (!(min_altitude_factor > 0 && min_altitude_factor <= 1)) {
    return Status::InvalidArgument("travel options: min_altitude_factor must be in (0, 1]");
  }
  if (!(relief_seconds_per_m >= 0) || !std::isfinite(relief_seconds_per_m)) {
    return Status::InvalidArgument("travel options: relief_seconds_per_m must be >= 0");
  }
  return Status::Ok();
}

TravelTime ArcTravelTime(const TravelTimeOptions& options, const ArcSpec& arc,
                         std::int32_t from_elevation_m, std::int32_t to_elevation_m) {
  if (arc.fixed_time) return *arc.fixed_time;

  double speed_kmh = options.speed_kmh[static_cast<std::size_t>(arc.road_class)];
  if (arc.surface == Surface::kGravel) speed_kmh *= options.gravel_speed_factor;

  const std::int32_t top = std::max({arc.max_elevation_m, from_elevation_m, to_elevation_m});
  if (top > options.altitude_threshold_m) {
    const double km_above = (top - options.altitude_threshold_m) / 1000.0;
    speed_kmh *=
        std::max(options.min_altitude_factor, 1.0 - options.altitude_slowdown_per_km * km_above);
  }

  double seconds = (arc.length_m / 1000.0) / speed_kmh * 3600.0;

  // Relief counts only where the road climbs above both ends: a pass, not a steady grade.
  const std::int32_t higher_end = std::max(from_elevation_m, to_elevation_m);
  if (arc.max_elevation_m > higher_end) {
    const double relief_m = static_cast<double>(arc.max_elevation_m - from_elevation_m) +
                            static_cast<double>(arc.max_elevation_m - to_elevation_m);
    seconds += relief_m * options.relief_seconds_per_m;
  }

  const double ms = std::round(seconds * 1000.0);
  if (ms >= static_cast<double>(kInfiniteTime)) return kInfiniteTime - 1;
  if (arc.length_m > 0 && ms < 1) return 1;
  return static_cast<TravelTime>(ms);
}

}  // namespace baiying
