#include "adapters/drill/scenario.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "adapters/drill/surge.h"
#include "adapters/loaders/closures_csv.h"
#include "adapters/store/registry_store.h"

namespace baiying::drill {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;

struct ScenarioFile::Locations {
  TextFormat::ParseInfoTree tree;
};

ScenarioFile::ScenarioFile(ScenarioFile&&) noexcept = default;
ScenarioFile& ScenarioFile::operator=(ScenarioFile&&) noexcept = default;
ScenarioFile::~ScenarioFile() = default;

namespace {

// Collects the text-format parser's complaints as "FILE:LINE:COL: message".
class Collector final : public google::protobuf::io::ErrorCollector {
 public:
  explicit Collector(std::string file) : file_(std::move(file)) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!first_.empty()) return;
    first_ =
        file_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& first() const { return first_; }

 private:
  std::string file_;
  std::string first_;
};

}  // namespace

Result<ScenarioFile> ScenarioFile::Read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot read the scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  ScenarioFile file;
  file.path_ = path;
  file.locations_ = std::make_unique<Locations>();
  Collector collector(path.string());
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&file.locations_->tree);
  if (!parser.ParseFromString(text.str(), &file.scenario_)) {
    return Status::InvalidArgument(collector.first().empty() ? path.string() + ": cannot parse"
                                                             : collector.first());
  }
  return file;
}

Ground ResolveGround(const ScenarioFile& file, const std::filesystem::path& default_network) {
  const std::filesystem::path folder = file.path().parent_path();
  const auto& g = file.scenario().ground();
  Ground ground;
  ground.network = g.network().empty() ? default_network : folder / g.network();
  ground.registry = g.registry().empty() ? ground.network / "registry" : folder / g.registry();
  return ground;
}

Result<Registry> LoadRegistry(const std::filesystem::path& registry, const RoadGraph& graph) {
  if (std::filesystem::is_regular_file(registry)) {
    store::StoreOptions options;
    options.must_exist = true;
    Result<store::RegistryStore> opened = store::RegistryStore::Open(registry, options);
    if (!opened.ok()) return opened.status();
    return opened->Load();
  }
  // A scratch database, so that the import checks everything the store checks; removed at once.
  static int counter = 0;
  const std::filesystem::path scratch =
      std::filesystem::temp_directory_path() /
      ("baiying-drill-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".db");
  struct Remove {
    std::filesystem::path path;
    ~Remove() {
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path.string() + suffix, ec);
    }
  } remove{scratch};
  Result<store::RegistryStore> opened = store::RegistryStore::Open(scratch);
  if (!opened.ok()) return opened.status();
  store::Actor actor{"drill", Instant{}, "registry for a drill"};
  store::PlaceCheck check = [&graph](std::string_view place) -> Status {
    Result<PlaceId> found = graph.FindPlace(place);
    return found.ok() ? Status::Ok() : found.status();
  };
  Result<store::ImportReport> imported = opened->Import(registry, actor, check);
  if (!imported.ok()) return imported.status();
  return opened->Load();
}

namespace {

// A field of the scenario: its path ("timeline[3].submit.need[0].specialty") and where it
// stood in the file.
class Loc {
 public:
  // `file` names the file in errors, `name` (its file name alone) in reports.
  Loc(const std::string* file, const std::string* name, const TextFormat::ParseInfoTree* tree,
      const Descriptor* desc)
      : file_(file), name_(name), tree_(tree), desc_(desc) {}

  Loc Field(std::string_view name, int index = -1) const {
    const FieldDescriptor* f =
        desc_ == nullptr ? nullptr : desc_->FindFieldByName(std::string(name));
    Loc child(file_, name_, nullptr, f == nullptr ? nullptr : f->message_type());
    child.path_ = path_.empty() ? std::string(name) : path_ + "." + std::string(name);
    if (index >= 0) child.path_ += "[" + std::to_string(index) + "]";
    child.line_ = line_;
    child.column_ = column_;
    if (tree_ != nullptr && f != nullptr) {
      const int i = f->is_repeated() ? index : -1;
      if (!f->is_repeated() || index >= 0) {
        const TextFormat::ParseLocation at = tree_->GetLocation(f, i);
        if (at.line >= 0) {
          child.line_ = at.line;
          child.column_ = at.column;
        }
        if (f->message_type() != nullptr) child.tree_ = tree_->GetTreeForNested(f, i);
      }
    }
    return child;
  }

  Status Error(std::string_view message) const {
    return Status::InvalidArgument(Position() + ": " + path_ + ": " + std::string(message));
  }
  Status Wrap(const Status& s) const { return Error(s.message()); }
  std::string Where() const { return *name_ + ":" + std::to_string(line_ + 1); }
  const std::string& path() const { return path_; }

 private:
  std::string Position() const {
    return *file_ + ":" + std::to_string(line_ + 1) + ":" + std::to_string(column_ + 1);
  }
  const std::string* file_;
  const std::string* name_;
  const TextFormat::ParseInfoTree* tree_;
  const Descriptor* desc_;
  std::string path_;
  int line_ = 0, column_ = 0;
};

RegistryData CopyData(const Registry& registry) {
  RegistryData data;
  data.specialties = registry.specialties();
  data.organisations = registry.organisations();
  data.teams = registry.teams();
  data.personnel = registry.personnel();
  for (const Team& t : registry.teams()) {
    const auto v = registry.vetting_of(t.id);
    data.vetting.insert(data.vetting.end(), v.begin(), v.end());
  }
  for (const Organisation& o : registry.organisations()) {
    const auto a = registry.agreements_of(o.id);
    data.agreements.insert(data.agreements.end(), a.begin(), a.end());
  }
  return data;
}

std::string LinesText(const std::vector<RequestLine>& lines) {
  std::string s;
  for (const RequestLine& l : lines)
    s += (s.empty() ? "" : ", ") + l.specialty + " x" + std::to_string(l.quantity);
  return s;
}

class Compiler {
 public:
  Compiler(const ScenarioFile& file, const RoadGraph& graph, const Registry& registry)
      : file_(file),
        file_name_(file.path().string()),
        short_name_(file.path().filename().string()),
        graph_(graph),
        registry_(registry),
        root_(&file_name_, &short_name_, &file.locations().tree,
              drill::v1::Scenario::descriptor()) {
    for (const Specialty& s : registry.specialties())
      known_specialties_ += (known_specialties_.empty() ? "" : ", ") + s.code;
  }

  Result<CompiledDrill> Run() {
    const drill::v1::Scenario& s = file_.scenario();
    plan_.name = s.name().empty() ? file_.path().stem().string() : s.name();
    plan_.description = s.description();
    plan_.file = file_.path().filename().string();
    if (s.start().empty()) {
      plan_.start = *loaders::ParseIsoInstant("2026-11-01T00:00:00Z");
    } else {
      Result<Instant> start = loaders::ParseIsoInstant(s.start());
      if (!start.ok()) return root_.Field("start").Wrap(start.status());
      plan_.start = *start;
    }

    RegistryData data = CopyData(registry_);
    bool snapshot_changed = false;
    PlannedStep at_start;
    at_start.what = "registry changes for this drill";
    for (int i = 0; i < s.registry_change_size(); ++i) {
      Result<bool> changed =
          RegistryChange(s.registry_change(i), root_.Field("registry_change", i), data, at_start);
      if (!changed.ok()) return changed.status();
      snapshot_changed = snapshot_changed || *changed;
    }
    if (!at_start.commands.empty()) {
      at_start.where = root_.Field("registry_change", 0).Where();
      plan_.steps.push_back(std::move(at_start));
    }

    Duration last{0};
    for (int i = 0; i < s.timeline_size(); ++i) {
      const Loc loc = root_.Field("timeline", i);
      Result<Duration> at = Offset(s.timeline(i).at(), loc.Field("at"), true);
      if (!at.ok()) return at.status();
      if (*at < last) {
        return loc.Field("at").Error("steps out of order: " + FormatOffset(*at) +
                                     " comes after a step at " + FormatOffset(last));
      }
      last = *at;
      BAIYING_RETURN_IF_ERROR(Step(s.timeline(i), loc, *at));
    }

    Duration latest = last;
    for (int i = 0; i < s.expect_size(); ++i) {
      Result<Expectation> e = ExpectationOf(s.expect(i), root_.Field("expect", i));
      if (!e.ok()) return e.status();
      plan_.expectations.push_back(std::move(e).value());
    }
    for (Duration c : checkpoints_)
      latest = std::max(latest, c);
    if (s.end().empty()) {
      plan_.end = latest;
    } else {
      Result<Duration> end = Offset(s.end(), root_.Field("end"), true);
      if (!end.ok()) return end.status();
      if (*end < latest) {
        return root_.Field("end").Error("the drill ends at " + FormatOffset(*end) +
                                        ", before a step or expectation at " +
                                        FormatOffset(latest));
      }
      plan_.end = *end;
    }
    // Expectations judged "at the end" look at the end.
    for (Expectation& e : plan_.expectations) {
      std::visit(
          [&](auto& c) {
            using C = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<C, ShortfallCheck> || std::is_same_v<C, UnmetCheck>) {
              if (c.at == kAtEnd) c.at = plan_.end;
            }
          },
          e.check);
    }
    checkpoints_.insert(plan_.end);
    checkpoints_.erase(kAtEnd);
    plan_.checkpoints.assign(checkpoints_.begin(), checkpoints_.end());

    CompiledDrill out;
    if (snapshot_changed) {
      Result<Registry> rebuilt = Registry::Build(std::move(data));
      if (!rebuilt.ok()) return rebuilt.status().WithPrefix(file_name_ + ": registry_change");
      out.registry = std::make_shared<const Registry>(std::move(rebuilt).value());
    } else {
      out.registry = std::make_shared<const Registry>(registry_);
    }
    out.plan = std::move(plan_);
    return out;
  }

 private:
  static constexpr Duration kAtEnd = Duration(-1);

  Result<Duration> Offset(const std::string& text, const Loc& loc, bool required) {
    if (text.empty() && !required) return kAtEnd;
    if (text.empty()) return loc.Error("required: a time such as \"0m\" or \"1h30m\"");
    Result<Duration> d = ParseOffset(text);
    if (!d.ok()) return loc.Wrap(d.status());
    return *d;
  }

  Result<PlaceId> PlaceOf(const std::string& name, const Loc& loc) {
    if (name.empty()) return loc.Error("required: a place of the network");
    Result<PlaceId> p = graph_.FindPlace(name);
    if (!p.ok()) return loc.Wrap(p.status());
    return *p;
  }

  Status CheckSpecialty(const std::string& code, const Loc& loc) {
    if (code.empty()) return loc.Error("required: a specialty (known: " + known_specialties_ + ")");
    if (!registry_.FindSpecialty(code).ok()) {
      return loc.Error("unknown specialty '" + code + "' (known: " + known_specialties_ + ")");
    }
    return Status::Ok();
  }

  Result<TeamId> TeamOf(const std::string& code, const Loc& loc) {
    if (code.empty()) return loc.Error("required: a team code (TM-LS-MED-001)");
    Result<TeamId> t = registry_.FindTeam(code);
    if (!t.ok()) return loc.Error("no team '" + code + "' in the registry");
    return *t;
  }

  Result<Priority> PriorityOf(const std::string& text, const Loc& loc) {
    if (text.empty()) return Priority::kUrgent;
    std::optional<Priority> p = ParsePriority(text);
    if (!p) return loc.Error("unknown priority '" + text + "' (routine, urgent, critical, flash)");
    return *p;
  }

  Result<Mode> ModeOf(const std::string& text, const Loc& loc) {
    if (text.empty()) return Mode::kEmergency;
    std::optional<Mode> m = ParseMode(text);
    if (!m) return loc.Error("unknown mode '" + text + "' (peacetime, emergency, wartime)");
    return *m;
  }

  Status KnownRequest(const std::string& id, const Loc& loc) {
    if (id.empty()) return loc.Error("required: a request id");
    if (!requests_.contains(id)) return loc.Error("no request '" + id + "' before this step");
    return Status::Ok();
  }

  Status NewRequest(const std::string& id, const Loc& loc) {
    if (id.empty()) return loc.Error("required: a request id");
    if (id.back() == '*') return loc.Error("a request id must not end in '*'");
    if (!requests_.emplace(id, std::vector<RequestLine>{}).second) {
      return loc.Error("request '" + id + "' is submitted twice");
    }
    order_.push_back(id);
    return Status::Ok();
  }

  // Returns whether the registry snapshot changed.
  Result<bool> RegistryChange(const drill::v1::RegistryChange& c, const Loc& loc,
                              RegistryData& data, PlannedStep& at_start) {
    Result<TeamId> team = TeamOf(c.team(), loc.Field("team"));
    if (!team.ok()) return team.status();
    baiying::Team& t = data.teams[team->value()];
    const std::string reason = c.reason().empty() ? "changed for the drill" : c.reason();
    using C = drill::v1::RegistryChange;
    switch (c.change_case()) {
      case C::kSuspend:
        if (c.reason().empty()) return loc.Field("reason").Error("required for suspend");
        at_start.commands.push_back(SetTeamSuspended{c.team(), true, c.reason()});
        return false;
      case C::kOffDuty:
        at_start.commands.push_back(SetTeamOnDuty{c.team(), false});
        return false;
      case C::kMoveHome: {
        Result<PlaceId> p = PlaceOf(c.move_home(), loc.Field("move_home"));
        if (!p.ok()) return p.status();
        t.home_place = graph_.place(*p).name;
        return true;
      }
      case C::kExpireVetting: {
        std::optional<Department> only;
        if (c.expire_vetting() != "all") {
          only = ParseDepartment(c.expire_vetting());
          if (!only) {
            std::string known;
            for (Department d : kAllDepartments)
              known += std::string(ToString(d)) + ", ";
            return loc.Field("expire_vetting")
                .Error("unknown department '" + c.expire_vetting() + "' (" + known + "or all)");
          }
        }
        for (Department d : kAllDepartments) {
          if (only && *only != d) continue;
          VettingResult* latest = nullptr;
          for (VettingResult& v : data.vetting) {
            if (v.team == *team && v.department == d &&
                (latest == nullptr || v.checked_at > latest->checked_at)) {
              latest = &v;
            }
          }
          if (latest != nullptr) latest->expires_at = plan_.start - std::chrono::days(1);
        }
        return true;
      }
      case C::kWithdraw:
        if (c.reason().empty()) return loc.Field("reason").Error("required for withdraw");
        t.status = RegistryStatus::kWithdrawn;
        t.status_reason = reason;
        return true;
      case C::CHANGE_NOT_SET:
        break;
    }
    return loc.Error("no change given (suspend, off_duty, move_home, expire_vetting or withdraw)");
  }

  Status Step(const drill::v1::Step& step, const Loc& loc, Duration at) {
    PlannedStep planned;
    planned.at = at;
    planned.note = step.note();
    planned.where = loc.Where();
    const Instant when = plan_.start + at;
    using S = drill::v1::Step;
    switch (step.action_case()) {
      case S::kSubmit: {
        const auto& m = step.submit();
        const Loc l = loc.Field("submit");
        BAIYING_RETURN_IF_ERROR(NewRequest(m.id(), l.Field("id")));
        SubmitRequest r;
        r.request_id = m.id();
        Result<PlaceId> place = PlaceOf(m.place(), l.Field("place"));
        if (!place.ok()) return place.status();
        r.place = *place;
        r.unit = m.unit().empty() ? "unit at " + graph_.place(*place).name : m.unit();
        Result<Priority> priority = PriorityOf(m.priority(), l.Field("priority"));
        if (!priority.ok()) return priority.status();
        r.priority = *priority;
        Result<Mode> mode = ModeOf(m.mode(), l.Field("mode"));
        if (!mode.ok()) return mode.status();
        r.mode = *mode;
        Result<Duration> deadline = m.deadline().empty()
                                        ? Result<Duration>(Duration(std::chrono::hours(6)))
                                        : Offset(m.deadline(), l.Field("deadline"), true);
        if (!deadline.ok()) return deadline.status();
        r.deadline = when + *deadline;
        if (m.need_size() == 0) return l.Field("need").Error("required: at least one need");
        for (int k = 0; k < m.need_size(); ++k) {
          const Loc n = l.Field("need", k);
          BAIYING_RETURN_IF_ERROR(CheckSpecialty(m.need(k).specialty(), n.Field("specialty")));
          if (m.need(k).quantity() <= 0) {
            return n.Field("quantity")
                .Error("must be positive, not " + std::to_string(m.need(k).quantity()));
          }
          r.lines.push_back(
              {m.need(k).specialty(), static_cast<std::uint32_t>(m.need(k).quantity())});
        }
        requests_[r.request_id] = r.lines;
        planned.what = "submit " + r.request_id + " at " + graph_.place(*place).name + " (" +
                       std::string(ToString(r.priority)) + ", " + std::string(ToString(r.mode)) +
                       ", within " + FormatSpan(*deadline) + "): " + LinesText(r.lines);
        planned.commands.push_back(std::move(r));
        break;
      }
      case S::kSurge: {
        Result<SurgeSpec> spec = Surge(step.surge(), loc.Field("surge"));
        if (!spec.ok()) return spec.status();
        std::vector<SubmitRequest> requests = GenerateSurge(*spec, when);
        for (const SubmitRequest& r : requests) {
          BAIYING_RETURN_IF_ERROR(NewRequest(r.request_id, loc.Field("surge").Field("id_prefix")));
          requests_[r.request_id] = r.lines;
        }
        planned.what = "surge of " + std::to_string(requests.size()) + " requests " +
                       requests.front().request_id + ".." + requests.back().request_id + " (" +
                       std::string(ToString(spec->mode)) + ", seed " + std::to_string(spec->seed) +
                       ")";
        planned.commands.push_back(SubmitBatch{std::move(requests)});
        break;
      }
      case S::kCancel: {
        const Loc l = loc.Field("cancel");
        BAIYING_RETURN_IF_ERROR(KnownRequest(step.cancel().request(), l.Field("request")));
        const std::string reason =
            step.cancel().reason().empty() ? "cancelled in the drill" : step.cancel().reason();
        planned.what = "cancel " + step.cancel().request() + ": " + reason;
        planned.commands.push_back(CancelRequest{step.cancel().request(), reason});
        break;
      }
      case S::kAcknowledge:
      case S::kDecline: {
        const bool ack = step.action_case() == S::kAcknowledge;
        const auto& m = ack ? step.acknowledge() : step.decline();
        const Loc l = loc.Field(ack ? "acknowledge" : "decline");
        if (Result<TeamId> t = TeamOf(m.team(), l.Field("team")); !t.ok()) return t.status();
        BAIYING_RETURN_IF_ERROR(KnownRequest(m.request(), l.Field("request")));
        if (ack) {
          planned.what = m.team() + " acknowledges " + m.request();
          planned.commands.push_back(AcknowledgeAssignment{m.request(), m.team()});
        } else {
          const std::string reason = m.reason().empty() ? "declined" : m.reason();
          planned.what = m.team() + " declines " + m.request() + ": " + reason;
          planned.commands.push_back(DeclineAssignment{m.request(), m.team(), reason});
        }
        break;
      }
      case S::kEnRoute:
      case S::kOnScene:
      case S::kRelease:
      case S::kOffDuty:
      case S::kOnDuty:
      case S::kSuspend:
      case S::kReinstate:
        BAIYING_RETURN_IF_ERROR(TeamStep(step, loc, planned));
        break;
      case S::kCloseRoad:
      case S::kReopenRoad: {
        const bool close = step.action_case() == S::kCloseRoad;
        const auto& m = close ? step.close_road() : step.reopen_road();
        const Loc l = loc.Field(close ? "close_road" : "reopen_road");
        Result<PlaceId> from = PlaceOf(m.from(), l.Field("from"));
        if (!from.ok()) return from.status();
        Result<PlaceId> to = PlaceOf(m.to(), l.Field("to"));
        if (!to.ok()) return to.status();
        if (graph_.FindArc(*from, *to) == kNoArc && graph_.FindArc(*to, *from) == kNoArc) {
          return l.Field("to").Error("no road joins " + graph_.place(*from).name + " and " +
                                     graph_.place(*to).name +
                                     " (name two adjacent places of the network)");
        }
        const std::string road = graph_.place(*from).name + "–" + graph_.place(*to).name;
        if (close) {
          const std::string reason = m.reason().empty() ? "closed in the drill" : m.reason();
          planned.what = "close " + road + ": " + reason;
          planned.commands.push_back(CloseRoad{*from, *to, reason});
        } else {
          planned.what = "reopen " + road;
          planned.commands.push_back(ReopenRoad{*from, *to});
        }
        break;
      }
      case S::ACTION_NOT_SET:
        return loc.Error(
            "no action given (submit, surge, cancel, acknowledge, decline, en_route, on_scene, "
            "release, off_duty, on_duty, suspend, reinstate, close_road or reopen_road)");
    }
    plan_.steps.push_back(std::move(planned));
    return Status::Ok();
  }

  Status TeamStep(const drill::v1::Step& step, const Loc& loc, PlannedStep& planned) {
    using S = drill::v1::Step;
    const drill::v1::TeamStep* m = nullptr;
    std::string name;
    switch (step.action_case()) {
      case S::kEnRoute:
        m = &step.en_route();
        name = "en_route";
        break;
      case S::kOnScene:
        m = &step.on_scene();
        name = "on_scene";
        break;
      case S::kRelease:
        m = &step.release();
        name = "release";
        break;
      case S::kOffDuty:
        m = &step.off_duty();
        name = "off_duty";
        break;
      case S::kOnDuty:
        m = &step.on_duty();
        name = "on_duty";
        break;
      case S::kSuspend:
        m = &step.suspend();
        name = "suspend";
        break;
      default:
        m = &step.reinstate();
        name = "reinstate";
        break;
    }
    const Loc l = loc.Field(name);
    if (Result<TeamId> t = TeamOf(m->team(), l.Field("team")); !t.ok()) return t.status();
    const std::string& team = m->team();
    switch (step.action_case()) {
      case S::kEnRoute:
        planned.what = team + " reports en route";
        planned.commands.push_back(ReportEnRoute{team});
        break;
      case S::kOnScene:
        planned.what = team + " reports on scene";
        planned.commands.push_back(ReportOnScene{team});
        break;
      case S::kRelease:
        planned.what = team + " released" + (m->return_home() ? ", returns home" : "");
        planned.commands.push_back(ReleaseTeam{team, m->return_home()});
        break;
      case S::kOffDuty:
      case S::kOnDuty: {
        const bool on = step.action_case() == S::kOnDuty;
        planned.what = team + (on ? " back on duty" : " off duty");
        planned.commands.push_back(SetTeamOnDuty{team, on});
        break;
      }
      default: {
        const bool suspend = step.action_case() == S::kSuspend;
        if (m->reason().empty()) return l.Field("reason").Error("required for " + name);
        planned.what = team + (suspend ? " suspended: " : " reinstated: ") + m->reason();
        planned.commands.push_back(SetTeamSuspended{team, suspend, m->reason()});
        break;
      }
    }
    return Status::Ok();
  }

  Result<SurgeSpec> Surge(const drill::v1::Surge& m, const Loc& l) {
    SurgeSpec spec;
    if (m.id_prefix().empty()) return l.Field("id_prefix").Error("required: a request id prefix");
    spec.id_prefix = m.id_prefix();
    if (m.count() < 1 || m.count() > 5000) {
      return l.Field("count").Error("must be 1 .. 5000, not " + std::to_string(m.count()));
    }
    spec.count = static_cast<std::uint32_t>(m.count());
    spec.seed = m.seed();
    for (int i = 0; i < m.place_size(); ++i) {
      Result<PlaceId> p = PlaceOf(m.place(i), l.Field("place", i));
      if (!p.ok()) return p.status();
      spec.places.push_back(*p);
    }
    if (spec.places.empty()) {
      for (std::uint32_t p = 0; p < graph_.place_count(); ++p) {
        const PlaceKind kind = graph_.place(PlaceId(p)).kind;
        if (kind == PlaceKind::kPrefectureSeat || kind == PlaceKind::kCountySeat) {
          spec.places.push_back(PlaceId(p));
        }
      }
    }
    if (m.need_size() == 0) return l.Field("need").Error("required: at least one need");
    std::set<std::string> seen;
    for (int i = 0; i < m.need_size(); ++i) {
      const auto& n = m.need(i);
      const Loc nl = l.Field("need", i);
      BAIYING_RETURN_IF_ERROR(CheckSpecialty(n.specialty(), nl.Field("specialty")));
      if (!seen.insert(n.specialty()).second) {
        return nl.Field("specialty").Error("specialty '" + n.specialty() + "' given twice");
      }
      if (n.min_quantity() < 1) return nl.Field("min_quantity").Error("must be at least 1");
      const std::int32_t max = n.max_quantity() == 0 ? n.min_quantity() : n.max_quantity();
      if (max < n.min_quantity()) {
        return nl.Field("max_quantity").Error("must not be below min_quantity");
      }
      if (n.weight() < 0) return nl.Field("weight").Error("must not be negative");
      spec.needs.push_back({n.specialty(), static_cast<std::uint32_t>(n.min_quantity()),
                            static_cast<std::uint32_t>(max),
                            n.weight() == 0 ? 1u : static_cast<std::uint32_t>(n.weight())});
    }
    for (int i = 0; i < m.priority_size(); ++i) {
      Result<Priority> p = PriorityOf(m.priority(i), l.Field("priority", i));
      if (!p.ok()) return p.status();
      spec.priorities.push_back(*p);
    }
    if (spec.priorities.empty()) spec.priorities.push_back(Priority::kUrgent);
    Result<Mode> mode = ModeOf(m.mode(), l.Field("mode"));
    if (!mode.ok()) return mode.status();
    spec.mode = *mode;
    if (!m.deadline().empty()) {
      Result<Duration> d = Offset(m.deadline(), l.Field("deadline"), true);
      if (!d.ok()) return d.status();
      spec.deadline = *d;
    }
    if (m.max_lines() < 0) return l.Field("max_lines").Error("must not be negative");
    spec.max_lines = m.max_lines() == 0 ? 1 : static_cast<std::uint32_t>(m.max_lines());
    spec.unit = m.unit().empty() ? "unit " + spec.id_prefix : m.unit();
    return spec;
  }

  Status Selector(const std::string& text, const Loc& loc, bool pattern_default,
                  RequestSelector& out) {
    out.text = text.empty() && pattern_default ? "*" : text;
    if (out.text.empty()) return loc.Error("required: a request id, or a prefix ending in '*'");
    if (out.IsPattern()) {
      for (const std::string& id : order_)
        if (out.Matches(id)) return Status::Ok();
      return loc.Error("no request of the timeline matches '" + out.text + "'");
    }
    if (!requests_.contains(out.text)) {
      return loc.Error("no request '" + out.text + "' in the timeline");
    }
    return Status::Ok();
  }

  Status LineOf(const RequestSelector& request, const std::string& specialty, const Loc& loc) {
    if (specialty.empty()) return Status::Ok();
    BAIYING_RETURN_IF_ERROR(CheckSpecialty(specialty, loc));
    if (request.IsPattern()) return Status::Ok();
    for (const RequestLine& l : requests_.at(request.text))
      if (l.specialty == specialty) return Status::Ok();
    return loc.Error("request " + request.text + " asks for no " + specialty);
  }

  Result<std::optional<Duration>> OptionalSpan(const std::string& text, const Loc& loc) {
    if (text.empty()) return std::optional<Duration>();
    Result<Duration> d = Offset(text, loc, true);
    if (!d.ok()) return d.status();
    return std::optional<Duration>(*d);
  }

  Result<Duration> CheckTime(const std::string& text, const Loc& loc) {
    Result<Duration> at = Offset(text, loc, false);
    if (at.ok()) checkpoints_.insert(*at);
    return at;
  }

  // "every request", "requests W*", "R1".
  static std::string Who(const RequestSelector& s) {
    if (s.text == "*") return "every request";
    return s.IsPattern() ? "requests " + s.text : s.text;
  }

  static std::optional<std::uint32_t> Bound(bool has, std::int32_t value) {
    if (!has) return std::nullopt;
    return static_cast<std::uint32_t>(value);
  }

  Result<Expectation> ExpectationOf(const drill::v1::Expectation& m, const Loc& loc) {
    Expectation e;
    e.where = loc.Where();
    using E = drill::v1::Expectation;
    std::string label;
    switch (m.check_case()) {
      case E::kFilled: {
        const Loc l = loc.Field("filled");
        FilledCheck c;
        BAIYING_RETURN_IF_ERROR(
            Selector(m.filled().request(), l.Field("request"), false, c.request));
        c.specialty = m.filled().specialty();
        BAIYING_RETURN_IF_ERROR(LineOf(c.request, c.specialty, l.Field("specialty")));
        Result<std::optional<Duration>> within =
            OptionalSpan(m.filled().within(), l.Field("within"));
        if (!within.ok()) return within.status();
        c.within = *within;
        label = c.request.text + (c.specialty.empty() ? "" : " " + c.specialty) + " filled" +
                (c.within ? ", every team on scene within " + FormatSpan(*c.within) : "");
        e.check = c;
        break;
      }
      case E::kAssigned:
      case E::kNotAssigned: {
        const bool assigned = m.check_case() == E::kAssigned;
        const auto& t = assigned ? m.assigned() : m.not_assigned();
        const Loc l = loc.Field(assigned ? "assigned" : "not_assigned");
        TeamCheck c;
        c.assigned = assigned;
        BAIYING_RETURN_IF_ERROR(Selector(t.request(), l.Field("request"), false, c.request));
        if (Result<TeamId> team = TeamOf(t.team(), l.Field("team")); !team.ok())
          return team.status();
        c.team = t.team();
        label = c.team + (assigned ? " serves " : " is never sent to ") + c.request.text;
        e.check = c;
        break;
      }
      case E::kShortfall: {
        const auto& s = m.shortfall();
        const Loc l = loc.Field("shortfall");
        ShortfallCheck c;
        BAIYING_RETURN_IF_ERROR(Selector(s.request(), l.Field("request"), false, c.request));
        c.specialty = s.specialty();
        BAIYING_RETURN_IF_ERROR(LineOf(c.request, c.specialty, l.Field("specialty")));
        Result<Duration> at = CheckTime(s.at(), l.Field("at"));
        if (!at.ok()) return at.status();
        c.at = *at;
        if (s.at_least() < 0) return l.Field("at_least").Error("must not be negative");
        c.at_least = s.at_least() == 0 ? 1u : static_cast<std::uint32_t>(s.at_least());
        if (s.has_exactly() && s.exactly() < 0) {
          return l.Field("exactly").Error("must not be negative");
        }
        c.exactly = Bound(s.has_exactly(), s.exactly());
        label = c.request.text + (c.specialty.empty() ? "" : " " + c.specialty) + " short" +
                (c.exactly ? " by exactly " + std::to_string(*c.exactly)
                           : " by at least " + std::to_string(c.at_least)) +
                (s.at().empty() ? " at the end" : " at " + FormatOffset(c.at)) +
                ", with the reason";
        e.check = c;
        break;
      }
      case E::kUnmet: {
        const auto& u = m.unmet();
        const Loc l = loc.Field("unmet");
        UnmetCheck c;
        BAIYING_RETURN_IF_ERROR(Selector(u.request(), l.Field("request"), true, c.request));
        Result<Duration> at = CheckTime(u.at(), l.Field("at"));
        if (!at.ok()) return at.status();
        c.at = *at;
        for (auto [has, v, name] : {std::tuple{u.has_at_most(), u.at_most(), "at_most"},
                                    std::tuple{u.has_at_least(), u.at_least(), "at_least"},
                                    std::tuple{u.has_exactly(), u.exactly(), "exactly"}}) {
          if (has && v < 0) return l.Field(name).Error("must not be negative");
        }
        c.at_most = Bound(u.has_at_most(), u.at_most());
        c.at_least = Bound(u.has_at_least(), u.at_least());
        c.exactly = Bound(u.has_exactly(), u.exactly());
        if (!c.at_most && !c.at_least && !c.exactly) {
          return l.Error("give at least one bound: at_most, at_least or exactly");
        }
        label = Who(c.request) + ": unmet" +
                (c.exactly ? " exactly " + std::to_string(*c.exactly) : "") +
                (c.at_least ? " at least " + std::to_string(*c.at_least) : "") +
                (c.at_most ? " at most " + std::to_string(*c.at_most) : "") +
                (u.at().empty() ? " at the end" : " at " + FormatOffset(c.at));
        e.check = c;
        break;
      }
      case E::kEta: {
        const auto& x = m.eta();
        const Loc l = loc.Field("eta");
        EtaCheck c;
        BAIYING_RETURN_IF_ERROR(Selector(x.request(), l.Field("request"), true, c.request));
        c.specialty = x.specialty();
        BAIYING_RETURN_IF_ERROR(LineOf(c.request, c.specialty, l.Field("specialty")));
        Result<std::optional<Duration>> mean =
            OptionalSpan(x.mean_at_most(), l.Field("mean_at_most"));
        if (!mean.ok()) return mean.status();
        Result<std::optional<Duration>> max = OptionalSpan(x.max_at_most(), l.Field("max_at_most"));
        if (!max.ok()) return max.status();
        c.mean_at_most = *mean;
        c.max_at_most = *max;
        if (!c.mean_at_most && !c.max_at_most) {
          return l.Error("give at least one bound: mean_at_most or max_at_most");
        }
        label = "ETA of " + (c.specialty.empty() ? std::string("every") : c.specialty) +
                " team sent to " + Who(c.request) +
                (c.mean_at_most ? ": mean at most " + FormatSpan(*c.mean_at_most) : "") +
                (c.max_at_most ? std::string(c.mean_at_most ? "," : ":") + " max at most " +
                                     FormatSpan(*c.max_at_most)
                               : "");
        e.check = c;
        break;
      }
      case E::kAnswered: {
        const Loc l = loc.Field("answered");
        AnsweredCheck c;
        BAIYING_RETURN_IF_ERROR(
            Selector(m.answered().request(), l.Field("request"), true, c.request));
        label = Who(c.request) + " answered: filled, or a shortfall with its reason";
        e.check = c;
        break;
      }
      case E::CHECK_NOT_SET:
        return loc.Error(
            "no check given (filled, assigned, not_assigned, shortfall, unmet, eta or answered)");
    }
    e.label = m.label().empty() ? label : m.label();
    return e;
  }

  const ScenarioFile& file_;
  std::string file_name_;
  std::string short_name_;
  const RoadGraph& graph_;
  const Registry& registry_;
  Loc root_;
  std::string known_specialties_;
  DrillPlan plan_;
  std::map<std::string, std::vector<RequestLine>> requests_;
  std::vector<std::string> order_;
  std::set<Duration> checkpoints_;
};

}  // namespace

Result<CompiledDrill> CompileScenario(const ScenarioFile& file, const RoadGraph& graph,
                                      const Registry& registry) {
  Compiler compiler(file, graph, registry);
  return compiler.Run();
}

Status CheckPlayableOnServer(const ScenarioFile& file) {
  const std::string file_name = file.path().string();
  const std::string short_name = file.path().filename().string();
  const Loc root(&file_name, &short_name, &file.locations().tree,
                 drill::v1::Scenario::descriptor());
  const drill::v1::Scenario& s = file.scenario();
  constexpr std::string_view kWhy = "cannot be played against a server; run in process";
  if (s.has_ground() && (!s.ground().network().empty() || !s.ground().registry().empty())) {
    return root.Field("ground").Error(
        "a drill against a server plays on the server's network and registry; run in process");
  }
  for (int i = 0; i < s.registry_change_size(); ++i) {
    const drill::v1::RegistryChange& c = s.registry_change(i);
    const Loc loc = root.Field("registry_change", i);
    switch (c.change_case()) {
      case drill::v1::RegistryChange::kMoveHome:
        return loc.Field("move_home").Error(kWhy);
      case drill::v1::RegistryChange::kExpireVetting:
        return loc.Field("expire_vetting").Error(kWhy);
      case drill::v1::RegistryChange::kWithdraw:
        return loc.Field("withdraw").Error(kWhy);
      default:
        break;
    }
  }
  return Status::Ok();
}

}  // namespace baiying::drill
