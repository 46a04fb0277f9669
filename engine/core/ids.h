#pragma once
// Typed ids: a PlaceId is not an ArcId is not a TeamId, even though each is a small
// unsigned integer underneath. Special values have names (kNoPlace) rather than -1s.

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace baiying {

template <typename Tag, typename Rep = std::uint32_t>
class TypedId {
 public:
  using rep_type = Rep;
  constexpr TypedId() = default;
  constexpr explicit TypedId(Rep value) : value_(value) {}

  constexpr Rep value() const { return value_; }
  constexpr bool valid() const { return value_ != std::numeric_limits<Rep>::max(); }

  static constexpr TypedId Invalid() { return TypedId(std::numeric_limits<Rep>::max()); }

  friend constexpr auto operator<=>(TypedId, TypedId) = default;

 private:
  Rep value_ = std::numeric_limits<Rep>::max();
};

using PlaceId = TypedId<struct PlaceTag>;  // a node of the road graph
using ArcId = TypedId<struct ArcTag>;      // a directed arc of the road graph

inline constexpr PlaceId kNoPlace = PlaceId::Invalid();
inline constexpr ArcId kNoArc = ArcId::Invalid();
static_assert(sizeof(PlaceId) == 4 && sizeof(ArcId) == 4, "graph ids stay 32-bit: CSR arrays");

}  // namespace baiying

template <typename Tag, typename Rep>
struct std::hash<baiying::TypedId<Tag, Rep>> {
  std::size_t operator()(baiying::TypedId<Tag, Rep> id) const noexcept {
    return std::hash<Rep>()(id.value());
  }
};
