#pragma once
// Thin RAII wrappers over the SQLite C API. Every SQLite failure becomes a Status whose
// message names the operation and carries sqlite3_errmsg ("sqlite: step 'INSERT INTO teams
// ...': database is locked"), so nothing above this file sees a result code.
//
//   Database     one connection: WAL journal, synchronous=FULL, foreign keys on, a busy
//                timeout; owns a small cache of prepared statements keyed by SQL text.
//   Statement    one prepared statement, bound by index (1-based, as in SQLite).
//   Transaction  BEGIN IMMEDIATE (or a deferred read); rolls back in its destructor unless
//                committed, so an early `return status;` can never leave half a change.
//
// Thread safety: none. A Database and everything borrowed from it belong to one thread.

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace baiying::store {

// Maps an SQLite result code and message to a Status: busy, locked and I/O trouble are
// Unavailable (retrying may help), a file that is not a database or is corrupt is
// InvalidArgument, a full disk or no memory ResourceExhausted, constraint failures
// FailedPrecondition, and everything else (misuse, SQL errors) Internal: a bug of ours.
Status SqliteStatus(int code, std::string_view operation, std::string_view message);

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status Bind(int index, std::int64_t value);
  Status Bind(int index, std::string_view value);  // copied by SQLite
  Status Bind(int index, std::nullptr_t);          // NULL
  template <std::integral T>
  Status Bind(int index, T value) {
    return Bind(index, static_cast<std::int64_t>(value));
  }
  Status Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Status Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }

  // Binds args to parameters 1, 2, ... in order; stops at the first failure.
  template <typename... Args>
  Status BindAll(const Args&... args) {
    Status status;
    int index = 0;
    ((status = status.ok() ? Bind(++index, args) : status), ...);
    return status;
  }

  // Advances: true when a row is ready to be read, false when the statement is done.
  Result<bool> Step();
  // Steps to the end, ignoring any rows: for INSERT, UPDATE, DELETE.
  Status Run();

  // Columns of the current row, 0-based (as in SQLite).
  std::int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

  // Makes the statement ready for another execution: resets it and clears its bindings.
  void Reset();

  // The SQL, shortened for messages.
  std::string Describe() const;

 private:
  friend class Database;
  friend class CachedStatement;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Status Error(int code, std::string_view operation) const;

  sqlite3_stmt* stmt_ = nullptr;
  bool in_use_ = false;  // borrowed through a CachedStatement
};

// A statement borrowed from a Database's cache (or, when the cache cannot lend it, one owned
// outright). Returning it resets the statement, so the next borrower starts clean and no
// half-read SELECT keeps a read lock open.
class CachedStatement {
 public:
  CachedStatement(CachedStatement&& other) noexcept;
  CachedStatement& operator=(CachedStatement&&) = delete;
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement();

  Statement* operator->() { return statement_; }
  Statement& operator*() { return *statement_; }

 private:
  friend class Database;
  CachedStatement(Statement* borrowed, std::unique_ptr<Statement> owned)
      : statement_(borrowed), owned_(std::move(owned)) {}

  Statement* statement_ = nullptr;
  std::unique_ptr<Statement> owned_;  // set when the statement is not in the cache
};

struct DatabaseOptions {
  // Create the file when it does not exist; otherwise NotFound.
  bool create = true;
  // How long a writer waits for another connection's lock before Unavailable.
  int busy_timeout_ms = 5000;
};

class Database {
 public:
  // Opens (or creates) the file and sets WAL, synchronous=FULL, foreign_keys=ON and the busy
  // timeout. A file that is not an SQLite database fails here with InvalidArgument naming it.
  static Result<Database> Open(const std::filesystem::path& path, const DatabaseOptions& options);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements that return no rows of interest (scripts, PRAGMA settings).
  Status Execute(std::string_view sql);

  // A prepared statement for `sql`, from the cache when it holds one not in use. The cache
  // keeps at most kMaxCachedStatements; beyond that statements are prepared per use.
  Result<CachedStatement> Prepare(std::string_view sql);

  // The value of a PRAGMA that returns one integer (user_version, foreign_keys, ...).
  Result<std::int64_t> PragmaInt(std::string_view name);

  // The row id of the last INSERT on this connection.
  std::int64_t LastInsertRowId() const;

  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  static constexpr std::size_t kMaxCachedStatements = 64;

 private:
  Database() = default;
  void Close();

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

class Transaction {
 public:
  enum class Kind {
    kWrite,  // BEGIN IMMEDIATE: takes the write lock now, so the change cannot fail later on
             // another writer's lock (busy_timeout applies here, once)
    kRead,   // BEGIN: one consistent snapshot for several SELECTs
  };

  [[nodiscard]] static Result<Transaction> Begin(Database& db, Kind kind = Kind::kWrite);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back unless committed

  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;  // null once committed or rolled back
};

}  // namespace baiying::store
