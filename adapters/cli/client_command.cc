#include "adapters/cli/client_command.h"

#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <ostream>
#include <variant>
#include <vector>

#include "adapters/cli/format.h"
#include "adapters/cli/route_command.h"
#include "adapters/net/client.h"
#include "engine/core/enum_names.h"
#include "engine/dispatch/commands.h"
#include "engine/registry/registry_types.h"

namespace baiying::cli {
namespace {

int Fail(std::ostream& err, std::string_view command, const std::string& message, int code) {
  err << "baiying " << command << ": " << message << "\n";
  return code;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string FormatUnixMs(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string PlaceText(const v1::PlaceInfo& place) {
  return place.name().empty() ? "#" + std::to_string(place.id()) : place.name();
}

std::string ShortName(std::string_view enum_name, std::string_view prefix) {
  std::string out(enum_name.substr(enum_name.rfind(prefix, 0) == 0 ? prefix.size() : 0));
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<Duration> Timeout(const ClientFlags& client) {
  // Up to a day: a wait longer than that is a mistake, and the conversion stays in range.
  if (!(client.timeout_seconds > 0 && client.timeout_seconds <= 86400)) {
    return Status::InvalidArgument("--timeout: expected seconds, more than 0 and at most 86400");
  }
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(client.timeout_seconds));
}

// A connection to the server carrying the credential, or an exit code having said why not.
std::variant<net::Client, int> Open(const ClientFlags& client, std::string_view command,
                                    std::ostream& err) {
  Result<net::HostPort> where = net::ParseHostPort(client.server);
  if (!where.ok()) return Fail(err, command, "--server: " + where.status().message(), kExitUsage);
  Result<Duration> timeout = Timeout(client);
  if (!timeout.ok()) return Fail(err, command, timeout.status().message(), kExitUsage);
  Result<net::Client> connection = net::Client::Connect(where->host, where->port, *timeout);
  if (!connection.ok()) {
    return Fail(err, command, connection.status().message(), kExitDataError);
  }
  connection->set_token(client.token);
  return std::move(connection).value();
}

// The protobuf JSON mapping with the schema's field names; on one line unless `pretty`.
std::string Json(const google::protobuf::Message& message, bool pretty) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  while (!json.empty() && json.back() == '\n')
    json.pop_back();
  return json;
}

// Says what the server refused ("PERMISSION_DENIED: ..."), with a hint when the refusal is for
// want of a credential the user did not give. Returns the exit code.
int Refused(const ClientFlags& client, std::string_view command, const v1::Reply& reply,
            std::ostream& err) {
  std::string message = v1::ErrorCode_Name(reply.code()) + ": " + reply.message();
  if (reply.code() == v1::UNAUTHENTICATED && client.token.empty()) {
    message +=
        "\n  no credential given: pass --token or set BAIYING_TOKEN (tokens come from "
        "`baiying credentials issue`)";
  }
  return Fail(err, command, message, kExitUnreachable);
}

// Sends one request and prints the outcome: the reply as JSON with --json, the server's
// refusal on `err`, or `readable` of an answer. Returns the exit code.
int Exchange(const ClientFlags& client, std::string_view command, v1::Request request,
             std::ostream& out, std::ostream& err,
             const std::function<void(const v1::Reply&)>& readable) {
  auto opened = Open(client, command, err);
  if (const int* code = std::get_if<int>(&opened)) return *code;
  Result<v1::Reply> reply = std::get<net::Client>(opened).Call(std::move(request));
  if (!reply.ok()) return Fail(err, command, reply.status().message(), kExitDataError);
  if (client.json) out << Json(*reply, /*pretty=*/true) << "\n";
  if (reply->code() != v1::OK) return Refused(client, command, *reply, err);
  if (!client.json) readable(*reply);
  return kExitOk;
}

// An event's text with its places named: the engine's rendering says "place 16", the wire
// event carries the place's name as well.
std::string EventLine(const v1::Event& event) {
  std::vector<const v1::PlaceInfo*> places;
  switch (event.kind_case()) {
    case v1::Event::kRequestAccepted:
      places = {&event.request_accepted().place()};
      break;
    case v1::Event::kTeamReleased:
      places = {&event.team_released().at()};
      break;
    case v1::Event::kRoadClosed:
      places = {&event.road_closed().from(), &event.road_closed().to()};
      break;
    case v1::Event::kRoadReopened:
      places = {&event.road_reopened().from(), &event.road_reopened().to()};
      break;
    default:
      break;
  }
  std::string text = event.text();
  for (const v1::PlaceInfo* place : places) {
    if (place->name().empty()) continue;
    const std::string engine_name = "place " + std::to_string(place->id());
    std::size_t at = text.find(engine_name);
    while (at != std::string::npos) {
      const std::size_t end = at + engine_name.size();
      if (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) {
        at = text.find(engine_name, end);  // "place 160" is not "place 16"
        continue;
      }
      text.replace(at, engine_name.size(), place->name());
      at = text.find(engine_name, at + place->name().size());
    }
  }
  return text;
}

// A command's answer: what happened, one line per event.
std::function<void(const v1::Reply&)> PrintEvents(std::ostream& out) {
  return [&out](const v1::Reply& reply) {
    if (reply.events().events_size() == 0) out << "nothing changed\n";
    for (const v1::Event& event : reply.events().events())
      out << EventLine(event) << "\n";
  };
}

constexpr NameTable<OfficerAction, 9> kOfficerCommands = {{
    {OfficerAction::kCancel, "cancel"},
    {OfficerAction::kAcknowledge, "ack"},
    {OfficerAction::kDecline, "decline"},
    {OfficerAction::kEnRoute, "enroute"},
    {OfficerAction::kOnScene, "arrive"},
    {OfficerAction::kRelease, "release"},
    {OfficerAction::kSetDuty, "duty"},
    {OfficerAction::kCloseRoad, "close-road"},
    {OfficerAction::kReopenRoad, "reopen-road"},
}};

// A place as PlaceRef allows: a numeric id, or a name the server resolves.
Status SetPlace(std::string_view argument, const std::string& text, v1::PlaceRef* place) {
  if (text.empty()) return Status::InvalidArgument(std::string(argument) + ": must not be empty");
  std::uint32_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec == std::errc() && end == text.data() + text.size()) {
    place->set_id(id);
  } else if (std::isdigit(static_cast<unsigned char>(text.front()))) {
    return Status::InvalidArgument(std::string(argument) + ": '" + text +
                                   "' is neither a place id nor a name");
  } else {
    place->set_name(text);
  }
  return Status::Ok();
}

// The request for an officer's command, or InvalidArgument naming the first argument that is
// wrong (an empty one passes the command line's checks, not these).
Result<v1::Request> OfficerRequest(const OfficerFlags& f) {
  Status ok;
  const auto need = [&ok](std::string_view argument, const std::string& value) {
    if (ok.ok() && value.empty()) {
      ok = Status::InvalidArgument(std::string(argument) + ": must not be empty");
    }
  };
  const auto place = [&ok](std::string_view argument, const std::string& text, v1::PlaceRef* ref) {
    if (ok.ok()) ok = SetPlace(argument, text, ref);
  };
  v1::Request request;
  switch (f.action) {
    case OfficerAction::kCancel:
      need("REQUEST_ID", f.request_id);
      need("--reason", f.reason);
      request.mutable_cancel()->set_request_id(f.request_id);
      request.mutable_cancel()->set_reason(f.reason);
      break;
    case OfficerAction::kAcknowledge:
      need("REQUEST_ID", f.request_id);
      need("TEAM", f.team);
      request.mutable_acknowledge()->set_request_id(f.request_id);
      request.mutable_acknowledge()->set_team(f.team);
      break;
    case OfficerAction::kDecline:
      need("REQUEST_ID", f.request_id);
      need("TEAM", f.team);
      need("--reason", f.reason);
      request.mutable_decline()->set_request_id(f.request_id);
      request.mutable_decline()->set_team(f.team);
      request.mutable_decline()->set_reason(f.reason);
      break;
    case OfficerAction::kEnRoute:
      need("TEAM", f.team);
      request.mutable_en_route()->set_team(f.team);
      break;
    case OfficerAction::kOnScene:
      need("TEAM", f.team);
      request.mutable_on_scene()->set_team(f.team);
      break;
    case OfficerAction::kRelease:
      need("TEAM", f.team);
      request.mutable_release()->set_team(f.team);
      request.mutable_release()->set_return_home(f.home);
      break;
    case OfficerAction::kSetDuty:
      need("TEAM", f.team);
      if (ok.ok() && f.duty != "on" && f.duty != "off") {
        ok = Status::InvalidArgument("STATE: expected on or off, not '" + f.duty + "'");
      }
      request.mutable_set_duty()->set_team(f.team);
      request.mutable_set_duty()->set_on_duty(f.duty == "on");
      break;
    case OfficerAction::kCloseRoad:
      place("FROM", f.from, request.mutable_close_road()->mutable_from());
      place("TO", f.to, request.mutable_close_road()->mutable_to());
      need("--reason", f.reason);
      request.mutable_close_road()->set_reason(f.reason);
      break;
    case OfficerAction::kReopenRoad:
      place("FROM", f.from, request.mutable_reopen_road()->mutable_from());
      place("TO", f.to, request.mutable_reopen_road()->mutable_to());
      break;
  }
  if (!ok.ok()) return ok;
  return request;
}

// Now, as the watch stamps what it receives: "2026-11-01T08:00:00.123Z".
std::string NowIso() {
  const auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const std::int64_t ms = now.time_since_epoch().count();
  std::string text = FormatUnixMs(ms);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  text.pop_back();  // the 'Z'
  return text + millis;
}

// A request's state: a summary line, then its lines and its assignments.
void PrintRequest(const v1::RequestInfo& r, std::ostream& out) {
  out << r.request_id() << "  " << ShortName(v1::RequestStatus_Name(r.status()), "REQUEST_STATUS_")
      << "  " << ShortName(v1::Priority_Name(r.priority()), "PRIORITY_") << "  at "
      << PlaceText(r.place()) << "  unit " << r.unit() << "  deadline "
      << FormatUnixMs(r.deadline_unix_ms()) << "  missing " << r.missing() << "\n";
  for (const v1::LineInfo& line : r.lines()) {
    out << "  " << line.specialty() << " " << line.filled() << "/" << line.quantity() << " ("
        << ShortName(v1::Scope_Name(line.scope()), "SCOPE_") << ")\n";
  }
  for (const v1::AssignmentInfo& a : r.assignments()) {
    const std::string specialty = static_cast<int>(a.line()) < r.lines_size()
                                      ? r.lines(static_cast<int>(a.line())).specialty()
                                      : "?";
    out << "  " << a.team() << "  " << specialty << " x" << a.units() << "  ETA "
        << FormatDuration(a.eta_ms()) << "  "
        << ShortName(v1::TeamActivity_Name(a.activity()), "TEAM_ACTIVITY_") << "\n";
  }
}

// The demand list, one unfilled line per line.
void PrintDemand(const v1::Demand& demand, std::ostream& out) {
  if (demand.lines_size() == 0) out << "no open demand\n";
  for (const v1::DemandLine& line : demand.lines()) {
    out << line.request_id() << "  " << ShortName(v1::Priority_Name(line.priority()), "PRIORITY_")
        << "  " << line.specialty() << " missing " << line.missing() << "  at "
        << PlaceText(line.place()) << "  unit " << line.unit() << "  deadline "
        << FormatUnixMs(line.deadline_unix_ms()) << "\n";
  }
}

}  // namespace

int RunSubmit(const ClientFlags& client, const SubmitFlags& flags, std::ostream& out,
              std::ostream& err) {
  const std::string command = "submit";
  Result<std::vector<RequestLine>> lines = ParseNeed(flags.need);
  if (!lines.ok()) return Fail(err, command, lines.status().message(), kExitUsage);
  if (!ParsePriority(flags.priority)) {
    return Fail(err, command, "--priority: expected routine, urgent, critical or flash",
                kExitUsage);
  }
  if (!ParseMode(flags.mode)) {
    return Fail(err, command, "--mode: expected peacetime, emergency or wartime", kExitUsage);
  }
  if (!(flags.deadline_hours > 0)) {
    return Fail(err, command, "--deadline-hours: must be positive", kExitUsage);
  }
  const std::int64_t now_ms = flags.now.time_since_epoch().count();

  v1::Request request;
  v1::Submit* submit = request.mutable_submit();
  submit->set_request_id(flags.id.empty() ? "R" + std::to_string(now_ms) : flags.id);
  submit->set_unit(flags.unit);
  double lat = 0, lon = 0;
  const std::size_t comma = flags.at.find(',');
  if (comma != std::string::npos &&
      std::from_chars(flags.at.data(), flags.at.data() + comma, lat).ec == std::errc() &&
      std::from_chars(flags.at.data() + comma + 1, flags.at.data() + flags.at.size(), lon).ec ==
          std::errc()) {
    submit->mutable_position()->set_lat(lat);
    submit->mutable_position()->set_lon(lon);
  } else {
    submit->set_place_name(flags.at);
  }
  v1::Priority priority = v1::PRIORITY_UNSPECIFIED;
  v1::Priority_Parse("PRIORITY_" + Upper(flags.priority), &priority);
  submit->set_priority(priority);
  v1::Mode mode = v1::MODE_UNSPECIFIED;
  v1::Mode_Parse("MODE_" + Upper(flags.mode), &mode);
  submit->set_mode(mode);
  submit->set_deadline_unix_ms(now_ms + static_cast<std::int64_t>(flags.deadline_hours * 3.6e6));
  for (const RequestLine& need : *lines) {
    v1::RequestLine* line = submit->add_lines();
    line->set_specialty(need.specialty);
    line->set_quantity(static_cast<std::int32_t>(need.quantity));  // ParseNeed bounds it
  }

  return Exchange(client, command, std::move(request), out, err, PrintEvents(out));
}

int RunStatus(const ClientFlags& client, const std::string& request_id, std::ostream& out,
              std::ostream& err) {
  v1::Request request;
  request.mutable_get_request()->set_request_id(request_id);
  return Exchange(client, "status", std::move(request), out, err,
                  [&out](const v1::Reply& reply) { PrintRequest(reply.request(), out); });
}

int RunDemand(const ClientFlags& client, std::ostream& out, std::ostream& err) {
  v1::Request request;
  request.mutable_get_demand();
  return Exchange(client, "demand", std::move(request), out, err,
                  [&out](const v1::Reply& reply) { PrintDemand(reply.demand(), out); });
}

std::string_view OfficerCommandName(OfficerAction action) {
  return NameOf(kOfficerCommands, action);
}

int RunOfficerCommand(const ClientFlags& client, const OfficerFlags& flags, std::ostream& out,
                      std::ostream& err) {
  const std::string_view command = OfficerCommandName(flags.action);
  Result<v1::Request> request = OfficerRequest(flags);
  if (!request.ok()) return Fail(err, command, request.status().message(), kExitUsage);
  return Exchange(client, command, std::move(request).value(), out, err, PrintEvents(out));
}

int RunWatch(const ClientFlags& client, const WatchFlags& flags, std::ostream& out,
             std::ostream& err) {
  const std::string_view command = "watch";
  for (const std::string& id : flags.request_ids) {
    if (id.empty()) return Fail(err, command, "REQUEST_ID: must not be empty", kExitUsage);
  }
  auto opened = Open(client, command, err);
  if (const int* code = std::get_if<int>(&opened)) return *code;
  net::Client& connection = std::get<net::Client>(opened);
  connection.InterruptOnSignals();

  v1::Request request;
  v1::Subscribe* subscribe = request.mutable_subscribe();
  for (const std::string& id : flags.request_ids)
    subscribe->add_request_ids(id);
  Result<v1::Reply> reply = connection.Call(std::move(request));
  if (!reply.ok()) {
    if (connection.interrupted() != 0) return kExitOk;
    return Fail(err, command, reply.status().message(), kExitDataError);
  }
  if (reply->code() != v1::OK) return Refused(client, command, *reply, err);
  if (!reply->has_subscribed()) {
    return Fail(err, command, "the server answered the subscription with something else",
                kExitDataError);
  }
  std::string what = "every request";
  if (!flags.request_ids.empty()) {
    what = flags.request_ids.size() == 1 ? "request" : "requests";
    for (const std::string& id : flags.request_ids)
      what += (&id == &flags.request_ids.front() ? " " : ", ") + id;
  }
  err << "baiying watch: watching " << what << " on " << client.server << std::endl;

  std::size_t printed = 0;
  for (;;) {
    Result<v1::Reply> push = connection.ReadReply(net::Client::kNoTimeout);
    if (!push.ok()) {
      if (connection.interrupted() != 0) return kExitOk;
      return Fail(err, command, push.status().message(), kExitDataError);
    }
    if (push->code() != v1::OK) return Refused(client, command, *push, err);
    for (const v1::Event& event : push->events().events()) {
      const std::string received = NowIso();
      if (client.json) {
        out << R"({"received_at":")" << received << R"(","event":)" << Json(event, false) << "}\n";
      } else {
        out << received << "  " << EventLine(event) << "\n";
      }
      out.flush();
      if (flags.count > 0 && ++printed >= flags.count) return kExitOk;
    }
  }
}

}  // namespace baiying::cli
