#include "adapters/loaders/closures_csv.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "adapters/loaders/text_reader.h"
#include "engine/roads/road_query.h"

namespace baiying::loaders {
namespace {

constexpr std::array<std::string_view, 5> kColumns = {"what", "at", "reason", "from", "until"};
enum Column : std::size_t { kWhat, kAt, kReason, kFrom, kUntil };

std::string ExpectedHeader() {
  std::string out;
  for (std::string_view c : kColumns) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

// Columns may come in any order; unknown or repeated ones are errors, so that a misspelt
// header cannot silently drop a column.
Result<std::array<std::size_t, kColumns.size()>> ReadHeader(LineReader& reader) {
  std::string line;
  bool found = false;
  while (reader.Next(line)) {
    if (!Trim(line).empty()) {
      found = true;
      break;
    }
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  if (!found) {
    return Status::InvalidArgument(reader.file_name() + ": empty file; expected the header '" +
                                   ExpectedHeader() + "'");
  }
  Result<std::vector<std::string>> fields = SplitCsv(line);
  if (!fields.ok()) return reader.Error("header: " + fields.status().message());
  constexpr std::size_t kAbsent = std::numeric_limits<std::size_t>::max();
  std::array<std::size_t, kColumns.size()> position;
  position.fill(kAbsent);
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const std::string_view name = Trim((*fields)[i]);
    std::size_t which = 0;
    while (which < kColumns.size() && kColumns[which] != name)
      ++which;
    if (which == kColumns.size()) {
      return reader.Error("header: unknown column '" + std::string(name) + "'; expected '" +
                          ExpectedHeader() + "'");
    }
    if (position[which] != kAbsent) {
      return reader.Error("header: column '" + std::string(name) + "' appears twice");
    }
    position[which] = i;
  }
  for (std::size_t which = 0; which < kColumns.size(); ++which) {
    if (position[which] == kAbsent) {
      return reader.Error("header: missing column '" + std::string(kColumns[which]) +
                          "'; expected '" + ExpectedHeader() + "'");
    }
  }
  return position;
}

Status ParseWindowField(const LineReader& reader, std::string_view column, std::string_view text,
                        Instant& out) {
  if (text.empty()) return Status::Ok();  // "always": the default already in `out`
  Result<Instant> parsed = ParseIsoInstant(text);
  if (!parsed.ok()) return reader.FieldError(column, parsed.status().message());
  out = *parsed;
  return Status::Ok();
}

// What a request resolves to, checked against the graph before anything is changed.
struct PlannedClosure {
  enum class Kind { kPlace, kBetween, kArcs } kind = Kind::kPlace;
  PlaceId place;  // kPlace
  PlaceId a;      // kBetween
  PlaceId b;
  std::vector<ArcId> arcs;  // kArcs
  const ClosureRequest* request = nullptr;
};

std::string OriginOf(const ClosureRequest& request, std::size_t index) {
  if (!request.origin.empty()) return request.origin;
  return "closure request " + std::to_string(index + 1);
}

// "A-B" to two places: the first '-' that leaves a known place on each side wins, since
// place names may themselves contain '-'.
Result<std::pair<PlaceId, PlaceId>> ResolveRoad(const RoadGraph& graph, std::string_view at) {
  std::optional<Status> first_error;
  std::optional<Status> ambiguous;
  for (std::size_t dash = at.find('-'); dash != std::string_view::npos;
       dash = at.find('-', dash + 1)) {
    const std::string_view left = Trim(at.substr(0, dash));
    const std::string_view right = Trim(at.substr(dash + 1));
    if (left.empty() || right.empty()) continue;
    Result<PlaceId> a = graph.FindPlace(left);
    Result<PlaceId> b = graph.FindPlace(right);
    if (a.ok() && b.ok()) return std::pair{*a, *b};
    const Status& error = a.ok() ? b.status() : a.status();
    if (!first_error) first_error = error;
    // An ambiguous name says more than "no such place" for a split that was never meant.
    if (!ambiguous && error.code() == StatusCode::kInvalidArgument) ambiguous = error;
  }
  if (ambiguous) return *ambiguous;
  if (first_error) return *first_error;
  return Status::InvalidArgument("expected two places joined by '-', as in 'A-B'");
}

}  // namespace

Result<std::vector<ClosureRequest>> ReadClosuresCsv(const std::filesystem::path& path) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;
  Result<std::array<std::size_t, kColumns.size()>> header = ReadHeader(reader);
  if (!header.ok()) return header.status();
  const auto& pos = *header;

  std::vector<ClosureRequest> requests;
  std::string line;
  while (reader.Next(line)) {
    if (Trim(line).empty()) continue;
    Result<std::vector<std::string>> fields = SplitCsv(line);
    if (!fields.ok()) return reader.Error(fields.status().message());
    if (fields->size() != kColumns.size()) {
      return reader.Error("expected " + std::to_string(kColumns.size()) + " fields, found " +
                          std::to_string(fields->size()));
    }
    auto field = [&](Column c) { return Trim((*fields)[pos[c]]); };

    ClosureRequest request;
    const std::string_view what = field(kWhat);
    if (what != "road" && what != "place") {
      return reader.FieldError("what",
                               "expected 'road' or 'place', found '" + std::string(what) + "'");
    }
    request.is_place = what == "place";
    request.at = field(kAt);
    if (request.at.empty()) {
      return reader.FieldError(
          "at", request.is_place ? "missing place name" : "missing road; expected 'A-B'");
    }
    if (!request.is_place && request.at.find('-') == std::string::npos) {
      const std::string what_was_found = "found '" + request.at + "'";
      return reader.FieldError(
          "at", "expected a road as two places joined by '-', as in 'A-B'; " + what_was_found);
    }
    request.reason = field(kReason);
    BAIYING_RETURN_IF_ERROR(ParseWindowField(reader, "from", field(kFrom), request.from));
    BAIYING_RETURN_IF_ERROR(ParseWindowField(reader, "until", field(kUntil), request.until));
    if (request.until <= request.from) {
      return reader.FieldError("until", "'" + std::string(field(kUntil)) +
                                            "' is not later than 'from' '" +
                                            std::string(field(kFrom)) + "'");
    }
    request.origin = reader.file_name() + " line " + std::to_string(reader.line_number());
    requests.push_back(std::move(request));
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  return requests;
}

Result<std::size_t> ApplyClosures(const std::vector<ClosureRequest>& requests,
                                  ClosureSet& closures) {
  const RoadGraph& graph = closures.graph();
  std::optional<RoadQuery> query;  // sized to the graph, so made only when a route is needed

  std::vector<PlannedClosure> plan;
  plan.reserve(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const ClosureRequest& request = requests[i];
    auto fail = [&](const Status& status) {
      return Status(status.code(), OriginOf(request, i) + ": cannot close " +
                                       (request.is_place ? "place '" : "road '") + request.at +
                                       "': " + status.message());
    };
    if (request.until <= request.from) {
      return fail(Status::InvalidArgument("the window ends before it begins"));
    }
    PlannedClosure planned;
    planned.request = &request;
    if (request.is_place) {
      Result<PlaceId> place = graph.FindPlace(request.at);
      if (!place.ok()) return fail(place.status());
      planned.kind = PlannedClosure::Kind::kPlace;
      planned.place = *place;
      plan.push_back(std::move(planned));
      continue;
    }

    Result<std::pair<PlaceId, PlaceId>> ends = ResolveRoad(graph, request.at);
    if (!ends.ok()) return fail(ends.status());
    const auto [a, b] = *ends;
    if (a == b) return fail(Status::InvalidArgument("both ends are the same place"));
    if (graph.FindArc(a, b).valid() || graph.FindArc(b, a).valid()) {
      planned.kind = PlannedClosure::Kind::kBetween;
      planned.a = a;
      planned.b = b;
      plan.push_back(std::move(planned));
      continue;
    }
    // Not adjacent: "the road from A to B" is taken to be the way traffic went before the
    // closure, i.e. the fastest route on the open network. Both directions shut, as for
    // adjacent places.
    if (!query) query.emplace(graph);
    Result<Route> route = query->ShortestRoute(a, b);
    if (!route.ok()) return fail(route.status());
    planned.kind = PlannedClosure::Kind::kArcs;
    for (ArcId arc : route->arcs) {
      planned.arcs.push_back(arc);
      const ArcId back = graph.FindArc(graph.head(arc), graph.tail(arc));
      if (back.valid()) planned.arcs.push_back(back);
    }
    plan.push_back(std::move(planned));
  }

  // Everything resolved; the calls below can only fail on a bug, and even then the closures
  // already made are reopened so that the set is left as it was found.
  std::vector<ClosureId> made;
  auto roll_back = [&](const Status& status) {
    for (ClosureId id : made) {
      (void)closures.Reopen(id);
    }
    return Status::Internal(status.message());
  };
  for (const PlannedClosure& planned : plan) {
    const ClosureRequest& r = *planned.request;
    switch (planned.kind) {
      case PlannedClosure::Kind::kPlace: {
        Result<ClosureId> id = closures.ClosePlace(planned.place, r.reason, r.from, r.until);
        if (!id.ok()) return roll_back(id.status());
        made.push_back(*id);
        break;
      }
      case PlannedClosure::Kind::kBetween: {
        Result<std::vector<ClosureId>> ids =
            closures.CloseBetween(planned.a, planned.b, r.reason, r.from, r.until);
        if (!ids.ok()) return roll_back(ids.status());
        made.insert(made.end(), ids->begin(), ids->end());
        break;
      }
      case PlannedClosure::Kind::kArcs:
        for (ArcId arc : planned.arcs) {
          Result<ClosureId> id = closures.CloseArc(arc, r.reason, r.from, r.until);
          if (!id.ok()) return roll_back(id.status());
          made.push_back(*id);
        }
        break;
    }
  }
  return made.size();
}

Result<Instant> ParseIsoInstant(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(
        "'" + std::string(text) +
        "' is not a UTC time like 2025-01-07T09:05:00Z: " + std::string(why));
  };
  constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != kPattern.size()) return bad("wrong length");
  for (std::size_t i = 0; i < kPattern.size(); ++i) {
    const char c = text[i];
    if (kPattern[i] == 'd' ? (c < '0' || c > '9') : c != kPattern[i]) {
      return bad(kPattern[i] == 'd' ? "expected a digit"
                                    : "expected '" + std::string(1, kPattern[i]) + "'");
    }
  }
  auto number = [&](std::size_t at, std::size_t width) {
    int value = 0;
    for (std::size_t i = at; i < at + width; ++i)
      value = value * 10 + (text[i] - '0');
    return value;
  };
  const year_month_day date{year(number(0, 4)), month(static_cast<unsigned>(number(5, 2))),
                            day(static_cast<unsigned>(number(8, 2)))};
  if (!date.ok()) return bad("no such date");
  const int h = number(11, 2);
  const int m = number(14, 2);
  const int s = number(17, 2);
  // Leap seconds (":60") are refused: std::chrono's sys_time has no place for them.
  if (h > 23 || m > 59 || s > 59) return bad("no such time of day");
  return Instant(sys_days(date)) + hours(h) + minutes(m) + seconds(s);
}

// The open ends of a window (kBeginningOfTime, kEndOfTime) format as "", which is how the
// closures file writes "always". Milliseconds are dropped: the format has whole seconds.
std::string FormatIsoInstant(Instant t) {
  using namespace std::chrono;
  if (t == kBeginningOfTime || t == kEndOfTime) return "";
  constexpr sys_days kFirst = sys_days(year(0) / January / 1);
  constexpr sys_days kPastLast = sys_days(year(10000) / January / 1);
  if (t < kFirst || t >= kPastLast) {
    return std::to_string(t.time_since_epoch().count()) + " ms since 1970-01-01T00:00:00Z";
  }
  const sys_days day_start = floor<days>(t);
  const year_month_day date(day_start);
  const hh_mm_ss<seconds> time(floor<seconds>(t - day_start));
  std::array<char, 21> out;
  auto put = [&](std::size_t at, std::size_t width, long long value) {
    for (std::size_t i = at + width; i > at; --i) {
      out[i - 1] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, 4, static_cast<int>(date.year()));
  out[4] = '-';
  put(5, 2, static_cast<unsigned>(date.month()));
  out[7] = '-';
  put(8, 2, static_cast<unsigned>(date.day()));
  out[10] = 'T';
  put(11, 2, time.hours().count());
  out[13] = ':';
  put(14, 2, time.minutes().count());
  out[16] = ':';
  put(17, 2, time.seconds().count());
  out[19] = 'Z';
  return std::string(out.data(), 20);
}

}  // namespace baiying::loaders
