#pragma once
// What the dispatcher says happened. Each event renders to one deterministic line
// (Describe), which is also what replay compares.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"

namespace baiying {

// A team that was considered and not sent, and why.
struct PassedOver {
  std::string team;
  TravelTime travel = 0;  // road time to the unit
  std::string why;        // "busy", "vetting expired ...", "not fit above 4,500 m", "out of scope"
};

struct Alternative {
  std::string team;
  TravelTime eta = 0;
};

// The road a team takes to the unit, in words ("G318 林芝 -> 波密县 (227 km); ...") and its
// length. Spelling a route out (every road of it, named) costs more than choosing the team, so
// an assignment made with the road index keeps only an outline of the route (a Source) and
// spells it when first read: once, whichever thread reads it first; copies share the result.
// A Source holds what it needs (the index it came from); the road graph must outlive a route
// not yet spelled.
class RouteText {
 public:
  class Source {
   public:
    virtual ~Source() = default;
    virtual void Spell(std::string& text, std::uint64_t& distance_m) const = 0;
  };

  RouteText() = default;  // no route: empty text, 0 m
  RouteText(std::string text, std::uint64_t distance_m);
  explicit RouteText(std::shared_ptr<const Source> source);

  const std::string& text() const;
  std::uint64_t distance_m() const;
  // Whether it was given spelled, or has been read since.
  bool spelled() const;

 private:
  struct Shared;
  const Shared* Spelled() const;
  std::shared_ptr<Shared> shared_;
};

// Why this team: its ETA in parts, the road it takes, the next best teams, and the nearer
// ones passed over.
struct Explanation {
  TravelTime eta = 0;  // mobilization + travel
  TravelTime mobilization = 0;
  TravelTime travel = 0;
  RouteText route;
  bool late = false;  // arrives after the request's deadline
  std::vector<Alternative> alternatives;
  std::vector<PassedOver> passed_over;
};

struct RequestAccepted {
  std::string request_id;
  PlaceId place;
  double snapped_m = 0;  // distance from the given position to the place, when snapped
};
struct TeamAssigned {
  std::string request_id;
  std::string team;
  std::string specialty;
  std::uint32_t units = 0;
  Explanation explanation;
};
struct Shortfall {
  std::string request_id;
  std::string specialty;
  std::uint32_t missing = 0;
  std::string why;
};
struct ScopeWidened {
  std::string request_id;
  std::string specialty;
  Scope from = Scope::kCounty;
  Scope to = Scope::kPrefecture;
};
struct RequestFilled {
  std::string request_id;
};
struct AssignmentAcknowledged {
  std::string request_id;
  std::string team;
};
struct AssignmentDeclined {
  std::string request_id;
  std::string team;
  std::string reason;
};
struct TeamEnRoute {
  std::string request_id;
  std::string team;
};
struct TeamOnScene {
  std::string request_id;
  std::string team;
};
struct TeamReleased {
  std::string team;
  PlaceId at;
};
struct TeamDutyChanged {
  std::string team;
  bool on_duty = true;
};
struct TeamSuspensionChanged {
  std::string team;
  bool suspended = true;
  std::string reason;
};
struct RequestCancelled {
  std::string request_id;
  std::string reason;
};
struct RequestExpired {
  std::string request_id;
  std::uint32_t missing = 0;  // units still unfilled, all lines
};
struct RoadClosed {
  PlaceId from;
  PlaceId to;
  std::string reason;
};
struct RoadReopened {
  PlaceId from;
  PlaceId to;
};
// A closure or reopening changed the ETA of a team on its way.
struct EtaChanged {
  std::string request_id;
  std::string team;
  TravelTime old_eta = 0;
  TravelTime new_eta = 0;  // kInfiniteTime: cut off, the assignment is withdrawn
};
// A more urgent request took a team that had not reached its scene.
struct TeamPreempted {
  std::string team;
  std::string from_request;
  std::string to_request;
  TravelTime saved = 0;  // how much sooner the urgent request is served than without it
};

using Event = std::variant<RequestAccepted, TeamAssigned, Shortfall, ScopeWidened, RequestFilled,
                           AssignmentAcknowledged, AssignmentDeclined, TeamEnRoute, TeamOnScene,
                           TeamReleased, TeamDutyChanged, TeamSuspensionChanged, RequestCancelled,
                           RequestExpired, RoadClosed, RoadReopened, EtaChanged, TeamPreempted>;

// One line per event, deterministic: "assigned TM-LS-MED-001 to R1 medical x6 eta 1h02m ...".
std::string Describe(const Event& event);

}  // namespace baiying
