#include "adapters/drill/report.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace baiying::drill {

bool DrillReport::passed() const {
  for (const CheckResult& c : checks)
    if (!c.passed) return false;
  return true;
}

std::string PlaceName(const RoadGraph& graph, PlaceId place) {
  if (!place.valid() || place.value() >= graph.place_count()) return "?";
  const PlaceSpec& p = graph.place(place);
  return p.pinyin.empty() ? p.name : p.name + " (" + p.pinyin + ")";
}

namespace {

std::string Lines(const RequestRecord& r) {
  std::string s;
  for (const RequestLine& l : r.lines)
    s += (s.empty() ? "" : ", ") + l.specialty + " x" + std::to_string(l.quantity);
  return s;
}

// "filled at +0m, all on scene after 3h12m", "short: medical 2 (why)", ...
std::string Answer(const RequestRecord& r) {
  std::string s;
  switch (r.final.status) {
    case RequestStatus::kFilled:
      s = "filled";
      if (r.filled_at) s += " at " + FormatOffset(*r.filled_at);
      if (const auto on_scene = HelpOnSceneAfter(r)) {
        s += ", all on scene after " + FormatSpan(*on_scene);
      }
      break;
    case RequestStatus::kCancelled:
      s = "cancelled at " + FormatOffset(r.cancelled_at.value_or(Duration{}));
      break;
    case RequestStatus::kExpired:
    case RequestStatus::kOpen: {
      s = r.final.status == RequestStatus::kExpired
              ? "expired at " + FormatOffset(r.expired_at.value_or(Duration{}))
              : std::string("open");
      s += ", missing " + std::to_string(r.final.missing);
      for (const RequestSnapshot::Line& l : r.final.lines) {
        if (l.filled >= l.quantity) continue;
        std::string why;
        for (const ShortfallRecord& sh : r.shortfalls)
          if (sh.specialty == l.specialty) why = sh.why;
        s += "; " + l.specialty + " short " + std::to_string(l.quantity - l.filled) +
             (why.empty() ? "" : ": " + why);
      }
      break;
    }
  }
  return s;
}

nlohmann::json Offset(Duration d) {
  return {{"text", FormatOffset(d)}, {"ms", d.count()}};
}

}  // namespace

void WriteText(const DrillReport& report, std::ostream& out) {
  const DrillPlan& plan = report.plan;
  const DrillRun& run = report.run;
  out << "drill: " << plan.name << " (" << plan.file << ")\n";
  out << "  start " << FormatInstant(plan.start) << ", runs to " << FormatOffset(plan.end) << "; "
      << plan.steps.size() << " steps, " << run.requests.size() << " requests\n\n";

  std::size_t passed = 0;
  out << "expectations\n";
  for (const CheckResult& c : report.checks) {
    passed += c.passed ? 1 : 0;
    out << "  " << (c.passed ? "PASS" : "FAIL") << "  " << c.label << "\n";
    out << "        " << c.found << (c.where.empty() ? "" : "  [" + c.where + "]") << "\n";
  }

  out << "\nrequests (time to fill, teams and ETAs)\n";
  for (const RequestRecord& r : run.requests) {
    out << "  " << r.id << "  " << report.graph.place(r.place).name << "  " << ToString(r.priority)
        << "  " << Lines(r) << "  submitted " << FormatOffset(r.submitted) << ": " << Answer(r)
        << "\n";
    std::string teams;
    for (const AssignmentRecord& a : r.assignments) {
      if (!a.Stands()) continue;
      teams += (teams.empty() ? "" : ", ") + a.team + " " + a.specialty + " x" +
               std::to_string(a.units) + " ETA " + FormatSpan(ToDuration(a.eta));
    }
    if (!teams.empty()) out << "      " << teams << "\n";
  }

  out << "\n"
      << (report.passed() ? "PASSED" : "FAILED") << ": " << passed << " of " << report.checks.size()
      << " expectations passed\n";
}

std::string JsonReport(const DrillReport& report) {
  using nlohmann::json;
  const DrillPlan& plan = report.plan;
  const DrillRun& run = report.run;
  const RoadGraph& graph = report.graph;
  json j;
  j["scenario"] = {{"name", plan.name},
                   {"description", plan.description},
                   {"file", plan.file},
                   {"start", FormatInstant(plan.start)},
                   {"end", Offset(plan.end)}};
  j["passed"] = report.passed();

  json checks = json::array();
  for (const CheckResult& c : report.checks) {
    checks.push_back(
        {{"label", c.label}, {"where", c.where}, {"passed", c.passed}, {"found", c.found}});
  }
  j["expectations"] = checks;

  json requests = json::array();
  std::size_t filled = 0, short_count = 0, cancelled = 0, sent = 0;
  std::uint64_t eta_sum = 0;
  TravelTime eta_max = 0;
  for (const RequestRecord& r : run.requests) {
    json q;
    q["id"] = r.id;
    q["unit"] = r.unit;
    q["place"] = graph.place(r.place).name;
    q["priority"] = std::string(ToString(r.priority));
    q["mode"] = std::string(ToString(r.mode));
    q["submitted"] = Offset(r.submitted);
    q["deadline"] = Offset(r.deadline);
    q["status"] = std::string(ToString(r.final.status));
    q["missing"] = r.final.missing;
    q["answer"] = Answer(r);
    json lines = json::array();
    for (const RequestSnapshot::Line& l : r.final.lines)
      lines.push_back({{"specialty", l.specialty}, {"quantity", l.quantity}, {"filled", l.filled}});
    q["lines"] = lines;
    if (r.filled_at) q["time_to_fill"] = Offset(*r.filled_at - r.submitted);
    if (const auto on_scene = HelpOnSceneAfter(r)) q["all_on_scene_after"] = Offset(*on_scene);
    if (r.expired_at) q["expired_at"] = Offset(*r.expired_at);
    if (r.cancelled_at) q["cancelled_at"] = Offset(*r.cancelled_at);
    json assignments = json::array();
    for (const AssignmentRecord& a : r.assignments) {
      json path = json::array();
      for (PlaceId p : a.path)
        path.push_back(graph.place(p).name);
      json one = {{"team", a.team},
                  {"specialty", a.specialty},
                  {"units", a.units},
                  {"assigned_at", Offset(a.at)},
                  {"eta", Offset(ToDuration(a.eta))},
                  {"mobilization", Offset(ToDuration(a.mobilization))},
                  {"distance_m", a.distance_m},
                  {"route", a.route},
                  {"from", a.from.valid() ? graph.place(a.from).name : ""},
                  {"path", path},
                  {"on_scene", a.on_scene},
                  {"outcome", std::string(ToString(a.outcome))}};
      if (!a.why.empty()) one["why"] = a.why;
      assignments.push_back(std::move(one));
      if (a.Stands()) {
        ++sent;
        eta_sum += a.eta;
        eta_max = std::max(eta_max, a.eta);
      }
    }
    q["assignments"] = assignments;
    json shortfalls = json::array();
    for (const ShortfallRecord& s : r.shortfalls) {
      shortfalls.push_back({{"at", Offset(s.at)},
                            {"specialty", s.specialty},
                            {"missing", s.missing},
                            {"why", s.why}});
    }
    q["shortfalls"] = shortfalls;
    requests.push_back(std::move(q));
    filled += r.final.status == RequestStatus::kFilled ? 1 : 0;
    cancelled += r.final.status == RequestStatus::kCancelled ? 1 : 0;
    short_count += r.final.missing > 0 && r.final.status != RequestStatus::kCancelled ? 1 : 0;
  }
  j["requests"] = requests;
  j["summary"] = {
      {"requests", run.requests.size()},
      {"filled", filled},
      {"short", short_count},
      {"cancelled", cancelled},
      {"teams_sent", sent},
      {"mean_eta",
       Offset(sent == 0 ? Duration{0} : Duration(static_cast<std::int64_t>(eta_sum / sent)))},
      {"max_eta", Offset(ToDuration(eta_max))}};

  json timeline = json::array();
  for (const LogEntry& e : run.log) {
    json entry = {{"at", Offset(e.at)}, {"what", e.what}, {"events", e.events}};
    if (!e.note.empty()) entry["note"] = e.note;
    if (!e.where.empty()) entry["where"] = e.where;
    if (!e.refused.empty()) entry["refused"] = e.refused;
    timeline.push_back(std::move(entry));
  }
  j["timeline"] = timeline;

  json closures = json::array();
  for (const ClosureRecord& c : run.closures) {
    json one = {{"from", graph.place(c.from).name},
                {"to", graph.place(c.to).name},
                {"reason", c.reason},
                {"closed", Offset(c.closed)}};
    if (c.reopened) one["reopened"] = Offset(*c.reopened);
    closures.push_back(std::move(one));
  }
  j["closures"] = closures;
  return j.dump(2) + "\n";
}

}  // namespace baiying::drill
