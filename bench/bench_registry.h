#pragma once
// What the dispatcher benchmarks (match_bench, surge_dispatch_bench) share: a generated registry
// of teams at random places of a road network, the instant its rules are judged at, where each
// team is on the graph, and latency percentiles.

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/registry/registry.h"
#include "engine/roads/road_graph.h"

namespace baiying::bench {

// The seed registry's reference date (data/xizang/registry/README.md): vetting and agreements
// are judged at it. Generated registries are valid at it too.
inline const Instant kReferenceDate =
    Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1));

inline constexpr std::array<const char*, 10> kGeneratedSpecialties = {
    "medical",  "transport",   "communications", "road_repair", "logistics",
    "security", "water_power", "technical",      "spectrum",    "engineering"};

// `team_count` teams over the 10 kGeneratedSpecialties (one each, drawn with `seed`), capacity
// 1, at random places of `graph`, mobilization delays of 10 to 120 minutes; one organisation
// with an agreement for emergency and wartime; every team vetted by all five departments and
// committed to every mode. Team codes are "NY-T-00000"... in id order.
inline Result<std::shared_ptr<const Registry>> MakeGeneratedRegistry(const RoadGraph& graph,
                                                                     std::size_t team_count,
                                                                     std::uint64_t seed) {
  RegistryData d;
  for (std::size_t s = 0; s < kGeneratedSpecialties.size(); ++s) {
    d.specialties.push_back({SpecialtyId(static_cast<std::uint16_t>(s)), kGeneratedSpecialties[s],
                             kGeneratedSpecialties[s], kGeneratedSpecialties[s], "teams"});
  }
  Organisation org;
  org.id = OrganisationId(0);
  org.code = "ORG-NY";
  org.name = "benchmark organisation";
  org.modes = {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
  d.organisations.push_back(org);
  Agreement agreement;
  agreement.organisation = OrganisationId(0);
  agreement.code = "AGR-NY";
  agreement.joint_review_at = kReferenceDate - std::chrono::days(400);
  agreement.notice_from = kReferenceDate - std::chrono::days(390);
  agreement.notice_until = kReferenceDate - std::chrono::days(380);
  agreement.signed_at = kReferenceDate - std::chrono::days(365);
  agreement.expires_at = kReferenceDate + std::chrono::days(3650);
  agreement.modes = {Mode::kEmergency, Mode::kWartime};
  d.agreements.push_back(agreement);

  std::mt19937_64 rng(seed);
  for (std::uint32_t i = 0; i < team_count; ++i) {
    Team t;
    t.id = TeamId(i);
    std::ostringstream code;
    code << "NY-T-" << std::setw(5) << std::setfill('0') << i;  // code order == id order
    t.code = code.str();
    t.name = t.code;
    t.organisation = OrganisationId(0);
    t.capacities.push_back(
        {SpecialtyId(static_cast<std::uint16_t>(rng() % kGeneratedSpecialties.size())), 1, false});
    t.home_place =
        graph.place(PlaceId(static_cast<std::uint32_t>(rng() % graph.place_count()))).name;
    t.mobilization_delay = std::chrono::minutes(10 + static_cast<std::int64_t>(rng() % 111));
    t.modes = {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
    t.max_work_elevation_m = 6000;
    for (Department dep : kAllDepartments) {
      d.vetting.push_back({t.id, dep, kReferenceDate - std::chrono::days(30), "examiner",
                           kReferenceDate + std::chrono::days(3650), true, ""});
    }
    d.teams.push_back(std::move(t));
  }
  Result<Registry> built = Registry::Build(std::move(d));
  if (!built.ok()) return built.status();
  return std::make_shared<const Registry>(std::move(built).value());
}

// Each team's home place on `graph`, by TeamId.
inline Result<std::vector<PlaceId>> TeamHomes(const Registry& registry, const RoadGraph& graph) {
  std::vector<PlaceId> home;
  for (const Team& t : registry.teams()) {
    Result<PlaceId> place = graph.FindPlace(t.home_place);
    if (!place.ok()) return place.status().WithPrefix("team " + t.code + " home place");
    home.push_back(*place);
  }
  return home;
}

// Nearest rank: the smallest sample with at least q (0..1] of the samples at or below it.
inline double Percentile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::max<std::size_t>(rank, 1) - 1];
}

}  // namespace baiying::bench
