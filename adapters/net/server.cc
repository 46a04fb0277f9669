#include "adapters/net/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <variant>
#include <vector>

#include "adapters/net/access.h"
#include "adapters/net/frame.h"
#include "adapters/proto/codec.h"
#include "adapters/store/command_codec.h"
#include "adapters/store/journal.h"
#include "adapters/store/recovery.h"

namespace baiying::net {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// A connection's socket and the watchdog that closes it when its deadline passes. Used only
// from the connection's own strand (the socket's executor), except `closed`.
struct Connection {
  explicit Connection(tcp::socket s)
      : socket(std::move(s)), watchdog(socket.get_executor()), wake(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer watchdog;
  SteadyClock::time_point deadline = SteadyClock::time_point::max();
  // A watching connection: frames waiting to be written, and the timer its writer sleeps on
  // (cancelled to wake it).
  std::deque<std::string> outbox;
  asio::steady_timer wake;
  bool close_after_outbox = false;   // a watcher too far behind: its last frame is queued
  std::atomic<bool> closed{false};  // read by the dispatch strand to drop a gone watcher

  // A deadline earlier than the one the watchdog waits for wakes it to wait again.
  void SetDeadline(SteadyClock::time_point when) {
    deadline = when;
    if (when < watchdog.expiry()) watchdog.cancel();
  }
};

// A Subscribe, for the dispatch strand to register.
struct WatchRequest {
  std::set<std::string> request_ids;  // empty: every event
  std::shared_ptr<Connection> connection;
};

// An EndDrill, for the dispatch strand.
struct EndDrillRequest {};

// One decoded request waiting for the dispatch strand. `done` is called on the strand.
struct WorkItem {
  std::uint64_t correlation_id = 0;
  store::Credential who;
  std::string drill;  // empty: live
  std::variant<TimedCommand, Query, WatchRequest, EndDrillRequest> body;
  bool explicit_time = false;  // an AdvanceTime to a given instant keeps its instant
  SteadyClock::time_point received;
  std::function<void(v1::Reply)> done;
};

// A registered watcher, owned by the dispatch strand.
struct Watcher {
  std::uint64_t correlation_id = 0;
  store::Credential who;
  std::string drill;  // empty: live events
  std::set<std::string> request_ids;
  std::shared_ptr<Connection> connection;
};

// The requests an event is about (none for road and team-only events).
std::vector<std::string_view> RequestsOf(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::vector<std::string_view> {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, TeamPreempted>) {
          return {e.from_request, e.to_request};
        } else if constexpr (requires { e.request_id; }) {
          return {e.request_id};
        } else {
          return {};
        }
      },
      event);
}

// Keeping one dispatcher's road index up to date after closures. Owned by the dispatch strand.
struct IndexUpkeep {
  std::uint64_t serial = 0;  // tells a recontraction's result which dispatcher it is for
  bool recontracting = false;
  // Since the first command after which the index no longer fitted the closures.
  std::optional<SteadyClock::time_point> stale_since = std::nullopt;
  std::uint64_t installed = 0;
};

// A drill: its own dispatcher, on the drill's simulated clock.
struct DrillState {
  Dispatcher dispatcher;
  bool started = false;        // its clock is set by its first command
  std::uint64_t commands = 0;  // applied
  IndexUpkeep upkeep;
};

// "12.3 ms", "2.04 s".
std::string Elapsed(SteadyClock::duration d) {
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  return ms < 1000 ? fmt::format("{:.1f} ms", ms) : fmt::format("{:.2f} s", ms / 1000);
}

// "drill=<id> " to start a drill's log lines; empty for live ones.
std::string DrillTag(std::string_view drill) {
  return drill.empty() ? std::string() : "drill=" + std::string(drill) + " ";
}

// The frame of a reply.
std::string ReplyFrame(const v1::Reply& reply) {
  std::string payload;
  reply.SerializeToString(&payload);
  return EncodeFrame(payload);
}

}  // namespace

Status ServerOptions::Validate() const {
  if (address.empty()) return Status::InvalidArgument("address: must not be empty");
  if (max_frame_bytes == 0 || max_frame_bytes > 0xFFFFFFFFu) {
    return Status::InvalidArgument("max_frame_bytes: must be 1 .. 4294967295");
  }
  if (max_connections == 0) return Status::InvalidArgument("max_connections: must be positive");
  if (idle_timeout <= Duration::zero()) {
    return Status::InvalidArgument("idle_timeout: must be positive");
  }
  if (read_timeout <= Duration::zero()) {
    return Status::InvalidArgument("read_timeout: must be positive");
  }
  if (max_watch_backlog == 0) return Status::InvalidArgument("max_watch_backlog: must be positive");
  if (max_drills > 1024) return Status::InvalidArgument("max_drills: must be 0 .. 1024");
  if (io_threads == 0 || io_threads > 64) {
    return Status::InvalidArgument("io_threads: must be 1 .. 64");
  }
  return Status::Ok();
}

struct Server::Impl {
  Impl(const ServerOptions& o, const ServerWorld& w, store::Journal j, Dispatcher d)
      : options(o),
        graph(*w.graph),
        registry(w.registry),
        dispatch_options(w.dispatch),
        base_index(w.index),
        authenticate(w.authenticate),
        journal(std::move(j)),
        dispatcher(std::move(d)) {
    if (base_index != nullptr) index_thread.emplace(1);
  }

  // --- Immutable after Start ---
  ServerOptions options;
  const RoadGraph& graph;
  std::shared_ptr<const Registry> registry;  // the snapshot drills start from
  DispatchOptions dispatch_options;
  std::shared_ptr<const ChIndex> base_index;  // what every dispatcher starts with; may be null
  std::function<Result<store::Credential>(std::string_view)> authenticate;
  CodecLimits limits;
  std::uint16_t port = 0;
  store::RecoveryReport recovery;

  asio::io_context io;
  // The acceptor, the signal set and stopping run on a strand of their own: with two threads,
  // Stop() must not close the acceptor while an accept is being started.
  asio::strand<asio::io_context::executor_type> control_strand{asio::make_strand(io)};
  tcp::acceptor acceptor{control_strand};
  asio::signal_set signals{control_strand};
  asio::strand<asio::io_context::executor_type> dispatch_strand{asio::make_strand(io)};

  // --- Owned by dispatch_strand ---
  store::Journal journal;
  Dispatcher dispatcher;
  std::vector<Watcher> watchers;
  std::map<std::string, std::unique_ptr<DrillState>> drills;
  IndexUpkeep live_upkeep;
  std::uint64_t next_upkeep_serial = 1;

  // --- Shared between threads ---
  std::mutex queue_mutex;
  std::vector<WorkItem> queue;  // waiting for the next commit
  bool drain_posted = false;
  std::mutex connections_mutex;
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections;
  std::uint64_t next_connection = 0;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> journaled{0};
  std::atomic<std::uint64_t> commits{0};

  // Recontractions run here, off the strand. Last, so that it is joined before anything a job
  // touches is destroyed; present only with an index.
  std::optional<asio::thread_pool> index_thread;

  Instant Now() const {
    if (options.clock) return options.clock();
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }

  // --- Accepting ---

  awaitable<void> Listen() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(io),
                                                          asio::redirect_error(use_awaitable, ec));
      if (stopping || !acceptor.is_open()) co_return;
      if (ec) {
        // Out of descriptors, most likely: wait a little rather than spin.
        spdlog::warn("accept: {}", ec.message());
        asio::steady_timer pause(control_strand, std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      auto connection = std::make_shared<Connection>(std::move(socket));
      std::uint64_t id = 0;
      bool refused = false;
      {
        std::lock_guard lock(connections_mutex);
        refused = connections.size() >= options.max_connections;
        if (!refused) {
          id = next_connection++;
          connections.emplace(id, connection);
        }
      }
      const auto executor = connection->socket.get_executor();
      if (refused) {
        asio::co_spawn(executor, Refuse(connection), asio::detached);
        continue;
      }
      asio::co_spawn(executor, Watchdog(connection), asio::detached);
      asio::co_spawn(executor, Session(connection, id), asio::detached);
    }
  }

  awaitable<void> Refuse(std::shared_ptr<Connection> c) {
    c->SetDeadline(SteadyClock::now() + options.read_timeout);
    asio::co_spawn(c->socket.get_executor(), Watchdog(c), asio::detached);
    co_await Write(*c, ErrorReply(0, v1::RESOURCE_EXHAUSTED,
                                  "too many connections (limit " +
                                      std::to_string(options.max_connections) + ")"));
    Close(*c);
  }

  // --- One connection ---

  static void Close(Connection& c) {
    boost::system::error_code ignored;
    c.closed = true;
    c.socket.shutdown(tcp::socket::shutdown_both, ignored);
    c.socket.close(ignored);
    c.watchdog.cancel();
    c.wake.cancel();
  }

  // Closes the socket when its deadline passes; every read and write sets the deadline.
  static awaitable<void> Watchdog(std::shared_ptr<Connection> c) {
    while (c->socket.is_open()) {
      boost::system::error_code ec;
      c->watchdog.expires_at(c->deadline);
      co_await c->watchdog.async_wait(asio::redirect_error(use_awaitable, ec));
      if (SteadyClock::now() >= c->deadline) {
        spdlog::debug("connection timed out");
        Close(*c);
        co_return;
      }
    }
  }

  awaitable<bool> Write(Connection& c, const v1::Reply& reply) {
    const std::string frame = ReplyFrame(reply);
    c.SetDeadline(SteadyClock::now() + options.read_timeout);
    boost::system::error_code ec;
    co_await asio::async_write(c.socket, asio::buffer(frame),
                               asio::redirect_error(use_awaitable, ec));
    co_return !ec;
  }

  awaitable<void> Session(std::shared_ptr<Connection> c, std::uint64_t id) {
    FrameParser parser(options.max_frame_bytes);
    std::array<char, 16 * 1024> buffer{};
    std::string payload, error;
    bool open = true;
    while (open) {
      const FrameParser::Outcome outcome = parser.Next(&payload, &error);
      if (outcome == FrameParser::Outcome::kBad) {
        const v1::ErrorCode code = error.find("exceeds") != std::string::npos
                                       ? v1::RESOURCE_EXHAUSTED
                                       : v1::INVALID_ARGUMENT;
        spdlog::info("connection {}: {}; closed", id, error);
        co_await Write(*c, ErrorReply(0, code, error));
        break;
      }
      if (outcome == FrameParser::Outcome::kFrame) {
        bool keep_open = true;
        // The time the dispatcher takes (a surge of hundreds) is not the client's reading
        // time: the read deadline is lifted until the reply is written (Write sets its own).
        c->SetDeadline(SteadyClock::time_point::max());
        const v1::Reply reply = co_await Handle(c, payload, &keep_open);
        open = co_await Write(*c, reply) && keep_open;
        if (open && reply.has_subscribed()) {
          co_await Stream(c);
          break;
        }
        continue;
      }
      // A frame begun must be finished within read_timeout; between frames idle_timeout.
      c->SetDeadline(SteadyClock::now() +
                     (parser.buffered_bytes() > 0 ? options.read_timeout : options.idle_timeout));
      boost::system::error_code ec;
      const std::size_t n = co_await c->socket.async_read_some(
          asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      parser.Feed(std::string_view(buffer.data(), n));
    }
    Close(*c);
    std::lock_guard lock(connections_mutex);
    connections.erase(id);
  }

  // A watching connection: writes what the dispatch strand queues in its outbox, and watches
  // the socket so that a client going away (or sending anything) ends the stream.
  awaitable<void> Stream(std::shared_ptr<Connection> c) {
    c->SetDeadline(SteadyClock::time_point::max());
    asio::co_spawn(c->socket.get_executor(), DrainInput(c), asio::detached);
    while (c->socket.is_open()) {
      while (!c->outbox.empty() && c->socket.is_open()) {
        const std::string frame = std::move(c->outbox.front());
        c->outbox.pop_front();
        c->SetDeadline(SteadyClock::now() + options.read_timeout);
        boost::system::error_code ec;
        co_await asio::async_write(c->socket, asio::buffer(frame),
                                   asio::redirect_error(use_awaitable, ec));
        if (ec) {
          Close(*c);
          co_return;
        }
        c->SetDeadline(SteadyClock::time_point::max());
      }
      if (c->close_after_outbox) {
        Close(*c);
        co_return;
      }
      if (!c->socket.is_open()) break;
      boost::system::error_code ignored;
      c->wake.expires_at(SteadyClock::time_point::max());
      co_await c->wake.async_wait(asio::redirect_error(use_awaitable, ignored));
    }
  }

  // Reads a watching connection until the client closes it; a frame sent there ends it too.
  static awaitable<void> DrainInput(std::shared_ptr<Connection> c) {
    std::array<char, 256> buffer{};
    boost::system::error_code ec;
    const std::size_t n = co_await c->socket.async_read_some(
        asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
    if (!ec && n > 0) spdlog::info("watcher sent data on its stream; closed");
    Close(*c);
  }

  // On the connection's strand: queues a pushed frame, or drops a watcher too far behind.
  void Push(const std::shared_ptr<Connection>& c, std::string frame, std::uint64_t correlation_id) {
    if (!c->socket.is_open() || c->close_after_outbox) return;
    if (c->outbox.size() >= options.max_watch_backlog) {
      spdlog::warn("watcher {} is {} frames behind; dropped", correlation_id, c->outbox.size());
      // The frames not yet written are replaced by one that says why the stream ends; the
      // writer closes the connection after it (or at the write timeout).
      c->outbox.clear();
      c->outbox.push_back(ReplyFrame(ErrorReply(
          correlation_id, v1::RESOURCE_EXHAUSTED,
          "watch: more than " + std::to_string(options.max_watch_backlog) +
              " event frames unread; the stream is closed")));
      c->close_after_outbox = true;
      c->closed = true;
    } else {
      c->outbox.push_back(std::move(frame));
    }
    c->wake.cancel();
  }

  // The reply to one frame's payload. *keep_open turns false when the payload is malformed.
  // A reply to a drill's request carries the drill id.
  awaitable<v1::Reply> Handle(const std::shared_ptr<Connection>& c, const std::string& payload,
                              bool* keep_open) {
    Result<v1::Request> request = ParseRequest(payload);
    if (!request.ok()) {
      *keep_open = false;
      co_return ErrorReply(0, request.status());
    }
    const std::string drill = DrillOf(*request);
    v1::Reply reply = co_await Serve(c, std::move(request).value(), keep_open);
    if (!drill.empty()) reply.set_drill(drill);
    co_return reply;
  }

  static std::string DrillOf(const v1::Request& request) {
    return request.has_subscribe() && !request.subscribe().drill().empty()
               ? request.subscribe().drill()
               : request.drill();
  }

  awaitable<v1::Reply> Serve(const std::shared_ptr<Connection>& c, v1::Request request,
                             bool* keep_open) {
    const std::uint64_t correlation_id = request.correlation_id();
    WorkItem item;
    item.correlation_id = correlation_id;
    item.received = SteadyClock::now();
    const BodyKind kind = KindOf(request);
    if (kind == BodyKind::kMissing) {
      *keep_open = false;
      co_return ErrorReply(correlation_id, v1::INVALID_ARGUMENT, "request: no body");
    }
    const std::string tag = DrillTag(DrillOf(request));
    Result<store::Credential> who = authenticate(request.token());
    if (!who.ok()) {
      spdlog::warn("{}{} id={} refused: {}", tag, BodyName(request), correlation_id,
                   who.status().message());
      co_return ErrorReply(correlation_id, who.status());
    }
    if (Status permitted = Permit(*who, &request); !permitted.ok()) {
      spdlog::warn("{}{} id={} by={} refused: {}", tag, BodyName(request), correlation_id, who->id,
                   permitted.message());
      co_return ErrorReply(correlation_id, permitted);
    }
    item.who = std::move(who).value();
    if (Status drill = CheckDrillId(request, limits); !drill.ok()) {
      co_return ErrorReply(correlation_id, drill);
    }
    item.drill = DrillOf(request);
    switch (kind) {
      case BodyKind::kMissing:
        co_return ErrorReply(correlation_id, v1::INTERNAL, "request: no body");
      case BodyKind::kEndDrill:
        item.body = EndDrillRequest{};
        break;
      case BodyKind::kSubscribe: {
        WatchRequest watch;
        for (const std::string& id : request.subscribe().request_ids())
          watch.request_ids.insert(id);
        watch.connection = c;
        item.body = std::move(watch);
        break;
      }
      case BodyKind::kCommand: {
        Result<TimedCommand> command = DecodeCommand(request, graph, Now(), limits);
        if (!command.ok()) co_return ErrorReply(correlation_id, command.status());
        item.explicit_time = request.has_advance_time() && request.advance_time().to_unix_ms() != 0;
        item.body = std::move(command).value();
        break;
      }
      case BodyKind::kQuery: {
        Result<Query> query = DecodeQuery(request, limits);
        if (!query.ok()) co_return ErrorReply(correlation_id, query.status());
        item.body = std::move(query).value();
        break;
      }
    }
    co_return co_await Dispatch(std::move(item));
  }

  // Hands `item` to the dispatch strand and resumes with its reply on this connection's strand.
  awaitable<v1::Reply> Dispatch(WorkItem item) {
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(v1::Reply)>(
        [this](auto handler, WorkItem work) {
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          work.done = [shared](v1::Reply reply) {
            auto executor = asio::get_associated_executor(*shared);
            asio::post(executor,
                       [shared, r = std::move(reply)]() mutable { (*shared)(std::move(r)); });
          };
          Enqueue(std::move(work));
        },
        use_awaitable, std::move(item));
  }

  // --- The dispatch strand ---

  void Enqueue(WorkItem item) {
    bool post = false;
    {
      std::lock_guard lock(queue_mutex);
      queue.push_back(std::move(item));
      post = !drain_posted;
      drain_posted = true;
    }
    if (post) asio::post(dispatch_strand, [this] { Drain(); });
  }

  // On the strand: everything queued so far, journaled in one transaction (group commit),
  // then applied and answered in arrival order. What arrives during the commit waits for the
  // next Drain, which Enqueue posts.
  void Drain() {
    std::vector<WorkItem> batch;
    {
      std::lock_guard lock(queue_mutex);
      batch.swap(queue);
      drain_posted = false;
    }
    // Stamps never go backwards, so that the dispatcher accepts them in journal order. A
    // command refused before journaling (a unit cancelling another unit's request) is left
    // out of the commit and answered at its turn.
    std::vector<TimedCommand> commands;
    std::vector<Status> refused(batch.size());
    std::map<std::string, std::string> submitted_units;  // by commands earlier in this batch
    Instant latest = dispatcher.now();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      WorkItem& item = batch[i];
      auto* command = std::get_if<TimedCommand>(&item.body);
      if (command == nullptr || !item.drill.empty()) continue;
      refused[i] = MayApply(dispatcher, item.who, command->command, submitted_units);
      if (!refused[i].ok()) continue;
      if (!item.explicit_time) command->at = std::max(command->at, latest);
      latest = std::max(latest, command->at);
      commands.push_back(*command);
    }
    Status written = Status::Ok();
    if (!commands.empty()) {
      Result<std::uint64_t> appended = journal.Append(commands);
      if (appended.ok()) {
        journaled += commands.size();
        ++commits;
      } else {
        written = appended.status();
        spdlog::error("journal: {} ({} commands refused)", written.message(), commands.size());
      }
    }
    std::size_t next_command = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      WorkItem& item = batch[i];
      if (auto* watch = std::get_if<WatchRequest>(&item.body)) {
        watchers.push_back(Watcher{item.correlation_id, item.who, item.drill,
                                   std::move(watch->request_ids), std::move(watch->connection)});
        spdlog::info("{}subscribe id={} by={} ({} watching)", DrillTag(item.drill),
                     item.correlation_id, item.who.id, watchers.size());
        v1::Reply reply;
        reply.set_correlation_id(item.correlation_id);
        reply.mutable_subscribed();
        item.done(std::move(reply));
        continue;
      }
      if (!item.drill.empty()) {
        item.done(ServeDrill(item, batch.size()));
        continue;
      }
      if (const auto* query = std::get_if<Query>(&item.body)) {
        item.done(Answer(dispatcher, item.correlation_id, item.who, *query));
        continue;
      }
      if (std::holds_alternative<EndDrillRequest>(item.body)) {
        item.done(ErrorReply(item.correlation_id, v1::INTERNAL, "end_drill: no drill"));
        continue;
      }
      if (!refused[i].ok()) {
        spdlog::warn("{} id={} by={} refused: {}",
                     store::CommandKind(std::get<TimedCommand>(item.body).command),
                     item.correlation_id, item.who.id, refused[i].message());
        item.done(ErrorReply(item.correlation_id, refused[i]));
        continue;
      }
      const TimedCommand& command = commands[next_command++];
      v1::Reply reply;
      if (!written.ok()) {
        reply = ErrorReply(item.correlation_id,
                           Status::Unavailable("journal cannot be written: " + written.message()));
      } else {
        Result<std::vector<Event>> events = dispatcher.Apply(command);
        if (events.ok()) {
          reply = EventsReply(item.correlation_id, *events, graph);
          Publish(dispatcher, "", *events);
        } else {
          reply = ErrorReply(item.correlation_id, events.status());
        }
      }
      const auto micros =
          std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - item.received)
              .count();
      spdlog::info("{} id={} by={} batch={} {}us {}", store::CommandKind(command.command),
                   item.correlation_id, item.who.id, batch.size(), micros,
                   reply.code() == v1::OK
                       ? std::string("ok")
                       : v1::ErrorCode_Name(reply.code()) + ": " + reply.message());
      item.done(std::move(reply));
    }
    if (next_command > 0 && written.ok()) KeepIndexCurrent(dispatcher, live_upkeep, "");
  }

  // --- The road index after closures ---

  // On the strand, after commands: when `source`'s index no longer fits the arcs closed now,
  // hands a recontraction for them to the index thread, unless one is running already.
  void KeepIndexCurrent(const Dispatcher& source, IndexUpkeep& upkeep, const std::string& drill) {
    if (source.index() == nullptr || source.IndexCurrent()) {
      upkeep.stale_since.reset();
      return;
    }
    if (!upkeep.stale_since) upkeep.stale_since = SteadyClock::now();
    if (upkeep.recontracting || stopping || !index_thread) return;
    upkeep.recontracting = true;
    // The candidate sets are filled here too, from where the teams stand now; the strand then
    // only moves those that moved meanwhile.
    asio::post(*index_thread, [this, previous = source.index(), closed = source.ClosedArcsNow(),
                               places = source.TeamPlacesNow(), drill, serial = upkeep.serial] {
      const SteadyClock::time_point started = SteadyClock::now();
      // Stopping the server stops a recontraction too, instead of waiting seconds for it.
      Result<ChIndex> built =
          ChIndex::Recontract(graph, *previous, closed, {}, [this] { return !stopping.load(); });
      if (!built.ok() && stopping) return;
      std::shared_ptr<const ChIndex> ready;
      std::shared_ptr<PreparedPools> pools;
      Status failed;
      if (built.ok()) {
        ready = std::make_shared<const ChIndex>(std::move(built).value());
        pools = std::make_shared<PreparedPools>(Dispatcher::PreparePools(ready, places));
      } else {
        failed = built.status();
      }
      const SteadyClock::duration took = SteadyClock::now() - started;
      asio::post(dispatch_strand, [this, drill, serial, ready = std::move(ready),
                                   pools = std::move(pools), failed = std::move(failed),
                                   took]() mutable {
        InstallIndex(drill, serial, std::move(ready), std::move(pools), failed, took);
      });
    });
  }

  // On the strand: a recontraction's result, installed when the dispatcher it was made for is
  // still there and its closed arcs are still those the index leaves out; else another is asked
  // for.
  void InstallIndex(const std::string& drill, std::uint64_t serial,
                    std::shared_ptr<const ChIndex> ready, std::shared_ptr<PreparedPools> pools,
                    const Status& failed, SteadyClock::duration took) {
    Dispatcher* target = &dispatcher;
    IndexUpkeep* upkeep = &live_upkeep;
    if (!drill.empty()) {
      const auto found = drills.find(drill);
      if (found == drills.end() || found->second->upkeep.serial != serial) return;  // ended
      target = &found->second->dispatcher;
      upkeep = &found->second->upkeep;
    }
    upkeep->recontracting = false;
    const std::string tag = DrillTag(drill);
    if (!failed.ok()) {
      // Not retried: the same inputs would fail again. The exact search keeps answering.
      spdlog::error("{}road index: cannot be brought up to date: {}; the exact search answers",
                    tag, failed.message());
      return;
    }
    if (ready->BuiltFor(target->ClosedArcsNow())) {
      const SteadyClock::time_point installing = SteadyClock::now();
      if (Status used = target->UseIndex(ready, std::move(*pools)); !used.ok()) {
        spdlog::error("{}road index: cannot be installed: {}", tag, used.message());
        return;
      }
      ++upkeep->installed;
      const SteadyClock::duration since =
          upkeep->stale_since ? SteadyClock::now() - *upkeep->stale_since : took;
      upkeep->stale_since.reset();
      spdlog::info("{}road index up to date: {} closed arcs, {} after the closures changed "
                   "(recontracted and sets filled in {}, installed in {})",
                   tag, ready->closed_arcs().size(), Elapsed(since), Elapsed(took),
                   Elapsed(SteadyClock::now() - installing));
      return;
    }
    KeepIndexCurrent(*target, *upkeep, drill);  // closures changed meanwhile
  }

  // Whether `who` may have `command` journaled and applied: a unit cancels its own requests
  // only (known to the dispatcher, or submitted earlier in this batch, `submitted_units`).
  static Status MayApply(const Dispatcher& source, const store::Credential& who,
                         const Command& command,
                         std::map<std::string, std::string>& submitted_units) {
    if (const auto* submit = std::get_if<SubmitRequest>(&command)) {
      submitted_units.emplace(submit->request_id, submit->unit);
    } else if (const auto* batch = std::get_if<SubmitBatch>(&command)) {
      for (const SubmitRequest& r : batch->requests)
        submitted_units.emplace(r.request_id, r.unit);
    } else if (const auto* cancel = std::get_if<CancelRequest>(&command)) {
      const RequestState* request = source.FindRequest(cancel->request_id);
      const auto pending = submitted_units.find(cancel->request_id);
      const std::string_view unit = request != nullptr        ? std::string_view(request->unit)
                                    : pending != submitted_units.end() ? std::string_view(pending->second)
                                                                       : std::string_view();
      if ((request != nullptr || pending != submitted_units.end()) && !OwnsRequest(who, unit)) {
        return Status::PermissionDenied("credential " + who.id + " (unit " + who.unit +
                                        ") may not cancel request '" + cancel->request_id +
                                        "' of unit '" + std::string(unit) + "'");
      }
    }
    return Status::Ok();
  }

  // Sends `events` of the live dispatcher (drill empty) or of a drill's to every watcher of
  // that side they concern; forgets watchers whose connection is gone.
  void Publish(const Dispatcher& source, const std::string& drill,
               const std::vector<Event>& events) {
    if (watchers.empty() || events.empty()) return;
    std::erase_if(watchers, [](const Watcher& w) { return w.connection->closed.load(); });
    for (const Watcher& watcher : watchers) {
      if (watcher.drill != drill) continue;
      v1::Reply push;
      push.set_correlation_id(watcher.correlation_id);
      push.set_drill(drill);
      v1::Events* out = push.mutable_events();
      for (const Event& event : events) {
        if (Covers(source, watcher, event)) EncodeEvent(event, graph, out->add_events());
      }
      if (out->events_size() == 0) continue;
      std::shared_ptr<Connection> c = watcher.connection;
      asio::post(c->socket.get_executor(),
                 [this, c, frame = ReplyFrame(push), id = watcher.correlation_id]() mutable {
                   Push(c, std::move(frame), id);
                 });
    }
  }

  static bool Covers(const Dispatcher& source, const Watcher& watcher, const Event& event) {
    const std::vector<std::string_view> about = RequestsOf(event);
    const bool unit = watcher.who.role == store::CredentialRole::kUnit;
    if (about.empty()) return watcher.request_ids.empty() && !unit;
    for (std::string_view id : about) {
      if (!watcher.request_ids.empty() && !watcher.request_ids.contains(std::string(id))) continue;
      if (unit) {
        const RequestState* request = source.FindRequest(std::string(id));
        if (request == nullptr || !OwnsRequest(watcher.who, request->unit)) continue;
      }
      return true;
    }
    return false;
  }

  v1::Reply Answer(const Dispatcher& source, std::uint64_t correlation_id,
                   const store::Credential& who, const Query& query) const {
    v1::Reply reply;
    reply.set_correlation_id(correlation_id);
    if (const auto* q = std::get_if<RequestQuery>(&query)) {
      const RequestState* request = source.FindRequest(q->request_id);
      if (request != nullptr && !OwnsRequest(who, request->unit)) {
        return ErrorReply(correlation_id,
                          Status::PermissionDenied("credential " + who.id + " (unit " + who.unit +
                                                   ") may not read request '" + q->request_id +
                                                   "' of another unit"));
      }
      if (request == nullptr) {
        return ErrorReply(correlation_id,
                          Status::NotFound("request '" + q->request_id + "' is not known"));
      }
      EncodeRequestState(*request, graph, reply.mutable_request());
    } else if (const auto* t = std::get_if<TeamQuery>(&query)) {
      Result<TeamId> team = source.registry().FindTeam(t->team);
      if (!team.ok()) return ErrorReply(correlation_id, team.status());
      EncodeTeamState(t->team, source.team_state(*team), graph, reply.mutable_team());
    } else if (std::holds_alternative<OpenRequestsQuery>(query)) {
      v1::OpenRequests* open = reply.mutable_open_requests();
      for (const RequestState* request : source.OpenRequests()) {
        EncodeRequestState(*request, graph, open->add_requests());
      }
    } else {
      const std::vector<const RequestState*> open = source.OpenRequests();
      EncodeDemand(open, graph, reply.mutable_demand());
    }
    return reply;
  }

  // --- Drills ---

  // On the strand: one request of a drill, on that drill's own dispatcher. Nothing here
  // touches the live dispatcher or the journal.
  v1::Reply ServeDrill(WorkItem& item, std::size_t batch_size) {
    const std::string tag = DrillTag(item.drill);
    auto found = drills.find(item.drill);
    if (std::holds_alternative<EndDrillRequest>(item.body)) {
      if (found == drills.end()) {
        spdlog::warn("{}end_drill id={} by={}: no such drill", tag, item.correlation_id,
                     item.who.id);
        return ErrorReply(item.correlation_id,
                          Status::NotFound("drill '" + item.drill + "' is not running"));
      }
      const std::uint64_t applied = found->second->commands;
      drills.erase(found);
      spdlog::info("{}end_drill id={} by={}: ended after {} commands ({} drills running)", tag,
                   item.correlation_id, item.who.id, applied, drills.size());
      v1::Reply reply;
      reply.set_correlation_id(item.correlation_id);
      reply.mutable_drill_ended()->set_commands(applied);
      return reply;
    }
    if (const auto* query = std::get_if<Query>(&item.body)) {
      if (found == drills.end()) {
        return ErrorReply(item.correlation_id,
                          Status::NotFound("drill '" + item.drill + "' is not running"));
      }
      return Answer(found->second->dispatcher, item.correlation_id, item.who, *query);
    }
    auto& command = std::get<TimedCommand>(item.body);
    if (found == drills.end()) {
      if (drills.size() >= options.max_drills) {
        spdlog::warn("{}{} id={} by={} refused: {} drills running", tag,
                     store::CommandKind(command.command), item.correlation_id, item.who.id,
                     drills.size());
        return ErrorReply(item.correlation_id, v1::RESOURCE_EXHAUSTED,
                          "too many drills running (limit " + std::to_string(options.max_drills) +
                              "); end one with end_drill");
      }
      Result<Dispatcher> created = Dispatcher::Create(graph, registry, dispatch_options);
      if (!created.ok()) return ErrorReply(item.correlation_id, created.status());
      if (Status indexed = created->UseIndex(base_index); !indexed.ok()) {
        return ErrorReply(item.correlation_id, indexed);
      }
      found = drills
                  .emplace(item.drill, std::make_unique<DrillState>(DrillState{
                                           .dispatcher = std::move(created).value(),
                                           .upkeep = {.serial = next_upkeep_serial++}}))
                  .first;
      spdlog::info("{}started by={} ({} drills running)", tag, item.who.id, drills.size());
    }
    DrillState& drill = *found->second;
    // The drill's clock: set by its first command, then moved only by AdvanceTime to an
    // instant. Every other command is stamped with it.
    if (drill.started && !item.explicit_time) command.at = drill.dispatcher.now();
    std::map<std::string, std::string> none;
    v1::Reply reply;
    if (Status may = MayApply(drill.dispatcher, item.who, command.command, none); !may.ok()) {
      reply = ErrorReply(item.correlation_id, may);
    } else {
      Result<std::vector<Event>> events = drill.dispatcher.Apply(command);
      if (events.ok()) {
        drill.started = true;
        ++drill.commands;
        reply = EventsReply(item.correlation_id, *events, graph);
        Publish(drill.dispatcher, item.drill, *events);
        KeepIndexCurrent(drill.dispatcher, drill.upkeep, item.drill);
      } else {
        reply = ErrorReply(item.correlation_id, events.status());
      }
    }
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - item.received)
            .count();
    spdlog::info("{}{} id={} by={} batch={} {}us {}", tag, store::CommandKind(command.command),
                 item.correlation_id, item.who.id, batch_size, micros,
                 reply.code() == v1::OK
                     ? std::string("ok")
                     : v1::ErrorCode_Name(reply.code()) + ": " + reply.message());
    return reply;
  }

  // --- Stopping ---

  void StopOnControlStrand() {
    if (stopping.exchange(true)) return;
    spdlog::info("stopping");
    boost::system::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    std::lock_guard lock(connections_mutex);
    for (const auto& [id, weak] : connections) {
      if (std::shared_ptr<Connection> c = weak.lock()) {
        asio::post(c->socket.get_executor(), [c] { Close(*c); });
      }
    }
  }
};

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                              const ServerWorld& world) {
  if (Status valid = options.Validate(); !valid.ok()) return valid;
  if (world.graph == nullptr || world.registry == nullptr) {
    return Status::InvalidArgument("server: a road graph and a registry are required");
  }
  if (!world.authenticate) {
    return Status::InvalidArgument("server: a credential check (ServerWorld::authenticate) is required");
  }
  Result<store::Journal> journal = store::Journal::Open(world.journal_path, world.journal_options);
  if (!journal.ok()) return journal.status();
  store::RecoveryReport report;
  Result<Dispatcher> dispatcher =
      store::Recover(*world.graph, world.registry, world.dispatch, *journal, &report, world.index);
  if (!dispatcher.ok()) return dispatcher.status();
  auto impl = std::make_unique<Impl>(options, world, std::move(journal).value(),
                                     std::move(dispatcher).value());
  impl->recovery = report;

  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec) return Status::InvalidArgument("address '" + options.address + "': " + ec.message());
  const tcp::endpoint endpoint(address, options.port);
  const std::string where = options.address + ":" + std::to_string(options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Unavailable("cannot listen on " + where + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();

  Impl* raw = impl.get();
  asio::co_spawn(raw->control_strand, raw->Listen(), asio::detached);
  // Closures recovered from the journal: the index is brought up to date for them.
  asio::post(raw->dispatch_strand,
             [raw] { raw->KeepIndexCurrent(raw->dispatcher, raw->live_upkeep, ""); });
  if (options.handle_signals) {
    raw->signals.add(SIGINT);
    raw->signals.add(SIGTERM);
    raw->signals.async_wait([raw](const boost::system::error_code& error, int signal) {
      if (error) return;
      spdlog::info("signal {}: stopping", signal);
      raw->StopOnControlStrand();
    });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

void Server::Run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < impl_->options.io_threads; ++i) {
    threads.emplace_back([this] { impl_->io.run(); });
  }
  impl_->io.run();
  for (std::thread& t : threads)
    t.join();
  // A recontraction still running stops at its next look at `stopping` (within about a
  // thousand places); those not started are dropped.
  if (impl_->index_thread) {
    impl_->index_thread->stop();
    impl_->index_thread->join();
  }
}

void Server::Stop() {
  Impl* raw = impl_.get();
  asio::post(raw->control_strand, [raw] { raw->StopOnControlStrand(); });
}

std::uint16_t Server::port() const {
  return impl_->port;
}
std::uint64_t Server::recovered_applied() const {
  return impl_->recovery.applied;
}
std::uint64_t Server::recovered_skipped() const {
  return impl_->recovery.skipped;
}
std::uint64_t Server::journaled() const {
  return impl_->journaled;
}
std::uint64_t Server::commits() const {
  return impl_->commits;
}

Result<Server::IndexState> Server::index_state(std::string_view drill, Duration timeout) const {
  Impl* raw = impl_.get();
  auto answer = std::make_shared<std::promise<Result<IndexState>>>();
  std::future<Result<IndexState>> future = answer->get_future();
  asio::post(raw->dispatch_strand, [raw, answer, drill = std::string(drill)] {
    const Dispatcher* source = &raw->dispatcher;
    const IndexUpkeep* upkeep = &raw->live_upkeep;
    if (!drill.empty()) {
      const auto found = raw->drills.find(drill);
      if (found == raw->drills.end()) {
        answer->set_value(Status::NotFound("drill '" + drill + "' is not running"));
        return;
      }
      source = &found->second->dispatcher;
      upkeep = &found->second->upkeep;
    }
    IndexState state;
    state.in_use = source->index() != nullptr;
    state.current = source->IndexCurrent();
    state.closed_arcs = source->ClosedArcsNow().size();
    state.installed = upkeep->installed;
    state.index_answers = source->index_answers();
    state.exact_answers = source->exact_answers();
    answer->set_value(state);
  });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return Status::Unavailable("the dispatch strand did not answer (is the server running?)");
  }
  return future.get();
}

}  // namespace baiying::net
