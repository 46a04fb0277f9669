// The HTML report: one page, everything inline (styles, the SVG map and the timeline), no
// scripts, fonts or images from elsewhere, so that it opens from a file anywhere.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "adapters/drill/report.h"

namespace baiying::drill {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Colours by specialty, so that teams and the roads they take read together.
std::string_view Colour(std::string_view specialty) {
  static const std::map<std::string_view, std::string_view> kColours = {
      {"medical", "#d62728"},        {"transport", "#1f77b4"},   {"logistics", "#8c564b"},
      {"communications", "#9467bd"}, {"spectrum", "#e377c2"},    {"road_repair", "#ff7f0e"},
      {"security", "#555555"},       {"water_power", "#17becf"}, {"technical", "#bcbd22"}};
  auto it = kColours.find(specialty);
  return it == kColours.end() ? "#999999" : it->second;
}

// Equirectangular projection scaled by the cosine of the mean latitude, fitted to the map.
class Projection {
 public:
  Projection(const RoadGraph& graph, double width) {
    double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180, sum_lat = 0;
    for (const PlaceSpec& p : graph.places()) {
      min_lat = std::min(min_lat, p.lat);
      max_lat = std::max(max_lat, p.lat);
      min_lon = std::min(min_lon, p.lon);
      max_lon = std::max(max_lon, p.lon);
      sum_lat += p.lat;
    }
    const double n = std::max<double>(1, graph.place_count());
    k_ = std::cos(sum_lat / n * 3.14159265358979323846 / 180.0);
    min_lon_ = min_lon;
    max_lat_ = max_lat;
    const double span_x = std::max(1e-6, (max_lon - min_lon) * k_);
    scale_ = (width - 2 * kMargin) / span_x;
    width_ = width;
    height_ = (max_lat - min_lat) * scale_ + 2 * kMargin;
  }
  double X(double lon) const { return kMargin + (lon - min_lon_) * k_ * scale_; }
  double Y(double lat) const { return kMargin + (max_lat_ - lat) * scale_; }
  double width() const { return width_; }
  double height() const { return height_; }

 private:
  static constexpr double kMargin = 30;
  double k_ = 1, min_lon_ = 0, max_lat_ = 0, scale_ = 1, width_ = 0, height_ = 0;
};

std::string Point(const Projection& proj, const PlaceSpec& p) {
  return Num(proj.X(p.lon)) + "," + Num(proj.Y(p.lat));
}

void Map(const DrillReport& report, std::string& out) {
  const RoadGraph& graph = report.graph;
  const Projection proj(graph, 1000);
  out += "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(proj.width()) +
         " " + Num(proj.height()) + "\" width=\"100%\" role=\"img\">\n";
  out += "<title>" + Escape(report.plan.name) +
         ": the network, teams, requests and roads taken</title>\n";

  // Roads: each pair of adjacent places once.
  std::set<std::pair<std::uint32_t, std::uint32_t>> roads;
  for (std::uint32_t a = 0; a < graph.arc_count(); ++a) {
    std::uint32_t u = graph.tail(ArcId(a)).value(), v = graph.head(ArcId(a)).value();
    if (u > v) std::swap(u, v);
    roads.insert({u, v});
  }
  out += "<g id=\"roads\">\n";
  for (const auto& [u, v] : roads) {
    const PlaceSpec& a = graph.place(PlaceId(u));
    const PlaceSpec& b = graph.place(PlaceId(v));
    const ArcId arc = graph.FindArc(PlaceId(u), PlaceId(v));
    const std::string ref = arc == kNoArc ? "" : std::string(graph.road_ref(arc));
    out += "<line class=\"road\" x1=\"" + Num(proj.X(a.lon)) + "\" y1=\"" + Num(proj.Y(a.lat)) +
           "\" x2=\"" + Num(proj.X(b.lon)) + "\" y2=\"" + Num(proj.Y(b.lat)) + "\"><title>" +
           Escape((ref.empty() ? "" : ref + " ") + a.name + "–" + b.name) + "</title></line>\n";
  }
  out += "</g>\n<g id=\"closures\">\n";
  for (const ClosureRecord& c : report.run.closures) {
    const PlaceSpec& a = graph.place(c.from);
    const PlaceSpec& b = graph.place(c.to);
    out += "<line class=\"closed\" x1=\"" + Num(proj.X(a.lon)) + "\" y1=\"" + Num(proj.Y(a.lat)) +
           "\" x2=\"" + Num(proj.X(b.lon)) + "\" y2=\"" + Num(proj.Y(b.lat)) + "\"><title>" +
           Escape("closed " + a.name + "–" + b.name + " at " + FormatOffset(c.closed) +
                  (c.reopened ? ", reopened at " + FormatOffset(*c.reopened) : ", still closed") +
                  ": " + c.reason) +
           "</title></line>\n";
  }

  // Roads taken: every assignment that stands, along the places of its road.
  out += "</g>\n<g id=\"routes\">\n";
  for (const RequestRecord& r : report.run.requests) {
    for (const AssignmentRecord& a : r.assignments) {
      if (!a.Stands() || a.path.size() < 2) continue;
      std::string points;
      for (PlaceId p : a.path)
        points += (points.empty() ? "" : " ") + Point(proj, graph.place(p));
      out += "<polyline class=\"route\" stroke=\"" + std::string(Colour(a.specialty)) +
             "\" points=\"" + points + "\"><title>" +
             Escape(a.team + " → " + r.id + " " + a.specialty + " x" + std::to_string(a.units) +
                    ", ETA " + FormatSpan(ToDuration(a.eta)) + " via " + a.route) +
             "</title></polyline>\n";
    }
  }

  // Places: seats as small dots, prefecture seats named.
  out += "</g>\n<g id=\"places\">\n";
  for (std::uint32_t p = 0; p < graph.place_count(); ++p) {
    const PlaceSpec& s = graph.place(PlaceId(p));
    const bool seat = s.kind == PlaceKind::kPrefectureSeat;
    out += "<circle class=\"place\" cx=\"" + Num(proj.X(s.lon)) + "\" cy=\"" + Num(proj.Y(s.lat)) +
           "\" r=\"" + (seat ? "3.5" : "2") + "\"><title>" + Escape(PlaceName(graph, PlaceId(p))) +
           " " + std::to_string(s.elevation_m) + " m</title></circle>\n";
    if (seat) {
      out += "<text class=\"label\" x=\"" + Num(proj.X(s.lon) + 5) + "\" y=\"" +
             Num(proj.Y(s.lat) - 5) + "\">" + Escape(s.name) + "</text>\n";
    }
  }

  // Teams: a ring of dots around their home, coloured by their first specialty.
  out += "</g>\n<g id=\"teams\">\n";
  std::map<std::string, std::vector<const Team*>> by_home;
  for (const Team& t : report.registry.teams())
    by_home[t.home_place].push_back(&t);
  for (const auto& [home, teams] : by_home) {
    Result<PlaceId> place = graph.FindPlace(home);
    if (!place.ok()) continue;
    const PlaceSpec& s = graph.place(*place);
    for (std::size_t i = 0; i < teams.size(); ++i) {
      const Team& t = *teams[i];
      const double angle =
          2 * 3.14159265358979323846 * static_cast<double>(i) / static_cast<double>(teams.size());
      const double radius = teams.size() == 1 ? 0 : 7;
      const std::string specialty = t.capacities.empty()
                                        ? std::string()
                                        : report.registry.specialty(t.capacities[0].specialty).code;
      out += "<circle class=\"team\" data-team=\"" + Escape(t.code) + "\" cx=\"" +
             Num(proj.X(s.lon) + radius * std::cos(angle)) + "\" cy=\"" +
             Num(proj.Y(s.lat) + radius * std::sin(angle)) + "\" r=\"2.2\" fill=\"" +
             std::string(Colour(specialty)) + "\"><title>" +
             Escape(t.code + " " + t.name + " (" + specialty + ") at " + s.name) +
             "</title></circle>\n";
    }
  }

  // Requests: a diamond per place asking for help, green when all its requests are filled.
  out += "</g>\n<g id=\"requests\">\n";
  std::map<std::uint32_t, std::vector<const RequestRecord*>> by_place;
  for (const RequestRecord& r : report.run.requests)
    by_place[r.place.value()].push_back(&r);
  for (const auto& [p, requests] : by_place) {
    const PlaceSpec& s = graph.place(PlaceId(p));
    std::size_t filled = 0;
    std::string title = s.name + ":";
    for (const RequestRecord* r : requests) {
      filled += r->final.status == RequestStatus::kFilled ? 1 : 0;
      title += " " + r->id;
    }
    const double x = proj.X(s.lon), y = proj.Y(s.lat), d = 8;
    out += "<path class=\"request " + std::string(filled == requests.size() ? "met" : "unmet") +
           "\" d=\"M" + Num(x) + " " + Num(y - d) + " L" + Num(x + d) + " " + Num(y) + " L" +
           Num(x) + " " + Num(y + d) + " L" + Num(x - d) + " " + Num(y) + " Z\"><title>" +
           Escape(title + " (" + std::to_string(filled) + " of " + std::to_string(requests.size()) +
                  " filled)") +
           "</title></path>\n";
  }
  out += "</g>\n</svg>\n";
}

// A strip from start to end: the steps as ticks, closures as red bars.
void Strip(const DrillReport& report, std::string& out) {
  const double width = 1000, left = 10, right = 990;
  const double end = std::max<double>(1, static_cast<double>(report.plan.end.count()));
  auto x = [&](Duration t) { return left + (right - left) * static_cast<double>(t.count()) / end; };
  const double height = 40 + 14 * static_cast<double>(report.run.closures.size());
  out += "<svg id=\"strip\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + Num(width) +
         " " + Num(height) + "\" width=\"100%\">\n";
  out += "<line class=\"axis\" x1=\"" + Num(left) + "\" y1=\"20\" x2=\"" + Num(right) +
         "\" y2=\"20\"/>\n";
  for (const PlannedStep& s : report.plan.steps) {
    out += "<line class=\"tick\" x1=\"" + Num(x(s.at)) + "\" y1=\"8\" x2=\"" + Num(x(s.at)) +
           "\" y2=\"32\"><title>" + Escape(FormatOffset(s.at) + " " + s.what) + "</title></line>\n";
  }
  double y = 40;
  for (const ClosureRecord& c : report.run.closures) {
    const Duration until = c.reopened.value_or(report.plan.end);
    out += "<rect class=\"closed-bar\" x=\"" + Num(x(c.closed)) + "\" y=\"" + Num(y) +
           "\" width=\"" + Num(std::max(1.0, x(until) - x(c.closed))) + "\" height=\"8\"><title>" +
           Escape(report.graph.place(c.from).name + "–" + report.graph.place(c.to).name +
                  " closed " + FormatOffset(c.closed) + " to " + FormatOffset(until)) +
           "</title></rect>\n";
    y += 14;
  }
  out += "<text class=\"label\" x=\"" + Num(left) + "\" y=\"" + Num(height - 2) + "\">" +
         Escape(FormatOffset(Duration{0})) + "</text><text class=\"label\" x=\"" + Num(right - 60) +
         "\" y=\"" + Num(height - 2) + "\">" + Escape(FormatOffset(report.plan.end)) + "</text>\n";
  out += "</svg>\n";
}

constexpr const char* kStyle = R"(body{font-family:sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}
#map{max-width:1000px;border:1px solid #ccc;background:#fbfbf8}
.road{stroke:#b0b0b0;stroke-width:1.5}.closed{stroke:#e00000;stroke-width:3;stroke-dasharray:6 4}
.route{fill:none;stroke-width:2.5;stroke-opacity:.75}.place{fill:#666}.team{stroke:#fff;stroke-width:.4}
.request.met{fill:#2e7d32;stroke:#000;stroke-width:.8}.request.unmet{fill:#c62828;stroke:#000;stroke-width:.8}
.label{font-size:11px;fill:#333}.axis{stroke:#444}.tick{stroke:#1f77b4;stroke-width:2}.closed-bar{fill:#e00000}
#strip{max-width:1000px}.legend span{display:inline-block;margin-right:1em}.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em}
details{font-size:.85em}
)";

}  // namespace

std::string HtmlReport(const DrillReport& report) {
  const DrillPlan& plan = report.plan;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         Escape(plan.name) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>" + Escape(plan.name) + "</h1>\n";
  out += "<p>" + Escape(plan.description) + "</p>\n";
  out += "<p>" + Escape(plan.file) + ": start " + Escape(FormatInstant(plan.start)) + ", runs to " +
         Escape(FormatOffset(plan.end)) + ". Result: <span class=\"" +
         (report.passed() ? "pass\">PASSED" : "fail\">FAILED") + "</span></p>\n";

  out +=
      "<h2>Expectations</h2>\n<table "
      "id=\"expectations\">\n<tr><th></th><th>expected</th><th>found</th><th>where</th></tr>\n";
  for (const CheckResult& c : report.checks) {
    out += std::string("<tr><td class=\"") + (c.passed ? "pass\">PASS" : "fail\">FAIL") +
           "</td><td>" + Escape(c.label) + "</td><td>" + Escape(c.found) + "</td><td>" +
           Escape(c.where) + "</td></tr>\n";
  }
  out += "</table>\n";

  out += "<h2>Map</h2>\n<p class=\"legend\">";
  for (const Specialty& s : report.registry.specialties()) {
    out += "<span><span class=\"swatch\" style=\"background:" + std::string(Colour(s.code)) +
           "\"></span>" + Escape(s.code) + "</span>";
  }
  out +=
      "<span>red dashes: closed roads</span><span>diamonds: requests (green filled, red "
      "short)</span></p>\n";
  Map(report, out);

  out +=
      "<h2>Requests</h2>\n<table id=\"requests-table\">\n<tr><th>request</th><th>place</th>"
      "<th>priority</th><th>asked</th><th>answer</th><th>teams (ETA)</th></tr>\n";
  for (const RequestRecord& r : report.run.requests) {
    std::string asked, teams, answer;
    for (const RequestLine& l : r.lines)
      asked += (asked.empty() ? "" : ", ") + l.specialty + " x" + std::to_string(l.quantity);
    for (const AssignmentRecord& a : r.assignments) {
      teams +=
          (teams.empty() ? "" : "<br>") +
          Escape(a.team + " " + a.specialty + " x" + std::to_string(a.units) + " " +
                 FormatSpan(ToDuration(a.eta)) +
                 (a.Stands() ? "" : " (" + std::string(ToString(a.outcome)) + ": " + a.why + ")"));
    }
    answer = std::string(ToString(r.final.status));
    if (r.filled_at) answer += ", filled at " + FormatOffset(*r.filled_at);
    if (const auto on_scene = HelpOnSceneAfter(r))
      answer += ", on scene after " + FormatSpan(*on_scene);
    if (r.final.missing > 0) {
      answer += ", missing " + std::to_string(r.final.missing);
      if (!r.shortfalls.empty()) answer += ": " + r.shortfalls.back().why;
    }
    out += "<tr><td>" + Escape(r.id) + "</td><td>" + Escape(report.graph.place(r.place).name) +
           "</td><td>" + Escape(ToString(r.priority)) + "</td><td>" + Escape(asked) + "</td><td>" +
           Escape(answer) + "</td><td>" + teams + "</td></tr>\n";
  }
  out += "</table>\n";

  out += "<h2>Timeline</h2>\n";
  Strip(report, out);
  out += "<table id=\"timeline\">\n<tr><th>at</th><th>step</th><th>what happened</th></tr>\n";
  for (const LogEntry& e : report.run.log) {
    std::string happened;
    if (!e.refused.empty())
      happened += "<span class=\"fail\">refused: " + Escape(e.refused) + "</span> ";
    happened += "<details><summary>" + std::to_string(e.events.size()) + " events</summary>";
    for (const std::string& ev : e.events)
      happened += Escape(ev) + "<br>";
    happened += "</details>";
    out += "<tr><td>" + Escape(FormatOffset(e.at)) + "</td><td>" + Escape(e.what) +
           (e.note.empty() ? "" : "<br><i>" + Escape(e.note) + "</i>") + "</td><td>" + happened +
           "</td></tr>\n";
  }
  out += "</table>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace baiying::drill
