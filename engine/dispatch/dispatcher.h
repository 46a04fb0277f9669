#pragma once
// Dispatcher: the one place where dispatch state changes.
//
// Matching, per request line: the candidates are the free teams holding the specialty that
// the registry lets serve in the request's mode now, fit for the unit's elevation, in scope;
// they are ranked by ETA = mobilization delay + road time under the closures in force (by the
// road index, or RoadQuery::NearestWithOffsets without one), and the fastest fill the line, a quantity split over as
// many teams as it takes. The scope starts at the unit's county and widens to the prefecture
// and the region whenever the teams in scope cannot fill the line before the deadline. What
// no team can fill is a shortfall; the request stays open and takes teams as they become free
// (release, decline, cancel, duty, roads reopened), most urgent and then oldest first. A
// critical or flash line takes teams on their way to less urgent requests (preemption) to fill
// what no free team can, or in place of its own teams when that saves more than
// options.preemption_min_saving; the requests that lose a team are refilled at once. A batch
// (SubmitBatch) is assigned jointly, most urgent first and then least total ETA
// (engine/match/joint_assignment.h). Apply(command) checks the command, changes requests and teams,
// and returns what happened as events; nothing else changes state. Deterministic: the same commands
// give the same events, byte for byte (ties break by team code and request order), so recovery is
// replay of the accepted commands.
//
// The road index. Given a ChIndex (UseIndex), the matcher asks it instead of searching the
// graph: the dispatcher keeps, per specialty, a CandidateSet of every team holding it, at the
// place where it is now (offset = mobilization delay), changed only when a team moves; whether
// the team is free is a mark on its candidates (a question for free teams passes the others
// over), and the request's rules (mode, vetting, elevation, scope, declines, a member committed
// elsewhere) are a filter the search asks of the free teams it would answer. The
// index answers only while it was built for exactly the arcs closed now (ClosedArcsNow);
// otherwise the exact search does, so a closure counts from the next command on. Preemption
// asks the same sets with its own filter, and the nearer teams passed over are looked for among
// the options.passed_over_window nearest by road, read off the search that chose the teams.
// The same teams, units and ETAs either way (property tests on random worlds and on
// data/xizang). A route found by the index is kept as its outline in the hierarchy and spelled
// (shortcuts unpacked, roads named) when the event is first read (RouteText); its text may
// differ from the exact search's between two routes of exactly the same time.
//
// Not thread-safe: call only from the dispatch strand. The road graph must outlive it; the
// registry snapshot and the index are shared.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/events.h"
#include "engine/registry/registry.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"

namespace baiying {

struct DispatchOptions {
  // --- Explanations ---
  std::uint32_t alternatives_reported = 3;  // next-best teams listed with each assignment
  std::uint32_t passed_over_reported = 5;   // nearer teams not sent, with the reason
  // ... found among this many teams of the specialty nearest the unit by road (in any state).
  // A bound on the work of an explanation: with thousands of teams it stays a small search.
  std::uint32_t passed_over_window = 16;
  // --- Preemption ---
  // A critical or flash request takes a team on its way to a less urgent request in place of
  // one of its own only when that brings help sooner by more than this. (To fill what no free
  // team can, any team on its way will do.)
  Duration preemption_min_saving = std::chrono::minutes(30);
  // --- Surges ---
  // Each line of a batch offers the joint solver its quantity plus this many fastest teams.
  std::uint32_t batch_extra_candidates = 8;
  // --- Snapping ---
  // A position farther than this from every place is refused rather than snapped.
  double max_snap_m = 20'000;

  Status Validate() const;
};

enum class TeamActivity : std::uint8_t {
  kAvailable,
  kAssigned,  // told to go, not yet acknowledged
  kAcknowledged,
  kEnRoute,
  kOnScene,
  kOffDuty,
};
std::string_view ToString(TeamActivity activity);

enum class RequestStatus : std::uint8_t { kOpen, kFilled, kCancelled, kExpired };
std::string_view ToString(RequestStatus status);

struct Assignment {
  std::string team;
  std::uint32_t line = 0;  // index into the request's lines
  std::uint32_t units = 0;
  TravelTime eta = 0;
  Instant assigned_at{};
  TeamActivity activity = TeamActivity::kAssigned;
};

struct LineState {
  SpecialtyId specialty;
  std::string specialty_code;
  std::uint32_t quantity = 0;
  std::uint32_t filled = 0;  // units assigned: active assignments and those delivered
  Scope scope = Scope::kCounty;
  std::uint32_t reported_missing = 0;  // units short in the last Shortfall told (0: none)
};

struct RequestState {
  std::string id;
  std::string unit;
  std::uint64_t order = 0;  // arrival order
  PlaceId place;
  Priority priority = Priority::kUrgent;
  Mode mode = Mode::kEmergency;
  Instant submitted_at{};
  Instant deadline{};
  RequestStatus status = RequestStatus::kOpen;
  std::vector<LineState> lines;
  std::vector<Assignment> assignments;  // active ones
  // The events of the command that accepted it, returned again for the same id; shared by all
  // the requests of one batch.
  std::shared_ptr<const std::vector<Event>> first_answer;

  std::uint32_t Missing() const;
};

struct TeamState {
  TeamActivity activity = TeamActivity::kAvailable;
  PlaceId location;        // where it is now (home, or the scene it was released at)
  std::string request_id;  // while on an assignment
};

// A dispatcher's candidate sets for a road index, filled away from the dispatch strand
// (Dispatcher::PreparePools) from a snapshot of where its teams stand (TeamPlaces), then handed
// to UseIndex. Move-only; opaque.
class PreparedPools {
 public:
  PreparedPools();
  PreparedPools(PreparedPools&&) noexcept;
  PreparedPools& operator=(PreparedPools&&) noexcept;
  ~PreparedPools();

  struct Sets;  // defined where the dispatcher is: nothing to use outside it

 private:
  friend class Dispatcher;
  std::unique_ptr<Sets> sets_;
};

// Where each team of a dispatcher stands (by team id), with the registry snapshot it was taken
// under: what PreparePools needs, copied on the dispatch strand.
struct TeamPlaces {
  std::shared_ptr<const Registry> registry;
  std::vector<PlaceId> location;
};

class Dispatcher {
 public:
  static Result<Dispatcher> Create(const RoadGraph& graph, std::shared_ptr<const Registry> registry,
                                   const DispatchOptions& options = {});

  Dispatcher(Dispatcher&&) noexcept;
  Dispatcher& operator=(Dispatcher&&) noexcept;
  ~Dispatcher();

  // Applies one command. A command that is malformed or not allowed now (unknown team, a
  // decline of a team not assigned, time going backwards) fails with a Status and changes
  // nothing. A well-formed request that cannot be served is accepted or rejected by events.
  Result<std::vector<Event>> Apply(const TimedCommand& command);

  // A fresh dispatcher given every command in order: the events of each, concatenated.
  // Commands that fail are skipped, as they were when first applied.
  static Result<std::vector<Event>> Replay(const RoadGraph& graph,
                                           std::shared_ptr<const Registry> registry,
                                           const DispatchOptions& options,
                                           const std::vector<TimedCommand>& commands);

  // --- Reading the state ---
  Instant now() const;
  const RequestState* FindRequest(const std::string& id) const;
  std::vector<const RequestState*> OpenRequests() const;  // by priority, then order
  const TeamState& team_state(TeamId team) const;
  const Registry& registry() const;
  const ClosureSet& closures() const;

  // --- The road index ---
  // Matches with `index` from now on (null: the exact search only). Rebuilds the candidate
  // sets on it: one small search per team and specialty, each bucket sorted once (about 0.1 s
  // with 5,000 teams on New York, milliseconds on data/xizang).
  // InvalidArgument when the index was built on another graph (ChIndex::Fingerprint).
  Status UseIndex(std::shared_ptr<const ChIndex> index);
  // The same with the sets filled beforehand, off the strand: teams that moved since `prepared`
  // was made are moved in it, which teams are free is marked anew, and the rest is a swap. Sets
  // prepared for another index or under another registry snapshot are refilled here instead.
  Status UseIndex(std::shared_ptr<const ChIndex> index, PreparedPools prepared);
  // Where the teams stand now (on the strand, cheap), and the candidate sets for `index` from
  // it: pure, on any thread (reads only the index, the registry snapshot and `places`).
  TeamPlaces TeamPlacesNow() const;
  static PreparedPools PreparePools(std::shared_ptr<const ChIndex> index,
                                    const TeamPlaces& places);
  const std::shared_ptr<const ChIndex>& index() const;
  // The arcs closed now: what an up-to-date index leaves out (ChIndex::Build, Recontract).
  std::vector<ArcId> ClosedArcsNow() const;
  // Whether the index answers now: there is one and it was built for ClosedArcsNow().
  bool IndexCurrent() const;
  // Matcher questions answered by the index and by the exact search since creation.
  std::uint64_t index_answers() const;
  std::uint64_t exact_answers() const;

 private:
  struct State;
  explicit Dispatcher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace baiying
