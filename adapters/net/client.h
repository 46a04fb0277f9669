#pragma once
// A small blocking client for the server (adapters/net/server.h): one connection, one request
// at a time, every operation bounded by a timeout. For the command line and for tests.
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

  // Sends `request` (its correlation id set to the next one when 0) and waits for its reply.
  // Unavailable when the connection fails or times out, InvalidArgument for a reply that does
  // not parse.
  Result<v1::Reply> Call(v1::Request request);

  // The raw pieces, for tests: bytes as they are, and the next reply frame.
  Status SendBytes(std::string_view bytes);
  Result<v1::Reply> ReadReply();
  // True when the server closed the connection (a read sees end of file) within the timeout.
  bool WaitClosed();

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baiying::net
