#include "engine/registry/eligibility.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace baiying {

std::string_view ToString(Obstacle obstacle) {
  switch (obstacle) {
    case Obstacle::kTeamSuspended:
      return "team_suspended";
    case Obstacle::kTeamWithdrawn:
      return "team_withdrawn";
    case Obstacle::kOrganisationSuspended:
      return "organisation_suspended";
    case Obstacle::kOrganisationWithdrawn:
      return "organisation_withdrawn";
    case Obstacle::kModeNotCommitted:
      return "mode_not_committed";
    case Obstacle::kVettingMissing:
      return "vetting_missing";
    case Obstacle::kVettingFailed:
      return "vetting_failed";
    case Obstacle::kVettingExpired:
      return "vetting_expired";
    case Obstacle::kNoAgreement:
      return "no_agreement";
    case Obstacle::kAgreementExpired:
      return "agreement_expired";
    case Obstacle::kAgreementNotYetSigned:
      return "agreement_not_yet_signed";
  }
  return "?";
}

bool Verdict::Has(Obstacle o) const {
  return std::any_of(hindrances.begin(), hindrances.end(),
                     [o](const Hindrance& h) { return h.obstacle == o; });
}

std::string FormatDate(Instant t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Verdict JudgeDispatchable(const Team& team, const Organisation& organisation,
                          std::span<const VettingResult> vetting,
                          std::span<const Agreement> agreements, Mode mode, Instant now) {
  Verdict v;
  auto add = [&v](Obstacle o, std::optional<Department> d, std::string detail) {
    v.hindrances.push_back({o, d, std::move(detail)});
  };

  if (team.status == RegistryStatus::kSuspended) {
    add(Obstacle::kTeamSuspended, std::nullopt, "team suspended: " + team.status_reason);
  } else if (team.status == RegistryStatus::kWithdrawn) {
    add(Obstacle::kTeamWithdrawn, std::nullopt, "team withdrawn: " + team.status_reason);
  }
  if (organisation.status == RegistryStatus::kSuspended) {
    add(Obstacle::kOrganisationSuspended, std::nullopt,
        "organisation suspended: " + organisation.status_reason);
  } else if (organisation.status == RegistryStatus::kWithdrawn) {
    add(Obstacle::kOrganisationWithdrawn, std::nullopt,
        "organisation withdrawn: " + organisation.status_reason);
  }
  if (!team.modes.Has(mode)) {
    add(Obstacle::kModeNotCommitted, std::nullopt,
        "team has not committed to serve in " + std::string(ToString(mode)) + " (commits to " +
            (team.modes.empty() ? std::string("none") : ToString(team.modes)) + ")");
  }

  for (Department d : kAllDepartments) {
    const VettingResult* latest = nullptr;
    for (const VettingResult& r : vetting) {
      if (r.team != team.id || r.department != d) continue;
      if (latest == nullptr || r.checked_at >= latest->checked_at) latest = &r;
    }
    const std::string dept(ToString(d));
    if (latest == nullptr) {
      add(Obstacle::kVettingMissing, d, dept + ": no vetting result");
    } else if (!latest->passed) {
      add(Obstacle::kVettingFailed, d,
          dept + ": failed on " + FormatDate(latest->checked_at) +
              (latest->reason.empty() ? std::string() : " (" + latest->reason + ")"));
    } else if (latest->expires_at <= now) {
      add(Obstacle::kVettingExpired, d, dept + ": expired on " + FormatDate(latest->expires_at));
    }
  }

  if (mode != Mode::kPeacetime) {
    bool any_covering = false, in_force = false, later = false;
    Instant last_expiry = kBeginningOfTime;
    Instant next_signing = kEndOfTime;
    for (const Agreement& a : agreements) {
      if (a.organisation != organisation.id || !a.modes.Has(mode)) continue;
      any_covering = true;
      if (a.signed_at <= now && now < a.expires_at) {
        in_force = true;
      } else if (now < a.signed_at) {
        later = true;
        next_signing = std::min(next_signing, a.signed_at);
      } else {
        last_expiry = std::max(last_expiry, a.expires_at);
      }
    }
    const std::string m(ToString(mode));
    if (!any_covering) {
      add(Obstacle::kNoAgreement, std::nullopt, "no cooperation agreement covers " + m);
    } else if (!in_force && later) {
      add(Obstacle::kAgreementNotYetSigned, std::nullopt,
          "the agreement covering " + m + " takes effect on " + FormatDate(next_signing));
    } else if (!in_force) {
      add(Obstacle::kAgreementExpired, std::nullopt,
          "the agreement covering " + m + " expired on " + FormatDate(last_expiry));
    }
  }
  return v;
}

}  // namespace baiying
