#pragma once
// The codec: the one place that translates wire messages (baiying.v1, adapters/proto/
// baiying.proto) to engine values and back. Everything coming in is validated here, and every
// error names the field that is wrong ("submit.lines[2].quantity: must be positive"), so that
// the server can send it back as it is.
//
// Stateless and thread-safe: every function may be called from any thread (the network I/O
// threads decode and encode; only the dispatch strand applies). The RoadGraph is read only.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/proto/baiying.pb.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/dispatch/events.h"
#include "engine/roads/road_graph.h"

namespace baiying {

// What the codec accepts. Plain limits; the defaults suit the server.
struct CodecLimits {
  // --- Strings (bytes of UTF-8) ---
  std::size_t max_id_bytes = 128;     // request ids, team codes, units, specialties, place names
  std::size_t max_text_bytes = 1024;  // free text: reasons
  // --- Requests ---
  std::size_t max_lines = 64;           // lines of one request
  std::size_t max_batch = 1000;         // requests of one SubmitBatch
  std::int32_t max_quantity = 100'000;  // units of one line
  // --- Queries ---
  std::size_t max_subscribe_ids = 1000;  // request ids one subscription may name

  Status Validate() const;
};

// Instants on the wire are limited to 1970-01-01 .. 9999-12-31 (UTC), far from the ends of
// the engine's clock so that adding travel times can never overflow.
inline constexpr std::int64_t kMaxUnixMs = 253'402'300'799'999;

// --- Reading requests ---

// Parses one frame's payload as a v1::Request. Fails (InvalidArgument, "payload is not a
// baiying.v1.Request: ...") when the bytes do not parse, or when the envelope carries fields
// it does not define: the sign of another message type sent by mistake.
Result<v1::Request> ParseRequest(std::string_view bytes);

// What a Request asks for.
enum class BodyKind : std::uint8_t { kMissing, kCommand, kQuery, kSubscribe, kEndDrill };
BodyKind KindOf(const v1::Request& request);

// The command in `request`, validated and translated: places resolved on `graph` (names as
// RoadGraph::FindPlace reads them, ids checked against the graph), enums known, quantities
// positive, strings within limits and free of control characters, instants in range. The
// command applies at `received_at`, except AdvanceTime with a target time. Errors:
// InvalidArgument or NotFound (an unknown place), the message starting with the field path.
// Teams, specialties and request ids are checked by the dispatcher, not here.
Result<TimedCommand> DecodeCommand(const v1::Request& request, const RoadGraph& graph,
                                   Instant received_at, const CodecLimits& limits = {});

// The wire form of an engine command, for clients, drills and tests: places by id, the
// instant only for AdvanceTime (the server stamps the others when they arrive). Decoding it
// gives the same command back. Only the body is set; correlation id and token are the caller's.
void EncodeCommand(const TimedCommand& command, v1::Request* out);

// Reads of the dispatch state.
struct RequestQuery {
  std::string request_id;
};
struct TeamQuery {
  std::string team;
};
struct OpenRequestsQuery {};
struct DemandQuery {};
using Query = std::variant<RequestQuery, TeamQuery, OpenRequestsQuery, DemandQuery>;

// The query in `request`, validated like DecodeCommand's strings.
Result<Query> DecodeQuery(const v1::Request& request, const CodecLimits& limits = {});

// A subscription: the request ids it follows, empty for all.
struct SubscribeFilter {
  std::vector<std::string> request_ids;
};
Result<SubscribeFilter> DecodeSubscribe(const v1::Request& request, const CodecLimits& limits = {});

// The request's drill id (Request.drill), checked like an id: at most max_id_bytes, no control
// characters. Empty is live. EndDrill needs one: "end_drill: needs a drill id (Request.drill)".
// A Subscribe may name its drill in Subscribe.drill instead; both given must agree.
Status CheckDrillId(const v1::Request& request, const CodecLimits& limits = {});

// --- Writing replies ---

// One event, with its structured form and its Describe() line. Places carry their id, name
// and position from `graph`.
void EncodeEvent(const Event& event, const RoadGraph& graph, v1::Event* out);

// A request's state, a team's state (`team_code` from the registry), the demand list of the
// given open requests (Dispatcher::OpenRequests order is kept).
void EncodeRequestState(const RequestState& request, const RoadGraph& graph, v1::RequestInfo* out);
void EncodeTeamState(std::string_view team_code, const TeamState& team, const RoadGraph& graph,
                     v1::TeamInfo* out);
void EncodeDemand(std::span<const RequestState* const> open_requests, const RoadGraph& graph,
                  v1::Demand* out);

// --- Reading replies (clients, drills against a server) ---

// The engine event a pushed or answered v1::Event stands for: the inverse of EncodeEvent
// (places by their id; Describe of the result is the event's text). InvalidArgument for an
// event without a kind or with an enum value the codec does not know.
Result<Event> DecodeEvent(const v1::Event& event);

// The engine's request status for a wire one; InvalidArgument for one not given or unknown.
Result<RequestStatus> DecodeRequestStatus(v1::RequestStatus status);

// The engine status code for a wire one (UNAUTHENTICATED and PERMISSION_DENIED map to the
// engine's codes of those names).
StatusCode FromErrorCode(v1::ErrorCode code);

// The wire code for an engine status code.
v1::ErrorCode ToErrorCode(StatusCode code);

// A reply carrying an error. From a Status: its code and message (an OK status gives INTERNAL,
// as an error reply without an error is a bug). The explicit form serves the codes the engine
// does not have (UNAUTHENTICATED, PERMISSION_DENIED).
v1::Reply ErrorReply(std::uint64_t correlation_id, const Status& status);
v1::Reply ErrorReply(std::uint64_t correlation_id, v1::ErrorCode code, std::string message);

// A successful reply with a command's events.
v1::Reply EventsReply(std::uint64_t correlation_id, std::span<const Event> events,
                      const RoadGraph& graph);

}  // namespace baiying
