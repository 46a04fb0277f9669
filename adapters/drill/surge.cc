#include "adapters/drill/surge.h"

#include <algorithm>
#include <limits>

namespace baiying::drill {

std::uint64_t SplitMix64::Next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t SplitMix64::Below(std::uint64_t n) {
  // Reject the top sliver of the range that would make some values more likely.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  std::uint64_t x = Next();
  while (x >= limit)
    x = Next();
  return x % n;
}

std::vector<SubmitRequest> GenerateSurge(const SurgeSpec& spec, Instant at) {
  SplitMix64 rng(spec.seed);
  const std::size_t width = std::max<std::size_t>(3, std::to_string(spec.count).size());
  std::vector<SubmitRequest> out;
  out.reserve(spec.count);
  for (std::uint32_t i = 1; i <= spec.count; ++i) {
    SubmitRequest r;
    std::string number = std::to_string(i);
    number.insert(0, width - number.size(), '0');
    r.request_id = spec.id_prefix + number;
    r.unit = spec.unit + number;
    r.place = spec.places[rng.Below(spec.places.size())];
    r.priority = spec.priorities[rng.Below(spec.priorities.size())];
    r.mode = spec.mode;
    r.deadline = at + spec.deadline;

    // Lines: distinct specialties drawn by weight, without replacement.
    const std::uint32_t lines = 1 + static_cast<std::uint32_t>(rng.Below(
                                        std::min<std::size_t>(spec.max_lines, spec.needs.size())));
    std::vector<bool> taken(spec.needs.size(), false);
    for (std::uint32_t l = 0; l < lines; ++l) {
      std::uint64_t total = 0;
      for (std::size_t k = 0; k < spec.needs.size(); ++k)
        total += taken[k] ? 0 : spec.needs[k].weight;
      std::uint64_t pick = rng.Below(total);
      std::size_t k = 0;
      for (;; ++k) {
        if (taken[k]) continue;
        if (pick < spec.needs[k].weight) break;
        pick -= spec.needs[k].weight;
      }
      taken[k] = true;
      const SurgeNeed& need = spec.needs[k];
      const std::uint32_t quantity =
          need.min_quantity +
          static_cast<std::uint32_t>(rng.Below(need.max_quantity - need.min_quantity + 1));
      r.lines.push_back({need.specialty, quantity});
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace baiying::drill
