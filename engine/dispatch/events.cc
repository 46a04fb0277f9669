#include "engine/dispatch/events.h"

#include <atomic>
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

struct RouteText::Shared {
  std::once_flag once;
  std::shared_ptr<const Source> source;  // released once spelled
  std::string text;
  std::uint64_t distance_m = 0;
  std::atomic<bool> spelled{false};
};

RouteText::RouteText(std::string text, std::uint64_t distance_m)
    : shared_(std::make_shared<Shared>()) {
  shared_->text = std::move(text);
  shared_->distance_m = distance_m;
  shared_->spelled = true;
}

RouteText::RouteText(std::shared_ptr<const Source> source) : shared_(std::make_shared<Shared>()) {
  shared_->source = std::move(source);
}

const RouteText::Shared* RouteText::Spelled() const {
  if (shared_ == nullptr) return nullptr;
  std::call_once(shared_->once, [s = shared_.get()] {
    if (s->source != nullptr) s->source->Spell(s->text, s->distance_m);
    s->source.reset();
    s->spelled.store(true, std::memory_order_release);
  });
  return shared_.get();
}

const std::string& RouteText::text() const {
  static const std::string kNone;
  const Shared* s = Spelled();
  return s == nullptr ? kNone : s->text;
}

std::uint64_t RouteText::distance_m() const {
  const Shared* s = Spelled();
  return s == nullptr ? 0 : s->distance_m;
}

bool RouteText::spelled() const {
  return shared_ == nullptr || shared_->spelled.load(std::memory_order_acquire);
}

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
                          std::to_string(x.route.distance_m() / 1000) + " km" +
                          (x.late ? ", late" : "") + ") via " + x.route.text();
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
