#include "adapters/drill/network_sink.h"

#include <utility>

#include "adapters/proto/codec.h"

namespace baiying::drill {

Result<std::unique_ptr<NetworkSink>> NetworkSink::Connect(const std::string& server,
                                                          const std::string& token,
                                                          const std::string& drill,
                                                          Duration timeout) {
  if (drill.empty()) return Status::InvalidArgument("drill: an id is required");
  Result<net::HostPort> where = net::ParseHostPort(server);
  if (!where.ok()) return where.status();
  Result<net::Client> client = net::Client::Connect(where->host, where->port, timeout);
  if (!client.ok()) return client.status();
  client->set_token(token);
  return std::unique_ptr<NetworkSink>(new NetworkSink(std::move(client).value(), drill));
}

NetworkSink::~NetworkSink() {
  if (!ended_ && clock_.has_value()) (void)End();
}

Result<v1::Reply> NetworkSink::Call(v1::Request request) {
  request.set_drill(drill_);
  Result<v1::Reply> reply = client_.Call(std::move(request));
  if (!reply.ok()) return reply.status();
  if (reply->code() != v1::OK) {
    return Status(FromErrorCode(reply->code()), "server: " + reply->message());
  }
  if (reply->drill() != drill_) {
    return Status::Internal("server: the reply is not about drill '" + drill_ + "'");
  }
  return reply;
}

Status NetworkSink::AppendEvents(const v1::Reply& reply, std::vector<Event>& out) const {
  for (const v1::Event& e : reply.events().events()) {
    Result<Event> event = DecodeEvent(e);
    if (!event.ok()) return Status::Internal("server: " + event.status().message());
    out.push_back(std::move(event).value());
  }
  return Status::Ok();
}

Result<std::vector<Event>> NetworkSink::Apply(const TimedCommand& command) {
  std::vector<Event> events;
  const bool advance = std::holds_alternative<AdvanceTime>(command.command);
  if (advance || !clock_.has_value() || command.at > *clock_) {
    v1::Request request;
    request.mutable_advance_time()->set_to_unix_ms(command.at.time_since_epoch().count());
    Result<v1::Reply> reply = Call(std::move(request));
    if (!reply.ok()) return reply.status();
    clock_ = command.at;
    BAIYING_RETURN_IF_ERROR(AppendEvents(*reply, events));
    if (advance) return events;
  }
  v1::Request request;
  EncodeCommand(command, &request);
  Result<v1::Reply> reply = Call(std::move(request));
  if (!reply.ok()) return reply.status();
  BAIYING_RETURN_IF_ERROR(AppendEvents(*reply, events));
  return events;
}

Result<RequestSnapshot> NetworkSink::Request(const std::string& request_id) {
  v1::Request request;
  request.mutable_get_request()->set_request_id(request_id);
  Result<v1::Reply> reply = Call(std::move(request));
  if (!reply.ok()) return reply.status();
  const v1::RequestInfo& info = reply->request();
  Result<RequestStatus> status = DecodeRequestStatus(info.status());
  if (!status.ok()) return Status::Internal("server: " + status.status().message());
  RequestSnapshot s;
  s.status = *status;
  for (const v1::LineInfo& l : info.lines())
    s.lines.push_back({l.specialty(), l.quantity(), l.filled()});
  s.missing = info.missing();
  return s;
}

Status NetworkSink::End() {
  ended_ = true;
  v1::Request request;
  request.mutable_end_drill();
  Result<v1::Reply> reply = Call(std::move(request));
  return reply.ok() ? Status::Ok() : reply.status();
}

}  // namespace baiying::drill
