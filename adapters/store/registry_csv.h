#pragma once
// The registry's CSV import files, parsed into the store's entry structs (formats in
// data/README.md, "Registry CSV files"). This layer checks what a line can tell alone:
// columns, numbers, enums, dates, lists. What needs the database (unknown references,
// duplicate codes, empty names, date order) is checked by RegistryStore::Import, which names
// the same file, line and field through CsvRecord::where.
//
// Every file is UTF-8 with a header row; columns come in any order, every column must be
// present and unknown columns are errors (a misspelt column must not be silently ignored).
// Blank lines are skipped; fields are trimmed. Dates are YYYY-MM-DD (midnight UTC); lists are
// separated by '|'.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/store/registry_store.h"
#include "engine/core/status.h"
#include "engine/registry/registry_types.h"

namespace baiying::store {

// One parsed line and where it came from, "<path>/teams.csv line 7", so that errors found
// later (by the store) can name the file, line and field like the parser does.
template <typename Entry>
struct CsvRecord {
  Entry entry;
  std::string where;
};

// A line of capacities.csv: a capacity of the team with code `team`.
struct CapacityRow {
  std::string team;
  CapacityEntry capacity;
};

// Each returns NotFound when the file does not exist, InvalidArgument naming file, line and
// field for anything malformed.
Result<std::vector<CsvRecord<Specialty>>> ReadSpecialtiesCsv(const std::filesystem::path& path);
Result<std::vector<CsvRecord<Organisation>>> ReadOrganisationsCsv(
    const std::filesystem::path& path);
Result<std::vector<CsvRecord<TeamEntry>>> ReadTeamsCsv(const std::filesystem::path& path);
Result<std::vector<CsvRecord<CapacityRow>>> ReadCapacitiesCsv(const std::filesystem::path& path);
Result<std::vector<CsvRecord<VettingEntry>>> ReadVettingCsv(const std::filesystem::path& path);
Result<std::vector<CsvRecord<AgreementEntry>>> ReadAgreementsCsv(const std::filesystem::path& path);
Result<std::vector<CsvRecord<PersonEntry>>> ReadPersonnelCsv(const std::filesystem::path& path);

// The files of one import directory; a file that is absent gives an empty list.
struct RegistryCsv {
  std::vector<CsvRecord<Specialty>> specialties;
  std::vector<CsvRecord<Organisation>> organisations;
  std::vector<CsvRecord<TeamEntry>> teams;
  std::vector<CsvRecord<CapacityRow>> capacities;
  std::vector<CsvRecord<VettingEntry>> vetting;
  std::vector<CsvRecord<AgreementEntry>> agreements;
  std::vector<CsvRecord<PersonEntry>> personnel;
};

// The file names, in import order.
inline constexpr std::string_view kSpecialtiesCsv = "specialties.csv";
inline constexpr std::string_view kOrganisationsCsv = "organisations.csv";
inline constexpr std::string_view kTeamsCsv = "teams.csv";
inline constexpr std::string_view kCapacitiesCsv = "capacities.csv";
inline constexpr std::string_view kVettingCsv = "vetting.csv";
inline constexpr std::string_view kAgreementsCsv = "agreements.csv";
inline constexpr std::string_view kPersonnelCsv = "personnel.csv";

// Reads every file present in `directory`. NotFound when the directory does not exist or
// holds none of the files.
Result<RegistryCsv> ReadRegistryCsv(const std::filesystem::path& directory);

}  // namespace baiying::store
