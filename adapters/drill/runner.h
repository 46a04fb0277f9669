#pragma once
// The drill runner: a DrillPlan played on a simulated clock into a DrillSink, with a record of
// everything that happened (what each step caused, each request's answer, the roads teams
// took, the state at every checkpoint) for the expectations and the reports.
//
// The sink is where the commands go. InProcessSink drives a Dispatcher in this process; a
// network sink (a running server in drill mode) implements the same two calls over the wire:
// Apply is a command and its events, Request is GetRequest. The runner itself only turns the
// timeline into timed commands and reads the answers, so both give the same record.
//
// Time: each step applies at start + its offset; between steps, and at every checkpoint and
// the end, the runner sends AdvanceTime so that deadlines pass and requests expire when they
// would. At a time with both a step and a checkpoint, the checkpoint sees the state after the
// step.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/drill/plan.h"
#include "engine/core/status.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/dispatch/events.h"
#include "engine/registry/registry.h"
#include "engine/roads/road_graph.h"

namespace baiying::drill {

// A request's state as the sink reports it (the wire's RequestInfo carries the same).
struct RequestSnapshot {
  struct Line {
    std::string specialty;
    std::uint32_t quantity = 0;
    std::uint32_t filled = 0;
  };
  RequestStatus status = RequestStatus::kOpen;
  std::vector<Line> lines;
  std::uint32_t missing = 0;
};

// Where the commands go. Apply fails with InvalidArgument, NotFound or FailedPrecondition when
// the dispatcher refuses the command (the drill records it and goes on); any other failure
// (the sink cannot be reached) ends the run.
class DrillSink {
 public:
  virtual ~DrillSink() = default;
  virtual Result<std::vector<Event>> Apply(const TimedCommand& command) = 0;
  // NotFound for an unknown request.
  virtual Result<RequestSnapshot> Request(const std::string& request_id) = 0;
};

// A Dispatcher in this process, matching with a road index built for the drill's ground (a
// fraction of a millisecond on data/xizang). After a command that closes or reopens roads the
// index is brought up to date at once (ChIndex::Recontract), where the server does it on a
// thread of its own: simulated time does not wait. The graph must outlive the sink. Not
// thread-safe.
class InProcessSink final : public DrillSink {
 public:
  static Result<std::unique_ptr<InProcessSink>> Create(const RoadGraph& graph,
                                                       std::shared_ptr<const Registry> registry);
  Result<std::vector<Event>> Apply(const TimedCommand& command) override;
  Result<RequestSnapshot> Request(const std::string& request_id) override;

 private:
  InProcessSink(const RoadGraph& graph, Dispatcher dispatcher)
      : graph_(&graph), dispatcher_(std::move(dispatcher)) {}
  const RoadGraph* graph_;
  Dispatcher dispatcher_;
};

// --- The record of a run ---

enum class AssignmentOutcome : std::uint8_t {
  kActive,     // sent, on its way or on scene at the end
  kDelivered,  // reached the scene and was released
  kWithdrawn,  // declined, preempted, cut off, suspended or released before it arrived
  kCancelled,  // its request was cancelled
};
std::string_view ToString(AssignmentOutcome outcome);

struct AssignmentRecord {
  std::string team;
  std::string specialty;
  std::uint32_t units = 0;
  Duration at{};       // when it was assigned (offset)
  TravelTime eta = 0;  // mobilization + travel, the latest known
  TravelTime mobilization = 0;
  std::uint64_t distance_m = 0;
  std::string route;          // the dispatcher's "G318 林芝 -> 波密县 (227.0 km)"
  PlaceId from;               // where the team set out
  std::vector<PlaceId> path;  // places along its road, from `from` to the request
  bool on_scene = false;
  AssignmentOutcome outcome = AssignmentOutcome::kActive;
  std::string why;  // why it was withdrawn
  bool Stands() const {
    return outcome == AssignmentOutcome::kActive || outcome == AssignmentOutcome::kDelivered;
  }
};

struct ShortfallRecord {
  Duration at{};
  std::string specialty;
  std::uint32_t missing = 0;
  std::string why;
};

struct RequestRecord {
  std::string id;
  std::string unit;
  PlaceId place;
  Priority priority = Priority::kUrgent;
  Mode mode = Mode::kEmergency;
  Duration submitted{};
  Duration deadline{};  // offset
  std::vector<RequestLine> lines;
  bool accepted = false;
  std::vector<AssignmentRecord> assignments;
  std::vector<ShortfallRecord> shortfalls;
  std::optional<Duration> filled_at;  // the last time it became filled
  std::optional<Duration> expired_at;
  std::optional<Duration> cancelled_at;
  RequestSnapshot final;  // at the end of the drill
};

struct LogEntry {
  Duration at{};
  std::string what;  // the step, or "time moves on"
  std::string note;
  std::string where;                // the step's place in the scenario file
  std::vector<std::string> events;  // Describe() of each event
  std::string refused;              // the sink's refusal, when the step was refused
};

struct ClosureRecord {
  PlaceId from;
  PlaceId to;
  std::string reason;
  Duration closed{};
  std::optional<Duration> reopened;
};

struct DrillRun {
  std::vector<LogEntry> log;
  std::vector<RequestRecord> requests;  // in submission order
  std::map<std::string, std::size_t> request_index;
  std::vector<ClosureRecord> closures;
  // The state of every request at each checkpoint (offset in ms -> id -> state).
  std::map<std::int64_t, std::map<std::string, RequestSnapshot>> checkpoints;
  std::vector<std::string> refusals;  // "timeline step at +1h (FILE:LINE): refused: ..."

  const RequestRecord* Find(const std::string& id) const {
    auto it = request_index.find(id);
    return it == request_index.end() ? nullptr : &requests[it->second];
  }
};

// Plays `plan` into `sink`. `registry` is the drill's (for teams' home places, to draw their
// roads). Fails only when the sink fails for a reason other than refusing a command.
Result<DrillRun> RunDrill(const DrillPlan& plan, const RoadGraph& graph, const Registry& registry,
                          DrillSink& sink);

}  // namespace baiying::drill
