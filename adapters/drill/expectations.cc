#include "adapters/drill/expectations.h"

#include <algorithm>

namespace baiying::drill {

std::optional<Duration> HelpOnSceneAfter(const RequestRecord& request,
                                         const std::string& specialty) {
  std::optional<Duration> latest;
  for (const AssignmentRecord& a : request.assignments) {
    if (!a.Stands() || (!specialty.empty() && a.specialty != specialty)) continue;
    const Duration arrive = a.at + ToDuration(a.eta) - request.submitted;
    if (!latest || arrive > *latest) latest = arrive;
  }
  return latest;
}

namespace {

// The requests a selector names, in submission order; for one id, the missing id is reported.
std::vector<const RequestRecord*> Select(const DrillRun& run, const RequestSelector& selector,
                                         std::string& missing) {
  std::vector<const RequestRecord*> out;
  if (!selector.IsPattern()) {
    if (const RequestRecord* r = run.Find(selector.text)) {
      out.push_back(r);
    } else {
      missing = selector.text + " was never accepted";
    }
    return out;
  }
  for (const RequestRecord& r : run.requests)
    if (selector.Matches(r.id)) out.push_back(&r);
  if (out.empty()) missing = "no accepted request matches " + selector.text;
  return out;
}

// "W003, W017, W120 and 12 more".
std::string Few(const std::vector<std::string>& ids) {
  std::string s;
  const std::size_t shown = std::min<std::size_t>(ids.size(), 5);
  for (std::size_t i = 0; i < shown; ++i)
    s += (i == 0 ? "" : ", ") + ids[i];
  if (ids.size() > shown) s += " and " + std::to_string(ids.size() - shown) + " more";
  return s;
}

const RequestSnapshot::Line* LineOf(const RequestSnapshot& s, const std::string& specialty) {
  for (const RequestSnapshot::Line& l : s.lines)
    if (l.specialty == specialty) return &l;
  return nullptr;
}

std::uint32_t Missing(const RequestSnapshot& s, const std::string& specialty) {
  if (specialty.empty()) return s.missing;
  const RequestSnapshot::Line* l = LineOf(s, specialty);
  return l == nullptr || l->filled >= l->quantity ? 0 : l->quantity - l->filled;
}

bool HasReason(const RequestRecord& r, const std::string& specialty, Duration by) {
  for (const ShortfallRecord& s : r.shortfalls) {
    if (s.at <= by && !s.why.empty() && (specialty.empty() || s.specialty == specialty)) {
      return true;
    }
  }
  return false;
}

class Judge {
 public:
  Judge(const DrillPlan& plan, const DrillRun& run) : plan_(plan), run_(run) {}

  CheckResult operator()(const FilledCheck& c) const {
    CheckResult out;
    std::string missing;
    const std::vector<const RequestRecord*> rs = Select(run_, c.request, missing);
    if (rs.empty()) return Fail(missing);
    std::vector<std::string> unfilled, late;
    Duration slowest{0};
    std::string slowest_id;
    for (const RequestRecord* r : rs) {
      if (Missing(r->final, c.specialty) > 0 || r->final.status == RequestStatus::kCancelled) {
        unfilled.push_back(r->id);
        continue;
      }
      const std::optional<Duration> on_scene = HelpOnSceneAfter(*r, c.specialty);
      if (on_scene && *on_scene >= slowest) {
        slowest = *on_scene;
        slowest_id = r->id;
      }
      if (c.within && on_scene && *on_scene > *c.within) late.push_back(r->id);
    }
    const std::string what = c.specialty.empty() ? "" : " " + c.specialty;
    out.passed = unfilled.empty() && late.empty();
    if (rs.size() == 1) {
      const RequestRecord& r = *rs.front();
      if (!unfilled.empty()) {
        out.found = r.id + what + " not filled: " + std::to_string(Missing(r.final, c.specialty)) +
                    " missing at the end";
      } else {
        out.found = r.id + what + " filled; last team on scene after " + FormatSpan(slowest);
      }
    } else {
      out.found = std::to_string(rs.size() - unfilled.size()) + " of " + std::to_string(rs.size()) +
                  " filled";
      if (!unfilled.empty()) out.found += " (not: " + Few(unfilled) + ")";
      if (!slowest_id.empty()) {
        out.found += "; slowest " + slowest_id + ", on scene after " + FormatSpan(slowest);
      }
    }
    if (!late.empty()) out.found += "; later than " + FormatSpan(*c.within) + ": " + Few(late);
    return out;
  }

  CheckResult operator()(const TeamCheck& c) const {
    std::string missing;
    const std::vector<const RequestRecord*> rs = Select(run_, c.request, missing);
    if (rs.empty()) return Fail(missing);
    const RequestRecord& r = *rs.front();
    const AssignmentRecord* standing = nullptr;
    const AssignmentRecord* any = nullptr;
    for (const AssignmentRecord& a : r.assignments) {
      if (a.team != c.team) continue;
      any = &a;
      if (a.Stands()) standing = &a;
    }
    CheckResult out;
    if (c.assigned) {
      out.passed = standing != nullptr;
      out.found = standing != nullptr ? c.team + " serves " + r.id + " (" + standing->specialty +
                                            " x" + std::to_string(standing->units) + ", ETA " +
                                            FormatSpan(ToDuration(standing->eta)) + ")"
                  : any != nullptr ? c.team + " was " + std::string(ToString(any->outcome)) + " (" +
                                         any->why + ")"
                                   : c.team + " was never assigned to " + r.id;
    } else {
      out.passed = any == nullptr;
      out.found = any == nullptr
                      ? c.team + " was never assigned to " + r.id
                      : c.team + " was assigned to " + r.id + " at " + FormatOffset(any->at);
    }
    return out;
  }

  CheckResult operator()(const ShortfallCheck& c) const {
    std::string missing;
    const std::vector<const RequestRecord*> rs = Select(run_, c.request, missing);
    if (rs.empty()) return Fail(missing);
    const auto& states = run_.checkpoints.at(c.at.count());
    CheckResult out;
    out.passed = true;
    std::vector<std::string> parts;
    for (const RequestRecord* r : rs) {
      auto it = states.find(r->id);
      const std::uint32_t m = it == states.end() ? 0 : Missing(it->second, c.specialty);
      const bool reason = HasReason(*r, c.specialty, c.at);
      const bool ok = m >= c.at_least && (!c.exactly || m == *c.exactly) && reason;
      out.passed = out.passed && ok;
      if (rs.size() == 1 || !ok) {
        std::string why;
        for (const ShortfallRecord& s : r->shortfalls)
          if (s.at <= c.at && (c.specialty.empty() || s.specialty == c.specialty)) why = s.why;
        parts.push_back(r->id + " missing " + std::to_string(m) + " at " + FormatOffset(c.at) +
                        (why.empty() ? ", no shortfall recorded" : " (" + why + ")"));
      }
    }
    out.found = parts.empty() ? std::to_string(rs.size()) + " requests short, each with its reason"
                              : Few(parts);
    return out;
  }

  CheckResult operator()(const UnmetCheck& c) const {
    std::string missing;
    const std::vector<const RequestRecord*> rs = Select(run_, c.request, missing);
    if (rs.empty()) return Fail(missing);
    const auto& states = run_.checkpoints.at(c.at.count());
    std::vector<std::string> unmet;
    for (const RequestRecord* r : rs) {
      auto it = states.find(r->id);
      if (it == states.end()) continue;
      if (it->second.status != RequestStatus::kFilled &&
          it->second.status != RequestStatus::kCancelled) {
        unmet.push_back(r->id);
      }
    }
    const auto n = static_cast<std::uint32_t>(unmet.size());
    CheckResult out;
    out.passed = (!c.at_most || n <= *c.at_most) && (!c.at_least || n >= *c.at_least) &&
                 (!c.exactly || n == *c.exactly);
    out.found = std::to_string(n) + " of " + std::to_string(rs.size()) + " unmet at " +
                FormatOffset(c.at) + (unmet.empty() ? "" : " (" + Few(unmet) + ")");
    return out;
  }

  CheckResult operator()(const EtaCheck& c) const {
    std::string missing;
    const std::vector<const RequestRecord*> rs = Select(run_, c.request, missing);
    if (rs.empty()) return Fail(missing);
    std::uint64_t sum = 0, count = 0;
    TravelTime max = 0;
    std::string max_at;
    for (const RequestRecord* r : rs) {
      for (const AssignmentRecord& a : r->assignments) {
        if (!a.Stands() || (!c.specialty.empty() && a.specialty != c.specialty)) continue;
        sum += a.eta;
        ++count;
        if (a.eta >= max) {
          max = a.eta;
          max_at = a.team + " to " + r->id;
        }
      }
    }
    if (count == 0) return Fail("no team was sent");
    const Duration mean = Duration(static_cast<std::int64_t>(sum / count));
    CheckResult out;
    out.passed = (!c.mean_at_most || mean <= *c.mean_at_most) &&
                 (!c.max_at_most || ToDuration(max) <= *c.max_at_most);
    out.found = std::to_string(count) + " teams: mean ETA " + FormatSpan(mean) + ", max " +
                FormatSpan(ToDuration(max)) + " (" + max_at + ")";
    return out;
  }

  CheckResult operator()(const AnsweredCheck& c) const {
    std::string missing;
    const std::vector<const RequestRecord*> rs = Select(run_, c.request, missing);
    if (rs.empty()) return Fail(missing);
    std::size_t filled = 0, short_with_reason = 0, cancelled = 0;
    std::vector<std::string> silent;
    for (const RequestRecord* r : rs) {
      if (r->final.status == RequestStatus::kFilled) {
        ++filled;
      } else if (r->final.status == RequestStatus::kCancelled) {
        ++cancelled;
      } else if (r->final.missing > 0 && HasReason(*r, {}, plan_.end)) {
        ++short_with_reason;
      } else {
        silent.push_back(r->id);
      }
    }
    CheckResult out;
    out.passed = silent.empty();
    out.found = std::to_string(rs.size()) + " requests: " + std::to_string(filled) + " filled, " +
                std::to_string(short_with_reason) + " short with the reason" +
                (cancelled > 0 ? ", " + std::to_string(cancelled) + " cancelled" : "") +
                (silent.empty() ? "" : "; without an answer: " + Few(silent));
    return out;
  }

 private:
  static CheckResult Fail(std::string found) {
    CheckResult out;
    out.passed = false;
    out.found = std::move(found);
    return out;
  }

  const DrillPlan& plan_;
  const DrillRun& run_;
};

}  // namespace

std::vector<CheckResult> Evaluate(const DrillPlan& plan, const DrillRun& run) {
  std::vector<CheckResult> out;
  const Judge judge(plan, run);
  for (const Expectation& e : plan.expectations) {
    CheckResult r = std::visit(judge, e.check);
    r.label = e.label;
    r.where = e.where;
    out.push_back(std::move(r));
  }
  for (const std::string& refusal : run.refusals) {
    CheckResult r;
    r.label = "the timeline plays as written";
    r.passed = false;
    r.found = refusal;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace baiying::drill
