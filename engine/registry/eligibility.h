#pragma once
// Who may be dispatched, in which mode, and why not. The registry's rules as pure functions
// over registry values, so that the matcher can both filter teams and say why a nearer team
// was passed over.
//
// A team may be dispatched in a mode at time t only when:
//   - the team and its organisation are active (not suspended, not withdrawn);
//   - the team has committed to serve in that mode;
//   - for each of the five departments, the team's latest vetting result passed and has not
//     expired at t;
//   - for emergency and wartime, its organisation holds an agreement signed by t, not expired
//     at t, that covers the mode.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/time.h"
#include "engine/registry/registry_types.h"

namespace baiying {

enum class Obstacle : std::uint8_t {
  kTeamSuspended,
  kTeamWithdrawn,
  kOrganisationSuspended,
  kOrganisationWithdrawn,
  kModeNotCommitted,       // the team did not commit to serve in this mode
  kVettingMissing,         // a department has no result for the team
  kVettingFailed,          // a department's latest result is a fail
  kVettingExpired,         // a department's latest pass has expired
  kNoAgreement,            // no agreement covering the mode was ever signed
  kAgreementExpired,       // agreements covering the mode have all expired
  kAgreementNotYetSigned,  // an agreement covering the mode takes effect later
};

std::string_view ToString(Obstacle obstacle);

// One reason a team may not be dispatched, with the department where it applies and a
// sentence for people ("emergency management: vetting expired 2025-03-01").
struct Hindrance {
  Obstacle obstacle;
  std::optional<Department> department;
  std::string detail;

  friend bool operator==(const Hindrance&, const Hindrance&) = default;
};

struct Verdict {
  std::vector<Hindrance> hindrances;  // empty: dispatchable
  bool dispatchable() const { return hindrances.empty(); }
  bool Has(Obstacle o) const;
};

// Judges `team` of `organisation` in `mode` at `now`. `vetting` holds the team's results
// (any order, any number per department: the latest by checked_at counts, ties by position);
// `agreements` the organisation's. Results and agreements of other teams or organisations are
// ignored. Hindrances come in a fixed order: status, mode, vetting by department, agreement.
Verdict JudgeDispatchable(const Team& team, const Organisation& organisation,
                          std::span<const VettingResult> vetting,
                          std::span<const Agreement> agreements, Mode mode, Instant now);

// "2025-03-01" for messages; the engine's own date form (UTC).
std::string FormatDate(Instant t);

}  // namespace baiying
