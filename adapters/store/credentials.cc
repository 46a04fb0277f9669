#include "adapters/store/credentials.h"

#include <cstdio>
#include <exception>
#include <random>
#include <unordered_map>
#include <utility>

#include "adapters/loaders/closures_csv.h"
#include "adapters/store/schema.h"
#include "adapters/store/sha256.h"
#include "adapters/store/sqlite.h"

namespace baiying::store {
namespace {

constexpr std::string_view kTokenStart = "by_";
constexpr int kTokenRandomWords = 4;     // 4 x 32 = 128 bits from the random source
constexpr std::size_t kShownPrefix = 8;  // "by_3f9a0": enough to tell tokens apart in a list
constexpr std::string_view kHexDigits = "0123456789abcdef";

// The columns every query of whole credentials reads, in ReadCredential's order.
constexpr std::string_view kColumns =
    "id, role, holder, unit, token_prefix, issued_at, issued_by, revoked_at, revoked_by, "
    "revoke_reason, token_sha256";
constexpr int kDigestColumn = 10;

std::int64_t Millis(Instant t) {
  return t.time_since_epoch().count();
}
Instant FromMillis(std::int64_t ms) {
  return Instant(Duration(ms));
}

void AppendHex(std::string& out, std::uint32_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out += kHexDigits[(value >> (4 * i)) & 0xf];
  }
}

// A new token: "by_" and 32 lowercase hex digits from the operating system's random source.
Result<std::string> NewToken() {
  std::string token(kTokenStart);
  try {
    std::random_device source;
    for (int i = 0; i < kTokenRandomWords; ++i) {
      AppendHex(token, static_cast<std::uint32_t>(source()), 8);
    }
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("the operating system's random source: ") + e.what());
  }
  return token;
}

std::string FormatId(std::int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "CR-%04lld", static_cast<long long>(seq));
  return buf;
}

// Holders, units and reasons are printed one per line in lists and messages.
Status CheckText(std::string_view field, std::string_view value, std::string_view what) {
  if (value.empty()) {
    return Status::InvalidArgument(std::string(field) + ": must not be empty (" +
                                   std::string(what) + ")");
  }
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::InvalidArgument(std::string(field) +
                                     ": must not contain control characters (line breaks, tabs)");
    }
  }
  return Status::Ok();
}

Status CheckIssue(CredentialRole role, std::string_view holder, std::string_view unit,
                  std::string_view by) {
  BAIYING_RETURN_IF_ERROR(CheckText("holder", holder, "who holds the credential"));
  BAIYING_RETURN_IF_ERROR(CheckText("by", by, "who issues the credential"));
  if (role == CredentialRole::kUnit) {
    return CheckText("unit", unit, "a unit credential names the requesting unit it speaks for");
  }
  if (!unit.empty()) {
    return Status::InvalidArgument("unit: an " + std::string(ToString(role)) +
                                   " credential speaks for no unit (given '" + std::string(unit) +
                                   "'); only a unit credential names one");
  }
  return Status::Ok();
}

// "on 2026-05-01T10:00:00Z by 王强: lost phone"
std::string RevocationText(const Credential& c) {
  return "on " + loaders::FormatIsoInstant(*c.revoked_at) + " by " + c.revoked_by + ": " +
         c.revoke_reason;
}

Result<Credential> ReadCredential(const Statement& row) {
  Credential c;
  c.id = row.ColumnText(0);
  const std::string role = row.ColumnText(1);
  Result<CredentialRole> parsed = ParseCredentialRole(role);
  if (!parsed.ok()) {
    return Status::Internal("database: credential " + c.id + ": column role holds unknown value '" +
                            role + "'");
  }
  c.role = *parsed;
  c.holder = row.ColumnText(2);
  c.unit = row.ColumnText(3);
  c.token_prefix = row.ColumnText(4);
  c.issued_at = FromMillis(row.ColumnInt64(5));
  c.issued_by = row.ColumnText(6);
  if (!row.ColumnIsNull(7)) c.revoked_at = FromMillis(row.ColumnInt64(7));
  c.revoked_by = row.ColumnText(8);
  c.revoke_reason = row.ColumnText(9);
  return c;
}

// Every credential with its token's digest, in issue order.
Result<std::vector<std::pair<std::string, Credential>>> LoadAll(Database& db) {
  Result<CachedStatement> stmt =
      db.Prepare("SELECT " + std::string(kColumns) + " FROM credentials ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::pair<std::string, Credential>> all;
  while (true) {
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<Credential> c = ReadCredential(**stmt);
    if (!c.ok()) return c.status();
    all.emplace_back((*stmt)->ColumnText(kDigestColumn), std::move(c).value());
  }
  return all;
}

// The answer to a token whose credential was looked up: none, revoked, or live.
Result<Credential> Admit(const Credential* found) {
  if (found == nullptr) return Status::Unauthenticated("unknown credential");
  if (found->revoked()) {
    return Status::Unauthenticated("credential " + found->id + " was revoked " +
                                   RevocationText(*found));
  }
  return *found;
}

Status NoToken() {
  return Status::Unauthenticated("no credential given");
}

}  // namespace

std::string_view ToString(CredentialRole role) {
  switch (role) {
    case CredentialRole::kUnit:
      return "unit";
    case CredentialRole::kOfficer:
      return "officer";
    case CredentialRole::kAdmin:
      return "admin";
  }
  return "unknown";
}

Result<CredentialRole> ParseCredentialRole(std::string_view text) {
  for (CredentialRole role :
       {CredentialRole::kUnit, CredentialRole::kOfficer, CredentialRole::kAdmin}) {
    if (text == ToString(role)) return role;
  }
  return Status::InvalidArgument("unknown role '" + std::string(text) +
                                 "' (choose unit, officer or admin)");
}

std::string Sha256Hex(std::string_view data) {
  std::string hex;
  hex.reserve(64);
  for (std::uint8_t byte : Sha256(data))
    AppendHex(hex, byte, 2);
  return hex;
}

// --- CredentialStore ---

struct CredentialStore::Impl {
  Database db;
  // Commits made on this connection, which PRAGMA data_version does not count.
  std::int64_t own_commits = 0;

  explicit Impl(Database database) : db(std::move(database)) {}

  // The audit row of an issue or a revocation: the role, the unit and the token's prefix;
  // not the holder, whose name stays in the credentials table.
  Status WriteAudit(Instant when, std::string_view by, std::string_view action, const Credential& c,
                    std::string_view why) {
    std::string detail = std::string(ToString(c.role)) + " credential";
    if (!c.unit.empty()) detail += " for " + c.unit;
    detail += ", token " + c.token_prefix + "...";
    return WriteAuditRow(db, {when, by, action, "credential", c.id, detail, why});
  }

  // The credential whose `column` (id or token_sha256, both unique) is `value`, if any.
  Result<std::optional<Credential>> Find(std::string_view column, std::string_view value) {
    Result<CachedStatement> stmt =
        db.Prepare("SELECT " + std::string(kColumns) + " FROM credentials WHERE " +
                   std::string(column) + " = ?1");
    if (!stmt.ok()) return stmt.status();
    BAIYING_RETURN_IF_ERROR((*stmt)->BindAll(value));
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<Credential>();
    Result<Credential> c = ReadCredential(**stmt);
    if (!c.ok()) return c.status();
    return std::optional<Credential>(std::move(c).value());
  }

  Status Commit(Transaction& tx) {
    BAIYING_RETURN_IF_ERROR(tx.Commit());
    ++own_commits;
    return Status::Ok();
  }
};

CredentialStore::CredentialStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CredentialStore::CredentialStore(CredentialStore&&) noexcept = default;
CredentialStore& CredentialStore::operator=(CredentialStore&&) noexcept = default;
CredentialStore::~CredentialStore() = default;

Result<CredentialStore> CredentialStore::Open(const std::filesystem::path& path,
                                              const Options& options) {
  Result<Database> db = OpenMigrated(
      path,
      DatabaseOptions{.create = !options.must_exist, .busy_timeout_ms = options.busy_timeout_ms});
  if (!db.ok()) return db.status();
  return CredentialStore(std::make_unique<Impl>(std::move(db).value()));
}

Result<IssuedCredential> CredentialStore::Issue(CredentialRole role, std::string_view holder,
                                                std::string_view unit, std::string_view by,
                                                Instant when) {
  BAIYING_RETURN_IF_ERROR(CheckIssue(role, holder, unit, by));
  Result<std::string> token = NewToken();
  if (!token.ok()) return token.status();

  Database& db = impl_->db;
  Result<Transaction> tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  std::int64_t seq = 0;
  {
    Result<CachedStatement> next = db.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM credentials");
    if (!next.ok()) return next.status();
    Result<bool> row = (*next)->Step();
    if (!row.ok()) return row.status();
    seq = (*next)->ColumnInt64(0);
  }

  IssuedCredential issued;
  Credential& c = issued.credential;
  c.id = FormatId(seq);
  c.role = role;
  c.holder = std::string(holder);
  c.unit = std::string(unit);
  c.token_prefix = token->substr(0, kShownPrefix);
  c.issued_at = when;
  c.issued_by = std::string(by);
  {
    Result<CachedStatement> insert = db.Prepare(
        "INSERT INTO credentials (seq, id, role, holder, unit, token_prefix, token_sha256, "
        "issued_at, issued_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!insert.ok()) return insert.status();
    BAIYING_RETURN_IF_ERROR((*insert)->BindAll(seq, c.id, ToString(role), c.holder, c.unit,
                                               c.token_prefix, Sha256Hex(*token), Millis(when),
                                               c.issued_by));
    BAIYING_RETURN_IF_ERROR((*insert)->Run().WithPrefix("credential " + c.id));
  }
  BAIYING_RETURN_IF_ERROR(impl_->WriteAudit(when, by, "issue", c, ""));
  BAIYING_RETURN_IF_ERROR(impl_->Commit(*tx));
  issued.token = std::move(token).value();
  return issued;
}

Result<std::vector<Credential>> CredentialStore::List() {
  Result<std::vector<std::pair<std::string, Credential>>> all = LoadAll(impl_->db);
  if (!all.ok()) return all.status();
  std::vector<Credential> credentials;
  credentials.reserve(all->size());
  for (auto& [digest, credential] : *all)
    credentials.push_back(std::move(credential));
  return credentials;
}

Status CredentialStore::Revoke(std::string_view id, std::string_view by, std::string_view reason,
                               Instant when) {
  BAIYING_RETURN_IF_ERROR(CheckText("by", by, "who revokes the credential"));
  BAIYING_RETURN_IF_ERROR(CheckText("reason", reason, "why the credential is revoked"));
  Database& db = impl_->db;
  Result<Transaction> tx = Transaction::Begin(db);
  if (!tx.ok()) return tx.status();
  Result<std::optional<Credential>> stored = impl_->Find("id", id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return Status::NotFound("no credential '" + std::string(id) + "'");
  const Credential& found = **stored;
  if (found.revoked()) {
    return Status::FailedPrecondition("credential " + found.id + " was already revoked " +
                                      RevocationText(found));
  }
  {
    Result<CachedStatement> update = db.Prepare(
        "UPDATE credentials SET revoked_at = ?2, revoked_by = ?3, revoke_reason = ?4 "
        "WHERE id = ?1");
    if (!update.ok()) return update.status();
    BAIYING_RETURN_IF_ERROR((*update)->BindAll(id, Millis(when), by, reason));
    BAIYING_RETURN_IF_ERROR((*update)->Run().WithPrefix("credential " + found.id));
  }
  BAIYING_RETURN_IF_ERROR(impl_->WriteAudit(when, by, "revoke", found, reason));
  return impl_->Commit(*tx);
}

Result<Credential> CredentialStore::Authenticate(std::string_view token) {
  if (token.empty()) return NoToken();
  Result<std::optional<Credential>> found = impl_->Find("token_sha256", Sha256Hex(token));
  if (!found.ok()) return found.status();
  return Admit(found->has_value() ? &**found : nullptr);
}

Result<std::int64_t> CredentialStore::CountLive(CredentialRole role) {
  Result<CachedStatement> stmt =
      impl_->db.Prepare("SELECT COUNT(*) FROM credentials WHERE role = ?1 AND revoked_at IS NULL");
  if (!stmt.ok()) return stmt.status();
  BAIYING_RETURN_IF_ERROR((*stmt)->BindAll(ToString(role)));
  Result<bool> row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  return (*stmt)->ColumnInt64(0);
}

Result<std::int64_t> CredentialStore::DataVersion() {
  Result<std::int64_t> others = impl_->db.PragmaInt("data_version");
  if (!others.ok()) return others.status();
  // Both only grow, so their sum changes whenever either does.
  return *others + impl_->own_commits;
}

// --- CredentialGate ---

struct CredentialGate::Impl {
  std::mutex mutex;
  std::string path;
  CredentialStore store;
  std::optional<std::int64_t> loaded_version;  // of the table in `by_digest`
  std::unordered_map<std::string, Credential> by_digest;

  Impl(std::string file, CredentialStore opened)
      : path(std::move(file)), store(std::move(opened)) {}

  // Reloads the table when the file has changed since the last load. Holds `mutex`.
  Status Refresh() {
    Result<std::int64_t> version = store.DataVersion();
    if (!version.ok()) return Unreadable(version.status());
    if (loaded_version == *version) return Status::Ok();
    Result<std::vector<std::pair<std::string, Credential>>> all = LoadAll(store.impl_->db);
    if (!all.ok()) return Unreadable(all.status());
    std::unordered_map<std::string, Credential> table;
    table.reserve(all->size());
    for (auto& [digest, credential] : *all)
      table.emplace(std::move(digest), std::move(credential));
    by_digest = std::move(table);
    loaded_version = *version;
    return Status::Ok();
  }

  Status Unreadable(const Status& cause) const {
    return Status::Unavailable("credentials: cannot read " + path + ": " + cause.message());
  }
};

CredentialGate::CredentialGate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CredentialGate::~CredentialGate() = default;

Result<std::unique_ptr<CredentialGate>> CredentialGate::Open(const std::filesystem::path& path) {
  Result<CredentialStore> store =
      CredentialStore::Open(path, CredentialStore::Options{.must_exist = true});
  if (!store.ok()) return store.status();
  auto impl = std::make_unique<Impl>(path.string(), std::move(store).value());
  BAIYING_RETURN_IF_ERROR(impl->Refresh());
  return std::unique_ptr<CredentialGate>(new CredentialGate(std::move(impl)));
}

Result<Credential> CredentialGate::Authenticate(std::string_view token) {
  if (token.empty()) return NoToken();
  const std::string digest = Sha256Hex(token);  // outside the lock: it needs no shared state
  std::lock_guard<std::mutex> lock(impl_->mutex);
  BAIYING_RETURN_IF_ERROR(impl_->Refresh());
  const auto found = impl_->by_digest.find(digest);
  return Admit(found != impl_->by_digest.end() ? &found->second : nullptr);
}

}  // namespace baiying::store
