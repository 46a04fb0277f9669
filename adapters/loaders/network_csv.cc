#include "adapters/loaders/network_csv.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/loaders/text_reader.h"
#include "engine/roads/road_types.h"

namespace baiying::loaders {
namespace {

constexpr std::array<std::string_view, 9> kPlaceColumns = {
    "id", "name", "pinyin", "kind", "lat", "lon", "elevation_m", "adcode", "aliases"};
enum PlaceColumn : std::size_t {
  kId,
  kName,
  kPinyin,
  kKind,
  kLat,
  kLon,
  kElevation,
  kAdcode,
  kAliases
};

constexpr std::array<std::string_view, 9> kRoadColumns = {
    "from",          "to",    "length_m", "ref", "class", "surface", "max_elevation_m",
    "length_source", "oneway"};
enum RoadColumn : std::size_t {
  kFrom,
  kTo,
  kLength,
  kRef,
  kClass,
  kSurface,
  kMaxElevation,
  kLengthSource,
  kOneway
};

constexpr char kAliasSeparator = '|';

template <std::size_t N>
std::string JoinColumns(const std::array<std::string_view, N>& columns) {
  std::string out;
  for (std::string_view c : columns) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

// Where each expected column sits in the file. Columns may come in any order, so a file
// edited by hand in a spreadsheet still reads; unknown and repeated columns are errors, since
// a misspelt header would otherwise silently drop a column.
template <std::size_t N>
Result<std::array<std::size_t, N>> ReadHeader(LineReader& reader,
                                              const std::array<std::string_view, N>& expected) {
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
                                   JoinColumns(expected) + "'");
  }
  Result<std::vector<std::string>> fields = SplitCsv(line);
  if (!fields.ok()) return reader.Error("header: " + fields.status().message());

  constexpr std::size_t kAbsent = std::numeric_limits<std::size_t>::max();
  std::array<std::size_t, N> position;
  position.fill(kAbsent);
  for (std::size_t i = 0; i < fields->size(); ++i) {
    const std::string_view name = Trim((*fields)[i]);
    std::size_t which = 0;
    while (which < N && expected[which] != name)
      ++which;
    if (which == N) {
      return reader.Error("header: unknown column '" + std::string(name) + "'; expected '" +
                          JoinColumns(expected) + "'");
    }
    if (position[which] != kAbsent) {
      return reader.Error("header: column '" + std::string(name) + "' appears twice");
    }
    position[which] = i;
  }
  for (std::size_t which = 0; which < N; ++which) {
    if (position[which] == kAbsent) {
      return reader.Error("header: missing column '" + std::string(expected[which]) +
                          "'; expected '" + JoinColumns(expected) + "'");
    }
  }
  return position;
}

// Reads the next non-blank record; false at the end of the file or on error (`status` says
// which).
bool NextRecord(LineReader& reader, std::size_t column_count, std::string& line,
                std::vector<std::string>& fields, Status& status) {
  while (reader.Next(line)) {
    if (Trim(line).empty()) continue;
    Result<std::vector<std::string>> split = SplitCsv(line);
    if (!split.ok()) {
      status = reader.Error(split.status().message());
      return false;
    }
    if (split->size() != column_count) {
      status = reader.Error("expected " + std::to_string(column_count) + " fields, found " +
                            std::to_string(split->size()));
      return false;
    }
    fields = std::move(split).value();
    return true;
  }
  status = reader.status();
  return false;
}

template <typename E, std::size_t N>
std::string ChoiceList(const std::array<E, N>& values) {
  std::string out;
  for (E v : values) {
    if (!out.empty()) out += ", ";
    out += ToString(v);
  }
  return out;
}

constexpr std::array<PlaceKind, 6> kAllKinds = {PlaceKind::kPrefectureSeat, PlaceKind::kCountySeat,
                                                PlaceKind::kTown,           PlaceKind::kJunction,
                                                PlaceKind::kPass,           PlaceKind::kPost};
constexpr std::array<RoadClass, 5> kAllClasses = {RoadClass::kExpressway, RoadClass::kNational,
                                                  RoadClass::kProvincial, RoadClass::kCounty,
                                                  RoadClass::kTrack};
constexpr std::array<Surface, 2> kAllSurfaces = {Surface::kPaved, Surface::kGravel};
constexpr std::array<LengthSource, 2> kAllLengthSources = {LengthSource::kMeasured,
                                                           LengthSource::kEstimated};

template <typename E, std::size_t N>
Status ParseEnumField(const LineReader& reader, std::string_view column, std::string_view text,
                      std::optional<E> (*parse)(std::string_view), const std::array<E, N>& choices,
                      std::string_view what, E& out) {
  const std::optional<E> value = parse(text);
  if (!value) {
    return reader.FieldError(column, "unknown " + std::string(what) + " '" + std::string(text) +
                                         "'; expected one of " + ChoiceList(choices));
  }
  out = *value;
  return Status::Ok();
}

Status ParseIntField(const LineReader& reader, std::string_view column, std::string_view text,
                     std::int64_t low, std::int64_t high, std::int64_t& out) {
  if (text.empty()) return reader.FieldError(column, "missing value; expected a whole number");
  if (!ParseInt(text, out)) {
    return reader.FieldError(column, "expected a whole number, found '" + std::string(text) + "'");
  }
  if (out < low || out > high) {
    return reader.FieldError(column, std::string(text) + " is out of range [" +
                                         std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  return Status::Ok();
}

Status ParseDegreesField(const LineReader& reader, std::string_view column, std::string_view text,
                         double limit, double& out) {
  if (text.empty()) return reader.FieldError(column, "missing value; expected degrees");
  if (!ParseDouble(text, out)) {
    return reader.FieldError(column, "expected a number, found '" + std::string(text) + "'");
  }
  if (out < -limit || out > limit) {
    return reader.FieldError(column, std::string(text) + " is outside [-" +
                                         std::to_string(static_cast<int>(limit)) + ", " +
                                         std::to_string(static_cast<int>(limit)) + "]");
  }
  return Status::Ok();
}

constexpr std::int64_t kInt32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kUint32Max = std::numeric_limits<std::uint32_t>::max();

Status ParsePlaceRow(const LineReader& reader, const std::array<std::size_t, 9>& pos,
                     const std::vector<std::string>& fields, std::size_t expected_id,
                     PlaceSpec& place) {
  auto field = [&](PlaceColumn c) { return Trim(fields[pos[c]]); };
  std::int64_t number = 0;

  BAIYING_RETURN_IF_ERROR(ParseIntField(reader, "id", field(kId), 0, kUint32Max - 1, number));
  if (static_cast<std::size_t>(number) != expected_id) {
    return reader.FieldError("id", "expected " + std::to_string(expected_id) + ", found " +
                                       std::to_string(number) +
                                       " (ids run 0, 1, 2, ... in file order)");
  }
  place.name = field(kName);
  place.pinyin = field(kPinyin);
  BAIYING_RETURN_IF_ERROR(ParseEnumField(reader, "kind", field(kKind), &ParsePlaceKind, kAllKinds,
                                         "place kind", place.kind));
  BAIYING_RETURN_IF_ERROR(ParseDegreesField(reader, "lat", field(kLat), 90, place.lat));
  BAIYING_RETURN_IF_ERROR(ParseDegreesField(reader, "lon", field(kLon), 180, place.lon));
  BAIYING_RETURN_IF_ERROR(
      ParseIntField(reader, "elevation_m", field(kElevation), kInt32Min, kInt32Max, number));
  place.elevation_m = static_cast<std::int32_t>(number);
  // "0 when none", so an empty cell reads as none rather than as an error.
  number = 0;
  if (!field(kAdcode).empty()) {
    BAIYING_RETURN_IF_ERROR(ParseIntField(reader, "adcode", field(kAdcode), 0, kUint32Max, number));
  }
  place.adcode = static_cast<std::uint32_t>(number);

  place.aliases.clear();
  std::string_view aliases = field(kAliases);
  while (!aliases.empty()) {
    const std::size_t bar = aliases.find(kAliasSeparator);
    const std::string_view alias = Trim(aliases.substr(0, bar));
    if (alias.empty()) {
      return reader.FieldError("aliases", "empty alias (aliases are separated by a single '|')");
    }
    place.aliases.emplace_back(alias);
    if (bar == std::string_view::npos) break;
    aliases.remove_prefix(bar + 1);
    if (Trim(aliases).empty()) {
      return reader.FieldError("aliases", "empty alias after the last '|'");
    }
  }
  return Status::Ok();
}

Status ParseRoadRow(const LineReader& reader, const std::array<std::size_t, 9>& pos,
                    const std::vector<std::string>& fields, std::size_t place_count, ArcSpec& arc,
                    bool& oneway) {
  auto field = [&](RoadColumn c) { return Trim(fields[pos[c]]); };
  std::int64_t number = 0;
  const auto last_id = static_cast<std::int64_t>(place_count) - 1;

  auto place_id = [&](std::string_view column, std::string_view text, PlaceId& out) -> Status {
    if (text.empty()) return reader.FieldError(column, "missing value; expected a place id");
    if (!ParseInt(text, number)) {
      return reader.FieldError(
          column, "expected a place id (a whole number), found '" + std::string(text) + "'");
    }
    if (number < 0 || number > last_id) {
      return reader.FieldError(column, "unknown place id " + std::string(text) +
                                           " (places.csv has " + std::to_string(place_count) +
                                           " places, ids 0.." + std::to_string(last_id) + ")");
    }
    out = PlaceId(static_cast<std::uint32_t>(number));
    return Status::Ok();
  };
  BAIYING_RETURN_IF_ERROR(place_id("from", field(kFrom), arc.from));
  BAIYING_RETURN_IF_ERROR(place_id("to", field(kTo), arc.to));
  if (arc.from == arc.to) {
    return reader.FieldError("to", "same place as 'from' (" + std::string(field(kTo)) +
                                       "): a road must join two places");
  }
  BAIYING_RETURN_IF_ERROR(ParseIntField(reader, "length_m", field(kLength), 1, kUint32Max, number));
  arc.length_m = static_cast<std::uint32_t>(number);
  arc.road_ref = field(kRef);
  BAIYING_RETURN_IF_ERROR(ParseEnumField(reader, "class", field(kClass), &ParseRoadClass,
                                         kAllClasses, "road class", arc.road_class));
  BAIYING_RETURN_IF_ERROR(ParseEnumField(reader, "surface", field(kSurface), &ParseSurface,
                                         kAllSurfaces, "surface", arc.surface));
  BAIYING_RETURN_IF_ERROR(
      ParseIntField(reader, "max_elevation_m", field(kMaxElevation), kInt32Min, kInt32Max, number));
  arc.max_elevation_m = static_cast<std::int32_t>(number);
  BAIYING_RETURN_IF_ERROR(ParseEnumField(reader, "length_source", field(kLengthSource),
                                         &ParseLengthSource, kAllLengthSources, "length source",
                                         arc.length_source));
  const std::string_view oneway_text = field(kOneway);
  if (oneway_text != "0" && oneway_text != "1") {
    return reader.FieldError("oneway", "expected 0 or 1, found '" + std::string(oneway_text) + "'");
  }
  oneway = oneway_text == "1";
  arc.fixed_time.reset();
  return Status::Ok();
}

Result<std::vector<PlaceSpec>> ReadPlaces(const std::filesystem::path& path) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;
  Result<std::array<std::size_t, 9>> header = ReadHeader(reader, kPlaceColumns);
  if (!header.ok()) return header.status();

  std::vector<PlaceSpec> places;
  std::unordered_map<std::string, std::uint64_t> name_lines;
  std::string line;
  std::vector<std::string> fields;
  Status status;
  while (NextRecord(reader, kPlaceColumns.size(), line, fields, status)) {
    PlaceSpec place;
    BAIYING_RETURN_IF_ERROR(ParsePlaceRow(reader, *header, fields, places.size(), place));
    // RoadGraph::Build checks this too, but only here can the message point at the lines.
    if (!place.name.empty()) {
      auto [it, inserted] = name_lines.try_emplace(place.name, reader.line_number());
      if (!inserted) {
        return reader.FieldError("name", "duplicate name '" + place.name + "' (first on line " +
                                             std::to_string(it->second) + ")");
      }
    }
    places.push_back(std::move(place));
  }
  BAIYING_RETURN_IF_ERROR(status);
  return places;
}

Result<std::vector<ArcSpec>> ReadRoads(const std::filesystem::path& path, std::size_t place_count) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;
  Result<std::array<std::size_t, 9>> header = ReadHeader(reader, kRoadColumns);
  if (!header.ok()) return header.status();

  std::vector<ArcSpec> arcs;
  std::string line;
  std::vector<std::string> fields;
  Status status;
  while (NextRecord(reader, kRoadColumns.size(), line, fields, status)) {
    ArcSpec arc;
    bool oneway = false;
    BAIYING_RETURN_IF_ERROR(ParseRoadRow(reader, *header, fields, place_count, arc, oneway));
    if (arcs.size() + (oneway ? 1 : 2) >= static_cast<std::size_t>(kUint32Max)) {
      return reader.Error("more than 2^32 - 2 arcs");
    }
    if (!oneway) {
      ArcSpec back = arc;
      std::swap(back.from, back.to);
      arcs.push_back(std::move(arc));
      arcs.push_back(std::move(back));
    } else {
      arcs.push_back(std::move(arc));
    }
  }
  BAIYING_RETURN_IF_ERROR(status);
  return arcs;
}

// --- Writing ---

std::string FormatDouble(double value) {
  // Shortest form that reads back to the same double, so coordinates survive a round trip.
  std::array<char, 32> buffer;
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), ec == std::errc() ? end : buffer.data());
}

// The writer refuses what the reader would read back differently (or not at all), so that a
// successful write always reads back as the same spec.
Status CheckText(const std::string& label, std::string_view field, std::string_view text) {
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    return Status::InvalidArgument(label + ": " + std::string(field) +
                                   " contains a line break, which the CSV format cannot hold");
  }
  if (Trim(text) != text) {
    return Status::InvalidArgument(label + ": " + std::string(field) + " '" + std::string(text) +
                                   "' has leading or trailing whitespace");
  }
  return Status::Ok();
}

std::string PlaceLabel(const NetworkSpec& spec, std::size_t i) {
  std::string label = "place " + std::to_string(i);
  if (!spec.places[i].name.empty()) label += " (" + spec.places[i].name + ")";
  return label;
}

Status CheckSpec(const NetworkSpec& spec) {
  if (spec.places.size() >= static_cast<std::size_t>(kUint32Max)) {
    return Status::InvalidArgument("network: more than 2^32 - 2 places");
  }
  std::unordered_map<std::string_view, std::size_t> names;
  for (std::size_t i = 0; i < spec.places.size(); ++i) {
    const PlaceSpec& p = spec.places[i];
    const std::string label = PlaceLabel(spec, i);
    BAIYING_RETURN_IF_ERROR(CheckText(label, "name", p.name));
    BAIYING_RETURN_IF_ERROR(CheckText(label, "pinyin", p.pinyin));
    if (!p.name.empty() && !names.try_emplace(p.name, i).second) {
      return Status::InvalidArgument(label + ": name also used by place " +
                                     std::to_string(names[p.name]));
    }
    if (!ParsePlaceKind(ToString(p.kind))) {
      return Status::InvalidArgument(label + ": invalid kind");
    }
    if (!std::isfinite(p.lat) || p.lat < -90 || p.lat > 90) {
      return Status::InvalidArgument(label + ": latitude " + FormatDouble(p.lat) +
                                     " is outside [-90, 90]");
    }
    if (!std::isfinite(p.lon) || p.lon < -180 || p.lon > 180) {
      return Status::InvalidArgument(label + ": longitude " + FormatDouble(p.lon) +
                                     " is outside [-180, 180]");
    }
    for (const std::string& alias : p.aliases) {
      BAIYING_RETURN_IF_ERROR(CheckText(label, "alias", alias));
      if (alias.empty() || alias.find(kAliasSeparator) != std::string::npos) {
        return Status::InvalidArgument(label + ": alias '" + alias +
                                       "' is empty or contains '|', the alias separator");
      }
    }
  }
  for (std::size_t i = 0; i < spec.arcs.size(); ++i) {
    const ArcSpec& a = spec.arcs[i];
    const std::string label = "arc " + std::to_string(i);
    if (!a.from.valid() || a.from.value() >= spec.places.size() || !a.to.valid() ||
        a.to.value() >= spec.places.size()) {
      return Status::InvalidArgument(label + ": place id out of range");
    }
    if (a.from == a.to) return Status::InvalidArgument(label + ": joins a place to itself");
    if (a.length_m == 0) return Status::InvalidArgument(label + ": length must be positive");
    if (a.fixed_time) {
      return Status::InvalidArgument(label +
                                     ": has a fixed travel time, which the CSV format cannot hold");
    }
    BAIYING_RETURN_IF_ERROR(CheckText(label, "ref", a.road_ref));
    if (!ParseRoadClass(ToString(a.road_class)) || !ParseSurface(ToString(a.surface)) ||
        !ParseLengthSource(ToString(a.length_source))) {
      return Status::InvalidArgument(label + ": invalid class, surface or length source");
    }
  }
  return Status::Ok();
}

bool IsReverse(const ArcSpec& a, const ArcSpec& b) {
  return a.from == b.to && a.to == b.from && a.length_m == b.length_m && a.road_ref == b.road_ref &&
         a.road_class == b.road_class && a.surface == b.surface &&
         a.max_elevation_m == b.max_elevation_m && a.length_source == b.length_source &&
         a.fixed_time == b.fixed_time;
}

// Writes beside the target and renames, so a failed write never leaves half a file where a
// good one stood.
Status WriteFile(const std::filesystem::path& path, const std::string& contents) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Unavailable(temporary.string() + ": cannot open for writing");
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    if (!out) return Status::Unavailable(temporary.string() + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return Status::Unavailable(path.string() + ": cannot replace: " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

Result<NetworkSpec> ReadNetworkCsv(const std::filesystem::path& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    if (std::filesystem::exists(directory, ec)) {
      return Status::InvalidArgument(directory.string() +
                                     ": not a directory (expected places.csv and roads.csv in it)");
    }
    return Status::NotFound(directory.string() + ": no such network directory");
  }
  NetworkSpec spec;
  Result<std::vector<PlaceSpec>> places = ReadPlaces(directory / "places.csv");
  if (!places.ok()) return places.status();
  Result<std::vector<ArcSpec>> arcs = ReadRoads(directory / "roads.csv", places->size());
  if (!arcs.ok()) return arcs.status();
  spec.places = std::move(places).value();
  spec.arcs = std::move(arcs).value();
  return spec;
}

Status WriteNetworkCsv(const NetworkSpec& spec, const std::filesystem::path& directory) {
  BAIYING_RETURN_IF_ERROR(CheckSpec(spec));
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return Status::Unavailable(directory.string() + ": cannot create: " + ec.message());

  std::string places = JoinColumns(kPlaceColumns) + "\n";
  for (std::size_t i = 0; i < spec.places.size(); ++i) {
    const PlaceSpec& p = spec.places[i];
    std::string aliases;
    for (const std::string& alias : p.aliases) {
      if (!aliases.empty()) aliases += kAliasSeparator;
      aliases += alias;
    }
    places += std::to_string(i) + ',' + CsvField(p.name) + ',' + CsvField(p.pinyin) + ',' +
              std::string(ToString(p.kind)) + ',' + FormatDouble(p.lat) + ',' +
              FormatDouble(p.lon) + ',' + std::to_string(p.elevation_m) + ',' +
              std::to_string(p.adcode) + ',' + CsvField(aliases) + '\n';
  }

  // Only a reverse arc right after its partner is folded into a two-way row: the reader
  // expands a two-way row into exactly that pair, so the arc order (and with it every ArcId
  // of the built graph) survives the round trip.
  std::string roads = JoinColumns(kRoadColumns) + "\n";
  for (std::size_t i = 0; i < spec.arcs.size();) {
    const ArcSpec& a = spec.arcs[i];
    const bool two_way = i + 1 < spec.arcs.size() && IsReverse(a, spec.arcs[i + 1]);
    roads += std::to_string(a.from.value()) + ',' + std::to_string(a.to.value()) + ',' +
             std::to_string(a.length_m) + ',' + CsvField(a.road_ref) + ',' +
             std::string(ToString(a.road_class)) + ',' + std::string(ToString(a.surface)) + ',' +
             std::to_string(a.max_elevation_m) + ',' + std::string(ToString(a.length_source)) +
             ',' + (two_way ? '0' : '1') + '\n';
    i += two_way ? 2 : 1;
  }

  BAIYING_RETURN_IF_ERROR(WriteFile(directory / "places.csv", places));
  return WriteFile(directory / "roads.csv", roads);
}

}  // namespace baiying::loaders
