// `baiying serve` as a process, the way a duty post runs it: the first-credential hint, a
// token issued and revoked by `baiying credentials` while it serves, the log file, and a
// graceful stop on SIGTERM.

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
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

