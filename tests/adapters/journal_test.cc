// The command journal: the codec of every command kind, appends and reads, durability across
// a killed writer, damaged rows, a journal that cannot be written, and recovery by replay.

#include "adapters/store/journal.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "adapters/store/command_codec.h"
#include "adapters/store/recovery.h"
#include "adapters/store/registry_store.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/roads/ch_index.h"
#include "engine/dispatch/events.h"
#include "tests/support/dispatch_fixture.h"
#include "tests/support/files.h"
#include "tests/support/graph_oracle.h"

namespace baiying::store {
namespace {

namespace fs = std::filesystem;
using ::baiying::testing::MakeRegistry;
using ::baiying::testing::Minutes;
using ::baiying::testing::Places;
using ::baiying::testing::RandomTeam;
using ::baiying::testing::Road;
using ::baiying::testing::Snapshot;
using ::baiying::testing::TeamSpec;
using ::baiying::testing::TempDir;

// --- Commands ---

SubmitRequest FullRequest(std::string id) {
  SubmitRequest s;
  s.request_id = std::move(id);
  s.unit = "定日县人武部";
  s.place = PlaceId(7);
  s.lat = 28.66;
  s.lon = -0.0;
  s.priority = Priority::kFlash;
  s.mode = Mode::kWartime;
  s.deadline = Instant(Duration(-86'400'000));  // before 1970: signed instants survive
  s.lines = {{"medical", 2}, {"transport", std::numeric_limits<std::uint32_t>::max()}};
  return s;
}

// One command of every kind, with no field left at its default.
std::vector<TimedCommand> EveryKind() {
  SubmitRequest by_position = FullRequest("R2");
  by_position.place.reset();
  by_position.lat = std::numeric_limits<double>::quiet_NaN();
  by_position.lines.clear();
  std::vector<TimedCommand> all = {
      {Minutes(1), FullRequest("R1")},
      {Minutes(2), SubmitBatch{{FullRequest("B1"), by_position, FullRequest("")}}},
      {Minutes(3), CancelRequest{"R1", std::string("with\0nul", 8)}},
      {Minutes(4), AcknowledgeAssignment{"R1", "TM-LS-MED-01"}},
      {Minutes(5), DeclineAssignment{"R1", "TM-2", "车辆故障"}},
      {Minutes(6), ReportEnRoute{"TM-3"}},
      {Minutes(7), ReportOnScene{"TM-4"}},
      {Minutes(8), ReleaseTeam{"TM-5", true}},
      {Minutes(9), SetTeamOnDuty{"TM-6", false}},
      {Minutes(10), SetTeamSuspended{"TM-7", true, "vetting lapsed"}},
      {Minutes(11), CloseRoad{PlaceId(3), PlaceId(4), "landslide 滑坡"}},
      {Minutes(12), ReopenRoad{PlaceId(4), PlaceId(3)}},
      {Instant(Duration(std::numeric_limits<std::int64_t>::max())), AdvanceTime{}},
  };
  return all;
}

// Commands whose content says their place in the journal: the i-th (from 1) cancels "R<i>".
TimedCommand Numbered(std::uint64_t i) {
  return {Minutes(static_cast<std::int64_t>(i)),
          CancelRequest{"R" + std::to_string(i), "numbered"}};
}

std::vector<TimedCommand> NumberedRange(std::uint64_t first, std::uint64_t count) {
  std::vector<TimedCommand> out;
  for (std::uint64_t i = first; i < first + count; ++i)
    out.push_back(Numbered(i));
  return out;
}

// Equal commands have equal encodings (the codec is deterministic and keeps every field).
std::vector<std::string> Encoded(const std::vector<TimedCommand>& commands) {
  std::vector<std::string> out;
  for (const TimedCommand& c : commands)
    out.push_back(EncodeCommand(c));
  return out;
}

Journal MustOpen(const fs::path& path, const JournalOptions& options = {}) {
  Result<Journal> journal = Journal::Open(path, options);
  REQUIRE_MESSAGE(journal.ok(), journal.status().ToString());
  return std::move(journal).value();
}

std::vector<TimedCommand> MustReadAll(const Journal& journal) {
  Result<std::vector<TimedCommand>> all = journal.ReadAll();
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  return std::move(all).value();
}

// --- Direct SQLite access, to damage or lock the file from outside the journal ---

class RawDb {
 public:
  explicit RawDb(const fs::path& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    const std::string error = message != nullptr ? message : "";
    sqlite3_free(message);
    REQUIRE_MESSAGE(rc == SQLITE_OK, (sql + ": " + error));
  }

  std::string Body(int seq) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, "SELECT body FROM journal WHERE seq = ?1", -1, &stmt,
                               nullptr) == SQLITE_OK);
    sqlite3_bind_int(stmt, 1, seq);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
    std::string body(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
    sqlite3_finalize(stmt);
    return body;
  }

  void SetBody(int seq, const std::string& body) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, "UPDATE journal SET body = ?1 WHERE seq = ?2", -1, &stmt,
                               nullptr) == SQLITE_OK);
    sqlite3_bind_blob(stmt, 1, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 2, seq);
    REQUIRE(sqlite3_step(stmt) == SQLITE_DONE);
    sqlite3_finalize(stmt);
  }

 private:
  sqlite3* db_ = nullptr;
};

// ====================================================================================
// The codec
// ====================================================================================

TEST_CASE("journal codec: every command kind round-trips, deterministically") {
  const std::vector<TimedCommand> all = EveryKind();
  std::set<CommandTag> tags;
  for (const TimedCommand& c : all) {
    tags.insert(TagOf(c.command));
    const std::string bytes = EncodeCommand(c);
    CHECK(EncodeCommand(c) == bytes);
    Result<TimedCommand> back = DecodeCommand(bytes);
    REQUIRE_MESSAGE(back.ok(), CommandKind(c.command), ": ", back.status().ToString());
    CHECK(back->at == c.at);
    CHECK(back->command.index() == c.command.index());
    CHECK_MESSAGE(EncodeCommand(*back) == bytes, CommandKind(c.command));
  }
  CHECK(tags.size() == std::variant_size_v<Command>);

  // Field by field for the widest command, where a re-encoding could hide a symmetric slip.
  Result<TimedCommand> batch = DecodeCommand(EncodeCommand(all[1]));
  REQUIRE(batch.ok());
  const auto& requests = std::get<SubmitBatch>(batch->command).requests;
  REQUIRE(requests.size() == 3);
  const SubmitRequest& full = requests[0];
  CHECK(full.request_id == "B1");
  CHECK(full.unit == "定日县人武部");
  CHECK(full.place == PlaceId(7));
  CHECK(full.lat == 28.66);
  CHECK(std::signbit(*full.lon));
  CHECK(full.priority == Priority::kFlash);
  CHECK(full.mode == Mode::kWartime);
  CHECK(full.deadline == Instant(Duration(-86'400'000)));
  REQUIRE(full.lines.size() == 2);
  CHECK(full.lines[1].specialty == "transport");
  CHECK(full.lines[1].quantity == std::numeric_limits<std::uint32_t>::max());
  CHECK_FALSE(requests[1].place.has_value());
  CHECK(std::isnan(*requests[1].lat));
  CHECK(requests[1].lines.empty());
  CHECK(requests[2].request_id.empty());
  Result<TimedCommand> cancel = DecodeCommand(EncodeCommand(all[2]));
  REQUIRE(cancel.ok());
  CHECK(std::get<CancelRequest>(cancel->command).reason == std::string("with\0nul", 8));
}

TEST_CASE("journal codec: damaged bytes are refused, naming the byte and the field") {
  const std::string bytes = EncodeCommand(EveryKind()[1]);
  // Every truncation and every flipped bit fails cleanly (the checksum, or the fields).
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_FALSE(DecodeCommand(bytes.substr(0, n)).ok());
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; bit += 3) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      CHECK_FALSE(DecodeCommand(damaged).ok());
    }
  }
  std::string flipped = bytes;
  flipped[5] = static_cast<char>(flipped[5] ^ 0x10);
  CHECK(DecodeCommand(flipped).status().message().find("checksum mismatch") != std::string::npos);

  // Bytes with a good checksum but bad contents: the messages a person reads.
  const auto message = [](auto&& write) {
    FieldWriter w;
    write(w);
    Result<TimedCommand> decoded = DecodeCommand(w.Finish());
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
    return decoded.status().message();
  };
  CHECK(message([](FieldWriter& w) { w.Byte(9); }) ==
        "byte 0: codec version 9 is not one this build reads (it reads 1)");
  CHECK(message([](FieldWriter& w) {
          w.Byte(1);
          w.Byte(99);
        }) == "byte 1: unknown command tag 99");
  const auto header = [](FieldWriter& w, CommandTag tag) {
    w.Byte(kCommandCodecVersion);
    w.Byte(static_cast<std::uint8_t>(tag));
    w.Int(0);
  };
  CHECK(message([&](FieldWriter& w) {
          header(w, CommandTag::kReleaseTeam);
          w.String("T1");
          w.Byte(2);
        }) == "byte 6, field 'return_home': a flag must be 0 or 1, not 2");
  CHECK(message([&](FieldWriter& w) {
          header(w, CommandTag::kCancelRequest);
          w.Uint(40);
          w.String("short");
        }) == "byte 3, field 'request_id': length 40 runs past the end (6 bytes left)");
  CHECK(message([&](FieldWriter& w) {
          header(w, CommandTag::kReopenRoad);
          w.Uint(std::uint64_t{1} << 32);
          w.Uint(1);
        }) == "byte 3, field 'from': 4294967296 does not fit in 32 bits");
  CHECK(message([&](FieldWriter& w) {
          header(w, CommandTag::kReportEnRoute);
          w.String("T1");
          w.Byte(0);
        }) == "byte 6: 1 bytes left over after the last field");
  CHECK(message([&](FieldWriter& w) {
          header(w, CommandTag::kSubmitBatch);
          w.Uint(1'000'000);
        }) == "byte 3, field 'requests': count 1000000 exceeds the 0 bytes left");
  CHECK(message([&](FieldWriter& w) {
          header(w, CommandTag::kCancelRequest);
          w.Byte(0x81);  // 1, padded to two bytes
          w.Byte(0x00);
        }) == "byte 3, field 'request_id': varint is not in its shortest form");
  // A field of a request inside a batch is named by its path.
  CHECK(message([&](FieldWriter& w) {
          header(w, CommandTag::kSubmitBatch);
          w.Uint(1);
          w.String("R1");
          w.String("unit");
          w.Bool(false);
          w.Bool(false);
          w.Bool(false);
          w.Byte(7);
        }) == "byte 15, field 'requests[0].priority': unknown value 7");
  CHECK(DecodeCommand("").status().message() == "0 bytes, too short to hold a checksum");
}

// ====================================================================================
// Appending and reading
// ====================================================================================

TEST_CASE("journal: batches read back in order, and a reopened journal keeps them") {
  TempDir dir;
  const fs::path path = dir.path() / "journal.db";
  std::vector<TimedCommand> expected;
  {
    Journal journal = MustOpen(path);
    CHECK(journal.size() == 0);
    CHECK(MustReadAll(journal).empty());
    std::uint64_t next = 1;
    for (std::uint64_t batch : {1, 5, 1, 64, 3}) {
      const std::vector<TimedCommand> commands = NumberedRange(next, batch);
      Result<std::uint64_t> last = journal.Append(commands);
      REQUIRE_MESSAGE(last.ok(), last.status().ToString());
      next += batch;
      CHECK(*last == next - 1);
      CHECK(journal.size() == next - 1);
      expected.insert(expected.end(), commands.begin(), commands.end());
    }
    const std::vector<TimedCommand> kinds = EveryKind();
    REQUIRE(journal.Append(kinds).ok());
    expected.insert(expected.end(), kinds.begin(), kinds.end());
    // Nothing to write: no transaction, the same size.
    Result<std::uint64_t> none = journal.Append({});
    REQUIRE(none.ok());
    CHECK(*none == expected.size());
    CHECK(Encoded(MustReadAll(journal)) == Encoded(expected));
  }
  Journal reopened = MustOpen(path, {.must_exist = true});
  CHECK(reopened.size() == expected.size());
  CHECK(Encoded(MustReadAll(reopened)) == Encoded(expected));
  REQUIRE(reopened.Append(NumberedRange(1, 1)).ok());
  CHECK(reopened.size() == expected.size() + 1);

  // The columns beside the body say what it holds, for people with sqlite3.
  RawDb raw(path);
  CHECK(std::get<CancelRequest>(DecodeCommand(raw.Body(3))->command).request_id == "R3");
}

TEST_CASE("journal: opening refuses what is not a journal") {
  TempDir dir;
  Result<Journal> missing = Journal::Open(dir.path() / "none.db", {.must_exist = true});
  CHECK(missing.status().code() == StatusCode::kNotFound);

  const fs::path registry = dir.path() / "registry.db";
  REQUIRE(RegistryStore::Open(registry).ok());
  Result<Journal> wrong = Journal::Open(registry);
  CHECK(wrong.status().code() == StatusCode::kFailedPrecondition);
  CHECK(wrong.status().message().find("not a baiying journal") != std::string::npos);

  const fs::path text = dir.Write("notes.db", "not a database, just some text that is long enough");
  CHECK(Journal::Open(text).status().code() == StatusCode::kInvalidArgument);

  const fs::path newer = dir.path() / "newer.db";
  MustOpen(newer);
  RawDb(newer).Exec("PRAGMA user_version = 99");
  Result<Journal> future = Journal::Open(newer);
  CHECK(future.status().code() == StatusCode::kFailedPrecondition);
  CHECK(future.status().message().find("newer than this build") != std::string::npos);
}

// ====================================================================================
// Crashes
// ====================================================================================

// In a child process: appends batches of numbered commands to `path` for ever, writing the
// returned seq to `ack_fd` after each one, as a server would acknowledge. Never returns.
[[noreturn]] void AppendForever(const fs::path& path, int ack_fd, std::uint32_t seed) {
  Result<Journal> journal = Journal::Open(path);
  if (!journal.ok()) _exit(2);
  std::mt19937 rng(seed);
  while (true) {
    const std::uint64_t count = std::uniform_int_distribution<std::uint64_t>(1, 12)(rng);
    Result<std::uint64_t> last = journal->Append(NumberedRange(journal->size() + 1, count));
    if (!last.ok()) _exit(3);
    const std::uint64_t acked = *last;
    if (write(ack_fd, &acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) _exit(4);
  }
}

TEST_CASE("journal: a writer killed at random keeps every append that returned OK") {
  TempDir dir;
  const fs::path path = dir.path() / "journal.db";
  std::mt19937 rng(20260501);
  std::uint64_t acked = 0;
  for (std::uint32_t round = 0; round < 6; ++round) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      AppendForever(path, fds[1], round);
    }
    close(fds[1]);
    const std::uint64_t wait_for = std::uniform_int_distribution<std::uint64_t>(1, 25)(rng);
    std::uint64_t seen = 0, value = 0;
    while (seen < wait_for && read(fds[0], &value, sizeof value) == sizeof value) {
      acked = std::max(acked, value);
      ++seen;
    }
    // SIGKILL: no destructor, no checkpoint, perhaps in the middle of a transaction.
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    // Acknowledgements written before the kill count as well.
    while (read(fds[0], &value, sizeof value) == sizeof value)
      acked = std::max(acked, value);
    close(fds[0]);
    REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                    "the writer ended on its own, status ", status);

    Journal journal = MustOpen(path);
    const std::vector<TimedCommand> all = MustReadAll(journal);
    INFO("round ", round, ": acknowledged ", acked, ", found ", all.size());
    CHECK(all.size() >= acked);
    CHECK(journal.size() == all.size());
    CHECK(Encoded(all) == Encoded(NumberedRange(1, all.size())));
    acked = all.size();  // what is there now is the base of the next round
  }
  CHECK(acked > 0);
}

TEST_CASE("journal: a copy of the files taken while it is open holds every append") {
  // What a crash leaves on disk: the database and its -wal, never checkpointed or closed.
  TempDir dir, copy;
  const fs::path path = dir.path() / "journal.db";
  Journal journal = MustOpen(path);
  for (std::uint64_t i = 0; i < 10; ++i)
    REQUIRE(journal.Append(NumberedRange(journal.size() + 1, i + 1)).ok());
  REQUIRE(fs::exists(path.string() + "-wal"));
  fs::copy_file(path, copy.path() / "journal.db");
  fs::copy_file(path.string() + "-wal", copy.path() / "journal.db-wal");
  Journal copied = MustOpen(copy.path() / "journal.db", {.must_exist = true});
  CHECK(copied.size() == 55);
  CHECK(Encoded(MustReadAll(copied)) == Encoded(NumberedRange(1, 55)));
}

// ====================================================================================
// Damage
// ====================================================================================

TEST_CASE("journal: damaged rows give errors naming the seq") {
  TempDir dir;
  const fs::path path = dir.path() / "journal.db";
  {
    Journal journal = MustOpen(path);
    REQUIRE(journal.Append(NumberedRange(1, 5)).ok());
  }
  const auto error = [&path]() {
    Journal journal = MustOpen(path);
    Result<std::vector<TimedCommand>> all = journal.ReadAll();
    REQUIRE_FALSE(all.ok());
    CHECK(all.status().code() == StatusCode::kInvalidArgument);
    return all.status().message();
  };
  const std::string where = "journal " + path.string() + ": ";
  RawDb raw(path);
  const std::string good = raw.Body(3);

  SUBCASE("a flipped byte in a body") {
    std::string damaged = good;
    damaged[4] = static_cast<char>(damaged[4] ^ 0x01);
    raw.SetBody(3, damaged);
    CHECK(error().starts_with(where + "seq 3 (kind 'cancel'): body: checksum mismatch"));
  }
  SUBCASE("a body cut short") {
    raw.SetBody(3, good.substr(0, 2));
    CHECK(error() == where + "seq 3 (kind 'cancel'): body: 2 bytes, too short to hold a checksum");
  }
  SUBCASE("a kind that disagrees with the body") {
    raw.Exec("UPDATE journal SET kind = 'release' WHERE seq = 3");
    CHECK(error() == where + "seq 3 (kind 'release'): the body holds a 'cancel' command");
  }
  SUBCASE("an instant that disagrees with the body") {
    raw.Exec("UPDATE journal SET at_ms = 0 WHERE seq = 4");
    CHECK(error().starts_with(where + "seq 4 (kind 'cancel'): column at_ms is 0 but the body"));
  }
  SUBCASE("a missing row") {
    raw.Exec("DELETE FROM journal WHERE seq = 2");
    CHECK(error() == where + "seq 3 where 2 was expected: commands are missing");
  }
  SUBCASE("recovery stops at the damage and names it") {
    raw.SetBody(5, good);  // a well-formed body of another row: at_ms disagrees
    const RoadGraph graph = testing::MustBuild(testing::NumberedPlaces(2), {});
    Journal journal = MustOpen(path);
    Result<Dispatcher> recovered = Recover(graph, MakeRegistry({}), {}, journal);
    REQUIRE_FALSE(recovered.ok());
    CHECK(recovered.status().message().starts_with("recovery: " + where + "seq 5 "));
  }
}

// ====================================================================================
// A journal that cannot be written
// ====================================================================================

// The journal holds exactly `expected` (nothing of a failed append) and takes more afterwards.
void CheckIntactAndWritable(const fs::path& path, std::uint64_t expected) {
  Journal journal = MustOpen(path);
  CHECK(journal.size() == expected);
  CHECK(Encoded(MustReadAll(journal)) == Encoded(NumberedRange(1, expected)));
  Result<std::uint64_t> more = journal.Append(NumberedRange(expected + 1, 2));
  REQUIRE_MESSAGE(more.ok(), more.status().ToString());
  CHECK(*more == expected + 2);
}

TEST_CASE("journal: Unavailable when the journal cannot be written, and nothing half-written") {
  TempDir dir;
  const fs::path path = dir.path() / "journal.db";

  SUBCASE("a full disk (simulated by max_file_bytes: SQLITE_FULL, as ENOSPC gives)") {
    std::uint64_t written = 0;
    {
      Journal journal = MustOpen(path, {.max_file_bytes = 64 * 1024});
      Status failed;
      // Batches of 50 large commands; one of them meets the limit part way through.
      for (int i = 0; i < 100 && failed.ok(); ++i) {
        std::vector<TimedCommand> batch;
        for (std::uint64_t k = written + 1; k <= written + 50; ++k) {
          batch.push_back(Numbered(k));
          std::get<CancelRequest>(batch.back().command).reason = std::string(200, 'x');
        }
        Result<std::uint64_t> last = journal.Append(batch);
        if (last.ok()) {
          written = *last;
        } else {
          failed = last.status();
        }
      }
      REQUIRE_FALSE(failed.ok());
      CHECK(failed.code() == StatusCode::kUnavailable);
      CHECK(failed.message().find("cannot append 50 commands") != std::string::npos);
      CHECK(failed.message().find("full") != std::string::npos);
      CHECK(journal.size() == written);
      CHECK(MustReadAll(journal).size() == written);
      CHECK(written > 0);
    }
    // Room again (no limit): everything before is there, nothing of the failed batches.
    Journal check = MustOpen(path);
    std::vector<TimedCommand> all = MustReadAll(check);
    CHECK(all.size() == written);
    for (std::uint64_t i = 0; i < all.size(); ++i) {
      CHECK(std::get<CancelRequest>(all[i].command).request_id == "R" + std::to_string(i + 1));
    }
    Result<std::uint64_t> more = check.Append(NumberedRange(written + 1, 2));
    REQUIRE(more.ok());
    CHECK(*more == written + 2);
  }

  SUBCASE("another writer holds the lock") {
    {
      Journal journal = MustOpen(path);
      REQUIRE(journal.Append(NumberedRange(1, 3)).ok());
    }
    Journal journal = MustOpen(path, {.busy_timeout_ms = 50});
    {
      RawDb other(path);
      other.Exec("BEGIN IMMEDIATE");
      Result<std::uint64_t> blocked = journal.Append(NumberedRange(4, 5));
      CHECK(blocked.status().code() == StatusCode::kUnavailable);
      CHECK(blocked.status().message().find("locked") != std::string::npos);
      CHECK(journal.size() == 3);
      other.Exec("ROLLBACK");
    }
    Result<std::uint64_t> after = journal.Append(NumberedRange(4, 5));
    REQUIRE_MESSAGE(after.ok(), after.status().ToString());
    CHECK(*after == 8);
    CheckIntactAndWritable(path, 8);
  }

  SUBCASE("a read-only file (skipped as root, where permissions do not stop writes)") {
    {
      Journal journal = MustOpen(path);
      REQUIRE(journal.Append(NumberedRange(1, 3)).ok());
    }
    if (geteuid() == 0) {
      MESSAGE(
          "running as root: chmod does not stop writes; the full-disk and lock cases cover "
          "Unavailable");
      return;
    }
    fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    {
      Result<Journal> journal = Journal::Open(path);
      if (journal.ok()) {
        Result<std::uint64_t> denied = journal->Append(NumberedRange(4, 2));
        CHECK(denied.status().code() == StatusCode::kUnavailable);
        CHECK(journal->size() == 3);
      } else {
        CHECK(journal.status().code() == StatusCode::kUnavailable);
      }
    }
    // SQLite made the -wal and -shm it needed with the file's (read-only) mode: all three
    // need write permission again before the journal can take appends.
    for (const char* suffix : {"", "-wal", "-shm"}) {
      const fs::path file = path.string() + suffix;
      if (fs::exists(file)) fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    }
    CheckIntactAndWritable(path, 3);
  }

  SUBCASE("a directory that is gone") {
    const fs::path gone = dir.path() / "gone";
    fs::create_directory(gone);
    fs::remove(gone);
    Result<Journal> journal = Journal::Open(gone / "journal.db");
    CHECK(journal.status().code() == StatusCode::kUnavailable);
  }
}

// ====================================================================================
// Recovery
// ====================================================================================

std::string Describe(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events)
    out += baiying::Describe(e) + "\n";
  return out;
}

// A random small world and a random stream of commands, some of them refused.
class RecoveryRun {
 public:
  explicit RecoveryRun(std::uint32_t seed) : rng_(seed) {
    const std::uint32_t n = Pick(3, 8);
    std::vector<PlaceSpec> places = Places(n);
    std::vector<ArcSpec> arcs;
    for (std::uint32_t i = 1; i < n; ++i) {
      const std::uint32_t j = Pick(0, i - 1);
      Road(arcs, i, j, Pick(1, 60));
      roads_.push_back({i, j});
    }
    graph_ = std::make_unique<RoadGraph>(testing::MustBuild(std::move(places), arcs));
    std::vector<TeamSpec> teams;
    for (std::uint32_t i = 0, count = Pick(2, 8); i < count; ++i)
      teams.push_back(RandomTeam(rng_, i, n));
    registry_ = MakeRegistry(teams);
  }

  std::uint32_t Pick(std::uint32_t lo, std::uint32_t hi) { return testing::Pick(rng_, lo, hi); }

  std::string TeamCode() { return "T" + std::to_string(Pick(0, 9)); }  // some unknown

  std::string SomeRequest() {
    if (ids_.empty() || Pick(0, 9) == 0) return "R" + std::to_string(Pick(0, 40));
    return ids_[Pick(0, static_cast<std::uint32_t>(ids_.size()) - 1)];
  }

  // A team on an assignment and its request, or a random pair.
  std::pair<std::string, std::string> SomeAssignment(const Dispatcher& d) {
    std::vector<std::pair<std::string, std::string>> all;
    for (const RequestState* r : d.OpenRequests()) {
      for (const Assignment& a : r->assignments)
        all.push_back({r->id, a.team});
    }
    if (all.empty() || Pick(0, 9) == 0) return {SomeRequest(), TeamCode()};
    return all[Pick(0, static_cast<std::uint32_t>(all.size()) - 1)];
  }

  SubmitRequest NewRequest(const Dispatcher& d) {
    SubmitRequest s = testing::Request(
        "R" + std::to_string(next_request_++),
        PlaceId(Pick(0, static_cast<std::uint32_t>(graph_->place_count()) - 1)),
        {{Pick(0, 1) == 0 ? "medical" : "transport", Pick(1, 4)}},
        static_cast<Priority>(Pick(0, 3)), d.now() + std::chrono::minutes(Pick(10, 240)));
    if (Pick(0, 2) == 0) s.lines.push_back({"transport", Pick(1, 3)});
    ids_.push_back(s.request_id);
    return s;
  }

  Command Next(const Dispatcher& d) {
    const std::uint32_t kind = Pick(0, 99);
    if (kind < 25) return NewRequest(d);
    if (kind < 30) {
      SubmitBatch batch;
      for (std::uint32_t k = Pick(2, 4); k > 0; --k)
        batch.requests.push_back(NewRequest(d));
      return batch;
    }
    if (kind < 44) {
      auto [request, team] = SomeAssignment(d);
      return AcknowledgeAssignment{request, team};
    }
    if (kind < 52) {
      auto [request, team] = SomeAssignment(d);
      return DeclineAssignment{request, team, "busy"};
    }
    if (kind < 60) return ReportEnRoute{SomeAssignment(d).second};
    if (kind < 68) return ReportOnScene{SomeAssignment(d).second};
    if (kind < 76) return ReleaseTeam{SomeAssignment(d).second, Pick(0, 1) == 0};
    if (kind < 80) return CancelRequest{SomeRequest(), "stood down"};
    if (kind < 85 && !roads_.empty()) {
      const auto& road = roads_[Pick(0, static_cast<std::uint32_t>(roads_.size()) - 1)];
      return CloseRoad{PlaceId(road.first), PlaceId(road.second), "snow"};
    }
    if (kind < 90 && !roads_.empty()) {
      const auto& road = roads_[Pick(0, static_cast<std::uint32_t>(roads_.size()) - 1)];
      return ReopenRoad{PlaceId(road.second), PlaceId(road.first)};
    }
    if (kind < 93) return SetTeamOnDuty{TeamCode(), Pick(0, 1) == 0};
    if (kind < 96) return SetTeamSuspended{TeamCode(), Pick(0, 1) == 0, "review"};
    return AdvanceTime{};
  }

  // Runs the stream on a live dispatcher, journaling accepted commands in group commits of
  // random size, then recovers from the reopened journal and compares. Returns the questions
  // the road index answered in a second recovery with it.
  std::uint64_t Run(const fs::path& path) {
    Result<Dispatcher> live = Dispatcher::Create(*graph_, registry_);
    REQUIRE(live.ok());
    std::vector<TimedCommand> pending;
    std::uint64_t accepted = 0, refused = 0;
    {
      Journal journal = MustOpen(path);
      std::int64_t minute = 0;
      for (std::uint32_t step = 0, steps = Pick(30, 90); step < steps; ++step) {
        minute += Pick(0, 3) == 0 ? 0 : Pick(1, 20);
        // Now and then time runs backwards: refused, and never journaled.
        const std::int64_t at = Pick(0, 24) == 0 ? minute - 5 : minute;
        const TimedCommand command{Minutes(at), Next(*live)};
        if (!live->Apply(command).ok()) {
          ++refused;
          continue;
        }
        ++accepted;
        pending.push_back(command);
        if (pending.size() >= Pick(1, 6)) {
          REQUIRE(journal.Append(pending).ok());
          pending.clear();
        }
      }
      REQUIRE(journal.Append(pending).ok());
      CHECK(journal.size() == accepted);
    }
    CHECK(refused > 0);

    Journal journal = MustOpen(path, {.must_exist = true});
    RecoveryReport report;
    Result<Dispatcher> recovered = Recover(*graph_, registry_, {}, journal, &report);
    REQUIRE_MESSAGE(recovered.ok(), recovered.status().ToString());
    CHECK(report.applied == accepted);
    CHECK(report.skipped == 0);
    CHECK(Snapshot(*recovered, ids_) == Snapshot(*live, ids_));
    // Replayed with the road index (while it fits the closures replayed): the same state.
    Result<ChIndex> index = ChIndex::Build(*graph_);
    REQUIRE(index.ok());
    Result<Dispatcher> indexed = Recover(*graph_, registry_, {}, journal, nullptr,
                                         std::make_shared<const ChIndex>(std::move(index).value()));
    REQUIRE_MESSAGE(indexed.ok(), indexed.status().ToString());
    CHECK(Snapshot(*indexed, ids_) == Snapshot(*live, ids_));
    const std::uint64_t index_answers = indexed->index_answers();

    // What comes next is answered the same by both.
    const Instant later = live->now() + std::chrono::minutes(5);
    const SubmitRequest probe = NewRequest(*live);
    for (const Command& c :
         {Command(probe), Command(AdvanceTime{}), Command(ReleaseTeam{"T0", true})}) {
      Result<std::vector<Event>> a = live->Apply({later, c});
      Result<std::vector<Event>> b = recovered->Apply({later, c});
      REQUIRE(a.ok() == b.ok());
      if (a.ok()) CHECK(Describe(*a) == Describe(*b));
    }
    CHECK(Snapshot(*recovered, ids_) == Snapshot(*live, ids_));
    return index_answers;
  }

 private:
  std::mt19937 rng_;
  std::unique_ptr<RoadGraph> graph_;
  std::shared_ptr<const Registry> registry_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> roads_;
  std::vector<std::string> ids_;
  std::uint32_t next_request_ = 0;
};

TEST_CASE("recover: a random stream journaled as it is accepted is recovered to the same state") {
  std::uint64_t index_answers = 0;
  for (std::uint32_t seed = 1; seed <= 25; ++seed) {
    CAPTURE(seed);
    TempDir dir;
    RecoveryRun run(seed);
    index_answers += run.Run(dir.path() / "journal.db");
  }
  // Streams that close a road before their first request replay on the exact search only.
  CHECK(index_answers > 25);
}

TEST_CASE("recover: refused commands in the journal are skipped, as they were at first") {
  TempDir dir;
  const RoadGraph graph = testing::MustBuild(
      Places(2), {testing::FixedArc(0, 1, 600'000), testing::FixedArc(1, 0, 600'000)});
  const auto registry = MakeRegistry({{.code = "T1", .home = "p1", .specialty = "medical"}});
  const std::vector<TimedCommand> commands = {
      {Minutes(0), testing::Request("R1", PlaceId(0), {{"medical", 1}})},
      {Minutes(1), AcknowledgeAssignment{"R1", "T9"}},  // no such team: refused
      {Minutes(2), AcknowledgeAssignment{"R1", "T1"}},
      {Minutes(1), AdvanceTime{}},  // time going back: refused
  };
  Journal journal = MustOpen(dir.path() / "journal.db");
  REQUIRE(journal.Append(commands).ok());
  RecoveryReport report;
  Result<Dispatcher> recovered = Recover(graph, registry, {}, journal, &report);
  REQUIRE_MESSAGE(recovered.ok(), recovered.status().ToString());
  CHECK(report.applied == 2);
  CHECK(report.skipped == 2);
  CHECK(recovered->now() == Minutes(2));
  const RequestState* r1 = recovered->FindRequest("R1");
  REQUIRE(r1 != nullptr);
  REQUIRE(r1->assignments.size() == 1);
  CHECK(r1->assignments[0].activity == TeamActivity::kAcknowledged);

  // An empty journal gives a fresh dispatcher.
  Journal empty = MustOpen(dir.path() / "empty.db");
  Result<Dispatcher> fresh = Recover(graph, registry, {}, empty);
  REQUIRE(fresh.ok());
  CHECK(fresh->OpenRequests().empty());
}

}  // namespace
}  // namespace baiying::store
