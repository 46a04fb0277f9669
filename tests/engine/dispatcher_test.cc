// Dispatcher: requests, candidates, filling, preemption, escalation, lifecycle and explanations,
// each on a small hand-made graph whose answer is worked out by hand (FixedArc roads, times in
// minutes); then a property test over random graphs, registries and command streams that checks
// the invariants after every command and that replay gives the same events and state.

#include "engine/dispatch/dispatcher.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/events.h"
#include "engine/registry/registry.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_types.h"
#include "tests/support/dispatch_fixture.h"
#include "tests/support/graph_oracle.h"
#include "tests/support/tally.h"

namespace baiying {
namespace {

using testing::FloydWarshall;
using testing::kNone;
using testing::MakeRegistry;
using testing::Matrix;
using testing::Minutes;
using testing::MustBuild;
using testing::NumberedPlaces;
using testing::Places;
using testing::RandomTeam;
using testing::Request;
using testing::Road;
using testing::Snapshot;
using testing::Tally;
using testing::TeamSpec;

constexpr TravelTime kMin = 60'000;
constexpr std::uint32_t kCountyA = 540101, kCountyB = 540102, kOtherPrefecture = 540201;

// --- Building small worlds ---

// A star around p0: p_i joined to p0 by a road of minutes[i - 1].
RoadGraph Star(const std::vector<std::uint32_t>& minutes, std::vector<PlaceSpec> places = {}) {
  const auto n = static_cast<std::uint32_t>(minutes.size() + 1);
  if (places.empty()) places = Places(n);
  std::vector<ArcSpec> arcs;
  for (std::uint32_t i = 1; i < n; ++i)
    Road(arcs, 0, i, minutes[i - 1], "R" + std::to_string(i));
  return MustBuild(std::move(places), arcs);
}

TeamSpec Medical(std::string code, std::string home, std::uint32_t capacity = 1,
                 std::int64_t delay_minutes = 0) {
  TeamSpec t;
  t.code = std::move(code);
  t.home = std::move(home);
  t.specialty = "medical";
  t.capacity = capacity;
  t.delay_minutes = delay_minutes;
  return t;
}

std::vector<RequestLine> MedicalX(std::uint32_t quantity) {
  return {{"medical", quantity}};
}

// A graph, a registry and a dispatcher over them, with the log of every command tried.
class World {
 public:
  World(RoadGraph graph, std::shared_ptr<const Registry> registry)
      : graph_(std::make_unique<RoadGraph>(std::move(graph))), registry_(std::move(registry)) {
    Result<Dispatcher> d = Dispatcher::Create(*graph_, registry_);
    REQUIRE_MESSAGE(d.ok(), d.status().ToString());
    dispatcher_ = std::make_unique<Dispatcher>(std::move(d).value());
  }

  Result<std::vector<Event>> Try(std::int64_t minute, Command command) {
    log_.push_back({Minutes(minute), std::move(command)});
    return dispatcher_->Apply(log_.back());
  }
  // The command must succeed.
  std::vector<Event> Do(std::int64_t minute, Command command) {
    Result<std::vector<Event>> r = Try(minute, std::move(command));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return std::move(r).value();
  }

  Dispatcher& d() { return *dispatcher_; }
  const RoadGraph& graph() const { return *graph_; }
  const std::vector<TimedCommand>& log() const { return log_; }
  std::shared_ptr<const Registry> registry() const { return registry_; }

  const TeamState& Team(const std::string& code) {
    Result<TeamId> t = dispatcher_->registry().FindTeam(code);
    REQUIRE_MESSAGE(t.ok(), t.status().ToString());
    return dispatcher_->team_state(*t);
  }
  const RequestState& Req(const std::string& id) {
    const RequestState* r = dispatcher_->FindRequest(id);
    REQUIRE_MESSAGE(r != nullptr, ("no request " + id));
    return *r;
  }

 private:
  std::unique_ptr<RoadGraph> graph_;
  std::shared_ptr<const Registry> registry_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::vector<TimedCommand> log_;
};

// --- Reading events ---

std::string Text(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events)
    out += "\n  " + Describe(e);
  return out.empty() ? "(no events)" : out;
}

template <typename E>
std::vector<E> All(const std::vector<Event>& events) {
  std::vector<E> out;
  for (const Event& e : events) {
    if (const E* x = std::get_if<E>(&e)) out.push_back(*x);
  }
  return out;
}

// The one event of type E; fails the test when there is not exactly one.
template <typename E>
E One(const std::vector<Event>& events) {
  const std::vector<E> all = All<E>(events);
  REQUIRE_MESSAGE(all.size() == 1, Text(events));
  return all.front();
}

// "R1:T1x2 R1:T2x1": every TeamAssigned, in order.
std::string Assigned(const std::vector<Event>& events) {
  std::string out;
  for (const TeamAssigned& a : All<TeamAssigned>(events)) {
    if (!out.empty()) out += " ";
    out += a.request_id + ":" + a.team + "x" + std::to_string(a.units);
  }
  return out;
}

std::vector<std::string> Lines(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events)
    out.push_back(Describe(e));
  return out;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The reason `team` was passed over in `a`, or "" when it was not listed.
std::string PassedOverWhy(const TeamAssigned& a, const std::string& team) {
  for (const PassedOver& p : a.explanation.passed_over) {
    if (p.team == team) return p.why;
  }
  return "";
}

// ====================================================================================
// 1. Requests
// ====================================================================================

TEST_CASE("dispatch: a request id submitted again returns the first answer and changes nothing") {
  World w(Star({10, 20, 30}), MakeRegistry({Medical("T1", "p1", 2), Medical("T3", "p3", 2)}));
  const std::vector<Event> first = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
  CHECK(Assigned(first) == "R1:T1x1");
  CHECK(One<RequestAccepted>(first).place == PlaceId(0));

  // The same id, a different request: the same answer, and no team more is sent.
  SubmitRequest other = Request("R1", PlaceId(3), MedicalX(4), Priority::kFlash);
  const std::vector<Event> again = w.Do(5, other);
  CHECK(Lines(again) == Lines(first));
  const RequestState& r = w.Req("R1");
  CHECK(r.place == PlaceId(0));
  CHECK(r.priority == Priority::kUrgent);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0].quantity == 1);
  CHECK(r.assignments.size() == 1);
  CHECK(w.Team("T3").activity == TeamActivity::kAvailable);
  CHECK(w.d().OpenRequests().empty());
}

TEST_CASE("dispatch: malformed requests are refused with a clear error and change nothing") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1", 2)}));
  w.Do(10, AdvanceTime{});

  struct Case {
    std::string name;
    SubmitRequest request;
    std::string says;
  };
  std::vector<Case> cases;
  cases.push_back({"empty id", Request("", PlaceId(0), MedicalX(1)), "empty request id"});
  cases.push_back({"no lines", Request("R", PlaceId(0), {}), "no lines"});
  cases.push_back(
      {"unknown specialty", Request("R", PlaceId(0), {{"dentistry", 1}}), "unknown specialty"});
  cases.push_back({"quantity 0", Request("R", PlaceId(0), MedicalX(0)), "0 units"});
  cases.push_back({"duplicate line", Request("R", PlaceId(0), {{"medical", 1}, {"medical", 2}}),
                   "given twice"});
  cases.push_back({"deadline now",
                   Request("R", PlaceId(0), MedicalX(1), Priority::kUrgent, Minutes(10)),
                   "deadline"});
  cases.push_back({"deadline before",
                   Request("R", PlaceId(0), MedicalX(1), Priority::kUrgent, Minutes(1)),
                   "deadline"});
  cases.push_back(
      {"place out of range", Request("R", PlaceId(3), MedicalX(1)), "not on the network"});
  cases.push_back({"invalid place", Request("R", kNoPlace, MedicalX(1)), "not on the network"});
  SubmitRequest both = Request("R", PlaceId(0), MedicalX(1));
  both.lat = 29.0;
  both.lon = 91.0;
  cases.push_back({"place and position", both, "either a place or"});
  SubmitRequest neither = Request("R", PlaceId(0), MedicalX(1));
  neither.place.reset();
  cases.push_back({"no place", neither, "either a place or"});
  SubmitRequest lat_only = neither;
  lat_only.lat = 29.0;
  cases.push_back({"latitude alone", lat_only, "latitude and longitude"});
  SubmitRequest bad_lat = neither;
  bad_lat.lat = 91.0;
  bad_lat.lon = 91.0;
  cases.push_back({"latitude out of range", bad_lat, "latitude and longitude"});

  for (const Case& c : cases) {
    CAPTURE(c.name);
    const Result<std::vector<Event>> r = w.Try(11, c.request);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK_MESSAGE(Contains(r.status().message(), c.says), r.status().message());
    CHECK(w.d().FindRequest(c.request.request_id) == nullptr);
    CHECK(w.d().now() == Minutes(10));
    CHECK(w.Team("T1").activity == TeamActivity::kAvailable);
  }
  // A refused id may be used again once the request is right.
  CHECK(Assigned(w.Do(12, Request("R", PlaceId(0), MedicalX(1)))) == "R:T1x1");
}

TEST_CASE("dispatch: a position near a place snaps to it, one too far away is refused") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1", 2)}));
  SubmitRequest near = Request("R1", PlaceId(0), MedicalX(1));
  near.place.reset();
  near.lat = 29.001;  // 111 m north of p1
  near.lon = 91.1;
  const std::vector<Event> events = w.Do(0, near);
  const RequestAccepted accepted = One<RequestAccepted>(events);
  CHECK(accepted.place == PlaceId(1));
  CHECK(accepted.snapped_m > 100);
  CHECK(accepted.snapped_m < 125);
  CHECK(w.Req("R1").place == PlaceId(1));
  CHECK(Contains(Describe(accepted), "snapped 111 m"));

  SubmitRequest far = near;
  far.request_id = "R2";
  far.lat = 31.0;  // about 220 km north
  const Result<std::vector<Event>> refused = w.Try(1, far);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK_MESSAGE(Contains(refused.status().message(), "km from the nearest place"),
                refused.status().message());
  CHECK(w.d().FindRequest("R2") == nullptr);
}

TEST_CASE("dispatch: a command earlier than the dispatcher's time is refused and changes nothing") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1", 1)}));
  // R1 needs two medics by minute 30 and gets one.
  w.Do(0, Request("R1", PlaceId(0), MedicalX(2), Priority::kUrgent, Minutes(30)));
  w.Do(10, AdvanceTime{});

  const Result<std::vector<Event>> back = w.Try(5, Request("R2", PlaceId(0), MedicalX(1)));
  REQUIRE_FALSE(back.ok());
  CHECK(back.status().code() == StatusCode::kFailedPrecondition);
  CHECK(w.d().now() == Minutes(10));
  CHECK(w.d().FindRequest("R2") == nullptr);

  // A failing command after the deadline does not expire R1 nor move the clock.
  const Result<std::vector<Event>> failing = w.Try(40, ReportEnRoute{"nobody"});
  REQUIRE_FALSE(failing.ok());
  CHECK(w.d().now() == Minutes(10));
  CHECK(w.Req("R1").status == RequestStatus::kOpen);
  // The same instant again is fine (time does not go backwards).
  CHECK(w.Try(10, AdvanceTime{}).ok());
  const std::vector<Event> later = w.Do(40, AdvanceTime{});
  CHECK(One<RequestExpired>(later).missing == 1);
}

// ====================================================================================
// 2. Candidates
// ====================================================================================

TEST_CASE("dispatch: only teams of the specialty are candidates") {
  TeamSpec truck = Medical("T1", "p1");
  truck.specialty = "transport";
  World w(Star({10, 20, 30}), MakeRegistry({truck, Medical("T3", "p3")}));
  const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
  CHECK(Assigned(events) == "R1:T3x1");
  const std::vector<Event> lift = w.Do(1, Request("R2", PlaceId(0), {{"transport", 1}}));
  CHECK(Assigned(lift) == "R2:T1x1");
}

TEST_CASE("dispatch: an unvetted team is skipped, with the reason") {
  TeamSpec unvetted = Medical("TA", "p1");
  unvetted.vetted = false;
  World w(Star({10, 20}), MakeRegistry({unvetted, Medical("TB", "p2")}));
  const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
  const TeamAssigned a = One<TeamAssigned>(events);
  CHECK(a.team == "TB");
  CHECK_MESSAGE(Contains(PassedOverWhy(a, "TA"), "no vetting result"), Text(events));
  CHECK(w.Team("TA").activity == TeamActivity::kAvailable);
}

TEST_CASE("dispatch: a team not committed to wartime is skipped for a wartime request only") {
  TeamSpec peace = Medical("TA", "p1");
  peace.modes = {Mode::kPeacetime, Mode::kEmergency};
  World w(Star({10, 20}), MakeRegistry({peace, Medical("TB", "p2")}));
  const std::vector<Event> war = w.Do(
      0, Request("W1", PlaceId(0), MedicalX(1), Priority::kUrgent, Minutes(600), Mode::kWartime));
  const TeamAssigned a = One<TeamAssigned>(war);
  CHECK(a.team == "TB");
  CHECK_MESSAGE(Contains(PassedOverWhy(a, "TA"), "not committed to serve in wartime"), Text(war));
  const std::vector<Event> emergency = w.Do(1, Request("E1", PlaceId(0), MedicalX(1)));
  CHECK(Assigned(emergency) == "E1:TAx1");
}

TEST_CASE("dispatch: a team not fit for the unit's elevation is skipped") {
  std::vector<PlaceSpec> places = Places(3);
  places[0].elevation_m = 4800;
  TeamSpec lowland = Medical("TA", "p1");
  lowland.max_elevation_m = 4500;
  World w(Star({10, 20}, places), MakeRegistry({lowland, Medical("TB", "p2")}));
  const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
  const TeamAssigned a = One<TeamAssigned>(events);
  CHECK(a.team == "TB");
  CHECK_MESSAGE(Contains(PassedOverWhy(a, "TA"), "not fit above 4500 m"), Text(events));
  // At p1 (sea level) the same team is fine.
  CHECK(Assigned(w.Do(1, Request("R2", PlaceId(1), MedicalX(1)))) == "R2:TAx1");
}

TEST_CASE("dispatch: ETA is mobilization delay plus travel, a near slow team loses") {
  // TA 10 min away but 60 min to mobilize (ETA 70); TB 30 min away and ready (ETA 30).
  World w(Star({10, 20, 30}), MakeRegistry({Medical("TA", "p1", 1, 60), Medical("TB", "p3")}));
  const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
  const TeamAssigned a = One<TeamAssigned>(events);
  CHECK(a.team == "TB");
  CHECK(a.explanation.eta == 30 * kMin);
  CHECK(a.explanation.travel == 30 * kMin);
  CHECK(a.explanation.mobilization == 0);
  REQUIRE(a.explanation.alternatives.size() == 1);
  CHECK(a.explanation.alternatives[0].team == "TA");
  CHECK(a.explanation.alternatives[0].eta == 70 * kMin);
}

TEST_CASE("dispatch: closures in force change the ETAs") {
  // p1 is 10 min from p0, or 40 min round by p2; p3 is 25 min from p0.
  std::vector<ArcSpec> arcs;
  Road(arcs, 0, 1, 10, "G318");
  Road(arcs, 1, 2, 20, "S5");
  Road(arcs, 2, 0, 20, "S5");
  Road(arcs, 3, 0, 25, "X1");
  World w(MustBuild(Places(4), arcs), MakeRegistry({Medical("TA", "p1"), Medical("TB", "p3")}));
  const std::vector<Event> closed = w.Do(0, CloseRoad{PlaceId(0), PlaceId(1), "landslide"});
  CHECK(One<RoadClosed>(closed).reason == "landslide");
  const std::vector<Event> events = w.Do(1, Request("R1", PlaceId(0), MedicalX(1)));
  const TeamAssigned a = One<TeamAssigned>(events);
  CHECK(a.team == "TB");
  CHECK(a.explanation.eta == 25 * kMin);
  REQUIRE(a.explanation.alternatives.size() == 1);
  CHECK(a.explanation.alternatives[0].eta == 40 * kMin);

  // Once reopened, the next request gets TA in 10 min.
  const std::vector<Event> reopened = w.Do(2, ReopenRoad{PlaceId(1), PlaceId(0)});
  CHECK(All<RoadReopened>(reopened).size() == 1);
  CHECK(All<EtaChanged>(reopened).empty());  // TB's road did not change
  const TeamAssigned b = One<TeamAssigned>(w.Do(3, Request("R2", PlaceId(0), MedicalX(1))));
  CHECK(b.team == "TA");
  CHECK(b.explanation.eta == 10 * kMin);
  // Reopening a road that is not closed, or closing one that does not exist, fails.
  CHECK_FALSE(w.Try(4, ReopenRoad{PlaceId(0), PlaceId(1)}).ok());
  CHECK_FALSE(w.Try(4, CloseRoad{PlaceId(1), PlaceId(3), "no such road"}).ok());
}

TEST_CASE("dispatch: reopening a road between places not on the network is refused") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1")}));
  // Ids off the network are refused before anything reads the places.
  const Result<std::vector<Event>> r = w.Try(1, ReopenRoad{PlaceId(99), PlaceId(0)});
  CHECK_FALSE(r.ok());
  const Result<std::vector<Event>> none = w.Try(1, ReopenRoad{kNoPlace, kNoPlace});
  CHECK_FALSE(none.ok());
}

// ====================================================================================
// 3. Filling
// ====================================================================================

TEST_CASE("dispatch: a quantity is split over the fastest teams") {
  // Capacities 2, 2, 3, 3 at 10, 20, 30, 40 min.
  World w(Star({10, 20, 30, 40}), MakeRegistry({Medical("T1", "p1", 2), Medical("T2", "p2", 2),
                                                Medical("T3", "p3", 3), Medical("T4", "p4", 3)}));
  const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(5)));
  CHECK_MESSAGE(Assigned(events) == "R1:T1x2 R1:T2x2 R1:T3x1", Text(events));
  CHECK(One<RequestFilled>(events).request_id == "R1");
  CHECK(All<Shortfall>(events).empty());
  const RequestState& r = w.Req("R1");
  CHECK(r.status == RequestStatus::kFilled);
  CHECK(r.lines[0].filled == 5);
  CHECK(r.Missing() == 0);
  CHECK(w.Team("T4").activity == TeamActivity::kAvailable);
  const TeamAssigned first = All<TeamAssigned>(events).front();
  REQUIRE(first.explanation.alternatives.size() == 1);
  CHECK(first.explanation.alternatives[0].team == "T4");
  CHECK(first.explanation.alternatives[0].eta == 40 * kMin);
}

TEST_CASE("dispatch: what cannot be filled is a recorded shortfall and the request stays open") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1", 2), Medical("T2", "p2", 2)}));
  const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(5)));
  CHECK(Assigned(events) == "R1:T1x2 R1:T2x2");
  const Shortfall s = One<Shortfall>(events);
  CHECK(s.missing == 1);
  CHECK(s.specialty == "medical");
  CHECK(All<RequestFilled>(events).empty());
  const RequestState& r = w.Req("R1");
  CHECK(r.status == RequestStatus::kOpen);
  CHECK(r.Missing() == 1);
  REQUIRE(w.d().OpenRequests().size() == 1);
  CHECK(w.d().OpenRequests()[0]->id == "R1");
}

TEST_CASE("dispatch: a released team refills the most urgent and then the oldest request") {
  World w(Star({10, 20, 30}), MakeRegistry({Medical("T1", "p1")}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(1), MedicalX(1)))) == "R1:T1x1");
  // Three requests short: routine, urgent, urgent (older first).
  CHECK(
      One<Shortfall>(w.Do(1, Request("R2", PlaceId(2), MedicalX(1), Priority::kRoutine))).missing ==
      1);
  CHECK(One<Shortfall>(w.Do(2, Request("R3", PlaceId(3), MedicalX(1)))).missing == 1);
  CHECK(One<Shortfall>(w.Do(3, Request("R4", PlaceId(2), MedicalX(1)))).missing == 1);
  REQUIRE(w.d().OpenRequests().size() == 3);
  CHECK(w.d().OpenRequests()[0]->id == "R3");
  CHECK(w.d().OpenRequests()[1]->id == "R4");
  CHECK(w.d().OpenRequests()[2]->id == "R2");

  w.Do(4, ReportOnScene{"T1"});
  const std::vector<Event> released = w.Do(5, ReleaseTeam{"T1", false});
  CHECK(One<TeamReleased>(released).at == PlaceId(1));
  // R3 is farther from p1 than R4, but it is older: it takes T1, from where T1 is (p1).
  const TeamAssigned a = One<TeamAssigned>(released);
  CHECK(a.request_id == "R3");
  CHECK(a.explanation.travel == 40 * kMin);
  // R4 and R2, still short by as much as they were told, are not told again.
  CHECK(All<Shortfall>(released).empty());
  CHECK(w.Req("R1").status == RequestStatus::kFilled);  // delivered, not short again
  CHECK(w.Req("R1").lines[0].filled == 1);
  CHECK(w.Req("R3").status == RequestStatus::kFilled);
}

TEST_CASE("dispatch: a reopened road refills a request short for lack of a road") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1")}));
  w.Do(0, CloseRoad{PlaceId(0), PlaceId(1), "snow on the pass"});
  const std::vector<Event> short_of = w.Do(1, Request("R1", PlaceId(0), MedicalX(1)));
  CHECK(One<Shortfall>(short_of).missing == 1);
  const std::vector<Event> reopened = w.Do(2, ReopenRoad{PlaceId(0), PlaceId(1)});
  CHECK(Assigned(reopened) == "R1:T1x1");
  CHECK(w.Req("R1").status == RequestStatus::kFilled);
}

TEST_CASE("dispatch: a team back on duty refills, a team off duty is passed over") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")}));
  CHECK(One<TeamDutyChanged>(w.Do(0, SetTeamOnDuty{"T1", false})).on_duty == false);
  CHECK(w.Team("T1").activity == TeamActivity::kOffDuty);
  const std::vector<Event> first = w.Do(1, Request("R1", PlaceId(0), MedicalX(1)));
  const TeamAssigned a = One<TeamAssigned>(first);
  CHECK(a.team == "T2");
  CHECK(PassedOverWhy(a, "T1") == "off duty");
  const std::vector<Event> second = w.Do(2, Request("R2", PlaceId(0), MedicalX(1)));
  CHECK(One<Shortfall>(second).missing == 1);
  const std::vector<Event> back = w.Do(3, SetTeamOnDuty{"T1", true});
  CHECK(Assigned(back) == "R2:T1x1");
  // Duty changes of a team on an assignment, or to the state it is in, fail.
  CHECK_FALSE(w.Try(4, SetTeamOnDuty{"T1", false}).ok());
  CHECK_FALSE(w.Try(4, SetTeamOnDuty{"T2", true}).ok());
}

TEST_CASE("dispatch: a busy team is passed over and never on two assignments") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(1), MedicalX(1)))) == "R1:T1x1");
  const std::vector<Event> events = w.Do(1, Request("R2", PlaceId(0), MedicalX(1)));
  const TeamAssigned a = One<TeamAssigned>(events);
  CHECK(a.team == "T2");
  CHECK(PassedOverWhy(a, "T1") == "busy with request R1");
  CHECK(w.Team("T1").request_id == "R1");
  CHECK(w.Team("T2").request_id == "R2");
}

TEST_CASE("dispatch: a person on two teams is committed once") {
  // P0 is on T1 and T2.
  World w(Star({10, 20, 30}),
          MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2"), Medical("T3", "p3")},
                       {{"T1", "T2"}}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(1), MedicalX(1)))) == "R1:T1x1");
  // T2 sits at R2's place, but its member is out with T1: T3 goes.
  const std::vector<Event> events = w.Do(1, Request("R2", PlaceId(2), MedicalX(1)));
  const TeamAssigned a = One<TeamAssigned>(events);
  CHECK(a.team == "T3");
  CHECK_MESSAGE(PassedOverWhy(a, "T2") == "a member is committed with another team", Text(events));
  CHECK(PassedOverWhy(a, "T1") == "busy with request R1");
  CHECK(w.Team("T2").activity == TeamActivity::kAvailable);
  // With T1 back, T2 may go.
  w.Do(2, ReportOnScene{"T1"});
  w.Do(3, ReleaseTeam{"T1", true});
  CHECK(Assigned(w.Do(4, Request("R3", PlaceId(2), MedicalX(1)))) == "R3:T2x1");
}

TEST_CASE("dispatch: one line needing two teams does not take two teams sharing a person") {
  // P0 is on T1 and T2; R1 needs two medics. Expected: T1 and T3 (T2 passed over because its
  // member is committed with T1), never T1 and T2 together.
  World w(Star({10, 20, 30}),
          MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2"), Medical("T3", "p3")},
                       {{"T1", "T2"}}));
  const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(2)));
  CHECK_MESSAGE(Assigned(events) == "R1:T1x1 R1:T3x1",
                (std::string("two teams sharing person P0 were both committed:") + Text(events)));
  CHECK_MESSAGE(!(w.Team("T1").activity == TeamActivity::kAssigned &&
                  w.Team("T2").activity == TeamActivity::kAssigned),
                "person P0 is committed on T1 and T2 at once");
}

// ====================================================================================
// 4. Preemption
// ====================================================================================

TEST_CASE(
    "dispatch: a critical request with no free team takes a team on its way to a routine "
    "one") {
  World w(Star({10, 20, 30}), MakeRegistry({Medical("T1", "p1")}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kRoutine))) == "R1:T1x1");
  w.Do(1, AcknowledgeAssignment{"R1", "T1"});
  w.Do(2, ReportEnRoute{"T1"});
  const std::vector<Event> events =
      w.Do(3, Request("R2", PlaceId(3), MedicalX(1), Priority::kCritical));
  const TeamPreempted p = One<TeamPreempted>(events);
  CHECK(p.team == "T1");
  CHECK(p.from_request == "R1");
  CHECK(p.to_request == "R2");
  CHECK(Assigned(events) == "R2:T1x1");
  // R1 records its shortfall and stays open.
  bool r1_short = false;
  for (const Shortfall& s : All<Shortfall>(events))
    r1_short = r1_short || (s.request_id == "R1" && s.missing == 1);
  CHECK_MESSAGE(r1_short, Text(events));
  CHECK(w.Req("R1").status == RequestStatus::kOpen);
  CHECK(w.Req("R1").Missing() == 1);
  CHECK(w.Req("R1").assignments.empty());
  CHECK(w.Team("T1").request_id == "R2");
  CHECK(w.Team("T1").activity == TeamActivity::kAssigned);
}

TEST_CASE("dispatch: the request that lost a team to preemption is refilled at once") {
  // R2 is at p2 (5000 m); T2 is fit only to 4500 m, so it cannot serve R2 but can serve R1.
  std::vector<PlaceSpec> places = Places(4);
  places[2].elevation_m = 5000;
  TeamSpec lowland = Medical("T2", "p3");
  lowland.max_elevation_m = 4500;
  World w(Star({10, 20, 30}, places), MakeRegistry({Medical("T1", "p1"), lowland}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kRoutine))) == "R1:T1x1");
  const std::vector<Event> events =
      w.Do(1, Request("R2", PlaceId(2), MedicalX(1), Priority::kCritical));
  CHECK(One<TeamPreempted>(events).team == "T1");
  CHECK_MESSAGE(Assigned(events) == "R2:T1x1 R1:T2x1", Text(events));
  CHECK(w.Req("R1").status == RequestStatus::kFilled);
  CHECK(w.Req("R2").status == RequestStatus::kFilled);
}

TEST_CASE("dispatch: a team on scene is never preempted, equal priority never preempts") {
  SUBCASE("on scene") {
    World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1")}));
    w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kRoutine));
    w.Do(1, ReportOnScene{"T1"});
    const std::vector<Event> events =
        w.Do(2, Request("R2", PlaceId(2), MedicalX(1), Priority::kFlash));
    CHECK(All<TeamPreempted>(events).empty());
    CHECK(One<Shortfall>(events).request_id == "R2");
    CHECK(w.Team("T1").request_id == "R1");
  }
  SUBCASE("equal priority") {
    World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1")}));
    w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kCritical));
    const std::vector<Event> events =
        w.Do(1, Request("R2", PlaceId(2), MedicalX(1), Priority::kCritical));
    CHECK(All<TeamPreempted>(events).empty());
    CHECK(One<Shortfall>(events).request_id == "R2");
    CHECK(w.Team("T1").request_id == "R1");
  }
  SUBCASE("urgent does not preempt routine") {
    World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1")}));
    w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kRoutine));
    const std::vector<Event> events =
        w.Do(1, Request("R2", PlaceId(2), MedicalX(1), Priority::kUrgent));
    CHECK(All<TeamPreempted>(events).empty());
    CHECK(w.Team("T1").request_id == "R1");
  }
}

// ====================================================================================
// 5. Escalation
// ====================================================================================

// p0 (the unit) and p1 in county 540101, p2 in 540102 (same prefecture), p3 in 540201 (another
// prefecture). p1 is 100 min from p0, p2 20 min, p3 30 min.
RoadGraph Counties() {
  std::vector<PlaceSpec> places = Places(4);
  places[2].adcode = kCountyB;
  places[3].adcode = kOtherPrefecture;
  return Star({100, 20, 30}, places);
}

std::string Widenings(const std::vector<Event>& events) {
  std::string out;
  for (const ScopeWidened& s : All<ScopeWidened>(events)) {
    out += std::string(ToString(s.from)) + ">" + std::string(ToString(s.to)) + " ";
  }
  return out;
}

TEST_CASE(
    "dispatch: the search starts in the county and widens to the prefecture, then the "
    "region") {
  SUBCASE("county fills") {
    World w(Counties(), MakeRegistry({Medical("TC", "p1"), Medical("TP", "p2")}));
    const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
    CHECK(Widenings(events).empty());
    const TeamAssigned a = One<TeamAssigned>(events);
    CHECK(a.team == "TC");  // 100 min, though TP is 20 min away in the next county
    CHECK(PassedOverWhy(a, "TP") == "outside the county scope");
    CHECK(w.Req("R1").lines[0].scope == Scope::kCounty);
  }
  SUBCASE("prefecture") {
    World w(Counties(), MakeRegistry({Medical("TP", "p2"), Medical("TR", "p3")}));
    const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
    CHECK(Widenings(events) == "county>prefecture ");
    CHECK(One<ScopeWidened>(events).specialty == "medical");
    CHECK(Assigned(events) == "R1:TPx1");
    CHECK(w.Req("R1").lines[0].scope == Scope::kPrefecture);
  }
  SUBCASE("region") {
    World w(Counties(), MakeRegistry({Medical("TR", "p3")}));
    const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
    CHECK(Widenings(events) == "county>prefecture prefecture>region ");
    CHECK(Assigned(events) == "R1:TRx1");
    CHECK(w.Req("R1").lines[0].scope == Scope::kRegion);
  }
  SUBCASE("nowhere") {
    World w(Counties(), MakeRegistry({}));
    const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
    CHECK(Widenings(events) == "county>prefecture prefecture>region ");
    CHECK(One<Shortfall>(events).missing == 1);
  }
  SUBCASE("county too slow for the deadline") {
    World w(Counties(), MakeRegistry({Medical("TC", "p1"), Medical("TP", "p2")}));
    const std::vector<Event> events =
        w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kUrgent, Minutes(60)));
    CHECK(Widenings(events) == "county>prefecture ");
    const TeamAssigned a = One<TeamAssigned>(events);
    CHECK(a.team == "TP");
    CHECK_FALSE(a.explanation.late);
  }
  SUBCASE("county can only fill part of the line") {
    World w(Counties(), MakeRegistry({Medical("TC", "p1"), Medical("TR", "p3")}));
    const std::vector<Event> events = w.Do(0, Request("R1", PlaceId(0), MedicalX(2)));
    CHECK(Widenings(events) == "county>prefecture prefecture>region ");
    CHECK(Assigned(events) == "R1:TRx1 R1:TCx1");
  }
  SUBCASE("late everywhere: the fastest goes, marked late") {
    World w(Counties(), MakeRegistry({Medical("TC", "p1"), Medical("TR", "p3")}));
    const std::vector<Event> events =
        w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kUrgent, Minutes(15)));
    CHECK(Widenings(events) == "county>prefecture prefecture>region ");
    const TeamAssigned a = One<TeamAssigned>(events);
    CHECK(a.team == "TR");
    CHECK(a.explanation.late);
  }
}

// ====================================================================================
// 6. Lifecycle
// ====================================================================================

TEST_CASE("dispatch: assigned, acknowledged, en route, on scene, released where it is") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1")}));
  w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
  CHECK(w.Team("T1").activity == TeamActivity::kAssigned);
  CHECK(One<AssignmentAcknowledged>(w.Do(1, AcknowledgeAssignment{"R1", "T1"})).team == "T1");
  CHECK(w.Team("T1").activity == TeamActivity::kAcknowledged);
  CHECK(w.Req("R1").assignments[0].activity == TeamActivity::kAcknowledged);
  CHECK(One<TeamEnRoute>(w.Do(2, ReportEnRoute{"T1"})).request_id == "R1");
  CHECK(w.Team("T1").activity == TeamActivity::kEnRoute);
  CHECK(One<TeamOnScene>(w.Do(12, ReportOnScene{"T1"})).request_id == "R1");
  CHECK(w.Team("T1").activity == TeamActivity::kOnScene);
  CHECK(w.Team("T1").location == PlaceId(0));
  const std::vector<Event> released = w.Do(60, ReleaseTeam{"T1", false});
  CHECK(One<TeamReleased>(released).at == PlaceId(0));
  CHECK(w.Team("T1").activity == TeamActivity::kAvailable);
  CHECK(w.Team("T1").location == PlaceId(0));
  CHECK(w.Team("T1").request_id.empty());
  CHECK(w.Req("R1").assignments.empty());
  CHECK(w.Req("R1").status == RequestStatus::kFilled);

  // The next request at p2 sends T1 from p0 (20 min), not from home (p1, 30 min).
  const TeamAssigned next = One<TeamAssigned>(w.Do(61, Request("R2", PlaceId(2), MedicalX(1))));
  CHECK(next.explanation.travel == 20 * kMin);
  w.Do(62, ReportOnScene{"T1"});
  const std::vector<Event> home = w.Do(70, ReleaseTeam{"T1", true});
  CHECK(One<TeamReleased>(home).at == PlaceId(1));
  CHECK(w.Team("T1").location == PlaceId(1));
}

TEST_CASE("dispatch: lifecycle commands out of order are refused") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")}));
  w.Do(0, Request("R1", PlaceId(0), MedicalX(1)));
  w.Do(1, AcknowledgeAssignment{"R1", "T1"});
  const Result<std::vector<Event>> twice = w.Try(2, AcknowledgeAssignment{"R1", "T1"});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().code() == StatusCode::kFailedPrecondition);
  const Result<std::vector<Event>> decline = w.Try(2, DeclineAssignment{"R1", "T1", "tired"});
  REQUIRE_FALSE(decline.ok());
  CHECK(w.Team("T1").activity == TeamActivity::kAcknowledged);
  const Result<std::vector<Event>> free_en_route = w.Try(2, ReportEnRoute{"T2"});
  REQUIRE_FALSE(free_en_route.ok());
  CHECK(free_en_route.status().code() == StatusCode::kFailedPrecondition);
  CHECK_FALSE(w.Try(2, ReportOnScene{"T2"}).ok());
  CHECK_FALSE(w.Try(2, ReleaseTeam{"T2", false}).ok());
  const Result<std::vector<Event>> unknown = w.Try(2, ReportEnRoute{"T9"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().code() == StatusCode::kNotFound);
  CHECK_FALSE(w.Try(2, ReleaseTeam{"T9", false}).ok());
  CHECK_FALSE(w.Try(2, SetTeamOnDuty{"T9", false}).ok());
  CHECK_FALSE(w.Try(2, AcknowledgeAssignment{"R1", "T9"}).ok());
  CHECK_FALSE(w.Try(2, AcknowledgeAssignment{"R9", "T1"}).ok());
  CHECK_FALSE(w.Try(2, AcknowledgeAssignment{"R1", "T2"}).ok());
  CHECK_FALSE(w.Try(2, CancelRequest{"R9", "no such"}).ok());
  w.Do(3, ReportEnRoute{"T1"});
  CHECK_FALSE(w.Try(4, ReportEnRoute{"T1"}).ok());
  w.Do(5, ReportOnScene{"T1"});
  CHECK_FALSE(w.Try(6, ReportOnScene{"T1"}).ok());
  CHECK_FALSE(w.Try(6, ReportEnRoute{"T1"}).ok());
  CHECK_FALSE(w.Try(6, AcknowledgeAssignment{"R1", "T1"}).ok());
  CHECK(w.d().now() == Minutes(5));
  w.Do(7, CancelRequest{"R1", "done"});
  CHECK_FALSE(w.Try(8, CancelRequest{"R1", "again"}).ok());
}

TEST_CASE("dispatch: a decline refills at once and the declining team is not sent again") {
  World w(Star({10, 20, 30}),
          MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2"), Medical("T3", "p3")}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(0), MedicalX(1)))) == "R1:T1x1");
  const std::vector<Event> d1 = w.Do(1, DeclineAssignment{"R1", "T1", "vehicle broken"});
  CHECK(One<AssignmentDeclined>(d1).reason == "vehicle broken");
  const TeamAssigned a = One<TeamAssigned>(d1);
  CHECK(a.team == "T2");
  CHECK(PassedOverWhy(a, "T1") == "declined this request");
  CHECK(w.Team("T1").activity == TeamActivity::kAvailable);
  // T2 declines too: T3 goes, not T1, though T1 is nearer.
  CHECK(Assigned(w.Do(2, DeclineAssignment{"R1", "T2", "no fuel"})) == "R1:T3x1");
  // T3 declines: nobody left who has not declined.
  const std::vector<Event> d3 = w.Do(3, DeclineAssignment{"R1", "T3", "lost"});
  CHECK(Assigned(d3).empty());
  CHECK(One<Shortfall>(d3).missing == 1);
  // Another request may have T1.
  CHECK(Assigned(w.Do(4, Request("R2", PlaceId(0), MedicalX(1)))) == "R2:T1x1");
}

TEST_CASE("dispatch: a team that declined a critical request is not taken back by preemption") {
  // T1 declines critical R1, then goes to routine R2. When R1 is refilled (here because T2
  // comes back on duty), preemption must not take T1 off R2 for R1: T1 declined R1.
  TeamSpec truck = Medical("T2", "p2");
  truck.specialty = "transport";
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1"), truck}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(0), MedicalX(1), Priority::kCritical))) ==
        "R1:T1x1");
  w.Do(1, DeclineAssignment{"R1", "T1", "cannot"});
  CHECK(Assigned(w.Do(2, Request("R2", PlaceId(0), MedicalX(1), Priority::kRoutine))) == "R2:T1x1");
  w.Do(3, SetTeamOnDuty{"T2", false});
  const std::vector<Event> events = w.Do(4, SetTeamOnDuty{"T2", true});
  CHECK_MESSAGE(
      Assigned(events).empty(),
      (std::string("the team that declined R1 was preempted from R2 and sent to R1 again:") +
       Text(events)));
  CHECK_MESSAGE(w.Team("T1").request_id == "R2", "T1 taken back for R1");
}

TEST_CASE("dispatch: cancel frees every team and refills the other open requests") {
  World w(Star({10, 20, 30}), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(0), MedicalX(2)))) == "R1:T1x1 R1:T2x1");
  w.Do(1, AcknowledgeAssignment{"R1", "T2"});
  w.Do(2, ReportOnScene{"T1"});
  CHECK(One<Shortfall>(w.Do(3, Request("R2", PlaceId(3), MedicalX(1)))).missing == 1);
  const std::vector<Event> events = w.Do(4, CancelRequest{"R1", "false alarm"});
  CHECK(One<RequestCancelled>(events).reason == "false alarm");
  const std::vector<TeamReleased> released = All<TeamReleased>(events);
  REQUIRE(released.size() == 2);
  std::map<std::string, PlaceId> at;
  for (const TeamReleased& r : released)
    at[r.team] = r.at;
  CHECK(at["T1"] == PlaceId(0));  // on scene: free at the scene
  CHECK(at["T2"] == PlaceId(2));  // still at home
  // R2 at p3: T1 from p0 is 30 min, T2 from p2 is 50 min.
  CHECK(Assigned(events) == "R2:T1x1");
  const RequestState& r1 = w.Req("R1");
  CHECK(r1.status == RequestStatus::kCancelled);
  CHECK(r1.assignments.empty());
  CHECK(r1.lines[0].filled == 0);
  CHECK(w.Team("T2").activity == TeamActivity::kAvailable);
  CHECK(w.Req("R2").status == RequestStatus::kFilled);
}

TEST_CASE("dispatch: a request short at its deadline expires on the next command") {
  World w(Star({10}), MakeRegistry({Medical("T1", "p1")}));
  w.Do(0, Request("R1", PlaceId(0), MedicalX(3), Priority::kUrgent, Minutes(30)));
  CHECK(w.Req("R1").Missing() == 2);
  CHECK(All<RequestExpired>(w.Do(29, AdvanceTime{})).empty());
  const std::vector<Event> events = w.Do(30, AdvanceTime{});
  const RequestExpired e = One<RequestExpired>(events);
  CHECK(e.request_id == "R1");
  CHECK(e.missing == 2);
  CHECK(w.Req("R1").status == RequestStatus::kExpired);
  CHECK(w.d().OpenRequests().empty());
  CHECK(All<RequestExpired>(w.Do(31, AdvanceTime{})).empty());  // once
  // A filled request does not expire.
  w.Do(32, Request("R2", PlaceId(1), MedicalX(1), Priority::kUrgent, Minutes(40)));
  w.Do(33, ReportOnScene{"T1"});
  w.Do(34, ReleaseTeam{"T1", false});
  CHECK(All<RequestExpired>(w.Do(50, AdvanceTime{})).empty());
}

TEST_CASE("dispatch: a closure during a journey changes the ETA, a team cut off is withdrawn") {
  // T1 at p1: 10 min to p0, or 40 min by p2. T2 at p3: 50 min.
  std::vector<ArcSpec> arcs;
  Road(arcs, 0, 1, 10, "G318");
  Road(arcs, 1, 2, 20, "S5");
  Road(arcs, 2, 0, 20, "S5");
  Road(arcs, 3, 0, 50, "X1");
  World w(MustBuild(Places(4), arcs), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p3")}));
  CHECK(Assigned(w.Do(0, Request("R1", PlaceId(0), MedicalX(1)))) == "R1:T1x1");
  w.Do(1, ReportEnRoute{"T1"});

  const std::vector<Event> detour = w.Do(2, CloseRoad{PlaceId(1), PlaceId(0), "landslide"});
  const EtaChanged changed = One<EtaChanged>(detour);
  CHECK(changed.team == "T1");
  CHECK(changed.old_eta == 10 * kMin);
  CHECK(changed.new_eta == 40 * kMin);
  CHECK(w.Req("R1").assignments[0].eta == 40 * kMin);
  CHECK(Assigned(detour).empty());

  const std::vector<Event> cut = w.Do(3, CloseRoad{PlaceId(2), PlaceId(0), "flood"});
  const EtaChanged lost = One<EtaChanged>(cut);
  CHECK(lost.old_eta == 40 * kMin);
  CHECK(lost.new_eta == kInfiniteTime);
  CHECK_MESSAGE(Assigned(cut) == "R1:T2x1", Text(cut));
  CHECK(w.Team("T1").activity == TeamActivity::kAvailable);
  CHECK(w.Team("T1").request_id.empty());
  CHECK(w.Team("T2").request_id == "R1");
  CHECK(w.Req("R1").status == RequestStatus::kFilled);
}

TEST_CASE("dispatch: a closure elsewhere leaves the ETA of a team already at the unit alone") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p0")}));
  const TeamAssigned a = One<TeamAssigned>(w.Do(0, Request("R1", PlaceId(0), MedicalX(1))));
  CHECK(a.explanation.travel == 0);
  CHECK(a.explanation.route.text() == "already there");
  const std::vector<Event> events = w.Do(1, CloseRoad{PlaceId(0), PlaceId(2), "snow"});
  CHECK_MESSAGE(All<EtaChanged>(events).empty(), Text(events));
  CHECK(w.Team("T1").request_id == "R1");
}

// ====================================================================================
// 7. Explanations
// ====================================================================================

TEST_CASE(
    "dispatch: an assignment says its ETA, route, alternatives and the nearer teams passed "
    "over") {
  // The unit at p0 (4600 m, county 540101). Nearer medical teams, each unable to go for its own
  // reason: TA busy (5 min), TB unvetted (10), TC unfit above 4500 m (15), TD in the next county
  // (20), TE not committed to wartime (25). TF, TG, TH at p5, 60 min by G318 then S5 through p7,
  // ready in 15, 30, 45 min.
  std::vector<PlaceSpec> places = Places(8);
  places[0].elevation_m = 4600;
  places[4].adcode = kCountyB;
  std::vector<ArcSpec> arcs;
  Road(arcs, 0, 1, 5);
  Road(arcs, 0, 2, 10);
  Road(arcs, 0, 3, 15);
  Road(arcs, 0, 4, 20);
  Road(arcs, 0, 6, 25);
  Road(arcs, 5, 7, 30, "G318");
  Road(arcs, 7, 0, 30, "S5");
  TeamSpec busy = Medical("TA", "p1");
  TeamSpec unvetted = Medical("TB", "p2");
  unvetted.vetted = false;
  TeamSpec unfit = Medical("TC", "p3");
  unfit.max_elevation_m = 4500;
  TeamSpec other_county = Medical("TD", "p4");
  TeamSpec peace = Medical("TE", "p6");
  peace.modes = {Mode::kPeacetime, Mode::kEmergency};
  World w(MustBuild(places, arcs),
          MakeRegistry({busy, unvetted, unfit, other_county, peace, Medical("TF", "p5", 1, 15),
                        Medical("TG", "p5", 1, 30), Medical("TH", "p5", 1, 45)}));
  CHECK(Assigned(w.Do(0, Request("R0", PlaceId(1), MedicalX(1)))) == "R0:TAx1");

  const std::vector<Event> events = w.Do(
      1, Request("R1", PlaceId(0), MedicalX(1), Priority::kUrgent, Minutes(600), Mode::kWartime));
  const TeamAssigned a = One<TeamAssigned>(events);
  CHECK(a.team == "TF");
  const Explanation& x = a.explanation;
  CHECK(x.eta == 75 * kMin);
  CHECK(x.mobilization == 15 * kMin);
  CHECK(x.travel == 60 * kMin);
  CHECK(x.eta == x.mobilization + x.travel);
  CHECK_FALSE(x.late);
  CHECK(x.route.distance_m() == 2 * (1000 + (30 * kMin) % 997));
  const std::string& route = x.route.text();
  CHECK_MESSAGE(Contains(route, "G318 p5 -> p7"), route);
  CHECK_MESSAGE(Contains(route, "S5 p7 -> p0"), route);
  CHECK(route.find("G318") < route.find("S5"));
  REQUIRE(x.alternatives.size() == 2);
  CHECK(x.alternatives[0].team == "TG");
  CHECK(x.alternatives[0].eta == 90 * kMin);
  CHECK(x.alternatives[1].team == "TH");
  CHECK(x.alternatives[1].eta == 105 * kMin);

  REQUIRE_MESSAGE(x.passed_over.size() == 5, Describe(a));
  const std::vector<std::string> order = {"TA", "TB", "TC", "TD", "TE"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    CHECK(x.passed_over[i].team == order[i]);
  }
  CHECK(x.passed_over[0].travel == 5 * kMin);
  CHECK(x.passed_over[4].travel == 25 * kMin);
  CHECK(PassedOverWhy(a, "TA") == "busy with request R0");
  CHECK(Contains(PassedOverWhy(a, "TB"), "vetting"));
  CHECK(Contains(PassedOverWhy(a, "TC"), "not fit above 4500 m"));
  CHECK(PassedOverWhy(a, "TD") == "outside the county scope");
  CHECK(Contains(PassedOverWhy(a, "TE"), "wartime"));
  // The line reads well.
  const std::string line = Describe(a);
  CHECK_MESSAGE(Contains(line, "assigned TF to R1 medical x1 eta 1h15m00s"), line);
  CHECK_MESSAGE(Contains(line, "next: TG 1h30m00s TH 1h45m00s"), line);
}

// ====================================================================================
// 8. Property test
// ====================================================================================

struct RandomCase {
  std::vector<PlaceSpec> places;
  std::vector<ArcSpec> arcs;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> roads;  // one per two-way road
  std::vector<TeamSpec> teams;
  std::vector<std::vector<std::string>> people;
};

RandomCase MakeRandomCase(std::mt19937& rng) {
  auto pick = [&rng](std::uint32_t lo, std::uint32_t hi) { return testing::Pick(rng, lo, hi); };
  RandomCase c;
  const std::uint32_t n = pick(3, 9);
  c.places = NumberedPlaces(n);
  const std::uint32_t adcodes[] = {kCountyA, kCountyB, kOtherPrefecture};
  const std::int32_t elevations[] = {0, 3600, 4700, 5200};
  for (PlaceSpec& p : c.places) {
    p.adcode = adcodes[pick(0, 2)];
    p.elevation_m = elevations[pick(0, 3)];
  }
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  auto add_road = [&](std::uint32_t a, std::uint32_t b) {
    if (a == b || !seen.insert(std::minmax(a, b)).second) return;
    const std::uint32_t minutes = pick(1, 60);
    const std::string ref = "G" + std::to_string(c.roads.size());
    c.arcs.push_back(testing::FixedArc(a, b, minutes * kMin, ref));
    c.arcs.push_back(testing::FixedArc(b, a, minutes * kMin, ref));
    c.roads.push_back({a, b});
  };
  // A random tree (sometimes missing one edge: two islands), then a few more roads.
  const bool islands = pick(0, 9) == 0;
  for (std::uint32_t i = 1; i < n; ++i) {
    if (islands && i == n - 1) continue;
    add_road(i, pick(0, i - 1));
  }
  const std::uint32_t extra = pick(0, n);
  for (std::uint32_t i = 0; i < extra; ++i)
    add_road(pick(0, n - 1), pick(0, n - 1));

  const std::uint32_t team_count = pick(2, 10);
  for (std::uint32_t i = 0; i < team_count; ++i) {
    TeamSpec t = RandomTeam(rng, i, n);
    t.max_elevation_m = pick(0, 4) == 0 ? 4500 : 6000;
    t.vetted = pick(0, 7) != 0;
    if (pick(0, 5) == 0) t.modes = {Mode::kPeacetime, Mode::kEmergency};
    if (pick(0, 4) == 0) {
      t.second_specialty = {(t.specialty == "medical" ? "transport:" : "medical:") +
                            std::to_string(pick(1, 2))};
    }
    c.teams.push_back(t);
  }
  const std::uint32_t person_count = pick(0, 4);
  for (std::uint32_t i = 0; i < person_count; ++i) {
    std::vector<std::string> teams = {"T" + std::to_string(pick(0, team_count - 1))};
    const std::string second = "T" + std::to_string(pick(0, team_count - 1));
    if (second != teams[0] && pick(0, 1) == 0) teams.push_back(second);
    c.people.push_back(teams);
  }
  return c;
}

// What the events say about the assignments: kept beside the dispatcher and compared with it.
struct Model {
  struct Active {
    std::string request;
    std::string specialty;
    std::uint32_t units = 0;
    bool on_scene = false;
  };
  std::map<std::string, Active> active;                                    // by team
  std::map<std::pair<std::string, std::string>, std::uint32_t> delivered;  // (request, specialty)
  std::map<std::string, std::set<std::string>> declined;                   // request -> teams
  std::set<std::string> cancelled;
};

struct Checks {
  Tally double_assignment{"no team on two active assignments, team state agrees"};
  Tally filled{"filled == active units + delivered units, <= quantity"};
  Tally capacity{"units within the team's capacity"};
  Tally missing{"Missing() and status agree with the lines"};
  Tally person{"no person committed on two active teams"};
  Tally events{"events agree with the state (model of assignments)"};
  Tally declined{"a team that declined a request is never sent to it again"};
  Tally preempt{"preemption only from a less urgent request not on scene"};
  Tally eta{"TeamAssigned eta == team delay + brute-force travel from where the team is"};
  Tally failed{"a failed command changes nothing"};
  Tally replay{"replay gives the same events and state"};
  Tally index{"with the road index: the same events (route text aside) and state"};
  std::uint64_t index_answers = 0;
  std::uint64_t stale_index_exact_answers = 0;
  std::uint64_t prepared_installs = 0;  // indexes installed with sets prepared beforehand

  std::vector<const Tally*> all() const {
    return {&double_assignment, &filled, &capacity, &missing, &person,
            &events,            &declined, &preempt, &eta,    &failed,
            &replay,            &index};
  }
};

class PropertyRun {
 public:
  PropertyRun(std::uint32_t seed, Checks& checks) : seed_(seed), rng_(seed), checks_(checks) {}

  void Run() {
    rc_ = MakeRandomCase(rng_);
    Result<RoadGraph> g = RoadGraph::Build(rc_.places, rc_.arcs);
    REQUIRE_MESSAGE(g.ok(), g.status().ToString());
    graph_ = std::make_unique<RoadGraph>(std::move(g).value());
    registry_ = MakeRegistry(rc_.teams, rc_.people);
    Result<Dispatcher> d = Dispatcher::Create(*graph_, registry_);
    REQUIRE_MESSAGE(d.ok(), d.status().ToString());
    d_ = std::make_unique<Dispatcher>(std::move(d).value());
    closed_.assign(rc_.roads.size(), false);
    // The same world matched through a road index, brought up to date after some closures and
    // left stale after others (the exact search then answers).
    Result<Dispatcher> di = Dispatcher::Create(*graph_, registry_);
    REQUIRE(di.ok());
    di_ = std::make_unique<Dispatcher>(std::move(di).value());
    Result<ChIndex> index = ChIndex::Build(*graph_);
    REQUIRE(index.ok());
    REQUIRE(di_->UseIndex(std::make_shared<ChIndex>(std::move(index).value())).ok());

    std::int64_t minute = 0;
    const std::uint32_t steps = Pick(20, 70);
    for (step_ = 0; step_ < steps; ++step_) {
      // Time mostly moves on, now and then tries to go back.
      const std::uint32_t dt = Pick(0, 9);
      std::int64_t at = minute + (dt < 4 ? 0 : dt < 8 ? Pick(1, 15) : Pick(15, 90));
      if (Pick(0, 29) == 0) at = minute - 5;
      const TimedCommand command{Minutes(at), NextCommand()};
      log_.push_back(command);
      const std::string before = Snapshot(*d_, ids_);
      // A request id seen before: the first answer comes back, and it happened long ago.
      const auto* submit = std::get_if<SubmitRequest>(&command.command);
      const bool repeated = submit != nullptr && d_->FindRequest(submit->request_id) != nullptr;
      Result<std::vector<Event>> result = d_->Apply(command);
      CompareIndexed(command, result);
      if (!result.ok()) {
        const std::string after = Snapshot(*d_, ids_);
        checks_.failed.Expect(before == after, [&] {
          return Where() + "failed with " + result.status().ToString() + "\nbefore:\n" + before +
                 "after:\n" + after;
        });
        continue;
      }
      minute = at;
      all_events_.insert(all_events_.end(), result->begin(), result->end());
      if (repeated) {
        CheckRepeated(*submit, *result);
      } else {
        Observe(*result);
      }
      CheckInvariants(*result);
    }
    CheckReplay();
    checks_.index_answers += di_->index_answers();
  }

 private:
  // Events without the route text and length, which may differ between two routes of the same
  // time.
  static std::vector<std::string> WithoutRoutes(std::vector<Event> events) {
    for (Event& e : events) {
      if (auto* a = std::get_if<TeamAssigned>(&e)) {
        a->explanation.route = RouteText();
      }
    }
    return Lines(events);
  }

  void CompareIndexed(const TimedCommand& command, const Result<std::vector<Event>>& want) {
    const std::uint64_t exact_before = di_->exact_answers();
    const bool was_current = di_->IndexCurrent();
    Result<std::vector<Event>> got = di_->Apply(command);
    InstallPending();
    if (!was_current) checks_.stale_index_exact_answers += di_->exact_answers() - exact_before;
    const bool same_outcome = got.ok() == want.ok();
    const bool same_events = same_outcome && (!got.ok() || WithoutRoutes(*got) == WithoutRoutes(*want));
    const std::string state = Snapshot(*d_, ids_), indexed_state = Snapshot(*di_, ids_);
    checks_.index.Expect(same_events && state == indexed_state, [&] {
      return Where() + "with the index:" +
             (got.ok() ? Text(*got) : " " + got.status().ToString()) + "\nwithout:" +
             (want.ok() ? Text(*want) : " " + want.status().ToString()) +
             (state == indexed_state ? "" : "\nstate:\n" + state + "indexed:\n" + indexed_state);
    });
    if (!got.ok()) return;
    const bool roads_changed = std::holds_alternative<CloseRoad>(command.command) ||
                               std::holds_alternative<ReopenRoad>(command.command);
    const auto upkeep = roads_changed ? index_rng_() % 3 : 0;
    if (upkeep == 0) return;  // left stale: the exact search answers
    // What the adapter does on another thread: the index recontracted for the closures now.
    Result<ChIndex> next = ChIndex::Recontract(*graph_, *di_->index(), di_->ClosedArcsNow());
    REQUIRE(next.ok());
    auto ready = std::make_shared<const ChIndex>(std::move(next).value());
    if (upkeep == 1) {
      REQUIRE(di_->UseIndex(ready).ok());
      checks_.index.Expect(di_->IndexCurrent(), [&] { return Where() + "index not current"; });
      return;
    }
    // As the server does: the sets filled from where the teams stand now, installed after the
    // next command (teams may have moved, gone or come back meanwhile); now and then sets made
    // for another index, which must be refilled instead of used.
    const TeamPlaces places = di_->TeamPlacesNow();
    const bool mismatched = index_rng_() % 4 == 0;
    pending_ = Pending{ready, Dispatcher::PreparePools(mismatched ? di_->index() : ready, places)};
  }

  // A recontracted index with its prepared sets, installed when it still fits the closures (as
  // the server's InstallIndex), else dropped.
  void InstallPending() {
    if (!pending_) return;
    Pending pending = std::move(*pending_);
    pending_.reset();
    if (!pending.index->BuiltFor(di_->ClosedArcsNow())) return;
    REQUIRE(di_->UseIndex(pending.index, std::move(pending.pools)).ok());
    checks_.index.Expect(di_->IndexCurrent(),
                         [&] { return Where() + "index not current after prepared sets"; });
    ++checks_.prepared_installs;
  }
  struct Pending {
    std::shared_ptr<const ChIndex> index;
    PreparedPools pools;
  };
  std::optional<Pending> pending_;

  std::uint32_t Pick(std::uint32_t lo, std::uint32_t hi) { return testing::Pick(rng_, lo, hi); }

  std::string Where() const {
    return "seed " + std::to_string(seed_) + " step " + std::to_string(step_) + ": ";
  }

  std::string TeamCode() {
    return "T" + std::to_string(Pick(0, std::uint32_t(rc_.teams.size()) - 1));
  }

  // A team on an assignment (with its request), when there is one.
  std::optional<std::pair<std::string, std::string>> SomeAssignment() {
    std::vector<std::pair<std::string, std::string>> all;
    for (const std::string& id : ids_) {
      if (const RequestState* r = d_->FindRequest(id)) {
        for (const Assignment& a : r->assignments)
          all.push_back({id, a.team});
      }
    }
    if (all.empty()) return std::nullopt;
    return all[Pick(0, std::uint32_t(all.size()) - 1)];
  }

  std::string SomeRequest() {
    if (ids_.empty() || Pick(0, 9) == 0) return "R" + std::to_string(Pick(0, 50));
    return ids_[Pick(0, std::uint32_t(ids_.size()) - 1)];
  }

  Command NextCommand() {
    const std::uint32_t kind = Pick(0, 99);
    if (kind < 22) {
      SubmitRequest s;
      s.request_id = (!ids_.empty() && Pick(0, 9) == 0)
                         ? ids_[Pick(0, std::uint32_t(ids_.size()) - 1)]
                         : "R" + std::to_string(next_request_++);
      if (std::find(ids_.begin(), ids_.end(), s.request_id) == ids_.end()) {
        ids_.push_back(s.request_id);
      }
      s.unit = "unit";
      s.place = PlaceId(Pick(0, std::uint32_t(rc_.places.size()) - 1));
      s.priority = static_cast<Priority>(Pick(0, 3));
      s.mode = static_cast<Mode>(Pick(0, 2));
      s.deadline = d_->now() + std::chrono::minutes(Pick(10, 240));
      const bool both = Pick(0, 2) == 0;
      const bool medical_first = Pick(0, 1) == 0;
      s.lines.push_back({medical_first ? "medical" : "transport", Pick(1, 5)});
      if (both) s.lines.push_back({medical_first ? "transport" : "medical", Pick(1, 4)});
      if (Pick(0, 19) == 0) s.lines[0].quantity = 0;  // refused
      if (Pick(0, 4) != 0) return s;
      // A surge: this request and a few fresh ones, assigned jointly.
      SubmitBatch batch{{s}};
      for (std::uint32_t extra = Pick(1, 3); extra > 0; --extra) {
        SubmitRequest more = s;
        more.request_id = "R" + std::to_string(next_request_++);
        ids_.push_back(more.request_id);
        more.place = PlaceId(Pick(0, std::uint32_t(rc_.places.size()) - 1));
        more.priority = static_cast<Priority>(Pick(0, 3));
        more.lines[0].quantity = Pick(1, 4);
        batch.requests.push_back(std::move(more));
      }
      return batch;
    }
    if (kind < 34) {
      const auto a = SomeAssignment();
      if (!a || Pick(0, 9) == 0) return AcknowledgeAssignment{SomeRequest(), TeamCode()};
      return AcknowledgeAssignment{a->first, a->second};
    }
    if (kind < 42) {
      const auto a = SomeAssignment();
      if (!a || Pick(0, 9) == 0) return DeclineAssignment{SomeRequest(), TeamCode(), "random"};
      return DeclineAssignment{a->first, a->second, "random"};
    }
    if (kind < 52) {
      const auto a = SomeAssignment();
      return ReportEnRoute{a && Pick(0, 4) != 0 ? a->second : TeamCode()};
    }
    if (kind < 62) {
      const auto a = SomeAssignment();
      return ReportOnScene{a && Pick(0, 4) != 0 ? a->second : TeamCode()};
    }
    if (kind < 72) {
      const auto a = SomeAssignment();
      return ReleaseTeam{a && Pick(0, 4) != 0 ? a->second : TeamCode(), Pick(0, 1) == 0};
    }
    if (kind < 76) return CancelRequest{SomeRequest(), "random"};
    if (kind < 83 && !rc_.roads.empty()) {
      const std::uint32_t r = Pick(0, std::uint32_t(rc_.roads.size()) - 1);
      return CloseRoad{PlaceId(rc_.roads[r].first), PlaceId(rc_.roads[r].second), "random"};
    }
    if (kind < 89 && !rc_.roads.empty()) {
      const std::uint32_t r = Pick(0, std::uint32_t(rc_.roads.size()) - 1);
      return ReopenRoad{PlaceId(rc_.roads[r].second), PlaceId(rc_.roads[r].first)};
    }
    if (kind < 92) return SetTeamOnDuty{TeamCode(), Pick(0, 1) == 0};
    if (kind < 96) return SetTeamSuspended{TeamCode(), Pick(0, 1) == 0, "random"};
    return AdvanceTime{};
  }

  void Observe(const std::vector<Event>& events) {
    for (const Event& e : events) {
      if (const auto* a = std::get_if<TeamAssigned>(&e)) {
        checks_.events.Expect(!model_.active.contains(a->team),
                              [&] { return Where() + a->team + " assigned while active"; });
        checks_.declined.Expect(!model_.declined[a->request_id].contains(a->team), [&] {
          return Where() + a->team + " declined " + a->request_id +
                 " and was sent again:" + Text(events);
        });
        model_.active[a->team] = {a->request_id, a->specialty, a->units, false};
        CheckEta(*a);
      } else if (const auto* o = std::get_if<TeamOnScene>(&e)) {
        model_.active[o->team].on_scene = true;
      } else if (const auto* r = std::get_if<TeamReleased>(&e)) {
        auto it = model_.active.find(r->team);
        if (it == model_.active.end()) continue;
        if (it->second.on_scene && !model_.cancelled.contains(it->second.request)) {
          model_.delivered[{it->second.request, it->second.specialty}] += it->second.units;
        }
        model_.active.erase(it);
      } else if (const auto* dcl = std::get_if<AssignmentDeclined>(&e)) {
        model_.declined[dcl->request_id].insert(dcl->team);
        model_.active.erase(dcl->team);
      } else if (const auto* p = std::get_if<TeamPreempted>(&e)) {
        const RequestState* from = d_->FindRequest(p->from_request);
        const RequestState* to = d_->FindRequest(p->to_request);
        auto it = model_.active.find(p->team);
        checks_.preempt.Expect(from != nullptr && to != nullptr && from->priority < to->priority &&
                                   it != model_.active.end() && !it->second.on_scene &&
                                   it->second.request == p->from_request,
                               [&] { return Where() + Describe(e); });
        model_.active.erase(p->team);
      } else if (const auto* ec = std::get_if<EtaChanged>(&e)) {
        if (ec->new_eta == kInfiniteTime) model_.active.erase(ec->team);
      } else if (const auto* c = std::get_if<RequestCancelled>(&e)) {
        model_.cancelled.insert(c->request_id);
      } else if (const auto* rc = std::get_if<RoadClosed>(&e)) {
        SetClosed(rc->from, rc->to, true);
      } else if (const auto* ro = std::get_if<RoadReopened>(&e)) {
        SetClosed(ro->from, ro->to, false);
      }
    }
  }

  // The answer to a repeated id: expiries due now, then the first answer again, unchanged.
  void CheckRepeated(const SubmitRequest& submit, const std::vector<Event>& events) {
    std::vector<Event> rest;
    for (const Event& e : events) {
      if (!std::holds_alternative<RequestExpired>(e)) rest.push_back(e);
    }
    const RequestState* r = d_->FindRequest(submit.request_id);
    checks_.events.Expect(Lines(rest) == Lines(*r->first_answer), [&] {
      return Where() + "repeated " + submit.request_id + " answered" + Text(events);
    });
    Observe(std::vector<Event>(events.begin(), events.end() - std::ssize(rest)));
  }

  void SetClosed(PlaceId a, PlaceId b, bool closed) {
    for (std::size_t i = 0; i < rc_.roads.size(); ++i) {
      if (std::minmax(a.value(), b.value()) ==
          std::minmax(rc_.roads[i].first, rc_.roads[i].second)) {
        closed_[i] = closed;
      }
    }
  }

  // The assignment's ETA: the team's delay plus the brute-force road time from where it is now
  // (assignments do not move teams) to the unit, over the roads open now.
  void CheckEta(const TeamAssigned& a) {
    const TeamId t = *d_->registry().FindTeam(a.team);
    const RequestState* r = d_->FindRequest(a.request_id);
    if (r == nullptr) return;
    std::vector<bool> open(rc_.arcs.size());
    for (std::size_t i = 0; i < rc_.arcs.size(); ++i)
      open[i] = !closed_[i / 2];
    const Matrix m = FloydWarshall(std::uint32_t(rc_.places.size()), rc_.arcs, open);
    const std::uint64_t travel = m[d_->team_state(t).location.value()][r->place.value()];
    const auto delay =
        static_cast<std::uint64_t>(d_->registry().team(t).mobilization_delay.count());
    const Explanation& x = a.explanation;
    checks_.eta.Expect(travel != kNone && x.travel == travel && x.mobilization == delay &&
                           x.eta == x.travel + x.mobilization,
                       [&] {
                         return Where() + Describe(a) + " brute-force travel " +
                                std::to_string(travel) + " delay " + std::to_string(delay);
                       });
  }

  void CheckInvariants(const std::vector<Event>& events) {
    const Registry& reg = d_->registry();
    // Every assignment, by team.
    std::map<std::string, std::vector<std::pair<const RequestState*, const Assignment*>>> by_team;
    for (const std::string& id : ids_) {
      const RequestState* r = d_->FindRequest(id);
      if (r == nullptr) continue;
      for (const Assignment& a : r->assignments)
        by_team[a.team].push_back({r, &a});
    }
    for (const Team& t : reg.teams()) {
      const TeamState& ts = d_->team_state(t.id);
      const auto it = by_team.find(t.code);
      const std::size_t count = it == by_team.end() ? 0 : it->second.size();
      bool agrees = count <= 1;
      if (count == 1) {
        const auto [r, a] = it->second.front();
        agrees = agrees && ts.request_id == r->id && ts.activity == a->activity;
      } else if (count == 0) {
        agrees = agrees && ts.request_id.empty() &&
                 (ts.activity == TeamActivity::kAvailable || ts.activity == TeamActivity::kOffDuty);
      }
      checks_.double_assignment.Expect(agrees, [&] {
        return Where() + t.code + " on " + std::to_string(count) + " assignments, state " +
               std::string(ToString(ts.activity)) + " for '" + ts.request_id + "'" + Text(events);
      });
      // The model of the events agrees.
      const auto m = model_.active.find(t.code);
      const bool model_agrees =
          (m == model_.active.end()) == (count == 0) &&
          (count != 1 ||
           (m->second.request == it->second.front().first->id &&
            m->second.units == it->second.front().second->units &&
            m->second.on_scene == (it->second.front().second->activity == TeamActivity::kOnScene)));
      checks_.events.Expect(model_agrees, [&] {
        return Where() + t.code + ": the events and the state disagree" + Text(events) + "\n" +
               Snapshot(*d_, ids_);
      });
    }
    for (const std::string& id : ids_) {
      const RequestState* r = d_->FindRequest(id);
      if (r == nullptr) continue;
      std::uint32_t missing = 0;
      for (std::uint32_t i = 0; i < r->lines.size(); ++i) {
        const LineState& l = r->lines[i];
        std::uint32_t active = 0;
        for (const Assignment& a : r->assignments) {
          if (a.line != i) continue;
          active += a.units;
          const TeamId t = *reg.FindTeam(a.team);
          const std::uint32_t cap = reg.Capacity(t, l.specialty);
          checks_.capacity.Expect(a.units > 0 && a.units <= cap, [&] {
            return Where() + a.team + " x" + std::to_string(a.units) + " with capacity " +
                   std::to_string(cap);
          });
        }
        const std::uint32_t delivered = model_.delivered[{id, l.specialty_code}];
        checks_.filled.Expect(l.filled == active + delivered && l.filled <= l.quantity, [&] {
          return Where() + id + " " + l.specialty_code + " filled " + std::to_string(l.filled) +
                 " of " + std::to_string(l.quantity) + ", active " + std::to_string(active) +
                 " delivered " + std::to_string(delivered) + Text(events);
        });
        missing += l.quantity - std::min(l.quantity, l.filled);
      }
      const bool status_agrees = r->Missing() == missing &&
                                 (r->status != RequestStatus::kFilled || missing == 0) &&
                                 (r->status != RequestStatus::kOpen || missing > 0);
      checks_.missing.Expect(status_agrees, [&] {
        return Where() + id + " " + std::string(ToString(r->status)) + " Missing() " +
               std::to_string(r->Missing()) + " lines say " + std::to_string(missing) +
               Text(events);
      });
    }
    for (const PersonnelCard& p : reg.personnel()) {
      std::vector<std::string> on;
      for (TeamId t : p.teams) {
        const TeamActivity a = d_->team_state(t).activity;
        if (a != TeamActivity::kAvailable && a != TeamActivity::kOffDuty) {
          on.push_back(reg.team(t).code);
        }
      }
      checks_.person.Expect(on.size() <= 1, [&] {
        std::string teams;
        for (const std::string& t : on)
          teams += " " + t;
        return Where() + p.code + " committed on" + teams + Text(events);
      });
    }
  }

  void CheckReplay() {
    Result<std::vector<Event>> replayed = Dispatcher::Replay(*graph_, registry_, {}, log_);
    REQUIRE_MESSAGE(replayed.ok(), replayed.status().ToString());
    const std::vector<std::string> want = Lines(all_events_), got = Lines(*replayed);
    Result<Dispatcher> again = Dispatcher::Create(*graph_, registry_);
    REQUIRE(again.ok());
    for (const TimedCommand& c : log_)
      (void)again->Apply(c);
    const std::string state = Snapshot(*d_, ids_), replay_state = Snapshot(*again, ids_);
    checks_.replay.Expect(want == got && state == replay_state, [&] {
      std::size_t i = 0;
      while (i < want.size() && i < got.size() && want[i] == got[i])
        ++i;
      return "seed " + std::to_string(seed_) + ": event " + std::to_string(i) + " of " +
             std::to_string(want.size()) + "/" + std::to_string(got.size()) + " differs: '" +
             (i < want.size() ? want[i] : "(end)") + "' vs '" +
             (i < got.size() ? got[i] : "(end)") + "'" +
             (state == replay_state ? "" : "\nstate:\n" + state + "replayed:\n" + replay_state);
    });
  }

  std::uint32_t seed_;
  std::mt19937 rng_;
  Checks& checks_;
  RandomCase rc_;
  std::unique_ptr<RoadGraph> graph_;
  std::shared_ptr<const Registry> registry_;
  std::unique_ptr<Dispatcher> d_;
  std::unique_ptr<Dispatcher> di_;  // the same, with a road index
  std::mt19937 index_rng_{seed_ + 7};
  std::vector<bool> closed_;  // by road
  std::vector<TimedCommand> log_;
  std::vector<Event> all_events_;
  std::vector<std::string> ids_;  // every request id tried
  std::uint32_t next_request_ = 0;
  std::uint32_t step_ = 0;
  Model model_;
};

TEST_CASE("dispatch: invariants hold after every command on random worlds, replay agrees") {
  Checks checks;
  constexpr std::uint32_t kCases = 400;
  for (std::uint32_t seed = 1; seed <= kCases; ++seed) {
    PropertyRun run(seed, checks);
    run.Run();
  }
  for (const Tally* t : checks.all()) {
    CHECK_MESSAGE(t->ok(), t->Report());
    CHECK(t->checks() > 0);
  }
  // Both ways were exercised: the index answering, and the exact search while it was stale.
  CHECK(checks.index_answers > 1000);
  CHECK(checks.stale_index_exact_answers > 50);
  MESSAGE("indexes installed with sets prepared beforehand: ", checks.prepared_installs);
  CHECK(checks.prepared_installs > 20);
}

}  // namespace
}  // namespace baiying

namespace baiying {
namespace {

// The ETA of every TeamAssigned event, summed, and the units assigned.
std::pair<std::uint64_t, std::uint64_t> EtaAndUnits(const std::vector<Event>& events) {
  std::uint64_t eta = 0, units = 0;
  for (const Event& e : events) {
    if (const auto* a = std::get_if<TeamAssigned>(&e)) {
      eta += a->explanation.eta;
      units += a->units;
    }
  }
  return {eta, units};
}

}  // namespace

TEST_CASE("dispatch: a batch is assigned jointly, better than one by one") {
  // p0 and p3 are the units. T1 at p1 is 10 minutes from both; T2 at p2 is 15 minutes from p0
  // and 35 from p3 (through p0 and p1). One by one, R1 (older) takes T1 and R2 gets T2:
  // 10 + 35 minutes. Jointly, R1 takes T2 and R2 takes T1: 15 + 10.
  std::vector<ArcSpec> arcs;
  Road(arcs, 1, 0, 10);
  Road(arcs, 1, 3, 10);
  Road(arcs, 2, 0, 15);
  const RoadGraph graph = MustBuild(Places(4), arcs);
  const auto registry = MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")});

  const SubmitRequest r1 = Request("R1", PlaceId(0), MedicalX(1));
  const SubmitRequest r2 = Request("R2", PlaceId(3), MedicalX(1));
  World one_by_one(MustBuild(Places(4), arcs), registry);
  std::vector<Event> sequential = one_by_one.Do(0, r1);
  const std::vector<Event> second = one_by_one.Do(0, r2);
  sequential.insert(sequential.end(), second.begin(), second.end());
  CHECK(EtaAndUnits(sequential) == std::pair<std::uint64_t, std::uint64_t>{45 * kMin, 2});

  World joint(MustBuild(Places(4), arcs), registry);
  const std::vector<Event> events = joint.Do(0, SubmitBatch{{r1, r2}});
  CHECK(EtaAndUnits(events) == std::pair<std::uint64_t, std::uint64_t>{25 * kMin, 2});
  CHECK(joint.Team("T2").request_id == "R1");
  CHECK(joint.Team("T1").request_id == "R2");
  CHECK(joint.Req("R1").status == RequestStatus::kFilled);
  CHECK(joint.Req("R2").status == RequestStatus::kFilled);

  // The same batch again changes nothing and answers the same.
  const std::vector<Event> again = joint.Do(1, SubmitBatch{{r1, r2}});
  REQUIRE(again.size() == events.size());
  for (std::size_t i = 0; i < again.size(); ++i)
    CHECK(Describe(again[i]) == Describe(events[i]));
  // A batch mixing a known id with a new one, or repeating an id, is refused.
  CHECK_FALSE(joint.Try(2, SubmitBatch{{r1, Request("R3", PlaceId(0), MedicalX(1))}}).ok());
  CHECK_FALSE(joint
                  .Try(2, SubmitBatch{{Request("R4", PlaceId(0), MedicalX(1)),
                                       Request("R4", PlaceId(3), MedicalX(1))}})
                  .ok());
  CHECK_FALSE(joint.Try(2, SubmitBatch{}).ok());
}

TEST_CASE("dispatch: a batch puts the more urgent request first, and records what is short") {
  std::vector<ArcSpec> arcs;
  Road(arcs, 1, 0, 10);
  Road(arcs, 1, 2, 5);
  World w(MustBuild(Places(3), arcs), MakeRegistry({Medical("T1", "p1")}));
  const std::vector<Event> events =
      w.Do(0, SubmitBatch{{Request("R1", PlaceId(2), MedicalX(1), Priority::kRoutine),
                           Request("R2", PlaceId(0), MedicalX(1), Priority::kFlash)}});
  CHECK(w.Team("T1").request_id == "R2");  // farther, but flash
  CHECK(w.Req("R1").Missing() == 1);
  bool shortfall = false;
  for (const Event& e : events) {
    if (const auto* s = std::get_if<Shortfall>(&e)) shortfall = shortfall || s->request_id == "R1";
  }
  CHECK(shortfall);
}

TEST_CASE("dispatch: random surges, joint never worse than the same requests one by one") {
  std::mt19937 rng(4242);
  int compared = 0, strictly_better = 0;
  for (int c = 0; c < 120; ++c) {
    // A random connected graph: a path plus random shortcuts, all in one county.
    const std::uint32_t n = 4 + static_cast<std::uint32_t>(rng() % 10);
    std::vector<ArcSpec> arcs;
    for (std::uint32_t i = 1; i < n; ++i)
      Road(arcs, i - 1, i, 1 + static_cast<std::uint32_t>(rng() % 30));
    for (std::uint32_t i = 0; i < n; ++i) {
      Road(arcs, static_cast<std::uint32_t>(rng() % n),
           static_cast<std::uint32_t>(rng() % n) == i ? (i + 1) % n
                                                      : static_cast<std::uint32_t>(rng() % n),
           1 + static_cast<std::uint32_t>(rng() % 60));
    }
    std::erase_if(arcs, [](const ArcSpec& a) { return a.from == a.to; });
    std::vector<TeamSpec> specs;
    const std::uint32_t team_count = 2 + static_cast<std::uint32_t>(rng() % 8);
    for (std::uint32_t t = 0; t < team_count; ++t) {
      specs.push_back(Medical("T" + std::to_string(10 + t), "p" + std::to_string(rng() % n),
                              1 + static_cast<std::uint32_t>(rng() % 3),
                              static_cast<std::int64_t>(rng() % 40)));
    }
    const auto registry = MakeRegistry(specs);
    std::vector<SubmitRequest> batch;
    const std::uint32_t request_count = 1 + static_cast<std::uint32_t>(rng() % 5);
    for (std::uint32_t q = 0; q < request_count; ++q) {
      batch.push_back(Request(
          "R" + std::to_string(q), PlaceId(static_cast<std::uint32_t>(rng() % n)),
          MedicalX(1 + static_cast<std::uint32_t>(rng() % 4)), static_cast<Priority>(rng() % 4)));
    }
    DispatchOptions wide;
    wide.batch_extra_candidates = 100;  // every team a candidate: the comparison is exact
    World joint(MustBuild(Places(n), arcs), registry);
    Result<Dispatcher> jd = Dispatcher::Create(joint.graph(), registry, wide);
    REQUIRE(jd.ok());
    Result<std::vector<Event>> joint_events = jd->Apply({Minutes(0), SubmitBatch{batch}});
    REQUIRE(joint_events.ok());

    // One by one, most urgent first, then in batch order.
    std::vector<SubmitRequest> ordered = batch;
    std::stable_sort(
        ordered.begin(), ordered.end(),
        [](const SubmitRequest& a, const SubmitRequest& b) { return a.priority > b.priority; });
    World sequential(MustBuild(Places(n), arcs), registry);
    std::vector<Event> seq_events;
    for (const SubmitRequest& r : ordered) {
      const std::vector<Event> e = sequential.Do(0, r);
      seq_events.insert(seq_events.end(), e.begin(), e.end());
    }
    // Units by priority class, most urgent first, then total ETA.
    auto objective = [&](const std::vector<Event>& events) {
      std::array<std::uint64_t, 4> units{};
      std::uint64_t eta = 0;
      for (const Event& e : events) {
        if (const auto* a = std::get_if<TeamAssigned>(&e)) {
          const auto it = std::find_if(batch.begin(), batch.end(), [&](const SubmitRequest& r) {
            return r.request_id == a->request_id;
          });
          units[3 - static_cast<int>(it->priority)] += a->units;
          eta += a->explanation.eta;
        }
      }
      return std::pair{units, eta};
    };
    const auto [ju, je] = objective(*joint_events);
    const auto [su, se] = objective(seq_events);
    CAPTURE(c);
    const bool not_worse = ju > su || (ju == su && je <= se);
    CHECK(not_worse);
    ++compared;
    strictly_better += (ju > su || (ju == su && je < se)) ? 1 : 0;
  }
  CHECK(compared == 120);
  MESSAGE("joint strictly better on " << strictly_better << " of " << compared << " surges");
}

}  // namespace baiying

namespace baiying {

TEST_CASE("dispatch: a flash request swaps a slow team of its own for a much nearer busy one") {
  // p0 the flash unit, p3 the routine unit. T1 at p1: 10 minutes from p0 and from p3. T2 at p2:
  // 120 minutes from p0 (and 140 from p3, through p0 and p1). Routine R1 at p3 takes T1; flash
  // R2 at p0 gets free T2 (120 minutes), then takes T1 instead (10 minutes: saves 110 > 30),
  // and T2, freed, goes to R1.
  std::vector<ArcSpec> arcs;
  Road(arcs, 1, 0, 10);
  Road(arcs, 1, 3, 10);
  Road(arcs, 2, 0, 120);
  World w(MustBuild(Places(4), arcs), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")}));
  w.Do(0, Request("R1", PlaceId(3), MedicalX(1), Priority::kRoutine));
  REQUIRE(w.Team("T1").request_id == "R1");
  const std::vector<Event> events =
      w.Do(1, Request("R2", PlaceId(0), MedicalX(1), Priority::kFlash));
  CHECK(w.Team("T1").request_id == "R2");
  CHECK(w.Team("T2").request_id == "R1");
  bool preempted = false;
  for (const Event& e : events) {
    if (const auto* p = std::get_if<TeamPreempted>(&e)) {
      preempted = p->team == "T1" && p->from_request == "R1" && p->to_request == "R2" &&
                  p->saved == 110 * kMin;
    }
  }
  CHECK(preempted);
  CHECK(w.Req("R2").status == RequestStatus::kFilled);
  CHECK(w.Req("R1").status == RequestStatus::kFilled);
}

TEST_CASE("dispatch: no swap when the busy team saves no more than the configured time") {
  std::vector<ArcSpec> arcs;
  Road(arcs, 1, 0, 10);
  Road(arcs, 1, 3, 10);
  Road(arcs, 2, 0, 40);  // T2 is 40 minutes away: T1 would save 30, not more than 30
  World w(MustBuild(Places(4), arcs), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")}));
  w.Do(0, Request("R1", PlaceId(3), MedicalX(1), Priority::kRoutine));
  const std::vector<Event> events =
      w.Do(1, Request("R2", PlaceId(0), MedicalX(1), Priority::kFlash));
  CHECK(w.Team("T1").request_id == "R1");
  CHECK(w.Team("T2").request_id == "R2");
  for (const Event& e : events)
    CHECK_FALSE(std::holds_alternative<TeamPreempted>(e));
}

}  // namespace baiying

namespace baiying {

TEST_CASE(
    "dispatch: a suspended team on its way is withdrawn; reinstated, it fills what is short") {
  World w(Star({10, 20}), MakeRegistry({Medical("T1", "p1"), Medical("T2", "p2")}));
  w.Do(0, Request("R1", PlaceId(0), MedicalX(2)));
  REQUIRE(w.Req("R1").status == RequestStatus::kFilled);
  CHECK_FALSE(w.Try(1, SetTeamSuspended{"T1", true, ""}).ok());  // a reason is required
  const std::vector<Event> suspended = w.Do(1, SetTeamSuspended{"T1", true, "licence lapsed"});
  CHECK(Describe(suspended.front()) == "suspended T1: licence lapsed");
  CHECK(w.Team("T1").activity == TeamActivity::kAvailable);
  CHECK(w.Req("R1").Missing() == 1);
  CHECK_FALSE(w.Try(2, SetTeamSuspended{"T1", true, "again"}).ok());
  // A new request does not get the suspended team, and says why it was passed over.
  w.Do(2, Request("R2", PlaceId(0), MedicalX(1)));
  CHECK(w.Req("R2").Missing() == 1);
  w.Do(3, SetTeamSuspended{"T1", false, ""});
  CHECK(w.Team("T1").request_id == "R1");  // older of two equal priorities first
  CHECK(w.Req("R1").status == RequestStatus::kFilled);
  CHECK(w.Req("R2").Missing() == 1);
}

}  // namespace baiying
