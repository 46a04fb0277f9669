#pragma once
// Small worlds for the dispatcher's tests: a registry built in code whose every team passes
// vetting and whose every organisation holds an agreement for all modes (unless a test says
// otherwise), on any RoadGraph. Depends on the engine only.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/registry/registry.h"

namespace baiying::testing {

// Judged at and after this instant: vetting and agreements run from a year before it to
// several years after it.
inline const Instant kDispatchEpoch = Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1));

inline Instant Minutes(std::int64_t m) { return kDispatchEpoch + std::chrono::minutes(m); }

struct TeamSpec {
  std::string code;       // "T1"
  std::string home;       // a place name of the graph
  std::string specialty;  // "medical" or "transport"
  std::uint32_t capacity = 1;
  std::int64_t delay_minutes = 0;
  std::int32_t max_elevation_m = 6000;
  ModeSet modes{Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
  bool vetted = true;                       // every department passed, valid
  std::vector<std::string> second_specialty = {};  // "transport:2"
};

// Specialties "medical" (medics) and "transport" (vehicles); one organisation "ORG" with an
// agreement for emergency and wartime; the teams as given, ids in code order; people as given
// (each a list of team codes).
inline std::shared_ptr<const Registry> MakeRegistry(
    std::vector<TeamSpec> specs, const std::vector<std::vector<std::string>>& people = {}) {
  RegistryData d;
  d.specialties = {{SpecialtyId(0), "medical", "医疗救护", "medical rescue", "medics"},
                   {SpecialtyId(1), "transport", "交通运输", "transport", "vehicles"}};
  Organisation org;
  org.id = OrganisationId(0);
  org.code = "ORG";
  org.name = "演示";
  org.modes = {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
  d.organisations.push_back(org);
  Agreement a;
  a.organisation = OrganisationId(0);
  a.code = "AGR";
  a.signed_at = kDispatchEpoch - std::chrono::days(365);
  a.expires_at = kDispatchEpoch + std::chrono::days(3650);
  a.modes = {Mode::kEmergency, Mode::kWartime};
  d.agreements.push_back(a);
  std::sort(specs.begin(), specs.end(),
            [](const TeamSpec& x, const TeamSpec& y) { return x.code < y.code; });
  auto specialty_id = [](const std::string& code) {
    return SpecialtyId(code == "medical" ? 0 : 1);
  };
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const TeamSpec& s = specs[i];
    Team t;
    t.id = TeamId(static_cast<std::uint32_t>(i));
    t.code = s.code;
    t.name = s.code;
    t.organisation = OrganisationId(0);
    t.capacities.push_back({specialty_id(s.specialty), s.capacity, false});
    for (const std::string& extra : s.second_specialty) {
      const auto colon = extra.find(':');
      t.capacities.push_back({specialty_id(extra.substr(0, colon)),
                              static_cast<std::uint32_t>(std::stoul(extra.substr(colon + 1))),
                              false});
    }
    t.home_place = s.home;
    t.mobilization_delay = std::chrono::minutes(s.delay_minutes);
    t.modes = s.modes;
    t.max_work_elevation_m = s.max_elevation_m;
    d.teams.push_back(t);
    if (!s.vetted) continue;
    for (Department dep : kAllDepartments) {
      d.vetting.push_back({t.id, dep, kDispatchEpoch - std::chrono::days(30), "examiner",
                           kDispatchEpoch + std::chrono::days(3650), true, ""});
    }
  }
  for (std::size_t i = 0; i < people.size(); ++i) {
    PersonnelCard p;
    p.id = PersonId(static_cast<std::uint32_t>(i));
    p.code = "P" + std::to_string(i);
    p.name = "演示人员";
    for (const std::string& team : people[i]) {
      for (const Team& t : d.teams) {
        if (t.code == team) p.teams.push_back(t.id);
      }
    }
    d.personnel.push_back(p);
  }
  Result<Registry> r = Registry::Build(std::move(d));
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return std::make_shared<const Registry>(std::move(r).value());
}

inline SubmitRequest Request(std::string id, PlaceId place, std::vector<RequestLine> lines,
                             Priority priority = Priority::kUrgent,
                             Instant deadline = Minutes(24 * 60), Mode mode = Mode::kEmergency) {
  SubmitRequest r;
  r.request_id = std::move(id);
  r.unit = "unit-" + r.request_id;
  r.place = place;
  r.priority = priority;
  r.mode = mode;
  r.deadline = deadline;
  r.lines = std::move(lines);
  return r;
}

}  // namespace baiying::testing
