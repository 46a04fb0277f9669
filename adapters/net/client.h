#pragma once
// A small blocking client for the server (adapters/net/server.h): one connection, one request
// at a time, every operation bounded by a timeout. For the command line, the tests and the
// end-to-end benchmark.
//
// Design: one TCP socket (non-blocking, TCP_NODELAY) driven by plain system calls on the
// caller's thread, with no event loop: send (MSG_NOSIGNAL) until the bytes are out, poll() for
// readiness whenever the socket has to be waited for, recv into one buffer kept for the
// connection's life, and a FrameParser (adapters/net/frame.h) that cuts replies from the
// stream. A Call thus costs a send, a poll and a recv or two. Connect resolves the host with
// getaddrinfo (names or numeric addresses) and tries each address in turn with a non-blocking
// connect, all within the one timeout.
//
// Waiting: every operation has one deadline, the timeout given to Connect, except a ReadReply
// told otherwise (a watch reads with kNoTimeout: events come when they come). An operation
// that does not finish in time is cancelled by closing the connection; so is one ended by a
// signal (InterruptOnSignals: the handler writes to a pipe that every wait polls beside the
// socket). Either way the Client is then closed and every further operation fails.
//
// Not thread-safe: one Client per thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/proto/baiying.pb.h"
#include "engine/core/status.h"
#include "engine/core/time.h"

namespace baiying::net {

// "host:port" split; a missing port is 7878. InvalidArgument for a bad port.
struct HostPort {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7878;
};
Result<HostPort> ParseHostPort(std::string_view text);

class Client {
 public:
  // Unavailable when the server cannot be reached within `timeout`.
  static Result<Client> Connect(const std::string& host, std::uint16_t port,
                                Duration timeout = std::chrono::seconds(10));

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  // The credential sent with every Call whose request carries no token of its own.
  void set_token(std::string token);

  // Sends `request` (its correlation id set to the next one when 0, the token set when
  // empty) and waits for its reply.
  // Unavailable when the connection fails or times out, InvalidArgument for a reply that does
  // not parse.
  Result<v1::Reply> Call(v1::Request request);

  // The raw pieces: bytes as they are (for tests), and the next reply frame, waiting at most
  // the Connect timeout or `timeout` (kNoTimeout: until one comes, the connection drops or a
  // signal interrupts). Frames pushed on a subscription are read this way.
  static constexpr Duration kNoTimeout = Duration::max();
  Status SendBytes(std::string_view bytes);
  Result<v1::Reply> ReadReply();
  Result<v1::Reply> ReadReply(Duration timeout);
  // True when the server closed the connection (a read sees end of file) within the timeout.
  bool WaitClosed();

  // From now on SIGINT and SIGTERM end the operation waiting (or the next one, when they arrive
  // between operations) instead of the process: it fails with Unavailable, the connection is
  // closed, and interrupted() says which signal it was. For the command line's `watch`. The
  // handlers are the process's while such a Client lives; the last one to go puts back the ones
  // it found.
  void InterruptOnSignals();
  // The signal that interrupted an operation, 0 while none has.
  int interrupted() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baiying::net
