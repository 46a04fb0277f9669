// Credentials: SHA-256 against the FIPS 180-4 examples, and CredentialStore and
// CredentialGate on real database files (tokens never stored, revocations honoured at once,
// the gate shared by threads).

#include "adapters/store/credentials.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/registry_store.h"
#include "adapters/store/schema.h"
#include "adapters/store/sqlite.h"
#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace baiying::store {
namespace {

using ::baiying::testing::TempDir;
namespace fs = std::filesystem;

Instant At(int hour) {
  using namespace std::chrono;
  return Instant(sys_days(year(2026) / May / 1)) + hours(hour);
}

CredentialStore OpenCredentials(const fs::path& db) {
  Result<CredentialStore> store = CredentialStore::Open(db, CredentialStore::Options{});
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(store).value();
}

IssuedCredential IssueOk(CredentialStore& store, CredentialRole role, std::string holder,
                         std::string unit = "") {
  Result<IssuedCredential> issued = store.Issue(role, holder, unit, "registrar", At(9));
  REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
  return std::move(issued).value();
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The first column of the first row of `sql`, as text, on a connection of its own (the file
// seen from outside the stores).
std::string QueryText(const fs::path& db, const std::string& sql) {
  Result<Database> connection = Database::Open(db, DatabaseOptions{.create = false});
  REQUIRE_MESSAGE(connection.ok(), connection.status().ToString());
  Result<CachedStatement> stmt = connection->Prepare(sql);
  REQUIRE_MESSAGE(stmt.ok(), stmt.status().ToString());
  Result<bool> row = (*stmt)->Step();
  REQUIRE_MESSAGE(row.ok(), row.status().ToString());
  return *row ? (*stmt)->ColumnText(0) : std::string();
}

bool IsToken(const std::string& token) {
  if (token.size() != 35 || token.rfind("by_", 0) != 0) return false;
  for (std::size_t i = 3; i < token.size(); ++i) {
    const char c = token[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

// --- SHA-256: FIPS 180-4 examples (NIST's "Example Algorithm" pages) ---

TEST_CASE("credential sha256: the FIPS 180-4 test vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                  "klmnopqrlmnopqrsmnopqrstnopqrstu") ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  CHECK(Sha256Hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("credential sha256: every length across the padding boundaries agrees with sha256sum") {
  const std::string tool = "/usr/bin/sha256sum";
  if (!fs::exists(tool)) {
    MESSAGE("skipped: " << tool << " is absent");
    return;
  }
  TempDir tmp;
  // Lengths 0..130 cover one and two padding blocks and the 55/56/63/64-byte edges twice.
  for (std::size_t length = 0; length <= 130; ++length) {
    std::string message;
    for (std::size_t i = 0; i < length; ++i)
      message += static_cast<char>((i * 131 + length) % 256);
    const fs::path file = tmp.Write("m" + std::to_string(length), message);
    const testing::CommandResult r = testing::RunCommand(tool, {file.string()});
    REQUIRE(r.exit_code == 0);
    INFO("length " << length);
    CHECK(r.out.substr(0, 64) == Sha256Hex(message));
  }
}

// --- CredentialStore ---

TEST_CASE("credential store: issue, then the token authenticates as its credential") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CredentialStore store = OpenCredentials(db);
  const IssuedCredential officer = IssueOk(store, CredentialRole::kOfficer, "值班员 张伟");
  CHECK(officer.credential.id == "CR-0001");
  CHECK(IsToken(officer.token));
  CHECK(officer.credential.token_prefix == officer.token.substr(0, 8));
  CHECK(officer.credential.issued_at == At(9));
  CHECK(officer.credential.issued_by == "registrar");
  CHECK_FALSE(officer.credential.revoked());

  Result<Credential> who = store.Authenticate(officer.token);
  REQUIRE_MESSAGE(who.ok(), who.status().ToString());
  CHECK(who->id == "CR-0001");
  CHECK(who->role == CredentialRole::kOfficer);
  CHECK(who->holder == "值班员 张伟");
  CHECK(who->unit.empty());

  const IssuedCredential unit =
      IssueOk(store, CredentialRole::kUnit, "定日边防连 通信员", "定日边防连");
  Result<Credential> unit_who = store.Authenticate(unit.token);
  REQUIRE(unit_who.ok());
  CHECK(unit_who->id == "CR-0002");
  CHECK(unit_who->role == CredentialRole::kUnit);
  CHECK(unit_who->unit == "定日边防连");
  CHECK(unit.token != officer.token);

  // A second connection on the same file sees the same credentials.
  CredentialStore again = OpenCredentials(db);
  Result<Credential> seen = again.Authenticate(officer.token);
  REQUIRE(seen.ok());
  CHECK(seen->id == "CR-0001");
}

TEST_CASE("credential store: the token is in neither the database file nor its WAL") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CredentialStore store = OpenCredentials(db);
  std::vector<std::string> tokens;
  for (int i = 0; i < 5; ++i) {
    tokens.push_back(
        IssueOk(store, CredentialRole::kAdmin, "registrar " + std::to_string(i)).token);
  }
  // Read while the store is open (the changes still in the WAL) and after a checkpoint.
  for (int pass = 0; pass < 2; ++pass) {
    const std::string bytes = ReadBytes(db) + ReadBytes(fs::path(db.string() + "-wal"));
    REQUIRE(!bytes.empty());
    for (const std::string& token : tokens) {
      INFO("pass " << pass << ", token " << token.substr(0, 8));
      CHECK(bytes.find(token) == std::string::npos);
      CHECK(bytes.find(token.substr(8)) == std::string::npos);   // nor the part not shown
      CHECK(bytes.find(Sha256Hex(token)) != std::string::npos);  // the digest is what is kept
      CHECK(bytes.find(token.substr(0, 8)) != std::string::npos);
    }
    QueryText(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

TEST_CASE("credential store: wrong, altered and empty tokens are unauthenticated") {
  TempDir tmp;
  CredentialStore store = OpenCredentials(tmp.path() / "registry.db");
  const std::string token = IssueOk(store, CredentialRole::kOfficer, "值班员 李娜").token;

  std::vector<std::string> wrong = {"by_00000000000000000000000000000000", "not a token",
                                    token + "0", token.substr(0, token.size() - 1),
                                    token.substr(0, 8)};
  for (std::size_t i = 0; i < token.size(); i += 5) {  // one character changed, here and there
    std::string altered = token;
    altered[i] = altered[i] == '0' ? '1' : '0';
    wrong.push_back(altered);
  }
  for (const std::string& t : wrong) {
    INFO(t);
    Result<Credential> who = store.Authenticate(t);
    REQUIRE_FALSE(who.ok());
    CHECK(who.status().code() == StatusCode::kUnauthenticated);
    CHECK(who.status().message() == "unknown credential");
  }
  Result<Credential> empty = store.Authenticate("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().code() == StatusCode::kUnauthenticated);
  CHECK(empty.status().message() == "no credential given");
  CHECK(store.Authenticate(token).ok());
}

TEST_CASE("credential store: a revoked credential is refused, naming the revocation only") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CredentialStore store = OpenCredentials(db);
  IssueOk(store, CredentialRole::kOfficer, "值班员 张伟");
  IssueOk(store, CredentialRole::kOfficer, "值班员 李娜");
  const IssuedCredential third = IssueOk(store, CredentialRole::kOfficer, "值班员 王强");
  REQUIRE(store.Revoke("CR-0003", "supervisor", "phone lost", At(12)).ok());

  Result<Credential> who = store.Authenticate(third.token);
  REQUIRE_FALSE(who.ok());
  CHECK(who.status().code() == StatusCode::kUnauthenticated);
  CHECK(who.status().message() ==
        "credential CR-0003 was revoked on 2026-05-01T12:00:00Z by supervisor: phone lost");
  CHECK(who.status().message().find(third.token) == std::string::npos);
  CHECK(who.status().message().find(third.token.substr(3, 5)) == std::string::npos);

  Result<std::vector<Credential>> all = store.List();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  const Credential& revoked = (*all)[2];
  CHECK(revoked.revoked());
  CHECK(*revoked.revoked_at == At(12));
  CHECK(revoked.revoked_by == "supervisor");
  CHECK(revoked.revoke_reason == "phone lost");
  CHECK_FALSE((*all)[0].revoked());

  // Twice: FailedPrecondition, naming the first revocation; nothing changes.
  Status twice = store.Revoke("CR-0003", "someone else", "again", At(13));
  CHECK(twice.code() == StatusCode::kFailedPrecondition);
  CHECK(twice.message().find("already revoked on 2026-05-01T12:00:00Z by supervisor") !=
        std::string::npos);
  Status unknown = store.Revoke("CR-0042", "supervisor", "typo", At(13));
  CHECK(unknown.code() == StatusCode::kNotFound);
  CHECK(unknown.message().find("CR-0042") != std::string::npos);
  CHECK(store.Revoke("CR-0001", "", "why", At(13)).code() == StatusCode::kInvalidArgument);
  Status no_reason = store.Revoke("CR-0001", "supervisor", "", At(13));
  CHECK(no_reason.code() == StatusCode::kInvalidArgument);
  CHECK(no_reason.message().rfind("reason:", 0) == 0);
  CHECK(store.Authenticate(IssueOk(store, CredentialRole::kAdmin, "x").token).ok());
  CHECK(QueryText(db, "SELECT revoked_by FROM credentials WHERE id = 'CR-0003'") == "supervisor");
  CHECK(QueryText(db, "SELECT COUNT(*) FROM credentials WHERE revoked_at IS NOT NULL") == "1");
}

TEST_CASE("credential store: roles and units are checked, ids follow issue order") {
  TempDir tmp;
  CredentialStore store = OpenCredentials(tmp.path() / "registry.db");

  Result<CredentialRole> bad = ParseCredentialRole("operator");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("unit, officer or admin") != std::string::npos);
  for (CredentialRole role :
       {CredentialRole::kUnit, CredentialRole::kOfficer, CredentialRole::kAdmin}) {
    Result<CredentialRole> back = ParseCredentialRole(ToString(role));
    REQUIRE(back.ok());
    CHECK(*back == role);
  }

  struct Case {
    CredentialRole role;
    std::string holder, unit, by, field;
  };
  for (const Case& c : std::vector<Case>{
           {CredentialRole::kUnit, "通信员", "", "registrar", "unit:"},
           {CredentialRole::kOfficer, "值班员", "定日边防连", "registrar", "unit:"},
           {CredentialRole::kAdmin, "管理员", "定日边防连", "registrar", "unit:"},
           {CredentialRole::kOfficer, "", "", "registrar", "holder:"},
           {CredentialRole::kOfficer, "值班员", "", "", "by:"},
           {CredentialRole::kOfficer, "值班员\n张伟", "", "registrar", "holder:"},
       }) {
    INFO(ToString(c.role) << " '" << c.holder << "' '" << c.unit << "' '" << c.by << "'");
    Result<IssuedCredential> issued = store.Issue(c.role, c.holder, c.unit, c.by, At(9));
    REQUIRE_FALSE(issued.ok());
    CHECK(issued.status().code() == StatusCode::kInvalidArgument);
    CHECK(issued.status().message().rfind(c.field, 0) == 0);
  }
  Result<std::vector<Credential>> none = store.List();
  REQUIRE(none.ok());
  CHECK(none->empty());  // no refused issue took an id

  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i)
    ids.push_back(
        IssueOk(store, CredentialRole::kOfficer, "值班员 " + std::to_string(i)).credential.id);
  CHECK(ids.front() == "CR-0001");
  CHECK(ids[9] == "CR-0010");
  CHECK(ids.back() == "CR-0012");
  Result<std::vector<Credential>> all = store.List();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 12);
  for (std::size_t i = 0; i < ids.size(); ++i)
    CHECK((*all)[i].id == ids[i]);

  IssueOk(store, CredentialRole::kUnit, "通信员", "定日边防连");
  REQUIRE(store.Revoke("CR-0002", "supervisor", "left the duty roster", At(10)).ok());
  CHECK(*store.CountLive(CredentialRole::kOfficer) == 11);
  CHECK(*store.CountLive(CredentialRole::kUnit) == 1);
  CHECK(*store.CountLive(CredentialRole::kAdmin) == 0);
}

TEST_CASE("credential store: schema version 2 and the audit rows of issues and revocations") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CHECK(LatestSchemaVersion() == 2);
  CredentialStore store = OpenCredentials(db);
  CHECK(QueryText(db, "PRAGMA user_version") == "2");
  const IssuedCredential issued =
      IssueOk(store, CredentialRole::kUnit, "定日边防连 通信员", "定日边防连");
  REQUIRE(store.Revoke(issued.credential.id, "supervisor", "replaced", At(11)).ok());

  // The registry opens the same file and shows the two changes in its audit.
  Result<RegistryStore> registry = RegistryStore::Open(db);
  REQUIRE(registry.ok());
  Result<std::vector<AuditEntry>> audit = registry->Audit("CR-0001");
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 2);
  CHECK((*audit)[0].action == "issue");
  CHECK((*audit)[0].entity == "credential");
  CHECK((*audit)[0].who == "registrar");
  CHECK((*audit)[0].at == At(9));
  CHECK((*audit)[0].detail.find("定日边防连") != std::string::npos);
  CHECK((*audit)[0].detail.find(issued.token.substr(0, 8)) != std::string::npos);
  CHECK((*audit)[1].action == "revoke");
  CHECK((*audit)[1].who == "supervisor");
  CHECK((*audit)[1].why == "replaced");
  for (const AuditEntry& a : *audit) {
    CHECK(a.detail.find(issued.token) == std::string::npos);
    CHECK(a.detail.find("通信员") == std::string::npos);  // the holder stays out of the audit
  }
}

TEST_CASE("credential store: DataVersion moves with this store's commits and others'") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CredentialStore first = OpenCredentials(db);
  CredentialStore second = OpenCredentials(db);
  const std::int64_t v0 = *first.DataVersion();
  CHECK(*first.DataVersion() == v0);
  IssueOk(first, CredentialRole::kOfficer, "a");
  const std::int64_t v1 = *first.DataVersion();
  CHECK(v1 != v0);
  IssueOk(second, CredentialRole::kOfficer, "b");
  const std::int64_t v2 = *first.DataVersion();
  CHECK(v2 != v1);
  CHECK(*first.DataVersion() == v2);
}

// --- CredentialGate ---

TEST_CASE("credential gate: a revocation through another store counts on the next call") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CredentialStore admin = OpenCredentials(db);
  const IssuedCredential officer = IssueOk(admin, CredentialRole::kOfficer, "值班员 张伟");

  CHECK(CredentialGate::Open(tmp.path() / "missing.db").status().code() == StatusCode::kNotFound);
  Result<std::unique_ptr<CredentialGate>> gate = CredentialGate::Open(db);
  REQUIRE_MESSAGE(gate.ok(), gate.status().ToString());
  Result<Credential> before = (*gate)->Authenticate(officer.token);
  REQUIRE(before.ok());
  CHECK(before->id == "CR-0001");
  CHECK((*gate)->Authenticate("by_nothing").status().code() == StatusCode::kUnauthenticated);
  CHECK((*gate)->Authenticate("").status().message() == "no credential given");

  // Issued after the gate loaded: known on the next call.
  const IssuedCredential later = IssueOk(admin, CredentialRole::kAdmin, "registrar");
  Result<Credential> later_who = (*gate)->Authenticate(later.token);
  REQUIRE(later_who.ok());
  CHECK(later_who->role == CredentialRole::kAdmin);

  // Revoked by another connection, as `baiying credentials revoke` does.
  {
    CredentialStore other = OpenCredentials(db);
    REQUIRE(other.Revoke("CR-0001", "supervisor", "left the unit", At(15)).ok());
  }
  Result<Credential> after = (*gate)->Authenticate(officer.token);
  REQUIRE_FALSE(after.ok());
  CHECK(after.status().code() == StatusCode::kUnauthenticated);
  CHECK(after.status().message() ==
        "credential CR-0001 was revoked on 2026-05-01T15:00:00Z by supervisor: left the unit");
  CHECK((*gate)->Authenticate(later.token).ok());
}

TEST_CASE("credential gate: a file it cannot read makes it unavailable") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CredentialStore admin = OpenCredentials(db);
  const std::string token = IssueOk(admin, CredentialRole::kOfficer, "值班员").token;
  Result<std::unique_ptr<CredentialGate>> gate = CredentialGate::Open(db);
  REQUIRE(gate.ok());
  REQUIRE((*gate)->Authenticate(token).ok());
  QueryText(db, "DROP TABLE credentials");  // a hand edit that leaves nothing to read
  Result<Credential> who = (*gate)->Authenticate(token);
  REQUIRE_FALSE(who.ok());
  CHECK(who.status().code() == StatusCode::kUnavailable);
  CHECK(who.status().message().find(db.string()) != std::string::npos);
}

TEST_CASE("credential gate: four threads at once get the right answers") {
  TempDir tmp;
  const fs::path db = tmp.path() / "registry.db";
  CredentialStore admin = OpenCredentials(db);
  std::vector<IssuedCredential> issued;
  for (int i = 0; i < 8; ++i) {
    issued.push_back(IssueOk(admin, i % 2 == 0 ? CredentialRole::kOfficer : CredentialRole::kAdmin,
                             "holder " + std::to_string(i)));
  }
  REQUIRE(admin.Revoke("CR-0008", "supervisor", "revoked before the start", At(10)).ok());
  Result<std::unique_ptr<CredentialGate>> opened = CredentialGate::Open(db);
  REQUIRE(opened.ok());
  CredentialGate& gate = **opened;

  std::atomic<int> wrong{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 300; ++round) {
        const std::size_t i = static_cast<std::size_t>(round + t) % issued.size();
        Result<Credential> who = gate.Authenticate(issued[i].token);
        // CR-0007 is revoked while the threads run; it may answer either way until then.
        if (issued[i].credential.id == "CR-0007") {
          if (who.ok() && who->id != "CR-0007") ++wrong;
        } else if (issued[i].credential.id == "CR-0008") {
          if (who.ok() || who.status().message().find("CR-0008 was revoked") == std::string::npos)
            ++wrong;
        } else if (!who.ok() || who->id != issued[i].credential.id ||
                   who->holder != issued[i].credential.holder) {
          ++wrong;
        }
        if (gate.Authenticate("by_" + std::to_string(round)).ok()) ++wrong;
        ++answered;
      }
    });
  }
  // Changes land while the threads read: the gate reloads under them.
  for (int i = 0; i < 5; ++i)
    IssueOk(admin, CredentialRole::kOfficer, "late " + std::to_string(i));
  REQUIRE(admin.Revoke("CR-0007", "supervisor", "revoked during the run", At(11)).ok());
  for (std::thread& th : threads)
    th.join();
  CHECK(wrong.load() == 0);
  CHECK(answered.load() == 1200);
  CHECK(gate.Authenticate(issued[6].token).status().message().find("CR-0007 was revoked") !=
        std::string::npos);
}

}  // namespace baiying::store
