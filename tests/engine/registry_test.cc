// The registry's dispatch rules, for every combination of team and organisation status, mode
// commitment, vetting state, agreement state and mode; the Registry snapshot's checks and
// lookups; and its fast Dispatchable against Judge, by hand and on random registries.

#include "engine/registry/registry.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/registry/eligibility.h"

namespace baiying {
namespace {

using std::chrono::days;

const Instant kNow = Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1));

Organisation MakeOrganisation(RegistryStatus status = RegistryStatus::kActive) {
  Organisation o;
  o.id = OrganisationId(0);
  o.code = "ORG-1";
  o.name = "演示运输公司";
  o.status = status;
  o.status_reason = status == RegistryStatus::kActive ? "" : "under review";
  return o;
}

Team MakeTeam(ModeSet modes, RegistryStatus status = RegistryStatus::kActive) {
  Team t;
  t.id = TeamId(0);
  t.code = "TM-1";
  t.organisation = OrganisationId(0);
  t.modes = modes;
  t.status = status;
  t.status_reason = status == RegistryStatus::kActive ? "" : "equipment inspection";
  return t;
}

VettingResult Pass(Department d, Instant expires = kNow + days(365)) {
  return {TeamId(0), d, kNow - days(100), "examiner", expires, true, ""};
}

// What one department's vetting looks like in a case.
enum class VettingState { kPassed, kExpired, kFailed, kMissing };
// What the organisation's agreements look like in a case.
enum class AgreementState { kNone, kEmergencyOnly, kAllModes, kExpired, kNotYetSigned };

std::vector<VettingResult> Vetting(std::optional<Department> odd_one, VettingState state) {
  std::vector<VettingResult> out;
  for (Department d : kAllDepartments) {
    if (odd_one != d) {
      out.push_back(Pass(d));
      continue;
    }
    switch (state) {
      case VettingState::kPassed:
        out.push_back(Pass(d));
        break;
      case VettingState::kExpired:
        out.push_back(Pass(d, kNow - days(1)));
        break;
      case VettingState::kFailed:
        out.push_back(
            {TeamId(0), d, kNow - days(10), "examiner", kNow + days(300), false, "credit record"});
        break;
      case VettingState::kMissing:
        break;
    }
  }
  return out;
}

std::vector<Agreement> Agreements(AgreementState state) {
  Agreement a;
  a.organisation = OrganisationId(0);
  a.code = "AGR-1";
  a.joint_review_at = kNow - days(400);
  a.notice_from = kNow - days(390);
  a.notice_until = kNow - days(380);
  a.signed_at = kNow - days(370);
  a.expires_at = kNow + days(700);
  switch (state) {
    case AgreementState::kNone:
      return {};
    case AgreementState::kEmergencyOnly:
      a.modes = {Mode::kEmergency};
      break;
    case AgreementState::kAllModes:
      a.modes = {Mode::kEmergency, Mode::kWartime};
      break;
    case AgreementState::kExpired:
      a.modes = {Mode::kEmergency, Mode::kWartime};
      a.expires_at = kNow - days(1);
      break;
    case AgreementState::kNotYetSigned:
      a.modes = {Mode::kEmergency, Mode::kWartime};
      a.signed_at = kNow + days(5);
      break;
  }
  return {a};
}

std::set<Obstacle> ObstaclesOf(const Verdict& v) {
  std::set<Obstacle> out;
  for (const Hindrance& h : v.hindrances)
    out.insert(h.obstacle);
  return out;
}

}  // namespace

TEST_CASE(
    "dispatchability for every combination of status, commitment, vetting, agreement and mode") {
  const std::vector<RegistryStatus> team_statuses = {
      RegistryStatus::kActive, RegistryStatus::kSuspended, RegistryStatus::kWithdrawn};
  const std::vector<RegistryStatus> org_statuses = {RegistryStatus::kActive,
                                                    RegistryStatus::kSuspended};
  const std::vector<ModeSet> commitments = {
      ModeSet{Mode::kPeacetime, Mode::kEmergency, Mode::kWartime}, ModeSet{Mode::kEmergency},
      ModeSet{Mode::kPeacetime}, ModeSet{}};
  std::vector<std::pair<std::optional<Department>, VettingState>> vettings = {
      {std::nullopt, VettingState::kPassed}};
  for (Department d : kAllDepartments) {
    for (VettingState s : {VettingState::kExpired, VettingState::kFailed, VettingState::kMissing}) {
      vettings.push_back({d, s});
    }
  }
  const std::vector<AgreementState> agreements = {
      AgreementState::kNone, AgreementState::kEmergencyOnly, AgreementState::kAllModes,
      AgreementState::kExpired, AgreementState::kNotYetSigned};

  int cases = 0, dispatchable = 0;
  for (RegistryStatus ts : team_statuses) {
    for (RegistryStatus os : org_statuses) {
      for (ModeSet committed : commitments) {
        for (const auto& [odd_one, vstate] : vettings) {
          for (AgreementState astate : agreements) {
            for (Mode mode : {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime}) {
              const Team team = MakeTeam(committed, ts);
              const Organisation org = MakeOrganisation(os);
              const std::vector<VettingResult> v = Vetting(odd_one, vstate);
              const std::vector<Agreement> a = Agreements(astate);
              const Verdict verdict = JudgeDispatchable(team, org, v, a, mode, kNow);

              // The rules, restated independently of the implementation.
              std::set<Obstacle> want;
              if (ts == RegistryStatus::kSuspended) want.insert(Obstacle::kTeamSuspended);
              if (ts == RegistryStatus::kWithdrawn) want.insert(Obstacle::kTeamWithdrawn);
              if (os == RegistryStatus::kSuspended) want.insert(Obstacle::kOrganisationSuspended);
              if (!committed.Has(mode)) want.insert(Obstacle::kModeNotCommitted);
              if (odd_one && vstate == VettingState::kExpired)
                want.insert(Obstacle::kVettingExpired);
              if (odd_one && vstate == VettingState::kFailed) want.insert(Obstacle::kVettingFailed);
              if (odd_one && vstate == VettingState::kMissing)
                want.insert(Obstacle::kVettingMissing);
              if (mode != Mode::kPeacetime) {
                const bool covers =
                    astate == AgreementState::kAllModes ||
                    (astate == AgreementState::kEmergencyOnly && mode == Mode::kEmergency) ||
                    astate == AgreementState::kExpired || astate == AgreementState::kNotYetSigned;
                if (!covers) want.insert(Obstacle::kNoAgreement);
                if (astate == AgreementState::kExpired) want.insert(Obstacle::kAgreementExpired);
                if (astate == AgreementState::kNotYetSigned) {
                  want.insert(Obstacle::kAgreementNotYetSigned);
                }
              }

              CAPTURE(cases);
              CHECK(ObstaclesOf(verdict) == want);
              CHECK(verdict.dispatchable() == want.empty());
              CHECK(verdict.hindrances.size() == want.size());  // one hindrance per obstacle
              if (odd_one && vstate != VettingState::kPassed) {
                bool names_department = false;
                for (const Hindrance& h : verdict.hindrances) {
                  names_department = names_department || h.department == odd_one;
                }
                CHECK(names_department);
              }
              ++cases;
              dispatchable += verdict.dispatchable() ? 1 : 0;
            }
          }
        }
      }
    }
  }
  CHECK(cases == 3 * 2 * 4 * 16 * 5 * 3);
  CHECK(dispatchable > 0);
}

TEST_CASE("vetting: the latest result per department counts, and expiry is exclusive") {
  const Team team = MakeTeam({Mode::kPeacetime});
  const Organisation org = MakeOrganisation();
  std::vector<VettingResult> v = Vetting(std::nullopt, VettingState::kPassed);

  SUBCASE("a newer fail overrides an older pass") {
    v.push_back({TeamId(0), Department::kCivilAffairs, kNow - days(1), "x", kNow + days(9), false,
                 "found unsuitable"});
    const Verdict verdict = JudgeDispatchable(team, org, v, {}, Mode::kPeacetime, kNow);
    REQUIRE(verdict.hindrances.size() == 1);
    CHECK(verdict.hindrances[0].obstacle == Obstacle::kVettingFailed);
    CHECK(verdict.hindrances[0].department == Department::kCivilAffairs);
    CHECK(verdict.hindrances[0].detail.find("found unsuitable") != std::string::npos);
  }
  SUBCASE("a newer pass overrides an older fail") {
    std::vector<VettingResult> w = {{TeamId(0), Department::kCivilAffairs, kNow - days(500), "x",
                                     kNow + days(9), false, "old"}};
    for (const VettingResult& r : v)
      w.push_back(r);
    CHECK(JudgeDispatchable(team, org, w, {}, Mode::kPeacetime, kNow).dispatchable());
  }
  SUBCASE("a pass expiring exactly now has expired; one expiring a millisecond later has not") {
    v[0].expires_at = kNow;
    CHECK(
        JudgeDispatchable(team, org, v, {}, Mode::kPeacetime, kNow).Has(Obstacle::kVettingExpired));
    v[0].expires_at = kNow + std::chrono::milliseconds(1);
    CHECK(JudgeDispatchable(team, org, v, {}, Mode::kPeacetime, kNow).dispatchable());
  }
  SUBCASE("results of another team do not count") {
    for (VettingResult& r : v)
      r.team = TeamId(7);
    const Verdict verdict = JudgeDispatchable(team, org, v, {}, Mode::kPeacetime, kNow);
    CHECK(verdict.hindrances.size() == kDepartmentCount);
    CHECK(verdict.Has(Obstacle::kVettingMissing));
  }
}

TEST_CASE("agreements: in force from signing until expiry, for the modes they cover") {
  const Team team = MakeTeam({Mode::kEmergency, Mode::kWartime});
  const Organisation org = MakeOrganisation();
  const std::vector<VettingResult> v = Vetting(std::nullopt, VettingState::kPassed);
  std::vector<Agreement> a = Agreements(AgreementState::kAllModes);

  a[0].signed_at = kNow;
  CHECK(JudgeDispatchable(team, org, v, a, Mode::kWartime, kNow).dispatchable());
  a[0].expires_at = kNow;
  const Verdict expired = JudgeDispatchable(team, org, v, a, Mode::kWartime, kNow);
  CHECK(expired.Has(Obstacle::kAgreementExpired));
  CHECK(expired.hindrances[0].detail.find("2026-11-01") != std::string::npos);

  SUBCASE("an expired agreement beside one in force does not matter") {
    std::vector<Agreement> two = Agreements(AgreementState::kExpired);
    two.push_back(Agreements(AgreementState::kAllModes)[0]);
    CHECK(JudgeDispatchable(team, org, v, two, Mode::kWartime, kNow).dispatchable());
  }
  SUBCASE("another organisation's agreement does not count") {
    std::vector<Agreement> other = Agreements(AgreementState::kAllModes);
    other[0].organisation = OrganisationId(3);
    CHECK(
        JudgeDispatchable(team, org, v, other, Mode::kEmergency, kNow).Has(Obstacle::kNoAgreement));
  }
  SUBCASE("peacetime needs no agreement") {
    const Team peace = MakeTeam({Mode::kPeacetime});
    CHECK(JudgeDispatchable(peace, org, v, {}, Mode::kPeacetime, kNow).dispatchable());
  }
}

TEST_CASE("hindrances explain themselves for people") {
  const Team team = MakeTeam({Mode::kPeacetime}, RegistryStatus::kSuspended);
  const Organisation org = MakeOrganisation();
  const Verdict v = JudgeDispatchable(
      team, org, Vetting(Department::kEmergencyManagement, VettingState::kExpired), {},
      Mode::kWartime, kNow);
  REQUIRE(v.hindrances.size() == 4);
  CHECK(v.hindrances[0].detail == "team suspended: equipment inspection");
  CHECK(v.hindrances[1].detail.find("wartime") != std::string::npos);
  CHECK(v.hindrances[2].detail == "emergency_management: expired on 2026-10-31");
  CHECK(v.hindrances[3].detail == "no cooperation agreement covers wartime");
  CHECK(ToString(v.hindrances[3].obstacle) == "no_agreement");
}

TEST_CASE("ModeSet text forms") {
  CHECK(ToString(ModeSet{Mode::kWartime, Mode::kPeacetime}) == "peacetime|wartime");
  CHECK(ParseModeSet("emergency,wartime") == ModeSet{Mode::kEmergency, Mode::kWartime});
  CHECK(ParseModeSet("peacetime | emergency") == ModeSet{Mode::kPeacetime, Mode::kEmergency});
  CHECK(ParseModeSet("") == ModeSet{});
  CHECK_FALSE(ParseModeSet("peace").has_value());
  CHECK(ParseDepartment("civil_affairs") == Department::kCivilAffairs);
  CHECK(ChineseName(Department::kMarketSupervision) == "市场监管");
}

namespace {

RegistryData SmallRegistry() {
  RegistryData d;
  d.specialties = {{SpecialtyId(0), "medical", "医疗救护", "medical rescue", "medics"},
                   {SpecialtyId(1), "transport", "交通运输", "transport", "vehicles"}};
  d.organisations.push_back(MakeOrganisation());
  Organisation second = MakeOrganisation();
  second.id = OrganisationId(1);
  second.code = "ORG-2";
  d.organisations.push_back(second);
  Team a = MakeTeam({Mode::kEmergency});
  a.capacities = {{SpecialtyId(0), 6, false}, {SpecialtyId(1), 2, true}};
  Team b = MakeTeam({Mode::kEmergency});
  b.id = TeamId(1);
  b.code = "TM-2";
  b.organisation = OrganisationId(1);
  d.teams = {a, b};
  for (const VettingResult& r : Vetting(std::nullopt, VettingState::kPassed)) {
    d.vetting.push_back(r);
    VettingResult other = r;
    other.team = TeamId(1);
    d.vetting.push_back(other);
  }
  Agreement agr = Agreements(AgreementState::kAllModes)[0];
  agr.organisation = OrganisationId(1);
  d.agreements = {agr};
  d.personnel.push_back(
      {PersonId(0), "P-1", "演示人员", true, {"driver"}, {}, {TeamId(0), TeamId(1)}});
  return d;
}

}  // namespace

TEST_CASE("Registry snapshot: lookups, capacities, members and judgement") {
  Result<Registry> r = Registry::Build(SmallRegistry());
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(*r->FindTeam("TM-2") == TeamId(1));
  CHECK(*r->FindSpecialty("transport") == SpecialtyId(1));
  CHECK(r->FindOrganisation("ORG-9").status().code() == StatusCode::kNotFound);
  CHECK(r->FindTeam("TM-9").status().message().find("TM-9") != std::string::npos);
  CHECK(r->Capacity(TeamId(0), SpecialtyId(0)) == 6);
  CHECK(r->Capacity(TeamId(1), SpecialtyId(0)) == 0);
  CHECK(r->vetting_of(TeamId(0)).size() == kDepartmentCount);
  CHECK(r->vetting_of(TeamId(1)).size() == kDepartmentCount);
  CHECK(r->agreements_of(OrganisationId(0)).empty());
  CHECK(r->agreements_of(OrganisationId(1)).size() == 1);
  CHECK(r->teams_of(OrganisationId(1)) == std::vector<TeamId>{TeamId(1)});
  CHECK(r->members_of(TeamId(1)) == std::vector<PersonId>{PersonId(0)});
  // Team 0's organisation has no agreement; team 1's has one in force.
  CHECK(r->Judge(TeamId(0), Mode::kEmergency, kNow).Has(Obstacle::kNoAgreement));
  CHECK(r->Judge(TeamId(1), Mode::kEmergency, kNow).dispatchable());
}

TEST_CASE("Registry::Build rejects broken snapshots, naming the record") {
  SUBCASE("duplicate code") {
    RegistryData d = SmallRegistry();
    d.teams[1].code = "TM-1";
    Result<Registry> r = Registry::Build(d);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("TM-1") != std::string::npos);
  }
  SUBCASE("team of an unknown organisation") {
    RegistryData d = SmallRegistry();
    d.teams[1].organisation = OrganisationId(5);
    CHECK(Registry::Build(d).status().message().find("TM-2") != std::string::npos);
  }
  SUBCASE("capacity in an unknown specialty") {
    RegistryData d = SmallRegistry();
    d.teams[0].capacities.push_back({SpecialtyId(9), 1, false});
    CHECK_FALSE(Registry::Build(d).ok());
  }
  SUBCASE("id not its position") {
    RegistryData d = SmallRegistry();
    d.teams[1].id = TeamId(4);
    CHECK_FALSE(Registry::Build(d).ok());
  }
  SUBCASE("a person on an unknown team") {
    RegistryData d = SmallRegistry();
    d.personnel[0].teams.push_back(TeamId(8));
    CHECK(Registry::Build(d).status().message().find("P-1") != std::string::npos);
  }
}

TEST_CASE("Registry::Dispatchable: boundaries and ties by hand, as Judge") {
  RegistryData d = SmallRegistry();
  d.teams[1].modes = {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
  const TeamId team(1);
  // Dispatchable, checked against Judge on the way.
  auto dispatchable = [&team](const Registry& r, Mode mode, Instant now) {
    const bool fast = r.Dispatchable(team, mode, now);
    CHECK(fast == r.Judge(team, mode, now).dispatchable());
    return fast;
  };

  SUBCASE("the vetting counts until the earliest expiry of the departments' latest passes") {
    for (VettingResult& v : d.vetting) {
      if (v.team == team && v.department == Department::kHumanResources) {
        v.expires_at = kNow + days(30);
      }
    }
    const Registry r = *Registry::Build(d);
    CHECK(dispatchable(r, Mode::kEmergency, kNow + days(30) - std::chrono::milliseconds(1)));
    CHECK_FALSE(dispatchable(r, Mode::kEmergency, kNow + days(30)));
    CHECK_FALSE(dispatchable(r, Mode::kPeacetime, kNow + days(30)));
  }
  SUBCASE("of two results checked at the same instant, the later in the data counts") {
    const VettingResult fail{team,  Department::kCivilAffairs, kNow - days(1), "x", kNow + days(9),
                             false, "found unsuitable"};
    VettingResult pass = fail;
    pass.passed = true;
    RegistryData fail_last = d;
    fail_last.vetting.push_back(pass);
    fail_last.vetting.push_back(fail);
    CHECK_FALSE(dispatchable(*Registry::Build(fail_last), Mode::kPeacetime, kNow));
    RegistryData pass_last = d;
    pass_last.vetting.push_back(fail);
    pass_last.vetting.push_back(pass);
    CHECK(dispatchable(*Registry::Build(pass_last), Mode::kPeacetime, kNow));
  }
  SUBCASE("a department without a result: never") {
    std::erase_if(d.vetting, [&team](const VettingResult& v) {
      return v.team == team && v.department == Department::kMarketSupervision;
    });
    const Registry r = *Registry::Build(d);
    for (Mode m : {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime}) {
      CHECK_FALSE(dispatchable(r, m, kNow));
    }
  }
  SUBCASE("agreements: from signing, until expiry, touching ones joined, per mode") {
    Agreement first = d.agreements[0];
    first.signed_at = kNow;
    first.expires_at = kNow + days(10);
    Agreement second = first;
    second.code = "AGR-2";
    second.signed_at = kNow + days(10);
    second.expires_at = kNow + days(20);
    second.modes = {Mode::kEmergency};
    d.agreements = {second, first};
    const Registry r = *Registry::Build(d);
    const auto ms = std::chrono::milliseconds(1);
    CHECK_FALSE(dispatchable(r, Mode::kEmergency, kNow - ms));
    CHECK(dispatchable(r, Mode::kPeacetime, kNow - ms));
    CHECK(dispatchable(r, Mode::kEmergency, kNow));
    CHECK(dispatchable(r, Mode::kEmergency, kNow + days(10)));
    CHECK(dispatchable(r, Mode::kEmergency, kNow + days(20) - ms));
    CHECK_FALSE(dispatchable(r, Mode::kEmergency, kNow + days(20)));
    CHECK(dispatchable(r, Mode::kWartime, kNow + days(10) - ms));
    CHECK_FALSE(dispatchable(r, Mode::kWartime, kNow + days(10)));
  }
  SUBCASE("a suspended organisation or a mode not committed: never") {
    d.teams[1].modes = {Mode::kEmergency};
    RegistryData suspended = d;
    suspended.organisations[1].status = RegistryStatus::kSuspended;
    const Registry r = *Registry::Build(d);
    const Registry s = *Registry::Build(suspended);
    CHECK(dispatchable(r, Mode::kEmergency, kNow));
    CHECK_FALSE(dispatchable(r, Mode::kWartime, kNow));
    CHECK_FALSE(dispatchable(s, Mode::kEmergency, kNow));
  }
}

namespace {

// A registry of a few organisations and teams with random statuses, commitments, vetting and
// agreements. Instants fall on whole days from kNow (checked_at on only three of them), so
// that expiries, signings and checks meet each other and the instants the test asks about.
RegistryData RandomRegistry(std::mt19937& rng) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto status = [&pick] {
    const int s = pick(0, 9);
    return s < 8 ? RegistryStatus::kActive
                 : (s == 8 ? RegistryStatus::kSuspended : RegistryStatus::kWithdrawn);
  };
  auto modes = [&pick] { return ModeSet::FromBits(static_cast<std::uint8_t>(pick(0, 7))); };
  RegistryData d;
  const int n_orgs = pick(1, 4), n_teams = pick(1, 8);
  for (int o = 0; o < n_orgs; ++o) {
    Organisation org = MakeOrganisation(status());
    org.id = OrganisationId(static_cast<std::uint32_t>(o));
    org.code = "ORG-" + std::to_string(o);
    d.organisations.push_back(org);
    for (int k = pick(0, 3); k > 0; --k) {
      Agreement a;
      a.organisation = org.id;
      a.code = org.code + "-AGR-" + std::to_string(k);
      a.signed_at = kNow + days(pick(-10, 6));
      a.expires_at = kNow + days(pick(-4, 16));  // sometimes not after signed_at
      a.modes = modes();
      d.agreements.push_back(a);
    }
  }
  for (int t = 0; t < n_teams; ++t) {
    Team team = MakeTeam(modes(), status());
    team.id = TeamId(static_cast<std::uint32_t>(t));
    team.code = "TM-" + std::to_string(t);
    team.organisation = OrganisationId(static_cast<std::uint32_t>(pick(0, n_orgs - 1)));
    d.teams.push_back(team);
    for (Department dept : kAllDepartments) {
      for (int k = pick(0, 19) == 0 ? 0 : pick(1, 3); k > 0; --k) {
        const int expires = pick(0, 4) == 0 ? pick(-5, 5) : pick(6, 16);
        d.vetting.push_back({team.id, dept, kNow - days(pick(28, 30)), "examiner",
                             kNow + days(expires), pick(0, 19) != 0, ""});
      }
    }
  }
  std::shuffle(d.vetting.begin(), d.vetting.end(), rng);
  std::shuffle(d.agreements.begin(), d.agreements.end(), rng);
  return d;
}

// For failure messages: the ends of time are too far from kNow to subtract.
std::string When(Instant now) {
  if (now == kBeginningOfTime) return "the beginning of time";
  if (now == kEndOfTime) return "the end of time";
  return "kNow + " + std::to_string((now - kNow).count()) + " ms";
}

}  // namespace

TEST_CASE("Registry::Dispatchable is Judge(...).dispatchable() on random registries") {
  std::mt19937 rng(20261101);
  // Every whole day the random registries use, a millisecond either side, and the ends of time.
  std::vector<Instant> instants = {kBeginningOfTime, kEndOfTime};
  for (int k = -11; k <= 17; ++k) {
    for (int ms : {-1, 0, 1}) {
      instants.push_back(kNow + days(k) + std::chrono::milliseconds(ms));
    }
  }

  int mismatches = 0;
  std::array<int, kModeCount> dispatchable_by_mode{};
  int asked = 0, flips_at_a_day = 0;
  for (int i = 0; i < 400; ++i) {
    Result<Registry> r = Registry::Build(RandomRegistry(rng));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    for (const Team& team : r->teams()) {
      for (Mode mode : {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime}) {
        bool before = false;
        for (Instant now : instants) {
          const bool fast = r->Dispatchable(team.id, mode, now);
          const bool want = r->Judge(team.id, mode, now).dispatchable();
          if (fast != want && ++mismatches <= 10) {
            FAIL_CHECK("registry " << i << ", team " << team.code << ", " << ToString(mode)
                                   << ", at " << When(now) << ": Dispatchable " << fast
                                   << ", Judge " << want);
          }
          ++asked;
          dispatchable_by_mode[static_cast<std::size_t>(mode)] += fast ? 1 : 0;
          if (now != kBeginningOfTime && now != kEndOfTime &&
              now == std::chrono::floor<days>(now)) {
            flips_at_a_day += fast != before ? 1 : 0;
          }
          before = fast;
        }
      }
    }
  }
  CHECK(mismatches == 0);
  // The registries were varied enough: each mode has dispatchable teams, and the answer
  // changed exactly at a day boundary (an expiry or a signing) many times.
  MESSAGE(asked << " questions; dispatchable in peacetime " << dispatchable_by_mode[0]
                << ", emergency " << dispatchable_by_mode[1] << ", wartime "
                << dispatchable_by_mode[2] << "; flips at a boundary " << flips_at_a_day);
  for (int n : dispatchable_by_mode)
    CHECK(n > 1000);
  CHECK(flips_at_a_day > 500);
}

}  // namespace baiying
