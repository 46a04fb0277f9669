#include "engine/roads/road_types.h"

#include <array>
#include <utility>

namespace baiying {
namespace {

constexpr std::array<std::pair<PlaceKind, std::string_view>, 6> kPlaceKinds = {{
    {PlaceKind::kPrefectureSeat, "prefecture_seat"},
    {PlaceKind::kCountySeat, "county_seat"},
    {PlaceKind::kTown, "town"},
    {PlaceKind::kJunction, "junction"},
    {PlaceKind::kPass, "pass"},
    {PlaceKind::kPost, "post"},
}};
constexpr std::array<std::pair<RoadClass, std::string_view>, 5> kRoadClasses = {{
    {RoadClass::kExpressway, "expressway"},
    {RoadClass::kNational, "national"},
    {RoadClass::kProvincial, "provincial"},
    {RoadClass::kCounty, "county"},
    {RoadClass::kTrack, "track"},
}};
constexpr std::array<std::pair<Surface, std::string_view>, 2> kSurfaces = {{
    {Surface::kPaved, "paved"},
    {Surface::kGravel, "gravel"},
}};
constexpr std::array<std::pair<LengthSource, std::string_view>, 2> kLengthSources = {{
    {LengthSource::kMeasured, "measured"},
    {LengthSource::kEstimated, "estimated"},
}};

template <typename E, std::size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

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
