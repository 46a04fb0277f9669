#include "adapters/drill/runner.h"

#include <memory>
#include <set>

#include "engine/roads/ch_index.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_query.h"

namespace baiying::drill {

Result<std::unique_ptr<InProcessSink>> InProcessSink::Create(
    const RoadGraph& graph, std::shared_ptr<const Registry> registry) {
  Result<Dispatcher> d = Dispatcher::Create(graph, std::move(registry));
  if (!d.ok()) return d.status();
  Result<ChIndex> index = ChIndex::Build(graph);
  if (!index.ok()) return index.status().WithPrefix("drill: road index");
  BAIYING_RETURN_IF_ERROR(d->UseIndex(std::make_shared<const ChIndex>(std::move(index).value())));
  return std::unique_ptr<InProcessSink>(new InProcessSink(graph, std::move(d).value()));
}

Result<std::vector<Event>> InProcessSink::Apply(const TimedCommand& command) {
  Result<std::vector<Event>> events = dispatcher_.Apply(command);
  if (dispatcher_.index() != nullptr && !dispatcher_.IndexCurrent()) {
    Result<ChIndex> next =
        ChIndex::Recontract(*graph_, *dispatcher_.index(), dispatcher_.ClosedArcsNow());
    if (!next.ok()) return next.status().WithPrefix("drill: road index");
    BAIYING_RETURN_IF_ERROR(
        dispatcher_.UseIndex(std::make_shared<const ChIndex>(std::move(next).value())));
  }
  return events;
}

Result<RequestSnapshot> InProcessSink::Request(const std::string& request_id) {
  const RequestState* r = dispatcher_.FindRequest(request_id);
  if (r == nullptr) return Status::NotFound("no request '" + request_id + "'");
  RequestSnapshot s;
  s.status = r->status;
  for (const LineState& l : r->lines)
    s.lines.push_back({l.specialty_code, l.quantity, l.filled});
  s.missing = r->Missing();
  return s;
}

std::string_view ToString(AssignmentOutcome outcome) {
  switch (outcome) {
    case AssignmentOutcome::kActive:
      return "active";
    case AssignmentOutcome::kDelivered:
      return "delivered";
    case AssignmentOutcome::kWithdrawn:
      return "withdrawn";
    case AssignmentOutcome::kCancelled:
      return "cancelled";
  }
  return "?";
}

namespace {

bool Refusal(StatusCode code) {
  return code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound ||
         code == StatusCode::kFailedPrecondition;
}

// Follows the events into the run's record.
class Recorder {
 public:
  Recorder(const DrillPlan& plan, const RoadGraph& graph, const Registry& registry, DrillRun& run)
      : plan_(plan),
        graph_(graph),
        registry_(registry),
        run_(run),
        closures_(graph),
        query_(graph) {}

  // Requests about to be submitted: their record is made when the dispatcher accepts them.
  void Expect(const Command& command) {
    pending_.clear();
    if (const auto* s = std::get_if<SubmitRequest>(&command)) pending_[s->request_id] = *s;
    if (const auto* b = std::get_if<SubmitBatch>(&command)) {
      for (const SubmitRequest& s : b->requests)
        pending_[s.request_id] = s;
    }
  }

  void Record(const std::vector<Event>& events, Duration t, LogEntry& entry) {
    now_ = t;
    for (const Event& e : events) {
      entry.events.push_back(Describe(e));
      std::visit([&](const auto& x) { On(x); }, e);
    }
  }

 private:
  RequestRecord* Find(const std::string& id) {
    auto it = run_.request_index.find(id);
    return it == run_.request_index.end() ? nullptr : &run_.requests[it->second];
  }

  PlaceId Location(const std::string& team) {
    auto it = location_.find(team);
    if (it != location_.end()) return it->second;
    Result<TeamId> t = registry_.FindTeam(team);
    PlaceId home = kNoPlace;
    if (t.ok()) {
      Result<PlaceId> p = graph_.FindPlace(registry_.team(*t).home_place);
      if (p.ok()) home = *p;
    }
    location_[team] = home;
    return home;
  }

  AssignmentRecord* Current(const std::string& team) {
    auto it = current_.find(team);
    if (it == current_.end()) return nullptr;
    RequestRecord* r = Find(it->second.first);
    return r == nullptr ? nullptr : &r->assignments[it->second.second];
  }

  void Withdraw(const std::string& team, AssignmentOutcome outcome, std::string why) {
    if (AssignmentRecord* a = Current(team)) {
      a->outcome = outcome;
      a->why = std::move(why);
    }
    current_.erase(team);
  }

  void On(const RequestAccepted& e) {
    auto it = pending_.find(e.request_id);
    if (it == pending_.end() || Find(e.request_id) != nullptr) return;
    const SubmitRequest& s = it->second;
    RequestRecord r;
    r.id = s.request_id;
    r.unit = s.unit;
    r.place = e.place;
    r.priority = s.priority;
    r.mode = s.mode;
    r.submitted = now_;
    r.deadline = s.deadline - plan_.start;
    r.lines = s.lines;
    r.accepted = true;
    run_.request_index[r.id] = run_.requests.size();
    run_.requests.push_back(std::move(r));
  }

  void On(const TeamAssigned& e) {
    RequestRecord* r = Find(e.request_id);
    if (r == nullptr) return;
    AssignmentRecord a;
    a.team = e.team;
    a.specialty = e.specialty;
    a.units = e.units;
    a.at = now_;
    a.eta = e.explanation.eta;
    a.mobilization = e.explanation.mobilization;
    a.distance_m = e.explanation.route.distance_m();
    a.route = e.explanation.route.text();
    a.from = Location(e.team);
    if (a.from.valid()) {
      Result<Route> route =
          query_.ShortestRoute(a.from, r->place, QueryContext{&closures_, plan_.start + now_});
      a.path.push_back(a.from);
      if (route.ok()) {
        for (ArcId arc : route->arcs)
          a.path.push_back(graph_.head(arc));
      }
    }
    current_[e.team] = {e.request_id, r->assignments.size()};
    r->assignments.push_back(std::move(a));
  }

  void On(const Shortfall& e) {
    if (RequestRecord* r = Find(e.request_id)) {
      r->shortfalls.push_back({now_, e.specialty, e.missing, e.why});
    }
  }
  void On(const ScopeWidened&) {}
  void On(const RequestFilled& e) {
    if (RequestRecord* r = Find(e.request_id)) r->filled_at = now_;
  }
  void On(const AssignmentAcknowledged&) {}
  void On(const AssignmentDeclined& e) {
    Withdraw(e.team, AssignmentOutcome::kWithdrawn, "declined: " + e.reason);
  }
  void On(const TeamEnRoute&) {}
  void On(const TeamOnScene& e) {
    if (AssignmentRecord* a = Current(e.team)) a->on_scene = true;
  }
  void On(const TeamReleased& e) {
    if (AssignmentRecord* a = Current(e.team)) {
      if (a->on_scene) {
        a->outcome = AssignmentOutcome::kDelivered;
      } else {
        auto why = suspended_why_.find(e.team);
        a->outcome = AssignmentOutcome::kWithdrawn;
        a->why = why != suspended_why_.end() ? why->second : "released before it arrived";
      }
      current_.erase(e.team);
    }
    location_[e.team] = e.at;
  }
  void On(const TeamDutyChanged&) {}
  void On(const TeamSuspensionChanged& e) {
    if (e.suspended) {
      suspended_why_[e.team] = "suspended: " + e.reason;
    } else {
      suspended_why_.erase(e.team);
    }
  }
  void On(const RequestCancelled& e) {
    RequestRecord* r = Find(e.request_id);
    if (r == nullptr) return;
    r->cancelled_at = now_;
    for (AssignmentRecord& a : r->assignments) {
      if (a.outcome != AssignmentOutcome::kActive) continue;
      a.outcome = AssignmentOutcome::kCancelled;
      a.why = "request cancelled: " + e.reason;
      current_.erase(a.team);
    }
  }
  void On(const RequestExpired& e) {
    if (RequestRecord* r = Find(e.request_id)) r->expired_at = now_;
  }
  void On(const RoadClosed& e) {
    Result<std::vector<ClosureId>> ids =
        closures_.CloseBetween(e.from, e.to, e.reason, plan_.start + now_);
    if (ids.ok()) road_ids_[{e.from, e.to}] = *ids;
    run_.closures.push_back({e.from, e.to, e.reason, now_, std::nullopt});
  }
  void On(const RoadReopened& e) {
    for (auto key : {std::pair{e.from, e.to}, std::pair{e.to, e.from}}) {
      auto it = road_ids_.find(key);
      if (it == road_ids_.end()) continue;
      for (ClosureId id : it->second)
        (void)closures_.Reopen(id);
      road_ids_.erase(it);
    }
    for (ClosureRecord& c : run_.closures) {
      const bool same = (c.from == e.from && c.to == e.to) || (c.from == e.to && c.to == e.from);
      if (same && !c.reopened) c.reopened = now_;
    }
  }
  void On(const EtaChanged& e) {
    if (e.new_eta == kInfiniteTime) {
      Withdraw(e.team, AssignmentOutcome::kWithdrawn, "cut off by a closed road");
    } else if (AssignmentRecord* a = Current(e.team)) {
      a->eta = e.new_eta;
    }
  }
  void On(const TeamPreempted& e) {
    Withdraw(e.team, AssignmentOutcome::kWithdrawn, "taken by the more urgent " + e.to_request);
  }

  const DrillPlan& plan_;
  const RoadGraph& graph_;
  const Registry& registry_;
  DrillRun& run_;
  ClosureSet closures_;  // the closures as the events told them, to draw the roads taken
  RoadQuery query_;
  Duration now_{};
  std::map<std::string, SubmitRequest> pending_;
  std::map<std::string, PlaceId> location_;
  std::map<std::string, std::pair<std::string, std::size_t>> current_;  // team -> request, index
  std::map<std::string, std::string> suspended_why_;
  std::map<std::pair<PlaceId, PlaceId>, std::vector<ClosureId>> road_ids_;
};

}  // namespace

Result<DrillRun> RunDrill(const DrillPlan& plan, const RoadGraph& graph, const Registry& registry,
                          DrillSink& sink) {
  DrillRun run;
  Recorder recorder(plan, graph, registry, run);
  std::set<Duration> times(plan.checkpoints.begin(), plan.checkpoints.end());
  for (const PlannedStep& s : plan.steps)
    times.insert(s.at);
  times.insert(plan.end);
  const std::set<Duration> checkpoints(plan.checkpoints.begin(), plan.checkpoints.end());

  std::size_t next = 0;
  for (Duration t : times) {
    bool stepped = false;
    while (next < plan.steps.size() && plan.steps[next].at == t) {
      const PlannedStep& step = plan.steps[next++];
      stepped = true;
      LogEntry entry{t, step.what, step.note, step.where, {}, {}};
      for (const Command& command : step.commands) {
        recorder.Expect(command);
        Result<std::vector<Event>> events = sink.Apply({plan.start + t, command});
        if (!events.ok()) {
          if (!Refusal(events.status().code())) return events.status();
          entry.refused = events.status().message();
          run.refusals.push_back("step at " + FormatOffset(t) + " (" + step.where + ", " +
                                 step.what + "): refused: " + entry.refused);
          continue;
        }
        recorder.Record(*events, t, entry);
      }
      run.log.push_back(std::move(entry));
    }
    if (!stepped) {
      Result<std::vector<Event>> events = sink.Apply({plan.start + t, AdvanceTime{}});
      if (!events.ok()) return events.status();
      if (!events->empty()) {
        LogEntry entry{t, "time moves on", {}, {}, {}, {}};
        recorder.Record(*events, t, entry);
        run.log.push_back(std::move(entry));
      }
    }
    if (checkpoints.contains(t) || t == plan.end) {
      auto& states = run.checkpoints[t.count()];
      for (RequestRecord& r : run.requests) {
        Result<RequestSnapshot> s = sink.Request(r.id);
        if (!s.ok()) return s.status();
        states[r.id] = *s;
        if (t == plan.end) r.final = *s;
      }
    }
  }
  return run;
}

}  // namespace baiying::drill
