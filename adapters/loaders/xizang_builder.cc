#include "adapters/loaders/xizang_builder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/loaders/network_csv.h"
#include "adapters/loaders/text_reader.h"
#include "adapters/loaders/xizang_sources.h"
#include "engine/roads/road_graph.h"

namespace baiying::loaders {
namespace {

constexpr double kMetresPerDegree = 6'371'008.8 * std::numbers::pi / 180.0;

double Distance(LatLon a, LatLon b) {
  return HaversineMeters(a.lat, a.lon, b.lat, b.lon);
}

std::string Km(double metres) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << metres / 1000.0;
  return out.str();
}

// --- Geometry on polylines ---

// A kept stretch of one highway: a polyline with cumulative lengths along it.
struct Stretch {
  std::string ref;
  std::vector<LatLon> points;
  std::vector<double> along;  // metres from points[0], haversine sums

  double length() const { return along.back(); }
};

Stretch MakeStretch(std::string ref, std::vector<LatLon> points) {
  Stretch s;
  s.ref = std::move(ref);
  s.points = std::move(points);
  s.along.assign(s.points.size(), 0.0);
  for (std::size_t i = 1; i < s.points.size(); ++i) {
    s.along[i] = s.along[i - 1] + Distance(s.points[i - 1], s.points[i]);
  }
  return s;
}

// The point of a polyline nearest to a query.
struct Projection {
  double distance_m = std::numeric_limits<double>::infinity();
  std::size_t segment = 0;  // between points[segment] and points[segment + 1]
  double t = 0;             // 0..1 along that segment
};

// Nearest point of segment a-b to q, on a local equirectangular plane around q: exact enough
// for segments of a few kilometres, which is what the simplified polylines hold.
Projection ProjectOnSegment(LatLon q, LatLon a, LatLon b) {
  const double k = std::cos(q.lat * std::numbers::pi / 180.0);
  const double ax = (a.lon - q.lon) * k, ay = a.lat - q.lat;
  const double bx = (b.lon - q.lon) * k, by = b.lat - q.lat;
  const double dx = bx - ax, dy = by - ay;
  const double len2 = dx * dx + dy * dy;
  double t = len2 == 0 ? 0 : -(ax * dx + ay * dy) / len2;
  t = std::clamp(t, 0.0, 1.0);
  Projection p;
  p.t = t;
  p.distance_m = std::hypot(ax + t * dx, ay + t * dy) * kMetresPerDegree;
  return p;
}

Projection ProjectOnPolyline(LatLon q, const std::vector<LatLon>& points) {
  Projection best;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    Projection p = ProjectOnSegment(q, points[i], points[i + 1]);
    if (p.distance_m < best.distance_m) {
      p.segment = i;
      best = p;
    }
  }
  return best;
}

LatLon PointAt(const std::vector<LatLon>& points, const Projection& p) {
  const LatLon a = points[p.segment];
  const LatLon b = points[std::min(p.segment + 1, points.size() - 1)];
  return {a.lat + p.t * (b.lat - a.lat), a.lon + p.t * (b.lon - a.lon)};
}

double AlongAt(const Stretch& s, const Projection& p) {
  const std::size_t next = std::min(p.segment + 1, s.points.size() - 1);
  return s.along[p.segment] + p.t * (s.along[next] - s.along[p.segment]);
}

// Buckets of segments by grid cell, for the many short-range questions of the overlap search.
class SegmentGrid {
 public:
  static constexpr double kCellDegrees = 0.02;  // about 2 km: one ring of cells covers 300 m

  void Add(std::size_t stretch, const std::vector<LatLon>& points) {
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
      const std::int64_t ya = Cell(points[i].lat), yb = Cell(points[i + 1].lat);
      const std::int64_t xa = Cell(points[i].lon), xb = Cell(points[i + 1].lon);
      const std::int64_t lat0 = std::min(ya, yb), lat1 = std::max(ya, yb);
      const std::int64_t lon0 = std::min(xa, xb), lon1 = std::max(xa, xb);
      for (std::int64_t y = lat0; y <= lat1; ++y) {
        for (std::int64_t x = lon0; x <= lon1; ++x)
          cells_[Key(y, x)].push_back({stretch, i});
      }
    }
  }

  struct Entry {
    std::size_t stretch;
    std::size_t segment;
  };
  // Segments in the query's cell and the eight around it.
  template <typename F>
  void ForNear(LatLon q, F&& f) const {
    const std::int64_t y = Cell(q.lat), x = Cell(q.lon);
    for (std::int64_t dy = -1; dy <= 1; ++dy) {
      for (std::int64_t dx = -1; dx <= 1; ++dx) {
        auto it = cells_.find(Key(y + dy, x + dx));
        if (it == cells_.end()) continue;
        for (const Entry& e : it->second)
          f(e);
      }
    }
  }

 private:
  static std::int64_t Cell(double degrees) {
    return static_cast<std::int64_t>(std::floor(degrees / kCellDegrees));
  }
  static std::int64_t Key(std::int64_t y, std::int64_t x) { return y * 100000 + x; }
  std::unordered_map<std::int64_t, std::vector<Entry>> cells_;
};

// --- Candidates for places ---
// Everything that becomes a place is first a candidate, with one position on each stretch it
// lies on; candidates close together along a stretch are then merged into one place.

enum class Role : std::uint8_t {  // in order of precedence when candidates merge
  kSeat,
  kPass,
  kTown,
  kEnd,       // a named end of a kept stretch (a border, a gap in the geometry)
  kAttach,    // where a link leaves a highway
  kJunction,  // where two highways meet
};

struct Candidate {
  Role role = Role::kJunction;
  PlaceKind kind = PlaceKind::kJunction;
  std::string name;
  std::string pinyin;
  std::vector<std::string> aliases;
  std::uint32_t adcode = 0;
  std::optional<LatLon> fixed_position;  // seats (and towns off the highways): their own point
  std::optional<double> elevation_m;
  std::vector<std::string> refs;  // highways meeting here, for naming junctions
  std::string origin;             // for messages
};

struct Position {
  std::size_t stretch = 0;
  double along = 0;
  LatLon point;
  std::size_t candidate = 0;
};

class DisjointSets {
 public:
  explicit DisjointSets(std::size_t n) : parent_(n) {
    for (std::size_t i = 0; i < n; ++i)
      parent_[i] = i;
  }
  void Grow(std::size_t n) {
    while (parent_.size() < n)
      parent_.push_back(parent_.size());
  }
  std::size_t Find(std::size_t x) {
    while (parent_[x] != x)
      x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Union(std::size_t a, std::size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<std::size_t> parent_;
};

// "定日县" -> "定日", "拉萨市" -> "拉萨", "阿里地区" -> "阿里"; other names unchanged.
std::string ShortName(std::string_view name) {
  for (std::string_view suffix : {"地区", "市", "县", "区"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      return std::string(name.substr(0, name.size() - suffix.size()));
    }
  }
  return std::string(name);
}

std::vector<std::string> SplitAliases(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t bar = text.find('|');
    const std::string_view alias = Trim(text.substr(0, bar));
    if (!alias.empty()) out.emplace_back(alias);
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  return out;
}

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(value);
  }
}

// --- Reading fields of the facts tables ---

Status NumberField(const CsvTable& t, const CsvTable::Row& row, std::string_view column, double low,
                   double high, std::optional<double>& out, bool required) {
  const std::string_view text = t.Get(row, column);
  out.reset();
  if (text.empty()) {
    if (required) return t.FieldError(row, column, "missing value");
    return Status::Ok();
  }
  double value = 0;
  if (!ParseDouble(text, value)) {
    return t.FieldError(row, column, "expected a number, found '" + std::string(text) + "'");
  }
  if (value < low || value > high) {
    return t.FieldError(row, column, std::string(text) + " is out of range");
  }
  out = value;
  return Status::Ok();
}

Status RequireSource(const CsvTable& t, const CsvTable::Row& row) {
  if (t.Get(row, "source").empty()) {
    return t.FieldError(row, "source", "every fact names its source (or says 'estimate: why')");
  }
  return Status::Ok();
}

// --- The build ---

struct Link {
  std::string from;
  std::string to;
  std::string ref;
  RoadClass road_class = RoadClass::kCounty;
  Surface surface = Surface::kPaved;
  std::optional<double> length_km;
  std::optional<double> detour_factor;
  std::optional<double> max_elevation_m;
  std::string origin;
};

struct Edge {
  std::size_t a = 0;  // place indices (before the final ordering)
  std::size_t b = 0;
  double length_m = 0;
  std::string ref;
  RoadClass road_class = RoadClass::kNational;
  Surface surface = Surface::kPaved;
  std::int32_t max_elevation_m = 0;
  LengthSource source = LengthSource::kMeasured;
};

class Builder {
 public:
  explicit Builder(const XizangBuildOptions& options) : options_(options) {}

  Result<NetworkSpec> Run(XizangBuildReport& report);

 private:
  Status ReadStations();
  Status MakeSeats();
  Status ReadClips();
  void RemoveSharedRuns(Stretch stretch, std::size_t first_end, std::size_t last_end);
  Status PlaceSeatsOnHighways();
  Status ReadFeatures(std::string_view file, Role role);
  Status ReadLinks();
  Status ResolveLinks();
  Status MergeAndMakePlaces();
  Status AssignElevations();
  Status MakeEdges();
  Status CheckReachable();
  NetworkSpec Emit(XizangBuildReport& report);

  std::size_t AddCandidate(Candidate c) {
    candidates_.push_back(std::move(c));
    return candidates_.size() - 1;
  }
  void AddPosition(std::size_t stretch, const Projection& p, std::size_t candidate) {
    positions_.push_back({stretch, AlongAt(stretches_[stretch], p),
                          PointAt(stretches_[stretch].points, p), candidate});
  }
  void AddPositionAtVertex(std::size_t stretch, std::size_t vertex, std::size_t candidate) {
    positions_.push_back({stretch, stretches_[stretch].along[vertex],
                          stretches_[stretch].points[vertex], candidate});
  }
  LatLon CandidatePosition(std::size_t c) const {
    if (candidates_[c].fixed_position) return *candidates_[c].fixed_position;
    for (const Position& p : positions_) {
      if (p.candidate == c) return p.point;
    }
    return {};
  }
  // The nearest point on any kept stretch of highway `ref`; nullopt when it has none.
  std::optional<std::pair<std::size_t, Projection>> NearestOnHighway(std::string_view ref,
                                                                     LatLon q) const {
    std::optional<std::pair<std::size_t, Projection>> best;
    for (std::size_t s = 0; s < stretches_.size(); ++s) {
      if (stretches_[s].ref != ref) continue;
      const Projection p = ProjectOnPolyline(q, stretches_[s].points);
      if (!best || p.distance_m < best->second.distance_m) best = {s, p};
    }
    return best;
  }
  std::string NearestSeatShortName(LatLon q) const {
    double best = std::numeric_limits<double>::infinity();
    std::string name;
    for (std::size_t c = 0; c < candidates_.size(); ++c) {
      if (candidates_[c].role != Role::kSeat) continue;
      const double d = Distance(q, *candidates_[c].fixed_position);
      if (d < best) {
        best = d;
        name = ShortName(candidates_[c].name);
      }
    }
    return name;
  }

  const XizangBuildOptions& options_;
  std::vector<std::string> notes_;

  std::vector<WeatherStation> stations_;  // the CSV's, then those only in the 1998 table
  std::vector<Division> divisions_;
  std::vector<Candidate> candidates_;
  std::vector<std::size_t> seat_candidates_;  // in adcode order
  std::vector<std::string> highway_order_;    // refs in clips.csv order
  std::vector<Stretch> stretches_;
  std::vector<Position> positions_;
  std::vector<Link> links_;
  std::map<std::string, std::size_t> names_;  // every name a link may use -> candidate

  // After merging:
  std::vector<std::size_t> place_of_candidate_;
  std::vector<std::size_t> place_candidate_;  // the candidate that speaks for each place
  std::vector<std::vector<std::string>> place_aliases_;
  std::vector<std::optional<double>> place_elevation_;
  std::vector<Edge> edges_;
};

Status Builder::ReadStations() {
  Result<StationList> csv = ReadPlateauStationsCsv(options_.shared_dir / "plateau_stations.csv");
  if (!csv.ok()) return csv.status();
  Result<StationList> table =
      ReadPlateauStations1998(options_.shared_dir / "plateau_stations_1998.txt");
  if (!table.ok()) return table.status();
  for (const std::string& n : csv->notes)
    notes_.push_back(n);
  for (const std::string& n : table->notes)
    notes_.push_back(n);

  // The CSV is the newer list and is preferred; the 1998 table checks it and fills in the
  // stations it lacks.
  stations_ = csv->stations;
  for (const WeatherStation& old : table->stations) {
    auto it = std::find_if(stations_.begin(), stations_.end(),
                           [&](const WeatherStation& s) { return s.id == old.id; });
    if (it == stations_.end()) {
      stations_.push_back(old);
      continue;
    }
    const double moved = Distance(it->position, old.position);
    const double rose = std::abs(it->elevation_m - old.elevation_m);
    if (moved > 2000 || rose > 1.0) {
      std::ostringstream note;
      note << "station " << old.id << " " << it->name << ": the CSV (" << it->elevation_m
           << " m) and the 1998 table (" << old.elevation_m << " m"
           << (old.elevation_approximate ? ", approximate" : "") << ") differ by "
           << std::lround(moved) << " m in position and " << rose
           << " m in elevation; the CSV is used";
      notes_.push_back(note.str());
    }
  }
  return Status::Ok();
}

Status Builder::MakeSeats() {
  Result<std::vector<Division>> divisions = ReadDivisions(options_.shared_dir / "divisions.csv");
  if (!divisions.ok()) return divisions.status();
  divisions_ = std::move(divisions).value();

  static constexpr std::string_view kColumns[] = {"adcode",  "name",        "pinyin",
                                                  "aliases", "elevation_m", "source"};
  Result<CsvTable> facts = ReadCsvTable(options_.facts_dir / "seats.csv", kColumns);
  if (!facts.ok()) return facts.status();
  std::map<std::uint32_t, const CsvTable::Row*> fact_of;
  for (const CsvTable::Row& row : facts->rows) {
    std::int64_t adcode = 0;
    if (!ParseInt(facts->Get(row, "adcode"), adcode) || adcode <= 0 || adcode > 999999) {
      return facts->FieldError(row, "adcode", "expected a six-digit code");
    }
    auto d = std::find_if(divisions_.begin(), divisions_.end(),
                          [&](const Division& x) { return x.adcode == adcode; });
    if (d == divisions_.end()) return facts->FieldError(row, "adcode", "no such division");
    if (facts->Get(row, "name") != d->name) {
      return facts->FieldError(
          row, "name", "divisions.csv calls " + std::to_string(adcode) + " '" + d->name + "'");
    }
    if (facts->Get(row, "pinyin").empty()) return facts->FieldError(row, "pinyin", "missing");
    BAIYING_RETURN_IF_ERROR(RequireSource(*facts, row));
    if (!fact_of.emplace(d->adcode, &row).second) {
      return facts->FieldError(row, "adcode", "appears twice");
    }
  }

  // The city whose seat is in each district, found by position: the city's seat is the
  // hosting district's seat, give or take the rounding of the source.
  constexpr double kSameSeatM = 2000;
  std::map<std::uint32_t, const Division*> city_of_host;
  for (const Division& city : divisions_) {
    if (city.level != "city") continue;
    const Division* host = nullptr;
    double best = std::numeric_limits<double>::infinity();
    for (const Division& d : divisions_) {
      if (d.level != "district" || d.parent_adcode != city.adcode) continue;
      const double m = Distance(Gcj02ToWgs84(city.seat_gcj02), Gcj02ToWgs84(d.seat_gcj02));
      if (m < best) {
        best = m;
        host = &d;
      }
    }
    if (host == nullptr || best > kSameSeatM) {
      return Status::InvalidArgument("divisions.csv line " + std::to_string(city.line) + ": " +
                                     city.name + ": no district hosts its seat");
    }
    city_of_host[host->adcode] = &city;
  }

  for (const Division& d : divisions_) {
    if (d.level == "province") continue;
    if (!fact_of.count(d.adcode)) {
      return Status::InvalidArgument(facts->file_name + ": no row for " + std::to_string(d.adcode) +
                                     " " + d.name);
    }
  }

  std::vector<const Division*> districts;
  for (const Division& d : divisions_) {
    if (d.level == "district") districts.push_back(&d);
  }
  std::sort(districts.begin(), districts.end(),
            [](const Division* a, const Division* b) { return a->adcode < b->adcode; });
  for (const Division* d : districts) {
    const CsvTable::Row& row = *fact_of[d->adcode];
    Candidate c;
    c.role = Role::kSeat;
    c.adcode = d->adcode;
    c.fixed_position = Gcj02ToWgs84(d->seat_gcj02);
    c.origin = d->name;
    std::optional<double> fact_elevation;
    BAIYING_RETURN_IF_ERROR(
        NumberField(*facts, row, "elevation_m", 0, 9000, fact_elevation, false));
    if (auto city = city_of_host.find(d->adcode); city != city_of_host.end()) {
      const CsvTable::Row& city_row = *fact_of[city->second->adcode];
      c.kind = PlaceKind::kPrefectureSeat;
      c.name = ShortName(city->second->name);
      c.pinyin = std::string(facts->Get(city_row, "pinyin"));
      AddUnique(c.aliases, city->second->name);
      for (const std::string& a : SplitAliases(facts->Get(city_row, "aliases"))) {
        AddUnique(c.aliases, a);
      }
      AddUnique(c.aliases, d->name);
      AddUnique(c.aliases, std::string(facts->Get(row, "pinyin")));
    } else {
      c.kind = PlaceKind::kCountySeat;
      c.name = d->name;
      c.pinyin = std::string(facts->Get(row, "pinyin"));
    }
    for (const std::string& a : SplitAliases(facts->Get(row, "aliases")))
      AddUnique(c.aliases, a);

    // Elevation: the nearest weather station within the radius, else the curated figure.
    const WeatherStation* station = nullptr;
    double station_m = options_.station_radius_m;
    for (const WeatherStation& s : stations_) {
      const double m = Distance(*c.fixed_position, s.position);
      if (m <= station_m) {
        station_m = m;
        station = &s;
      }
    }
    std::ostringstream note;
    note << "elevation " << c.name << ": ";
    if (station != nullptr) {
      c.elevation_m = station->elevation_m;
      note << station->elevation_m << " m, station " << station->id << " " << station->name
           << " at " << Km(station_m) << " km";
      if (fact_elevation) note << " (seats.csv's " << *fact_elevation << " m not used)";
    } else if (fact_elevation) {
      c.elevation_m = *fact_elevation;
      note << *fact_elevation << " m from seats.csv (no station within "
           << Km(options_.station_radius_m) << " km)";
    } else {
      return facts->FieldError(row, "elevation_m",
                               "no weather station lies within " + Km(options_.station_radius_m) +
                                   " km of " + d->name +
                                   ": give the seat's elevation and its source");
    }
    notes_.push_back(note.str());
    seat_candidates_.push_back(AddCandidate(std::move(c)));
  }
  return Status::Ok();
}

Status Builder::ReadClips() {
  static constexpr std::string_view kColumns[] = {"highway",  "piece",    "from_name",
                                                  "from_lat", "from_lon", "to_name",
                                                  "to_lat",   "to_lon",   "source"};
  static constexpr std::string_view kOptional[] = {"from_elevation_m", "to_elevation_m"};
  Result<CsvTable> clips = ReadCsvTable(options_.facts_dir / "clips.csv", kColumns, kOptional);
  if (!clips.ok()) return clips.status();
  std::map<std::string, HighwayGeometry> geometry;
  // A clip anchor is approximate (a border on a bridge, a pass); it must still be near the line.
  constexpr double kAnchorM = 20000;

  for (const CsvTable::Row& row : clips->rows) {
    BAIYING_RETURN_IF_ERROR(RequireSource(*clips, row));
    const std::string ref(clips->Get(row, "highway"));
    if (!geometry.count(ref)) {
      Result<HighwayGeometry> g =
          ReadHighwayJson(options_.shared_dir / "highways" / (ref + ".json"));
      if (!g.ok())
        return g.status().WithPrefix(clips->file_name + " line " + std::to_string(row.line));
      geometry.emplace(ref, std::move(g).value());
      highway_order_.push_back(ref);
    }
    const HighwayGeometry& g = geometry.at(ref);
    const std::string_view piece_text = clips->Get(row, "piece");
    std::size_t piece = 0;
    if (piece_text == "points") {
      piece = 0;
    } else if (piece_text.starts_with("segments[") && piece_text.ends_with("]")) {
      std::int64_t index = 0;
      if (!ParseInt(piece_text.substr(9, piece_text.size() - 10), index) || index < 0 ||
          static_cast<std::size_t>(index) + 1 >= g.pieces.size()) {
        return clips->FieldError(row, "piece", "no such segment in " + ref + ".json");
      }
      piece = static_cast<std::size_t>(index) + 1;
    } else {
      return clips->FieldError(row, "piece", "expected 'points' or 'segments[N]'");
    }
    const std::vector<LatLon>& line = g.pieces[piece];

    // Each end: the anchor's nearest point on the piece, or the piece's own end.
    struct Cut {
      std::size_t segment;
      double t;
    };
    auto cut_at = [&](std::string_view prefix, Cut fallback) -> Result<Cut> {
      std::optional<double> lat, lon;
      BAIYING_RETURN_IF_ERROR(
          NumberField(*clips, row, std::string(prefix) + "_lat", -90, 90, lat, false));
      BAIYING_RETURN_IF_ERROR(
          NumberField(*clips, row, std::string(prefix) + "_lon", -180, 180, lon, false));
      if (!lat && !lon) return fallback;
      if (!lat || !lon) {
        return clips->FieldError(row, std::string(prefix) + "_lat", "give both lat and lon");
      }
      const Projection p = ProjectOnPolyline({*lat, *lon}, line);
      if (p.distance_m > kAnchorM) {
        return clips->FieldError(row, std::string(prefix) + "_lat",
                                 "anchor lies " + Km(p.distance_m) + " km from the line");
      }
      return Cut{p.segment, p.t};
    };
    Result<Cut> from = cut_at("from", {0, 0});
    if (!from.ok()) return from.status();
    Result<Cut> to = cut_at("to", {line.size() - 2, 1});
    if (!to.ok()) return to.status();
    auto order = [](const Cut& c) { return static_cast<double>(c.segment) + c.t; };
    bool reversed = order(*from) > order(*to);
    Cut lo = reversed ? *to : *from;
    Cut hi = reversed ? *from : *to;

    std::vector<LatLon> points;
    points.push_back(PointAt(line, {0, lo.segment, lo.t}));
    for (std::size_t i = lo.segment + 1; i <= hi.segment; ++i)
      points.push_back(line[i]);
    const LatLon last = PointAt(line, {0, hi.segment, hi.t});
    if (Distance(points.back(), last) > 0) points.push_back(last);
    if (points.size() < 2) return clips->FieldError(row, "to_lat", "the stretch is empty");
    if (reversed) std::reverse(points.begin(), points.end());

    // The named ends become candidates now; they are placed after the shared runs are cut.
    std::size_t end_candidates[2];
    for (int e = 0; e < 2; ++e) {
      const std::string prefix = e == 0 ? "from" : "to";
      Candidate c;
      c.role = Role::kEnd;
      c.name = std::string(clips->Get(row, prefix + "_name"));
      if (c.name.empty()) return clips->FieldError(row, prefix + "_name", "every end is named");
      std::optional<double> elevation;
      BAIYING_RETURN_IF_ERROR(
          NumberField(*clips, row, prefix + "_elevation_m", 0, 9000, elevation, false));
      c.elevation_m = elevation;
      c.refs.push_back(ref);
      c.origin = clips->file_name + " line " + std::to_string(row.line);
      end_candidates[e] = AddCandidate(std::move(c));
    }
    RemoveSharedRuns(MakeStretch(ref, std::move(points)), end_candidates[0], end_candidates[1]);
  }
  return Status::Ok();
}

// Adds `stretch` to the kept ones, less the runs where it shares the road with a stretch kept
// before it; junctions join it to the others where they meet or part.
void Builder::RemoveSharedRuns(Stretch stretch, std::size_t first_end, std::size_t last_end) {
  const std::size_t n = stretch.points.size();
  SegmentGrid grid;
  for (std::size_t s = 0; s < stretches_.size(); ++s)
    grid.Add(s, stretches_[s].points);

  // For each point, the nearest earlier stretch within reach.
  struct Near {
    bool covered = false;
    std::size_t stretch = 0;
    Projection projection;
  };
  std::vector<Near> near(n);
  for (std::size_t i = 0; i < n; ++i) {
    grid.ForNear(stretch.points[i], [&](const SegmentGrid::Entry& e) {
      const std::vector<LatLon>& other = stretches_[e.stretch].points;
      Projection p = ProjectOnSegment(stretch.points[i], other[e.segment], other[e.segment + 1]);
      p.segment = e.segment;
      if (p.distance_m <= options_.junction_m &&
          (!near[i].covered || p.distance_m < near[i].projection.distance_m ||
           (p.distance_m == near[i].projection.distance_m && e.stretch < near[i].stretch))) {
        near[i] = {true, e.stretch, p};
      }
    });
  }

  // Runs of covered points; short uncovered gaps between two runs (a town where the two
  // mappings of one street part for a few hundred metres) are absorbed.
  struct Run {
    std::size_t first, last;
  };
  std::vector<Run> runs;
  for (std::size_t i = 0; i < n; ++i) {
    if (!near[i].covered) continue;
    // A long segment between two covered points is no gap: simplified lines have
    // straight stretches of several kilometres.
    if (!runs.empty() &&
        (runs.back().last + 1 == i ||
         stretch.along[i] - stretch.along[runs.back().last] < 2 * options_.shared_run_m)) {
      runs.back().last = i;
    } else {
      runs.push_back({i, i});
    }
  }

  // Pieces of the stretch that stay, and where each junction falls on them.
  struct Piece {
    std::size_t first, last;
  };
  std::vector<Piece> pieces;
  std::vector<std::size_t> meets;  // vertices of this stretch where a junction stands
  std::size_t start = 0;
  for (const Run& r : runs) {
    const bool shared = stretch.along[r.last] - stretch.along[r.first] >= options_.shared_run_m;
    if (shared) {
      if (r.first > start) pieces.push_back({start, r.first});
      meets.push_back(r.first);
      meets.push_back(r.last);
      start = r.last;
    } else {
      std::size_t best = r.first;
      for (std::size_t i = r.first; i <= r.last; ++i) {
        if (near[i].covered && near[i].projection.distance_m < near[best].projection.distance_m) {
          best = i;
        }
      }
      if (!near[best].covered) best = r.first;
      meets.push_back(best);
    }
  }
  if (start < n - 1) pieces.push_back({start, n - 1});

  const std::size_t base = stretches_.size();
  for (const Piece& p : pieces) {
    std::vector<LatLon> points(stretch.points.begin() + static_cast<std::ptrdiff_t>(p.first),
                               stretch.points.begin() + static_cast<std::ptrdiff_t>(p.last) + 1);
    stretches_.push_back(MakeStretch(stretch.ref, std::move(points)));
  }
  auto piece_of = [&](std::size_t vertex) -> std::optional<std::size_t> {
    for (std::size_t k = 0; k < pieces.size(); ++k) {
      if (pieces[k].first <= vertex && vertex <= pieces[k].last) return k;
    }
    return std::nullopt;
  };
  auto vertex_on_piece = [&](std::size_t k, std::size_t vertex, std::size_t candidate) {
    AddPositionAtVertex(base + k, vertex - pieces[k].first, candidate);
  };

  // The named ends: the first and last point of the stretch, if they were kept; an end inside a
  // shared run lies on the other highway, where the run's junction stands for it.
  auto place_end = [&](std::size_t candidate, std::size_t vertex) {
    if (auto k = piece_of(vertex)) {
      vertex_on_piece(*k, vertex, candidate);
    } else if (near[vertex].covered) {
      const Near& m = near[vertex];
      AddPosition(m.stretch, m.projection, candidate);
    }
  };
  place_end(first_end, 0);
  place_end(last_end, n - 1);

  for (std::size_t vertex : meets) {
    const Near& at = near[vertex];
    Candidate c;
    c.role = Role::kJunction;
    c.kind = PlaceKind::kJunction;
    c.refs = {stretches_[at.stretch].ref, stretch.ref};
    std::sort(c.refs.begin(), c.refs.end());
    c.refs.erase(std::unique(c.refs.begin(), c.refs.end()), c.refs.end());
    c.origin = stretch.ref + " meets " + stretches_[at.stretch].ref;
    const std::size_t id = AddCandidate(std::move(c));
    AddPosition(at.stretch, at.projection, id);
    if (auto k = piece_of(vertex)) vertex_on_piece(*k, vertex, id);
  }
}

Status Builder::PlaceSeatsOnHighways() {
  for (std::size_t c : seat_candidates_) {
    const LatLon seat = *candidates_[c].fixed_position;
    for (std::size_t s = 0; s < stretches_.size(); ++s) {
      const Projection p = ProjectOnPolyline(seat, stretches_[s].points);
      if (p.distance_m <= options_.seat_snap_m) {
        AddPosition(s, p, c);
        notes_.push_back("seat " + candidates_[c].name + " on " + stretches_[s].ref + " (" +
                         Km(p.distance_m) + " km from the line)");
      }
    }
  }
  return Status::Ok();
}

Status Builder::ReadFeatures(std::string_view file, Role role) {
  static constexpr std::string_view kColumns[] = {"name", "pinyin",      "highway", "lat",
                                                  "lon",  "elevation_m", "source"};
  Result<CsvTable> table = ReadCsvTable(options_.facts_dir / file, kColumns);
  if (!table.ok()) return table.status();
  for (const CsvTable::Row& row : table->rows) {
    BAIYING_RETURN_IF_ERROR(RequireSource(*table, row));
    Candidate c;
    c.role = role;
    c.kind = role == Role::kPass ? PlaceKind::kPass : PlaceKind::kTown;
    c.name = std::string(table->Get(row, "name"));
    if (c.name.empty()) return table->FieldError(row, "name", "missing");
    c.pinyin = std::string(table->Get(row, "pinyin"));
    c.origin = table->file_name + " line " + std::to_string(row.line);
    std::optional<double> lat, lon;
    BAIYING_RETURN_IF_ERROR(NumberField(*table, row, "lat", -90, 90, lat, true));
    BAIYING_RETURN_IF_ERROR(NumberField(*table, row, "lon", -180, 180, lon, true));
    BAIYING_RETURN_IF_ERROR(
        NumberField(*table, row, "elevation_m", 0, 9000, c.elevation_m, role == Role::kPass));
    const LatLon given{*lat, *lon};
    if (!c.elevation_m) {
      for (const WeatherStation& s : stations_) {
        if (Distance(given, s.position) <= options_.station_radius_m) {
          c.elevation_m = s.elevation_m;
          notes_.push_back("elevation " + c.name + ": station " + std::to_string(s.id) + " " +
                           s.name);
          break;
        }
      }
    }
    const std::string ref(table->Get(row, "highway"));
    if (ref.empty()) {
      // Off the highways: a place of its own, reached by links.
      if (!c.elevation_m) {
        return table->FieldError(row, "elevation_m", "needed for a place off the highways");
      }
      c.fixed_position = given;
      AddCandidate(std::move(c));
      continue;
    }
    c.refs.push_back(ref);
    const auto on = NearestOnHighway(ref, given);
    if (!on) return table->FieldError(row, "highway", "no kept stretch of " + ref);
    if (on->second.distance_m > options_.feature_snap_m) {
      return table->FieldError(row, "lat",
                               "lies " + Km(on->second.distance_m) + " km from " + ref +
                                   "; at most " + Km(options_.feature_snap_m) + " km");
    }
    notes_.push_back(c.name + " placed on " + ref + " " + Km(on->second.distance_m) +
                     " km from its given position");
    const std::size_t id = AddCandidate(std::move(c));
    AddPosition(on->first, on->second, id);
  }
  return Status::Ok();
}

Status Builder::ReadLinks() {
  static constexpr std::string_view kColumns[] = {
      "from",  "to", "ref", "class", "surface", "length_km", "detour_factor", "max_elevation_m",
      "source"};
  Result<CsvTable> table = ReadCsvTable(options_.facts_dir / "links.csv", kColumns);
  if (!table.ok()) return table.status();
  for (const CsvTable::Row& row : table->rows) {
    BAIYING_RETURN_IF_ERROR(RequireSource(*table, row));
    Link link;
    link.from = std::string(table->Get(row, "from"));
    link.to = std::string(table->Get(row, "to"));
    if (link.from.empty()) return table->FieldError(row, "from", "missing");
    if (link.to.empty()) return table->FieldError(row, "to", "missing");
    if (link.from.find(':') != std::string::npos) {
      return table->FieldError(row, "from", "a link leaves a place: put 'G318:name' in 'to'");
    }
    link.ref = std::string(table->Get(row, "ref"));
    const auto road_class = ParseRoadClass(table->Get(row, "class"));
    if (!road_class) return table->FieldError(row, "class", "unknown road class");
    link.road_class = *road_class;
    const auto surface = ParseSurface(table->Get(row, "surface"));
    if (!surface) return table->FieldError(row, "surface", "expected paved or gravel");
    link.surface = *surface;
    BAIYING_RETURN_IF_ERROR(
        NumberField(*table, row, "length_km", 0.1, 2000, link.length_km, false));
    BAIYING_RETURN_IF_ERROR(
        NumberField(*table, row, "detour_factor", 1.0, 3.0, link.detour_factor, false));
    if (link.length_km.has_value() == link.detour_factor.has_value()) {
      return table->FieldError(row, "length_km",
                               "give either a published length or a detour factor, not both");
    }
    BAIYING_RETURN_IF_ERROR(
        NumberField(*table, row, "max_elevation_m", 0, 9000, link.max_elevation_m, false));
    link.origin = table->file_name + " line " + std::to_string(row.line);
    links_.push_back(std::move(link));
  }
  return Status::Ok();
}

Status Builder::ResolveLinks() {
  // Every name a link may use: names, short names and aliases of seats; names of passes,
  // towns and stretch ends. A name that would mean two things is an error.
  names_.clear();
  auto add = [&](const std::string& name, std::size_t c) -> Status {
    if (name.empty()) return Status::Ok();
    auto [it, inserted] = names_.emplace(name, c);
    if (!inserted && it->second != c) {
      // Stretch ends named after an existing place are that place.
      if (candidates_[c].role == Role::kEnd || candidates_[it->second].role == Role::kEnd) {
        return Status::Ok();
      }
      return Status::InvalidArgument("the name '" + name + "' means both " +
                                     candidates_[it->second].origin + " and " +
                                     candidates_[c].origin);
    }
    return Status::Ok();
  };
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    const Candidate& k = candidates_[c];
    if (k.role == Role::kJunction || k.role == Role::kEnd) continue;
    BAIYING_RETURN_IF_ERROR(add(k.name, c));
    BAIYING_RETURN_IF_ERROR(add(ShortName(k.name), c));
    for (const std::string& a : k.aliases)
      BAIYING_RETURN_IF_ERROR(add(a, c));
  }
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    if (candidates_[c].role == Role::kEnd) BAIYING_RETURN_IF_ERROR(add(candidates_[c].name, c));
  }

  for (const Link& link : links_) {
    auto from = names_.find(link.from);
    if (from == names_.end()) {
      return Status::InvalidArgument(link.origin + ", field 'from': no place named '" + link.from +
                                     "'");
    }
    const std::size_t colon = link.to.find(':');
    if (colon == std::string::npos) {
      if (!names_.count(link.to)) {
        return Status::InvalidArgument(link.origin + ", field 'to': no place named '" + link.to +
                                       "'");
      }
      continue;
    }
    // "G318:萨迦路口": a new junction where the highway passes nearest to `from`.
    const std::string ref = link.to.substr(0, colon);
    const std::string name = link.to.substr(colon + 1);
    const auto on = NearestOnHighway(ref, CandidatePosition(from->second));
    if (!on) {
      return Status::InvalidArgument(link.origin + ", field 'to': no kept stretch of '" + ref +
                                     "'");
    }
    if (name.empty() || names_.count(name)) {
      return Status::InvalidArgument(link.origin + ", field 'to': the junction needs a new name");
    }
    Candidate c;
    c.role = Role::kAttach;
    c.kind = PlaceKind::kJunction;
    c.name = name;
    c.refs = {ref};
    c.origin = link.origin;
    const std::size_t id = AddCandidate(std::move(c));
    AddPosition(on->first, on->second, id);
    names_.emplace(name, id);
  }
  return Status::Ok();
}

Status Builder::MergeAndMakePlaces() {
  DisjointSets sets(candidates_.size());
  // Stretch ends named after a place are that place.
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    if (candidates_[c].role != Role::kEnd) continue;
    auto it = names_.find(candidates_[c].name);
    if (it != names_.end() && it->second != c) sets.Union(c, it->second);
  }
  // Candidates close together along one stretch are one place, except two seats.
  std::vector<std::vector<const Position*>> by_stretch(stretches_.size());
  for (const Position& p : positions_)
    by_stretch[p.stretch].push_back(&p);
  for (auto& list : by_stretch) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Position* a, const Position* b) { return a->along < b->along; });
    for (std::size_t i = 1; i < list.size(); ++i) {
      const Position& a = *list[i - 1];
      const Position& b = *list[i];
      if (b.along - a.along >= options_.merge_m) continue;
      const std::size_t ra = sets.Find(a.candidate), rb = sets.Find(b.candidate);
      if (ra == rb) continue;
      auto has_seat = [&](std::size_t root) {
        for (std::size_t c = 0; c < candidates_.size(); ++c) {
          if (sets.Find(c) == root && candidates_[c].role == Role::kSeat) return true;
        }
        return false;
      };
      if (has_seat(ra) && has_seat(rb)) continue;
      sets.Union(ra, rb);
    }
  }

  // The candidate that speaks for each group: the first by role, then by order of creation.
  std::map<std::size_t, std::size_t> speaker;
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    const std::size_t root = sets.Find(c);
    auto it = speaker.find(root);
    if (it == speaker.end() || candidates_[c].role < candidates_[it->second].role) {
      speaker[root] = c;
    }
  }
  place_of_candidate_.assign(candidates_.size(), 0);
  std::map<std::size_t, std::size_t> place_of_root;
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    const std::size_t root = sets.Find(c);
    auto [it, inserted] = place_of_root.emplace(root, place_candidate_.size());
    if (inserted) place_candidate_.push_back(speaker[root]);
    place_of_candidate_[c] = it->second;
  }

  // Merged names become aliases of the place; junctions get names from the highways meeting.
  place_aliases_.assign(place_candidate_.size(), {});
  std::vector<std::vector<std::string>> refs(place_candidate_.size());
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    const std::size_t p = place_of_candidate_[c];
    const Candidate& k = candidates_[c];
    for (const std::string& r : k.refs)
      AddUnique(refs[p], r);
    if (c == place_candidate_[p]) continue;
    if (!k.name.empty() && k.name != candidates_[place_candidate_[p]].name &&
        k.role != Role::kJunction) {
      AddUnique(place_aliases_[p], k.name);
      notes_.push_back(k.name + " (" + k.origin + ") is " + candidates_[place_candidate_[p]].name);
    }
  }
  std::set<std::string> used;
  for (std::size_t p = 0; p < place_candidate_.size(); ++p) {
    if (!candidates_[place_candidate_[p]].name.empty()) {
      used.insert(candidates_[place_candidate_[p]].name);
    }
  }
  for (std::size_t p = 0; p < place_candidate_.size(); ++p) {
    Candidate& k = candidates_[place_candidate_[p]];
    if (!k.name.empty()) continue;
    std::sort(refs[p].begin(), refs[p].end());
    std::string joined;
    for (const std::string& r : refs[p])
      joined += (joined.empty() ? "" : "/") + r;
    const std::string near = NearestSeatShortName(CandidatePosition(place_candidate_[p]));
    std::string name = joined + "岔口(" + near + ")";
    for (int n = 2; used.count(name); ++n) {
      name = joined + "岔口(" + near + ")" + std::to_string(n);
    }
    used.insert(name);
    k.name = name;
  }
  return Status::Ok();
}

Status Builder::AssignElevations() {
  place_elevation_.assign(place_candidate_.size(), std::nullopt);
  for (std::size_t p = 0; p < place_candidate_.size(); ++p) {
    place_elevation_[p] = candidates_[place_candidate_[p]].elevation_m;
  }
  // Junctions and unnamed ends: linear in distance between the nearest places of known
  // elevation along the same road, or the nearest one where only one side has any. Passes do
  // not count: a pass is a summit, and a straight line from it would lift every junction on
  // its flanks; the valley places on either side say more.
  auto anchors = [&](std::size_t p) {
    const Candidate& k = candidates_[place_candidate_[p]];
    return k.elevation_m.has_value() && k.role != Role::kPass;
  };
  std::vector<std::vector<std::pair<double, std::size_t>>> along(stretches_.size());
  for (const Position& pos : positions_) {
    along[pos.stretch].push_back({pos.along, place_of_candidate_[pos.candidate]});
  }
  for (auto& list : along)
    std::stable_sort(list.begin(), list.end());
  for (std::size_t s = 0; s < stretches_.size(); ++s) {
    const auto& list = along[s];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::size_t p = list[i].second;
      if (place_elevation_[p] || candidates_[place_candidate_[p]].elevation_m) continue;
      std::optional<std::size_t> before, after;
      for (std::size_t j = i; j-- > 0;) {
        if (anchors(list[j].second)) {
          before = j;
          break;
        }
      }
      for (std::size_t j = i + 1; j < list.size(); ++j) {
        if (anchors(list[j].second)) {
          after = j;
          break;
        }
      }
      auto known = [&](std::size_t j) {
        return *candidates_[place_candidate_[list[j].second]].elevation_m;
      };
      if (before && after) {
        const double span = list[*after].first - list[*before].first;
        const double w = span > 0 ? (list[i].first - list[*before].first) / span : 0.0;
        place_elevation_[p] = known(*before) + w * (known(*after) - known(*before));
      } else if (before) {
        place_elevation_[p] = known(*before);
      } else if (after) {
        place_elevation_[p] = known(*after);
      }
    }
  }
  for (std::size_t p = 0; p < place_candidate_.size(); ++p) {
    if (!place_elevation_[p]) {
      return Status::InvalidArgument("no elevation for " + candidates_[place_candidate_[p]].name +
                                     " (" + candidates_[place_candidate_[p]].origin +
                                     "): it lies on no road with a place of known elevation");
    }
  }
  return Status::Ok();
}

Status Builder::MakeEdges() {
  auto elevation = [&](std::size_t p) {
    return static_cast<std::int32_t>(std::lround(*place_elevation_[p]));
  };
  std::vector<std::vector<const Position*>> by_stretch(stretches_.size());
  for (const Position& pos : positions_)
    by_stretch[pos.stretch].push_back(&pos);
  for (std::size_t s = 0; s < stretches_.size(); ++s) {
    auto& list = by_stretch[s];
    std::stable_sort(list.begin(), list.end(),
                     [](const Position* a, const Position* b) { return a->along < b->along; });
    for (std::size_t i = 1; i < list.size(); ++i) {
      const std::size_t a = place_of_candidate_[list[i - 1]->candidate];
      const std::size_t b = place_of_candidate_[list[i]->candidate];
      if (a == b) continue;
      Edge e;
      e.a = a;
      e.b = b;
      e.length_m = list[i]->along - list[i - 1]->along;
      e.ref = stretches_[s].ref;
      e.road_class = RoadClass::kNational;
      e.max_elevation_m = std::max(elevation(a), elevation(b));
      e.source = LengthSource::kMeasured;
      edges_.push_back(std::move(e));
    }
    if (list.empty() || list.front()->along > options_.merge_m ||
        stretches_[s].length() - list.back()->along > options_.merge_m) {
      return Status::Internal("stretch " + std::to_string(s) + " of " + stretches_[s].ref +
                              " has road beyond its last place");
    }
  }
  for (const Link& link : links_) {
    const std::size_t colon = link.to.find(':');
    const std::string to_name = colon == std::string::npos ? link.to : link.to.substr(colon + 1);
    const std::size_t ca = names_.at(link.from), cb = names_.at(to_name);
    Edge e;
    e.a = place_of_candidate_[ca];
    e.b = place_of_candidate_[cb];
    if (e.a == e.b) {
      return Status::InvalidArgument(link.origin + ": joins " + link.from + " to itself");
    }
    const double straight = Distance(CandidatePosition(place_candidate_[e.a]),
                                     CandidatePosition(place_candidate_[e.b]));
    e.length_m = link.length_km ? *link.length_km * 1000.0 : straight * *link.detour_factor;
    if (link.length_km && e.length_m < straight) {
      return Status::InvalidArgument(link.origin + ": " + Km(e.length_m) +
                                     " km is shorter than the straight line (" + Km(straight) +
                                     " km)");
    }
    e.ref = link.ref;
    e.road_class = link.road_class;
    e.surface = link.surface;
    e.max_elevation_m = std::max(elevation(e.a), elevation(e.b));
    if (link.max_elevation_m) {
      e.max_elevation_m = std::max(e.max_elevation_m,
                                   static_cast<std::int32_t>(std::lround(*link.max_elevation_m)));
    }
    e.source = LengthSource::kEstimated;
    edges_.push_back(std::move(e));
  }
  for (const Edge& e : edges_) {
    if (std::lround(e.length_m) < 1) {
      return Status::Internal("zero-length road between " +
                              candidates_[place_candidate_[e.a]].name + " and " +
                              candidates_[place_candidate_[e.b]].name);
    }
  }
  return Status::Ok();
}

Status Builder::CheckReachable() {
  const std::size_t n = place_candidate_.size();
  std::vector<std::vector<std::size_t>> adjacent(n);
  for (const Edge& e : edges_) {
    adjacent[e.a].push_back(e.b);
    adjacent[e.b].push_back(e.a);
  }
  auto lhasa = names_.find("拉萨");
  if (lhasa == names_.end()) return Status::InvalidArgument("no place named 拉萨");
  std::vector<bool> seen(n, false);
  std::vector<std::size_t> stack = {place_of_candidate_[lhasa->second]};
  seen[stack.back()] = true;
  while (!stack.empty()) {
    const std::size_t p = stack.back();
    stack.pop_back();
    for (std::size_t q : adjacent[p]) {
      if (!seen[q]) {
        seen[q] = true;
        stack.push_back(q);
      }
    }
  }
  std::string missing;
  for (std::size_t p = 0; p < n; ++p) {
    if (!seen[p]) missing += (missing.empty() ? "" : ", ") + candidates_[place_candidate_[p]].name;
  }
  if (!missing.empty()) {
    return Status::FailedPrecondition("not reachable from 拉萨: " + missing +
                                      " (add a link in facts/links.csv)");
  }
  return Status::Ok();
}

int KindRank(PlaceKind kind) {
  switch (kind) {
    case PlaceKind::kPrefectureSeat:
      return 0;
    case PlaceKind::kCountySeat:
      return 1;
    case PlaceKind::kTown:
      return 2;
    case PlaceKind::kPass:
      return 3;
    case PlaceKind::kJunction:
      return 4;
    case PlaceKind::kPost:
      return 5;
  }
  return 6;
}

// Coordinates rounded to a millionth of a degree (0.1 m): more would be noise, and short
// numbers keep the files readable and diffs small.
double Round6(double degrees) {
  return std::round(degrees * 1e6) / 1e6;
}

NetworkSpec Builder::Emit(XizangBuildReport& report) {
  const std::size_t n = place_candidate_.size();
  std::vector<std::size_t> order(n);
  for (std::size_t p = 0; p < n; ++p)
    order[p] = p;
  auto key = [&](std::size_t p) {
    const Candidate& k = candidates_[place_candidate_[p]];
    return std::make_tuple(KindRank(k.kind), k.adcode, k.name);
  };
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<std::size_t> new_id(n);
  for (std::size_t i = 0; i < n; ++i)
    new_id[order[i]] = i;

  NetworkSpec spec;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t p = order[i];
    const Candidate& k = candidates_[place_candidate_[p]];
    PlaceSpec place;
    place.name = k.name;
    place.pinyin = k.pinyin;
    place.kind = k.kind;
    const LatLon at = CandidatePosition(place_candidate_[p]);
    place.lat = Round6(at.lat);
    place.lon = Round6(at.lon);
    place.elevation_m = static_cast<std::int32_t>(std::lround(*place_elevation_[p]));
    place.adcode = k.adcode;
    place.aliases = k.aliases;
    for (const std::string& a : place_aliases_[p])
      AddUnique(place.aliases, a);
    switch (k.kind) {
      case PlaceKind::kPrefectureSeat:
      case PlaceKind::kCountySeat:
        ++report.seat_places;
        break;
      case PlaceKind::kTown:
        ++report.towns;
        break;
      case PlaceKind::kPass:
        ++report.passes;
        break;
      default:
        ++report.junctions;
        break;
    }
    spec.places.push_back(std::move(place));
  }

  std::vector<Edge> edges = edges_;
  for (Edge& e : edges) {
    e.a = new_id[e.a];
    e.b = new_id[e.b];
    if (e.a > e.b) std::swap(e.a, e.b);
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    return std::tie(x.a, x.b, x.ref, x.length_m) < std::tie(y.a, y.b, y.ref, y.length_m);
  });
  std::map<std::string, double> kept;
  for (const Edge& e : edges) {
    ArcSpec arc;
    arc.from = PlaceId(static_cast<std::uint32_t>(e.a));
    arc.to = PlaceId(static_cast<std::uint32_t>(e.b));
    arc.length_m = static_cast<std::uint32_t>(std::lround(e.length_m));
    arc.road_ref = e.ref;
    arc.road_class = e.road_class;
    arc.surface = e.surface;
    arc.max_elevation_m = e.max_elevation_m;
    arc.length_source = e.source;
    ArcSpec back = arc;
    std::swap(back.from, back.to);
    spec.arcs.push_back(std::move(arc));
    spec.arcs.push_back(std::move(back));
    ++report.roads;
    if (e.source == LengthSource::kMeasured) {
      report.measured_km += std::round(e.length_m) / 1000.0;
      kept[e.ref] += std::round(e.length_m) / 1000.0;
    } else {
      report.estimated_km += std::round(e.length_m) / 1000.0;
    }
  }
  report.arcs = spec.arcs.size();
  report.places = spec.places.size();
  for (const std::string& ref : highway_order_)
    report.highways.push_back({ref, kept[ref]});
  for (const Division& d : divisions_) {
    if (d.level == "province") continue;
    const std::string wanted = d.level == "city" ? ShortName(d.name) : d.name;
    if (names_.count(wanted) || names_.count(d.name)) ++report.seat_names;
  }
  report.notes = notes_;
  return spec;
}

Result<NetworkSpec> Builder::Run(XizangBuildReport& report) {
  BAIYING_RETURN_IF_ERROR(ReadStations());
  BAIYING_RETURN_IF_ERROR(MakeSeats());
  BAIYING_RETURN_IF_ERROR(ReadClips());
  BAIYING_RETURN_IF_ERROR(PlaceSeatsOnHighways());
  BAIYING_RETURN_IF_ERROR(ReadFeatures("passes.csv", Role::kPass));
  BAIYING_RETURN_IF_ERROR(ReadFeatures("towns.csv", Role::kTown));
  BAIYING_RETURN_IF_ERROR(ReadLinks());
  BAIYING_RETURN_IF_ERROR(ResolveLinks());
  BAIYING_RETURN_IF_ERROR(MergeAndMakePlaces());
  BAIYING_RETURN_IF_ERROR(AssignElevations());
  BAIYING_RETURN_IF_ERROR(MakeEdges());
  BAIYING_RETURN_IF_ERROR(CheckReachable());
  return Emit(report);
}

}  // namespace

Status XizangBuildOptions::Validate() const {
  if (shared_dir.empty()) return Status::InvalidArgument("shared_dir: not set");
  if (facts_dir.empty()) return Status::InvalidArgument("facts_dir: not set");
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  if (!positive(seat_snap_m)) return Status::InvalidArgument("seat_snap_m: must be positive");
  if (!positive(feature_snap_m)) return Status::InvalidArgument("feature_snap_m: must be positive");
  if (!positive(station_radius_m)) {
    return Status::InvalidArgument("station_radius_m: must be positive");
  }
  if (!positive(junction_m)) return Status::InvalidArgument("junction_m: must be positive");
  if (!positive(shared_run_m)) return Status::InvalidArgument("shared_run_m: must be positive");
  if (!positive(merge_m)) return Status::InvalidArgument("merge_m: must be positive");
  return Status::Ok();
}

std::string XizangBuildReport::Summary() const {
  std::ostringstream out;
  out << places << " places (" << seat_places << " seats answering to " << seat_names
      << " division names, " << towns << " towns, " << passes << " passes, " << junctions
      << " junctions)\n"
      << roads << " two-way roads (" << arcs << " arcs): " << Km(measured_km * 1000)
      << " km measured, " << Km(estimated_km * 1000) << " km estimated\n";
  for (const Highway& h : highways)
    out << "  " << h.ref << ": " << Km(h.kept_km * 1000) << " km\n";
  return out.str();
}

Result<NetworkSpec> BuildXizangSpec(const XizangBuildOptions& options, XizangBuildReport* report) {
  BAIYING_RETURN_IF_ERROR(options.Validate());
  XizangBuildReport local;
  Builder builder(options);
  Result<NetworkSpec> spec = builder.Run(report != nullptr ? *report : local);
  if (!spec.ok()) return spec.status().WithPrefix("build-xizang");
  // The engine's own checks, so a network that would not load is never written.
  NetworkSpec copy = *spec;
  Result<RoadGraph> graph = BuildGraph(std::move(copy));
  if (!graph.ok()) return graph.status().WithPrefix("build-xizang: the network does not build");
  return spec;
}

Result<XizangBuildReport> BuildXizangNetwork(const XizangBuildOptions& options) {
  XizangBuildReport report;
  Result<NetworkSpec> spec = BuildXizangSpec(options, &report);
  if (!spec.ok()) return spec.status();
  if (!options.out_dir.empty()) {
    BAIYING_RETURN_IF_ERROR(WriteNetworkCsv(*spec, options.out_dir));
  }
  return report;
}

}  // namespace baiying::loaders
