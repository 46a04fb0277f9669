// `baiying serve` as a process, the way a duty post runs it: the first-credential hint, a
// token issued and revoked by `baiying credentials` while it serves, the log file, and a
// graceful stop on SIGTERM; the road index file it loads, or builds when the file is missing,
// stale or damaged.

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace {

using baiying::testing::BackgroundCommand;
using baiying::testing::CommandResult;
using baiying::testing::RunCommand;
using baiying::testing::TempDir;

// Waits for the "listening on HOST:PORT" line and returns the port (0 when it never came).
int WaitForPort(BackgroundCommand& serve) {
  static const std::regex kListening(R"(listening on [0-9.]+:([0-9]+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = serve.out();
    std::smatch match;
    if (std::regex_search(out, match, kListening)) return std::stoi(match[1].str());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return 0;
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TokenOf(const std::string& issued_json) {
  static const std::regex kToken(R"re("token"\s*:\s*"(by_[0-9a-f]+)")re");
  std::smatch match;
  return std::regex_search(issued_json, match, kToken) ? match[1].str() : std::string();
}

}  // namespace

TEST_CASE("serve: first-credential hint, a revocation honoured while serving, the log file, SIGTERM") {
  TempDir dir;
  const std::string db = (dir.path() / "registry.db").string();
  const std::string journal = (dir.path() / "journal.db").string();
  const std::string log = (dir.path() / "serve.log").string();
  const CommandResult init = RunCommand(BAIYING_BINARY, {"registry", "init", "--db", db});
  REQUIRE_MESSAGE(init.exit_code == 0, init.err);

  BackgroundCommand serve(BAIYING_BINARY, {"serve", "--port", "0", "--db", db, "--journal", journal,
                                           "--log-file", log});
  const int port = WaitForPort(serve);
  REQUIRE_MESSAGE(port > 0, "stdout: " << serve.out() << "\nstderr: " << serve.err());
  const std::string server = "127.0.0.1:" + std::to_string(port);
  // Nobody can use it yet, and it says how to change that, on this very database.
  CHECK(serve.out().find("no credentials yet") != std::string::npos);
  CHECK(serve.out().find("baiying credentials issue --role admin --holder NAME --db " + db) !=
        std::string::npos);

  const CommandResult issued = RunCommand(
      BAIYING_BINARY,
      {"credentials", "issue", "--role", "officer", "--holder", "值班员", "--db", db, "--json"});
  REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
  const std::string token = TokenOf(issued.out);
  REQUIRE_MESSAGE(!token.empty(), issued.out);

  const CommandResult submitted =
      RunCommand(BAIYING_BINARY, {"submit", "--server", server, "--token", token, "--at", "定日",
                                  "--need", "medical:1", "--id", "LOG-1"});
  CHECK_MESSAGE(submitted.exit_code == 0, submitted.err);
  CHECK(submitted.out.find("accepted LOG-1") != std::string::npos);

  // Revoked in another process while the server runs: the very next request is refused.
  const CommandResult revoked = RunCommand(
      BAIYING_BINARY,
      {"credentials", "revoke", "CR-0001", "--reason", "handset lost", "--db", db});
  REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.err);
  const CommandResult refused =
      RunCommand(BAIYING_BINARY, {"submit", "--server", server, "--token", token, "--at", "定日",
                                  "--need", "medical:1", "--id", "LOG-2"});
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("UNAUTHENTICATED") != std::string::npos);
  CHECK(refused.err.find("revoked") != std::string::npos);
  CHECK(refused.err.find(token) == std::string::npos);

  serve.Signal(SIGTERM);
  const CommandResult stopped = serve.Wait(std::chrono::seconds(30));
  CHECK(stopped.exit_code == 0);
  CHECK(stopped.out.find("stopped") != std::string::npos);

  // One line per command: kind, id, credential, latency, outcome; the refusal too.
  const std::string lines = ReadAll(log);
  INFO("log file:\n" << lines);
  CHECK(std::regex_search(lines, std::regex(R"(submit id=1 by=CR-0001 batch=1 [0-9]+us ok)")));
  CHECK(lines.find("refused: credential CR-0001 was revoked") != std::string::npos);
  CHECK(lines.find("signal 15: stopping") != std::string::npos);
  CHECK(lines.find(token) == std::string::npos);
}


namespace {

// A serve on `db` with its journal in `dir`, plus `extra` flags, until SIGTERM: its standard
// error (the log) once it is listening, and whether it stopped cleanly.
struct ServeRun {
  std::string log;
  bool listened = false;
  bool stopped = false;
};

ServeRun ServeOnce(const TempDir& dir, const std::string& db, std::vector<std::string> extra) {
  std::vector<std::string> args = {"serve", "--port", "0", "--db", db, "--journal",
                                   (dir.path() / "journal.db").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  BackgroundCommand serve(BAIYING_BINARY, args);
  ServeRun run;
  run.listened = WaitForPort(serve) > 0;
  run.log = serve.err();
  serve.Signal(SIGTERM);
  run.stopped = serve.Wait(std::chrono::seconds(30)).exit_code == 0;
  return run;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("serve: the road index file beside the journal is built when missing, then loaded") {
  TempDir dir;
  const std::string db = (dir.path() / "registry.db").string();
  REQUIRE(RunCommand(BAIYING_BINARY, {"registry", "init", "--db", db}).exit_code == 0);
  const std::filesystem::path index = dir.path() / "baiying-index.bin";

  const ServeRun first = ServeOnce(dir, db, {});
  INFO("first start:\n" << first.log);
  REQUIRE(first.listened);
  CHECK(first.stopped);
  CHECK(Contains(first.log, "road index: no " + index.string() + " yet; building it"));
  CHECK(Contains(first.log, "saved to " + index.string()));
  CHECK(std::filesystem::exists(index));

  const ServeRun second = ServeOnce(dir, db, {});
  INFO("second start:\n" << second.log);
  REQUIRE(second.listened);
  CHECK(Contains(second.log, "road index: loaded " + index.string() + " in "));
  CHECK_FALSE(Contains(second.log, "building"));
}

TEST_CASE("serve: a damaged or stale index file is a warning, rebuilt and overwritten") {
  TempDir dir;
  const std::string db = (dir.path() / "registry.db").string();
  REQUIRE(RunCommand(BAIYING_BINARY, {"registry", "init", "--db", db}).exit_code == 0);
  const std::filesystem::path index = dir.path() / "roads.idx";

  dir.Write("roads.idx", "not an index at all");
  const ServeRun corrupt = ServeOnce(dir, db, {"--index", index.string()});
  INFO("corrupt file:\n" << corrupt.log);
  REQUIRE(corrupt.listened);
  CHECK(corrupt.stopped);
  CHECK(Contains(corrupt.log, "warning road index: " + index.string() +
                                  ": not a baiying road index file"));
  CHECK(Contains(corrupt.log, "building it again and overwriting the file"));
  const ServeRun repaired = ServeOnce(dir, db, {"--index", index.string()});
  INFO("after the repair:\n" << repaired.log);
  CHECK(Contains(repaired.log, "road index: loaded " + index.string()));

  // The index of another network in its place.
  const std::filesystem::path other = dir.Write("other.gr", "p sp 2 2\na 1 2 5\na 2 1 5\n");
  REQUIRE(RunCommand(BAIYING_BINARY, {"index", "build", "--network", other.string(), "--out",
                                      index.string()})
              .exit_code == 0);
  const ServeRun stale = ServeOnce(dir, db, {"--index", index.string()});
  INFO("stale file:\n" << stale.log);
  REQUIRE(stale.listened);
  CHECK(Contains(stale.log, index.string() + ": built on another graph or travel model"));
  CHECK(Contains(ServeOnce(dir, db, {"--index", index.string()}).log,
                 "road index: loaded " + index.string()));
}

TEST_CASE("serve --no-index matches with the exact search and writes no index file") {
  TempDir dir;
  const std::string db = (dir.path() / "registry.db").string();
  REQUIRE(RunCommand(BAIYING_BINARY, {"registry", "init", "--db", db}).exit_code == 0);
  const ServeRun run = ServeOnce(dir, db, {"--no-index"});
  INFO(run.log);
  REQUIRE(run.listened);
  CHECK(run.stopped);
  CHECK(Contains(run.log, "road index: none (--no-index)"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "baiying-index.bin"));
  CHECK(RunCommand(BAIYING_BINARY, {"serve", "--no-index", "--index", "x.idx"}).exit_code == 2);
}
