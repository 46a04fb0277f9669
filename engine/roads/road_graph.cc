#include "engine/roads/road_graph.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <numbers>
#include <unordered_set>

namespace baiying {
namespace {

constexpr double kEarthRadiusM = 6'371'008.8;  // mean Earth radius (IUGG)
constexpr double kMetresPerDegree = kEarthRadiusM * std::numbers::pi / 180.0;

// Longest first, so 地区 is taken off before 区.
constexpr std::array<std::string_view, 6> kAdministrativeSuffixes = {"地区", "市", "县",
                                                                     "区",   "镇", "乡"};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimAscii(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// "定日县" -> "定日"; empty when no suffix comes off or nothing would be left.
std::string StripSuffix(std::string_view name) {
  for (std::string_view suffix : kAdministrativeSuffixes) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      return std::string(name.substr(0, name.size() - suffix.size()));
    }
  }
  return {};
}

void AddName(std::unordered_map<std::string, std::vector<PlaceId>>& map, std::string key,
             PlaceId place) {
  if (key.empty()) return;
  std::vector<PlaceId>& v = map[std::move(key)];
  if (std::find(v.begin(), v.end(), place) == v.end()) v.push_back(place);
}

std::string PlaceLabel(const std::vector<PlaceSpec>& places, std::size_t i) {
  std::string label = "place " + std::to_string(i);
  if (i < places.size() && !places[i].name.empty()) label += " (" + places[i].name + ")";
  return label;
}

}  // namespace

double HaversineMeters(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * kRad;
  const double dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

// A uniform grid over the places' bounding box, each cell listing its places, for SnapToPlace.
struct RoadGraph::SnapGrid {
  double min_lat = 0, min_lon = 0;
  double cell_deg_lat = 1, cell_deg_lon = 1;
  std::uint32_t rows = 1, cols = 1;
  std::vector<std::uint32_t> first;   // rows * cols + 1
  std::vector<std::uint32_t> places;  // grouped by cell
  double min_cell_m = 0;              // a lower bound on a cell's width or height in metres

  std::uint32_t Row(double lat) const {
    const double r = std::floor((lat - min_lat) / cell_deg_lat);
    return static_cast<std::uint32_t>(std::clamp(r, 0.0, static_cast<double>(rows - 1)));
  }
  std::uint32_t Col(double lon) const {
    const double c = std::floor((lon - min_lon) / cell_deg_lon);
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(cols - 1)));
  }

  static std::unique_ptr<SnapGrid> Build(const std::vector<PlaceSpec>& all) {
    auto grid = std::make_unique<SnapGrid>();
    if (all.empty()) return grid;
    double max_lat = all[0].lat, max_lon = all[0].lon;
    grid->min_lat = all[0].lat;
    grid->min_lon = all[0].lon;
    for (const PlaceSpec& p : all) {
      grid->min_lat = std::min(grid->min_lat, p.lat);
      grid->min_lon = std::min(grid->min_lon, p.lon);
      max_lat = std::max(max_lat, p.lat);
      max_lon = std::max(max_lon, p.lon);
    }
    // About two places a cell, at most 2048 cells a side.
    const double span_lat = std::max(max_lat - grid->min_lat, 1e-6);
    const double span_lon = std::max(max_lon - grid->min_lon, 1e-6);
    const double cells_wanted = std::max(1.0, static_cast<double>(all.size()) / 2.0);
    const double side = std::sqrt(span_lat * span_lon / cells_wanted);
    grid->rows = static_cast<std::uint32_t>(std::clamp(std::ceil(span_lat / side), 1.0, 2048.0));
    grid->cols = static_cast<std::uint32_t>(std::clamp(std::ceil(span_lon / side), 1.0, 2048.0));
    grid->cell_deg_lat = span_lat / grid->rows * (1 + 1e-9);
    grid->cell_deg_lon = span_lon / grid->cols * (1 + 1e-9);
    const double max_abs_lat = std::min(89.0, std::max(std::abs(grid->min_lat), std::abs(max_lat)));
    const double coslat = std::cos(max_abs_lat * std::numbers::pi / 180.0);
    // Great circles cut corners that parallels follow: keep a margin on the bound.
    grid->min_cell_m =
        0.9 * kMetresPerDegree * std::min(grid->cell_deg_lat, grid->cell_deg_lon * coslat);

    const std::size_t cells = std::size_t{grid->rows} * grid->cols;
    grid->first.assign(cells + 1, 0);
    std::vector<std::uint32_t> cell_of(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      cell_of[i] = grid->Row(all[i].lat) * grid->cols + grid->Col(all[i].lon);
      ++grid->first[cell_of[i] + 1];
    }
    for (std::size_t c = 0; c < cells; ++c)
      grid->first[c + 1] += grid->first[c];
    grid->places.resize(all.size());
    std::vector<std::uint32_t> fill(grid->first.begin(), grid->first.end() - 1);
    for (std::size_t i = 0; i < all.size(); ++i) {
      grid->places[fill[cell_of[i]]++] = static_cast<std::uint32_t>(i);
    }
    return grid;
  }
};

RoadGraph::~RoadGraph() = default;
RoadGraph::RoadGraph(RoadGraph&&) noexcept = default;
RoadGraph& RoadGraph::operator=(RoadGraph&&) noexcept = default;

Result<RoadGraph> RoadGraph::Build(std::vector<PlaceSpec> places, const std::vector<ArcSpec>& arcs,
                                   const TravelTimeOptions& options) {
  BAIYING_RETURN_IF_ERROR(options.Validate());
  if (places.size() >= std::numeric_limits<std::uint32_t>::max() ||
      arcs.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return Status::ResourceExhausted("road graph: more than 2^32 - 1 places or arcs");
  }
  const auto n = static_cast<std::uint32_t>(places.size());
  const auto m = static_cast<std::uint32_t>(arcs.size());

  std::unordered_set<std::string_view> seen_names;
  for (std::size_t i = 0; i < places.size(); ++i) {
    const PlaceSpec& p = places[i];
    if (!std::isfinite(p.lat) || p.lat < -90 || p.lat > 90) {
      return Status::InvalidArgument(PlaceLabel(places, i) + ": latitude " + std::to_string(p.lat) +
                                     " is outside [-90, 90]");
    }
    if (!std::isfinite(p.lon) || p.lon < -180 || p.lon > 180) {
      return Status::InvalidArgument(PlaceLabel(places, i) + ": longitude " +
                                     std::to_string(p.lon) + " is outside [-180, 180]");
    }
    if (!p.name.empty() && !seen_names.insert(p.name).second) {
      return Status::InvalidArgument(PlaceLabel(places, i) + ": name '" + p.name +
                                     "' is already used by another place");
    }
  }
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const ArcSpec& a = arcs[i];
    const std::string label = "arc " + std::to_string(i);
    if (!a.from.valid() || a.from.value() >= n || !a.to.valid() || a.to.value() >= n) {
      return Status::InvalidArgument(
          label + ": place id out of range (from " + std::to_string(a.from.value()) + ", to " +
          std::to_string(a.to.value()) + ", " + std::to_string(n) + " places)");
    }
    if (a.from == a.to) {
      return Status::InvalidArgument(label + ": loop at " + PlaceLabel(places, a.from.value()));
    }
    if (a.length_m == 0 && !a.fixed_time) {
      return Status::InvalidArgument(label + " from " + PlaceLabel(places, a.from.value()) +
                                     " to " + PlaceLabel(places, a.to.value()) +
                                     ": length must be positive");
    }
    if (a.fixed_time && *a.fixed_time == kInfiniteTime) {
      return Status::InvalidArgument(label + ": fixed time is the infinite-time sentinel");
    }
  }

  RoadGraph g;
  g.options_ = options;

  // Forward rows: a stable counting sort of arcs by tail keeps input order within a row.
  g.first_out_.assign(n + 1, 0);
  for (const ArcSpec& a : arcs)
    ++g.first_out_[a.from.value() + 1];
  for (std::uint32_t v = 0; v < n; ++v)
    g.first_out_[v + 1] += g.first_out_[v];
  std::vector<std::uint32_t> order(m);
  {
    std::vector<std::uint32_t> fill(g.first_out_.begin(), g.first_out_.end() - 1);
    for (std::uint32_t i = 0; i < m; ++i)
      order[fill[arcs[i].from.value()]++] = i;
  }

  g.head_.resize(m);
  g.tail_.resize(m);
  g.weight_.resize(m);
  g.length_m_.resize(m);
  g.max_elevation_m_.resize(m);
  g.ref_index_.resize(m);
  g.road_class_.resize(m);
  g.surface_.resize(m);
  g.length_source_.resize(m);
  g.refs_.push_back("");
  std::unordered_map<std::string, std::uint16_t> ref_ids{{"", 0}};
  for (std::uint32_t pos = 0; pos < m; ++pos) {
    const ArcSpec& a = arcs[order[pos]];
    auto [it, inserted] = ref_ids.try_emplace(a.road_ref, static_cast<std::uint16_t>(0));
    if (inserted) {
      if (g.refs_.size() > std::numeric_limits<std::uint16_t>::max()) {
        return Status::ResourceExhausted("road graph: more than 65,535 distinct road references");
      }
      it->second = static_cast<std::uint16_t>(g.refs_.size());
      g.refs_.push_back(a.road_ref);
    }
    g.head_[pos] = a.to.value();
    g.tail_[pos] = a.from.value();
    g.weight_[pos] = ArcTravelTime(options, a, places[a.from.value()].elevation_m,
                                   places[a.to.value()].elevation_m);
    g.length_m_[pos] = a.length_m;
    g.max_elevation_m_[pos] = std::max(
        {a.max_elevation_m, places[a.from.value()].elevation_m, places[a.to.value()].elevation_m});
    g.ref_index_[pos] = it->second;
    g.road_class_[pos] = a.road_class;
    g.surface_[pos] = a.surface;
    g.length_source_[pos] = a.length_source;
  }

  // Backward rows, by head, in arc id order within a row.
  g.first_in_.assign(n + 1, 0);
  for (std::uint32_t pos = 0; pos < m; ++pos)
    ++g.first_in_[g.head_[pos] + 1];
  for (std::uint32_t v = 0; v < n; ++v)
    g.first_in_[v + 1] += g.first_in_[v];
  g.in_tail_.resize(m);
  g.in_arc_.resize(m);
  g.in_weight_.resize(m);
  {
    std::vector<std::uint32_t> fill(g.first_in_.begin(), g.first_in_.end() - 1);
    for (std::uint32_t pos = 0; pos < m; ++pos) {
      const std::uint32_t slot = fill[g.head_[pos]]++;
      g.in_tail_[slot] = g.tail_[pos];
      g.in_arc_[slot] = pos;
      g.in_weight_[slot] = g.weight_[pos];
    }
  }

  for (std::uint32_t i = 0; i < n; ++i) {
    const PlaceSpec& p = places[i];
    const PlaceId id(i);
    for (const std::string* text : {&p.name, &p.pinyin}) {
      AddName(g.names_, Lower(*text), id);
      AddName(g.short_names_, StripSuffix(*text), id);
    }
    for (const std::string& alias : p.aliases) {
      AddName(g.names_, Lower(alias), id);
      AddName(g.short_names_, StripSuffix(alias), id);
    }
  }
  g.snap_grid_ = SnapGrid::Build(places);
  g.places_ = std::move(places);
  return g;
}

ArcId RoadGraph::FindArc(PlaceId from, PlaceId to) const {
  ArcId best = kNoArc;
  if (!from.valid() || from.value() >= place_count()) return best;
  for (std::uint32_t a = first_out(from); a < end_out(from); ++a) {
    if (head_[a] == to.value() && (!best.valid() || weight_[a] < weight_[best.value()])) {
      best = ArcId(a);
    }
  }
  return best;
}

Result<PlaceId> RoadGraph::FindPlace(std::string_view query) const {
  const std::string_view trimmed = TrimAscii(query);
  if (trimmed.empty()) return Status::InvalidArgument("empty place name");

  auto pick = [&](const std::vector<PlaceId>& hits) -> Result<PlaceId> {
    if (hits.size() == 1) return hits[0];
    std::string m = "place '" + std::string(trimmed) + "' is ambiguous:";
    for (PlaceId p : hits) {
      m += " " + places_[p.value()].name + " (id " + std::to_string(p.value()) + ")";
    }
    return Status::InvalidArgument(m + "; give the full name or the id");
  };

  // Exact names first; then 定日县 finds 定日 and 定日 finds 定日县.
  const std::string lowered = Lower(trimmed);
  const std::string stripped = StripSuffix(trimmed);
  if (auto it = names_.find(lowered); it != names_.end()) return pick(it->second);
  if (auto it = names_.find(stripped); !stripped.empty() && it != names_.end()) {
    return pick(it->second);
  }
  for (const std::string& key : {std::string(trimmed), stripped}) {
    if (auto it = short_names_.find(key); !key.empty() && it != short_names_.end()) {
      return pick(it->second);
    }
  }

  std::uint32_t id = 0;
  const char* end = trimmed.data() + trimmed.size();
  if (auto [ptr, ec] = std::from_chars(trimmed.data(), end, id); ec == std::errc() && ptr == end) {
    if (id < place_count()) return PlaceId(id);
    return Status::NotFound("place id " + std::to_string(id) + " is out of range (" +
                            std::to_string(place_count()) + " places)");
  }
  return Status::NotFound("no place named '" + std::string(trimmed) + "'");
}

RoadGraph::Snap RoadGraph::SnapToPlace(double lat, double lon) const {
  Snap best{kNoPlace, std::numeric_limits<double>::infinity()};
  const SnapGrid& grid = *snap_grid_;
  if (places_.empty()) return best;
  const auto row = static_cast<std::int64_t>(grid.Row(lat));
  const auto col = static_cast<std::int64_t>(grid.Col(lon));
  const std::int64_t max_ring = std::max<std::int64_t>(grid.rows, grid.cols);
  for (std::int64_t ring = 0; ring <= max_ring; ++ring) {
    if (best.place.valid() && static_cast<double>(ring - 1) * grid.min_cell_m > best.distance_m) {
      break;
    }
    for (std::int64_t r = row - ring; r <= row + ring; ++r) {
      if (r < 0 || r >= grid.rows) continue;
      const bool edge_row = (r == row - ring || r == row + ring);
      const std::int64_t step = edge_row ? 1 : 2 * ring;
      for (std::int64_t c = col - ring; c <= col + ring; c += std::max<std::int64_t>(step, 1)) {
        if (c < 0 || c >= grid.cols) continue;
        const std::size_t cell = static_cast<std::size_t>(r * grid.cols + c);
        for (std::uint32_t k = grid.first[cell]; k < grid.first[cell + 1]; ++k) {
          const std::uint32_t p = grid.places[k];
          const double d = HaversineMeters(lat, lon, places_[p].lat, places_[p].lon);
          if (d < best.distance_m || (d == best.distance_m && p < best.place.value())) {
            best = {PlaceId(p), d};
          }
        }
      }
    }
  }
  return best;
}

std::size_t RoadGraph::MemoryBytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  std::size_t total = bytes(first_out_) + bytes(head_) + bytes(tail_) + bytes(weight_) +
                      bytes(length_m_) + bytes(max_elevation_m_) + bytes(ref_index_) +
                      bytes(road_class_) + bytes(surface_) + bytes(length_source_) +
                      bytes(first_in_) + bytes(in_tail_) + bytes(in_arc_) + bytes(in_weight_) +
                      places_.capacity() * sizeof(PlaceSpec);
  if (snap_grid_) total += bytes(snap_grid_->first) + bytes(snap_grid_->places);
  return total;
}

}  // namespace baiying
