// `baiying match` on data/xizang and the seed registry: an urgent request answered in process,
// with its explanations, and closures that cut a unit off.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace {

using baiying::testing::CommandResult;
using baiying::testing::RunCommand;
using baiying::testing::TempDir;

struct Seeded {
  TempDir dir;
  std::string db = (dir.path() / "registry.db").string();
  Seeded() { REQUIRE(RunCommand(BAIYING_BINARY, {"registry", "init", "--db", db}).exit_code == 0); }
  CommandResult Match(std::vector<std::string> args) const {
    std::vector<std::string> full = {"match", "--db", db, "--time", "2026-11-01T08:00:00Z"};
    full.insert(full.end(), args.begin(), args.end());
    return RunCommand(BAIYING_BINARY, full);
  }
};

std::vector<std::string> Events(const CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> out;
  for (const auto& e : nlohmann::json::parse(r.out))
    out.push_back(e.get<std::string>());
  return out;
}

std::size_t Count(const std::vector<std::string>& events, const std::string& prefix) {
  std::size_t n = 0;
  for (const std::string& e : events)
    n += e.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("match: an earthquake in Dingri gets medics and vehicles, each with its reasons") {
  Seeded seeded;
  const std::vector<std::string> events = Events(seeded.Match(
      {"--at", "定日", "--need", "medical:6,transport:3", "--priority", "critical", "--json"}));
  REQUIRE(events.size() >= 3);
  CHECK(events.front().rfind("accepted match", 0) == 0);
  CHECK(Count(events, "assigned ") >= 2);
  CHECK(events.back() == "filled match");
  for (const std::string& e : events) {
    if (e.rfind("assigned ", 0) == 0) {
      CHECK(e.find(" eta ") != std::string::npos);
      CHECK(e.find(" via ") != std::string::npos);
    }
  }
  // Human-readable form names the route and the alternatives.
  const CommandResult text = seeded.Match({"--at", "定日", "--need", "medical:2"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("ETA") != std::string::npos);
  CHECK(text.out.find("next: ") != std::string::npos);
}

TEST_CASE("match: Medog cut off by a closed road records a shortfall; open, it is served") {
  Seeded seeded;
  const std::vector<std::string> open =
      Events(seeded.Match({"--at", "墨脱", "--need", "medical:2", "--json"}));
  CHECK(Count(open, "assigned ") >= 1);
  const std::vector<std::string> cut = Events(
      seeded.Match({"--at", "墨脱", "--need", "medical:2", "--close", "波密-墨脱", "--json"}));
  CHECK(Count(cut, "assigned ") == 0);
  CHECK(Count(cut, "shortfall match medical missing 2") == 1);
  CHECK(Count(cut, "widened match medical") == 2);  // county, then prefecture, then region
}

TEST_CASE("match: bad requests are refused with the reason") {
  Seeded seeded;
  const CommandResult bad_need = seeded.Match({"--at", "定日", "--need", "medical"});
  CHECK(bad_need.exit_code == 2);
  CHECK(bad_need.err.find("--need") != std::string::npos);
  const CommandResult zero = seeded.Match({"--at", "定日", "--need", "medical:2,transport:0"});
  CHECK(zero.exit_code == 2);
  CHECK(zero.err.find("'transport:0'") != std::string::npos);
  const CommandResult unknown = seeded.Match({"--at", "定日", "--need", "surgery:1"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("surgery") != std::string::npos);
  const CommandResult far = seeded.Match({"--at", "40.0,116.4", "--need", "medical:1"});
  CHECK(far.exit_code == 2);
  CHECK(far.err.find("km from the nearest place") != std::string::npos);
}
