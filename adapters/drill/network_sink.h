#pragma once
// A drill played against a running server (`baiying drill FILE --server HOST:PORT`): the
// DrillSink over net::Client. Every request carries the drill's id (Request.drill), so the
// server plays it on a dispatcher of its own, never on the live one, and journals nothing
// (adapters/net/server.h).
//
// Time: the server stamps a drill's commands with the drill's own clock, which only an
// AdvanceTime to an instant moves. Apply sends that AdvanceTime first when the command's time
// is later than the drill's clock, then the command (encoded by the codec, places by id), and
// returns the events of both, decoded, in the order the server produced them: the order a
// Dispatcher in process gives, which also expires requests before it applies a command. One
// difference remains: in process a refused command leaves the clock where it was, while here
// the AdvanceTime before it has moved it (and any expiry it caused stands).
//
// The server's network must be the one the drill was compiled on: places travel by id.
//
// Errors: the server's INVALID_ARGUMENT, NOT_FOUND and FAILED_PRECONDITION come back with
// those codes (the runner records them as refusals); anything else (the server cannot be
// reached, the credential is refused, too many drills) ends the run.

#include <memory>
#include <optional>
#include <string>

#include "adapters/drill/runner.h"
#include "adapters/net/client.h"
#include "adapters/proto/baiying.pb.h"
#include "engine/core/status.h"
#include "engine/core/time.h"

namespace baiying::drill {

class NetworkSink final : public DrillSink {
 public:
  // Connects to `server` ("HOST:PORT") within `timeout`; every request carries `token` and
  // the drill id `drill`.
  static Result<std::unique_ptr<NetworkSink>> Connect(const std::string& server,
                                                      const std::string& token,
                                                      const std::string& drill,
                                                      Duration timeout = std::chrono::seconds(10));
  // Ends the drill on the server if End was not called (best effort).
  ~NetworkSink() override;

  Result<std::vector<Event>> Apply(const TimedCommand& command) override;
  Result<RequestSnapshot> Request(const std::string& request_id) override;

  // Ends the drill on the server: its state is forgotten there. NotFound when the server
  // runs no such drill (it never received a command).
  Status End();

  const std::string& drill() const { return drill_; }

 private:
  NetworkSink(net::Client client, std::string drill)
      : client_(std::move(client)), drill_(std::move(drill)) {}
  // Sends one request of the drill; a reply with an error code becomes that Status.
  Result<v1::Reply> Call(v1::Request request);
  Status AppendEvents(const v1::Reply& reply, std::vector<Event>& out) const;

  net::Client client_;
  std::string drill_;
  std::optional<Instant> clock_;  // the drill's clock on the server, once set
  bool ended_ = false;
};

}  // namespace baiying::drill
