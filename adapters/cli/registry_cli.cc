#include "adapters/cli/registry_cli.h"

namespace baiying::cli {
namespace {

// Options every registry subcommand takes.
void AddCommon(CLI::App* cmd, RegistryFlags& flags, std::string& at) {
  cmd->add_option("--db", flags.db,
                  "registry database file (default ./baiying.db or $BAIYING_DB; created and "
                  "seeded with data/xizang/registry on first use when not given)")
      ->each([&flags](const std::string&) { flags.db_given = true; });
  cmd->add_option("--network", flags.network, "road network for place names (default data/xizang)");
  cmd->add_option("--actor", flags.actor, "who makes the change, for the audit (default $USER)");
  cmd->add_option("--at", at, "judge as of this UTC time, as 2026-11-01T00:00:00Z (default now)");
}

void Action(CLI::App* cmd, RegistryFlags& flags, RegistryAction action) {
  cmd->callback([&flags, action] { flags.action = action; });
}

}  // namespace

CLI::App* AddRegistryCommands(CLI::App& app, RegistryFlags& flags, std::string& at) {
  CLI::App* registry = app.add_subcommand(
      "registry", "the support registry (社会拥军名录): enrol, vet, sign, suspend, list, publish");
  registry->require_subcommand(1);

  CLI::App* init = registry->add_subcommand("init", "create the database (with the seed registry)");
  AddCommon(init, flags, at);
  init->add_flag("--empty", flags.empty, "create it without the seed registry");
  Action(init, flags, RegistryAction::kInit);

  CLI::App* import = registry->add_subcommand(
      "import", "import a directory of registry CSV files, all or nothing (data/README.md)");
  AddCommon(import, flags, at);
  import->add_option("dir", flags.import_dir, "directory of CSV files")->required();
  import->add_option("--reason", flags.reason, "why, for the audit");
  Action(import, flags, RegistryAction::kImport);

  CLI::App* enroll = registry->add_subcommand("enroll", "enrol an organisation or a team");
  enroll->require_subcommand(1);
  CLI::App* org = enroll->add_subcommand("org", "enrol an organisation");
  AddCommon(org, flags, at);
  Organisation& o = flags.organisation;
  org->add_option("--code", o.code, "public code, e.g. ORG-LS-101")->required();
  org->add_option("--name", o.name, "name")->required();
  org->add_option("--kind", flags.kind,
                  "state_owned_enterprise, private_enterprise, social_organisation, "
                  "individual_business or volunteer_team")
      ->required();
  org->add_option("--industry", o.industry, "industry category");
  org->add_option("--tier", flags.tier, "region, prefecture or county")->required();
  org->add_option("--adcode", o.adcode, "administrative code of its area")->required();
  org->add_option("--contact-name", o.contact_name, "contact person (never published)");
  org->add_option("--contact-phone", o.contact_phone, "contact phone (never published)");
  org->add_option("--service", o.service_content, "service content");
  org->add_option("--measures", o.measures, "concrete measures");
  org->add_option("--commitments", o.commitments, "service commitments as written");
  org->add_option("--modes", flags.modes, "modes served: peacetime|emergency|wartime")->required();
  org->add_option("--response-minutes", o.response_minutes, "committed response time");
  org->add_option("--reason", flags.reason, "why, for the audit");
  Action(org, flags, RegistryAction::kEnrollOrganisation);

  CLI::App* team = enroll->add_subcommand("team", "enrol a team of an organisation");
  AddCommon(team, flags, at);
  store::TeamEntry& t = flags.team;
  team->add_option("--code", t.code, "public code, e.g. TM-LS-MED-101")->required();
  team->add_option("--name", t.name, "name")->required();
  team->add_option("--org", t.organisation, "organisation code")->required();
  team->add_option("--capacity", flags.capacities,
                   "specialty:quantity[:split], repeatable (medical:6, transport:4:split)")
      ->required();
  team->add_option("--home", t.home_place, "home place, as the network names it")->required();
  team->add_option("--mobilization-minutes", flags.mobilization_minutes,
                   "committed delay before leaving");
  team->add_option("--modes", flags.modes, "modes committed: peacetime|emergency|wartime")
      ->required();
  team->add_option("--max-elevation", t.max_work_elevation_m,
                   "highest elevation the team is fit to work at, metres")
      ->required();
  team->add_option("--reason", flags.reason, "why, for the audit");
  Action(team, flags, RegistryAction::kEnrollTeam);

  CLI::App* vet = registry->add_subcommand("vet", "record one department's vetting of a team");
  AddCommon(vet, flags, at);
  vet->add_option("--team", flags.vetting.team, "team code")->required();
  vet->add_option("--department", flags.department,
                  "discipline_inspection, civil_affairs, human_resources, "
                  "emergency_management or market_supervision")
      ->required();
  vet->add_option("--result", flags.result, "pass or fail")->required();
  vet->add_option("--examiner", flags.vetting.examiner, "who examined")->required();
  vet->add_option("--checked-on", flags.checked_on, "date of the check (default today)");
  vet->add_option("--expires-on", flags.expires_on, "date the result expires")->required();
  vet->add_option("--reason", flags.reason, "reason for a fail, or notes");
  Action(vet, flags, RegistryAction::kVet);

  CLI::App* sign = registry->add_subcommand("sign", "record a signed cooperation agreement");
  AddCommon(sign, flags, at);
  sign->add_option("--code", flags.agreement.code, "agreement code")->required();
  sign->add_option("--org", flags.agreement.organisation, "organisation code")->required();
  sign->add_option("--joint-review-on", flags.joint_review_on, "military-civil joint review")
      ->required();
  sign->add_option("--notice-from", flags.notice_from, "public notice start")->required();
  sign->add_option("--notice-until", flags.notice_until, "public notice end")->required();
  sign->add_option("--signed-on", flags.signed_on, "date signed")->required();
  sign->add_option("--expires-on", flags.expires_on, "date it expires")->required();
  sign->add_option("--modes", flags.modes, "modes covered: emergency|wartime")->required();
  sign->add_option("--reason", flags.reason, "why, for the audit");
  Action(sign, flags, RegistryAction::kSign);

  for (auto [name, help, action] :
       {std::tuple{"suspend", "suspend a team or an organisation", RegistryAction::kSuspend},
        std::tuple{"reinstate", "reinstate a suspended team or organisation",
                   RegistryAction::kReinstate}}) {
    CLI::App* cmd = registry->add_subcommand(name, help);
    AddCommon(cmd, flags, at);
    cmd->add_option("--team", flags.team_code, "team code");
    cmd->add_option("--org", flags.organisation_code, "organisation code");
    cmd->add_option("--reason", flags.reason, "why (required)")->required();
    Action(cmd, flags, action);
  }

  CLI::App* show = registry->add_subcommand(
      "show", "a team or organisation in full, and why it may or may not be dispatched");
  AddCommon(show, flags, at);
  show->add_option("code", flags.target, "team or organisation code")->required();
  show->add_flag("--json", flags.json, "print JSON");
  Action(show, flags, RegistryAction::kShow);

  CLI::App* list = registry->add_subcommand("list", "teams, filtered");
  AddCommon(list, flags, at);
  list->add_option("--tier", flags.filter_tier,
                   "region, prefecture or county (of the organisation)");
  list->add_option("--area", flags.filter_area, "administrative code, or a seat's name (拉萨)");
  list->add_option("--specialty", flags.filter_specialty,
                   "specialty code (medical, transport, ...)");
  list->add_option("--mode", flags.filter_mode,
                   "teams committed to this mode; judged in it (default emergency)");
  list->add_option("--status", flags.filter_status, "active, suspended or withdrawn");
  list->add_flag("--dispatchable", flags.only_dispatchable, "only teams that may be dispatched");
  list->add_flag("--json", flags.json, "print JSON");
  Action(list, flags, RegistryAction::kList);

  CLI::App* publish = registry->add_subcommand(
      "publish", "the registry as published for one tier (no contacts, no personnel)");
  AddCommon(publish, flags, at);
  publish->add_option("--tier", flags.filter_tier, "region, prefecture or county")->required();
  publish->add_option("--area", flags.filter_area, "administrative code, or a seat's name");
  publish->add_option("--format", flags.format, "csv or json (default csv)");
  publish->add_option("--out", flags.out, "write to this file instead of standard output");
  Action(publish, flags, RegistryAction::kPublish);

  CLI::App* exp = registry->add_subcommand(
      "export", "the filing for the national office (JSON; personnel as counts only)");
  AddCommon(exp, flags, at);
  exp->add_option("--out", flags.out, "write to this file instead of standard output");
  Action(exp, flags, RegistryAction::kExport);

  CLI::App* audit = registry->add_subcommand("audit", "every change: who, when, what, why");
  AddCommon(audit, flags, at);
  audit->add_option("--code", flags.audit_code, "only changes to this record");
  audit->add_flag("--json", flags.json, "print JSON");
  Action(audit, flags, RegistryAction::kAudit);

  return registry;
}

}  // namespace baiying::cli
