#include "adapters/net/client.h"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <csignal>
#include <optional>

#include "adapters/net/frame.h"

namespace baiying::net {

namespace asio = boost::asio;
using asio::ip::tcp;

Result<HostPort> ParseHostPort(std::string_view text) {
  HostPort result;
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    if (!text.empty()) result.host = std::string(text);
    return result;
  }
  if (colon > 0) result.host = std::string(text.substr(0, colon));
  const std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
    return Status::InvalidArgument("server '" + std::string(text) + "': expected HOST:PORT");
  }
  result.port = static_cast<std::uint16_t>(value);
  return result;
}

// The Asio blocking_tcp_client shape: every operation is asynchronous, and the io_context runs
// until it finished, for at most the timeout; what has not finished by then (or when a caught
// signal arrives) is cancelled by closing the socket.
struct Client::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  Duration timeout{};
  std::uint64_t next_correlation_id = 1;
  std::string token;
  FrameParser parser{0xFFFFFFFFu};
  // Set by InterruptOnSignals. A signal arriving while no wait is armed is queued by Asio and
  // delivered to the next one.
  std::optional<asio::signal_set> signals;
  bool signal_wait_armed = false;
  int interrupted = 0;

  void ArmSignalWait() {
    if (!signals || signal_wait_armed) return;
    signal_wait_armed = true;
    signals->async_wait([this](const boost::system::error_code& ec, int signal) {
      signal_wait_armed = false;
      if (!ec) interrupted = signal;
    });
  }

  // Runs the io_context until the operation finished (`done`), `wait` passed (kNoTimeout: no
  // limit) or a signal interrupted it.
  boost::system::error_code RunFor(const boost::system::error_code& result_if_done,
                                   const bool& done, Duration wait) {
    io.restart();
    ArmSignalWait();
    if (wait == kNoTimeout) {
      while (!done && interrupted == 0 && io.run_one() > 0) {
      }
    } else {
      const auto deadline = std::chrono::steady_clock::now() + wait;
      while (!done && interrupted == 0 && io.run_one_until(deadline) > 0) {
      }
    }
    if (done) return result_if_done;
    boost::system::error_code ignored;
    socket.close(ignored);
    while (!done && io.run_one() > 0) {  // the cancelled operation's handler
    }
    return interrupted != 0 ? asio::error::interrupted : asio::error::timed_out;
  }
  boost::system::error_code RunFor(const boost::system::error_code& result_if_done,
                                   const bool& done) {
    return RunFor(result_if_done, done, timeout);
  }
};

Result<Client> Client::Connect(const std::string& host, std::uint16_t port, Duration timeout) {
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  const std::string where = host + ":" + std::to_string(port);
  boost::system::error_code ec;
  tcp::resolver resolver(impl->io);
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Status::Unavailable("server " + where + ": " + ec.message());
  bool done = false;
  boost::system::error_code result;
  asio::async_connect(impl->socket, endpoints,
                      [&](const boost::system::error_code& e, const tcp::endpoint&) {
                        result = e;
                        done = true;
                      });
  ec = impl->RunFor(result, done);
  if (ec) return Status::Unavailable("cannot connect to server " + where + ": " + ec.message());
  impl->socket.set_option(tcp::no_delay(true), ec);
  return Client(std::move(impl));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Status Client::SendBytes(std::string_view bytes) {
  bool done = false;
  boost::system::error_code result;
  asio::async_write(impl_->socket, asio::buffer(bytes.data(), bytes.size()),
                    [&](const boost::system::error_code& e, std::size_t) {
                      result = e;
                      done = true;
                    });
  const boost::system::error_code ec = impl_->RunFor(result, done);
  if (ec) return Status::Unavailable("sending to the server: " + ec.message());
  return Status::Ok();
}

Result<v1::Reply> Client::ReadReply() {
  return ReadReply(impl_->timeout);
}

Result<v1::Reply> Client::ReadReply(Duration timeout) {
  std::string payload, error;
  std::array<char, 16 * 1024> buffer{};
  for (;;) {
    switch (impl_->parser.Next(&payload, &error)) {
      case FrameParser::Outcome::kFrame: {
        v1::Reply reply;
        if (!reply.ParseFromString(payload)) {
          return Status::InvalidArgument("the server's reply is not a baiying.v1.Reply");
        }
        return reply;
      }
      case FrameParser::Outcome::kBad:
        return Status::InvalidArgument("the server's reply: " + error);
      case FrameParser::Outcome::kNeedMore:
        break;
    }
    bool done = false;
    boost::system::error_code result;
    std::size_t n = 0;
    impl_->socket.async_read_some(asio::buffer(buffer),
                                  [&](const boost::system::error_code& e, std::size_t got) {
                                    result = e;
                                    n = got;
                                    done = true;
                                  });
    const boost::system::error_code ec = impl_->RunFor(result, done, timeout);
    if (ec == asio::error::eof) return Status::Unavailable("the server closed the connection");
    if (ec == asio::error::interrupted) {
      return Status::Unavailable("interrupted by signal " + std::to_string(impl_->interrupted));
    }
    if (ec) return Status::Unavailable("reading from the server: " + ec.message());
    impl_->parser.Feed(std::string_view(buffer.data(), n));
  }
}

bool Client::WaitClosed() {
  std::array<char, 4096> buffer{};
  for (;;) {
    bool done = false;
    boost::system::error_code result;
    impl_->socket.async_read_some(asio::buffer(buffer),
                                  [&](const boost::system::error_code& e, std::size_t) {
                                    result = e;
                                    done = true;
                                  });
    const boost::system::error_code ec = impl_->RunFor(result, done);
    if (ec == asio::error::timed_out) return false;
    if (ec) return true;
  }
}

void Client::InterruptOnSignals() {
  if (!impl_->signals) impl_->signals.emplace(impl_->io, SIGINT, SIGTERM);
}

int Client::interrupted() const {
  return impl_->interrupted;
}

void Client::set_token(std::string token) {
  impl_->token = std::move(token);
}

Result<v1::Reply> Client::Call(v1::Request request) {
  if (request.correlation_id() == 0) request.set_correlation_id(impl_->next_correlation_id++);
  if (request.token().empty()) request.set_token(impl_->token);
  std::string payload;
  request.SerializeToString(&payload);
  if (Status sent = SendBytes(EncodeFrame(payload)); !sent.ok()) return sent;
  Result<v1::Reply> reply = ReadReply();
  if (reply.ok() && reply->correlation_id() != request.correlation_id() &&
      reply->correlation_id() != 0) {
    return Status::Internal("the server answered correlation id " +
                            std::to_string(reply->correlation_id()) + ", not " +
                            std::to_string(request.correlation_id()));
  }
  return reply;
}

}  // namespace baiying::net
