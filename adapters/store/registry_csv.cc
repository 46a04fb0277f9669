#include "adapters/store/registry_csv.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <span>
#include <utility>

#include "adapters/loaders/text_reader.h"

namespace baiying::store {
namespace {

using loaders::LineReader;

// One open CSV file: the header checked against the expected columns, then one record at a
// time with its fields by column name.
class CsvTable {
 public:
  static Result<CsvTable> Open(const std::filesystem::path& path,
                               std::span<const std::string_view> columns) {
    Result<LineReader> reader = LineReader::Open(path);
    if (!reader.ok()) return reader.status();
    CsvTable table(std::move(reader).value(), columns);
    BAIYING_RETURN_IF_ERROR(table.ReadHeader());
    return table;
  }

  // Reads the next record that is not blank; false at the end of the file.
  Result<bool> Next() {
    std::string line;
    while (reader_.Next(line)) {
      if (loaders::Trim(line).empty()) continue;
      Result<std::vector<std::string>> fields = loaders::SplitCsv(line);
      if (!fields.ok()) return reader_.Error(fields.status().message());
      if (fields->size() != header_size_) {
        return reader_.Error(std::to_string(fields->size()) + " fields, but the header has " +
                             std::to_string(header_size_));
      }
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        values_[i] = std::string(loaders::Trim((*fields)[positions_[i]]));
      }
      return true;
    }
    if (!reader_.status().ok()) return reader_.status();
    return false;
  }

  // The trimmed value of `column`, which must be one of the expected columns.
  const std::string& operator[](std::string_view column) const { return values_[Index(column)]; }

  Status FieldError(std::string_view column, std::string_view what) const {
    return reader_.FieldError(column, what);
  }

  // "<file> line <n>" of the record last read.
  std::string Where() const {
    return reader_.file_name() + " line " + std::to_string(reader_.line_number());
  }

 private:
  CsvTable(LineReader reader, std::span<const std::string_view> columns)
      : reader_(std::move(reader)),
        columns_(columns),
        positions_(columns.size()),
        values_(columns.size()) {}

  Status ReadHeader() {
    std::string line;
    if (!reader_.Next(line)) {
      if (!reader_.status().ok()) return reader_.status();
      return Status::InvalidArgument(reader_.file_name() + ": empty file (a header row is needed)");
    }
    Result<std::vector<std::string>> names = loaders::SplitCsv(line);
    if (!names.ok()) return reader_.Error(names.status().message());
    header_size_ = names->size();
    std::vector<bool> seen(columns_.size(), false);
    for (std::size_t at = 0; at < names->size(); ++at) {
      const std::string_view name = loaders::Trim((*names)[at]);
      const auto it = std::find(columns_.begin(), columns_.end(), name);
      if (it == columns_.end()) {
        return reader_.FieldError(name, "unknown column (expected " + ColumnList() + ")");
      }
      const std::size_t i = static_cast<std::size_t>(it - columns_.begin());
      if (seen[i]) return reader_.FieldError(name, "column appears twice");
      seen[i] = true;
      positions_[i] = at;
    }
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (!seen[i]) return reader_.FieldError(columns_[i], "missing column");
    }
    return Status::Ok();
  }

  std::size_t Index(std::string_view column) const {
    const auto it = std::find(columns_.begin(), columns_.end(), column);
    return static_cast<std::size_t>(it - columns_.begin());
  }

  std::string ColumnList() const {
    std::string out;
    for (std::string_view c : columns_) {
      if (!out.empty()) out += ',';
      out += c;
    }
    return out;
  }

  LineReader reader_;
  std::span<const std::string_view> columns_;
  std::vector<std::size_t> positions_;  // per expected column: its position in the file
  std::vector<std::string> values_;     // per expected column: the current record's value
  std::size_t header_size_ = 0;
};

// Parses one field of the current record; on failure returns the field's error.
template <typename T>
Status ParseInteger(const CsvTable& t, std::string_view column, T min, T max, T& out) {
  std::int64_t value = 0;
  const std::string& text = t[column];
  if (!loaders::ParseInt(text, value)) {
    return t.FieldError(column, "'" + text + "' is not a whole number");
  }
  if (value < static_cast<std::int64_t>(min) || value > static_cast<std::int64_t>(max)) {
    return t.FieldError(column, "'" + text + "' is out of range (" + std::to_string(min) + " to " +
                                    std::to_string(max) + ")");
  }
  out = static_cast<T>(value);
  return Status::Ok();
}

Status ParseFlag(const CsvTable& t, std::string_view column, bool& out) {
  const std::string& text = t[column];
  if (text == "1") {
    out = true;
  } else if (text == "0") {
    out = false;
  } else {
    return t.FieldError(column, "'" + text + "' is not 0 or 1");
  }
  return Status::Ok();
}

template <typename E, typename Parse>
Status ParseEnum(const CsvTable& t, std::string_view column, Parse parse, std::string_view allowed,
                 E& out) {
  const std::string& text = t[column];
  std::optional<E> value = parse(text);
  if (!value)
    return t.FieldError(column, "unknown value '" + text + "' (" + std::string(allowed) + ")");
  out = *value;
  return Status::Ok();
}

Status ParseModes(const CsvTable& t, std::string_view column, ModeSet& out) {
  const std::string& text = t[column];
  std::optional<ModeSet> modes = ParseModeSet(text);
  if (!modes) {
    return t.FieldError(column, "'" + text +
                                    "' is not a list of modes (peacetime, emergency, wartime "
                                    "separated by '|')");
  }
  out = *modes;
  return Status::Ok();
}

Status ParseDateField(const CsvTable& t, std::string_view column, Instant& out) {
  Result<Instant> date = ParseDate(t[column]);
  if (!date.ok()) return t.FieldError(column, date.status().message());
  out = *date;
  return Status::Ok();
}

// "a|b|c" -> {"a", "b", "c"}; items trimmed, empty items dropped.
std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const std::size_t bar = text.find('|');
    const std::string_view item = loaders::Trim(text.substr(0, bar));
    if (!item.empty()) items.emplace_back(item);
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  return items;
}

constexpr std::string_view kKinds =
    "state_owned_enterprise, private_enterprise, social_organisation, individual_business or "
    "volunteer_team";
constexpr std::string_view kTiers = "region, prefecture or county";
constexpr std::string_view kStatuses = "active, suspended or withdrawn";
constexpr std::string_view kDepartments =
    "discipline_inspection, civil_affairs, human_resources, emergency_management or "
    "market_supervision";

// Reads every record of `path` with `parse(table, entry)`.
template <typename Entry, typename Parse>
Result<std::vector<CsvRecord<Entry>>> ReadAll(const std::filesystem::path& path,
                                              std::span<const std::string_view> columns,
                                              Parse parse) {
  Result<CsvTable> table = CsvTable::Open(path, columns);
  if (!table.ok()) return table.status();
  std::vector<CsvRecord<Entry>> records;
  while (true) {
    Result<bool> more = table->Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    CsvRecord<Entry> record;
    BAIYING_RETURN_IF_ERROR(parse(*table, record.entry));
    record.where = table->Where();
    records.push_back(std::move(record));
  }
  return records;
}

constexpr std::string_view kSpecialtyColumns[] = {"code", "name_zh", "name_en", "unit"};
constexpr std::string_view kOrganisationColumns[] = {"code",
                                                     "name",
                                                     "kind",
                                                     "industry",
                                                     "tier",
                                                     "adcode",
                                                     "contact_name",
                                                     "contact_phone",
                                                     "service_content",
                                                     "measures",
                                                     "commitments",
                                                     "modes",
                                                     "response_minutes",
                                                     "status",
                                                     "status_reason"};
constexpr std::string_view kTeamColumns[] = {
    "code",  "organisation",         "name",   "home_place",   "mobilization_minutes",
    "modes", "max_work_elevation_m", "status", "status_reason"};
constexpr std::string_view kCapacityColumns[] = {"team", "specialty", "quantity", "splittable"};
constexpr std::string_view kVettingColumns[] = {
    "team", "department", "checked_on", "examiner", "expires_on", "result", "reason"};
constexpr std::string_view kAgreementColumns[] = {"code",        "organisation", "joint_review_on",
                                                  "notice_from", "notice_until", "signed_on",
                                                  "expires_on",  "modes"};
constexpr std::string_view kPersonColumns[] = {"code",   "name",           "veteran",
                                               "skills", "certifications", "teams"};

// Bounds that keep numbers far inside the engine's types (minutes become milliseconds in 64
// bits; elevations are 32-bit) while refusing nothing real: a delay of two years is already
// absurd, and no place on earth is above 9,000 m.
constexpr std::int32_t kMaxMinutes = 1'000'000;
constexpr std::int32_t kMaxElevationM = 9'000;

}  // namespace

Result<Instant> ParseDate(std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&] {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a date (YYYY-MM-DD)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  std::int64_t y = 0, m = 0, d = 0;
  if (!loaders::ParseInt(text.substr(0, 4), y) || !loaders::ParseInt(text.substr(5, 2), m) ||
      !loaders::ParseInt(text.substr(8, 2), d)) {
    return bad();
  }
  // ParseInt takes a sign; a date has none.
  if (text[0] == '-' || text[0] == '+' || text[5] == '-' || text[5] == '+' || text[8] == '-' ||
      text[8] == '+') {
    return bad();
  }
  const year_month_day ymd{year(static_cast<int>(y)), month(static_cast<unsigned>(m)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok()) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not a calendar date");
  }
  return Instant(sys_days(ymd));
}

Result<std::vector<CsvRecord<Specialty>>> ReadSpecialtiesCsv(const std::filesystem::path& path) {
  return ReadAll<Specialty>(path, kSpecialtyColumns, [](const CsvTable& t, Specialty& s) {
    s.code = t["code"];
    s.name_zh = t["name_zh"];
    s.name_en = t["name_en"];
    s.unit = t["unit"];
    return Status::Ok();
  });
}

Result<std::vector<CsvRecord<Organisation>>> ReadOrganisationsCsv(
    const std::filesystem::path& path) {
  return ReadAll<Organisation>(path, kOrganisationColumns, [](const CsvTable& t, Organisation& o) {
    o.code = t["code"];
    o.name = t["name"];
    BAIYING_RETURN_IF_ERROR(ParseEnum(t, "kind", ParseOrganisationKind, kKinds, o.kind));
    o.industry = t["industry"];
    BAIYING_RETURN_IF_ERROR(ParseEnum(t, "tier", ParseTier, kTiers, o.tier));
    BAIYING_RETURN_IF_ERROR(ParseInteger<std::uint32_t>(t, "adcode", 0, 999'999, o.adcode));
    o.contact_name = t["contact_name"];
    o.contact_phone = t["contact_phone"];
    o.service_content = t["service_content"];
    o.measures = t["measures"];
    o.commitments = t["commitments"];
    BAIYING_RETURN_IF_ERROR(ParseModes(t, "modes", o.modes));
    BAIYING_RETURN_IF_ERROR(
        ParseInteger<std::uint32_t>(t, "response_minutes", 0, kMaxMinutes, o.response_minutes));
    BAIYING_RETURN_IF_ERROR(ParseEnum(t, "status", ParseRegistryStatus, kStatuses, o.status));
    o.status_reason = t["status_reason"];
    return Status::Ok();
  });
}

Result<std::vector<CsvRecord<TeamEntry>>> ReadTeamsCsv(const std::filesystem::path& path) {
  return ReadAll<TeamEntry>(path, kTeamColumns, [](const CsvTable& t, TeamEntry& e) {
    e.code = t["code"];
    e.organisation = t["organisation"];
    e.name = t["name"];
    e.home_place = t["home_place"];
    std::int32_t minutes = 0;
    BAIYING_RETURN_IF_ERROR(
        ParseInteger<std::int32_t>(t, "mobilization_minutes", -kMaxMinutes, kMaxMinutes, minutes));
    e.mobilization_delay = std::chrono::minutes(minutes);
    BAIYING_RETURN_IF_ERROR(ParseModes(t, "modes", e.modes));
    BAIYING_RETURN_IF_ERROR(ParseInteger<std::int32_t>(t, "max_work_elevation_m", -kMaxElevationM,
                                                       kMaxElevationM, e.max_work_elevation_m));
    BAIYING_RETURN_IF_ERROR(ParseEnum(t, "status", ParseRegistryStatus, kStatuses, e.status));
    e.status_reason = t["status_reason"];
    return Status::Ok();
  });
}

Result<std::vector<CsvRecord<CapacityRow>>> ReadCapacitiesCsv(const std::filesystem::path& path) {
  return ReadAll<CapacityRow>(path, kCapacityColumns, [](const CsvTable& t, CapacityRow& r) {
    r.team = t["team"];
    r.capacity.specialty = t["specialty"];
    BAIYING_RETURN_IF_ERROR(ParseInteger<std::uint32_t>(
        t, "quantity", 0, std::numeric_limits<std::uint32_t>::max(), r.capacity.quantity));
    BAIYING_RETURN_IF_ERROR(ParseFlag(t, "splittable", r.capacity.splittable));
    return Status::Ok();
  });
}

Result<std::vector<CsvRecord<VettingEntry>>> ReadVettingCsv(const std::filesystem::path& path) {
  return ReadAll<VettingEntry>(path, kVettingColumns, [](const CsvTable& t, VettingEntry& v) {
    v.team = t["team"];
    BAIYING_RETURN_IF_ERROR(
        ParseEnum(t, "department", ParseDepartment, kDepartments, v.department));
    BAIYING_RETURN_IF_ERROR(ParseDateField(t, "checked_on", v.checked_at));
    v.examiner = t["examiner"];
    BAIYING_RETURN_IF_ERROR(ParseDateField(t, "expires_on", v.expires_at));
    const std::string& result = t["result"];
    if (result == "pass") {
      v.passed = true;
    } else if (result == "fail") {
      v.passed = false;
    } else {
      return t.FieldError("result", "unknown value '" + result + "' (pass or fail)");
    }
    v.reason = t["reason"];
    return Status::Ok();
  });
}

Result<std::vector<CsvRecord<AgreementEntry>>> ReadAgreementsCsv(
    const std::filesystem::path& path) {
  return ReadAll<AgreementEntry>(path, kAgreementColumns, [](const CsvTable& t, AgreementEntry& a) {
    a.code = t["code"];
    a.organisation = t["organisation"];
    BAIYING_RETURN_IF_ERROR(ParseDateField(t, "joint_review_on", a.joint_review_at));
    BAIYING_RETURN_IF_ERROR(ParseDateField(t, "notice_from", a.notice_from));
    BAIYING_RETURN_IF_ERROR(ParseDateField(t, "notice_until", a.notice_until));
    BAIYING_RETURN_IF_ERROR(ParseDateField(t, "signed_on", a.signed_at));
    BAIYING_RETURN_IF_ERROR(ParseDateField(t, "expires_on", a.expires_at));
    BAIYING_RETURN_IF_ERROR(ParseModes(t, "modes", a.modes));
    return Status::Ok();
  });
}

Result<std::vector<CsvRecord<PersonEntry>>> ReadPersonnelCsv(const std::filesystem::path& path) {
  return ReadAll<PersonEntry>(path, kPersonColumns, [](const CsvTable& t, PersonEntry& p) {
    p.code = t["code"];
    p.name = t["name"];
    BAIYING_RETURN_IF_ERROR(ParseFlag(t, "veteran", p.veteran));
    p.skills = SplitList(t["skills"]);
    for (const std::string& item : SplitList(t["certifications"])) {
      // The name may itself hold '@'; the date follows the last one.
      const std::size_t at = item.rfind('@');
      if (at == std::string::npos) {
        return t.FieldError("certifications",
                            "'" + item + "' has no expiry date (write name@YYYY-MM-DD)");
      }
      Result<Instant> expires = ParseDate(loaders::Trim(std::string_view(item).substr(at + 1)));
      if (!expires.ok()) {
        return t.FieldError("certifications", "'" + item + "': " + expires.status().message());
      }
      p.certifications.push_back(
          {std::string(loaders::Trim(std::string_view(item).substr(0, at))), *expires});
    }
    p.teams = SplitList(t["teams"]);
    return Status::Ok();
  });
}

Result<RegistryCsv> ReadRegistryCsv(const std::filesystem::path& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    return Status::NotFound(directory.string() + ": no such directory");
  }
  RegistryCsv csv;
  bool any = false;
  // Reads `name` into `out` when the file is there.
  const auto read = [&](std::string_view name, auto reader, auto& out) -> Status {
    const std::filesystem::path path = directory / name;
    if (!std::filesystem::exists(path, ec)) return Status::Ok();
    any = true;
    auto records = reader(path);
    if (!records.ok()) return records.status();
    out = std::move(records).value();
    return Status::Ok();
  };
  BAIYING_RETURN_IF_ERROR(read(kSpecialtiesCsv, ReadSpecialtiesCsv, csv.specialties));
  BAIYING_RETURN_IF_ERROR(read(kOrganisationsCsv, ReadOrganisationsCsv, csv.organisations));
  BAIYING_RETURN_IF_ERROR(read(kTeamsCsv, ReadTeamsCsv, csv.teams));
  BAIYING_RETURN_IF_ERROR(read(kCapacitiesCsv, ReadCapacitiesCsv, csv.capacities));
  BAIYING_RETURN_IF_ERROR(read(kVettingCsv, ReadVettingCsv, csv.vetting));
  BAIYING_RETURN_IF_ERROR(read(kAgreementsCsv, ReadAgreementsCsv, csv.agreements));
  BAIYING_RETURN_IF_ERROR(read(kPersonnelCsv, ReadPersonnelCsv, csv.personnel));
  if (!any) {
    return Status::NotFound(directory.string() +
                            ": none of the registry files is there (specialties.csv, "
                            "organisations.csv, teams.csv, capacities.csv, vetting.csv, "
                            "agreements.csv, personnel.csv)");
  }
  return csv;
}

}  // namespace baiying::store
