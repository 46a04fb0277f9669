#include "adapters/proto/codec.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <climits>
#include <limits>
#include <type_traits>
#include <utility>

namespace baiying {
namespace {

namespace pb = google::protobuf;

std::string Str(std::size_t n) {
  return std::to_string(n);
}

Status Invalid(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(std::string(field) + ": " + std::string(what));
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

Status CheckString(std::string_view field, std::string_view value, std::size_t max_bytes,
                   bool required) {
  if (value.empty()) return required ? Invalid(field, "required") : Status::Ok();
  if (value.size() > max_bytes) {
    return Invalid(field,
                   "too long (" + Str(value.size()) + " bytes, at most " + Str(max_bytes) + ")");
  }
  if (HasControlCharacter(value)) return Invalid(field, "must not contain control characters");
  return Status::Ok();
}

Status CheckId(std::string_view field, std::string_view value, const CodecLimits& limits) {
  return CheckString(field, value, limits.max_id_bytes, /*required=*/true);
}

Status CheckText(std::string_view field, std::string_view value, const CodecLimits& limits) {
  return CheckString(field, value, limits.max_text_bytes, /*required=*/false);
}

std::string Join(std::string_view prefix, std::string_view name) {
  return std::string(prefix) + "." + std::string(name);
}

std::string Index(std::string_view prefix, std::size_t i) {
  return std::string(prefix) + "[" + Str(i) + "]";
}

Result<PlaceId> DecodePlaceId(std::string_view field, std::uint32_t id, const RoadGraph& graph) {
  if (id >= graph.place_count()) {
    return Status::NotFound(std::string(field) + ": no place with id " + std::to_string(id) +
                            " (the network has " + std::to_string(graph.place_count()) +
                            " places)");
  }
  return PlaceId(id);
}

Result<PlaceId> DecodePlaceName(std::string_view field, const std::string& name,
                                const RoadGraph& graph, const CodecLimits& limits) {
  BAIYING_RETURN_IF_ERROR(CheckId(field, name, limits));
  Result<PlaceId> place = graph.FindPlace(name);
  if (!place.ok()) return place.status().WithPrefix(field);
  return place;
}

Result<PlaceId> DecodePlaceRef(std::string_view field, const v1::PlaceRef& ref,
                               const RoadGraph& graph, const CodecLimits& limits) {
  switch (ref.place_case()) {
    case v1::PlaceRef::kName:
      return DecodePlaceName(Join(field, "name"), ref.name(), graph, limits);
    case v1::PlaceRef::kId:
      return DecodePlaceId(Join(field, "id"), ref.id(), graph);
    case v1::PlaceRef::PLACE_NOT_SET:
      break;
  }
  return Invalid(field, "missing: give a place name or id");
}

Result<Priority> DecodePriority(std::string_view field, int value) {
  switch (value) {
    case v1::PRIORITY_UNSPECIFIED:
    case v1::PRIORITY_URGENT:
      return Priority::kUrgent;
    case v1::PRIORITY_ROUTINE:
      return Priority::kRoutine;
    case v1::PRIORITY_CRITICAL:
      return Priority::kCritical;
    case v1::PRIORITY_FLASH:
      return Priority::kFlash;
    default:
      return Invalid(field, "unknown value " + std::to_string(value));
  }
}

Result<Mode> DecodeMode(std::string_view field, int value) {
  switch (value) {
    case v1::MODE_UNSPECIFIED:
    case v1::MODE_EMERGENCY:
      return Mode::kEmergency;
    case v1::MODE_PEACETIME:
      return Mode::kPeacetime;
    case v1::MODE_WARTIME:
      return Mode::kWartime;
    default:
      return Invalid(field, "unknown value " + std::to_string(value));
  }
}

Result<Instant> DecodeInstant(std::string_view field, std::int64_t unix_ms) {
  if (unix_ms == 0) return Invalid(field, "required (milliseconds since 1970-01-01 UTC)");
  if (unix_ms < 0)
    return Invalid(field, "must be after 1970-01-01 (got " + std::to_string(unix_ms) + ")");
  if (unix_ms > kMaxUnixMs) {
    return Invalid(field, "must be before the year 10000 (got " + std::to_string(unix_ms) + ")");
  }
  return Instant(Duration(unix_ms));
}

Result<SubmitRequest> DecodeSubmit(std::string_view field, const v1::Submit& in,
                                   const RoadGraph& graph, const CodecLimits& limits) {
  SubmitRequest out;
  BAIYING_RETURN_IF_ERROR(CheckId(Join(field, "request_id"), in.request_id(), limits));
  out.request_id = in.request_id();
  BAIYING_RETURN_IF_ERROR(
      CheckString(Join(field, "unit"), in.unit(), limits.max_id_bytes, /*required=*/false));
  out.unit = in.unit();

  switch (in.location_case()) {
    case v1::Submit::kPlaceName: {
      Result<PlaceId> place =
          DecodePlaceName(Join(field, "place_name"), in.place_name(), graph, limits);
      if (!place.ok()) return place.status();
      out.place = *place;
      break;
    }
    case v1::Submit::kPlaceId: {
      Result<PlaceId> place = DecodePlaceId(Join(field, "place_id"), in.place_id(), graph);
      if (!place.ok()) return place.status();
      out.place = *place;
      break;
    }
    case v1::Submit::kPosition: {
      const double lat = in.position().lat(), lon = in.position().lon();
      if (!(lat >= -90 && lat <= 90)) {
        return Invalid(Join(field, "position.lat"),
                       "must be within -90..90 degrees (got " + std::to_string(lat) + ")");
      }
      if (!(lon >= -180 && lon <= 180)) {
        return Invalid(Join(field, "position.lon"),
                       "must be within -180..180 degrees (got " + std::to_string(lon) + ")");
      }
      out.lat = lat;
      out.lon = lon;
      break;
    }
    case v1::Submit::LOCATION_NOT_SET:
      return Invalid(Join(field, "location"), "missing: give place_name, place_id or position");
  }

  Result<Priority> priority = DecodePriority(Join(field, "priority"), in.priority());
  if (!priority.ok()) return priority.status();
  out.priority = *priority;
  Result<Mode> mode = DecodeMode(Join(field, "mode"), in.mode());
  if (!mode.ok()) return mode.status();
  out.mode = *mode;
  Result<Instant> deadline = DecodeInstant(Join(field, "deadline_unix_ms"), in.deadline_unix_ms());
  if (!deadline.ok()) return deadline.status();
  out.deadline = *deadline;

  const std::string lines_field = Join(field, "lines");
  if (in.lines_size() == 0) return Invalid(lines_field, "required (at least one line)");
  if (static_cast<std::size_t>(in.lines_size()) > limits.max_lines) {
    return Invalid(lines_field, "too many (" + std::to_string(in.lines_size()) + ", at most " +
                                    Str(limits.max_lines) + ")");
  }
  out.lines.reserve(static_cast<std::size_t>(in.lines_size()));
  for (int i = 0; i < in.lines_size(); ++i) {
    const v1::RequestLine& line = in.lines(i);
    const std::string line_field = Index(lines_field, static_cast<std::size_t>(i));
    BAIYING_RETURN_IF_ERROR(CheckId(Join(line_field, "specialty"), line.specialty(), limits));
    const std::string quantity_field = Join(line_field, "quantity");
    if (line.quantity() <= 0) {
      return Invalid(quantity_field,
                     "must be positive (got " + std::to_string(line.quantity()) + ")");
    }
    if (line.quantity() > limits.max_quantity) {
      return Invalid(quantity_field, "too large (got " + std::to_string(line.quantity()) +
                                         ", at most " + std::to_string(limits.max_quantity) + ")");
    }
    out.lines.push_back({line.specialty(), static_cast<std::uint32_t>(line.quantity())});
  }
  return out;
}

// The name of the body field `request` carries ("submit", "get_team"), from the schema itself.
std::string BodyName(const v1::Request& request) {
  const pb::FieldDescriptor* field =
      v1::Request::descriptor()->FindFieldByNumber(static_cast<int>(request.body_case()));
  return field != nullptr ? field->name() : "body";
}

// The first field the schema does not define, anywhere in `message`, as "submit.lines[0]: 9";
// empty when there is none.
std::string FirstUnknownField(const pb::Message& message, const std::string& path) {
  const pb::Reflection* reflection = message.GetReflection();
  const pb::UnknownFieldSet& unknown = reflection->GetUnknownFields(message);
  if (!unknown.empty()) {
    return (path.empty() ? "" : path + ": ") + "field number " +
           std::to_string(unknown.field(0).number());
  }
  std::vector<const pb::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const pb::FieldDescriptor* field : fields) {
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string field_path = path.empty() ? field->name() : Join(path, field->name());
    if (field->is_repeated()) {
      const int n = reflection->FieldSize(message, field);
      for (int i = 0; i < n; ++i) {
        std::string found = FirstUnknownField(reflection->GetRepeatedMessage(message, field, i),
                                              Index(field_path, static_cast<std::size_t>(i)));
        if (!found.empty()) return found;
      }
    } else {
      std::string found = FirstUnknownField(reflection->GetMessage(message, field), field_path);
      if (!found.empty()) return found;
    }
  }
  return {};
}

v1::Scope ToWire(Scope scope) {
  switch (scope) {
    case Scope::kCounty:
      return v1::SCOPE_COUNTY;
    case Scope::kPrefecture:
      return v1::SCOPE_PREFECTURE;
    case Scope::kRegion:
      return v1::SCOPE_REGION;
  }
  return v1::SCOPE_UNSPECIFIED;
}

v1::Priority ToWire(Priority priority) {
  switch (priority) {
    case Priority::kRoutine:
      return v1::PRIORITY_ROUTINE;
    case Priority::kUrgent:
      return v1::PRIORITY_URGENT;
    case Priority::kCritical:
      return v1::PRIORITY_CRITICAL;
    case Priority::kFlash:
      return v1::PRIORITY_FLASH;
  }
  return v1::PRIORITY_UNSPECIFIED;
}

v1::Mode ToWire(Mode mode) {
  switch (mode) {
    case Mode::kPeacetime:
      return v1::MODE_PEACETIME;
    case Mode::kEmergency:
      return v1::MODE_EMERGENCY;
    case Mode::kWartime:
      return v1::MODE_WARTIME;
  }
  return v1::MODE_UNSPECIFIED;
}

v1::RequestStatus ToWire(RequestStatus status) {
  switch (status) {
    case RequestStatus::kOpen:
      return v1::REQUEST_STATUS_OPEN;
    case RequestStatus::kFilled:
      return v1::REQUEST_STATUS_FILLED;
    case RequestStatus::kCancelled:
      return v1::REQUEST_STATUS_CANCELLED;
    case RequestStatus::kExpired:
      return v1::REQUEST_STATUS_EXPIRED;
  }
  return v1::REQUEST_STATUS_UNSPECIFIED;
}

v1::TeamActivity ToWire(TeamActivity activity) {
  switch (activity) {
    case TeamActivity::kAvailable:
      return v1::TEAM_ACTIVITY_AVAILABLE;
    case TeamActivity::kAssigned:
      return v1::TEAM_ACTIVITY_ASSIGNED;
    case TeamActivity::kAcknowledged:
      return v1::TEAM_ACTIVITY_ACKNOWLEDGED;
    case TeamActivity::kEnRoute:
      return v1::TEAM_ACTIVITY_EN_ROUTE;
    case TeamActivity::kOnScene:
      return v1::TEAM_ACTIVITY_ON_SCENE;
    case TeamActivity::kOffDuty:
      return v1::TEAM_ACTIVITY_OFF_DUTY;
  }
  return v1::TEAM_ACTIVITY_UNSPECIFIED;
}

std::int64_t UnixMs(Instant at) {
  return at.time_since_epoch().count();
}

void EncodePlace(PlaceId place, const RoadGraph& graph, v1::PlaceInfo* out) {
  out->set_id(place.value());
  if (!place.valid() || place.value() >= graph.place_count()) return;
  const PlaceSpec& spec = graph.place(place);
  out->set_name(spec.name);
  out->set_lat(spec.lat);
  out->set_lon(spec.lon);
}

void EncodeExplanation(const Explanation& in, v1::Explanation* out) {
  out->set_eta_ms(in.eta);
  out->set_mobilization_ms(in.mobilization);
  out->set_travel_ms(in.travel);
  out->set_distance_m(in.route.distance_m());
  out->set_route(in.route.text());
  out->set_late(in.late);
  for (const Alternative& a : in.alternatives) {
    v1::Alternative* alternative = out->add_alternatives();
    alternative->set_team(a.team);
    alternative->set_eta_ms(a.eta);
  }
  for (const PassedOver& p : in.passed_over) {
    v1::PassedOver* passed = out->add_passed_over();
    passed->set_team(p.team);
    passed->set_travel_ms(p.travel);
    passed->set_why(p.why);
  }
}

}  // namespace

Status CodecLimits::Validate() const {
  if (max_id_bytes == 0)
    return Status::InvalidArgument("codec limits: max_id_bytes must be positive");
  if (max_text_bytes == 0) {
    return Status::InvalidArgument("codec limits: max_text_bytes must be positive");
  }
  if (max_lines == 0) return Status::InvalidArgument("codec limits: max_lines must be positive");
  if (max_batch == 0) return Status::InvalidArgument("codec limits: max_batch must be positive");
  if (max_quantity <= 0) {
    return Status::InvalidArgument("codec limits: max_quantity must be positive");
  }
  return Status::Ok();
}

Result<v1::Request> ParseRequest(std::string_view bytes) {
  v1::Request request;
  if (bytes.size() > static_cast<std::size_t>(INT_MAX) ||
      !request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::InvalidArgument("payload is not a baiying.v1.Request: " + Str(bytes.size()) +
                                   " bytes that do not parse as one");
  }
  if (std::string unknown = FirstUnknownField(request, ""); !unknown.empty()) {
    return Status::InvalidArgument(
        "payload is not a baiying.v1.Request (or is from a newer schema): unknown " + unknown);
  }
  return request;
}

BodyKind KindOf(const v1::Request& request) {
  switch (request.body_case()) {
    case v1::Request::kSubmit:
    case v1::Request::kSubmitBatch:
    case v1::Request::kCancel:
    case v1::Request::kAcknowledge:
    case v1::Request::kDecline:
    case v1::Request::kEnRoute:
    case v1::Request::kOnScene:
    case v1::Request::kRelease:
    case v1::Request::kSetDuty:
    case v1::Request::kSetSuspension:
    case v1::Request::kCloseRoad:
    case v1::Request::kReopenRoad:
    case v1::Request::kAdvanceTime:
      return BodyKind::kCommand;
    case v1::Request::kGetRequest:
    case v1::Request::kGetTeam:
    case v1::Request::kListOpenRequests:
    case v1::Request::kGetDemand:
      return BodyKind::kQuery;
    case v1::Request::kSubscribe:
      return BodyKind::kSubscribe;
    case v1::Request::kEndDrill:
      return BodyKind::kEndDrill;
    case v1::Request::BODY_NOT_SET:
      break;
  }
  return BodyKind::kMissing;
}

Result<TimedCommand> DecodeCommand(const v1::Request& request, const RoadGraph& graph,
                                   Instant received_at, const CodecLimits& limits) {
  auto timed = [&](Command command) -> Result<TimedCommand> {
    return TimedCommand{received_at, std::move(command)};
  };
  switch (request.body_case()) {
    case v1::Request::kSubmit: {
      Result<SubmitRequest> submit = DecodeSubmit("submit", request.submit(), graph, limits);
      if (!submit.ok()) return submit.status();
      return timed(std::move(*submit));
    }
    case v1::Request::kSubmitBatch: {
      const v1::SubmitBatch& in = request.submit_batch();
      if (in.requests_size() == 0) {
        return Invalid("submit_batch.requests", "required (at least one request)");
      }
      if (static_cast<std::size_t>(in.requests_size()) > limits.max_batch) {
        return Invalid("submit_batch.requests", "too many (" + std::to_string(in.requests_size()) +
                                                    ", at most " + Str(limits.max_batch) + ")");
      }
      SubmitBatch batch;
      batch.requests.reserve(static_cast<std::size_t>(in.requests_size()));
      for (int i = 0; i < in.requests_size(); ++i) {
        Result<SubmitRequest> submit =
            DecodeSubmit(Index("submit_batch.requests", static_cast<std::size_t>(i)),
                         in.requests(i), graph, limits);
        if (!submit.ok()) return submit.status();
        batch.requests.push_back(std::move(*submit));
      }
      return timed(std::move(batch));
    }
    case v1::Request::kCancel: {
      const v1::Cancel& in = request.cancel();
      BAIYING_RETURN_IF_ERROR(CheckId("cancel.request_id", in.request_id(), limits));
      BAIYING_RETURN_IF_ERROR(CheckText("cancel.reason", in.reason(), limits));
      return timed(CancelRequest{in.request_id(), in.reason()});
    }
    case v1::Request::kAcknowledge: {
      const v1::Acknowledge& in = request.acknowledge();
      BAIYING_RETURN_IF_ERROR(CheckId("acknowledge.request_id", in.request_id(), limits));
      BAIYING_RETURN_IF_ERROR(CheckId("acknowledge.team", in.team(), limits));
      return timed(AcknowledgeAssignment{in.request_id(), in.team()});
    }
    case v1::Request::kDecline: {
      const v1::Decline& in = request.decline();
      BAIYING_RETURN_IF_ERROR(CheckId("decline.request_id", in.request_id(), limits));
      BAIYING_RETURN_IF_ERROR(CheckId("decline.team", in.team(), limits));
      BAIYING_RETURN_IF_ERROR(CheckText("decline.reason", in.reason(), limits));
      return timed(DeclineAssignment{in.request_id(), in.team(), in.reason()});
    }
    case v1::Request::kEnRoute:
      BAIYING_RETURN_IF_ERROR(CheckId("en_route.team", request.en_route().team(), limits));
      return timed(ReportEnRoute{request.en_route().team()});
    case v1::Request::kOnScene:
      BAIYING_RETURN_IF_ERROR(CheckId("on_scene.team", request.on_scene().team(), limits));
      return timed(ReportOnScene{request.on_scene().team()});
    case v1::Request::kRelease:
      BAIYING_RETURN_IF_ERROR(CheckId("release.team", request.release().team(), limits));
      return timed(ReleaseTeam{request.release().team(), request.release().return_home()});
    case v1::Request::kSetDuty:
      BAIYING_RETURN_IF_ERROR(CheckId("set_duty.team", request.set_duty().team(), limits));
      return timed(SetTeamOnDuty{request.set_duty().team(), request.set_duty().on_duty()});
    case v1::Request::kSetSuspension: {
      const v1::SetSuspension& in = request.set_suspension();
      BAIYING_RETURN_IF_ERROR(CheckId("set_suspension.team", in.team(), limits));
      BAIYING_RETURN_IF_ERROR(CheckText("set_suspension.reason", in.reason(), limits));
      return timed(SetTeamSuspended{in.team(), in.suspended(), in.reason()});
    }
    case v1::Request::kCloseRoad: {
      const v1::CloseRoad& in = request.close_road();
      Result<PlaceId> from = DecodePlaceRef("close_road.from", in.from(), graph, limits);
      if (!from.ok()) return from.status();
      Result<PlaceId> to = DecodePlaceRef("close_road.to", in.to(), graph, limits);
      if (!to.ok()) return to.status();
      BAIYING_RETURN_IF_ERROR(CheckText("close_road.reason", in.reason(), limits));
      return timed(CloseRoad{*from, *to, in.reason()});
    }
    case v1::Request::kReopenRoad: {
      const v1::ReopenRoad& in = request.reopen_road();
      Result<PlaceId> from = DecodePlaceRef("reopen_road.from", in.from(), graph, limits);
      if (!from.ok()) return from.status();
      Result<PlaceId> to = DecodePlaceRef("reopen_road.to", in.to(), graph, limits);
      if (!to.ok()) return to.status();
      return timed(ReopenRoad{*from, *to});
    }
    case v1::Request::kAdvanceTime: {
      const std::int64_t to_ms = request.advance_time().to_unix_ms();
      if (to_ms == 0) return timed(AdvanceTime{});
      Result<Instant> to = DecodeInstant("advance_time.to_unix_ms", to_ms);
      if (!to.ok()) return to.status();
      return TimedCommand{*to, AdvanceTime{}};
    }
    case v1::Request::kGetRequest:
    case v1::Request::kGetTeam:
    case v1::Request::kListOpenRequests:
    case v1::Request::kGetDemand:
    case v1::Request::kSubscribe:
    case v1::Request::kEndDrill:
      return Invalid(BodyName(request), "not a command");
    case v1::Request::BODY_NOT_SET:
      break;
  }
  return Invalid("body", "missing: the request asks for nothing");
}

void EncodeCommand(const TimedCommand& command, v1::Request* out) {
  out->clear_body();
  auto encode_submit = [](const SubmitRequest& in, v1::Submit* m) {
    m->set_request_id(in.request_id);
    m->set_unit(in.unit);
    if (in.place.has_value()) {
      m->set_place_id(in.place->value());
    } else if (in.lat.has_value() || in.lon.has_value()) {
      m->mutable_position()->set_lat(in.lat.value_or(0));
      m->mutable_position()->set_lon(in.lon.value_or(0));
    }
    m->set_priority(ToWire(in.priority));
    m->set_mode(ToWire(in.mode));
    m->set_deadline_unix_ms(UnixMs(in.deadline));
    for (const RequestLine& line : in.lines) {
      v1::RequestLine* l = m->add_lines();
      l->set_specialty(line.specialty);
      // Beyond int32 the decoder refuses it as too large, rather than reading a wrapped value.
      l->set_quantity(static_cast<std::int32_t>(
          std::min<std::uint32_t>(line.quantity, std::numeric_limits<std::int32_t>::max())));
    }
  };
  auto encode_place = [](PlaceId place, v1::PlaceRef* m) { m->set_id(place.value()); };
  std::visit(
      [&](const auto& c) {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, SubmitRequest>) {
          encode_submit(c, out->mutable_submit());
        } else if constexpr (std::is_same_v<C, SubmitBatch>) {
          v1::SubmitBatch* m = out->mutable_submit_batch();
          for (const SubmitRequest& r : c.requests)
            encode_submit(r, m->add_requests());
        } else if constexpr (std::is_same_v<C, CancelRequest>) {
          out->mutable_cancel()->set_request_id(c.request_id);
          out->mutable_cancel()->set_reason(c.reason);
        } else if constexpr (std::is_same_v<C, AcknowledgeAssignment>) {
          out->mutable_acknowledge()->set_request_id(c.request_id);
          out->mutable_acknowledge()->set_team(c.team);
        } else if constexpr (std::is_same_v<C, DeclineAssignment>) {
          v1::Decline* m = out->mutable_decline();
          m->set_request_id(c.request_id);
          m->set_team(c.team);
          m->set_reason(c.reason);
        } else if constexpr (std::is_same_v<C, ReportEnRoute>) {
          out->mutable_en_route()->set_team(c.team);
        } else if constexpr (std::is_same_v<C, ReportOnScene>) {
          out->mutable_on_scene()->set_team(c.team);
        } else if constexpr (std::is_same_v<C, ReleaseTeam>) {
          out->mutable_release()->set_team(c.team);
          out->mutable_release()->set_return_home(c.return_home);
        } else if constexpr (std::is_same_v<C, SetTeamOnDuty>) {
          out->mutable_set_duty()->set_team(c.team);
          out->mutable_set_duty()->set_on_duty(c.on_duty);
        } else if constexpr (std::is_same_v<C, SetTeamSuspended>) {
          v1::SetSuspension* m = out->mutable_set_suspension();
          m->set_team(c.team);
          m->set_suspended(c.suspended);
          m->set_reason(c.reason);
        } else if constexpr (std::is_same_v<C, CloseRoad>) {
          v1::CloseRoad* m = out->mutable_close_road();
          encode_place(c.from, m->mutable_from());
          encode_place(c.to, m->mutable_to());
          m->set_reason(c.reason);
        } else if constexpr (std::is_same_v<C, ReopenRoad>) {
          v1::ReopenRoad* m = out->mutable_reopen_road();
          encode_place(c.from, m->mutable_from());
          encode_place(c.to, m->mutable_to());
        } else if constexpr (std::is_same_v<C, AdvanceTime>) {
          out->mutable_advance_time()->set_to_unix_ms(UnixMs(command.at));
        } else {
          static_assert(!sizeof(C), "every command kind has a wire message");
        }
      },
      command.command);
}

Result<Query> DecodeQuery(const v1::Request& request, const CodecLimits& limits) {
  switch (request.body_case()) {
    case v1::Request::kGetRequest:
      BAIYING_RETURN_IF_ERROR(
          CheckId("get_request.request_id", request.get_request().request_id(), limits));
      return Query(RequestQuery{request.get_request().request_id()});
    case v1::Request::kGetTeam:
      BAIYING_RETURN_IF_ERROR(CheckId("get_team.team", request.get_team().team(), limits));
      return Query(TeamQuery{request.get_team().team()});
    case v1::Request::kListOpenRequests:
      return Query(OpenRequestsQuery{});
    case v1::Request::kGetDemand:
      return Query(DemandQuery{});
    case v1::Request::BODY_NOT_SET:
      return Invalid("body", "missing: the request asks for nothing");
    default:
      return Invalid(BodyName(request), "not a query");
  }
}

Status CheckDrillId(const v1::Request& request, const CodecLimits& limits) {
  if (request.has_subscribe() && !request.subscribe().drill().empty()) {
    BAIYING_RETURN_IF_ERROR(CheckId("subscribe.drill", request.subscribe().drill(), limits));
    if (!request.drill().empty() && request.drill() != request.subscribe().drill()) {
      return Invalid("subscribe.drill",
                     "differs from the request's drill '" + request.drill() + "'");
    }
  }
  if (request.drill().empty()) {
    if (request.has_end_drill()) return Invalid("end_drill", "needs a drill id (Request.drill)");
    return Status::Ok();
  }
  return CheckId("drill", request.drill(), limits);
}

Result<SubscribeFilter> DecodeSubscribe(const v1::Request& request, const CodecLimits& limits) {
  if (request.body_case() == v1::Request::BODY_NOT_SET) {
    return Invalid("body", "missing: the request asks for nothing");
  }
  if (request.body_case() != v1::Request::kSubscribe) {
    return Invalid(BodyName(request), "not a subscription");
  }
  const v1::Subscribe& in = request.subscribe();
  if (static_cast<std::size_t>(in.request_ids_size()) > limits.max_subscribe_ids) {
    return Invalid("subscribe.request_ids", "too many (" + std::to_string(in.request_ids_size()) +
                                                ", at most " + Str(limits.max_subscribe_ids) + ")");
  }
  SubscribeFilter filter;
  for (int i = 0; i < in.request_ids_size(); ++i) {
    BAIYING_RETURN_IF_ERROR(CheckId(Index("subscribe.request_ids", static_cast<std::size_t>(i)),
                                    in.request_ids(i), limits));
    filter.request_ids.push_back(in.request_ids(i));
  }
  return filter;
}

void EncodeEvent(const Event& event, const RoadGraph& graph, v1::Event* out) {
  out->Clear();
  out->set_text(Describe(event));
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, RequestAccepted>) {
          v1::RequestAccepted* m = out->mutable_request_accepted();
          m->set_request_id(e.request_id);
          EncodePlace(e.place, graph, m->mutable_place());
          m->set_snapped_m(e.snapped_m);
        } else if constexpr (std::is_same_v<E, TeamAssigned>) {
          v1::TeamAssigned* m = out->mutable_team_assigned();
          m->set_request_id(e.request_id);
          m->set_team(e.team);
          m->set_specialty(e.specialty);
          m->set_units(e.units);
          EncodeExplanation(e.explanation, m->mutable_explanation());
        } else if constexpr (std::is_same_v<E, Shortfall>) {
          v1::Shortfall* m = out->mutable_shortfall();
          m->set_request_id(e.request_id);
          m->set_specialty(e.specialty);
          m->set_missing(e.missing);
          m->set_why(e.why);
        } else if constexpr (std::is_same_v<E, ScopeWidened>) {
          v1::ScopeWidened* m = out->mutable_scope_widened();
          m->set_request_id(e.request_id);
          m->set_specialty(e.specialty);
          m->set_from(ToWire(e.from));
          m->set_to(ToWire(e.to));
        } else if constexpr (std::is_same_v<E, RequestFilled>) {
          out->mutable_request_filled()->set_request_id(e.request_id);
        } else if constexpr (std::is_same_v<E, AssignmentAcknowledged>) {
          v1::AssignmentAcknowledged* m = out->mutable_assignment_acknowledged();
          m->set_request_id(e.request_id);
          m->set_team(e.team);
        } else if constexpr (std::is_same_v<E, AssignmentDeclined>) {
          v1::AssignmentDeclined* m = out->mutable_assignment_declined();
          m->set_request_id(e.request_id);
          m->set_team(e.team);
          m->set_reason(e.reason);
        } else if constexpr (std::is_same_v<E, TeamEnRoute>) {
          v1::TeamEnRoute* m = out->mutable_team_en_route();
          m->set_request_id(e.request_id);
          m->set_team(e.team);
        } else if constexpr (std::is_same_v<E, TeamOnScene>) {
          v1::TeamOnScene* m = out->mutable_team_on_scene();
          m->set_request_id(e.request_id);
          m->set_team(e.team);
        } else if constexpr (std::is_same_v<E, TeamReleased>) {
          v1::TeamReleased* m = out->mutable_team_released();
          m->set_team(e.team);
          EncodePlace(e.at, graph, m->mutable_at());
        } else if constexpr (std::is_same_v<E, TeamDutyChanged>) {
          v1::TeamDutyChanged* m = out->mutable_team_duty_changed();
          m->set_team(e.team);
          m->set_on_duty(e.on_duty);
        } else if constexpr (std::is_same_v<E, TeamSuspensionChanged>) {
          v1::TeamSuspensionChanged* m = out->mutable_team_suspension_changed();
          m->set_team(e.team);
          m->set_suspended(e.suspended);
          m->set_reason(e.reason);
        } else if constexpr (std::is_same_v<E, RequestCancelled>) {
          v1::RequestCancelled* m = out->mutable_request_cancelled();
          m->set_request_id(e.request_id);
          m->set_reason(e.reason);
        } else if constexpr (std::is_same_v<E, RequestExpired>) {
          v1::RequestExpired* m = out->mutable_request_expired();
          m->set_request_id(e.request_id);
          m->set_missing(e.missing);
        } else if constexpr (std::is_same_v<E, RoadClosed>) {
          v1::RoadClosed* m = out->mutable_road_closed();
          EncodePlace(e.from, graph, m->mutable_from());
          EncodePlace(e.to, graph, m->mutable_to());
          m->set_reason(e.reason);
        } else if constexpr (std::is_same_v<E, RoadReopened>) {
          v1::RoadReopened* m = out->mutable_road_reopened();
          EncodePlace(e.from, graph, m->mutable_from());
          EncodePlace(e.to, graph, m->mutable_to());
        } else if constexpr (std::is_same_v<E, EtaChanged>) {
          v1::EtaChanged* m = out->mutable_eta_changed();
          m->set_request_id(e.request_id);
          m->set_team(e.team);
          m->set_old_eta_ms(e.old_eta);
          m->set_new_eta_ms(e.new_eta);
        } else if constexpr (std::is_same_v<E, TeamPreempted>) {
          v1::TeamPreempted* m = out->mutable_team_preempted();
          m->set_team(e.team);
          m->set_from_request(e.from_request);
          m->set_to_request(e.to_request);
          m->set_saved_ms(e.saved);
        } else {
          static_assert(!sizeof(E), "every event kind has a wire message");
        }
      },
      event);
}

void EncodeRequestState(const RequestState& request, const RoadGraph& graph, v1::RequestInfo* out) {
  out->Clear();
  out->set_request_id(request.id);
  out->set_unit(request.unit);
  EncodePlace(request.place, graph, out->mutable_place());
  out->set_priority(ToWire(request.priority));
  out->set_mode(ToWire(request.mode));
  out->set_submitted_unix_ms(UnixMs(request.submitted_at));
  out->set_deadline_unix_ms(UnixMs(request.deadline));
  out->set_status(ToWire(request.status));
  for (const LineState& line : request.lines) {
    v1::LineInfo* m = out->add_lines();
    m->set_specialty(line.specialty_code);
    m->set_quantity(line.quantity);
    m->set_filled(line.filled);
    m->set_scope(ToWire(line.scope));
  }
  for (const Assignment& assignment : request.assignments) {
    v1::AssignmentInfo* m = out->add_assignments();
    m->set_team(assignment.team);
    m->set_line(assignment.line);
    m->set_units(assignment.units);
    m->set_eta_ms(assignment.eta);
    m->set_assigned_unix_ms(UnixMs(assignment.assigned_at));
    m->set_activity(ToWire(assignment.activity));
  }
  out->set_missing(request.Missing());
}

void EncodeTeamState(std::string_view team_code, const TeamState& team, const RoadGraph& graph,
                     v1::TeamInfo* out) {
  out->Clear();
  out->set_team(std::string(team_code));
  out->set_activity(ToWire(team.activity));
  EncodePlace(team.location, graph, out->mutable_location());
  out->set_request_id(team.request_id);
}

void EncodeDemand(std::span<const RequestState* const> open_requests, const RoadGraph& graph,
                  v1::Demand* out) {
  out->Clear();
  for (const RequestState* request : open_requests) {
    for (const LineState& line : request->lines) {
      if (line.filled >= line.quantity) continue;
      v1::DemandLine* m = out->add_lines();
      m->set_request_id(request->id);
      m->set_unit(request->unit);
      EncodePlace(request->place, graph, m->mutable_place());
      m->set_priority(ToWire(request->priority));
      m->set_deadline_unix_ms(UnixMs(request->deadline));
      m->set_specialty(line.specialty_code);
      m->set_missing(line.quantity - line.filled);
      m->set_scope(ToWire(line.scope));
    }
  }
}

namespace {

Result<Scope> DecodeScope(v1::Scope scope) {
  switch (scope) {
    case v1::SCOPE_COUNTY:
      return Scope::kCounty;
    case v1::SCOPE_PREFECTURE:
      return Scope::kPrefecture;
    case v1::SCOPE_REGION:
      return Scope::kRegion;
    default:
      return Invalid("scope", "unknown value " + std::to_string(static_cast<int>(scope)));
  }
}

Explanation DecodeExplanation(const v1::Explanation& in) {
  Explanation out;
  out.eta = in.eta_ms();
  out.mobilization = in.mobilization_ms();
  out.travel = in.travel_ms();
  out.route = RouteText(in.route(), in.distance_m());
  out.late = in.late();
  for (const v1::Alternative& a : in.alternatives())
    out.alternatives.push_back({a.team(), a.eta_ms()});
  for (const v1::PassedOver& p : in.passed_over())
    out.passed_over.push_back({p.team(), p.travel_ms(), p.why()});
  return out;
}

PlaceId PlaceOf(const v1::PlaceInfo& place) {
  return PlaceId(place.id());
}

}  // namespace

Result<Event> DecodeEvent(const v1::Event& in) {
  switch (in.kind_case()) {
    case v1::Event::kRequestAccepted: {
      const auto& e = in.request_accepted();
      return Event(RequestAccepted{e.request_id(), PlaceOf(e.place()), e.snapped_m()});
    }
    case v1::Event::kTeamAssigned: {
      const auto& e = in.team_assigned();
      return Event(TeamAssigned{e.request_id(), e.team(), e.specialty(), e.units(),
                                DecodeExplanation(e.explanation())});
    }
    case v1::Event::kShortfall: {
      const auto& e = in.shortfall();
      return Event(Shortfall{e.request_id(), e.specialty(), e.missing(), e.why()});
    }
    case v1::Event::kScopeWidened: {
      const auto& e = in.scope_widened();
      Result<Scope> from = DecodeScope(e.from());
      if (!from.ok()) return from.status();
      Result<Scope> to = DecodeScope(e.to());
      if (!to.ok()) return to.status();
      return Event(ScopeWidened{e.request_id(), e.specialty(), *from, *to});
    }
    case v1::Event::kRequestFilled:
      return Event(RequestFilled{in.request_filled().request_id()});
    case v1::Event::kAssignmentAcknowledged: {
      const auto& e = in.assignment_acknowledged();
      return Event(AssignmentAcknowledged{e.request_id(), e.team()});
    }
    case v1::Event::kAssignmentDeclined: {
      const auto& e = in.assignment_declined();
      return Event(AssignmentDeclined{e.request_id(), e.team(), e.reason()});
    }
    case v1::Event::kTeamEnRoute: {
      const auto& e = in.team_en_route();
      return Event(TeamEnRoute{e.request_id(), e.team()});
    }
    case v1::Event::kTeamOnScene: {
      const auto& e = in.team_on_scene();
      return Event(TeamOnScene{e.request_id(), e.team()});
    }
    case v1::Event::kTeamReleased: {
      const auto& e = in.team_released();
      return Event(TeamReleased{e.team(), PlaceOf(e.at())});
    }
    case v1::Event::kTeamDutyChanged: {
      const auto& e = in.team_duty_changed();
      return Event(TeamDutyChanged{e.team(), e.on_duty()});
    }
    case v1::Event::kTeamSuspensionChanged: {
      const auto& e = in.team_suspension_changed();
      return Event(TeamSuspensionChanged{e.team(), e.suspended(), e.reason()});
    }
    case v1::Event::kRequestCancelled: {
      const auto& e = in.request_cancelled();
      return Event(RequestCancelled{e.request_id(), e.reason()});
    }
    case v1::Event::kRequestExpired: {
      const auto& e = in.request_expired();
      return Event(RequestExpired{e.request_id(), e.missing()});
    }
    case v1::Event::kRoadClosed: {
      const auto& e = in.road_closed();
      return Event(RoadClosed{PlaceOf(e.from()), PlaceOf(e.to()), e.reason()});
    }
    case v1::Event::kRoadReopened: {
      const auto& e = in.road_reopened();
      return Event(RoadReopened{PlaceOf(e.from()), PlaceOf(e.to())});
    }
    case v1::Event::kEtaChanged: {
      const auto& e = in.eta_changed();
      return Event(EtaChanged{e.request_id(), e.team(), e.old_eta_ms(), e.new_eta_ms()});
    }
    case v1::Event::kTeamPreempted: {
      const auto& e = in.team_preempted();
      return Event(TeamPreempted{e.team(), e.from_request(), e.to_request(), e.saved_ms()});
    }
    case v1::Event::KIND_NOT_SET:
      break;
  }
  return Invalid("event", "no kind (from a newer schema?)");
}

Result<RequestStatus> DecodeRequestStatus(v1::RequestStatus status) {
  switch (status) {
    case v1::REQUEST_STATUS_OPEN:
      return RequestStatus::kOpen;
    case v1::REQUEST_STATUS_FILLED:
      return RequestStatus::kFilled;
    case v1::REQUEST_STATUS_CANCELLED:
      return RequestStatus::kCancelled;
    case v1::REQUEST_STATUS_EXPIRED:
      return RequestStatus::kExpired;
    default:
      return Invalid("request.status", "unknown value " + std::to_string(static_cast<int>(status)));
  }
}

StatusCode FromErrorCode(v1::ErrorCode code) {
  switch (code) {
    case v1::OK:
      return StatusCode::kOk;
    case v1::INVALID_ARGUMENT:
      return StatusCode::kInvalidArgument;
    case v1::NOT_FOUND:
      return StatusCode::kNotFound;
    case v1::FAILED_PRECONDITION:
      return StatusCode::kFailedPrecondition;
    case v1::RESOURCE_EXHAUSTED:
      return StatusCode::kResourceExhausted;
    case v1::UNAVAILABLE:
      return StatusCode::kUnavailable;
    case v1::UNAUTHENTICATED:
      return StatusCode::kUnauthenticated;
    case v1::PERMISSION_DENIED:
      return StatusCode::kPermissionDenied;
    default:
      return StatusCode::kInternal;
  }
}

v1::ErrorCode ToErrorCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return v1::OK;
    case StatusCode::kInvalidArgument:
      return v1::INVALID_ARGUMENT;
    case StatusCode::kNotFound:
      return v1::NOT_FOUND;
    case StatusCode::kFailedPrecondition:
      return v1::FAILED_PRECONDITION;
    case StatusCode::kResourceExhausted:
      return v1::RESOURCE_EXHAUSTED;
    case StatusCode::kUnavailable:
      return v1::UNAVAILABLE;
    case StatusCode::kInternal:
      return v1::INTERNAL;
    case StatusCode::kUnauthenticated:
      return v1::UNAUTHENTICATED;
    case StatusCode::kPermissionDenied:
      return v1::PERMISSION_DENIED;
  }
  return v1::INTERNAL;
}

v1::Reply ErrorReply(std::uint64_t correlation_id, const Status& status) {
  if (status.ok()) {
    return ErrorReply(correlation_id, v1::INTERNAL, "an error reply was built from an OK status");
  }
  return ErrorReply(correlation_id, ToErrorCode(status.code()), status.message());
}

v1::Reply ErrorReply(std::uint64_t correlation_id, v1::ErrorCode code, std::string message) {
  v1::Reply reply;
  reply.set_correlation_id(correlation_id);
  reply.set_code(code == v1::OK ? v1::INTERNAL : code);
  reply.set_message(std::move(message));
  return reply;
}

v1::Reply EventsReply(std::uint64_t correlation_id, std::span<const Event> events,
                      const RoadGraph& graph) {
  v1::Reply reply;
  reply.set_correlation_id(correlation_id);
  reply.set_code(v1::OK);
  v1::Events* out = reply.mutable_events();
  for (const Event& event : events)
    EncodeEvent(event, graph, out->add_events());
  return reply;
}

}  // namespace baiying
