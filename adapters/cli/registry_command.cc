#include "adapters/cli/registry_command.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <string_view>
#include <type_traits>

#include "adapters/cli/route_command.h"
#include "adapters/loaders/closures_csv.h"
#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/text_reader.h"
#include "engine/registry/eligibility.h"
#include "engine/roads/road_graph.h"

namespace baiying::cli {
namespace {

using nlohmann::json;

// The road network, loaded only by the actions that need place names.
struct Network {
  std::optional<RoadGraph> graph;

  Status Load(const std::filesystem::path& path) {
    if (graph) return Status::Ok();
    Result<loaders::NetworkSpec> spec = loaders::LoadNetworkSpec(path);
    if (!spec.ok()) return spec.status();
    Result<RoadGraph> built = loaders::BuildGraph(std::move(*spec));
    if (!built.ok()) return built.status().WithPrefix(path.string());
    graph.emplace(std::move(built).value());
    return Status::Ok();
  }

  store::PlaceCheck Checker() const {
    return [this](std::string_view place) -> Status {
      Result<PlaceId> found = graph->FindPlace(place);
      if (!found.ok()) return found.status();
      if (graph->place(*found).name != place) {
        return Status::InvalidArgument("home place '" + std::string(place) +
                                       "' must be written as the network names it: '" +
                                       graph->place(*found).name + "'");
      }
      return Status::Ok();
    };
  }

  // The county-level code of a place, or 0.
  std::uint32_t AdcodeOf(std::string_view place) const {
    Result<PlaceId> found = graph->FindPlace(place);
    return found.ok() ? graph->place(*found).adcode : 0;
  }
};

std::uint32_t PrefectureOf(std::uint32_t adcode) {
  return adcode / 100 * 100;
}

// Whether `adcode` lies in `area` (a region, prefecture or county code).
bool InArea(std::uint32_t adcode, std::uint32_t area) {
  if (adcode == 0) return false;
  if (area % 10000 == 0) return adcode / 10000 == area / 10000;
  if (area % 100 == 0) return PrefectureOf(adcode) == area;
  return adcode == area;
}

Result<std::uint32_t> ParseArea(std::string_view text, const Network& network) {
  std::uint32_t code = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (ec == std::errc() && ptr == text.data() + text.size() && code >= 100000 && code <= 999999) {
    return code;
  }
  Result<PlaceId> place = network.graph->FindPlace(text);
  if (!place.ok()) return place.status().WithPrefix("--area");
  const PlaceSpec& p = network.graph->place(*place);
  if (p.adcode == 0) {
    return Status::InvalidArgument("--area: '" + std::string(text) +
                                   "' is not a seat; give a seat's name or an administrative code");
  }
  // A prefecture seat stands for its prefecture; other seats for their county.
  return p.kind == PlaceKind::kPrefectureSeat ? PrefectureOf(p.adcode) : p.adcode;
}

std::uint32_t TeamArea(const Registry& r, TeamId id, const Network& network) {
  const std::uint32_t home = network.AdcodeOf(r.team(id).home_place);
  return home != 0 ? home : r.organisation_of(id).adcode;
}

std::string CapacityText(const Registry& r, const Team& t) {
  std::string out;
  for (const TeamCapacity& c : t.capacities) {
    if (!out.empty()) out += ", ";
    out += r.specialty(c.specialty).code + ":" + std::to_string(c.quantity);
  }
  return out;
}

json VerdictJson(const Verdict& v) {
  json reasons = json::array();
  for (const Hindrance& h : v.hindrances) {
    json j = {{"obstacle", ToString(h.obstacle)}, {"detail", h.detail}};
    if (h.department) j["department"] = ToString(*h.department);
    reasons.push_back(std::move(j));
  }
  return {{"dispatchable", v.dispatchable()}, {"reasons", reasons}};
}

json TeamJson(const Registry& r, TeamId id, Instant now) {
  const Team& t = r.team(id);
  json capacities = json::array();
  for (const TeamCapacity& c : t.capacities) {
    const Specialty& s = r.specialty(c.specialty);
    capacities.push_back({{"specialty", s.code},
                          {"quantity", c.quantity},
                          {"unit", s.unit},
                          {"splittable", c.splittable}});
  }
  json verdicts = json::object();
  for (Mode m : {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime}) {
    verdicts[std::string(ToString(m))] = VerdictJson(r.Judge(id, m, now));
  }
  return {{"code", t.code},
          {"name", t.name},
          {"organisation", r.organisation_of(id).code},
          {"capacities", capacities},
          {"home_place", t.home_place},
          {"mobilization_minutes", t.mobilization_delay.count() / 60000},
          {"modes", ToString(t.modes)},
          {"max_work_elevation_m", t.max_work_elevation_m},
          {"status", ToString(t.status)},
          {"status_reason", t.status_reason},
          {"members", r.members_of(id).size()},
          {"verdicts", verdicts}};
}

std::string ActorName(const RegistryFlags& flags) {
  if (!flags.actor.empty()) return flags.actor;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

store::Actor MakeActor(const RegistryFlags& flags) {
  return {ActorName(flags), flags.now, flags.reason};
}

Result<Instant> DateFlag(const std::string& flag, const std::string& text) {
  Result<Instant> t = store::ParseDate(text);
  if (!t.ok()) return t.status().WithPrefix(flag);
  return t;
}

Result<ModeSet> ModesFlag(const std::string& text) {
  std::optional<ModeSet> modes = ParseModeSet(text);
  if (!modes || modes->empty()) {
    return Status::InvalidArgument("--modes: '" + text +
                                   "' is not a list of peacetime, emergency, wartime");
  }
  return *modes;
}

// The value of an enum flag parsed by `parse` (ParseTier, ParseMode, ...), or InvalidArgument
// "--tier: unknown tier 'x'": the flag's name without its leading "--" names what is unknown.
template <typename Parse>
auto EnumFlag(Parse parse, std::string_view flag, const std::string& text)
    -> Result<typename std::invoke_result_t<Parse, std::string_view>::value_type> {
  if (auto value = parse(text)) return *value;
  return Status::InvalidArgument(std::string(flag) + ": unknown " + std::string(flag.substr(2)) +
                                 " '" + text + "'");
}

// An optional enum flag: nullopt when it is not given, else as EnumFlag.
template <typename Parse>
auto OptionalEnumFlag(Parse parse, std::string_view flag, const std::optional<std::string>& text)
    -> Result<std::invoke_result_t<Parse, std::string_view>> {
  using Value = std::invoke_result_t<Parse, std::string_view>;
  if (!text) return Value();
  auto value = EnumFlag(parse, flag, *text);
  if (!value.ok()) return value.status();
  return Value(*value);
}

int Fail(std::ostream& err, const Status& s, int code = kExitUsage) {
  err << "baiying registry: " << s.message() << "\n";
  return code;
}

int ExitFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
      return kExitDataError;
    default:
      return kExitUsage;
  }
}

// Opens the database. The default database is created and seeded on first use, so that
// `baiying registry list` works on a fresh machine; a database named with --db never is.
Result<store::RegistryStore> OpenStore(const RegistryFlags& flags, Network& network,
                                       std::ostream& err) {
  const bool fresh = !std::filesystem::exists(flags.db);
  const bool seed =
      fresh && !flags.empty && (flags.action == RegistryAction::kInit || !flags.db_given);
  store::StoreOptions options;
  options.must_exist = flags.db_given && flags.action != RegistryAction::kInit;
  Result<store::RegistryStore> opened = store::RegistryStore::Open(flags.db, options);
  if (!opened.ok() || !seed) return opened;
  BAIYING_RETURN_IF_ERROR(network.Load(flags.network));
  store::Actor actor = MakeActor(flags);
  actor.why = "seed registry loaded at first use";
  Result<store::ImportReport> imported =
      opened->Import(DefaultSeedRegistryPath(), actor, network.Checker());
  if (!imported.ok()) {
    std::error_code ec;
    std::filesystem::remove(flags.db, ec);
    return imported.status().WithPrefix("seeding " + flags.db.string());
  }
  err << "baiying registry: created " << flags.db.string() << " with the seed registry ("
      << imported->organisations << " organisations, " << imported->teams << " teams)\n";
  return opened;
}

int Init(store::RegistryStore& store, const RegistryFlags& flags, std::ostream& out) {
  out << flags.db.string() << ": schema version " << store.schema_version() << "\n";
  return kExitOk;
}

int Import(store::RegistryStore& store, const RegistryFlags& flags, Network& network,
           std::ostream& out, std::ostream& err) {
  if (Status s = network.Load(flags.network); !s.ok()) return Fail(err, s, kExitDataError);
  Result<store::ImportReport> r =
      store.Import(flags.import_dir, MakeActor(flags), network.Checker());
  if (!r.ok()) return Fail(err, r.status(), ExitFor(r.status()));
  out << "imported " << r->organisations << " organisations, " << r->teams << " teams, "
      << r->capacities << " capacities, " << r->vetting << " vetting results, " << r->agreements
      << " agreements, " << r->personnel << " personnel cards, " << r->specialties
      << " specialties\n";
  return kExitOk;
}

int EnrollOrganisation(store::RegistryStore& store, RegistryFlags& flags, std::ostream& out,
                       std::ostream& err) {
  Organisation& o = flags.organisation;
  Result<OrganisationKind> kind = EnumFlag(ParseOrganisationKind, "--kind", flags.kind);
  if (!kind.ok()) return Fail(err, kind.status());
  Result<Tier> tier = EnumFlag(ParseTier, "--tier", flags.tier);
  if (!tier.ok()) return Fail(err, tier.status());
  Result<ModeSet> modes = ModesFlag(flags.modes);
  if (!modes.ok()) return Fail(err, modes.status());
  o.kind = *kind;
  o.tier = *tier;
  o.modes = *modes;
  if (Status s = store.AddOrganisation(o, MakeActor(flags)); !s.ok()) {
    return Fail(err, s, ExitFor(s));
  }
  out << "enrolled organisation " << o.code << "\n";
  return kExitOk;
}

int EnrollTeam(store::RegistryStore& store, RegistryFlags& flags, Network& network,
               std::ostream& out, std::ostream& err) {
  store::TeamEntry& t = flags.team;
  Result<ModeSet> modes = ModesFlag(flags.modes);
  if (!modes.ok()) return Fail(err, modes.status());
  t.modes = *modes;
  t.mobilization_delay = std::chrono::minutes(flags.mobilization_minutes);
  for (const std::string& text : flags.capacities) {
    // specialty:quantity[:split]
    const std::size_t first = text.find(':');
    const std::size_t second = first == std::string::npos ? first : text.find(':', first + 1);
    std::uint32_t quantity = 0;
    const std::string number =
        first == std::string::npos ? "" : text.substr(first + 1, second - first - 1);
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), quantity);
    const std::string tail = second == std::string::npos ? "" : text.substr(second + 1);
    if (first == std::string::npos || ec != std::errc() || ptr != number.data() + number.size() ||
        (!tail.empty() && tail != "split")) {
      return Fail(err, Status::InvalidArgument("--capacity '" + text +
                                               "': expected specialty:quantity or "
                                               "specialty:quantity:split"));
    }
    t.capacities.push_back({text.substr(0, first), quantity, tail == "split"});
  }
  if (Status s = network.Load(flags.network); !s.ok()) return Fail(err, s, kExitDataError);
  if (Status s = store.EnrollTeam(t, MakeActor(flags), network.Checker()); !s.ok()) {
    return Fail(err, s, ExitFor(s));
  }
  out << "enrolled team " << t.code << "\n";
  return kExitOk;
}

int Vet(store::RegistryStore& store, RegistryFlags& flags, std::ostream& out, std::ostream& err) {
  store::VettingEntry& v = flags.vetting;
  std::optional<Department> d = ParseDepartment(flags.department);
  if (!d)
    return Fail(err, Status::InvalidArgument("--department: unknown '" + flags.department + "'"));
  if (flags.result != "pass" && flags.result != "fail") {
    return Fail(err, Status::InvalidArgument("--result: expected pass or fail"));
  }
  v.department = *d;
  v.passed = flags.result == "pass";
  v.reason = flags.reason;
  Result<Instant> checked = flags.checked_on.empty()
                                ? Result<Instant>(std::chrono::floor<std::chrono::days>(flags.now))
                                : DateFlag("--checked-on", flags.checked_on);
  if (!checked.ok()) return Fail(err, checked.status());
  Result<Instant> expires = DateFlag("--expires-on", flags.expires_on);
  if (!expires.ok()) return Fail(err, expires.status());
  v.checked_at = *checked;
  v.expires_at = *expires;
  if (Status s = store.RecordVetting(v, MakeActor(flags)); !s.ok()) return Fail(err, s, ExitFor(s));
  out << "recorded " << ToString(v.department) << " vetting of " << v.team << ": " << flags.result
      << ", expires " << FormatDate(v.expires_at) << "\n";
  return kExitOk;
}

int Sign(store::RegistryStore& store, RegistryFlags& flags, std::ostream& out, std::ostream& err) {
  store::AgreementEntry& a = flags.agreement;
  Result<ModeSet> modes = ModesFlag(flags.modes);
  if (!modes.ok()) return Fail(err, modes.status());
  a.modes = *modes;
  for (auto [flag, text, field] :
       {std::tuple{"--joint-review-on", &flags.joint_review_on, &a.joint_review_at},
        std::tuple{"--notice-from", &flags.notice_from, &a.notice_from},
        std::tuple{"--notice-until", &flags.notice_until, &a.notice_until},
        std::tuple{"--signed-on", &flags.signed_on, &a.signed_at},
        std::tuple{"--expires-on", &flags.expires_on, &a.expires_at}}) {
    Result<Instant> t = DateFlag(flag, *text);
    if (!t.ok()) return Fail(err, t.status());
    *field = *t;
  }
  if (Status s = store.SignAgreement(a, MakeActor(flags)); !s.ok()) return Fail(err, s, ExitFor(s));
  out << "signed agreement " << a.code << " with " << a.organisation << " covering "
      << ToString(a.modes) << " until " << FormatDate(a.expires_at) << "\n";
  return kExitOk;
}

int SetStatus(store::RegistryStore& store, const RegistryFlags& flags, RegistryStatus status,
              std::ostream& out, std::ostream& err) {
  if (flags.team_code.empty() == flags.organisation_code.empty()) {
    return Fail(err, Status::InvalidArgument("give exactly one of --team and --org"));
  }
  const bool team = !flags.team_code.empty();
  const std::string& code = team ? flags.team_code : flags.organisation_code;
  if (Status s = store.SetStatus(team ? store::Subject::kTeam : store::Subject::kOrganisation, code,
                                 status, MakeActor(flags));
      !s.ok()) {
    return Fail(err, s, ExitFor(s));
  }
  out << (team ? "team " : "organisation ") << code << " is now " << ToString(status) << "\n";
  return kExitOk;
}

void PrintTeam(const Registry& r, TeamId id, Instant now, std::ostream& out) {
  const Team& t = r.team(id);
  const Organisation& o = r.organisation_of(id);
  out << t.code << "  " << t.name << "\n";
  out << "  organisation  " << o.code << "  " << o.name << " (" << ToString(o.status) << ")\n";
  out << "  capacities    ";
  for (std::size_t i = 0; i < t.capacities.size(); ++i) {
    const Specialty& s = r.specialty(t.capacities[i].specialty);
    out << (i ? ", " : "") << s.code << " " << t.capacities[i].quantity << " " << s.unit
        << (t.capacities[i].splittable ? " (splittable)" : "");
  }
  out << "\n  home          " << t.home_place << "\n";
  out << "  mobilization  " << t.mobilization_delay.count() / 60000 << " min\n";
  out << "  commits to    " << (t.modes.empty() ? "none" : ToString(t.modes)) << "\n";
  out << "  fit up to     " << t.max_work_elevation_m << " m\n";
  out << "  status        " << ToString(t.status)
      << (t.status_reason.empty() ? "" : " (" + t.status_reason + ")") << "\n";
  out << "  members       " << r.members_of(id).size() << " personnel cards\n";
  out << "  vetting\n";
  for (const VettingResult& v : r.vetting_of(id)) {
    out << "    " << ToString(v.department) << " " << ChineseName(v.department) << ": "
        << (v.passed ? "pass" : "FAIL") << " on " << FormatDate(v.checked_at) << ", expires "
        << FormatDate(v.expires_at) << (v.reason.empty() ? "" : " (" + v.reason + ")") << "\n";
  }
  out << "  dispatchable as of " << FormatDate(now) << "\n";
  for (Mode m : {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime}) {
    const Verdict v = r.Judge(id, m, now);
    out << "    " << ToString(m) << ": " << (v.dispatchable() ? "yes" : "no") << "\n";
    for (const Hindrance& h : v.hindrances)
      out << "      - " << h.detail << "\n";
  }
}

void PrintOrganisation(const Registry& r, OrganisationId id, Instant now, std::ostream& out) {
  const Organisation& o = r.organisation(id);
  out << o.code << "  " << o.name << "\n";
  out << "  kind          " << ToString(o.kind) << ", " << o.industry << "\n";
  out << "  tier          " << ToString(o.tier) << " (area " << o.adcode << ")\n";
  out << "  contact       " << o.contact_name << " " << o.contact_phone << "\n";
  out << "  commits to    " << ToString(o.modes) << ", response within " << o.response_minutes
      << " min\n";
  out << "  status        " << ToString(o.status)
      << (o.status_reason.empty() ? "" : " (" + o.status_reason + ")") << "\n";
  out << "  agreements\n";
  for (const Agreement& a : r.agreements_of(id)) {
    out << "    " << a.code << ": " << ToString(a.modes) << ", signed " << FormatDate(a.signed_at)
        << ", expires " << FormatDate(a.expires_at)
        << (a.signed_at <= now && now < a.expires_at ? " (in force)" : " (not in force)") << "\n";
  }
  out << "  teams\n";
  for (TeamId t : r.teams_of(id)) {
    const Verdict v = r.Judge(t, Mode::kEmergency, now);
    out << "    " << r.team(t).code << "  " << r.team(t).name << "  "
        << (v.dispatchable() ? "dispatchable in emergency" : "not dispatchable in emergency")
        << "\n";
  }
}

int Show(const Registry& r, const RegistryFlags& flags, std::ostream& out, std::ostream& err) {
  if (Result<TeamId> team = r.FindTeam(flags.target); team.ok()) {
    if (flags.json) {
      out << TeamJson(r, *team, flags.now).dump(2) << "\n";
    } else {
      PrintTeam(r, *team, flags.now, out);
    }
    return kExitOk;
  }
  Result<OrganisationId> org = r.FindOrganisation(flags.target);
  if (!org.ok()) {
    return Fail(err, Status::NotFound("no team or organisation with code '" + flags.target + "'"));
  }
  if (flags.json) {
    const Organisation& o = r.organisation(*org);
    json teams = json::array();
    for (TeamId t : r.teams_of(*org))
      teams.push_back(TeamJson(r, t, flags.now));
    out << json{{"code", o.code},
                {"name", o.name},
                {"kind", ToString(o.kind)},
                {"tier", ToString(o.tier)},
                {"adcode", o.adcode},
                {"status", ToString(o.status)},
                {"teams", teams}}
               .dump(2)
        << "\n";
  } else {
    PrintOrganisation(r, *org, flags.now, out);
  }
  return kExitOk;
}

int List(const Registry& r, const RegistryFlags& flags, Network& network, std::ostream& out,
         std::ostream& err) {
  Result<std::optional<Tier>> tier_flag = OptionalEnumFlag(ParseTier, "--tier", flags.filter_tier);
  if (!tier_flag.ok()) return Fail(err, tier_flag.status());
  const std::optional<Tier> tier = *tier_flag;
  Result<std::optional<Mode>> mode_flag = OptionalEnumFlag(ParseMode, "--mode", flags.filter_mode);
  if (!mode_flag.ok()) return Fail(err, mode_flag.status());
  const std::optional<Mode> mode = *mode_flag;
  std::optional<SpecialtyId> specialty;
  if (flags.filter_specialty) {
    Result<SpecialtyId> s = r.FindSpecialty(*flags.filter_specialty);
    if (!s.ok()) return Fail(err, s.status().WithPrefix("--specialty"));
    specialty = *s;
  }
  Result<std::optional<RegistryStatus>> status_flag =
      OptionalEnumFlag(ParseRegistryStatus, "--status", flags.filter_status);
  if (!status_flag.ok()) return Fail(err, status_flag.status());
  const std::optional<RegistryStatus> status = *status_flag;
  if (Status s = network.Load(flags.network); !s.ok()) return Fail(err, s, kExitDataError);
  std::optional<std::uint32_t> area;
  if (flags.filter_area) {
    Result<std::uint32_t> a = ParseArea(*flags.filter_area, network);
    if (!a.ok()) return Fail(err, a.status());
    area = *a;
  }
  const Mode judged_mode = mode.value_or(Mode::kEmergency);

  json rows = json::array();
  std::size_t shown = 0;
  for (const Team& t : r.teams()) {
    const Organisation& o = r.organisation(t.organisation);
    if (tier && o.tier != *tier) continue;
    if (specialty && r.Capacity(t.id, *specialty) == 0) continue;
    if (mode && !t.modes.Has(*mode) && !flags.only_dispatchable) continue;
    if (status && t.status != *status) continue;
    if (area && !InArea(TeamArea(r, t.id, network), *area)) continue;
    const Verdict v = r.Judge(t.id, judged_mode, flags.now);
    if (flags.only_dispatchable && !v.dispatchable()) continue;
    ++shown;
    if (flags.json) {
      rows.push_back(TeamJson(r, t.id, flags.now));
      continue;
    }
    out << t.code << "  " << t.name << "  [" << CapacityText(r, t) << "]  " << t.home_place << "  "
        << ToString(t.modes) << "  ";
    if (v.dispatchable()) {
      out << "dispatchable in " << ToString(judged_mode);
    } else {
      out << "not dispatchable in " << ToString(judged_mode) << ": " << v.hindrances[0].detail;
      if (v.hindrances.size() > 1) out << " (+" << v.hindrances.size() - 1 << " more)";
    }
    out << "\n";
  }
  if (flags.json) {
    out << rows.dump(2) << "\n";
  } else {
    out << shown << " team(s) as of " << FormatDate(flags.now) << "\n";
  }
  return kExitOk;
}

// What the policy publishes: organisations and teams of one tier that are listed (active and
// passing every department's vetting), with their services and commitments. Never contacts,
// personnel, vetting details or examiners.
int Publish(const Registry& r, const RegistryFlags& flags, Network& network, std::ostream& out,
            std::ostream& err) {
  if (!flags.filter_tier) return Fail(err, Status::InvalidArgument("publish needs --tier"));
  Result<Tier> tier = EnumFlag(ParseTier, "--tier", *flags.filter_tier);
  if (!tier.ok()) return Fail(err, tier.status());
  if (flags.format != "csv" && flags.format != "json") {
    return Fail(err, Status::InvalidArgument("--format: expected csv or json"));
  }
  if (Status s = network.Load(flags.network); !s.ok()) return Fail(err, s, kExitDataError);
  std::optional<std::uint32_t> area;
  if (flags.filter_area) {
    Result<std::uint32_t> a = ParseArea(*flags.filter_area, network);
    if (!a.ok()) return Fail(err, a.status());
    area = *a;
  }
  auto listed = [&](TeamId id) {
    const Verdict v = r.Judge(id, Mode::kPeacetime, flags.now);
    for (const Hindrance& h : v.hindrances) {
      if (h.obstacle != Obstacle::kModeNotCommitted) return false;
    }
    return true;
  };
  std::ostringstream text;
  json orgs = json::array();
  if (flags.format == "csv") {
    text << "tier,area,organisation_code,organisation,kind,industry,service_content,measures,"
            "commitments,modes,response_minutes,team_code,team,specialties,home_place,team_modes\n";
  }
  for (const Organisation& o : r.organisations()) {
    if (o.tier != *tier || o.status != RegistryStatus::kActive) continue;
    if (area && !InArea(o.adcode, *area)) continue;
    json teams = json::array();
    for (TeamId id : r.teams_of(o.id)) {
      if (!listed(id)) continue;
      const Team& t = r.team(id);
      if (flags.format == "csv") {
        text << ToString(o.tier) << "," << o.adcode << "," << loaders::CsvField(o.code) << ","
             << loaders::CsvField(o.name) << "," << ToString(o.kind) << ","
             << loaders::CsvField(o.industry) << "," << loaders::CsvField(o.service_content) << ","
             << loaders::CsvField(o.measures) << "," << loaders::CsvField(o.commitments) << ","
             << ToString(o.modes) << "," << o.response_minutes << "," << loaders::CsvField(t.code)
             << "," << loaders::CsvField(t.name) << "," << loaders::CsvField(CapacityText(r, t))
             << "," << loaders::CsvField(t.home_place) << "," << ToString(t.modes) << "\n";
      } else {
        json caps = json::array();
        for (const TeamCapacity& c : t.capacities) {
          caps.push_back({{"specialty", r.specialty(c.specialty).code},
                          {"name_zh", r.specialty(c.specialty).name_zh},
                          {"quantity", c.quantity},
                          {"unit", r.specialty(c.specialty).unit}});
        }
        teams.push_back({{"code", t.code},
                         {"name", t.name},
                         {"capacities", caps},
                         {"home_place", t.home_place},
                         {"modes", ToString(t.modes)}});
      }
    }
    if (flags.format == "json" && !teams.empty()) {
      orgs.push_back({{"code", o.code},
                      {"name", o.name},
                      {"kind", ToString(o.kind)},
                      {"industry", o.industry},
                      {"tier", ToString(o.tier)},
                      {"area", o.adcode},
                      {"service_content", o.service_content},
                      {"measures", o.measures},
                      {"commitments", o.commitments},
                      {"modes", ToString(o.modes)},
                      {"response_minutes", o.response_minutes},
                      {"teams", teams}});
    }
  }
  if (flags.format == "json") {
    text << json{{"registry", "社会拥军名录"},
                 {"tier", ToString(*tier)},
                 {"as_of", FormatDate(flags.now)},
                 {"organisations", orgs}}
                .dump(2)
         << "\n";
  }
  if (flags.out) {
    std::ofstream file(*flags.out, std::ios::binary);
    file << text.str();
    if (!file.good()) {
      return Fail(err, Status::Unavailable("cannot write " + flags.out->string()), kExitDataError);
    }
  } else {
    out << text.str();
  }
  return kExitOk;
}

// The filing for the national office: every organisation with its contacts, agreements and
// teams, each team's vetting by department and the size of its personnel (counts only: no
// person's name or card leaves the registry this way).
int Export(const Registry& r, const RegistryFlags& flags, std::ostream& out, std::ostream& err) {
  json orgs = json::array();
  for (const Organisation& o : r.organisations()) {
    json agreements = json::array();
    for (const Agreement& a : r.agreements_of(o.id)) {
      agreements.push_back({{"code", a.code},
                            {"joint_review_on", FormatDate(a.joint_review_at)},
                            {"notice_from", FormatDate(a.notice_from)},
                            {"notice_until", FormatDate(a.notice_until)},
                            {"signed_on", FormatDate(a.signed_at)},
                            {"expires_on", FormatDate(a.expires_at)},
                            {"modes", ToString(a.modes)}});
    }
    json teams = json::array();
    for (TeamId id : r.teams_of(o.id)) {
      json team = TeamJson(r, id, flags.now);
      json vetting = json::array();
      for (const VettingResult& v : r.vetting_of(id)) {
        vetting.push_back({{"department", ToString(v.department)},
                           {"checked_on", FormatDate(v.checked_at)},
                           {"expires_on", FormatDate(v.expires_at)},
                           {"passed", v.passed},
                           {"reason", v.reason}});
      }
      std::size_t veterans = 0;
      for (PersonId p : r.members_of(id))
        veterans += r.personnel()[p.value()].veteran ? 1 : 0;
      team["vetting"] = vetting;
      team["personnel"] = {{"cards", r.members_of(id).size()}, {"veterans", veterans}};
      team.erase("members");
      teams.push_back(std::move(team));
    }
    orgs.push_back({{"code", o.code},
                    {"name", o.name},
                    {"kind", ToString(o.kind)},
                    {"industry", o.industry},
                    {"tier", ToString(o.tier)},
                    {"area", o.adcode},
                    {"contact", {{"name", o.contact_name}, {"phone", o.contact_phone}}},
                    {"service_content", o.service_content},
                    {"measures", o.measures},
                    {"commitments", o.commitments},
                    {"modes", ToString(o.modes)},
                    {"response_minutes", o.response_minutes},
                    {"status", ToString(o.status)},
                    {"status_reason", o.status_reason},
                    {"agreements", agreements},
                    {"teams", teams}});
  }
  const std::string text = json{{"filing", "社会拥军名录 (support registry) filing"},
                                {"as_of", FormatDate(flags.now)},
                                {"organisations", orgs}}
                               .dump(2) +
                           "\n";
  if (flags.out) {
    std::ofstream file(*flags.out, std::ios::binary);
    file << text;
    if (!file.good()) {
      return Fail(err, Status::Unavailable("cannot write " + flags.out->string()), kExitDataError);
    }
    out << "wrote the filing of " << r.organisations().size() << " organisations to "
        << flags.out->string() << "\n";
  } else {
    out << text;
  }
  return kExitOk;
}

int Audit(const store::RegistryStore& store, const RegistryFlags& flags, std::ostream& out,
          std::ostream& err) {
  Result<std::vector<store::AuditEntry>> rows = store.Audit(flags.audit_code);
  if (!rows.ok()) return Fail(err, rows.status(), ExitFor(rows.status()));
  json j = json::array();
  for (const store::AuditEntry& a : *rows) {
    if (flags.json) {
      j.push_back({{"seq", a.seq},
                   {"at", loaders::FormatIsoInstant(a.at)},
                   {"who", a.who},
                   {"action", a.action},
                   {"entity", a.entity},
                   {"code", a.code},
                   {"detail", a.detail},
                   {"why", a.why}});
    } else {
      out << a.seq << "  " << loaders::FormatIsoInstant(a.at) << "  " << a.who << "  " << a.action
          << " " << a.entity << " " << a.code << "  " << a.detail
          << (a.why.empty() ? "" : "  (" + a.why + ")") << "\n";
    }
  }
  if (flags.json) out << j.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

Result<store::RegistryStore> OpenRegistryStore(const RegistryFlags& flags, std::ostream& err) {
  Network network;
  return OpenStore(flags, network, err);
}

std::filesystem::path DefaultDatabasePath() {
  if (const char* db = std::getenv("BAIYING_DB"); db != nullptr && *db != '\0') return db;
  return "baiying.db";
}

std::filesystem::path DefaultSeedRegistryPath() {
  return DefaultNetworkPath() / "registry";
}

int RunRegistry(RegistryFlags flags, std::ostream& out, std::ostream& err) {
  if (flags.network.empty()) flags.network = DefaultNetworkPath();
  Network network;
  Result<store::RegistryStore> store = OpenStore(flags, network, err);
  if (!store.ok()) {
    return Fail(
        err, store.status(),
        store.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitDataError);
  }

  switch (flags.action) {
    case RegistryAction::kInit:
      return Init(*store, flags, out);
    case RegistryAction::kImport:
      return Import(*store, flags, network, out, err);
    case RegistryAction::kEnrollOrganisation:
      return EnrollOrganisation(*store, flags, out, err);
    case RegistryAction::kEnrollTeam:
      return EnrollTeam(*store, flags, network, out, err);
    case RegistryAction::kVet:
      return Vet(*store, flags, out, err);
    case RegistryAction::kSign:
      return Sign(*store, flags, out, err);
    case RegistryAction::kSuspend:
      return SetStatus(*store, flags, RegistryStatus::kSuspended, out, err);
    case RegistryAction::kReinstate:
      return SetStatus(*store, flags, RegistryStatus::kActive, out, err);
    case RegistryAction::kAudit:
      return Audit(*store, flags, out, err);
    default:
      break;
  }

  Result<Registry> registry = store->Load();
  if (!registry.ok()) return Fail(err, registry.status(), kExitDataError);
  switch (flags.action) {
    case RegistryAction::kShow:
      return Show(*registry, flags, out, err);
    case RegistryAction::kList:
      return List(*registry, flags, network, out, err);
    case RegistryAction::kPublish:
      return Publish(*registry, flags, network, out, err);
    case RegistryAction::kExport:
      return Export(*registry, flags, out, err);
    default:
      break;
  }
  return Fail(err, Status::Internal("unhandled registry action"), kExitDataError);
}

}  // namespace baiying::cli

namespace baiying::cli {

Result<Ground> LoadGround(const std::filesystem::path& network, const std::filesystem::path& db,
                          bool db_given, Instant now, std::ostream& err) {
  const std::filesystem::path network_path = network.empty() ? DefaultNetworkPath() : network;
  Result<loaders::NetworkSpec> spec = loaders::LoadNetworkSpec(network_path);
  if (!spec.ok()) return spec.status();
  Result<RoadGraph> graph = loaders::BuildGraph(std::move(*spec));
  if (!graph.ok()) return graph.status();

  RegistryFlags registry_flags;
  registry_flags.action = RegistryAction::kList;
  if (db_given) {
    registry_flags.db = db;
    registry_flags.db_given = true;
  }
  registry_flags.network = network_path;
  registry_flags.now = now;
  Result<store::RegistryStore> store = OpenRegistryStore(registry_flags, err);
  if (!store.ok()) return store.status();
  Result<Registry> registry = store->Load();
  if (!registry.ok()) return registry.status();
  return Ground{network_path, std::move(graph).value(), registry_flags.db,
                std::move(registry).value()};
}

}  // namespace baiying::cli
