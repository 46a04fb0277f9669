// The baiying program: one binary, one subcommand per job. Flags are parsed here and only
// here; the commands themselves live in baiying::cli_lib so that tests can call them.

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "adapters/cli/client_command.h"
#include "adapters/cli/credentials_command.h"
#include "adapters/cli/data_command.h"
#include "adapters/cli/drill_command.h"
#include "adapters/cli/index_command.h"
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

  // --- index ---
  cli::IndexBuildFlags index_build;
  CLI::App* index_cmd =
      app.add_subcommand("index", "the road index that makes matching fast, built ahead of serve");
  index_cmd->require_subcommand(1);
  CLI::App* index_build_cmd = index_cmd->add_subcommand(
      "build", "contract a network's roads into the index file that baiying serve loads");
  index_build_cmd->add_option("--network", index_build.network,
                              "network directory (places.csv, roads.csv) or DIMACS .gr[.gz] file; "
                              "default: data/xizang");
  index_build_cmd->add_option("--out", index_build.out,
                              "index file (./baiying-index.bin: what serve reads beside "
                              "./baiying-journal.db)");

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
      "drill",
      "run a drill scenario on a simulated clock (in process, or on a server with "
      "--server) and write its report");
  drill_cmd->add_option("file", drill.scenario, "scenario file (scenarios/*.textproto)")
      ->required();
  drill_cmd->add_option("--report", drill.report_dir,
                        "folder for <name>.json and <name>.html (./drill-reports)");
  drill_cmd->add_flag("--json", drill.json, "print the JSON report instead of the summary");
  drill_cmd->add_option("--server", drill.server,
                        "HOST:PORT of baiying serve: play the drill there, in drill mode");
  drill_cmd->add_option("--token", drill.token, "with --server: an officer's credential")
      ->envname("BAIYING_TOKEN");
  drill_cmd->add_option("--drill-id", drill.drill_id,
                        "with --server: the drill's id there (<file stem>-<unix ms>)");

  // --- serve ---
  cli::ServeFlags serve;
  std::string serve_log_level = "info";
  std::string serve_log_file;
  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "the dispatch server: network, registry and a journal that survives restarts");
  serve_cmd->add_option("--address", serve.address, "address to listen on (127.0.0.1)");
  serve_cmd->add_option("--port", serve.port, "TCP port (7878; 0: any free port)");
  serve_cmd->add_option("--network", serve.network, "road network (default data/xizang)");
  serve_cmd->add_option("--db", serve.db, "registry database (default ./baiying.db)")
      ->each([&serve](const std::string&) { serve.db_given = true; });
  serve_cmd->add_option("--journal", serve.journal,
                        "journal database (./baiying-journal.db), replayed at start");
  CLI::Option* serve_index =
      serve_cmd->add_option("--index", serve.index,
                            "road index file (baiying-index.bin beside the journal): loaded at "
                            "start, built and saved when missing, stale or damaged");
  serve_cmd->add_flag("--no-index", serve.no_index, "match with the exact search only")
      ->excludes(serve_index);
  serve_cmd->add_option("--threads", serve.io_threads, "I/O threads (2)")->check(CLI::Range(1, 64));
  serve_cmd->add_option("--max-frame-bytes", serve.max_frame_bytes, "largest frame payload (65536)")
      ->check(CLI::Range(1, 64 * 1024 * 1024));
  serve_cmd->add_option("--max-connections", serve.max_connections,
                        "connections beyond are refused (1024)")
      ->check(CLI::Range(1, 1 << 20));
  serve_cmd->add_option("--idle-seconds", serve.idle_seconds,
                        "close a connection silent this long between frames (300)")
      ->check(CLI::Range(0.001, 1e6));
  serve_cmd->add_option("--read-seconds", serve.read_seconds,
                        "close a connection that takes longer over one frame or reply (30)")
      ->check(CLI::Range(0.001, 1e6));
  serve_cmd->add_option("--log-file", serve_log_file,
                        "also append the log to this file (one line per command)");
  serve_cmd->add_option("--log-level", serve_log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  // --- submit, status, demand, the officer's commands, watch: clients of serve ---
  cli::ClientFlags client;
  auto add_client_flags = [&client](CLI::App* command) {
    command->add_option("--server", client.server, "HOST:PORT of baiying serve (127.0.0.1:7878)");
    command->add_option("--token", client.token, "credential, from `baiying credentials issue`")
        ->envname("BAIYING_TOKEN");
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
  submit_cmd->add_option("--unit", submit.unit,
                         "the requesting unit (default: the credential's unit, or its holder)");
  add_client_flags(submit_cmd);
  std::string status_id;
  CLI::App* status_cmd = app.add_subcommand("status", "a request's state on the server");
  status_cmd->add_option("id", status_id, "request id")->required();
  add_client_flags(status_cmd);
  CLI::App* demand_cmd =
      app.add_subcommand("demand", "the open demand list: unfilled lines of open requests");
  add_client_flags(demand_cmd);
  // One request each, on a request, a team or a road.
  cli::OfficerFlags officer;
  bool officer_given = false;
  auto officer_command = [&](cli::OfficerAction action, const std::string& help) {
    CLI::App* command = app.add_subcommand(std::string(cli::OfficerCommandName(action)), help);
    command->callback([&officer, &officer_given, action] {
      officer.action = action;
      officer_given = true;
    });
    add_client_flags(command);
    return command;
  };
  auto add_request = [&officer](CLI::App* command) {
    command->add_option("REQUEST_ID", officer.request_id, "request id")->required();
  };
  auto add_team = [&officer](CLI::App* command) {
    command->add_option("TEAM", officer.team, "team code, as TM-LS-MED-01")->required();
  };
  auto add_reason = [&officer](CLI::App* command) {
    command->add_option("--reason", officer.reason, "why (required)")->required();
  };
  auto add_road = [&officer](CLI::App* command) {
    command->add_option("FROM", officer.from, "one end: a place name (定日) or id")->required();
    command->add_option("TO", officer.to, "the other end, adjacent to FROM")->required();
  };
  CLI::App* cancel_cmd =
      officer_command(cli::OfficerAction::kCancel, "cancel a request; its teams are released");
  add_request(cancel_cmd);
  add_reason(cancel_cmd);
  CLI::App* ack_cmd =
      officer_command(cli::OfficerAction::kAcknowledge, "a team accepts its assignment");
  add_request(ack_cmd);
  add_team(ack_cmd);
  CLI::App* decline_cmd = officer_command(cli::OfficerAction::kDecline,
                                          "a team declines its assignment; the line is refilled");
  add_request(decline_cmd);
  add_team(decline_cmd);
  add_reason(decline_cmd);
  add_team(officer_command(cli::OfficerAction::kEnRoute,
                           "a team is on its way to the request it is assigned to"));
  add_team(officer_command(cli::OfficerAction::kOnScene, "a team has reached its request's scene"));
  CLI::App* release_cmd = officer_command(
      cli::OfficerAction::kRelease, "a team is free again, where it is (at the scene) or at home");
  add_team(release_cmd);
  release_cmd->add_flag("--home", officer.home, "released back at its home base");
  CLI::App* duty_cmd = officer_command(cli::OfficerAction::kSetDuty,
                                       "a team goes off duty or back on, outside assignments");
  add_team(duty_cmd);
  duty_cmd->add_option("STATE", officer.duty, "on or off")->required();
  CLI::App* close_road_cmd = officer_command(
      cli::OfficerAction::kCloseRoad, "close the road between two adjacent places, both ways");
  add_road(close_road_cmd);
  add_reason(close_road_cmd);
  add_road(officer_command(cli::OfficerAction::kReopenRoad, "reopen a closed road"));
  cli::WatchFlags watch;
  CLI::App* watch_cmd = app.add_subcommand(
      "watch", "print events as they happen, until Ctrl-C (JSON Lines with --json)");
  watch_cmd->add_option("REQUEST_ID", watch.request_ids, "only these requests (default: all)");
  watch_cmd->add_option("--count", watch.count, "stop after this many events")
      ->check(CLI::Range(1, 1'000'000'000));
  add_client_flags(watch_cmd);

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
  if (*index_build_cmd) return cli::RunIndexBuild(index_build, std::cout, std::cerr);
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
    // Warnings reach the file at once; the rest within a second, without a write per command.
    spdlog::flush_on(spdlog::level::warn);
    spdlog::flush_every(std::chrono::seconds(1));
    if (!serve_log_file.empty()) {
      try {
        spdlog::default_logger()->sinks().push_back(
            std::make_shared<spdlog::sinks::basic_file_sink_mt>(serve_log_file));
        spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");  // the same lines in both sinks
      } catch (const spdlog::spdlog_ex& e) {
        std::cerr << "baiying serve: --log-file " << serve_log_file << ": " << e.what() << "\n";
        return cli::kExitDataError;
      }
    }
    return cli::RunServe(serve, std::cout, std::cerr);
  }
  if (*submit_cmd) {
    submit.now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    return cli::RunSubmit(client, submit, std::cout, std::cerr);
  }
  if (*status_cmd) return cli::RunStatus(client, status_id, std::cout, std::cerr);
  if (*demand_cmd) return cli::RunDemand(client, std::cout, std::cerr);
  if (officer_given) return cli::RunOfficerCommand(client, officer, std::cout, std::cerr);
  if (*watch_cmd) return cli::RunWatch(client, watch, std::cout, std::cerr);
  return cli::kExitUsage;
}
