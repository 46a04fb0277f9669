#include "adapters/store/sqlite.h"

#include <sqlite3.h>

#include <system_error>
#include <utility>

namespace baiying::store {
namespace {

// Messages quote the SQL of a failing statement; the first words say which one it was.
constexpr std::size_t kSqlInMessages = 60;

std::string ShortSql(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    const bool is_space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (is_space) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= kSqlInMessages) {
      out += " ...";
      break;
    }
  }
  return out;
}

// SQLite takes a file shorter than its header for an empty database and overwrites it, so a
// small file given by mistake (a note, a short CSV) would be lost. No database file holds
// less than one page (512 bytes at the least), except an empty one, so a file of 1..511 bytes
// is refused; a larger file that is not a database is refused by SQLite itself at its first
// statement (SQLITE_NOTADB). The file is never opened here: closing a descriptor of a file
// drops every POSIX lock this process holds on it, those of its open SQLite connections too,
// after which another process may checkpoint and delete the WAL under them.
Status CheckSize(const std::filesystem::path& path) {
  constexpr std::uintmax_t kSmallestPage = 512;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::Ok();  // sqlite3 decides
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size == 0 || size >= kSmallestPage) return Status::Ok();
  return Status::InvalidArgument(path.string() + ": not an SQLite database (" +
                                 std::to_string(size) +
                                 " bytes, less than the smallest database page)");
}

}  // namespace

Status SqliteStatus(int code, std::string_view operation, std::string_view message) {
  std::string text = "sqlite: ";
  text += operation;
  text += ": ";
  text += message;
  switch (code & 0xff) {  // the primary code; extended codes refine it
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return Status::Unavailable(std::move(text));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::InvalidArgument(std::move(text));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return Status::ResourceExhausted(std::move(text));
    case SQLITE_CONSTRAINT:
      return Status::FailedPrecondition(std::move(text));
    default:
      return Status::Internal(std::move(text));
  }
}

// --- Statement ---

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), in_use_(other.in_use_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    in_use_ = other.in_use_;
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Status Statement::Error(int code, std::string_view operation) const {
  std::string what(operation);
  what += " '";
  what += Describe();
  what += "'";
  return SqliteStatus(code, what, sqlite3_errmsg(sqlite3_db_handle(stmt_)));
}

Status Statement::Bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, "bind parameter " + std::to_string(index));
}

Status Statement::Bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the text, so callers may bind temporaries.
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, "bind parameter " + std::to_string(index));
}

Status Statement::Bind(int index, std::nullptr_t) {
  const int rc = sqlite3_bind_null(stmt_, index);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, "bind parameter " + std::to_string(index));
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(rc, "step");
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

std::int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  const int bytes = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::Reset() {
  // sqlite3_reset repeats the last step's error, which the step already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::Describe() const {
  const char* sql = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return sql != nullptr ? ShortSql(sql) : std::string();
}

// --- CachedStatement ---

CachedStatement::CachedStatement(CachedStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)), owned_(std::move(other.owned_)) {}

CachedStatement::~CachedStatement() {
  if (statement_ == nullptr) return;
  statement_->Reset();
  statement_->in_use_ = false;
}

// --- Database ---

Result<Database> Database::Open(const std::filesystem::path& path, const DatabaseOptions& options) {
  Database db;
  db.path_ = path.string();
  std::error_code ec;
  if (!options.create && !std::filesystem::exists(path, ec)) {
    return Status::NotFound(db.path_ + ": no such database file");
  }
  BAIYING_RETURN_IF_ERROR(CheckSize(path));
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(db.path_.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // sqlite3_open_v2 hands out a handle even when it fails; the message lives in it.
    const std::string message = db.db_ != nullptr ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc);
    return SqliteStatus(rc, "open " + db.path_, message);
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, options.busy_timeout_ms);

  // The first statement reads the file header: a file that is not a database fails here.
  // The block returns the statement to the cache (reset) before the next PRAGMA runs.
  {
    Result<CachedStatement> wal = db.Prepare("PRAGMA journal_mode=WAL");
    Result<bool> row = wal.ok() ? (*wal)->Step() : Result<bool>(wal.status());
    if (!row.ok()) {
      if (row.status().code() == StatusCode::kInvalidArgument) {
        return Status::InvalidArgument(db.path_ + ": not an SQLite database (" +
                                       row.status().message() + ")");
      }
      return row.status().WithPrefix(db.path_);
    }
    const std::string mode = *row ? (*wal)->ColumnText(0) : std::string();
    if (mode != "wal") {
      return Status::FailedPrecondition(
          db.path_ + ": cannot use the WAL journal (journal mode is '" + mode + "')");
    }
  }

  // FULL: a registry change reported as done survives a power cut (WAL's default, NORMAL,
  // may lose the last commits).
  BAIYING_RETURN_IF_ERROR(db.Execute("PRAGMA synchronous=FULL").WithPrefix(db.path_));
  BAIYING_RETURN_IF_ERROR(db.Execute("PRAGMA foreign_keys=ON").WithPrefix(db.path_));
  return db;
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      cache_(std::move(other.cache_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Database::~Database() {
  Close();
}

void Database::Close() {
  cache_.clear();  // statements first: a connection with live statements does not close
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Status Database::Execute(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  const std::string detail = message != nullptr ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return SqliteStatus(rc, "execute '" + ShortSql(sql) + "'", detail);
}

Result<CachedStatement> Database::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end() && !it->second->in_use_) {
    it->second->in_use_ = true;
    return CachedStatement(it->second.get(), nullptr);
  }
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return SqliteStatus(rc, "prepare '" + ShortSql(sql) + "'", sqlite3_errmsg(db_));
  }
  auto statement = std::unique_ptr<Statement>(new Statement(raw));
  statement->in_use_ = true;
  // The same SQL borrowed twice at once (a nested loop), or a full cache: this use owns it.
  if (it != cache_.end() || cache_.size() >= kMaxCachedStatements) {
    Statement* borrowed = statement.get();
    return CachedStatement(borrowed, std::move(statement));
  }
  Statement* borrowed = statement.get();
  cache_.emplace(std::move(key), std::move(statement));
  return CachedStatement(borrowed, nullptr);
}

std::int64_t Database::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

Result<std::int64_t> Database::PragmaInt(std::string_view name) {
  Result<CachedStatement> stmt = Prepare("PRAGMA " + std::string(name));
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("PRAGMA " + std::string(name) + " returned no row");
  return (*stmt)->ColumnInt64(0);
}

// --- Transaction ---

Result<Transaction> Transaction::Begin(Database& db, Kind kind) {
  BAIYING_RETURN_IF_ERROR(db.Execute(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  // Nothing to report to: the caller is already returning the error that brought us here.
  // If the ROLLBACK itself fails, SQLite has rolled back already (or the connection is
  // gone), and the next BEGIN will say so.
  (void)db_->Execute("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::Internal("commit of a finished transaction");
  Status status = db_->Execute("COMMIT");
  // A failed COMMIT (SQLITE_BUSY) leaves the transaction open; the destructor rolls it back.
  if (status.ok()) db_ = nullptr;
  return status;
}

}  // namespace baiying::store
