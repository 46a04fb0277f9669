#pragma once
// The key of the road searches' heaps: a (time, place) pair packed into 64 bits so that keys
// compare by time and then by place id, which makes every search's order total and its
// answers deterministic.

#include <cstdint>

#include "engine/core/time.h"

namespace baiying::roads_internal {

constexpr std::uint64_t HeapKey(TravelTime time, std::uint32_t place) {
  return (std::uint64_t{time} << 32) | place;
}
constexpr std::uint32_t KeyPlace(std::uint64_t key) {
  return static_cast<std::uint32_t>(key);
}
constexpr TravelTime KeyTime(std::uint64_t key) {
  return static_cast<TravelTime>(key >> 32);
}

}  // namespace baiying::roads_internal
