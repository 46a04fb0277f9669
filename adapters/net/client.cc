#include "adapters/net/client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "adapters/net/frame.h"

namespace baiying::net {

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

namespace {

using Clock = std::chrono::steady_clock;
// When an operation gives up; none for kNoTimeout.
using Deadline = std::optional<Clock::time_point>;

Deadline DeadlineAfter(Duration timeout) {
  const Clock::time_point now = Clock::now();
  if (timeout == Client::kNoTimeout ||
      timeout >= std::chrono::duration_cast<Duration>(Clock::time_point::max() - now)) {
    return std::nullopt;
  }
  return now + std::max(timeout, Duration::zero());
}

std::string ErrorText(int error) {
  return std::strerror(error);
}

// SIGINT and SIGTERM for the Clients that asked (InterruptOnSignals), process-wide. The handler
// counts the signal, remembers which one it was and writes a byte to the wake pipe. A waiting
// Client polls the pipe beside its socket, so a signal wakes it even when it arrives just before
// the poll starts; the count tells each Client whether a signal came since it last looked, so one
// that arrives between two operations ends the next one.
static_assert(std::atomic<unsigned>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler touches these atomics");
std::atomic<unsigned> g_signal_count{0};
std::atomic<int> g_last_signal{0};
std::atomic<int> g_wake_read{-1};   // the pipe, created once and kept for the process's life
std::atomic<int> g_wake_write{-1};  // (-1 when it could not be created: then EINTR alone wakes)
std::mutex g_signal_mutex;          // guards the rest
int g_signal_watchers = 0;          // live Clients that called InterruptOnSignals
constexpr std::array<int, 2> kInterruptingSignals = {SIGINT, SIGTERM};
std::array<struct sigaction, 2> g_previous_actions{};  // restored when the last watcher goes

extern "C" void OnInterruptingSignal(int signal) {
  const int saved_errno = errno;
  g_last_signal.store(signal, std::memory_order_relaxed);
  g_signal_count.fetch_add(1, std::memory_order_release);
  const char byte = 0;
  if (::write(g_wake_write.load(std::memory_order_relaxed), &byte, 1) < 0) {
    // Full (a byte is waiting already) or no pipe: the count still says it.
  }
  errno = saved_errno;
}

void DrainWakePipe() {
  const int fd = g_wake_read.load(std::memory_order_relaxed);
  if (fd < 0) return;
  std::array<char, 64> bytes{};
  while (::read(fd, bytes.data(), bytes.size()) > 0) {
  }
}

void StartWatchingSignals() {
  std::lock_guard lock(g_signal_mutex);
  if (g_wake_read.load() < 0) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC | O_NONBLOCK) == 0) {
      g_wake_read.store(fds[0]);
      g_wake_write.store(fds[1]);
    }
  }
  if (g_signal_watchers++ > 0) return;
  struct sigaction action {};
  action.sa_handler = OnInterruptingSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // other blocking calls go on; poll() returns EINTR regardless
  for (std::size_t i = 0; i < kInterruptingSignals.size(); ++i) {
    ::sigaction(kInterruptingSignals[i], &action, &g_previous_actions[i]);
  }
}

void StopWatchingSignals() {
  std::lock_guard lock(g_signal_mutex);
  if (--g_signal_watchers > 0) return;
  for (std::size_t i = 0; i < kInterruptingSignals.size(); ++i) {
    ::sigaction(kInterruptingSignals[i], &g_previous_actions[i], nullptr);
  }
}

}  // namespace

struct Client::Impl {
  int fd = -1;
  Duration timeout{};
  std::uint64_t next_correlation_id = 1;
  std::string token;
  FrameParser parser{0xFFFFFFFFu};
  std::vector<char> buffer = std::vector<char>(16 * 1024);  // every recv lands here
  std::string payload, parse_error;                         // reused by every ReadReply
  bool watches_signals = false;
  unsigned signals_seen = 0;  // g_signal_count when this Client last looked
  int interrupted = 0;
  int wait_error = 0;  // errno of a wait that failed

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    Close();
    if (watches_signals) StopWatchingSignals();
  }

  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  enum class Wait : std::uint8_t { kReady, kTimedOut, kInterrupted, kClosed, kFailed };

  // True (and the connection closed) when a signal came since this Client last looked.
  bool Interrupted() {
    if (!watches_signals) return false;
    const unsigned count = g_signal_count.load(std::memory_order_acquire);
    if (count == signals_seen) return false;
    signals_seen = count;
    interrupted = g_last_signal.load(std::memory_order_relaxed);
    Close();
    return true;
  }

  // Waits until the socket is ready for `events` (or has an error or hung up: the call that
  // follows reports it), the deadline passes or a signal interrupts. kClosed: the connection
  // was closed before (a timeout, a signal); kFailed: poll failed, wait_error says why.
  Wait Await(short events, const Deadline& deadline) {
    for (;;) {
      if (Interrupted()) return Wait::kInterrupted;
      if (fd < 0) return Wait::kClosed;
      int wait_ms = -1;
      if (deadline) {
        const Clock::duration left = *deadline - Clock::now();
        if (left <= Clock::duration::zero()) return Wait::kTimedOut;
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
        wait_ms = ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
      }
      std::array<pollfd, 2> fds{};
      fds[0] = {fd, events, 0};
      fds[1] = {watches_signals ? g_wake_read.load(std::memory_order_relaxed) : -1, POLLIN, 0};
      const int ready = ::poll(fds.data(), fds.size(), wait_ms);
      if (ready < 0) {
        if (errno == EINTR) continue;
        wait_error = errno;
        return Wait::kFailed;
      }
      if (fds[0].revents != 0) return Wait::kReady;
      // A wake byte whose signal this Client has already counted (or none, after a timeout of
      // the poll): drop it, so that it does not wake the next poll, and look again.
      if (fds[1].revents != 0 && g_signal_count.load(std::memory_order_acquire) == signals_seen) {
        DrainWakePipe();
      }
    }
  }

  // The Status of a wait that did not end ready, for an operation described by `what`.
  Status Stopped(Wait wait, const std::string& what) {
    switch (wait) {
      case Wait::kTimedOut:
        Close();
        return Status::Unavailable(what + ": timed out");
      case Wait::kInterrupted:
        return Status::Unavailable("interrupted by signal " + std::to_string(interrupted));
      case Wait::kClosed:
        return Status::Unavailable(what + ": the connection is closed");
      case Wait::kFailed:
        return Status::Unavailable(what + ": " + ErrorText(wait_error));
      case Wait::kReady:
        break;
    }
    return Status::Ok();
  }

  // Connects the socket to one address, non-blocking, by the deadline. 0 or an errno value
  // (ETIMEDOUT when the deadline passed).
  int ConnectTo(const addrinfo& address, const Deadline& deadline) {
    fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  address.ai_protocol);
    if (fd < 0) return errno;
    int error = 0;
    if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS || error == EINTR) {
        switch (Await(POLLOUT, deadline)) {
          case Wait::kReady: {
            socklen_t size = sizeof(error);
            if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
            break;
          }
          case Wait::kTimedOut:
            error = ETIMEDOUT;
            break;
          case Wait::kInterrupted:
          case Wait::kClosed:
            error = EINTR;
            break;
          case Wait::kFailed:
            error = wait_error;
            break;
        }
      }
    }
    if (error != 0) {
      Close();
      return error;
    }
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    return 0;
  }
};

Result<Client> Client::Connect(const std::string& host, std::uint16_t port, Duration timeout) {
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  const Deadline deadline = DeadlineAfter(timeout);
  const std::string service = std::to_string(port);
  const std::string where = host + ":" + service;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    const std::string why = rc == EAI_SYSTEM ? ErrorText(errno) : ::gai_strerror(rc);
    return Status::Unavailable("server " + where + ": " + why);
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);

  // Every address in turn, as the resolver ordered them, all within the one timeout.
  int error = EADDRNOTAVAIL;
  for (const addrinfo* address = addresses.get(); address != nullptr; address = address->ai_next) {
    error = impl->ConnectTo(*address, deadline);
    if (error == 0) return Client(std::move(impl));
    if (error == ETIMEDOUT) break;
  }
  const std::string why = error == ETIMEDOUT ? "timed out" : ErrorText(error);
  return Status::Unavailable("cannot connect to server " + where + ": " + why);
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Status Client::SendBytes(std::string_view bytes) {
  const std::string what = "sending to the server";
  // A signal that came between operations ends this one before it sends anything.
  if (impl_->Interrupted()) return impl_->Stopped(Impl::Wait::kInterrupted, what);
  if (impl_->fd < 0) return impl_->Stopped(Impl::Wait::kClosed, what);
  const Deadline deadline = DeadlineAfter(impl_->timeout);
  while (!bytes.empty()) {
    const ssize_t sent = ::send(impl_->fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent >= 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Status::Unavailable(what + ": " + ErrorText(errno));
    }
    if (const Impl::Wait wait = impl_->Await(POLLOUT, deadline); wait != Impl::Wait::kReady) {
      return impl_->Stopped(wait, what);
    }
  }
  return Status::Ok();
}

Result<v1::Reply> Client::ReadReply() {
  return ReadReply(impl_->timeout);
}

Result<v1::Reply> Client::ReadReply(Duration timeout) {
  const std::string what = "reading from the server";
  Impl& impl = *impl_;
  const Deadline deadline = DeadlineAfter(timeout);
  for (;;) {
    switch (impl.parser.Next(&impl.payload, &impl.parse_error)) {
      case FrameParser::Outcome::kFrame: {
        v1::Reply reply;
        if (!reply.ParseFromString(impl.payload)) {
          return Status::InvalidArgument("the server's reply is not a baiying.v1.Reply");
        }
        return reply;
      }
      case FrameParser::Outcome::kBad:
        return Status::InvalidArgument("the server's reply: " + impl.parse_error);
      case FrameParser::Outcome::kNeedMore:
        break;
    }
    // Poll first: after a request the reply is seldom there yet, so a recv first would mostly
    // cost a call that finds nothing.
    if (const Impl::Wait wait = impl.Await(POLLIN, deadline); wait != Impl::Wait::kReady) {
      return impl.Stopped(wait, what);
    }
    const ssize_t got = ::recv(impl.fd, impl.buffer.data(), impl.buffer.size(), 0);
    if (got == 0) return Status::Unavailable("the server closed the connection");
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return Status::Unavailable(what + ": " + ErrorText(errno));
    }
    impl.parser.Feed(std::string_view(impl.buffer.data(), static_cast<std::size_t>(got)));
  }
}

bool Client::WaitClosed() {
  Impl& impl = *impl_;
  const Deadline deadline = DeadlineAfter(impl.timeout);
  for (;;) {
    const Impl::Wait wait = impl.Await(POLLIN, deadline);
    if (wait == Impl::Wait::kTimedOut) {
      impl.Close();
      return false;
    }
    if (wait != Impl::Wait::kReady) return true;
    // Whatever still comes before the end is read and dropped.
    const ssize_t got = ::recv(impl.fd, impl.buffer.data(), impl.buffer.size(), 0);
    if (got == 0) return true;
    if (got < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return true;
  }
}

void Client::InterruptOnSignals() {
  if (impl_->watches_signals) return;
  StartWatchingSignals();
  impl_->watches_signals = true;
  impl_->signals_seen = g_signal_count.load(std::memory_order_acquire);
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
