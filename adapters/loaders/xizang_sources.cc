#include "adapters/loaders/xizang_sources.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <string>
#include <utility>

#include "adapters/loaders/text_reader.h"

namespace baiying::loaders {
namespace {

// --- GCJ-02 ---
// The constants of the published GCJ-02 function: the Krasovsky 1940 ellipsoid.
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyEe = 0.00669342162296594323;
constexpr double kPi = std::numbers::pi;

double ShiftLat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
  return r;
}

double ShiftLon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

// --- Station coordinates ---
// The band in which every station of the plateau lists lies; see ReadPlateauStationsCsv.
constexpr double kBandLatMin = 24.0;
constexpr double kBandLatMax = 42.0;
constexpr double kBandLonMin = 73.0;
constexpr double kBandLonMax = 105.0;

bool InBand(double lat, double lon) {
  return lat >= kBandLatMin && lat <= kBandLatMax && lon >= kBandLonMin && lon <= kBandLonMax;
}

// Applies the coordinate rule to a station read at `where`: true to keep it (possibly
// repaired), false to skip it; either way a changed or skipped row adds a note.
bool CheckStationPosition(WeatherStation& s, const std::string& where,
                          std::vector<std::string>& notes) {
  if (InBand(s.position.lat, s.position.lon)) return true;
  const std::string label = where + ": station " + std::to_string(s.id) + " " + s.name;
  if (s.position.lon >= 100.0 && InBand(s.position.lat, s.position.lon - 100.0)) {
    std::ostringstream note;
    note << label << ": longitude " << s.position.lon << " repaired to " << s.position.lon - 100.0
         << " (one extra leading digit)";
    notes.push_back(note.str());
    s.position.lon -= 100.0;
    return true;
  }
  std::ostringstream note;
  note << label << ": position " << s.position.lat << ", " << s.position.lon
       << " lies off the plateau; row skipped";
  notes.push_back(note.str());
  return false;
}

// "29.4" -> 29°40', "30.03" -> 30°03', "91" -> 91°00'. The minutes are the decimal digits,
// read as text: 29.4 and 29.40 are the same, as a number would have it, but 29.04 is not.
bool ParseDegreesMinutes(std::string_view text, double& out) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view minutes_text = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  std::int64_t degrees = 0;
  if (!ParseInt(whole, degrees) || degrees < 0 || degrees > 360) return false;
  std::int64_t minutes = 0;
  if (!minutes_text.empty()) {
    if (minutes_text.size() > 2) return false;
    if (!std::all_of(minutes_text.begin(), minutes_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    if (!ParseInt(minutes_text, minutes)) return false;
    if (minutes_text.size() == 1) minutes *= 10;
    if (minutes >= 60) return false;
  }
  out = static_cast<double>(degrees) + static_cast<double>(minutes) / 60.0;
  return true;
}

// "2940" (DDMM) or "09108" (DDDMM) -> degrees.
bool ParsePackedDegreesMinutes(std::string_view text, double& out) {
  if (text.size() < 3 || text.size() > 5) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  std::int64_t degrees = 0;
  std::int64_t minutes = 0;
  if (!ParseInt(text.substr(0, text.size() - 2), degrees)) return false;
  if (!ParseInt(text.substr(text.size() - 2), minutes) || minutes >= 60) return false;
  out = static_cast<double>(degrees) + static_cast<double>(minutes) / 60.0;
  return true;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> SplitSpaces(std::string_view line) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t')
      ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  return tokens;
}

Status ParseStationId(const LineReader& reader, std::string_view field, std::string_view text,
                      std::uint32_t& out) {
  std::int64_t id = 0;
  if (text.size() != 5 || !AllDigits(text) || !ParseInt(text, id)) {
    return reader.FieldError(
        field, "expected a five-digit station number, found '" + std::string(text) + "'");
  }
  out = static_cast<std::uint32_t>(id);
  return Status::Ok();
}

// Reads a header line and the position of each wanted column; a missing one is an error.
Result<std::vector<std::size_t>> HeaderPositions(const LineReader& reader, std::string_view line,
                                                 std::span<const std::string_view> wanted) {
  Result<std::vector<std::string>> header = SplitCsv(line);
  if (!header.ok()) return reader.Error("header: " + header.status().message());
  std::vector<std::size_t> positions;
  for (std::string_view name : wanted) {
    auto it = std::find_if(header->begin(), header->end(),
                           [&](const std::string& h) { return Trim(h) == name; });
    if (it == header->end()) {
      return reader.Error("header: missing column '" + std::string(name) + "'");
    }
    positions.push_back(static_cast<std::size_t>(std::distance(header->begin(), it)));
  }
  return positions;
}

}  // namespace

LatLon Wgs84ToGcj02(LatLon wgs84) {
  const double x = wgs84.lon - 105.0;
  const double y = wgs84.lat - 35.0;
  const double rad_lat = wgs84.lat / 180.0 * kPi;
  const double magic = 1.0 - kKrasovskyEe * std::sin(rad_lat) * std::sin(rad_lat);
  const double sqrt_magic = std::sqrt(magic);
  const double dlat =
      ShiftLat(x, y) * 180.0 / ((kKrasovskyA * (1.0 - kKrasovskyEe)) / (magic * sqrt_magic) * kPi);
  const double dlon = ShiftLon(x, y) * 180.0 / (kKrasovskyA / sqrt_magic * std::cos(rad_lat) * kPi);
  return {wgs84.lat + dlat, wgs84.lon + dlon};
}

LatLon Gcj02ToWgs84(LatLon gcj02) {
  // Ten rounds is far more than needed; a fixed count keeps the output reproducible.
  LatLon guess = gcj02;
  for (int round = 0; round < 10; ++round) {
    const LatLon shifted = Wgs84ToGcj02(guess);
    guess.lat -= shifted.lat - gcj02.lat;
    guess.lon -= shifted.lon - gcj02.lon;
  }
  return guess;
}

Result<std::vector<Division>> ReadDivisions(const std::filesystem::path& path) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;
  std::string line;
  if (!reader.Next(line)) {
    BAIYING_RETURN_IF_ERROR(reader.status());
    return Status::InvalidArgument(reader.file_name() + ": empty file");
  }
  static constexpr std::string_view kColumns[] = {
      "adcode", "name", "level", "parent_adcode", "center_lon_gcj02", "center_lat_gcj02"};
  Result<std::vector<std::size_t>> pos = HeaderPositions(reader, line, kColumns);
  if (!pos.ok()) return pos.status();

  std::vector<Division> divisions;
  while (reader.Next(line)) {
    if (Trim(line).empty()) continue;
    Result<std::vector<std::string>> fields = SplitCsv(line);
    if (!fields.ok()) return reader.Error(fields.status().message());
    auto field = [&](std::size_t column) -> std::string_view {
      const std::size_t p = (*pos)[column];
      return p < fields->size() ? Trim((*fields)[p]) : std::string_view();
    };
    Division d;
    d.line = reader.line_number();
    std::int64_t number = 0;
    if (!ParseInt(field(0), number) || number < 100000 || number > 999999) {
      return reader.FieldError("adcode",
                               "expected a six-digit code, found '" + std::string(field(0)) + "'");
    }
    d.adcode = static_cast<std::uint32_t>(number);
    d.name = field(1);
    if (d.name.empty()) return reader.FieldError("name", "missing");
    d.level = field(2);
    if (d.level != "province" && d.level != "city" && d.level != "district") {
      return reader.FieldError("level",
                               "expected province, city or district, found '" + d.level + "'");
    }
    if (!field(3).empty()) {
      if (!ParseInt(field(3), number) || number < 100000 || number > 999999) {
        return reader.FieldError(
            "parent_adcode", "expected a six-digit code, found '" + std::string(field(3)) + "'");
      }
      d.parent_adcode = static_cast<std::uint32_t>(number);
    } else if (d.level != "province") {
      return reader.FieldError("parent_adcode", "missing for a " + d.level);
    }
    if (!ParseDouble(field(4), d.seat_gcj02.lon) || d.seat_gcj02.lon < -180 ||
        d.seat_gcj02.lon > 180) {
      return reader.FieldError("center_lon_gcj02",
                               "expected a longitude, found '" + std::string(field(4)) + "'");
    }
    if (!ParseDouble(field(5), d.seat_gcj02.lat) || d.seat_gcj02.lat < -90 ||
        d.seat_gcj02.lat > 90) {
      return reader.FieldError("center_lat_gcj02",
                               "expected a latitude, found '" + std::string(field(5)) + "'");
    }
    divisions.push_back(std::move(d));
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  return divisions;
}

Result<StationList> ReadPlateauStationsCsv(const std::filesystem::path& path) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;
  std::string line;
  if (!reader.Next(line)) {
    BAIYING_RETURN_IF_ERROR(reader.status());
    return Status::InvalidArgument(reader.file_name() + ": empty file");
  }
  // The headers say Lon,Lat; the values are latitude, longitude (see the header file).
  static constexpr std::string_view kColumns[] = {"SID", "SNameCH", "Lon", "Lat", "Ele"};
  Result<std::vector<std::size_t>> pos = HeaderPositions(reader, line, kColumns);
  if (!pos.ok()) return pos.status();

  StationList list;
  while (reader.Next(line)) {
    if (Trim(line).empty()) continue;
    Result<std::vector<std::string>> fields = SplitCsv(line);
    if (!fields.ok()) return reader.Error(fields.status().message());
    auto field = [&](std::size_t column) -> std::string_view {
      const std::size_t p = (*pos)[column];
      return p < fields->size() ? Trim((*fields)[p]) : std::string_view();
    };
    WeatherStation s;
    s.line = reader.line_number();
    BAIYING_RETURN_IF_ERROR(ParseStationId(reader, "SID", field(0), s.id));
    s.name = field(1);
    if (s.name.empty()) return reader.FieldError("SNameCH", "missing station name");
    if (!ParseDegreesMinutes(field(2), s.position.lat)) {
      return reader.FieldError("Lon", "expected the latitude as degrees.minutes (29.40), found '" +
                                          std::string(field(2)) + "'");
    }
    if (!ParseDegreesMinutes(field(3), s.position.lon)) {
      return reader.FieldError("Lat", "expected the longitude as degrees.minutes (91.08), found '" +
                                          std::string(field(3)) + "'");
    }
    if (!ParseDouble(field(4), s.elevation_m) || s.elevation_m < -500 || s.elevation_m > 9000) {
      return reader.FieldError(
          "Ele", "expected an elevation in metres, found '" + std::string(field(4)) + "'");
    }
    const std::string where = reader.file_name() + " line " + std::to_string(s.line);
    if (CheckStationPosition(s, where, list.notes)) list.stations.push_back(std::move(s));
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  return list;
}

Result<StationList> ReadPlateauStations1998(const std::filesystem::path& path) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;
  // Note 5 of the table: values from this one up are approximate, stored as value + 50000.
  constexpr std::int64_t kApproximateFlag = 50000;

  StationList list;
  std::string line;
  while (reader.Next(line)) {
    const std::vector<std::string_view> tokens = SplitSpaces(line);
    if (tokens.empty() || tokens[0].size() != 5 || !AllDigits(tokens[0])) continue;
    WeatherStation s;
    s.line = reader.line_number();
    BAIYING_RETURN_IF_ERROR(ParseStationId(reader, "station number", tokens[0], s.id));
    // The name may be split by the padding ("拉  萨"): it runs up to the first all-digit token.
    std::size_t k = 1;
    while (k < tokens.size() && !AllDigits(tokens[k]))
      s.name += tokens[k++];
    if (s.name.empty()) return reader.FieldError("name", "missing station name");
    if (k + 2 >= tokens.size()) {
      return reader.Error("expected latitude, longitude and elevation after the name");
    }
    if (!ParsePackedDegreesMinutes(tokens[k], s.position.lat)) {
      return reader.FieldError("latitude", "expected DDMM, found '" + std::string(tokens[k]) + "'");
    }
    if (!ParsePackedDegreesMinutes(tokens[k + 1], s.position.lon)) {
      return reader.FieldError("longitude",
                               "expected DDDMM, found '" + std::string(tokens[k + 1]) + "'");
    }
    std::int64_t tenths = 0;
    if (!AllDigits(tokens[k + 2]) || !ParseInt(tokens[k + 2], tenths) ||
        tenths >= 2 * kApproximateFlag) {
      return reader.FieldError(
          "elevation", "expected tenths of a metre, found '" + std::string(tokens[k + 2]) + "'");
    }
    if (tenths >= kApproximateFlag) {
      s.elevation_approximate = true;
      tenths -= kApproximateFlag;
    }
    s.elevation_m = static_cast<double>(tenths) / 10.0;
    const std::string where = reader.file_name() + " line " + std::to_string(s.line);
    if (CheckStationPosition(s, where, list.notes)) list.stations.push_back(std::move(s));
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  return list;
}

Result<HighwayGeometry> ReadHighwayJson(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::NotFound(name + ": no such file");
    return Status::Unavailable(name + ": cannot open");
  }
  // nlohmann::json reports by exception; they stop here, at the edge, as a Status.
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(name + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) return Status::InvalidArgument(name + ": expected a JSON object");

  HighwayGeometry geometry;
  const auto key = doc.find("key");
  if (key == doc.end() || !key->is_string() || key->get<std::string>().empty()) {
    return Status::InvalidArgument(name + ", field 'key': expected the road number as a string");
  }
  geometry.ref = key->get<std::string>();

  auto read_polyline = [&](const nlohmann::json& value, const std::string& field,
                           std::vector<LatLon>& out) -> Status {
    if (!value.is_array()) {
      return Status::InvalidArgument(name + ", field '" + field + "': expected an array of points");
    }
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
      const nlohmann::json& p = value[i];
      const std::string label = name + ", field '" + field + "[" + std::to_string(i) + "]'";
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
        return Status::InvalidArgument(label + ": expected [lon, lat]");
      }
      const double lon = p[0].get<double>();
      const double lat = p[1].get<double>();
      if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180 || lon > 180 || lat < -90 ||
          lat > 90) {
        return Status::InvalidArgument(label + ": coordinates out of range");
      }
      out.push_back({lat, lon});
    }
    if (out.size() < 2) {
      return Status::InvalidArgument(name + ", field '" + field + "': fewer than two points");
    }
    return Status::Ok();
  };

  const auto points = doc.find("points");
  if (points == doc.end()) return Status::InvalidArgument(name + ": no field 'points'");
  geometry.pieces.emplace_back();
  BAIYING_RETURN_IF_ERROR(read_polyline(*points, "points", geometry.pieces.back()));
  if (const auto segments = doc.find("segments"); segments != doc.end()) {
    if (!segments->is_array()) {
      return Status::InvalidArgument(name + ", field 'segments': expected an array");
    }
    for (std::size_t i = 0; i < segments->size(); ++i) {
      geometry.pieces.emplace_back();
      BAIYING_RETURN_IF_ERROR(read_polyline((*segments)[i], "segments[" + std::to_string(i) + "]",
                                            geometry.pieces.back()));
    }
  }
  return geometry;
}

std::string_view CsvTable::Get(const Row& row, std::string_view column) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == column) return row.fields[i];
  }
  return {};
}

Status CsvTable::FieldError(const Row& row, std::string_view column, std::string_view what) const {
  return Status::InvalidArgument(file_name + " line " + std::to_string(row.line) + ", field '" +
                                 std::string(column) + "': " + std::string(what));
}

Result<CsvTable> ReadCsvTable(const std::filesystem::path& path,
                              std::span<const std::string_view> required_columns,
                              std::span<const std::string_view> optional_columns) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;
  CsvTable table;
  table.file_name = reader.file_name();
  std::string line;
  bool have_header = false;
  while (reader.Next(line)) {
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    Result<std::vector<std::string>> fields = SplitCsv(line);
    if (!fields.ok()) return reader.Error(fields.status().message());
    for (std::string& f : *fields)
      f = std::string(Trim(f));
    if (!have_header) {
      for (const std::string& column : *fields) {
        const bool known = std::find(required_columns.begin(), required_columns.end(), column) !=
                               required_columns.end() ||
                           std::find(optional_columns.begin(), optional_columns.end(), column) !=
                               optional_columns.end();
        if (!known) return reader.Error("header: unknown column '" + column + "'");
        if (std::count(fields->begin(), fields->end(), column) > 1) {
          return reader.Error("header: column '" + column + "' appears twice");
        }
      }
      for (std::string_view column : required_columns) {
        if (std::find(fields->begin(), fields->end(), column) == fields->end()) {
          return reader.Error("header: missing column '" + std::string(column) + "'");
        }
      }
      table.columns = std::move(fields).value();
      have_header = true;
      continue;
    }
    if (fields->size() != table.columns.size()) {
      return reader.Error("expected " + std::to_string(table.columns.size()) + " fields, found " +
                          std::to_string(fields->size()));
    }
    table.rows.push_back({reader.line_number(), std::move(fields).value()});
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  if (!have_header) return Status::InvalidArgument(table.file_name + ": no header row");
  return table;
}

}  // namespace baiying::loaders
