#include "adapters/cli/client_command.h"

#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <charconv>
#include <ctime>
#include <ostream>
#include <variant>

#include "adapters/cli/format.h"
#include "adapters/cli/route_command.h"
#include "adapters/net/client.h"
#include "engine/dispatch/commands.h"
#include "engine/registry/registry_types.h"

namespace baiying::cli {
namespace {

int Fail(std::ostream& err, const std::string& command, const std::string& message, int code) {
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

// Sends one request and returns the reply, or an exit code having said what went wrong.
std::variant<v1::Reply, int> Call(const ClientFlags& client, const std::string& command,
                                  v1::Request request, std::ostream& err) {
  Result<net::HostPort> where = net::ParseHostPort(client.server);
  if (!where.ok()) return Fail(err, command, "--server: " + where.status().message(), kExitUsage);
  const auto timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(client.timeout_seconds));
  Result<net::Client> connection = net::Client::Connect(where->host, where->port, timeout);
  if (!connection.ok()) {
    return Fail(err, command, connection.status().message(), kExitDataError);
  }
  Result<v1::Reply> reply = connection->Call(std::move(request));
  if (!reply.ok()) return Fail(err, command, reply.status().message(), kExitDataError);
  return std::move(reply).value();
}

// Prints the reply as JSON, or its error; returns the exit code. Readable output is the
// caller's when this returns -1.
int Common(const ClientFlags& client, const std::string& command, const v1::Reply& reply,
           std::ostream& out, std::ostream& err) {
  if (client.json) {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(reply, &json, options);
    out << json;
    if (json.empty() || json.back() != '\n') out << "\n";
    return reply.code() == v1::OK ? kExitOk : kExitUnreachable;
  }
  if (reply.code() != v1::OK) {
    return Fail(err, command,
                ShortName(v1::ErrorCode_Name(reply.code()), "") + ": " + reply.message(),
                kExitUnreachable);
  }
  return -1;
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

  auto answer = Call(client, command, std::move(request), err);
  if (const int* code = std::get_if<int>(&answer)) return *code;
  const v1::Reply& reply = std::get<v1::Reply>(answer);
  if (const int code = Common(client, command, reply, out, err); code >= 0) return code;
  for (const v1::Event& event : reply.events().events()) {
    out << event.text() << "\n";
  }
  return kExitOk;
}

int RunStatus(const ClientFlags& client, const std::string& request_id, std::ostream& out,
              std::ostream& err) {
  const std::string command = "status";
  v1::Request request;
  request.mutable_get_request()->set_request_id(request_id);
  auto answer = Call(client, command, std::move(request), err);
  if (const int* code = std::get_if<int>(&answer)) return *code;
  const v1::Reply& reply = std::get<v1::Reply>(answer);
  if (const int code = Common(client, command, reply, out, err); code >= 0) return code;
  const v1::RequestInfo& r = reply.request();
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
  return kExitOk;
}

int RunDemand(const ClientFlags& client, std::ostream& out, std::ostream& err) {
  const std::string command = "demand";
  v1::Request request;
  request.mutable_get_demand();
  auto answer = Call(client, command, std::move(request), err);
  if (const int* code = std::get_if<int>(&answer)) return *code;
  const v1::Reply& reply = std::get<v1::Reply>(answer);
  if (const int code = Common(client, command, reply, out, err); code >= 0) return code;
  if (reply.demand().lines_size() == 0) out << "no open demand\n";
  for (const v1::DemandLine& line : reply.demand().lines()) {
    out << line.request_id() << "  " << ShortName(v1::Priority_Name(line.priority()), "PRIORITY_")
        << "  " << line.specialty() << " missing " << line.missing() << "  at "
        << PlaceText(line.place()) << "  unit " << line.unit() << "  deadline "
        << FormatUnixMs(line.deadline_unix_ms()) << "\n";
  }
  return kExitOk;
}

}  // namespace baiying::cli
