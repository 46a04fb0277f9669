#pragma once
// Builds the seed support registry (社会拥军名录) of data/xizang/registry: a realistic and wholly
// fictional registry of organisations and their pre-organised teams (预编队伍), based at the real
// seats and towns of the road network, with vetting (资格审核), cooperation agreements (共建协议)
// and personnel cards (建档立卡). Every name, contact and person in it is made up: organisation
// names carry 示例, people are 演示人员00001, phone numbers are 08xx-555xxxx.
//
// The files are the CSV formats the store imports (organisations.csv, teams.csv,
// capacities.csv, vetting.csv, agreements.csv, personnel.csv; data/xizang/registry/README.md).
// Dates are set against a fixed reference date, kSeedReferenceDate (2026-11-01), so that the
// mix of states (valid, expired, failed, missing, suspended, without agreement ...) holds for
// anyone who judges the registry at that date; nothing reads the clock.
//
// Deterministic: the same network, options and seed give byte-identical files on every
// platform. Randomness is a std::mt19937 (whose output the standard fixes) with the project's
// own integer distributions, never the library's (whose algorithms are unspecified).
// Thread-compatible: no shared state.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace baiying::loaders {

// The date the seed's states are meant for: vetting valid until 2027-06 .. 2029-12 or expired
// in 2025 .. 2026-10, agreements in force (signed 2024 .. 2026-10, expiring 2028 .. 2031) or
// expired (2023 .. 2026-09), two awaiting signature after it.
inline constexpr std::string_view kSeedReferenceDate = "2026-11-01";

// The prefectures in the order of every per-prefecture array below.
inline constexpr std::size_t kSeedPrefectureCount = 7;

struct SeedRegistryOptions {
  // --- Input and output ---
  std::filesystem::path network_dir;  // data/xizang: places.csv and roads.csv
  std::filesystem::path out_dir;      // data/xizang/registry; empty: build and report only
  std::uint32_t seed = 2026;          // of the std::mt19937 behind every choice

  // --- Counts ---
  // Teams based in each prefecture: 拉萨, 日喀则, 昌都, 林芝, 山南, 那曲, 阿里. Roughly by
  // population, with a floor so that the small ones still have every specialty.
  std::array<std::uint32_t, kSeedPrefectureCount> teams_per_prefecture = {72, 66, 58, 34,
                                                                          38, 44, 28};
  // Teams of every specialty in every prefecture, at least (9 specialties).
  std::uint32_t min_teams_per_specialty = 2;
  // Teams that have a second specialty (an ambulance team that also carries, ...).
  std::uint32_t two_specialty_teams = 16;
  // People whose card puts them on a second team as well.
  std::uint32_t people_on_two_teams = 30;

  // --- States at the reference date. Each is an exact count, given to distinct teams or
  // organisations picked at random, so that every state can be seen on its own. ---
  std::uint32_t suspended_teams = 6;
  std::uint32_t withdrawn_teams = 2;
  std::uint32_t teams_vetting_expired = 12;  // half the whole round, half one department
  std::uint32_t teams_vetting_failed = 7;    // one department failed
  std::uint32_t teams_vetting_missing = 7;   // one department has no result yet
  std::uint32_t unfit_teams = 40;            // lowland teams fit to 4,000-4,500 m only
  std::uint32_t suspended_organisations = 3;
  std::uint32_t organisations_without_agreement = 7;
  std::uint32_t organisations_agreement_not_wartime = 12;  // covers emergency, not wartime
  std::uint32_t organisations_agreement_expired = 6;
  std::uint32_t organisations_agreement_pending = 2;   // to be signed after the reference date
  std::uint32_t organisations_agreement_renewed = 15;  // an expired agreement and its successor

  // InvalidArgument naming the first bad field.
  Status Validate() const;
};

struct SeedReport {
  std::uint32_t seed = 0;
  std::size_t organisations = 0;
  std::size_t teams = 0;
  std::size_t capacities = 0;  // rows of capacities.csv
  std::size_t vetting = 0;     // rows of vetting.csv
  std::size_t agreements = 0;
  std::size_t personnel = 0;

  // Organisations by tier (region, prefecture, county) and by kind (in OrganisationKind order).
  std::array<std::size_t, 3> organisations_by_tier{};
  std::array<std::size_t, 5> organisations_by_kind{};
  std::vector<std::string> prefectures;  // 拉萨, 日喀则, ...
  std::vector<std::string> specialties;  // medical, transport, ...
  // [prefecture][specialty]: teams based in the prefecture with that specialty (a team with
  // two specialties counts in both).
  std::vector<std::vector<std::size_t>> teams_by_prefecture_and_specialty;

  std::size_t teams_peacetime_only = 0;
  std::size_t teams_emergency = 0;  // committed to emergency
  std::size_t teams_wartime = 0;    // committed to wartime
  std::size_t teams_two_specialties = 0;
  std::size_t teams_unfit_above_4500 = 0;
  std::size_t veterans = 0;
  std::size_t people_on_two_teams = 0;

  // The states, as given (see SeedRegistryOptions).
  std::size_t suspended_teams = 0;
  std::size_t withdrawn_teams = 0;
  std::size_t teams_vetting_expired = 0;
  std::size_t teams_vetting_failed = 0;
  std::size_t teams_vetting_missing = 0;
  std::size_t suspended_organisations = 0;
  std::size_t organisations_without_agreement = 0;
  std::size_t organisations_agreement_not_wartime = 0;
  std::size_t organisations_agreement_expired = 0;
  std::size_t organisations_agreement_pending = 0;
  std::size_t organisations_agreement_renewed = 0;

  // Teams the engine's rules (Registry::Judge) find dispatchable at the reference date, by
  // mode (peacetime, emergency, wartime).
  std::array<std::size_t, 3> dispatchable{};

  std::string Summary() const;  // a few lines for people
};

// Reads the network of options.network_dir (ReadNetworkCsv), builds the registry, checks it
// with the engine's own Registry::Build, and writes the CSV files into options.out_dir (created
// if missing) when it is set. InvalidArgument when the network lacks a prefecture seat or the
// options ask for more states than there are teams or organisations to carry them.
Result<SeedReport> BuildSeedRegistry(const SeedRegistryOptions& options);

}  // namespace baiying::loaders
