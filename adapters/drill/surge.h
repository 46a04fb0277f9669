#pragma once
// Surges (一声令下、一呼百应): many requests generated from a seed and submitted together. The
// generator is ours from end to end (SplitMix64 and our own bounded draws), because the
// standard library's distributions differ between implementations: the same seed gives the
// same requests on every platform, and so the same drill report.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"

namespace baiying::drill {

// SplitMix64 (Steele, Lea and Flood): small, fast, and fully specified by its seed.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  // Uniform in [0, n) by rejection, without modulo bias. Precondition: n > 0.
  std::uint64_t Below(std::uint64_t n);

 private:
  std::uint64_t state_;
};

struct SurgeNeed {
  std::string specialty;
  std::uint32_t min_quantity = 1;
  std::uint32_t max_quantity = 1;
  std::uint32_t weight = 1;
};

struct SurgeSpec {
  std::string id_prefix;
  std::uint32_t count = 0;
  std::uint64_t seed = 0;
  std::vector<PlaceId> places;       // drawn uniformly; not empty
  std::vector<SurgeNeed> needs;      // drawn by weight; not empty
  std::vector<Priority> priorities;  // drawn uniformly; not empty
  Mode mode = Mode::kEmergency;
  Duration deadline = std::chrono::hours(6);
  std::uint32_t max_lines = 1;  // 1 .. needs.size()
  std::string unit;             // the request number is appended
};

// The requests of a surge submitted at `at`, in id order (W001, W002, ...). Each has 1 to
// max_lines lines of distinct specialties. Deterministic in the spec.
std::vector<SubmitRequest> GenerateSurge(const SurgeSpec& spec, Instant at);

}  // namespace baiying::drill
