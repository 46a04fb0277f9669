#pragma once
// Time in baiying. The engine never reads a clock: instants arrive inside commands (or from
// a drill's simulated clock). Travel times on arcs are whole milliseconds in 32 bits, which
// covers 49 days per path: far more than any journey on the plateau.

#include <chrono>
#include <cstdint>
#include <limits>

namespace baiying {

using Duration = std::chrono::milliseconds;
// Milliseconds since 1970-01-01 UTC; drills start their simulated clock wherever they like.
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

inline constexpr Instant kBeginningOfTime = Instant::min();
inline constexpr Instant kEndOfTime = Instant::max();

// Travel time of an arc or a path, in milliseconds.
using TravelTime = std::uint32_t;
inline constexpr TravelTime kInfiniteTime = std::numeric_limits<TravelTime>::max();
static_assert(sizeof(TravelTime) == 4, "arc weights are 32-bit: one weight array per graph");

// a + b, or kInfiniteTime when the sum does not fit (or either is infinite).
constexpr TravelTime SaturatingAdd(TravelTime a, TravelTime b) {
  return (a >= kInfiniteTime - b) ? kInfiniteTime : a + b;
}

constexpr Duration ToDuration(TravelTime t) {
  return Duration(static_cast<std::int64_t>(t));
}

}  // namespace baiying
