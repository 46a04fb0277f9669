#pragma once
// Journal: the accepted commands, in order, in SQLite, so that recovery is replay
// (adapters/store/recovery.h). A command is journaled before its sender hears that it was
// accepted; commands that arrive together are appended in one transaction (group commit), so
// the one fsync of a commit is shared by all of them.
//
// Durability: WAL with synchronous=FULL (adapters/store/sqlite.h), so a commit has reached the
// disk when Append returns OK: a crash or a power cut afterwards keeps it. A batch is all or
// nothing: a failed Append leaves the file as it was, and the next Append may try again.
//
// File: a database of its own, not a table beside the registry's. The journal grows by every
// command while the registry changes rarely; apart they are backed up, copied and cleared on
// their own schedules (a drill starts from an empty journal and the real registry), a test
// needs no registry to test the journal, and a long fsync of a surge never holds the lock
// that a registry clerk waits for. The file is marked as a journal (PRAGMA application_id
// 'BYJL') and has its own schema version (PRAGMA user_version), so that neither file is ever
// opened as the other.
//
// Table: journal(seq INTEGER PRIMARY KEY, at_ms INTEGER, kind TEXT, body BLOB). seq runs 1, 2,
// 3, ... without gaps; at_ms and kind repeat what the body says, for people reading the file
// with sqlite3; body is EncodeCommand (adapters/store/command_codec.h), which is what is read
// back (and checked against at_ms and kind).
//
// Thread safety: not thread-safe; one Journal per thread (the dispatch strand). One writer
// per file: two Journals appending to one file each keep a seq count that the other's appends
// make stale (Append re-reads the last seq inside its transaction, so rows stay gapless, but
// size() of the other one lags).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "engine/core/status.h"
#include "engine/dispatch/commands.h"

namespace baiying::store {

struct JournalOptions {
  // --- Opening ---
  // Fail with NotFound instead of creating a new journal file.
  bool must_exist = false;
  // --- Writing ---
  // How long an append waits for another connection's write lock before Unavailable.
  int busy_timeout_ms = 5000;
  // The largest the database file may grow to, in bytes (rounded down to whole pages);
  // 0 for no limit. An append that would pass it fails with Unavailable, as on a full disk.
  std::uint64_t max_file_bytes = 0;

  Status Validate() const;
};

class Journal {
 public:
  // Opens the journal file at `path`, creating it (and its table) unless options.must_exist.
  // FailedPrecondition for a database that is not a journal or is newer than this build;
  // InvalidArgument for a file that is not a database; Unavailable when it cannot be opened.
  static Result<Journal> Open(const std::filesystem::path& path,
                              const JournalOptions& options = {});

  Journal(Journal&&) noexcept;
  Journal& operator=(Journal&&) noexcept;
  ~Journal();

  // Appends `commands` in order, in one transaction, and returns the seq of the last one
  // (== size() afterwards). When it returns OK every command is durable; otherwise none is
  // there. Unavailable when the file cannot be written (read-only, full disk, locked by
  // another writer for longer than busy_timeout_ms, max_file_bytes reached, I/O error), with
  // SQLite's message. An empty span writes nothing and returns size().
  Result<std::uint64_t> Append(std::span<const TimedCommand> commands);

  // Every journaled command, in seq order. InvalidArgument naming the seq for a row that does
  // not decode, disagrees with its at_ms or kind columns, or breaks the run of seqs.
  Result<std::vector<TimedCommand>> ReadAll() const;

  // How many commands are journaled (the last seq).
  std::uint64_t size() const;

  const std::filesystem::path& path() const;

  // The schema version of the journal file this build writes.
  static int SchemaVersion();

 private:
  struct Impl;
  explicit Journal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baiying::store
