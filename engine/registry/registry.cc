#include "engine/registry/registry.h"

#include <algorithm>

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

}  // namespace baiying
