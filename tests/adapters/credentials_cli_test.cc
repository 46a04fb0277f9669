// `baiying credentials issue|list|revoke` through the real program, on a registry database
// made by `baiying registry init --empty`.

#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/store/credentials.h"
#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace {

using baiying::testing::CommandResult;
using baiying::testing::RunCommand;
using baiying::testing::TempDir;

CommandResult Credentials(const std::string& db, std::vector<std::string> args) {
  std::vector<std::string> full = {"credentials"};
  full.insert(full.end(), args.begin(), args.end());
  full.insert(full.end(), {"--db", db});
  return RunCommand(BAIYING_BINARY, full);
}

struct EmptyRegistry {
  TempDir dir;
  std::string db = (dir.path() / "registry.db").string();
  EmptyRegistry() {
    const CommandResult init = RunCommand(
        BAIYING_BINARY, {"registry", "init", "--empty", "--db", db, "--actor", "test-registrar"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
  }
};

nlohmann::json IssueJson(const std::string& db, std::vector<std::string> args) {
  args.insert(args.begin(), "issue");
  args.push_back("--json");
  const CommandResult r = Credentials(db, args);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

baiying::Result<baiying::store::Credential> Authenticate(const std::string& db,
                                                         const std::string& token) {
  auto store = baiying::store::CredentialStore::Open(db, {.must_exist = true});
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return store->Authenticate(token);
}

}  // namespace

TEST_CASE("credentials cli: issue --json gives a token that authenticates") {
  EmptyRegistry registry;
  const nlohmann::json officer =
      IssueJson(registry.db, {"--role", "officer", "--holder", "值班员 张伟", "--by", "registrar"});
  CHECK(officer["id"] == "CR-0001");
  CHECK(officer["role"] == "officer");
  CHECK(officer["holder"] == "值班员 张伟");
  CHECK(officer["unit"] == "");
  const std::string token = officer["token"];
  CHECK(token.size() == 35);
  CHECK(token.rfind("by_", 0) == 0);
  CHECK(officer.size() == 5);

  auto who = Authenticate(registry.db, token);
  REQUIRE_MESSAGE(who.ok(), who.status().ToString());
  CHECK(who->id == "CR-0001");
  CHECK(who->issued_by == "registrar");

  const nlohmann::json unit = IssueJson(
      registry.db, {"--role", "unit", "--holder", "定日边防连 通信员", "--unit", "定日边防连"});
  CHECK(unit["id"] == "CR-0002");
  CHECK(unit["unit"] == "定日边防连");
  auto unit_who = Authenticate(registry.db, unit["token"]);
  REQUIRE(unit_who.ok());
  CHECK(unit_who->role == baiying::store::CredentialRole::kUnit);

  // For people: the token on a line of its own, said to be shown once, and how to use it.
  const CommandResult text =
      Credentials(registry.db, {"issue", "--role", "admin", "--holder", "registrar 1"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("CR-0003") != std::string::npos);
  CHECK(text.out.find("admin") != std::string::npos);
  CHECK(text.out.find("registrar 1") != std::string::npos);
  CHECK(text.out.find("only this once") != std::string::npos);
  CHECK(text.out.find("--token") != std::string::npos);
  CHECK(text.out.find("BAIYING_TOKEN") != std::string::npos);
  const std::size_t start = text.out.find("\nby_");
  REQUIRE(start != std::string::npos);
  const std::string line = text.out.substr(start + 1, text.out.find('\n', start + 1) - start - 1);
  CHECK(line.size() == 35);
  CHECK(Authenticate(registry.db, line).ok());
}

TEST_CASE("credentials cli: list shows the prefix, never the token; revoke shows in the list") {
  EmptyRegistry registry;
  const nlohmann::json first =
      IssueJson(registry.db, {"--role", "officer", "--holder", "值班员 张伟", "--by", "registrar"});
  const nlohmann::json second =
      IssueJson(registry.db, {"--role", "unit", "--holder", "通信员", "--unit", "定日边防连"});
  const std::string token = first["token"];

  const CommandResult listed = Credentials(registry.db, {"list"});
  REQUIRE(listed.exit_code == 0);
  CHECK(listed.out.find(token.substr(0, 8)) != std::string::npos);
  CHECK(listed.out.find(token) == std::string::npos);
  CHECK(listed.out.find(second["token"].get<std::string>()) == std::string::npos);
  CHECK(listed.out.find(baiying::store::Sha256Hex(token)) == std::string::npos);
  CHECK(listed.out.find("CR-0001") != std::string::npos);
  CHECK(listed.out.find("值班员 张伟") != std::string::npos);
  CHECK(listed.out.find("定日边防连") != std::string::npos);
  CHECK(listed.out.find("live") != std::string::npos);
  CHECK(listed.out.find("revoked") == std::string::npos);

  const CommandResult revoked = Credentials(
      registry.db, {"revoke", "CR-0001", "--reason", "phone lost", "--by", "supervisor"});
  INFO(revoked.err);
  REQUIRE(revoked.exit_code == 0);
  CHECK(revoked.out.find("CR-0001") != std::string::npos);

  const CommandResult after = Credentials(registry.db, {"list"});
  REQUIRE(after.exit_code == 0);
  CHECK(after.out.find("by supervisor: phone lost") != std::string::npos);
  auto who = Authenticate(registry.db, token);
  REQUIRE_FALSE(who.ok());
  CHECK(who.status().code() == baiying::StatusCode::kUnauthenticated);

  const CommandResult json = Credentials(registry.db, {"list", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find(token) == std::string::npos);
  const nlohmann::json all = nlohmann::json::parse(json.out);
  REQUIRE(all.size() == 2);
  CHECK(all[0]["id"] == "CR-0001");
  CHECK(all[0]["state"] == "revoked");
  CHECK(all[0]["revoked_by"] == "supervisor");
  CHECK(all[0]["revoke_reason"] == "phone lost");
  CHECK(all[0]["token_prefix"] == token.substr(0, 8));
  CHECK(all[1]["state"] == "live");
  CHECK(all[1]["revoked_at"].is_null());
  CHECK_FALSE(all[0].contains("token"));

  // Again: the id named, exit 2; an unknown id too.
  const CommandResult twice = Credentials(registry.db, {"revoke", "CR-0001", "--reason", "again"});
  CHECK(twice.exit_code == 2);
  CHECK(twice.err.rfind("baiying credentials: ", 0) == 0);
  CHECK(twice.err.find("CR-0001") != std::string::npos);
  const CommandResult unknown = Credentials(registry.db, {"revoke", "CR-0099", "--reason", "typo"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("CR-0099") != std::string::npos);
}

TEST_CASE("credentials cli: bad flags name the flag and exit 2") {
  EmptyRegistry registry;
  const CommandResult role =
      Credentials(registry.db, {"issue", "--role", "operator", "--holder", "x"});
  CHECK(role.exit_code == 2);
  CHECK(role.err.rfind("baiying credentials: --role", 0) == 0);
  CHECK(role.err.find("unit, officer or admin") != std::string::npos);

  const CommandResult no_unit =
      Credentials(registry.db, {"issue", "--role", "unit", "--holder", "x"});
  CHECK(no_unit.exit_code == 2);
  CHECK(no_unit.err.rfind("baiying credentials: --unit", 0) == 0);

  const CommandResult officer_unit = Credentials(
      registry.db, {"issue", "--role", "officer", "--holder", "x", "--unit", "定日边防连"});
  CHECK(officer_unit.exit_code == 2);
  CHECK(officer_unit.err.rfind("baiying credentials: --unit", 0) == 0);

  const CommandResult empty_holder =
      Credentials(registry.db, {"issue", "--role", "admin", "--holder", ""});
  CHECK(empty_holder.exit_code == 2);
  CHECK(empty_holder.err.rfind("baiying credentials: --holder", 0) == 0);

  const CommandResult empty_reason =
      Credentials(registry.db, {"revoke", "CR-0001", "--reason", ""});
  CHECK(empty_reason.exit_code == 2);
  CHECK(empty_reason.err.rfind("baiying credentials: --reason", 0) == 0);

  CHECK(Credentials(registry.db, {"revoke", "CR-0001"}).exit_code == 2);  // --reason required
  const CommandResult listed = Credentials(registry.db, {"list", "--json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(nlohmann::json::parse(listed.out).empty());

  // A named database must exist: nothing is created by a typo in --db.
  TempDir other;
  const std::string missing = (other.path() / "missing.db").string();
  const CommandResult absent =
      Credentials(missing, {"issue", "--role", "admin", "--holder", "registrar"});
  CHECK(absent.exit_code == 4);
  CHECK(absent.err.find("registry init") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing));
}
