// The wire codec: every command kind through the whole path (engine value -> wire message ->
// bytes -> frame -> parser -> request -> engine value), every validation error naming its
// field, payloads that are not requests, events and query results out, and error replies.

#include <doctest/doctest.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/util/message_differencer.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "adapters/net/frame.h"
#include "adapters/proto/codec.h"
#include "engine/dispatch/events.h"
#include "engine/roads/road_graph.h"
#include "tests/support/codec_graph.h"

namespace baiying {
namespace {

constexpr std::int64_t kNowMs = 1'750'000'000'000;  // June 2025
const Instant kNow{Duration(kNowMs)};
const Instant kLater{Duration(kNowMs + 3'600'000)};

// 拉萨 - 日喀则 - 定日县 - J3, 10 km apart along G318.
const RoadGraph& Graph() {
  static const RoadGraph graph = [] {
    Result<RoadGraph> built = testing::BuildCodecGraph();
    REQUIRE(built.ok());
    return std::move(*built);
  }();
  return graph;
}

// Sends `request` the way a client does (serialized, framed) and reads it back as the server
// does; fails the test if any step fails.
v1::Request OverTheWire(const v1::Request& request) {
  FrameParser parser(1 << 20);
  parser.Feed(EncodeFrame(request.SerializeAsString()));
  std::string payload, error;
  REQUIRE(parser.Next(&payload, &error) == FrameParser::Outcome::kFrame);
  Result<v1::Request> parsed = ParseRequest(payload);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  return std::move(*parsed);
}

SubmitRequest SampleSubmit(std::string id) {
  SubmitRequest s;
  s.request_id = std::move(id);
  s.unit = "西藏军区某部";
  s.place = PlaceId(2);
  s.priority = Priority::kCritical;
  s.mode = Mode::kWartime;
  s.deadline = kLater;
  s.lines = {{"medical", 2}, {"transport", 1}};
  return s;
}

bool SameMessage(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

TEST_CASE("codec: every command kind survives the round trip through the wire") {
  SubmitRequest by_position = SampleSubmit("R-pos");
  by_position.place.reset();
  by_position.lat = 29.21;
  by_position.lon = 88.98;
  by_position.priority = Priority::kRoutine;
  by_position.mode = Mode::kPeacetime;

  const std::vector<TimedCommand> commands = {
      {kNow, SampleSubmit("R1")},
      {kNow, by_position},
      {kNow, SubmitBatch{{SampleSubmit("B1"), SampleSubmit("B2")}}},
      {kNow, CancelRequest{"R1", "stood down"}},
      {kNow, AcknowledgeAssignment{"R1", "TM-LS-MED-01"}},
      {kNow, DeclineAssignment{"R1", "TM-LS-MED-01", "vehicle broke down"}},
      {kNow, ReportEnRoute{"TM-LS-MED-01"}},
      {kNow, ReportOnScene{"TM-LS-MED-01"}},
      {kNow, ReleaseTeam{"TM-LS-MED-01", true}},
      {kNow, SetTeamOnDuty{"TM-LS-MED-01", false}},
      {kNow, SetTeamSuspended{"TM-LS-MED-01", true, "vetting under review"}},
      {kNow, CloseRoad{PlaceId(1), PlaceId(2), "landslide"}},
      {kNow, ReopenRoad{PlaceId(1), PlaceId(2)}},
      {kLater, AdvanceTime{}},
  };
  static_assert(std::variant_size_v<Command> == 13, "a new command kind needs a case here");
  std::vector<bool> kinds_seen(std::variant_size_v<Command>, false);

  for (const TimedCommand& command : commands) {
    v1::Request sent;
    sent.set_correlation_id(42);
    sent.set_token("tok-123");
    EncodeCommand(command, &sent);
    CAPTURE(sent.ShortDebugString());
    CHECK(KindOf(sent) == BodyKind::kCommand);

    const v1::Request received = OverTheWire(sent);
    CHECK(received.correlation_id() == 42);
    CHECK(received.token() == "tok-123");
    Result<TimedCommand> decoded = DecodeCommand(received, Graph(), kNow);
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
    CHECK(decoded->command.index() == command.command.index());
    CHECK(decoded->at == command.at);
    kinds_seen[command.command.index()] = true;

    v1::Request again;
    again.set_correlation_id(42);
    again.set_token("tok-123");
    EncodeCommand(*decoded, &again);
    CHECK(SameMessage(again, sent));
  }
  CHECK(std::all_of(kinds_seen.begin(), kinds_seen.end(), [](bool b) { return b; }));
}

TEST_CASE("codec: a submit decodes to the engine's values") {
  v1::Request request;
  v1::Submit* s = request.mutable_submit();
  s->set_request_id("R7");
  s->set_unit("unit 7");
  s->set_place_name("定日");  // finds 定日县
  s->set_priority(v1::PRIORITY_FLASH);
  s->set_mode(v1::MODE_PEACETIME);
  s->set_deadline_unix_ms(kNowMs + 60'000);
  v1::RequestLine* line = s->add_lines();
  line->set_specialty("medical");
  line->set_quantity(6);

  Result<TimedCommand> decoded = DecodeCommand(OverTheWire(request), Graph(), kNow);
  REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
  const auto& submit = std::get<SubmitRequest>(decoded->command);
  CHECK(decoded->at == kNow);
  CHECK(submit.request_id == "R7");
  CHECK(submit.unit == "unit 7");
  REQUIRE(submit.place.has_value());
  CHECK(*submit.place == PlaceId(2));
  CHECK_FALSE(submit.lat.has_value());
  CHECK(submit.priority == Priority::kFlash);
  CHECK(submit.mode == Mode::kPeacetime);
  CHECK(submit.deadline == Instant(Duration(kNowMs + 60'000)));
  REQUIRE(submit.lines.size() == 1);
  CHECK(submit.lines[0].specialty == "medical");
  CHECK(submit.lines[0].quantity == 6);

  SUBCASE("pinyin, any case") {
    s->set_place_name("dingri");
    decoded = DecodeCommand(request, Graph(), kNow);
    REQUIRE(decoded.ok());
    CHECK(*std::get<SubmitRequest>(decoded->command).place == PlaceId(2));
  }
  SUBCASE("priority and mode not given: urgent, emergency") {
    s->clear_priority();
    s->clear_mode();
    decoded = DecodeCommand(request, Graph(), kNow);
    REQUIRE(decoded.ok());
    CHECK(std::get<SubmitRequest>(decoded->command).priority == Priority::kUrgent);
    CHECK(std::get<SubmitRequest>(decoded->command).mode == Mode::kEmergency);
  }
  SUBCASE("advance time without a target is now") {
    v1::Request advance;
    advance.mutable_advance_time();
    decoded = DecodeCommand(advance, Graph(), kNow);
    REQUIRE(decoded.ok());
    CHECK(decoded->at == kNow);
  }
  SUBCASE("road by names") {
    v1::Request close;
    close.mutable_close_road()->mutable_from()->set_name("日喀则");
    close.mutable_close_road()->mutable_to()->set_name("Dingri");
    decoded = DecodeCommand(close, Graph(), kNow);
    REQUIRE(decoded.ok());
    CHECK(std::get<CloseRoad>(decoded->command).from == PlaceId(1));
    CHECK(std::get<CloseRoad>(decoded->command).to == PlaceId(2));
  }
}

// A valid submit request to break one field at a time.
v1::Request ValidSubmit() {
  v1::Request request;
  v1::Submit* s = request.mutable_submit();
  s->set_request_id("R1");
  s->set_place_id(1);
  s->set_deadline_unix_ms(kNowMs + 60'000);
  for (const char* specialty : {"medical", "transport", "logistics"}) {
    v1::RequestLine* line = s->add_lines();
    line->set_specialty(specialty);
    line->set_quantity(1);
  }
  return request;
}

struct BadCase {
  const char* name;
  std::function<void(v1::Request&)> change;
  StatusCode code;
  std::string message_starts;  // the field path and what is wrong
};

TEST_CASE("codec: each validation error names its field") {
  CodecLimits limits;
  limits.max_batch = 2;
  const std::string long_id(limits.max_id_bytes + 1, 'x');
  const std::string long_text(limits.max_text_bytes + 1, 'y');
  constexpr StatusCode kInvalid = StatusCode::kInvalidArgument;
  constexpr StatusCode kNotFound = StatusCode::kNotFound;

  const std::vector<BadCase> cases = {
      {"no body", [](v1::Request& r) { r.clear_body(); }, kInvalid, "body: missing"},
      {"a query", [](v1::Request& r) { r.mutable_get_team()->set_team("T"); }, kInvalid,
       "get_team: not a command"},
      {"subscribe", [](v1::Request& r) { r.mutable_subscribe(); }, kInvalid,
       "subscribe: not a command"},
      {"empty request id", [](v1::Request& r) { r.mutable_submit()->clear_request_id(); }, kInvalid,
       "submit.request_id: required"},
      {"long request id", [&](v1::Request& r) { r.mutable_submit()->set_request_id(long_id); },
       kInvalid, "submit.request_id: too long (129 bytes, at most 128)"},
      {"control character", [](v1::Request& r) { r.mutable_submit()->set_request_id("R\n1"); },
       kInvalid, "submit.request_id: must not contain control characters"},
      {"long unit", [&](v1::Request& r) { r.mutable_submit()->set_unit(long_id); }, kInvalid,
       "submit.unit: too long"},
      {"no location", [](v1::Request& r) { r.mutable_submit()->clear_location(); }, kInvalid,
       "submit.location: missing"},
      {"unknown place name", [](v1::Request& r) { r.mutable_submit()->set_place_name("Atlantis"); },
       kNotFound, "submit.place_name: no place named 'Atlantis'"},
      {"empty place name", [](v1::Request& r) { r.mutable_submit()->set_place_name(""); }, kInvalid,
       "submit.place_name: required"},
      {"place id out of range", [](v1::Request& r) { r.mutable_submit()->set_place_id(99); },
       kNotFound, "submit.place_id: no place with id 99 (the network has 4 places)"},
      {"latitude out of range",
       [](v1::Request& r) {
         r.mutable_submit()->mutable_position()->set_lat(91);
         r.mutable_submit()->mutable_position()->set_lon(90);
       },
       kInvalid, "submit.position.lat: must be within -90..90"},
      {"longitude not a number",
       [](v1::Request& r) {
         r.mutable_submit()->mutable_position()->set_lat(29);
         r.mutable_submit()->mutable_position()->set_lon(std::nan(""));
       },
       kInvalid, "submit.position.lon: must be within -180..180"},
      {"longitude out of range",
       [](v1::Request& r) { r.mutable_submit()->mutable_position()->set_lon(-180.5); }, kInvalid,
       "submit.position.lon"},
      {"unknown priority",
       [](v1::Request& r) { r.mutable_submit()->set_priority(static_cast<v1::Priority>(9)); },
       kInvalid, "submit.priority: unknown value 9"},
      {"unknown mode",
       [](v1::Request& r) { r.mutable_submit()->set_mode(static_cast<v1::Mode>(-3)); }, kInvalid,
       "submit.mode: unknown value -3"},
      {"no deadline", [](v1::Request& r) { r.mutable_submit()->clear_deadline_unix_ms(); },
       kInvalid, "submit.deadline_unix_ms: required"},
      {"deadline before 1970", [](v1::Request& r) { r.mutable_submit()->set_deadline_unix_ms(-5); },
       kInvalid, "submit.deadline_unix_ms: must be after 1970"},
      {"deadline too far",
       [](v1::Request& r) {
         r.mutable_submit()->set_deadline_unix_ms(std::numeric_limits<std::int64_t>::max());
       },
       kInvalid, "submit.deadline_unix_ms: must be before the year 10000"},
      {"no lines", [](v1::Request& r) { r.mutable_submit()->clear_lines(); }, kInvalid,
       "submit.lines: required"},
      {"too many lines",
       [](v1::Request& r) {
         for (int i = 0; i < 62; ++i) {
           v1::RequestLine* line = r.mutable_submit()->add_lines();
           line->set_specialty("medical");
           line->set_quantity(1);
         }
       },
       kInvalid, "submit.lines: too many (65, at most 64)"},
      {"negative quantity",
       [](v1::Request& r) { r.mutable_submit()->mutable_lines(2)->set_quantity(-1); }, kInvalid,
       "submit.lines[2].quantity: must be positive (got -1)"},
      {"zero quantity",
       [](v1::Request& r) { r.mutable_submit()->mutable_lines(0)->set_quantity(0); }, kInvalid,
       "submit.lines[0].quantity: must be positive (got 0)"},
      {"huge quantity",
       [](v1::Request& r) { r.mutable_submit()->mutable_lines(1)->set_quantity(100'001); },
       kInvalid, "submit.lines[1].quantity: too large (got 100001, at most 100000)"},
      {"empty specialty",
       [](v1::Request& r) { r.mutable_submit()->mutable_lines(1)->clear_specialty(); }, kInvalid,
       "submit.lines[1].specialty: required"},
      {"empty batch", [](v1::Request& r) { r.mutable_submit_batch(); }, kInvalid,
       "submit_batch.requests: required"},
      {"batch too large",
       [](v1::Request& r) {
         v1::Submit one = ValidSubmit().submit();
         for (int i = 0; i < 3; ++i)
           *r.mutable_submit_batch()->add_requests() = one;
       },
       kInvalid, "submit_batch.requests: too many (3, at most 2)"},
      {"bad line in a batch",
       [](v1::Request& r) {
         v1::Submit one = ValidSubmit().submit();
         *r.mutable_submit_batch()->add_requests() = one;
         one.mutable_lines(0)->set_quantity(-4);
         *r.mutable_submit_batch()->add_requests() = one;
       },
       kInvalid, "submit_batch.requests[1].lines[0].quantity: must be positive (got -4)"},
      {"cancel without id", [](v1::Request& r) { r.mutable_cancel(); }, kInvalid,
       "cancel.request_id: required"},
      {"cancel reason too long",
       [&](v1::Request& r) {
         r.mutable_cancel()->set_request_id("R1");
         r.mutable_cancel()->set_reason(long_text);
       },
       kInvalid, "cancel.reason: too long (1025 bytes, at most 1024)"},
      {"acknowledge without team",
       [](v1::Request& r) { r.mutable_acknowledge()->set_request_id("R1"); }, kInvalid,
       "acknowledge.team: required"},
      {"decline without request id", [](v1::Request& r) { r.mutable_decline()->set_team("T"); },
       kInvalid, "decline.request_id: required"},
      {"en route without team", [](v1::Request& r) { r.mutable_en_route(); }, kInvalid,
       "en_route.team: required"},
      {"on scene without team", [](v1::Request& r) { r.mutable_on_scene(); }, kInvalid,
       "on_scene.team: required"},
      {"release without team", [](v1::Request& r) { r.mutable_release(); }, kInvalid,
       "release.team: required"},
      {"duty without team", [](v1::Request& r) { r.mutable_set_duty(); }, kInvalid,
       "set_duty.team: required"},
      {"suspension reason with a control character",
       [](v1::Request& r) {
         r.mutable_set_suspension()->set_team("T");
         r.mutable_set_suspension()->set_reason(std::string("a\0b", 3));
       },
       kInvalid, "set_suspension.reason: must not contain control characters"},
      {"road without from", [](v1::Request& r) { r.mutable_close_road()->mutable_to()->set_id(1); },
       kInvalid, "close_road.from: missing"},
      {"road to an unknown place",
       [](v1::Request& r) {
         r.mutable_close_road()->mutable_from()->set_id(1);
         r.mutable_close_road()->mutable_to()->set_name("Nowhere");
       },
       kNotFound, "close_road.to.name: no place named 'Nowhere'"},
      {"reopen from an id out of range",
       [](v1::Request& r) {
         r.mutable_reopen_road()->mutable_from()->set_id(4);
         r.mutable_reopen_road()->mutable_to()->set_id(1);
       },
       kNotFound, "reopen_road.from.id: no place with id 4"},
      {"advance time before 1970",
       [](v1::Request& r) { r.mutable_advance_time()->set_to_unix_ms(-1); }, kInvalid,
       "advance_time.to_unix_ms: must be after 1970"},
  };

  REQUIRE(DecodeCommand(ValidSubmit(), Graph(), kNow, limits).ok());
  for (const BadCase& c : cases) {
    CAPTURE(c.name);
    v1::Request request = ValidSubmit();
    c.change(request);
    Result<TimedCommand> decoded = DecodeCommand(request, Graph(), kNow, limits);
    REQUIRE_FALSE(decoded.ok());
    CAPTURE(decoded.status().message());
    CHECK(decoded.status().code() == c.code);
    CHECK(decoded.status().message().rfind(c.message_starts, 0) == 0);
  }
}

TEST_CASE("codec: bytes that are not a v1::Request are refused with a clear error") {
  SUBCASE("garbage") {
    Result<v1::Request> parsed = ParseRequest(std::string("\xff\xff\xff\xff\xff", 5));
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    CHECK(parsed.status().message().rfind("payload is not a baiying.v1.Request", 0) == 0);
  }
  SUBCASE("text") {
    Result<v1::Request> parsed = ParseRequest("GET / HTTP/1.1\r\n\r\n");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find("not a baiying.v1.Request") != std::string::npos);
  }
  SUBCASE("a Reply sent where a Request belongs") {
    const v1::Reply reply = ErrorReply(7, Status::NotFound("no such team"));
    Result<v1::Request> parsed = ParseRequest(reply.SerializeAsString());
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find("not a baiying.v1.Request") != std::string::npos);
    CHECK(parsed.status().message().find("field number") != std::string::npos);
  }
  SUBCASE("an unknown field deep inside") {
    v1::Request request = ValidSubmit();
    request.mutable_submit()
        ->mutable_lines(1)
        ->GetReflection()
        ->MutableUnknownFields(request.mutable_submit()->mutable_lines(1))
        ->AddVarint(99, 1);
    Result<v1::Request> parsed = ParseRequest(request.SerializeAsString());
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find("submit.lines[1]: field number 99") != std::string::npos);
  }
  SUBCASE("an empty payload parses, and asks for nothing") {
    Result<v1::Request> parsed = ParseRequest("");
    REQUIRE(parsed.ok());
    CHECK(KindOf(*parsed) == BodyKind::kMissing);
    Result<TimedCommand> decoded = DecodeCommand(*parsed, Graph(), kNow);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().message().rfind("body: missing", 0) == 0);
  }
}

TEST_CASE("codec: queries and subscriptions") {
  v1::Request request;
  request.mutable_get_request()->set_request_id("R1");
  CHECK(KindOf(request) == BodyKind::kQuery);
  Result<Query> query = DecodeQuery(request);
  REQUIRE(query.ok());
  CHECK(std::get<RequestQuery>(*query).request_id == "R1");

  request.mutable_get_team()->set_team("TM-1");
  REQUIRE(DecodeQuery(request).ok());
  CHECK(std::get<TeamQuery>(*DecodeQuery(request)).team == "TM-1");
  request.mutable_list_open_requests();
  CHECK(std::holds_alternative<OpenRequestsQuery>(*DecodeQuery(request)));
  request.mutable_get_demand();
  CHECK(std::holds_alternative<DemandQuery>(*DecodeQuery(request)));

  request.mutable_get_team()->clear_team();
  CHECK(DecodeQuery(request).status().message() == "get_team.team: required");
  request.mutable_cancel()->set_request_id("R1");
  CHECK(DecodeQuery(request).status().message() == "cancel: not a query");

  request.mutable_subscribe()->add_request_ids("R1");
  CHECK(KindOf(request) == BodyKind::kSubscribe);
  Result<SubscribeFilter> filter = DecodeSubscribe(request);
  REQUIRE(filter.ok());
  CHECK(filter->request_ids == std::vector<std::string>{"R1"});
  request.mutable_subscribe()->add_request_ids("");
  CHECK(DecodeSubscribe(request).status().message() == "subscribe.request_ids[1]: required");
}

TEST_CASE("codec: every event kind encodes with its Describe line") {
  Explanation why;
  why.eta = 3'720'000;
  why.mobilization = 600'000;
  why.travel = 3'120'000;
  why.route = RouteText("G318 拉萨 -> 日喀则", 52'000);
  why.alternatives = {{"TM-B", 4'000'000}};
  why.passed_over = {{"TM-C", 60'000, "busy"}};

  const std::vector<Event> events = {
      RequestAccepted{"R1", PlaceId(2), 120.5},
      TeamAssigned{"R1", "TM-A", "medical", 2, why},
      Shortfall{"R1", "transport", 1, "no team in time"},
      ScopeWidened{"R1", "transport", Scope::kCounty, Scope::kPrefecture},
      RequestFilled{"R1"},
      AssignmentAcknowledged{"R1", "TM-A"},
      AssignmentDeclined{"R1", "TM-A", "flat tyre"},
      TeamEnRoute{"R1", "TM-A"},
      TeamOnScene{"R1", "TM-A"},
      TeamReleased{"TM-A", PlaceId(2)},
      TeamDutyChanged{"TM-A", false},
      TeamSuspensionChanged{"TM-A", true, "review"},
      RequestCancelled{"R1", "stood down"},
      RequestExpired{"R1", 3},
      RoadClosed{PlaceId(1), PlaceId(2), "landslide"},
      RoadReopened{PlaceId(1), PlaceId(2)},
      EtaChanged{"R1", "TM-A", 100, kInfiniteTime},
      TeamPreempted{"TM-A", "R1", "R2", 900'000},
  };
  REQUIRE(events.size() == std::variant_size_v<Event>);

  std::vector<int> cases;
  for (const Event& event : events) {
    v1::Event out;
    EncodeEvent(event, Graph(), &out);
    CHECK(out.text() == Describe(event));
    CHECK(out.kind_case() != v1::Event::KIND_NOT_SET);
    cases.push_back(static_cast<int>(out.kind_case()));
  }
  std::sort(cases.begin(), cases.end());
  CHECK(std::adjacent_find(cases.begin(), cases.end()) == cases.end());  // all distinct

  // Decoding gives the same event back: the same line, the same wire form again.
  for (const Event& event : events) {
    v1::Event wire;
    EncodeEvent(event, Graph(), &wire);
    Result<Event> back = DecodeEvent(wire);
    REQUIRE_MESSAGE(back.ok(), back.status().message());
    CHECK(Describe(*back) == Describe(event));
    CHECK(back->index() == event.index());
    v1::Event again;
    EncodeEvent(*back, Graph(), &again);
    CHECK(google::protobuf::util::MessageDifferencer::Equals(wire, again));
  }
  CHECK(!DecodeEvent(v1::Event{}).ok());

  v1::Event out;
  EncodeEvent(events[0], Graph(), &out);
  CHECK(out.request_accepted().place().id() == 2);
  CHECK(out.request_accepted().place().name() == "定日县");
  CHECK(out.request_accepted().place().lat() == doctest::Approx(29.2));
  CHECK(out.request_accepted().snapped_m() == doctest::Approx(120.5));
  EncodeEvent(events[1], Graph(), &out);
  CHECK(out.team_assigned().explanation().eta_ms() == 3'720'000);
  CHECK(out.team_assigned().explanation().route() == why.route.text());
  CHECK(out.team_assigned().explanation().alternatives(0).team() == "TM-B");
  CHECK(out.team_assigned().explanation().passed_over(0).why() == "busy");
  EncodeEvent(events[3], Graph(), &out);
  CHECK(out.scope_widened().to() == v1::SCOPE_PREFECTURE);
  EncodeEvent(events[14], Graph(), &out);
  CHECK(out.road_closed().from().name() == "日喀则");
  CHECK(out.road_closed().to().name() == "定日县");
  EncodeEvent(events[16], Graph(), &out);
  CHECK(out.eta_changed().new_eta_ms() == 4294967295u);

  const v1::Reply reply = EventsReply(9, events, Graph());
  CHECK(reply.correlation_id() == 9);
  CHECK(reply.code() == v1::OK);
  REQUIRE(reply.events().events_size() == static_cast<int>(events.size()));
  CHECK(reply.events().events(4).text() == "filled R1");
}

TEST_CASE("codec: query results") {
  RequestState request;
  request.id = "R1";
  request.unit = "unit";
  request.place = PlaceId(3);
  request.priority = Priority::kCritical;
  request.submitted_at = kNow;
  request.deadline = kLater;
  request.lines = {{SpecialtyId(0), "medical", 4, 1, Scope::kRegion},
                   {SpecialtyId(1), "transport", 2, 2, Scope::kCounty}};
  request.assignments = {{"TM-A", 0, 1, 5000, kNow, TeamActivity::kEnRoute}};

  v1::RequestInfo info;
  EncodeRequestState(request, Graph(), &info);
  CHECK(info.request_id() == "R1");
  CHECK(info.place().name() == "J3");
  CHECK(info.priority() == v1::PRIORITY_CRITICAL);
  CHECK(info.mode() == v1::MODE_EMERGENCY);
  CHECK(info.status() == v1::REQUEST_STATUS_OPEN);
  CHECK(info.submitted_unix_ms() == kNowMs);
  CHECK(info.deadline_unix_ms() == kNowMs + 3'600'000);
  REQUIRE(info.lines_size() == 2);
  CHECK(info.lines(0).scope() == v1::SCOPE_REGION);
  REQUIRE(info.assignments_size() == 1);
  CHECK(info.assignments(0).activity() == v1::TEAM_ACTIVITY_EN_ROUTE);
  CHECK(info.missing() == 3);

  const std::vector<const RequestState*> open = {&request};
  v1::Demand demand;
  EncodeDemand(open, Graph(), &demand);
  REQUIRE(demand.lines_size() == 1);  // transport is filled
  CHECK(demand.lines(0).specialty() == "medical");
  CHECK(demand.lines(0).missing() == 3);
  CHECK(demand.lines(0).priority() == v1::PRIORITY_CRITICAL);

  TeamState team;
  team.activity = TeamActivity::kOnScene;
  team.location = PlaceId(0);
  team.request_id = "R1";
  v1::TeamInfo team_info;
  EncodeTeamState("TM-A", team, Graph(), &team_info);
  CHECK(team_info.team() == "TM-A");
  CHECK(team_info.activity() == v1::TEAM_ACTIVITY_ON_SCENE);
  CHECK(team_info.location().name() == "拉萨");
  CHECK(team_info.request_id() == "R1");
}

TEST_CASE("codec: error replies carry the status code and message") {
  const std::vector<std::pair<Status, v1::ErrorCode>> cases = {
      {Status::InvalidArgument("a"), v1::INVALID_ARGUMENT},
      {Status::NotFound("b"), v1::NOT_FOUND},
      {Status::FailedPrecondition("c"), v1::FAILED_PRECONDITION},
      {Status::ResourceExhausted("d"), v1::RESOURCE_EXHAUSTED},
      {Status::Unavailable("e"), v1::UNAVAILABLE},
      {Status::Internal("f"), v1::INTERNAL},
  };
  for (const auto& [status, code] : cases) {
    const v1::Reply reply = ErrorReply(5, status);
    CHECK(reply.correlation_id() == 5);
    CHECK(reply.code() == code);
    CHECK(reply.message() == status.message());
    CHECK(reply.result_case() == v1::Reply::RESULT_NOT_SET);
  }
  CHECK(ToErrorCode(StatusCode::kOk) == v1::OK);
  CHECK(ErrorReply(1, Status::Ok()).code() == v1::INTERNAL);
  const v1::Reply denied = ErrorReply(2, v1::UNAUTHENTICATED, "unknown credential");
  CHECK(denied.code() == v1::UNAUTHENTICATED);
  CHECK(denied.message() == "unknown credential");
  CHECK(ErrorReply(3, v1::OK, "not an error").code() == v1::INTERNAL);
  CHECK(CodecLimits{}.Validate().ok());
  CodecLimits broken;
  broken.max_lines = 0;
  CHECK_FALSE(broken.Validate().ok());
}

}  // namespace
}  // namespace baiying
