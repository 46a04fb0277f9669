#pragma once
// Small worlds for the dispatcher's tests: a registry built in code whose every team passes
// vetting and whose every organisation holds an agreement for all modes (unless a test says
// otherwise), on any RoadGraph; places, roads and random teams to build them from; and the
// dispatcher's visible state as text. Depends on the engine only (and on graph_oracle, which
// every target including this compiles in).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/registry/registry.h"
#include "engine/roads/road_types.h"
#include "tests/support/graph_oracle.h"

namespace baiying::testing {

// Judged at and after this instant: vetting and agreements run from a year before it to
// several years after it.
inline const Instant kDispatchEpoch =
    Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1));

inline Instant Minutes(std::int64_t m) {
  return kDispatchEpoch + std::chrono::minutes(m);
}

struct TeamSpec {
  std::string code;       // "T1"
  std::string home;       // a place name of the graph
  std::string specialty;  // "medical" or "transport"
  std::uint32_t capacity = 1;
  std::int64_t delay_minutes = 0;
  std::int32_t max_elevation_m = 6000;
  ModeSet modes{Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
  bool vetted = true;                              // every department passed, valid
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

// --- Places and roads ---

// Places p0..p(n-1), at latitude 29, 0.1 degree of longitude apart (about 9.7 km), at sea
// level, all in county 540101 unless changed.
inline std::vector<PlaceSpec> Places(std::uint32_t n) {
  std::vector<PlaceSpec> places = NumberedPlaces(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    places[i].lat = 29.0;
    places[i].lon = 91.0 + 0.1 * i;
    places[i].adcode = 540101;
  }
  return places;
}

// A two-way road of `minutes` between places a and b: the arc a -> b, then b -> a.
inline void Road(std::vector<ArcSpec>& arcs, std::uint32_t a, std::uint32_t b,
                 std::uint32_t minutes, const std::string& ref = "") {
  const TravelTime time = minutes * TravelTime{60'000};
  arcs.push_back(FixedArc(a, b, time, ref));
  arcs.push_back(FixedArc(b, a, time, ref));
}

// --- Random worlds ---

// A number from lo to hi, both included.
inline std::uint32_t Pick(std::mt19937& rng, std::uint32_t lo, std::uint32_t hi) {
  return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
}

// Team "T<i>" at one of places p0..p(n-1): transport one time in three, else medical; capacity
// 1 to 3, mobilization delay 0 to 30 minutes. Draws from `rng` in that order.
inline TeamSpec RandomTeam(std::mt19937& rng, std::uint32_t i, std::uint32_t n) {
  TeamSpec t;
  t.code = "T" + std::to_string(i);
  t.home = "p" + std::to_string(Pick(rng, 0, n - 1));
  t.specialty = Pick(rng, 0, 2) == 0 ? "transport" : "medical";
  t.capacity = Pick(rng, 1, 3);
  t.delay_minutes = Pick(rng, 0, 30);
  return t;
}

// --- State as text ---

// The whole visible state of a dispatcher, as text: equal texts, equal states.
inline std::string Snapshot(const Dispatcher& d, const std::vector<std::string>& request_ids) {
  std::string s = "now " + std::to_string(d.now().time_since_epoch().count()) + "\n";
  for (const Team& t : d.registry().teams()) {
    const TeamState& ts = d.team_state(t.id);
    s += t.code + " " + std::string(ToString(ts.activity)) + " at " +
         std::to_string(ts.location.value()) + " for '" + ts.request_id + "'\n";
  }
  for (const std::string& id : request_ids) {
    const RequestState* r = d.FindRequest(id);
    if (r == nullptr) continue;
    s += id + " " + std::string(ToString(r->status)) + " place " +
         std::to_string(r->place.value()) + " order " + std::to_string(r->order);
    for (const LineState& l : r->lines) {
      s += " [" + l.specialty_code + " " + std::to_string(l.filled) + "/" +
           std::to_string(l.quantity) + " " + std::string(ToString(l.scope)) + "]";
    }
    for (const Assignment& a : r->assignments) {
      s += " {" + a.team + " l" + std::to_string(a.line) + " x" + std::to_string(a.units) +
           " eta " + std::to_string(a.eta) + " " + std::string(ToString(a.activity)) + "}";
    }
    s += "\n";
  }
  s += "open";
  for (const RequestState* r : d.OpenRequests())
    s += " " + r->id;
  s += "\nclosures " + std::to_string(d.closures().Current().size()) + "\n";
  return s;
}

}  // namespace baiying::testing
