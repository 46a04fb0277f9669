#include "engine/dispatch/dispatcher.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "engine/core/enum_names.h"
#include "engine/match/joint_assignment.h"

namespace baiying {
namespace {

constexpr NameTable<TeamActivity, 6> kActivities = {{{TeamActivity::kAvailable, "available"},
                                                     {TeamActivity::kAssigned, "assigned"},
                                                     {TeamActivity::kAcknowledged, "acknowledged"},
                                                     {TeamActivity::kEnRoute, "en_route"},
                                                     {TeamActivity::kOnScene, "on_scene"},
                                                     {TeamActivity::kOffDuty, "off_duty"}}};
constexpr NameTable<RequestStatus, 4> kRequestStatuses = {{{RequestStatus::kOpen, "open"},
                                                           {RequestStatus::kFilled, "filled"},
                                                           {RequestStatus::kCancelled, "cancelled"},
                                                           {RequestStatus::kExpired, "expired"}}};

TravelTime ToTravel(Duration d) {
  const auto ms = d.count();
  if (ms <= 0) return 0;
  if (ms >= static_cast<std::int64_t>(kInfiniteTime)) return kInfiniteTime - 1;
  return static_cast<TravelTime>(ms);
}

bool OnTheWay(TeamActivity a) {
  return a == TeamActivity::kAssigned || a == TeamActivity::kAcknowledged ||
         a == TeamActivity::kEnRoute;
}

std::pair<std::uint32_t, std::uint32_t> RoadKey(PlaceId a, PlaceId b) {
  return std::minmax(a.value(), b.value());
}

// The arcs along a path of places: between two places, the arc of least time that open(arc)
// allows (parallel arcs differ in time and closures).
template <typename Open>
std::vector<ArcId> ArcsAlong(const RoadGraph& graph, std::span<const PlaceId> places, Open&& open) {
  std::vector<ArcId> arcs;
  for (std::size_t i = 1; i < places.size(); ++i) {
    ArcId best = kNoArc;
    for (std::uint32_t a = graph.first_out(places[i - 1]); a < graph.end_out(places[i - 1]); ++a) {
      const ArcId arc(a);
      if (graph.head(arc) != places[i] || !open(arc)) continue;
      if (!best.valid() || graph.travel_time(arc) < graph.travel_time(best)) best = arc;
    }
    if (best.valid()) arcs.push_back(best);
  }
  return arcs;
}

// "G318 林芝 -> 波密县 (227 km); link ..." and the length, from a route's legs.
void SpellLegs(const RoadGraph& graph, const std::vector<RouteLeg>& legs, std::string& text,
               std::uint64_t& distance_m) {
  text.clear();
  distance_m = 0;
  for (const RouteLeg& leg : legs) {
    if (!text.empty()) text += "; ";
    text += (leg.road_ref.empty() ? std::string("link") : leg.road_ref) + " " +
            graph.place(leg.from).name + " -> " + graph.place(leg.to).name + " (" +
            std::to_string(leg.length_m / 1000) + " km)";
    distance_m += leg.length_m;
  }
  if (text.empty()) text = "already there";
}

RouteText SpelledRoute(const RoadGraph& graph, const std::vector<RouteLeg>& legs) {
  std::string text;
  std::uint64_t distance_m = 0;
  SpellLegs(graph, legs, text, distance_m);
  return RouteText(std::move(text), distance_m);
}

// A route found by the road index, kept as the ranks it passes in the hierarchy and spelled
// when first read: the shortcuts unpacked, between two places the fastest arc the index kept
// (the arcs closed when the route was found are those it left out).
class OutlinedRoute final : public RouteText::Source {
 public:
  OutlinedRoute(const RoadGraph& graph, std::shared_ptr<const ChIndex> index,
                std::vector<std::uint32_t> ranks)
      : graph_(&graph), index_(std::move(index)), ranks_(std::move(ranks)) {}

  void Spell(std::string& text, std::uint64_t& distance_m) const override {
    const std::vector<PlaceId> places = index_->Unpack(ranks_);
    const std::span<const ArcId> closed = index_->closed_arcs();
    const std::vector<ArcId> arcs = ArcsAlong(*graph_, places, [closed](ArcId arc) {
      return !std::binary_search(closed.begin(), closed.end(), arc);
    });
    SpellLegs(*graph_, SummarizeLegs(*graph_, arcs), text, distance_m);
  }

 private:
  const RoadGraph* graph_;
  std::shared_ptr<const ChIndex> index_;
  std::vector<std::uint32_t> ranks_;
};

}  // namespace

std::string_view ToString(TeamActivity activity) {
  return NameOf(kActivities, activity);
}
std::string_view ToString(RequestStatus status) {
  return NameOf(kRequestStatuses, status);
}

Status DispatchOptions::Validate() const {
  if (!(max_snap_m > 0)) return Status::InvalidArgument("dispatch options: max_snap_m must be > 0");
  if (preemption_min_saving.count() < 0) {
    return Status::InvalidArgument("dispatch options: preemption_min_saving must be >= 0");
  }
  return Status::Ok();
}

std::uint32_t RequestState::Missing() const {
  std::uint32_t missing = 0;
  for (const LineState& l : lines)
    missing += l.quantity - std::min(l.filled, l.quantity);
  return missing;
}

struct PreparedPools::Sets {
  std::shared_ptr<const ChIndex> index;
  std::shared_ptr<const Registry> registry;
  std::vector<std::unique_ptr<CandidateSet>> pools;  // by specialty
  std::vector<PlaceId> placed_at;                    // by team: where its entries are
};

PreparedPools::PreparedPools() = default;
PreparedPools::PreparedPools(PreparedPools&&) noexcept = default;
PreparedPools& PreparedPools::operator=(PreparedPools&&) noexcept = default;
PreparedPools::~PreparedPools() = default;

namespace {

// The specialties `team` holds: those it has capacity for, in the registry's order. What the
// dispatcher keeps per team, and what the candidate sets are filled by.
std::vector<SpecialtyId> SpecialtiesHeld(const Registry& reg, TeamId team) {
  std::vector<SpecialtyId> held;
  for (const Specialty& s : reg.specialties()) {
    if (reg.Capacity(team, s.id) > 0) held.push_back(s.id);
  }
  return held;
}

// One candidate set per specialty on `index`, each with every team holding the specialty at
// its place in `places`, offset by its mobilization delay: pure (any thread).
PreparedPools::Sets FillPools(std::shared_ptr<const ChIndex> index, const TeamPlaces& places) {
  PreparedPools::Sets sets;
  const Registry& reg = *places.registry;
  std::vector<std::vector<OffsetTarget>> targets(reg.specialties().size());
  for (const Team& t : reg.teams()) {
    const std::uint32_t i = t.id.value();
    if (i >= places.location.size()) continue;
    for (SpecialtyId s : SpecialtiesHeld(reg, t.id))
      targets[s.value()].push_back({places.location[i], ToTravel(t.mobilization_delay), i});
  }
  for (const std::vector<OffsetTarget>& of_specialty : targets) {
    sets.pools.push_back(std::make_unique<CandidateSet>(*index));
    sets.pools.back()->AddAll(of_specialty);
  }
  sets.placed_at = places.location;
  sets.index = std::move(index);
  sets.registry = places.registry;
  return sets;
}

}  // namespace

struct Dispatcher::State {
  const RoadGraph* graph;
  std::shared_ptr<const Registry> registry;
  DispatchOptions options;
  ClosureSet closures;
  RoadQuery query;
  Instant now{};
  bool started = false;
  std::uint64_t next_order = 0;

  std::map<std::string, RequestState> requests;
  std::vector<TeamState> teams;             // by TeamId
  std::vector<PlaceId> home;                // by TeamId
  std::vector<std::uint32_t> committed;     // by PersonId: active assignments of their teams
  std::vector<std::uint32_t> place_county;  // by PlaceId: county adcode, 0 when unknown
  // By TeamId, what the matcher asks of every candidate it meets, in one record of 12 bytes
  // instead of several arrays and the team's registry record (a cache line each).
  struct TeamRules {
    std::uint32_t home_county = 0;   // place_county of its home
    std::int32_t max_elevation_m = 0;
    std::uint8_t free = 1;           // free to go (SyncTeam)
    std::uint8_t shares_people = 0;  // a person of it serves in another team too: only then
                                     // can a free team have a member committed elsewhere
  };
  std::vector<TeamRules> rules;
  std::map<std::string, std::set<std::string>> declined;  // request id -> teams that declined
  // By team: the reason of a suspension in force (over the registry's status), if any.
  std::vector<std::optional<std::string>> suspension;
  // By team, while on an assignment: the priority of its request (what preemption compares).
  std::vector<Priority> serving_priority;
  std::vector<std::int32_t> free_count;  // by specialty: teams holding it that are free
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<ClosureId>> road_closures;

  State(const RoadGraph& g, std::shared_ptr<const Registry> r, const DispatchOptions& o)
      : graph(&g), registry(std::move(r)), options(o), closures(g), query(g) {}

  // --- The road index (see dispatcher.h) ---
  std::shared_ptr<const ChIndex> index;
  std::unique_ptr<ChQuery> ch;
  // By specialty: every team holding it, at its current place; each question filters by the
  // team's state (free, on its way) as well as by the request's rules.
  std::vector<std::unique_ptr<CandidateSet>> pools;
  std::vector<PlaceId> pooled_at;                        // by team: where its entries are
  std::vector<std::vector<SpecialtyId>> specialties_of;  // by team: those with capacity
  std::uint64_t graph_fingerprint = 0;                   // 0 until first needed
  std::uint64_t index_answers = 0;
  std::uint64_t exact_answers = 0;
  // Whether the index fits the closures now, cached by the closures' version and the time.
  mutable std::uint64_t fit_version = ~std::uint64_t{0};
  mutable Instant fit_at{};
  mutable bool fit = false;

  bool IndexFitsNow() const {
    if (index == nullptr) return false;
    if (closures.empty()) return index->closed_arcs().empty();
    if (fit_version != closures.version() || fit_at != now) {
      fit = index->BuiltFor(closures.ClosedArcsAt(now));
      fit_version = closures.version();
      fit_at = now;
    }
    return fit;
  }

  bool IsFree(TeamId t) const {
    return rules[t.value()].free != 0;
  }

  // Notes whether the team is free to go (on duty, not on an assignment, not suspended) and
  // puts its index entries at its current place in the pool of each of its specialties.
  // Cheap when it has not moved; call after every change of a team's activity, place or
  // suspension.
  void SyncTeam(TeamId t) {
    const std::uint32_t i = t.value();
    const std::uint8_t is_free =
        teams[i].activity == TeamActivity::kAvailable && !suspension[i].has_value();
    if (is_free != rules[i].free) {
      rules[i].free = is_free;
      for (SpecialtyId s : specialties_of[i])
        free_count[s.value()] += is_free ? 1 : -1;
    }
    if (index == nullptr) return;
    const PlaceId at = teams[i].location;
    if (pooled_at[i] != at) {
      const OffsetTarget target{at, ToTravel(team(t).mobilization_delay), i};
      for (SpecialtyId s : specialties_of[i]) {
        CandidateSet& pool = *pools[s.value()];
        pool.Remove(i);
        pool.Add(target);
      }
      pooled_at[i] = at;
    }
    // Free teams are the pools' available candidates: a question for free teams passes the
    // others over without asking MayGo.
    for (SpecialtyId s : specialties_of[i])
      pools[s.value()]->SetAvailable(i, is_free != 0);
  }

  TeamPlaces PlacesNow() const {
    TeamPlaces places{registry, {}};
    places.location.reserve(teams.size());
    for (const TeamState& ts : teams)
      places.location.push_back(ts.location);
    return places;
  }

  // `prepared`: sets filled off the strand (null: filled here).
  Status UseIndex(std::shared_ptr<const ChIndex> new_index, PreparedPools::Sets* prepared) {
    if (new_index != nullptr) {
      if (graph_fingerprint == 0) graph_fingerprint = ChIndex::Fingerprint(*graph);
      if (new_index->graph_fingerprint() != graph_fingerprint ||
          new_index->place_count() != graph->place_count()) {
        return Status::InvalidArgument(
            "dispatcher: the road index was built on another graph or travel model");
      }
    }
    ch.reset();
    pools.clear();
    index = std::move(new_index);
    fit_version = ~std::uint64_t{0};
    pooled_at.assign(teams.size(), kNoPlace);
    if (index == nullptr) return Status::Ok();
    ch = std::make_unique<ChQuery>(*index, *graph);
    PreparedPools::Sets here;
    if (prepared == nullptr || prepared->index != index || prepared->registry != registry ||
        prepared->placed_at.size() != teams.size()) {
      here = FillPools(index, PlacesNow());
      prepared = &here;
    }
    pools = std::move(prepared->pools);
    pooled_at = std::move(prepared->placed_at);
    // Teams that moved since the snapshot are moved in the sets; every team's free mark is set.
    for (std::uint32_t i = 0; i < teams.size(); ++i)
      SyncTeam(TeamId(i));
    return Status::Ok();
  }

  // Ids of the requests whose status is kOpen: every command looks at these, not at all. The
  // same, by deadline: expiry looks only at those due, however many are open.
  std::set<std::string> open_ids;
  std::set<std::pair<Instant, std::string>> open_by_deadline;

  void SetStatus(RequestState& r, RequestStatus status) {
    r.status = status;
    if (status == RequestStatus::kOpen) {
      open_ids.insert(r.id);
      open_by_deadline.emplace(r.deadline, r.id);
    } else {
      open_ids.erase(r.id);
      open_by_deadline.erase({r.deadline, r.id});
    }
  }

  QueryContext Context() const { return {&closures, now}; }
  const Team& team(TeamId id) const { return registry->team(id); }

  // --- Eligibility ---

  bool InScope(TeamId t, const RequestState& r, Scope scope) const {
    const std::uint32_t team_county = rules[t.value()].home_county;
    const std::uint32_t unit_county = place_county[r.place.value()];
    switch (scope) {
      case Scope::kCounty:
        return team_county == unit_county;
      case Scope::kPrefecture:
        return team_county / 100 == unit_county / 100;
      case Scope::kRegion:
        return true;
    }
    return true;
  }

  // Whether a member of `t` is committed through a team other than `t` (itself busy).
  bool MemberCommittedElsewhere(TeamId t) const {
    for (PersonId p : registry->members_of(t)) {
      if (committed[p.value()] > 1) return true;
    }
    return false;
  }

  bool MemberCommitted(TeamId t) const {
    for (PersonId p : registry->members_of(t)) {
      if (committed[p.value()] > 0) return true;
    }
    return false;
  }

  // What keeps `t` from going to `r` now within `scope`, the first found in a fixed order;
  // kNone when it may go. No words are built: the matcher asks it of every team it would answer.
  enum class Bar : std::uint8_t {
    kNone,
    kOffDuty,
    kSuspended,
    kBusy,
    kNotDispatchable,  // the registry's rules: status, mode, vetting, agreements
    kTooHigh,
    kOutOfScope,
    kDeclined,
    kMemberCommitted,
  };
  Bar BarOf(TeamId t, const RequestState& r, Scope scope) const {
    if (!IsFree(t)) {
      if (teams[t.value()].activity == TeamActivity::kOffDuty) return Bar::kOffDuty;
      if (suspension[t.value()].has_value()) return Bar::kSuspended;
      return Bar::kBusy;
    }
    if (!registry->Dispatchable(t, r.mode, now)) return Bar::kNotDispatchable;
    const TeamRules& rule = rules[t.value()];
    if (rule.max_elevation_m < graph->place(r.place).elevation_m) return Bar::kTooHigh;
    if (!InScope(t, r, scope)) return Bar::kOutOfScope;
    if (auto it = declined.find(r.id); it != declined.end() && it->second.contains(team(t).code)) {
      return Bar::kDeclined;
    }
    // A free team's own people are committed by no assignment of its own.
    if (rule.shares_people != 0 && MemberCommitted(t)) return Bar::kMemberCommitted;
    return Bar::kNone;
  }

  bool MayGo(TeamId t, const RequestState& r, Scope scope) const {
    return BarOf(t, r, scope) == Bar::kNone;
  }

  // Why `t` may not go to `r` now, in words, or "" when it may.
  std::string Obstacle(TeamId t, const RequestState& r, Scope scope) const {
    switch (BarOf(t, r, scope)) {
      case Bar::kNone:
        return "";
      case Bar::kOffDuty:
        return "off duty";
      case Bar::kSuspended:
        return "team suspended: " + *suspension[t.value()];
      case Bar::kBusy:
        return "busy with request " + teams[t.value()].request_id;
      case Bar::kNotDispatchable:
        return registry->Judge(t, r.mode, now).hindrances.front().detail;
      case Bar::kTooHigh:
        return "not fit above " + std::to_string(team(t).max_work_elevation_m) +
               " m (the unit is at " + std::to_string(graph->place(r.place).elevation_m) + " m)";
      case Bar::kOutOfScope:
        return "outside the " + std::string(ToString(scope)) + " scope";
      case Bar::kDeclined:
        return "declined this request";
      case Bar::kMemberCommitted:
        return "a member is committed with another team";
    }
    return "";
  }

  // --- The matcher's question ---

  // Which teams of a pool a question reads: the free ones (a team that may go is free), or
  // all (preemption looks for teams on their way elsewhere).
  enum class Among : std::uint8_t { kFree, kAll };

  // The `k` teams of `specialty` that may go to `r` within `scope` (MayGo) with the least ETA,
  // by (ETA, team id).
  std::vector<OffsetReach> BestTeams(const RequestState& r, SpecialtyId specialty, Scope scope,
                                     std::uint32_t k) {
    if (free_count[specialty.value()] == 0) {
      last_by_index = false;  // no search was made: none to read routes or neighbours off
      return {};  // none free: a search would read every team of the specialty for nothing
    }
    return Best(r, specialty, k, Among::kFree, [&](TeamId t) { return MayGo(t, r, scope); });
  }

  // The `k` teams of `specialty` for which allowed(team) holds with the least ETA to `r`, by
  // (ETA, team id): by the index when it fits the closures now (the specialty's pool, the
  // filter asked within the search), else by the exact search over every allowed team. With
  // Among::kFree, `allowed` must hold of free teams only. Sets last_by_index for the routes.
  template <typename Allowed>
  std::vector<OffsetReach> Best(const RequestState& r, SpecialtyId specialty, std::uint32_t k,
                                Among among, Allowed&& allowed) {
    std::vector<OffsetReach> out;
    last_by_index = IndexFitsNow();
    if (last_by_index) {
      ++index_answers;
      const CandidateSet& pool = *pools[specialty.value()];
      const NearestOptions question{k, kInfiniteTime};
      auto ask = [&allowed](std::uint32_t tag) { return allowed(TeamId(tag)); };
      const std::span<const OffsetReach> found =
          among == Among::kFree ? ch->NearestAvailable(r.place, pool, question, ask)
                                : ch->NearestInIndex(r.place, pool, question, ask);
      out.assign(found.begin(), found.end());
      return out;
    }
    ++exact_answers;
    std::vector<OffsetTarget> targets;
    for (const Team& t : registry->teams()) {
      if (registry->Capacity(t.id, specialty) == 0 || !allowed(t.id)) continue;
      targets.push_back(
          {teams[t.id.value()].location, ToTravel(t.mobilization_delay), t.id.value()});
    }
    if (targets.empty()) return out;
    const std::span<const OffsetReach> found =
        query.NearestWithOffsets(r.place, Direction::kToPlace, targets, {k}, Context());
    out.assign(found.begin(), found.end());
    return out;
  }
  bool last_by_index = false;

  // --- Explanations ---

  // The road a team takes to the unit, read off the search that found it (the last search
  // made by `query`, towards the unit).
  RouteText RouteFromLastSearch(PlaceId team_place) const {
    return SpelledRoute(*graph, SummarizeLegs(*graph, query.PathOfLastSearch(team_place)));
  }
  // A route found by the index, to be spelled when read.
  RouteText Outlined(ChQuery::AnswerRoute route) const {
    return RouteText(std::make_shared<const OutlinedRoute>(*graph, index, std::move(route.ranks)));
  }
  // The route of a team in the last answer of Best() to `r`: read off the exact search's tree,
  // or kept from the index's answer.
  RouteText RouteOfLastAnswer(const RequestState& r, const OffsetReach& reach) {
    if (!last_by_index) return RouteFromLastSearch(reach.place);
    if (std::optional<ChQuery::AnswerRoute> kept = ch->KeepRouteOfLastAnswer(reach.tag)) {
      return Outlined(std::move(*kept));
    }
    return RouteBetween(reach.place, r.place);
  }
  // A fastest route from `from` to `to` under the closures now.
  RouteText RouteBetween(PlaceId from, PlaceId to) {
    if (IndexFitsNow()) {
      const std::vector<PlaceId> places = ch->Path(from, to);
      if (places.empty()) return RouteText("no route", 0);
      return SpelledRoute(*graph, SummarizeLegs(*graph, ArcsAlong(*graph, places, [&](ArcId arc) {
                                                  return closures.ArcOpen(arc, now);
                                                })));
    }
    Result<Route> found = query.ShortestRoute(from, to, Context());
    return found.ok() ? SpelledRoute(*graph, found->legs) : RouteText("no route", 0);
  }

  // The options.passed_over_window teams of `specialty` nearest the unit of `r` by road, in
  // any state, within `travel_bound` (by travel, then id): where the nearer teams passed over
  // are looked for. `after_question`: the last question asked was BestTeams for this line,
  // whose search the index reads again.
  std::vector<OffsetReach> NearByRoad(const RequestState& r, SpecialtyId specialty,
                                      TravelTime travel_bound, bool after_question) {
    std::vector<OffsetReach> near;
    if (options.passed_over_reported == 0 || options.passed_over_window == 0) return near;
    const NearestOptions window{options.passed_over_window, travel_bound};
    if (IndexFitsNow()) {
      const std::span<const OffsetReach> found =
          after_question && last_by_index
              ? ch->NearestByTravelAgain(window)
              : ch->NearestByTravel(r.place, *pools[specialty.value()], window);
      near.assign(found.begin(), found.end());
      return near;
    }
    std::vector<OffsetTarget> all;
    for (const Team& t : registry->teams()) {
      if (registry->Capacity(t.id, specialty) == 0) continue;
      all.push_back({teams[t.id.value()].location, 0, t.id.value()});
    }
    const std::span<const OffsetReach> found =
        query.NearestWithOffsets(r.place, Direction::kToPlace, all, window, Context());
    near.assign(found.begin(), found.end());
    return near;
  }

  // Of `near` (NearByRoad), those within `travel_bound` that may not go to `r` now, with the
  // reason: the nearer teams passed over. (The nearest within a bound are the first of the
  // nearest within a larger one.)
  std::vector<PassedOver> PassedOverAmong(const RequestState& r, Scope scope,
                                          std::span<const OffsetReach> near,
                                          TravelTime travel_bound) {
    std::vector<PassedOver> out;
    for (const OffsetReach& n : near) {
      if (n.travel > travel_bound || out.size() == options.passed_over_reported) break;
      const TeamId t(n.tag);
      if (MayGo(t, r, scope)) continue;  // the reason's words only for those that may not
      out.push_back({team(t).code, n.travel, Obstacle(t, r, scope)});
    }
    return out;
  }

  // --- Assignment ---

  void Commit(TeamId t, int delta) {
    for (PersonId p : registry->members_of(t)) {
      committed[p.value()] =
          static_cast<std::uint32_t>(static_cast<int>(committed[p.value()]) + delta);
    }
  }

  void Assign(RequestState& r, std::uint32_t line_index, TeamId t, const OffsetReach& reach,
              std::uint32_t units, RouteText route, std::vector<Alternative> alternatives,
              std::vector<PassedOver> passed_over, std::vector<Event>& events) {
    LineState& line = r.lines[line_index];
    TeamState& ts = teams[t.value()];
    Explanation why;
    why.eta = reach.total;
    why.travel = reach.travel;
    why.mobilization = reach.total - reach.travel;
    why.route = std::move(route);
    why.late = now + ToDuration(reach.total) > r.deadline;
    why.alternatives = std::move(alternatives);
    why.passed_over = std::move(passed_over);
    ts.activity = TeamActivity::kAssigned;
    ts.request_id = r.id;
    serving_priority[t.value()] = r.priority;
    SyncTeam(t);
    Commit(t, +1);
    line.filled += units;
    r.assignments.push_back(
        {team(t).code, line_index, units, reach.total, now, TeamActivity::kAssigned});
    events.push_back(TeamAssigned{r.id, team(t).code, line.specialty_code, units, std::move(why)});
  }

  // Fills what is missing of one line from the fastest free teams, widening the scope when the
  // current one cannot fill it before the deadline. Returns the units still missing.
  std::uint32_t FillLine(RequestState& r, std::uint32_t line_index, std::vector<Event>& events) {
    LineState& line = r.lines[line_index];
    while (line.filled < line.quantity) {
      const std::uint32_t need = line.quantity - line.filled;
      const std::vector<OffsetReach> reaches =
          BestTeams(r, line.specialty, line.scope, need + options.alternatives_reported);

      // Which of them fill the line, fastest first, and whether they do it in time.
      std::uint32_t covered = 0, taken = 0;
      bool in_time = true;
      for (const OffsetReach& reach : reaches) {
        if (covered >= need) break;
        covered += std::min(registry->Capacity(TeamId(reach.tag), line.specialty), need - covered);
        in_time = in_time && now + ToDuration(reach.total) <= r.deadline;
        ++taken;
      }
      if ((covered < need || !in_time) && line.scope != Scope::kRegion) {
        const Scope wider = static_cast<Scope>(static_cast<int>(line.scope) + 1);
        events.push_back(ScopeWidened{r.id, line.specialty_code, line.scope, wider});
        line.scope = wider;
        continue;
      }
      if (taken == 0) break;
      std::vector<RouteText> routes;
      for (std::uint32_t i = 0; i < taken; ++i)
        routes.push_back(RouteOfLastAnswer(r, reaches[i]));
      const TravelTime slowest_travel = reaches[taken - 1].travel;
      std::vector<PassedOver> passed = PassedOverAmong(
          r, line.scope, NearByRoad(r, line.specialty, slowest_travel, /*after_question=*/true),
          slowest_travel);
      bool skipped = false;
      for (std::uint32_t i = 0; i < taken; ++i) {
        // An earlier team of this same line may have committed a person this one shares.
        if (!MayGo(TeamId(reaches[i].tag), r, line.scope)) {
          skipped = true;
          continue;
        }
        std::vector<Alternative> alternatives;
        for (std::uint32_t j = taken;
             j < reaches.size() && alternatives.size() < options.alternatives_reported; ++j) {
          alternatives.push_back({team(TeamId(reaches[j].tag)).code, reaches[j].total});
        }
        const TeamId t(reaches[i].tag);
        const std::uint32_t units =
            std::min(registry->Capacity(t, line.specialty), line.quantity - line.filled);
        std::vector<PassedOver> nearer;
        for (const PassedOver& p : passed) {
          if (p.travel < reaches[i].travel) nearer.push_back(p);
        }
        Assign(r, line_index, t, reaches[i], units, std::move(routes[i]), std::move(alternatives),
               std::move(nearer), events);
      }
      if (skipped && line.filled < line.quantity) continue;  // search again without them
      break;
    }
    if (r.priority >= Priority::kCritical) Preempt(r, line_index, events);
    return line.quantity - std::min(line.filled, line.quantity);
  }

  // A critical or flash line still short takes teams on their way to less urgent requests.
  // A critical or flash line takes teams on their way to less urgent requests: to fill what
  // no free team can (any team is sooner than none), and in place of a team of its own that
  // would arrive more than options.preemption_min_saving later. The requests that lose a team
  // are refilled at once (holder_refill_).
  void Preempt(RequestState& r, std::uint32_t line_index, std::vector<Event>& events) {
    LineState& line = r.lines[line_index];
    auto preemptible = [&](TeamId id) {
      const Team& t = team(id);
      const TeamState& ts = teams[id.value()];
      if (!OnTheWay(ts.activity)) return false;
      if (serving_priority[id.value()] >= r.priority) return false;
      if (auto d = declined.find(r.id); d != declined.end() && d->second.contains(t.code)) {
        return false;
      }
      if (MemberCommittedElsewhere(id) || suspension[id.value()].has_value()) return false;
      if (!registry->Dispatchable(id, r.mode, now)) return false;
      return t.max_work_elevation_m >= graph->place(r.place).elevation_m;
    };
    // This line's own teams not yet acknowledged, slowest first: each may be replaced.
    std::vector<const Assignment*> replaceable;
    for (const Assignment& a : r.assignments) {
      if (a.line == line_index && a.activity == TeamActivity::kAssigned) replaceable.push_back(&a);
    }
    std::sort(replaceable.begin(), replaceable.end(), [](const Assignment* a, const Assignment* b) {
      return a->eta != b->eta ? a->eta > b->eta : a->team < b->team;
    });
    const std::uint32_t need = line.quantity - line.filled;
    const std::uint32_t k = need + static_cast<std::uint32_t>(replaceable.size());
    if (k == 0) return;
    const std::vector<OffsetReach> reaches = Best(r, line.specialty, k, Among::kAll, preemptible);
    if (reaches.empty()) return;
    std::vector<RouteText> routes;
    for (const OffsetReach& reach : reaches)
      routes.push_back(RouteOfLastAnswer(r, reach));

    std::vector<std::string> replaced;  // codes, read before the assignments change
    for (const Assignment* a : replaceable)
      replaced.push_back(a->team);
    std::vector<TravelTime> replaced_eta;
    for (const Assignment* a : replaceable)
      replaced_eta.push_back(a->eta);
    std::size_t next_replaced = 0;
    const TravelTime min_saving = ToTravel(options.preemption_min_saving);
    for (std::size_t i = 0; i < reaches.size(); ++i) {
      const OffsetReach& reach = reaches[i];
      TravelTime saved = kInfiniteTime;  // filling what no free team can
      if (line.filled >= line.quantity) {
        if (next_replaced == replaced.size()) break;
        const TravelTime slower = replaced_eta[next_replaced];
        if (reach.total >= slower || slower - reach.total <= min_saving) break;
        saved = slower - reach.total;
        // The slower team of our own goes free (and may serve the request that loses `t`).
        const TeamId own = *registry->FindTeam(replaced[next_replaced]);
        Withdraw(r, replaced[next_replaced], events);
        events.push_back(TeamReleased{team(own).code, teams[own.value()].location});
        ++next_replaced;
      }
      const TeamId t(reach.tag);
      const std::string from = teams[t.value()].request_id;
      Withdraw(requests.at(from), team(t).code, events);
      events.push_back(TeamPreempted{team(t).code, from, r.id, saved});
      const std::uint32_t units =
          std::min(registry->Capacity(t, line.specialty), line.quantity - line.filled);
      Assign(r, line_index, t, reach, units, std::move(routes[i]), {}, {}, events);
      holder_refill_.push_back(from);
    }
  }
  std::vector<std::string> holder_refill_;  // requests that lost a team to preemption

  // Takes a team off a request before it delivered: the line is short again.
  void Withdraw(RequestState& r, const std::string& team_code, std::vector<Event>& events) {
    (void)events;
    auto it = std::find_if(r.assignments.begin(), r.assignments.end(),
                           [&](const Assignment& a) { return a.team == team_code; });
    if (it == r.assignments.end()) return;
    r.lines[it->line].filled -= it->units;
    const TeamId t = *registry->FindTeam(team_code);
    teams[t.value()].activity = TeamActivity::kAvailable;
    teams[t.value()].request_id.clear();
    SyncTeam(t);
    Commit(t, -1);
    r.assignments.erase(it);
    if (r.status == RequestStatus::kFilled) SetStatus(r, RequestStatus::kOpen);
  }

  void FillRequest(RequestState& r, std::vector<Event>& events) {
    if (r.status != RequestStatus::kOpen) return;
    for (std::uint32_t i = 0; i < r.lines.size(); ++i) {
      LineState& line = r.lines[i];
      if (line.filled >= line.quantity) continue;
      const std::uint32_t missing = FillLine(r, i, events);
      if (missing > 0 && missing != line.reported_missing) {
        events.push_back(Shortfall{r.id, line.specialty_code, missing,
                                   "no free team of this specialty can reach the unit"});
      }
      line.reported_missing = missing;
    }
    if (r.Missing() == 0) {
      SetStatus(r, RequestStatus::kFilled);
      events.push_back(RequestFilled{r.id});
    }
    // Requests that lost a team to this one are refilled at once (each is less urgent, so
    // this ends).
    while (!holder_refill_.empty()) {
      const std::string id = holder_refill_.back();
      holder_refill_.pop_back();
      FillRequest(requests.at(id), events);
    }
  }

  // Open requests with something missing, most urgent and then oldest first, take what has
  // become free.
  void RefillOpen(std::vector<Event>& events) {
    std::vector<RequestState*> open;
    for (const std::string& id : open_ids) {
      RequestState& r = requests.at(id);
      if (r.Missing() > 0) open.push_back(&r);
    }
    std::sort(open.begin(), open.end(), [](const RequestState* a, const RequestState* b) {
      return a->priority != b->priority ? a->priority > b->priority : a->order < b->order;
    });
    for (RequestState* r : open)
      FillRequest(*r, events);
  }

  // --- Commands ---

  Result<TeamId> TeamByCode(const std::string& code) const { return registry->FindTeam(code); }

  // A new request checked and made ready to store, with the distance it was snapped over.
  struct Checked {
    RequestState request;
    double snapped_m = 0;
  };

  Result<Checked> Check(const SubmitRequest& c) const {
    const std::string who = "request '" + c.request_id + "'";
    if (c.request_id.empty()) return Status::InvalidArgument("request: empty request id");
    if (c.unit.empty()) return Status::InvalidArgument(who + ": no requesting unit");
    if (c.lines.empty()) {
      return Status::InvalidArgument(who + ": no lines (specialty and quantity)");
    }
    if (c.deadline <= now) {
      return Status::InvalidArgument(who + ": the deadline has already passed");
    }
    Checked out;
    RequestState& r = out.request;
    r.id = c.request_id;
    r.unit = c.unit;
    r.priority = c.priority;
    r.mode = c.mode;
    r.submitted_at = now;
    r.deadline = c.deadline;
    if (c.place.has_value() == (c.lat.has_value() || c.lon.has_value())) {
      return Status::InvalidArgument(who + ": give either a place or a latitude and longitude");
    }
    if (c.place) {
      if (!c.place->valid() || c.place->value() >= graph->place_count()) {
        return Status::InvalidArgument(who + ": place " + std::to_string(c.place->value()) +
                                       " is not on the network");
      }
      r.place = *c.place;
    } else {
      if (!c.lat || !c.lon || !(*c.lat >= -90 && *c.lat <= 90) ||
          !(*c.lon >= -180 && *c.lon <= 180)) {
        return Status::InvalidArgument(who + ": latitude and longitude are both needed, in range");
      }
      const RoadGraph::Snap snap = graph->SnapToPlace(*c.lat, *c.lon);
      if (!snap.place.valid() || snap.distance_m > options.max_snap_m) {
        return Status::InvalidArgument(who + ": the position is " +
                                       std::to_string(static_cast<long>(snap.distance_m / 1000)) +
                                       " km from the nearest place of the network");
      }
      r.place = snap.place;
      out.snapped_m = snap.distance_m;
    }
    std::set<std::string> seen;
    for (const RequestLine& l : c.lines) {
      Result<SpecialtyId> s = registry->FindSpecialty(l.specialty);
      if (!s.ok()) {
        return Status::InvalidArgument(who + ": unknown specialty '" + l.specialty + "'");
      }
      if (l.quantity == 0) {
        return Status::InvalidArgument(who + ": line " + l.specialty + " asks for 0 units");
      }
      if (!seen.insert(l.specialty).second) {
        return Status::InvalidArgument(who + ": specialty " + l.specialty + " given twice");
      }
      r.lines.push_back({*s, l.specialty, l.quantity, 0, Scope::kCounty});
    }
    return out;
  }

  RequestState& Accept(Checked checked, std::vector<Event>& events) {
    RequestState& r = checked.request;
    r.order = next_order++;
    events.push_back(RequestAccepted{r.id, r.place, checked.snapped_m});
    RequestState& stored = requests.emplace(r.id, std::move(r)).first->second;
    SetStatus(stored, RequestStatus::kOpen);
    return stored;
  }

  Result<std::vector<Event>> Submit(const SubmitRequest& c) {
    if (auto it = requests.find(c.request_id); it != requests.end()) {
      return *it->second.first_answer;  // idempotent: the first answer, nothing changed
    }
    Result<Checked> checked = Check(c);
    if (!checked.ok()) return checked.status();
    std::vector<Event> events;
    events.reserve(8);  // accepted, a few assignments, filled: grown once, not four times
    RequestState& stored = Accept(std::move(checked).value(), events);
    FillRequest(stored, events);
    stored.first_answer = std::make_shared<const std::vector<Event>>(events);
    return events;
  }

  // A surge: every request of the batch is accepted, then all their lines are assigned
  // together (AssignJointly: most urgent first, then least total ETA, never worse than one by
  // one), region-wide; what the joint answer leaves short is then filled one by one as usual,
  // which also records the shortfalls.
  Result<std::vector<Event>> Batch(const SubmitBatch& c) {
    if (c.requests.empty()) return Status::InvalidArgument("batch: no requests");
    std::size_t known = 0;
    for (const SubmitRequest& r : c.requests)
      known += requests.contains(r.request_id) ? 1 : 0;
    if (known == c.requests.size()) {
      return *requests.at(c.requests.front().request_id).first_answer;  // the same batch again
    }
    if (known > 0) {
      return Status::InvalidArgument("batch: some of its request ids were submitted before");
    }
    std::vector<Checked> checked;
    std::set<std::string> ids;
    for (const SubmitRequest& r : c.requests) {
      if (!ids.insert(r.request_id).second) {
        return Status::InvalidArgument("batch: request id '" + r.request_id + "' given twice");
      }
      Result<Checked> one = Check(r);
      if (!one.ok()) return one.status().WithPrefix("batch");
      checked.push_back(std::move(one).value());
    }
    std::vector<Event> events;
    std::vector<RequestState*> batch;
    for (Checked& one : checked)
      batch.push_back(&Accept(std::move(one), events));

    // One demand per line; options are the line's fastest eligible teams region-wide.
    JointProblem problem;
    std::vector<std::pair<RequestState*, std::uint32_t>> lines;
    std::map<std::uint32_t, std::uint32_t> capacity;  // team -> units of the first line's kind
    // With the index, each option's route is kept from its line's question (by option, empty
    // when none was kept), to be unpacked for the teams sent.
    std::vector<ChQuery::AnswerRoute> kept;
    bool any_kept = false;
    std::vector<std::vector<OffsetReach>> near;  // by demand: NearByRoad
    for (RequestState* r : batch) {
      for (std::uint32_t li = 0; li < r->lines.size(); ++li) {
        const LineState& line = r->lines[li];
        const DemandId demand(static_cast<std::uint32_t>(lines.size()));
        lines.push_back({r, li});
        problem.demands.push_back(
            {demand, static_cast<std::uint8_t>(r->priority), r->order, line.quantity});
        const std::uint32_t k = line.quantity + options.batch_extra_candidates;
        const std::vector<OffsetReach> offered = BestTeams(*r, line.specialty, Scope::kRegion, k);
        for (const OffsetReach& reach : offered) {
          problem.options.push_back({demand, SupplyId(reach.tag), reach.total});
          kept.emplace_back();
          if (last_by_index) {
            if (auto route = ch->KeepRouteOfLastAnswer(reach.tag)) {
              kept.back() = std::move(*route);
              any_kept = true;
            }
          }
          // A team with two specialties is one supply: it goes to one line at most, with the
          // capacity of the first specialty it is offered for.
          capacity.try_emplace(reach.tag, registry->Capacity(TeamId(reach.tag), line.specialty));
        }
        // Where the nearer teams passed over are looked for, for whichever option is sent: the
        // nearest within the slowest option's travel (teams do not move within a command).
        TravelTime slowest = 0;
        for (const OffsetReach& reach : offered)
          slowest = std::max(slowest, reach.travel);
        near.push_back(NearByRoad(*r, line.specialty, slowest, /*after_question=*/true));
      }
    }
    for (const auto& [team, units] : capacity)
      problem.supplies.push_back({SupplyId(team), units});
    // Options of a team for a line of another kind than the first it was offered for are
    // dropped, with their kept routes. Options stay in demand order: each demand's are a run,
    // from first_option[demand] to first_option[demand + 1].
    std::vector<std::uint32_t> first_option(lines.size() + 1, 0);
    {
      std::size_t held = 0;
      for (std::size_t i = 0; i < problem.options.size(); ++i) {
        const JointOption& o = problem.options[i];
        const LineState& line =
            lines[o.demand.value()].first->lines[lines[o.demand.value()].second];
        if (registry->Capacity(TeamId(o.supply.value()), line.specialty) !=
            capacity.at(o.supply.value())) {
          continue;
        }
        if (held != i) {  // (a vector moved onto itself is left empty)
          problem.options[held] = o;
          kept[held] = std::move(kept[i]);
        }
        ++first_option[o.demand.value() + 1];
        ++held;
      }
      problem.options.resize(held);
      kept.resize(held);
      for (std::size_t d = 0; d < lines.size(); ++d)
        first_option[d + 1] += first_option[d];
    }
    // The index in problem.options of `team`'s option for `demand`.
    auto option_of = [&](DemandId demand, SupplyId team) -> std::optional<std::size_t> {
      for (std::size_t i = first_option[demand.value()]; i < first_option[demand.value() + 1];
           ++i) {
        if (problem.options[i].supply == team) return i;
      }
      return std::nullopt;
    };
    const JointResult joint = AssignJointly(problem);

    // The routes of the teams sent: kept from the lines' questions with the index; else read
    // before any assignment changes the pools, each line's question asked again (its answer
    // holds every team offered for it) and each route read off that search, not searched for
    // team by team.
    std::map<std::pair<std::uint32_t, std::uint32_t>, RouteText> routes;  // (demand, team)
    if (!any_kept) {
      std::map<std::uint32_t, std::set<std::uint32_t>> sent;  // demand -> teams
      for (const JointAssignment& a : joint.assignments)
        sent[a.demand.value()].insert(a.supply.value());
      for (const auto& [demand, sent_teams] : sent) {
        const auto [r, li] = lines[demand];
        const LineState& line = r->lines[li];
        for (const OffsetReach& reach :
             BestTeams(*r, line.specialty, Scope::kRegion,
                       line.quantity + options.batch_extra_candidates)) {
          if (sent_teams.contains(reach.tag)) {
            routes[{demand, reach.tag}] = RouteOfLastAnswer(*r, reach);
          }
        }
      }
    }

    for (const JointAssignment& a : joint.assignments) {
      auto [r, li] = lines[a.demand.value()];
      const TeamId t(a.supply.value());
      if (!MayGo(t, *r, Scope::kRegion)) continue;  // a shared person, taken already
      LineState& line = r->lines[li];
      line.scope = Scope::kRegion;
      const std::uint32_t units =
          std::min(registry->Capacity(t, line.specialty), line.quantity - line.filled);
      if (units == 0) continue;
      RouteText route;
      const std::optional<std::size_t> option = option_of(a.demand, a.supply);
      if (option && !kept[*option].ranks.empty()) {
        route = Outlined(std::move(kept[*option]));
      } else if (const auto read = routes.find({a.demand.value(), t.value()});
                 read != routes.end()) {
        route = std::move(read->second);
      } else {
        route = RouteBetween(teams[t.value()].location, r->place);
      }
      const TravelTime mobilization = ToTravel(team(t).mobilization_delay);
      const OffsetReach reach{t.value(), teams[t.value()].location, a.eta - mobilization, a.eta};
      std::vector<Alternative> alternatives;
      for (std::size_t i = first_option[a.demand.value()];
           i < first_option[a.demand.value() + 1] &&
           alternatives.size() < options.alternatives_reported;
           ++i) {
        const JointOption& o = problem.options[i];
        if (o.supply == a.supply) continue;
        alternatives.push_back({team(TeamId(o.supply.value())).code, o.eta});
      }
      Assign(*r, li, t, reach, units, std::move(route), std::move(alternatives),
             PassedOverAmong(*r, Scope::kRegion, near[a.demand.value()], reach.travel), events);
    }
    std::vector<RequestState*> order = batch;
    std::sort(order.begin(), order.end(), [](const RequestState* a, const RequestState* b) {
      return a->priority != b->priority ? a->priority > b->priority : a->order < b->order;
    });
    for (RequestState* r : order)
      FillRequest(*r, events);
    const auto answer = std::make_shared<const std::vector<Event>>(events);
    for (RequestState* r : batch)
      r->first_answer = answer;
    return events;
  }

  Result<RequestState*> OpenRequest(const std::string& id) {
    auto it = requests.find(id);
    if (it == requests.end()) return Status::NotFound("no request '" + id + "'");
    return &it->second;
  }

  Result<Assignment*> ActiveAssignment(RequestState& r, const std::string& team_code) {
    for (Assignment& a : r.assignments) {
      if (a.team == team_code && a.activity != TeamActivity::kOnScene) return &a;
    }
    return Status::FailedPrecondition("team " + team_code + " is not on its way to request " +
                                      r.id);
  }

  Result<std::vector<Event>> Cancel(const CancelRequest& c) {
    Result<RequestState*> r = OpenRequest(c.request_id);
    if (!r.ok()) return r.status();
    RequestState& req = **r;
    if (req.status == RequestStatus::kCancelled) {
      return Status::FailedPrecondition("request " + req.id + " is already cancelled");
    }
    std::vector<Event> events;
    SetStatus(req, RequestStatus::kCancelled);
    events.push_back(RequestCancelled{req.id, c.reason});
    while (!req.assignments.empty()) {
      const Assignment a = req.assignments.back();
      const TeamId t = *registry->FindTeam(a.team);
      if (a.activity == TeamActivity::kOnScene) teams[t.value()].location = req.place;
      req.lines[a.line].filled -= a.units;
      teams[t.value()].activity = TeamActivity::kAvailable;
      teams[t.value()].request_id.clear();
      SyncTeam(t);
      Commit(t, -1);
      req.assignments.pop_back();
      events.push_back(TeamReleased{a.team, teams[t.value()].location});
    }
    RefillOpen(events);
    return events;
  }

  Result<std::vector<Event>> Acknowledge(const AcknowledgeAssignment& c) {
    Result<RequestState*> r = OpenRequest(c.request_id);
    if (!r.ok()) return r.status();
    Result<Assignment*> a = ActiveAssignment(**r, c.team);
    if (!a.ok()) return a.status();
    if ((*a)->activity != TeamActivity::kAssigned) {
      return Status::FailedPrecondition("team " + c.team + " has already acknowledged");
    }
    (*a)->activity = TeamActivity::kAcknowledged;
    teams[TeamByCode(c.team)->value()].activity = TeamActivity::kAcknowledged;
    return std::vector<Event>{AssignmentAcknowledged{c.request_id, c.team}};
  }

  Result<std::vector<Event>> Decline(const DeclineAssignment& c) {
    Result<RequestState*> r = OpenRequest(c.request_id);
    if (!r.ok()) return r.status();
    Result<Assignment*> a = ActiveAssignment(**r, c.team);
    if (!a.ok()) return a.status();
    if ((*a)->activity != TeamActivity::kAssigned) {
      return Status::FailedPrecondition("team " + c.team + " acknowledged; release it instead");
    }
    std::vector<Event> events{AssignmentDeclined{c.request_id, c.team, c.reason}};
    declined[c.request_id].insert(c.team);
    Withdraw(**r, c.team, events);
    FillRequest(**r, events);  // at once, for the request that lost the team
    RefillOpen(events);
    return events;
  }

  Result<std::vector<Event>> Progress(const std::string& team_code, TeamActivity to) {
    Result<TeamId> t = TeamByCode(team_code);
    if (!t.ok()) return t.status();
    TeamState& ts = teams[t->value()];
    if (!OnTheWay(ts.activity) ||
        (to == TeamActivity::kEnRoute && ts.activity == TeamActivity::kEnRoute)) {
      return Status::FailedPrecondition("team " + team_code + " is " +
                                        std::string(ToString(ts.activity)));
    }
    RequestState& r = requests.at(ts.request_id);
    for (Assignment& a : r.assignments) {
      if (a.team == team_code) a.activity = to;
    }
    ts.activity = to;
    if (to == TeamActivity::kOnScene) {
      ts.location = r.place;
      SyncTeam(*t);
      return std::vector<Event>{TeamOnScene{r.id, team_code}};
    }
    return std::vector<Event>{TeamEnRoute{r.id, team_code}};
  }

  Result<std::vector<Event>> Release(const ReleaseTeam& c) {
    Result<TeamId> t = TeamByCode(c.team);
    if (!t.ok()) return t.status();
    TeamState& ts = teams[t->value()];
    if (ts.activity == TeamActivity::kAvailable || ts.activity == TeamActivity::kOffDuty) {
      return Status::FailedPrecondition("team " + c.team + " is not on an assignment");
    }
    std::vector<Event> events;
    RequestState& r = requests.at(ts.request_id);
    auto it = std::find_if(r.assignments.begin(), r.assignments.end(),
                           [&](const Assignment& a) { return a.team == c.team; });
    const bool delivered = it->activity == TeamActivity::kOnScene;
    if (!delivered) r.lines[it->line].filled -= it->units;  // released on the way: short again
    r.assignments.erase(it);
    if (!delivered && r.status == RequestStatus::kFilled) SetStatus(r, RequestStatus::kOpen);
    ts.activity = TeamActivity::kAvailable;
    ts.request_id.clear();
    Commit(*t, -1);
    if (c.return_home) ts.location = home[t->value()];
    SyncTeam(*t);
    events.push_back(TeamReleased{c.team, ts.location});
    RefillOpen(events);
    return events;
  }

  Result<std::vector<Event>> Duty(const SetTeamOnDuty& c) {
    Result<TeamId> t = TeamByCode(c.team);
    if (!t.ok()) return t.status();
    TeamState& ts = teams[t->value()];
    const bool off = ts.activity == TeamActivity::kOffDuty;
    if (c.on_duty ? !off : ts.activity != TeamActivity::kAvailable) {
      return Status::FailedPrecondition("team " + c.team + " is " +
                                        std::string(ToString(ts.activity)));
    }
    ts.activity = c.on_duty ? TeamActivity::kAvailable : TeamActivity::kOffDuty;
    SyncTeam(*t);
    std::vector<Event> events{TeamDutyChanged{c.team, c.on_duty}};
    if (c.on_duty) RefillOpen(events);
    return events;
  }

  Result<std::vector<Event>> Suspend(const SetTeamSuspended& c) {
    Result<TeamId> t = TeamByCode(c.team);
    if (!t.ok()) return t.status();
    std::optional<std::string>& reason = suspension[t->value()];
    if (reason.has_value() == c.suspended) {
      return Status::FailedPrecondition("team " + c.team + " is already " +
                                        (c.suspended ? "suspended" : "not suspended"));
    }
    if (c.suspended && c.reason.empty()) {
      return Status::InvalidArgument("suspending team " + c.team + " needs a reason");
    }
    std::vector<Event> events{TeamSuspensionChanged{c.team, c.suspended, c.reason}};
    if (!c.suspended) {
      reason.reset();
      SyncTeam(*t);
      RefillOpen(events);
      return events;
    }
    reason = c.reason;
    SyncTeam(*t);
    TeamState& ts = teams[t->value()];
    if (OnTheWay(ts.activity)) {
      RequestState& r = requests.at(ts.request_id);
      Withdraw(r, c.team, events);
      events.push_back(TeamReleased{c.team, ts.location});
      FillRequest(r, events);
    }
    return events;
  }

  // After closures change, the teams on their way get new ETAs; a team cut off is withdrawn.
  void RecomputeEtas(std::vector<Event>& events) {
    for (auto& [id, r] : requests) {
      if (r.assignments.empty()) continue;
      std::vector<std::string> cut_off;
      for (Assignment& a : r.assignments) {
        if (!OnTheWay(a.activity)) continue;
        const TeamId t = *registry->FindTeam(a.team);
        Result<Route> route = query.ShortestRoute(teams[t.value()].location, r.place, Context());
        const TravelTime eta =
            route.ok() ? SaturatingAdd(ToTravel(team(t).mobilization_delay), route->time)
                       : kInfiniteTime;
        if (eta == a.eta) continue;
        events.push_back(EtaChanged{r.id, a.team, a.eta, eta});
        a.eta = eta;
        if (eta == kInfiniteTime) cut_off.push_back(a.team);
      }
      for (const std::string& code : cut_off)
        Withdraw(r, code, events);
    }
  }

  Result<std::vector<Event>> Close(const CloseRoad& c) {
    Result<std::vector<ClosureId>> ids = closures.CloseBetween(c.from, c.to, c.reason, now);
    if (!ids.ok()) return ids.status();
    auto& list = road_closures[RoadKey(c.from, c.to)];
    list.insert(list.end(), ids->begin(), ids->end());
    std::vector<Event> events{RoadClosed{c.from, c.to, c.reason}};
    RecomputeEtas(events);
    RefillOpen(events);
    return events;
  }

  Result<std::vector<Event>> Reopen(const ReopenRoad& c) {
    const std::uint32_t n = graph->place_count();
    if (!c.from.valid() || !c.to.valid() || c.from.value() >= n || c.to.value() >= n) {
      return Status::InvalidArgument("reopen: place id out of range (" + std::to_string(n) +
                                     " places)");
    }
    auto it = road_closures.find(RoadKey(c.from, c.to));
    if (it == road_closures.end()) {
      return Status::FailedPrecondition("the road between " + graph->place(c.from).name + " and " +
                                        graph->place(c.to).name + " is not closed");
    }
    for (ClosureId id : it->second)
      (void)closures.Reopen(id);
    road_closures.erase(it);
    std::vector<Event> events{RoadReopened{c.from, c.to}};
    RecomputeEtas(events);
    RefillOpen(events);
    return events;
  }

  // Requests whose deadline has passed with something still missing stop being filled.
  // Returns their ids, so that a command that then fails can put them back.
  std::vector<std::string> Expire(std::vector<Event>& events) {
    std::vector<std::string> expired;
    std::vector<std::string> due;
    for (auto it = open_by_deadline.begin(); it != open_by_deadline.end() && it->first <= now; ++it)
      due.push_back(it->second);
    std::sort(due.begin(), due.end());  // expiry events in id order, as ever
    for (const std::string& id : due) {
      RequestState& r = requests.at(id);
      if (r.Missing() > 0) {
        SetStatus(r, RequestStatus::kExpired);
        events.push_back(RequestExpired{r.id, r.Missing()});
        expired.push_back(id);
      }
    }
    return expired;
  }
};

Result<Dispatcher> Dispatcher::Create(const RoadGraph& graph,
                                      std::shared_ptr<const Registry> registry,
                                      const DispatchOptions& options) {
  BAIYING_RETURN_IF_ERROR(options.Validate());
  if (registry == nullptr) return Status::InvalidArgument("dispatcher: no registry");
  auto state = std::make_unique<State>(graph, std::move(registry), options);
  const Registry& reg = *state->registry;
  state->teams.resize(reg.teams().size());
  state->home.resize(reg.teams().size());
  state->suspension.assign(reg.teams().size(), std::nullopt);
  state->rules.resize(reg.teams().size());  // every team starts free
  state->serving_priority.assign(reg.teams().size(), Priority::kRoutine);
  state->free_count.assign(reg.specialties().size(), 0);
  for (const Team& t : reg.teams()) {
    Result<PlaceId> home = graph.FindPlace(t.home_place);
    if (!home.ok()) {
      return home.status().WithPrefix("dispatcher: team " + t.code + " home place");
    }
    state->home[t.id.value()] = *home;
    state->teams[t.id.value()].location = *home;
  }
  state->committed.assign(reg.personnel().size(), 0);
  state->specialties_of.resize(reg.teams().size());
  for (const Team& t : reg.teams()) {
    state->specialties_of[t.id.value()] = SpecialtiesHeld(reg, t.id);
    for (SpecialtyId s : state->specialties_of[t.id.value()])
      ++state->free_count[s.value()];  // every team starts free
  }

  // Each place's county: its own code, else that of the seat nearest by road.
  state->place_county.assign(graph.place_count(), 0);
  std::vector<PlaceId> seats;
  for (std::uint32_t p = 0; p < graph.place_count(); ++p) {
    state->place_county[p] = graph.place(PlaceId(p)).adcode;
    if (state->place_county[p] != 0) seats.push_back(PlaceId(p));
  }
  if (!seats.empty()) {
    for (std::uint32_t p = 0; p < graph.place_count(); ++p) {
      if (state->place_county[p] != 0) continue;
      const std::span<const Reach> nearest =
          state->query.Nearest(PlaceId(p), Direction::kFromPlace, seats, {1});
      if (!nearest.empty()) {
        state->place_county[p] = graph.place(nearest.front().place).adcode;
      }
    }
  }
  std::vector<std::uint32_t> teams_of_person(reg.personnel().size(), 0);
  for (const Team& t : reg.teams()) {
    for (PersonId p : reg.members_of(t.id))
      ++teams_of_person[p.value()];
  }
  for (const Team& t : reg.teams()) {
    State::TeamRules& rule = state->rules[t.id.value()];
    rule.home_county = state->place_county[state->home[t.id.value()].value()];
    rule.max_elevation_m = t.max_work_elevation_m;
    for (PersonId p : reg.members_of(t.id)) {
      if (teams_of_person[p.value()] > 1) rule.shares_people = 1;
    }
  }
  return Dispatcher(std::move(state));
}

Dispatcher::Dispatcher(std::unique_ptr<State> state) : state_(std::move(state)) {}
Dispatcher::Dispatcher(Dispatcher&&) noexcept = default;
Dispatcher& Dispatcher::operator=(Dispatcher&&) noexcept = default;
Dispatcher::~Dispatcher() = default;

Result<std::vector<Event>> Dispatcher::Apply(const TimedCommand& command) {
  State& s = *state_;
  if (s.started && command.at < s.now) {
    return Status::FailedPrecondition("command at " + FormatDate(command.at) +
                                      " is earlier than the dispatcher's time");
  }
  const Instant previous = s.now;
  const bool was_started = s.started;
  s.now = command.at;
  s.started = true;
  std::vector<Event> events;
  const std::vector<std::string> expired = s.Expire(events);
  Result<std::vector<Event>> result = std::visit(
      [&](const auto& c) -> Result<std::vector<Event>> {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, SubmitRequest>) return s.Submit(c);
        if constexpr (std::is_same_v<C, SubmitBatch>) return s.Batch(c);
        if constexpr (std::is_same_v<C, CancelRequest>) return s.Cancel(c);
        if constexpr (std::is_same_v<C, AcknowledgeAssignment>) return s.Acknowledge(c);
        if constexpr (std::is_same_v<C, DeclineAssignment>) return s.Decline(c);
        if constexpr (std::is_same_v<C, ReportEnRoute>) {
          return s.Progress(c.team, TeamActivity::kEnRoute);
        }
        if constexpr (std::is_same_v<C, ReportOnScene>) {
          return s.Progress(c.team, TeamActivity::kOnScene);
        }
        if constexpr (std::is_same_v<C, ReleaseTeam>) return s.Release(c);
        if constexpr (std::is_same_v<C, SetTeamOnDuty>) return s.Duty(c);
        if constexpr (std::is_same_v<C, SetTeamSuspended>) return s.Suspend(c);
        if constexpr (std::is_same_v<C, CloseRoad>) return s.Close(c);
        if constexpr (std::is_same_v<C, ReopenRoad>) return s.Reopen(c);
        if constexpr (std::is_same_v<C, AdvanceTime>) return std::vector<Event>{};
      },
      command.command);
  if (!result.ok()) {
    // Every handler checks before it changes anything; undo the expiries and the clock too,
    // so that a failed command leaves no trace (and replay, which skips it, agrees).
    for (const std::string& id : expired)
      s.SetStatus(s.requests.at(id), RequestStatus::kOpen);
    s.now = previous;
    s.started = was_started;
    return result.status();
  }
  if (events.empty()) return result;
  events.insert(events.end(), std::make_move_iterator(result->begin()),
                std::make_move_iterator(result->end()));
  return events;
}

Result<std::vector<Event>> Dispatcher::Replay(const RoadGraph& graph,
                                              std::shared_ptr<const Registry> registry,
                                              const DispatchOptions& options,
                                              const std::vector<TimedCommand>& commands) {
  Result<Dispatcher> d = Create(graph, std::move(registry), options);
  if (!d.ok()) return d.status();
  std::vector<Event> all;
  for (const TimedCommand& c : commands) {
    Result<std::vector<Event>> events = d->Apply(c);
    if (events.ok()) all.insert(all.end(), events->begin(), events->end());
  }
  return all;
}

Instant Dispatcher::now() const {
  return state_->now;
}

const RequestState* Dispatcher::FindRequest(const std::string& id) const {
  auto it = state_->requests.find(id);
  return it == state_->requests.end() ? nullptr : &it->second;
}

std::vector<const RequestState*> Dispatcher::OpenRequests() const {
  std::vector<const RequestState*> out;
  for (const std::string& id : state_->open_ids)
    out.push_back(&state_->requests.at(id));
  std::sort(out.begin(), out.end(), [](const RequestState* a, const RequestState* b) {
    return a->priority != b->priority ? a->priority > b->priority : a->order < b->order;
  });
  return out;
}

const TeamState& Dispatcher::team_state(TeamId team) const {
  return state_->teams[team.value()];
}
const Registry& Dispatcher::registry() const {
  return *state_->registry;
}
const ClosureSet& Dispatcher::closures() const {
  return state_->closures;
}

Status Dispatcher::UseIndex(std::shared_ptr<const ChIndex> index) {
  return state_->UseIndex(std::move(index), nullptr);
}
Status Dispatcher::UseIndex(std::shared_ptr<const ChIndex> index, PreparedPools prepared) {
  return state_->UseIndex(std::move(index), prepared.sets_.get());
}
TeamPlaces Dispatcher::TeamPlacesNow() const { return state_->PlacesNow(); }
PreparedPools Dispatcher::PreparePools(std::shared_ptr<const ChIndex> index,
                                       const TeamPlaces& places) {
  PreparedPools prepared;
  if (index == nullptr || places.registry == nullptr) return prepared;
  prepared.sets_ = std::make_unique<PreparedPools::Sets>(FillPools(std::move(index), places));
  return prepared;
}
const std::shared_ptr<const ChIndex>& Dispatcher::index() const {
  return state_->index;
}
std::vector<ArcId> Dispatcher::ClosedArcsNow() const {
  return state_->closures.ClosedArcsAt(state_->now);
}
bool Dispatcher::IndexCurrent() const {
  return state_->IndexFitsNow();
}
std::uint64_t Dispatcher::index_answers() const {
  return state_->index_answers;
}
std::uint64_t Dispatcher::exact_answers() const {
  return state_->exact_answers;
}

}  // namespace baiying
