#include "engine/roads/road_types.h"

#include "engine/core/enum_names.h"

namespace baiying {
namespace {

constexpr NameTable<PlaceKind, 6> kPlaceKinds = {{
    {PlaceKind::kPrefectureSeat, "prefecture_seat"},
    {PlaceKind::kCountySeat, "county_seat"},
    {PlaceKind::kTown, "town"},
    {PlaceKind::kJunction, "junction"},
    {PlaceKind::kPass, "pass"},
    {PlaceKind::kPost, "post"},
}};
constexpr NameTable<RoadClass, 5> kRoadClasses = {{
    {RoadClass::kExpressway, "expressway"},
    {RoadClass::kNational, "national"},
    {RoadClass::kProvincial, "provincial"},
    {RoadClass::kCounty, "county"},
    {RoadClass::kTrack, "track"},
}};
constexpr NameTable<Surface, 2> kSurfaces = {{
    {Surface::kPaved, "paved"},
    {Surface::kGravel, "gravel"},
}};
constexpr NameTable<LengthSource, 2> kLengthSources = {{
    {LengthSource::kMeasured, "measured"},
    {LengthSource::kEstimated, "estimated"},
}};

}  // namespace

std::string_view ToString(PlaceKind kind) {
  return NameOf(kPlaceKinds, kind);
}
std::string_view ToString(RoadClass road_class) {
  return NameOf(kRoadClasses, road_class);
}
std::string_view ToString(Surface surface) {
  return NameOf(kSurfaces, surface);
}
std::string_view ToString(LengthSource source) {
  return NameOf(kLengthSources, source);
}
std::optional<PlaceKind> ParsePlaceKind(std::string_view text) {
  return ValueOf(kPlaceKinds, text);
}
std::optional<RoadClass> ParseRoadClass(std::string_view text) {
  return ValueOf(kRoadClasses, text);
}
std::optional<Surface> ParseSurface(std::string_view text) {
  return ValueOf(kSurfaces, text);
}
std::optional<LengthSource> ParseLengthSource(std::string_view text) {
  return ValueOf(kLengthSources, text);
}

}  // namespace baiying
