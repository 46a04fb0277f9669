#pragma once
// Readers for the raw facts from which data/xizang is built (see data/README.md and
// ../shared/data/SOURCES.md): the administrative divisions with their seats, two lists of
// weather stations with their elevations, and the OpenStreetMap-derived highway polylines.
// Also the small CSV table reader used for the curated facts files, and the GCJ-02 datum
// conversion that the divisions need.
//
// Each reader checks what it reads and returns InvalidArgument naming the file, line and
// field of the first bad value. The raw files have known quirks; each is handled by a rule
// stated beside the reader, and rows changed or dropped by a rule are listed in `notes` so that
// the build report shows them. All functions are thread-compatible (no shared state).

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace baiying::loaders {

struct LatLon {
  double lat = 0;  // degrees north
  double lon = 0;  // degrees east
};

// --- GCJ-02 ---
// China's published maps use GCJ-02, WGS-84 shifted by an obfuscating function of position
// (a few hundred metres in Tibet). The forward function is public; it has no closed-form
// inverse, so Gcj02ToWgs84 inverts it by fixed-point iteration (the shift varies slowly, so
// each step gains about three orders of magnitude; the result is within a millimetre).
LatLon Wgs84ToGcj02(LatLon wgs84);
LatLon Gcj02ToWgs84(LatLon gcj02);

// --- divisions.csv ---
// adcode,name,level,parent_adcode,center_lon_gcj02,center_lat_gcj02,centroid_lon,centroid_lat
// `center_*` is the seat, in GCJ-02. The centroid is not used (and is empty on one row).
struct Division {
  std::uint32_t adcode = 0;
  std::string name;                 // 拉萨市, 城关区, 定日县
  std::string level;                // "province", "city" or "district"
  std::uint32_t parent_adcode = 0;  // 0 for the region itself
  LatLon seat_gcj02;
  std::uint64_t line = 0;  // where it was read, for messages
};
Result<std::vector<Division>> ReadDivisions(const std::filesystem::path& path);

// --- Weather stations ---
struct WeatherStation {
  std::uint32_t id = 0;    // the five-digit WMO/CMA station number
  std::string name;        // as written in the source: 拉萨, 聂拉尔 (sic), 米芝 (sic)
  LatLon position;         // WGS-84 degrees, to the source's precision of one minute
  double elevation_m = 0;  // of the observing field
  bool elevation_approximate = false;  // flagged as an approximate survey (1998 table only)
  std::uint64_t line = 0;
};

struct StationList {
  std::vector<WeatherStation> stations;  // in file order
  std::vector<std::string> notes;        // rows repaired or skipped by a rule, one line each
};

// plateau_stations.csv: SID,SNameCH,SNameEN,Lon,Lat,Ele,FromYear,ToYear,Lose
// The columns headed Lon,Lat hold latitude then longitude, written degrees.minutes with the
// minutes as the decimal digits: 29.4 is 29°40', 30.03 is 30°03'. Minutes of 60 or more are
// an error.
//
// Rule for wrong coordinates: every station of the list lies on the Tibetan Plateau and its
// rim (latitude 24-42°N, longitude 73-105°E). A longitude of 100° or more whose value less
// 100° falls in that band is taken as a keying error of one extra leading digit and repaired
// (Mizhi 米芝, 194.13 -> 94°13', which puts the station 0.5 km from the Mainling seat, as its
// name says); any other position outside the band skips the row. Both are listed in notes.
Result<StationList> ReadPlateauStationsCsv(const std::filesystem::path& path);

// plateau_stations_1998.txt: a table in columns separated by runs of spaces, CRLF line ends:
//   station number, name (may contain spaces: "拉  萨"), latitude DDMM, longitude DDDMM,
//   elevation in tenths of a metre, years, station type, remarks.
// Lines that do not start with a five-digit station number are prose and skipped. The same
// coordinate rule as for the CSV applies. Elevation: note 5 at the foot of the table says a
// value of 50000 or more marks an approximate survey, to be read as value - 50000 (野牛沟
// 83200 is 3,320.0 m, which the CSV confirms).
Result<StationList> ReadPlateauStations1998(const std::filesystem::path& path);

// --- Highway polylines (RailVista JSON) ---
// Two shapes share `points` ([[lon, lat], ...], WGS-84): the main polyline. G318 and G317 add
// `segments`, further polylines in the same form. Every other key (cumKm, nodes, ...) is
// ignored: their units differ between files, and lengths are recomputed from the points.
struct HighwayGeometry {
  std::string ref;  // "G318", from the file's `key`
  // pieces[0] is `points`; pieces[i + 1] is `segments[i]`. Each point is {lat, lon}.
  std::vector<std::vector<LatLon>> pieces;
};
Result<HighwayGeometry> ReadHighwayJson(const std::filesystem::path& path);

// --- Curated CSV tables (data/xizang/facts/*.csv) ---
// A header row, then records; blank lines and lines starting with '#' (comments that say why
// a row is there) are skipped. Every header column must be known, and the required ones
// present, so that a misspelt column is an error rather than silently empty.
struct CsvTable {
  struct Row {
    std::uint64_t line = 0;
    std::vector<std::string> fields;  // trimmed; one per column of the header
  };
  std::string file_name;
  std::vector<std::string> columns;
  std::vector<Row> rows;

  // The field of `column` in `row`; empty when the table has no such column.
  std::string_view Get(const Row& row, std::string_view column) const;
  // "<file> line <n>, field '<column>': <what>" as InvalidArgument.
  Status FieldError(const Row& row, std::string_view column, std::string_view what) const;
};
Result<CsvTable> ReadCsvTable(const std::filesystem::path& path,
                              std::span<const std::string_view> required_columns,
                              std::span<const std::string_view> optional_columns = {});

}  // namespace baiying::loaders
