#pragma once
// The TCP server: 4-byte length-prefixed baiying.v1 frames (adapters/net/frame.h) over Boost.Asio
// with C++20 coroutines, in the shape of the Asio cpp20 examples: the server owns its
// io_context, acceptor and signal_set (SIGINT, SIGTERM: graceful stop); one coroutine per
// connection reads frames, each read raced against a timer (idle between frames, read within
// one); every engine call goes through one strand, which owns the Dispatcher and the Journal.
//
// Durability: a command is appended to the journal (adapters/store/journal.h) before it is
// applied and before its sender hears anything. Commands that arrive while a commit is in
// progress wait in a queue and are appended together in the next commit (group commit). When
// the journal cannot be written, those commands get UNAVAILABLE and are not applied.
// A command is journaled before the dispatcher has judged it, so a command it then refuses
// (an unknown team, say) is in the journal too; recovery skips it as the dispatcher did
// (adapters/store/recovery.h), so the state after a restart is the same.
//
// Credentials: every request carries a token; ServerWorld::authenticate says whose it is
// (adapters/store/credentials.h), and adapters/net/access.h says what that role may send. An
// unknown or revoked token gets UNAUTHENTICATED, a body the role may not send
// PERMISSION_DENIED; the connection stays open either way and nothing is journaled.
//
// Watching: a Subscribe turns its connection into a stream. The server answers `subscribed`,
// then pushes a Reply (with the Subscribe's correlation id and `events`) after every command
// whose events the subscription covers: events about the listed requests, or every event
// when none is listed; a unit credential sees only events about its own unit's requests. A
// watcher that falls more than max_watch_backlog frames behind is sent RESOURCE_EXHAUSTED and
// closed, so that a stalled client never holds the dispatch loop or the server's memory.
// A streaming connection takes no further requests: commands go on another connection.
//
// Drills: a Request carrying a drill id (Request.drill) is played on that drill's own
// Dispatcher, which the dispatch strand creates on the drill's first command from the
// server's graph, registry snapshot and DispatchOptions, and keeps until an EndDrill (or the
// server stops). A drill's commands never reach the live dispatcher and are never journaled:
// the journal holds only live commands, and a drill is a rehearsal, forgotten at a restart. So
// a drill can never send a real team. Its queries are answered from its dispatcher (NOT_FOUND
// when no such drill runs). A drill runs on its own simulated clock: its first command sets it
// (an AdvanceTime's instant, else the time received), then only an AdvanceTime to an instant
// moves it, and every other command is stamped with it; an officer may move a drill's clock
// and its suspensions, only an admin the live ones (access.h). At most
// ServerOptions::max_drills run at once; a command starting one more gets RESOURCE_EXHAUSTED.
// Every reply to a drill's request and every event pushed for it carries the drill id, and
// every log line about it starts with `drill=<id>`. A watcher sees live events (no drill given)
// or the events of the one drill its Subscribe names, never both.
//
// The road index: given one (ServerWorld::index), the live dispatcher and every drill's match
// with it while it fits their closures (Dispatcher::UseIndex); they share it, read-only. After a
// command leaves a dispatcher's index unfit for the arcs closed now (a road closed or reopened,
// at start after a journal with closures, in a drill), the strand hands ChIndex::Recontract to
// the server's index thread (one, owned by the server, joined when Run returns), which also fills
// the candidate sets on it from where the teams stood (Dispatcher::PreparePools), and carries on:
// the exact search answers meanwhile, with the same teams and ETAs. The new index comes back to
// the strand, which installs it only when that dispatcher's closed arcs are still those it was
// made for (moving in the sets the teams that moved meanwhile: milliseconds, where filling the
// sets there took ~0.1 s on New York), and otherwise asks for another; a line is logged when one is installed (closed arcs,
// the time since the index stopped fitting). One recontraction runs at a time per dispatcher;
// stopping the server stops a running one (it looks every 1,024 places) instead of waiting.
//
// Errors: a frame that cannot be read (zero or oversize length), a payload that is not a
// Request, or a Request without a body gets an error Reply and its connection is closed; the
// server keeps serving everyone else. A command the codec or the dispatcher refuses gets an
// error Reply and the connection stays open.
//
// Threads: Run() runs the io_context on options.io_threads threads (default 2, see
// ServerOptions), and with an index one more thread for recontractions. Stop() may be called
// from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/store/credentials.h"
#include "adapters/store/journal.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/registry/registry.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"

namespace baiying::net {

struct ServerOptions {
  // --- Listening ---
  std::string address = "127.0.0.1";  // loopback unless told otherwise
  std::uint16_t port = 7878;          // 0: any free port (see Server::port())
  // --- Limits ---
  std::size_t max_frame_bytes = 64 * 1024;  // largest payload of one frame
  std::size_t max_connections = 1024;       // more are answered RESOURCE_EXHAUSTED and closed
  // --- Timeouts ---
  Duration idle_timeout = std::chrono::minutes(5);   // no frame started for this long: closed
  Duration read_timeout = std::chrono::seconds(30);  // a started frame (or a reply) takes longer
  // --- Watching ---
  std::size_t max_watch_backlog = 4096;  // frames queued for one watcher before it is dropped
  // --- Drills ---
  std::size_t max_drills = 16;  // drills running at once; one more is RESOURCE_EXHAUSTED
  // --- Threads ---
  // Two by default, on this two-core machine: the journal's fsync blocks the thread running the
  // dispatch strand, and the second thread keeps reading frames meanwhile, which is what lets
  // commands pile up for the next group commit.
  std::size_t io_threads = 2;
  // --- Process ---
  bool handle_signals = true;  // SIGINT and SIGTERM stop the server (tests turn this off)
  // The clock commands are stamped with; default the system clock. Tests fix it.
  std::function<Instant()> clock;

  Status Validate() const;
};

// What a started server serves: the road graph (must outlive the server), the registry, and
// the journal file it recovers from and appends to.
struct ServerWorld {
  const RoadGraph* graph = nullptr;
  std::shared_ptr<const Registry> registry;
  DispatchOptions dispatch;
  std::filesystem::path journal_path;
  store::JournalOptions journal_options;
  // The road index of `graph` (ChIndex::Fingerprint), shared by the live dispatcher and the
  // drills'; null: the exact search only.
  std::shared_ptr<const ChIndex> index;
  // Whose token this is: Unauthenticated for an unknown or revoked one, Unavailable when the
  // credentials cannot be read. Required; called from the I/O threads, so thread-safe
  // (store::CredentialGate is).
  std::function<Result<store::Credential>(std::string_view token)> authenticate;
};

class Server {
 public:
  // Opens the journal, recovers the dispatcher from it, binds and listens. Unavailable when
  // the address cannot be bound; errors of the journal and recovery as they come.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                               const ServerWorld& world);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until Stop() or a signal; returns when every thread is done.
  void Run();
  // Stops accepting, closes the connections, lets the dispatch strand finish. Thread-safe.
  void Stop();

  // The port listened on (the chosen one when options.port was 0).
  std::uint16_t port() const;
  // Commands recovered from the journal at start (applied, skipped).
  std::uint64_t recovered_applied() const;
  std::uint64_t recovered_skipped() const;
  // Commands journaled and the commits (transactions) they took, since start: with group
  // commit, commits() < journaled() under load.
  std::uint64_t journaled() const;
  std::uint64_t commits() const;

  // The road index of the live dispatcher (drill empty) or of a running drill's, as the
  // dispatch strand sees it.
  struct IndexState {
    bool in_use = false;              // the dispatcher has an index
    bool current = false;             // ... built for exactly the arcs closed now: it answers
    std::size_t closed_arcs = 0;      // closed now
    std::uint64_t installed = 0;      // up-to-date indexes installed after closures
    std::uint64_t index_answers = 0;  // matcher questions the index answered
    std::uint64_t exact_answers = 0;  // ... and the exact search
  };
  // Asks the dispatch strand and waits for its answer at most `timeout`: NotFound when no such
  // drill runs, Unavailable when the strand did not answer (the server is not running). For
  // tests and tools; never call it from the server's own threads.
  Result<IndexState> index_state(std::string_view drill = {},
                                 Duration timeout = std::chrono::seconds(5)) const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baiying::net
