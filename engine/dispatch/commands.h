#pragma once
// The dispatcher's language: commands in, events out. Commands name teams and requests by
// their public codes and ids, so that a journal of commands means the same after a restart.
// Every command carries the instant it applies at; the engine has no clock of its own.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/registry/registry_types.h"

namespace baiying {

enum class Priority : std::uint8_t { kRoutine, kUrgent, kCritical, kFlash };
std::string_view ToString(Priority priority);
std::optional<Priority> ParsePriority(std::string_view text);

// How far the search for teams reaches: the request's county, its prefecture, the region
// (横向到边、纵向到底: widened step by step when a scope cannot fill a line in time).
enum class Scope : std::uint8_t { kCounty, kPrefecture, kRegion };
std::string_view ToString(Scope scope);

struct RequestLine {
  std::string specialty;       // specialty code
  std::uint32_t quantity = 0;  // in the specialty's unit
};

struct SubmitRequest {
  std::string request_id;  // chosen by the sender; the same id again changes nothing
  std::string unit;        // the requesting unit
  // Where help is needed: a place of the network, or a position snapped to the nearest place.
  std::optional<PlaceId> place;
  std::optional<double> lat, lon;
  Priority priority = Priority::kUrgent;
  Mode mode = Mode::kEmergency;
  Instant deadline{};  // help should arrive by then
  std::vector<RequestLine> lines;
};

// A surge (一声令下、一呼百应): requests that arrive together, assigned jointly. The same batch
// sent again returns the first answer; a batch mixing new and known ids is refused.
struct SubmitBatch {
  std::vector<SubmitRequest> requests;
};

struct CancelRequest {
  std::string request_id;
  std::string reason;
};

struct AcknowledgeAssignment {
  std::string request_id;
  std::string team;
};

struct DeclineAssignment {
  std::string request_id;
  std::string team;
  std::string reason;
};

struct ReportEnRoute {
  std::string team;
};

struct ReportOnScene {
  std::string team;
};

// The team is free again: where it is (at the scene when it got there), or back home.
struct ReleaseTeam {
  std::string team;
  bool return_home = false;
};

// A team off or back on duty (leave, maintenance), outside any assignment.
struct SetTeamOnDuty {
  std::string team;
  bool on_duty = true;
};

// Registry staff suspended or reinstated a team (the store records it; the dispatcher hears it
// here). A suspended team on its way is withdrawn; a reinstated one may fill what is short.
struct SetTeamSuspended {
  std::string team;
  bool suspended = true;
  std::string reason;
};

// The road between two adjacent places, both directions.
struct CloseRoad {
  PlaceId from;
  PlaceId to;
  std::string reason;
};

struct ReopenRoad {
  PlaceId from;
  PlaceId to;
};

// Only moves time on: deadlines pass, requests expire.
struct AdvanceTime {};

using Command = std::variant<SubmitRequest, SubmitBatch, CancelRequest, AcknowledgeAssignment,
                             DeclineAssignment, ReportEnRoute, ReportOnScene, ReleaseTeam,
                             SetTeamOnDuty, SetTeamSuspended, CloseRoad, ReopenRoad, AdvanceTime>;

struct TimedCommand {
  Instant at{};
  Command command;
};

}  // namespace baiying
