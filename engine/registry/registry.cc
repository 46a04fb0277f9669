#include "engine/registry/registry.h"

#include <algorithm>
#include <array>

namespace baiying {
namespace {

template <typename Id, typename Record>
Status CheckIdsAndCodes(const std::vector<Record>& records, std::string_view what,
                        std::unordered_map<std::string, Id>& by_code) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    if (r.id.value() != i) {
      return Status::InvalidArgument(std::string(what) + " '" + r.code + "': id " +
                                     std::to_string(r.id.value()) + " is not its position " +
                                     std::to_string(i));
    }
    if (r.code.empty()) {
      return Status::InvalidArgument(std::string(what) + " at position " + std::to_string(i) +
                                     " has no code");
    }
    if (!by_code.emplace(r.code, r.id).second) {
      return Status::InvalidArgument(std::string(what) + " code '" + r.code + "' is used twice");
    }
  }
  return Status::Ok();
}

template <typename Id>
Result<Id> Find(const std::unordered_map<std::string, Id>& by_code, std::string_view code,
                std::string_view what) {
  auto it = by_code.find(std::string(code));
  if (it == by_code.end()) {
    return Status::NotFound("no " + std::string(what) + " with code '" + std::string(code) + "'");
  }
  return it->second;
}

// Only suspension and withdrawal hold a team back, as in JudgeDispatchable.
bool HoldsBack(RegistryStatus status) {
  return status == RegistryStatus::kSuspended || status == RegistryStatus::kWithdrawn;
}

constexpr bool DepartmentsArePositions() {
  for (std::size_t i = 0; i < kDepartmentCount; ++i) {
    if (static_cast<std::size_t>(kAllDepartments[i]) != i) return false;
  }
  return true;
}
static_assert(DepartmentsArePositions(), "VettedUntil indexes its latest results by department");

// The instant a team's vetting stops counting: the least expiry of the departments' latest
// results (latest by checked_at, ties to the later position, as JudgeDispatchable), or
// kBeginningOfTime (never counts) when a department has no result or its latest failed.
Instant VettedUntil(std::span<const VettingResult> vetting) {
  std::array<const VettingResult*, kDepartmentCount> latest{};
  for (const VettingResult& v : vetting) {
    const auto d = static_cast<std::size_t>(v.department);
    if (d >= kDepartmentCount) continue;  // not one of the five: JudgeDispatchable ignores it
    if (latest[d] == nullptr || v.checked_at >= latest[d]->checked_at) latest[d] = &v;
  }
  Instant until = kEndOfTime;
  for (const VettingResult* v : latest) {
    if (v == nullptr || !v->passed) return kBeginningOfTime;
    until = std::min(until, v->expires_at);
  }
  return until;
}

}  // namespace

Result<Registry> Registry::Build(RegistryData data) {
  Registry r;
  BAIYING_RETURN_IF_ERROR(CheckIdsAndCodes(data.specialties, "specialty", r.specialty_by_code_));
  BAIYING_RETURN_IF_ERROR(
      CheckIdsAndCodes(data.organisations, "organisation", r.organisation_by_code_));
  BAIYING_RETURN_IF_ERROR(CheckIdsAndCodes(data.teams, "team", r.team_by_code_));
  std::unordered_map<std::string, PersonId> person_codes;
  BAIYING_RETURN_IF_ERROR(CheckIdsAndCodes(data.personnel, "person", person_codes));

  const std::size_t n_orgs = data.organisations.size();
  const std::size_t n_teams = data.teams.size();
  r.teams_by_org_.resize(n_orgs);
  for (const Team& t : data.teams) {
    if (!t.organisation.valid() || t.organisation.value() >= n_orgs) {
      return Status::InvalidArgument("team '" + t.code + "': unknown organisation");
    }
    r.teams_by_org_[t.organisation.value()].push_back(t.id);
    for (const TeamCapacity& c : t.capacities) {
      if (!c.specialty.valid() || c.specialty.value() >= data.specialties.size()) {
        return Status::InvalidArgument("team '" + t.code + "': capacity in an unknown specialty");
      }
    }
  }
  for (const VettingResult& v : data.vetting) {
    if (!v.team.valid() || v.team.value() >= n_teams) {
      return Status::InvalidArgument("vetting result of " + std::string(ToString(v.department)) +
                                     ": unknown team");
    }
  }
  for (const Agreement& a : data.agreements) {
    if (!a.organisation.valid() || a.organisation.value() >= n_orgs) {
      return Status::InvalidArgument("agreement '" + a.code + "': unknown organisation");
    }
  }
  r.members_.resize(n_teams);
  for (const PersonnelCard& p : data.personnel) {
    for (TeamId t : p.teams) {
      if (!t.valid() || t.value() >= n_teams) {
        return Status::InvalidArgument("person '" + p.code + "': member of an unknown team");
      }
      r.members_[t.value()].push_back(p.id);
    }
  }

  std::stable_sort(data.vetting.begin(), data.vetting.end(),
                   [](const VettingResult& a, const VettingResult& b) { return a.team < b.team; });
  std::stable_sort(
      data.agreements.begin(), data.agreements.end(),
      [](const Agreement& a, const Agreement& b) { return a.organisation < b.organisation; });
  r.first_vetting_.assign(n_teams + 1, 0);
  for (const VettingResult& v : data.vetting)
    ++r.first_vetting_[v.team.value() + 1];
  for (std::size_t i = 0; i < n_teams; ++i)
    r.first_vetting_[i + 1] += r.first_vetting_[i];
  r.first_agreement_.assign(n_orgs + 1, 0);
  for (const Agreement& a : data.agreements)
    ++r.first_agreement_[a.organisation.value() + 1];
  for (std::size_t i = 0; i < n_orgs; ++i)
    r.first_agreement_[i + 1] += r.first_agreement_[i];

  r.data_ = std::move(data);

  r.gates_.resize(n_teams);
  for (const Team& t : r.data_.teams) {
    Gate& g = r.gates_[t.id.value()];
    g.organisation = t.organisation.value();
    g.modes = t.modes;
    const bool held_back = HoldsBack(t.status) || HoldsBack(r.organisation(t.organisation).status);
    g.vetted_until = held_back ? kBeginningOfTime : VettedUntil(r.vetting_of(t.id));
  }

  // Each organisation's agreements per mode as the union of their [signed_at, expires_at),
  // merged, so that Dispatchable finds the one interval that may hold `now` by binary search.
  r.first_in_force_.assign(n_orgs * kModeCount + 1, 0);
  std::vector<InForce> covering;
  for (const Organisation& org : r.data_.organisations) {
    for (std::size_t m = 0; m < kModeCount; ++m) {
      const Mode mode = static_cast<Mode>(m);
      covering.clear();
      if (mode != Mode::kPeacetime) {
        for (const Agreement& a : r.agreements_of(org.id)) {
          if (a.modes.Has(mode) && a.signed_at < a.expires_at) {
            covering.push_back({a.signed_at, a.expires_at});
          }
        }
      }
      std::sort(covering.begin(), covering.end(),
                [](const InForce& a, const InForce& b) { return a.from < b.from; });
      const std::size_t first = r.in_force_.size();
      for (const InForce& f : covering) {
        if (r.in_force_.size() > first && f.from <= r.in_force_.back().until) {
          r.in_force_.back().until = std::max(r.in_force_.back().until, f.until);
        } else {
          r.in_force_.push_back(f);
        }
      }
      r.first_in_force_[org.id.value() * kModeCount + m + 1] =
          static_cast<std::uint32_t>(r.in_force_.size());
    }
  }
  return r;
}

Result<SpecialtyId> Registry::FindSpecialty(std::string_view code) const {
  return Find(specialty_by_code_, code, "specialty");
}
Result<OrganisationId> Registry::FindOrganisation(std::string_view code) const {
  return Find(organisation_by_code_, code, "organisation");
}
Result<TeamId> Registry::FindTeam(std::string_view code) const {
  return Find(team_by_code_, code, "team");
}

std::span<const VettingResult> Registry::vetting_of(TeamId id) const {
  const std::uint32_t b = first_vetting_[id.value()], e = first_vetting_[id.value() + 1];
  return std::span<const VettingResult>(data_.vetting).subspan(b, e - b);
}

std::span<const Agreement> Registry::agreements_of(OrganisationId id) const {
  const std::uint32_t b = first_agreement_[id.value()], e = first_agreement_[id.value() + 1];
  return std::span<const Agreement>(data_.agreements).subspan(b, e - b);
}

std::uint32_t Registry::Capacity(TeamId team_id, SpecialtyId specialty_id) const {
  std::uint32_t total = 0;
  for (const TeamCapacity& c : team(team_id).capacities) {
    if (c.specialty == specialty_id) total += c.quantity;
  }
  return total;
}

Verdict Registry::Judge(TeamId team_id, Mode mode, Instant now) const {
  const Team& t = team(team_id);
  return JudgeDispatchable(t, organisation(t.organisation), vetting_of(team_id),
                           agreements_of(t.organisation), mode, now);
}

bool Registry::Dispatchable(TeamId team_id, Mode mode, Instant now) const {
  const Gate& g = gates_[team_id.value()];
  if (!g.modes.Has(mode) || !(now < g.vetted_until)) return false;
  if (mode == Mode::kPeacetime) return true;
  const std::size_t key = std::size_t{g.organisation} * kModeCount + static_cast<std::size_t>(mode);
  const InForce* first = in_force_.data() + first_in_force_[key];
  const InForce* last = in_force_.data() + first_in_force_[key + 1];
  // The interval that starts last at or before now is the only one that may hold it.
  const InForce* after =
      std::upper_bound(first, last, now, [](Instant t, const InForce& f) { return t < f.from; });
  return after != first && now < after[-1].until;
}

}  // namespace baiying
