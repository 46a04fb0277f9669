#include "engine/dispatch/events.h"

#include <cstdio>

#include "engine/core/enum_names.h"

namespace baiying {
namespace {

constexpr NameTable<Priority, 4> kPriorities = {{{Priority::kRoutine, "routine"},
                                                 {Priority::kUrgent, "urgent"},
                                                 {Priority::kCritical, "critical"},
                                                 {Priority::kFlash, "flash"}}};
constexpr NameTable<Scope, 3> kScopes = {
    {{Scope::kCounty, "county"}, {Scope::kPrefecture, "prefecture"}, {Scope::kRegion, "region"}}};

// "1h02m05s" to the second; "never" for the infinite time.
std::string Minutes(TravelTime t) {
  if (t == kInfiniteTime) return "never";
  const std::uint64_t s = (std::uint64_t{t} + 500) / 1000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lluh%02llum%02llus", static_cast<unsigned long long>(s / 3600),
                static_cast<unsigned long long>(s % 3600 / 60),
                static_cast<unsigned long long>(s % 60));
  return buf;
}

std::string Place(PlaceId p) {
  return "place " + std::to_string(p.value());
}

}  // namespace

std::string_view ToString(Priority priority) {
  return NameOf(kPriorities, priority);
}
std::optional<Priority> ParsePriority(std::string_view text) {
  return ValueOf(kPriorities, text);
}
std::string_view ToString(Scope scope) {
  return NameOf(kScopes, scope);
}

std::string Describe(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, RequestAccepted>) {
          char snapped[32];
          std::snprintf(snapped, sizeof snapped, "%.0f", e.snapped_m);
          return "accepted " + e.request_id + " at " + Place(e.place) +
                 (e.snapped_m > 0 ? " (snapped " + std::string(snapped) + " m)" : "");
        } else if constexpr (std::is_same_v<E, TeamAssigned>) {
          const Explanation& x = e.explanation;
          std::string s = "assigned " + e.team + " to " + e.request_id + " " + e.specialty + " x" +
                          std::to_string(e.units) + " eta " + Minutes(x.eta) + " (mobilize " +
                          Minutes(x.mobilization) + " + travel " + Minutes(x.travel) + ", " +
                          std::to_string(x.distance_m / 1000) + " km" + (x.late ? ", late" : "") +
                          ") via " + x.route;
          if (!x.alternatives.empty()) {
            s += "; next:";
            for (const Alternative& a : x.alternatives)
              s += " " + a.team + " " + Minutes(a.eta);
          }
          if (!x.passed_over.empty()) {
            s += "; passed over:";
            for (const PassedOver& p : x.passed_over) {
              s += " " + p.team + " (" + Minutes(p.travel) + " away: " + p.why + ")";
            }
          }
          return s;
        } else if constexpr (std::is_same_v<E, Shortfall>) {
          return "shortfall " + e.request_id + " " + e.specialty + " missing " +
                 std::to_string(e.missing) + ": " + e.why;
        } else if constexpr (std::is_same_v<E, ScopeWidened>) {
          return "widened " + e.request_id + " " + e.specialty + " from " +
                 std::string(ToString(e.from)) + " to " + std::string(ToString(e.to));
        } else if constexpr (std::is_same_v<E, RequestFilled>) {
          return "filled " + e.request_id;
        } else if constexpr (std::is_same_v<E, AssignmentAcknowledged>) {
          return "acknowledged " + e.team + " for " + e.request_id;
        } else if constexpr (std::is_same_v<E, AssignmentDeclined>) {
          return "declined " + e.team + " for " + e.request_id + ": " + e.reason;
        } else if constexpr (std::is_same_v<E, TeamEnRoute>) {
          return "en route " + e.team + " to " + e.request_id;
        } else if constexpr (std::is_same_v<E, TeamOnScene>) {
          return "on scene " + e.team + " at " + e.request_id;
        } else if constexpr (std::is_same_v<E, TeamReleased>) {
          return "released " + e.team + " at " + Place(e.at);
        } else if constexpr (std::is_same_v<E, TeamDutyChanged>) {
          return std::string(e.on_duty ? "on duty " : "off duty ") + e.team;
        } else if constexpr (std::is_same_v<E, TeamSuspensionChanged>) {
          return std::string(e.suspended ? "suspended " : "reinstated ") + e.team +
                 (e.reason.empty() ? "" : ": " + e.reason);
        } else if constexpr (std::is_same_v<E, RequestCancelled>) {
          return "cancelled " + e.request_id + ": " + e.reason;
        } else if constexpr (std::is_same_v<E, RequestExpired>) {
          return "expired " + e.request_id + " missing " + std::to_string(e.missing);
        } else if constexpr (std::is_same_v<E, RoadClosed>) {
          return "road closed " + Place(e.from) + "-" + Place(e.to) + ": " + e.reason;
        } else if constexpr (std::is_same_v<E, RoadReopened>) {
          return "road reopened " + Place(e.from) + "-" + Place(e.to);
        } else if constexpr (std::is_same_v<E, EtaChanged>) {
          return "eta " + e.team + " for " + e.request_id + " " + Minutes(e.old_eta) + " -> " +
                 Minutes(e.new_eta);
        } else if constexpr (std::is_same_v<E, TeamPreempted>) {
          return "preempted " + e.team + " from " + e.from_request + " for " + e.to_request +
                 (e.saved == kInfiniteTime ? " (no free team could serve)"
                                           : " saving " + Minutes(e.saved));
        }
      },
      event);
}

}  // namespace baiying
