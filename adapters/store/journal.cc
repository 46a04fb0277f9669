#include "adapters/store/journal.h"

#include <string>
#include <string_view>
#include <utility>

#include "adapters/store/command_codec.h"
#include "adapters/store/sqlite.h"

namespace baiying::store {
namespace {

// 'BYJL' (baiying journal) in the file header: a registry database has application_id 0 and
// tables, so neither file is taken for the other.
constexpr std::int64_t kApplicationId = 0x42594A4C;

// The journal's own migrations, as in schema.h: version n is applied with user_version = n in
// one transaction. Released migrations never change.
struct JournalMigration {
  int version;
  std::string_view sql;
};
// STRICT: a body that is not a BLOB, or a seq that is not an integer, is refused at insert.
constexpr JournalMigration kJournalMigrations[] = {
    {1, R"sql(
CREATE TABLE journal (
  seq   INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  kind  TEXT NOT NULL,
  body  BLOB NOT NULL
) STRICT;
)sql"},
};
constexpr int kSchemaVersion = 1;

constexpr std::string_view kInsert =
    "INSERT INTO journal (seq, at_ms, kind, body) VALUES (?1, ?2, ?3, CAST(?4 AS BLOB))";
constexpr std::string_view kLastSeq = "SELECT COALESCE(MAX(seq), 0) FROM journal";

Result<std::int64_t> QueryInt(Database& db, std::string_view sql) {
  Result<CachedStatement> stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("'" + std::string(sql) + "' returned no row");
  return (*stmt)->ColumnInt64(0);
}

// Brings a new or older journal file to kSchemaVersion; refuses files that are not journals.
Status Migrate(Database& db) {
  // The usual case needs no write lock, so a journal at the latest version opens even while
  // another process writes, or from a read-only copy.
  Result<std::int64_t> current_id = db.PragmaInt("application_id");
  if (!current_id.ok()) return current_id.status();
  Result<std::int64_t> current_version = db.PragmaInt("user_version");
  if (!current_version.ok()) return current_version.status();
  if (*current_id == kApplicationId && *current_version == kSchemaVersion) return Status::Ok();

  for (const JournalMigration& m : kJournalMigrations) {
    Result<Transaction> tx = Transaction::Begin(db);
    if (!tx.ok()) return tx.status();
    // Read under the write lock: another process may have created or migrated the file.
    Result<std::int64_t> id = db.PragmaInt("application_id");
    if (!id.ok()) return id.status();
    Result<std::int64_t> version = db.PragmaInt("user_version");
    if (!version.ok()) return version.status();
    if (*id != kApplicationId) {
      Result<std::int64_t> objects = QueryInt(db, "SELECT COUNT(*) FROM sqlite_schema");
      if (!objects.ok()) return objects.status();
      if (*id != 0 || *version != 0 || *objects != 0) {
        return Status::FailedPrecondition("not a baiying journal (application_id " +
                                          std::to_string(*id) + ", " + std::to_string(*objects) +
                                          " tables and indexes): a registry database, perhaps");
      }
    }
    if (*version > kSchemaVersion) {
      return Status::FailedPrecondition("the journal is at schema version " +
                                        std::to_string(*version) +
                                        ", newer than this build knows (" +
                                        std::to_string(kSchemaVersion) + "); use a newer baiying");
    }
    if (*version >= m.version) continue;  // the transaction rolls back: nothing was written
    BAIYING_RETURN_IF_ERROR(db.Execute(m.sql).WithPrefix("migration " + std::to_string(m.version)));
    BAIYING_RETURN_IF_ERROR(
        db.Execute("PRAGMA application_id = " + std::to_string(kApplicationId)));
    BAIYING_RETURN_IF_ERROR(db.Execute("PRAGMA user_version = " + std::to_string(m.version)));
    BAIYING_RETURN_IF_ERROR(tx->Commit());
  }
  return Status::Ok();
}

// Any failure to write is Unavailable to the caller: whatever the cause, the commands are not
// durable and must not be acknowledged. The original kind stays in the message.
Status CannotWrite(const std::string& path, std::size_t count, const Status& cause) {
  return Status::Unavailable("journal " + path + ": cannot append " + std::to_string(count) +
                             " command" + (count == 1 ? "" : "s") + " (" +
                             std::string(StatusCodeName(cause.code())) + "): " + cause.message());
}

}  // namespace

Status JournalOptions::Validate() const {
  if (busy_timeout_ms < 0) {
    return Status::InvalidArgument("journal options: busy_timeout_ms must not be negative, not " +
                                   std::to_string(busy_timeout_ms));
  }
  return Status::Ok();
}

struct Journal::Impl {
  Database db;
  std::filesystem::path path;
  std::uint64_t size = 0;

  Impl(Database database, std::filesystem::path file)
      : db(std::move(database)), path(std::move(file)) {}

  // Inserts `bodies` after the last seq, in the caller's transaction; returns the last seq.
  Result<std::uint64_t> Insert(std::span<const TimedCommand> commands,
                               const std::vector<std::string>& bodies) {
    Result<std::int64_t> last = QueryInt(db, kLastSeq);
    if (!last.ok()) return last.status();
    Result<CachedStatement> insert = db.Prepare(kInsert);
    if (!insert.ok()) return insert.status();
    std::int64_t seq = *last;
    for (std::size_t i = 0; i < commands.size(); ++i) {
      (*insert)->Reset();
      BAIYING_RETURN_IF_ERROR((*insert)->BindAll(++seq, commands[i].at.time_since_epoch().count(),
                                                 CommandKind(commands[i].command), bodies[i]));
      BAIYING_RETURN_IF_ERROR((*insert)->Run());
    }
    return static_cast<std::uint64_t>(seq);
  }
};

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Journal::Journal(Journal&&) noexcept = default;
Journal& Journal::operator=(Journal&&) noexcept = default;
Journal::~Journal() = default;

int Journal::SchemaVersion() {
  return kSchemaVersion;
}

Result<Journal> Journal::Open(const std::filesystem::path& path, const JournalOptions& options) {
  BAIYING_RETURN_IF_ERROR(options.Validate());
  const std::string where = "journal " + path.string();
  DatabaseOptions db_options;
  db_options.create = !options.must_exist;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  Result<Database> db = Database::Open(path, db_options);
  if (!db.ok()) return db.status().WithPrefix(where);
  BAIYING_RETURN_IF_ERROR(Migrate(*db).WithPrefix(where));

  if (options.max_file_bytes > 0) {
    Result<std::int64_t> page = db->PragmaInt("page_size");
    if (!page.ok()) return page.status().WithPrefix(where);
    const std::uint64_t pages = options.max_file_bytes / static_cast<std::uint64_t>(*page);
    // SQLite never sets it below the pages in use; reads back the value in force.
    Result<std::int64_t> set =
        db->PragmaInt("max_page_count = " + std::to_string(pages > 0 ? pages : 1));
    if (!set.ok()) return set.status().WithPrefix(where);
  }

  Result<std::int64_t> last = QueryInt(*db, kLastSeq);
  if (!last.ok()) return last.status().WithPrefix(where);
  auto impl = std::make_unique<Impl>(std::move(db).value(), path);
  impl->size = static_cast<std::uint64_t>(*last);
  return Journal(std::move(impl));
}

Result<std::uint64_t> Journal::Append(std::span<const TimedCommand> commands) {
  if (commands.empty()) return impl_->size;
  // Encoded before the transaction, so the write lock is held only for the writing.
  std::vector<std::string> bodies;
  bodies.reserve(commands.size());
  for (const TimedCommand& c : commands)
    bodies.push_back(EncodeCommand(c));

  const std::string path = impl_->path.string();
  Result<Transaction> tx = Transaction::Begin(impl_->db);
  if (!tx.ok()) return CannotWrite(path, commands.size(), tx.status());
  Result<std::uint64_t> last = impl_->Insert(commands, bodies);
  if (!last.ok()) return CannotWrite(path, commands.size(), last.status());
  // A failed COMMIT leaves the transaction open; ~Transaction rolls it back.
  const Status committed = tx->Commit();
  if (!committed.ok()) return CannotWrite(path, commands.size(), committed);
  impl_->size = *last;
  return *last;
}

Result<std::vector<TimedCommand>> Journal::ReadAll() const {
  Database& db = impl_->db;
  const std::string where = "journal " + impl_->path.string();
  Result<Transaction> tx = Transaction::Begin(db, Transaction::Kind::kRead);
  if (!tx.ok()) return tx.status().WithPrefix(where);
  std::vector<TimedCommand> commands;
  {
    Result<CachedStatement> stmt =
        db.Prepare("SELECT seq, at_ms, kind, typeof(body), body FROM journal ORDER BY seq");
    if (!stmt.ok()) return stmt.status().WithPrefix(where);
    std::int64_t expected = 1;
    while (true) {
      Result<bool> row = (*stmt)->Step();
      if (!row.ok()) return row.status().WithPrefix(where);
      if (!*row) break;
      const Statement& r = **stmt;
      const std::int64_t seq = r.ColumnInt64(0);
      const std::string kind = r.ColumnText(2);
      const std::string at_seq = where + ": seq " + std::to_string(seq) + " (kind '" + kind + "')";
      if (seq != expected) {
        return Status::InvalidArgument(
            where + ": seq " + std::to_string(seq) + " where " + std::to_string(expected) +
            " was expected: " +
            (seq > expected ? "commands are missing" : "the sequence does not start at 1"));
      }
      ++expected;
      const std::string type = r.ColumnText(3);
      if (type != "blob") {
        return Status::InvalidArgument(at_seq + ": body is " + type + ", not a blob");
      }
      Result<TimedCommand> command = DecodeCommand(r.ColumnText(4));
      if (!command.ok()) return command.status().WithPrefix(at_seq + ": body");
      if (CommandKind(command->command) != kind) {
        return Status::InvalidArgument(at_seq + ": the body holds a '" +
                                       std::string(CommandKind(command->command)) + "' command");
      }
      const std::int64_t at_ms = r.ColumnInt64(1);
      if (command->at.time_since_epoch().count() != at_ms) {
        return Status::InvalidArgument(at_seq + ": column at_ms is " + std::to_string(at_ms) +
                                       " but the body says " +
                                       std::to_string(command->at.time_since_epoch().count()));
      }
      commands.push_back(std::move(command).value());
    }
  }
  BAIYING_RETURN_IF_ERROR(tx->Commit().WithPrefix(where));
  return commands;
}

std::uint64_t Journal::size() const {
  return impl_->size;
}

const std::filesystem::path& Journal::path() const {
  return impl_->path;
}

}  // namespace baiying::store
