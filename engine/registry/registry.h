#pragma once
// Registry: one consistent, immutable snapshot of the support registry, as loaded from the
// store, with lookups by code and the dispatch rules applied per team. The store
// (adapters/store) persists and changes the registry; the engine reads snapshots.
//
// Thread safety: immutable after Build; share freely.

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/status.h"
#include "engine/registry/eligibility.h"
#include "engine/registry/registry_types.h"

namespace baiying {

// Everything a snapshot holds, as plain vectors. Ids are positions: specialties[i].id == i,
// organisations[i].id == i, teams[i].id == i, personnel[i].id == i.
struct RegistryData {
  std::vector<Specialty> specialties;
  std::vector<Organisation> organisations;
  std::vector<Team> teams;
  std::vector<VettingResult> vetting;
  std::vector<Agreement> agreements;
  std::vector<PersonnelCard> personnel;
};

class Registry {
 public:
  // Checks that ids are positions, codes are unique and non-empty, and every reference
  // (team -> organisation, capacity -> specialty, vetting -> team, agreement -> organisation,
  // person -> team) points at something that exists. Errors name the record by code.
  static Result<Registry> Build(RegistryData data);

  const std::vector<Specialty>& specialties() const { return data_.specialties; }
  const std::vector<Organisation>& organisations() const { return data_.organisations; }
  const std::vector<Team>& teams() const { return data_.teams; }
  const std::vector<PersonnelCard>& personnel() const { return data_.personnel; }

  const Specialty& specialty(SpecialtyId id) const { return data_.specialties[id.value()]; }
  const Organisation& organisation(OrganisationId id) const {
    return data_.organisations[id.value()];
  }
  const Team& team(TeamId id) const { return data_.teams[id.value()]; }
  const Organisation& organisation_of(TeamId id) const {
    return organisation(team(id).organisation);
  }

  // Lookups by code; NotFound naming the code.
  Result<SpecialtyId> FindSpecialty(std::string_view code) const;
  Result<OrganisationId> FindOrganisation(std::string_view code) const;
  Result<TeamId> FindTeam(std::string_view code) const;

  // A team's vetting results and its organisation's agreements, in stored order.
  std::span<const VettingResult> vetting_of(TeamId id) const;
  std::span<const Agreement> agreements_of(OrganisationId id) const;
  // The teams of an organisation, and the people on a team, by id.
  const std::vector<TeamId>& teams_of(OrganisationId id) const { return teams_by_org_[id.value()]; }
  const std::vector<PersonId>& members_of(TeamId id) const { return members_[id.value()]; }

  // The team's capacity in a specialty (0 when it has none).
  std::uint32_t Capacity(TeamId team, SpecialtyId specialty) const;

  // JudgeDispatchable for this team with its own vetting and agreements.
  Verdict Judge(TeamId team, Mode mode, Instant now) const;

  // Judge(team, mode, now).dispatchable(), without the reasons: allocates nothing and builds
  // no strings, for the dispatcher to ask of every candidate it considers. Build has already
  // folded in what does not depend on time (status, vetting, agreement intervals), so this is
  // a few comparisons and a binary search over the organisation's agreements for the mode.
  // Precondition: team is a team of this snapshot.
  bool Dispatchable(TeamId team, Mode mode, Instant now) const;

 private:
  // [from, until) during which an agreement covering a mode is in force.
  struct InForce {
    Instant from;
    Instant until;
  };
  // A team's rules, less time: dispatchable in `modes` while now < vetted_until.
  struct Gate {
    // The least expiry of the departments' latest passes; kBeginningOfTime (never) when the
    // team or its organisation is suspended or withdrawn, or a department's result is missing
    // or failed.
    Instant vetted_until = kBeginningOfTime;
    std::uint32_t organisation = 0;
    ModeSet modes;
  };

  Registry() = default;

  RegistryData data_;  // vetting sorted by team, agreements by organisation (stable)
  std::unordered_map<std::string, SpecialtyId> specialty_by_code_;
  std::unordered_map<std::string, OrganisationId> organisation_by_code_;
  std::unordered_map<std::string, TeamId> team_by_code_;
  std::vector<std::uint32_t> first_vetting_;    // per team + 1: range into data_.vetting
  std::vector<std::uint32_t> first_agreement_;  // per organisation + 1
  std::vector<std::vector<TeamId>> teams_by_org_;
  std::vector<std::vector<PersonId>> members_;
  std::vector<Gate> gates_;  // per team
  // Per organisation and mode (organisation * kModeCount + mode) + 1: range into in_force_,
  // whose intervals are sorted, disjoint and not touching. Peacetime ranges are empty.
  std::vector<std::uint32_t> first_in_force_;
  std::vector<InForce> in_force_;
};

}  // namespace baiying
