// The baiying program: one binary, one subcommand per job. Flags are parsed here and only
// here; the commands themselves live in baiying::cli_lib so that tests can call them.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "adapters/cli/client_command.h"
#include "adapters/cli/credentials_command.h"
#include "adapters/cli/data_command.h"
#include "adapters/cli/drill_command.h"
#include "adapters/cli/match_command.h"
#include "adapters/cli/registry_cli.h"
#include "adapters/cli/route_command.h"
#include "adapters/cli/serve_command.h"
#include "adapters/loaders/closures_csv.h"

namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("baiying");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

// The program's clock: --at when given, else now. The engine never reads a clock itself.
baiying::Result<baiying::Instant> ParseAtOrNow(const std::string& at) {
  if (at.empty()) {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
  return baiying::loaders::ParseIsoInstant(at);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace baiying;
  CLI::App app{"baiying (百应): emergency mobilization dispatch for the support registry"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "baiying 0.1.0");
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  // --- route ---
  cli::RouteOptions route;
  std::string route_at;
  std::string route_network;
  CLI::App* route_cmd =
      app.add_subcommand("route", "fastest road route between two places, honouring closures");
  route_cmd->add_option("--from", route.from, "start: Chinese name (拉萨 or 拉萨市), pinyin or id")
      ->required();
  route_cmd->add_option("--to", route.to, "destination, as --from")->required();
  route_cmd->add_option("--network", route_network,
                        "network directory (places.csv, roads.csv) or DIMACS .gr[.gz] file; "
                        "default: data/xizang");
  route_cmd->add_option("--close", route.close_roads,
                        "close the road between two places, as A-B (repeatable)");
  route_cmd->add_option("--close-place", route.close_places,
                        "close a place to all traffic (repeatable)");
  route_cmd
      ->add_option("--closures", route.closures_file,
                   "CSV of closures (what,at,reason,from,until; see data/README.md)")
      ->check(CLI::ExistingFile);
  route_cmd->add_option("--at", route_at,
                        "UTC time whose closures apply, as 2025-01-07T09:05:00Z; default now");
  route_cmd->add_flag("--json", route.json, "print JSON for scripts");

  // --- data ---
  cli::BuildXizangFlags build;
  CLI::App* data_cmd = app.add_subcommand("data", "build the project's data from raw sources");
  data_cmd->require_subcommand(1);
  CLI::App* build_cmd = data_cmd->add_subcommand(
      "build-xizang", "rebuild data/xizang from the raw facts in ../shared/data/xizang");
  build_cmd->add_option("--shared", build.shared_dir, "raw sources (../shared/data/xizang)");
  build_cmd->add_option("--facts", build.facts_dir, "curated facts (data/xizang/facts)");
  build_cmd->add_option("--out", build.out_dir, "output directory (data/xizang)");
  cli::BuildSeedFlags seed;
  CLI::App* seed_cmd = data_cmd->add_subcommand(
      "build-seed-registry", "regenerate the fictional seed registry data/xizang/registry");
  seed_cmd->add_option("--network", seed.network_dir, "road network (data/xizang)");
  seed_cmd->add_option("--out", seed.out_dir, "output directory (data/xizang/registry)");
  seed_cmd->add_option("--seed", seed.seed, "random seed (2026)");

  // --- match ---
  cli::MatchFlags match;
  std::string match_at;
  CLI::App* match_cmd = app.add_subcommand(
      "match", "match one urgent request against the registry now, with explanations");
  match_cmd->add_option("--at", match.at, "the unit's place: a name (定日) or lat,lon")->required();
  match_cmd->add_option("--need", match.need, "specialty:quantity,... (medical:2,transport:1)")
      ->required();
  match_cmd->add_option("--priority", match.priority, "routine, urgent, critical or flash");
  match_cmd->add_option("--mode", match.mode, "peacetime, emergency or wartime");
  match_cmd->add_option("--deadline-hours", match.deadline_hours, "help needed within (6)");
  match_cmd->add_option("--close", match.close_roads, "close the road A-B first (repeatable)");
  match_cmd->add_option("--network", match.network, "road network (default data/xizang)");
  match_cmd->add_option("--db", match.db, "registry database (default ./baiying.db)")
      ->each([&match](const std::string&) { match.db_given = true; });
  match_cmd->add_option("--time", match_at, "as of this UTC time (default now)");
  match_cmd->add_flag("--json", match.json, "print the events as JSON");

  // --- registry ---
  cli::RegistryFlags registry;
  std::string registry_at;
  CLI::App* registry_cmd = cli::AddRegistryCommands(app, registry, registry_at);

  // --- credentials ---
  cli::CredentialsFlags credentials;
  CLI::App* credentials_cmd = app.add_subcommand(
      "credentials", "the tokens clients of baiying serve present: issue, list, revoke");
  credentials_cmd->require_subcommand(1);
  auto credentials_action = [&credentials](CLI::App* command, cli::CredentialsAction action) {
    command
        ->add_option("--db", credentials.db,
                     "registry database (default ./baiying.db or $BAIYING_DB, created and "
                     "seeded on first use; a named file must exist)")
        ->each([&credentials](const std::string&) { credentials.db_given = true; });
    command->callback([&credentials, action] { credentials.action = action; });
  };
  CLI::App* issue_cmd =
      credentials_cmd->add_subcommand("issue", "issue a credential; its token is shown once");
  issue_cmd->add_option("--role", credentials.role, "unit, officer or admin")->required();
  issue_cmd->add_option("--holder", credentials.holder, "who holds it: a person or a unit")
      ->required();
  issue_cmd->add_option("--unit", credentials.unit, "the unit a unit credential speaks for");
  issue_cmd->add_option("--by", credentials.by, "who issues it (default $USER)");
  issue_cmd->add_flag("--json", credentials.json, "print JSON, token included");
  credentials_action(issue_cmd, cli::CredentialsAction::kIssue);
  CLI::App* list_cmd = credentials_cmd->add_subcommand(
      "list", "every credential, revoked ones too (token prefixes, never tokens)");
  list_cmd->add_flag("--json", credentials.json, "print JSON");
  credentials_action(list_cmd, cli::CredentialsAction::kList);
  CLI::App* revoke_cmd = credentials_cmd->add_subcommand(
      "revoke", "revoke a credential: the server refuses its token from the next request");
  revoke_cmd->add_option("id", credentials.id, "credential id, as CR-0003")->required();
  revoke_cmd->add_option("--reason", credentials.reason, "why (required)")->required();
  revoke_cmd->add_option("--by", credentials.by, "who revokes it (default $USER)");
  credentials_action(revoke_cmd, cli::CredentialsAction::kRevoke);

  // --- drill ---
  cli::DrillFlags drill;
  CLI::App* drill_cmd = app.add_subcommand(
      "drill", "run a drill scenario in process on a simulated clock and write its report");
  drill_cmd->add_option("file", drill.scenario, "scenario file (scenarios/*.textproto)")
      ->required();
  drill_cmd->add_option("--report", drill.report_dir,
                        "folder for <name>.json and <name>.html (./drill-reports)");
  drill_cmd->add_flag("--json", drill.json, "print the JSON report instead of the summary");

  // --- serve ---
  cli::ServeFlags serve;
  std::string serve_log_level = "info";
  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "the dispatch server: network, registry and a journal that survives restarts");
  serve_cmd->add_option("--address", serve.address, "address to listen on (127.0.0.1)");
  serve_cmd->add_option("--port", serve.port, "TCP port (7878; 0: any free port)");
  serve_cmd->add_option("--network", serve.network, "road network (default data/xizang)");
  serve_cmd->add_option("--db", serve.db, "registry database (default ./baiying.db)")
      ->each([&serve](const std::string&) { serve.db_given = true; });
  serve_cmd->add_option("--journal", serve.journal,
                        "journal database (./baiying-journal.db), replayed at start");
  serve_cmd->add_option("--threads", serve.io_threads, "I/O threads (2)")->check(CLI::Range(1, 64));
  serve_cmd->add_option("--log-level", serve_log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  // --- submit, status, demand: clients of serve ---
  cli::ClientFlags client;
  auto add_client_flags = [&client](CLI::App* command) {
    command->add_option("--server", client.server, "HOST:PORT of baiying serve (127.0.0.1:7878)");
    command->add_option("--timeout", client.timeout_seconds, "seconds to wait for the server (10)");
    command->add_flag("--json", client.json, "print the server's reply as JSON");
  };
  cli::SubmitFlags submit;
  CLI::App* submit_cmd = app.add_subcommand("submit", "submit an urgent request to the server");
  submit_cmd->add_option("--at", submit.at, "the unit's place: a name (定日) or lat,lon")
      ->required();
  submit_cmd->add_option("--need", submit.need, "specialty:quantity,... (medical:2,transport:1)")
      ->required();
  submit_cmd->add_option("--priority", submit.priority, "routine, urgent, critical or flash");
  submit_cmd->add_option("--mode", submit.mode, "peacetime, emergency or wartime");
  submit_cmd->add_option("--deadline-hours", submit.deadline_hours, "help needed within (6)");
  submit_cmd->add_option("--id", submit.id, "request id (default: generated from the clock)");
  submit_cmd->add_option("--unit", submit.unit, "the requesting unit");
  add_client_flags(submit_cmd);
  std::string status_id;
  CLI::App* status_cmd = app.add_subcommand("status", "a request's state on the server");
  status_cmd->add_option("id", status_id, "request id")->required();
  add_client_flags(status_cmd);
  CLI::App* demand_cmd =
      app.add_subcommand("demand", "the open demand list: unfilled lines of open requests");
  add_client_flags(demand_cmd);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : cli::kExitUsage;
  }
  SetUpLogging(log_level);

  if (*route_cmd) {
    if (!route_network.empty()) route.network = route_network;
    if (route_at.empty()) {
      // The only clock read of the route command: closures files are judged as of now.
      route.at =
          std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    } else {
      Result<Instant> at = loaders::ParseIsoInstant(route_at);
      if (!at.ok()) {
        std::cerr << "baiying route: --at: " << at.status().message() << "\n";
        return cli::kExitUsage;
      }
      route.at = *at;
    }
    return cli::RunRoute(route, std::cout, std::cerr);
  }
  if (*build_cmd) return cli::RunBuildXizang(build, std::cout, std::cerr);
  if (*seed_cmd) return cli::RunBuildSeedRegistry(seed, std::cout, std::cerr);
  if (*match_cmd) {
    Result<Instant> now = ParseAtOrNow(match_at);
    if (!now.ok()) {
      std::cerr << "baiying match: --time: " << now.status().message() << "\n";
      return cli::kExitUsage;
    }
    match.now = *now;
    return cli::RunMatch(match, std::cout, std::cerr);
  }
  if (*registry_cmd) {
    Result<Instant> now = ParseAtOrNow(registry_at);
    if (!now.ok()) {
      std::cerr << "baiying registry: --at: " << now.status().message() << "\n";
      return cli::kExitUsage;
    }
    registry.now = *now;
    return cli::RunRegistry(std::move(registry), std::cout, std::cerr);
  }
  if (*credentials_cmd) {
    credentials.now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return cli::RunCredentials(credentials, std::cout, std::cerr);
  }
  if (*drill_cmd) return cli::RunDrill(drill, std::cout, std::cerr);
  if (*serve_cmd) {
    spdlog::set_level(spdlog::level::from_str(serve_log_level));
    return cli::RunServe(serve, std::cout, std::cerr);
  }
  if (*submit_cmd) {
    submit.now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return cli::RunSubmit(client, submit, std::cout, std::cerr);
  }
  if (*status_cmd) return cli::RunStatus(client, status_id, std::cout, std::cerr);
  if (*demand_cmd) return cli::RunDemand(client, std::cout, std::cerr);
  return cli::kExitUsage;
}
