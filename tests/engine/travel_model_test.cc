// The travel-time model: speeds by class and surface, altitude, passes, fixed times, and the
// options' validation. Expected times are worked out by hand in the comments.

#include "engine/roads/travel_model.h"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_types.h"

namespace baiying {
namespace {

constexpr TravelTime kOneHour = 3'600'000;

ArcSpec Arc(RoadClass road_class, Surface surface, std::uint32_t length_m,
            std::int32_t max_elevation_m = 0) {
  ArcSpec arc;
  arc.from = PlaceId(0);
  arc.to = PlaceId(1);
  arc.length_m = length_m;
  arc.road_class = road_class;
  arc.surface = surface;
  arc.max_elevation_m = max_elevation_m;
  return arc;
}

// An arc whose ends and highest point all lie at `elevation_m`: no relief, only altitude.
TravelTime FlatAt(const TravelTimeOptions& options, RoadClass road_class, Surface surface,
                  std::uint32_t length_m, std::int32_t elevation_m) {
  return ArcTravelTime(options, Arc(road_class, surface, length_m, elevation_m), elevation_m,
                       elevation_m);
}

constexpr std::array<RoadClass, 5> kClasses = {RoadClass::kExpressway, RoadClass::kNational,
                                               RoadClass::kProvincial, RoadClass::kCounty,
                                               RoadClass::kTrack};

TEST_CASE("55 km of paved national road at 3,000 m takes exactly one hour") {
  const TravelTimeOptions options;
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 3000) == kOneHour);
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 0) == kOneHour);
  // Below the threshold nothing changes.
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 2000) == kOneHour);
}

TEST_CASE("speed by road class: each class covers its default speed in one hour") {
  const TravelTimeOptions options;
  // Defaults: 80, 55, 45, 35, 20 km/h.
  CHECK(FlatAt(options, RoadClass::kExpressway, Surface::kPaved, 80'000, 0) == kOneHour);
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 0) == kOneHour);
  CHECK(FlatAt(options, RoadClass::kProvincial, Surface::kPaved, 45'000, 0) == kOneHour);
  CHECK(FlatAt(options, RoadClass::kCounty, Surface::kPaved, 35'000, 0) == kOneHour);
  CHECK(FlatAt(options, RoadClass::kTrack, Surface::kPaved, 20'000, 0) == kOneHour);

  // 35 km each: 35/80 h = 1,575 s; 35/55 h = 2,290.909 s; 35/45 h = 2,800 s; 1 h; 35/20 h.
  CHECK(FlatAt(options, RoadClass::kExpressway, Surface::kPaved, 35'000, 0) == 1'575'000);
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 35'000, 0) == 2'290'909);
  CHECK(FlatAt(options, RoadClass::kProvincial, Surface::kPaved, 35'000, 0) == 2'800'000);
  CHECK(FlatAt(options, RoadClass::kCounty, Surface::kPaved, 35'000, 0) == 3'600'000);
  CHECK(FlatAt(options, RoadClass::kTrack, Surface::kPaved, 35'000, 0) == 6'300'000);

  // Slower classes take longer over the same road length.
  for (std::size_t i = 1; i < kClasses.size(); ++i) {
    CAPTURE(i);
    CHECK(FlatAt(options, kClasses[i - 1], Surface::kPaved, 100'000, 0) <
          FlatAt(options, kClasses[i], Surface::kPaved, 100'000, 0));
  }
}

TEST_CASE("gravel multiplies speed by gravel_speed_factor") {
  const TravelTimeOptions options;
  // National on gravel: 55 * 0.65 = 35.75 km/h; track: 20 * 0.65 = 13 km/h.
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kGravel, 35'750, 0) == kOneHour);
  CHECK(FlatAt(options, RoadClass::kTrack, Surface::kGravel, 13'000, 0) == kOneHour);
  // 35 km of gravel national road: 35 / 35.75 h = 3,524.4755 s.
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kGravel, 35'000, 0) == 3'524'476);
  for (RoadClass road_class : kClasses) {
    CAPTURE(ToString(road_class));
    CHECK(FlatAt(options, road_class, Surface::kGravel, 50'000, 0) >
          FlatAt(options, road_class, Surface::kPaved, 50'000, 0));
  }

  TravelTimeOptions no_penalty;
  no_penalty.gravel_speed_factor = 1.0;
  CHECK(FlatAt(no_penalty, RoadClass::kNational, Surface::kGravel, 55'000, 0) == kOneHour);
}

TEST_CASE("altitude slows travel above the threshold and not below it") {
  const TravelTimeOptions options;
  // 55 km national paved; factor 1 - 0.06 per 1,000 m above 3,000 m.
  // 3,001 m: 3,600 / 0.99994 = 3,600.216 s.
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 3001) == 3'600'216);
  // 4,000 m: 3,600 / 0.94 = 3,829.787 s.
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 4000) == 3'829'787);
  // 5,000 m: 3,600 / 0.88 = 4,090.909 s.
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 5000) == 4'090'909);
  // 10,000 m would give 1 - 0.42 = 0.58, floored at min_altitude_factor 0.6: 6,000 s.
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 10'000) == 6'000'000);

  // Flat below and at the threshold, strictly slower above it until the floor (9,667 m).
  const TravelTime at_sea_level = FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 0);
  TravelTime previous = at_sea_level;
  for (std::int32_t elevation = 100; elevation <= 9600; elevation += 100) {
    CAPTURE(elevation);
    const TravelTime t = FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, elevation);
    if (elevation <= 3000) {
      CHECK(t == at_sea_level);
    } else {
      CHECK(t > previous);
    }
    previous = t;
  }
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 9700) ==
        FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 12'000));
}

TEST_CASE("altitude options: threshold, slowdown and floor are honoured") {
  TravelTimeOptions high_threshold;
  high_threshold.altitude_threshold_m = 4000;
  CHECK(FlatAt(high_threshold, RoadClass::kNational, Surface::kPaved, 55'000, 4000) == kOneHour);
  // 1,000 m above the 4,000 m threshold: 3,600 / 0.94 s.
  CHECK(FlatAt(high_threshold, RoadClass::kNational, Surface::kPaved, 55'000, 5000) == 3'829'787);

  TravelTimeOptions no_slowdown;
  no_slowdown.altitude_slowdown_per_km = 0;
  CHECK(FlatAt(no_slowdown, RoadClass::kNational, Surface::kPaved, 55'000, 5000) == kOneHour);

  TravelTimeOptions high_floor;
  high_floor.min_altitude_factor = 0.9;
  // 5,000 m would give 0.88; the floor holds it at 0.9: 3,600 / 0.9 = 4,000 s.
  CHECK(FlatAt(high_floor, RoadClass::kNational, Surface::kPaved, 55'000, 5000) == 4'000'000);
}

TEST_CASE("relief: extra time only over a pass higher than both ends") {
  const TravelTimeOptions options;
  const auto national = [](std::int32_t top) {
    return Arc(RoadClass::kNational, Surface::kPaved, 55'000, top);
  };
  // A pass at 2,500 m between 1,000 m and 1,500 m: 1,500 + 1,000 m of relief at 2 s/m
  // = 5,000 s, plus the hour of driving.
  CHECK(ArcTravelTime(options, national(2500), 1000, 1500) == 8'600'000);
  CHECK(ArcTravelTime(options, national(2500), 1500, 1000) == 8'600'000);
  // A steady climb to the higher end is not a pass.
  CHECK(ArcTravelTime(options, national(2500), 1000, 2500) == kOneHour);
  CHECK(ArcTravelTime(options, national(2500), 2500, 1000) == kOneHour);
  // Level: no relief.
  CHECK(ArcTravelTime(options, national(2000), 2000, 2000) == kOneHour);
  // One metre above both ends: 2 m of relief, 4 s.
  CHECK(ArcTravelTime(options, national(2001), 2000, 2000) == kOneHour + 4'000);

  // A pass above the altitude threshold pays both: 4,090.909 s for 55 km at 5,000 m plus
  // (1,000 + 800) m * 2 s = 3,600 s.
  CHECK(ArcTravelTime(options, national(5000), 4000, 4200) == 7'690'909);

  // Gravel provincial road over a 5,200 m pass between 4,600 m and 4,800 m, 29.25 km:
  // 45 * 0.65 = 29.25 km/h, altitude factor 1 - 0.06 * 2.2 = 0.868, so 3,600 / 0.868 =
  // 4,147.465 s, plus (600 + 400) m * 2 s = 2,000 s.
  CHECK(ArcTravelTime(options, Arc(RoadClass::kProvincial, Surface::kGravel, 29'250, 5200), 4600,
                      4800) == 6'147'465);

  TravelTimeOptions no_relief;
  no_relief.relief_seconds_per_m = 0;
  CHECK(ArcTravelTime(no_relief, national(2500), 1000, 1500) == kOneHour);
  TravelTimeOptions one_second;
  one_second.relief_seconds_per_m = 1.0;
  CHECK(ArcTravelTime(one_second, national(2500), 1000, 1500) == kOneHour + 2'500'000);
}

TEST_CASE("custom speeds are used") {
  TravelTimeOptions options;
  options.speed_kmh[static_cast<std::size_t>(RoadClass::kNational)] = 110.0;
  CHECK(FlatAt(options, RoadClass::kNational, Surface::kPaved, 55'000, 0) == 1'800'000);
  // Other classes keep their defaults.
  CHECK(FlatAt(options, RoadClass::kCounty, Surface::kPaved, 35'000, 0) == kOneHour);
}

TEST_CASE("a fixed time is taken as given") {
  const TravelTimeOptions options;
  ArcSpec arc = Arc(RoadClass::kTrack, Surface::kGravel, 123'456, 5600);
  arc.fixed_time = 1234;
  CHECK(ArcTravelTime(options, arc, 4000, 4100) == 1234);
  arc.fixed_time = 0;
  CHECK(ArcTravelTime(options, arc, 4000, 4100) == 0);
  arc.fixed_time = 7'000'000;
  CHECK(ArcTravelTime(options, arc, 0, 0) == 7'000'000);
}

TEST_CASE("a positive length never takes zero time") {
  TravelTimeOptions options;
  options.speed_kmh[static_cast<std::size_t>(RoadClass::kExpressway)] = 1e9;
  // 1 m at 10^9 km/h is 3.6 ns: rounds to 0 ms, reported as 1 ms.
  CHECK(FlatAt(options, RoadClass::kExpressway, Surface::kPaved, 1, 0) == 1);
  // With default speeds a metre of expressway is 0.045 s.
  CHECK(FlatAt(TravelTimeOptions{}, RoadClass::kExpressway, Surface::kPaved, 1, 0) == 45);
}

TEST_CASE("time grows in proportion to length") {
  const TravelTimeOptions options;
  for (RoadClass road_class : kClasses) {
    CAPTURE(ToString(road_class));
    const TravelTime one = FlatAt(options, road_class, Surface::kPaved, 10'000, 4500);
    const TravelTime two = FlatAt(options, road_class, Surface::kPaved, 20'000, 4500);
    CHECK(std::abs(static_cast<double>(two) - 2.0 * static_cast<double>(one)) <= 1.0);
  }
}

// --- Validate ---

void ExpectRejected(const TravelTimeOptions& options, const std::string& field) {
  const Status status = options.Validate();
  CAPTURE(field);
  CAPTURE(status.ToString());
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.message().find(field) != std::string::npos);
}

TEST_CASE("Validate accepts the defaults and sensible variations") {
  CHECK(TravelTimeOptions{}.Validate().ok());
  TravelTimeOptions options;
  options.gravel_speed_factor = 1.0;
  options.altitude_slowdown_per_km = 0;
  options.min_altitude_factor = 1.0;
  options.relief_seconds_per_m = 0;
  options.speed_kmh = {120, 100, 80, 40, 30};
  CHECK(options.Validate().ok());
}

TEST_CASE("Validate rejects bad options and names the field") {
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < 5; ++i) {
    for (double bad : {0.0, -10.0, kNan, kInf}) {
      CAPTURE(i);
      CAPTURE(bad);
      TravelTimeOptions options;
      options.speed_kmh[i] = bad;
      ExpectRejected(options, "speed_kmh");
    }
  }
  for (double bad : {0.0, -0.5, 1.5, kNan}) {
    CAPTURE(bad);
    TravelTimeOptions options;
    options.gravel_speed_factor = bad;
    ExpectRejected(options, "gravel_speed_factor");
  }
  for (double bad : {-0.1, 1.0, 2.0, kNan}) {
    CAPTURE(bad);
    TravelTimeOptions options;
    options.altitude_slowdown_per_km = bad;
    ExpectRejected(options, "altitude_slowdown_per_km");
  }
  for (double bad : {0.0, -0.2, 1.1, kNan}) {
    CAPTURE(bad);
    TravelTimeOptions options;
    options.min_altitude_factor = bad;
    ExpectRejected(options, "min_altitude_factor");
  }
  for (double bad : {-1.0, kNan, kInf}) {
    CAPTURE(bad);
    TravelTimeOptions options;
    options.relief_seconds_per_m = bad;
    ExpectRejected(options, "relief_seconds_per_m");
  }
}

TEST_CASE("Validate names the first bad field when several are bad") {
  TravelTimeOptions options;
  options.gravel_speed_factor = 0;
  options.relief_seconds_per_m = -1;
  const Status status = options.Validate();
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.message().find("gravel_speed_factor") != std::string::npos);
  CHECK(status.message().find("relief_seconds_per_m") == std::string::npos);
}

}  // namespace
}  // namespace baiying
