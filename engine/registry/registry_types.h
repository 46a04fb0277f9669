#pragma once
// The support registry (社会拥军名录) as the engine sees it: organisations, their teams and
// what each team can do, the vetting (资格审核) of each team by five departments, the
// cooperation agreements (共建协议) of each organisation, and personnel cards (建档立卡).
// Plain values; the SQLite store in adapters/store keeps them, the rules in eligibility.h
// judge them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/time.h"

namespace baiying {

using OrganisationId = TypedId<struct OrganisationTag>;
using TeamId = TypedId<struct TeamTag>;
using PersonId = TypedId<struct PersonTag>;
using SpecialtyId = TypedId<struct SpecialtyTag, std::uint16_t>;

// The modes in which a team commits to serve.
enum class Mode : std::uint8_t { kPeacetime, kEmergency, kWartime };
inline constexpr std::size_t kModeCount = 3;

// A set of modes, as committed by a team or covered by an agreement.
class ModeSet {
 public:
  constexpr ModeSet() = default;
  constexpr ModeSet(std::initializer_list<Mode> modes) {
    for (Mode m : modes)
      Add(m);
  }
  constexpr void Add(Mode m) { bits_ |= Bit(m); }
  constexpr bool Has(Mode m) const { return (bits_ & Bit(m)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint8_t bits() const { return bits_; }
  static constexpr ModeSet FromBits(std::uint8_t bits) {
    ModeSet s;
    s.bits_ = bits & 0x7;
    return s;
  }
  friend constexpr bool operator==(ModeSet, ModeSet) = default;

 private:
  static constexpr std::uint8_t Bit(Mode m) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(m));
  }
  std::uint8_t bits_ = 0;
};

// The departments whose checks together make the vetting.
enum class Department : std::uint8_t {
  kDisciplineInspection,  // 纪检监察: discipline inspection and supervision
  kCivilAffairs,          // 民政
  kHumanResources,        // 人力资源和社会保障
  kEmergencyManagement,   // 应急管理
  kMarketSupervision,     // 市场监管
};
inline constexpr std::size_t kDepartmentCount = 5;
inline constexpr std::array<Department, kDepartmentCount> kAllDepartments = {
    Department::kDisciplineInspection, Department::kCivilAffairs, Department::kHumanResources,
    Department::kEmergencyManagement, Department::kMarketSupervision};

enum class OrganisationKind : std::uint8_t {
  kStateOwnedEnterprise,
  kPrivateEnterprise,
  kSocialOrganisation,
  kIndividualBusiness,
  kVolunteerTeam,
};

// The tier of the registry an organisation is listed in, by the level that keeps it.
enum class Tier : std::uint8_t { kRegion, kPrefecture, kCounty };

enum class RegistryStatus : std::uint8_t {
  kActive,
  kSuspended,  // may be reinstated, with a reason
  kWithdrawn,  // left the registry
};

// Text forms, as in files, the database and on the command line.
std::string_view ToString(Mode mode);
std::string_view ToString(Department department);
std::string_view ChineseName(Department department);
std::string_view ToString(OrganisationKind kind);
std::string_view ToString(Tier tier);
std::string_view ToString(RegistryStatus status);
std::optional<Mode> ParseMode(std::string_view text);
std::optional<Department> ParseDepartment(std::string_view text);
std::optional<OrganisationKind> ParseOrganisationKind(std::string_view text);
std::optional<Tier> ParseTier(std::string_view text);
std::optional<RegistryStatus> ParseRegistryStatus(std::string_view text);
// "peacetime|emergency"; ParseModeSet accepts '|' or ',' between modes.
std::string ToString(ModeSet modes);
std::optional<ModeSet> ParseModeSet(std::string_view text);

// A specialty and the unit its capacity is counted in (medics, ambulances, vehicles, ...).
struct Specialty {
  SpecialtyId id;
  std::string code;     // "medical"
  std::string name_zh;  // "医疗救护"
  std::string name_en;  // "medical rescue"
  std::string unit;     // "medics"
};

struct Organisation {
  OrganisationId id;
  std::string code;  // stable public code, e.g. "ORG-LS-001"
  std::string name;
  OrganisationKind kind = OrganisationKind::kPrivateEnterprise;
  std::string industry;  // industry category as registered
  Tier tier = Tier::kCounty;
  std::uint32_t adcode = 0;   // the administrative area of the tier (540000, 540100, 540102)
  std::string contact_name;   // private: never published
  std::string contact_phone;  // private: never published
  std::string service_content;
  std::string measures;                // concrete measures
  std::string commitments;             // service commitments as written
  ModeSet modes;                       // structured part of the commitments
  std::uint32_t response_minutes = 0;  // committed response time
  RegistryStatus status = RegistryStatus::kActive;
  std::string status_reason;
};

struct TeamCapacity {
  SpecialtyId specialty;
  std::uint32_t quantity = 0;  // in the specialty's unit
  // Whether the capacity may be split across several requests at once.
  bool splittable = false;
};

struct Team {
  TeamId id;
  std::string code;  // "TM-LS-MED-01"
  std::string name;
  OrganisationId organisation;
  std::vector<TeamCapacity> capacities;
  std::string home_place;  // a place name of the road network
  Duration mobilization_delay{0};
  ModeSet modes;
  std::int32_t max_work_elevation_m = 0;  // highest elevation the team is fit to work at
  RegistryStatus status = RegistryStatus::kActive;
  std::string status_reason;
};

struct VettingResult {
  TeamId team;
  Department department = Department::kDisciplineInspection;
  Instant checked_at{};
  std::string examiner;
  Instant expires_at{};
  bool passed = false;
  std::string reason;  // why it failed, or notes
};

struct Agreement {
  OrganisationId organisation;
  std::string code;           // "AGR-2025-001"
  Instant joint_review_at{};  // military-civil joint review
  Instant notice_from{};      // public notice period
  Instant notice_until{};
  Instant signed_at{};
  Instant expires_at{};
  ModeSet modes;  // modes covered
};

struct Certification {
  std::string name;
  Instant expires_at{};
};

struct PersonnelCard {
  PersonId id;
  std::string code;  // "P-000123"
  std::string name;  // private
  bool veteran = false;
  std::vector<std::string> skills;
  std::vector<Certification> certifications;
  std::vector<TeamId> teams;  // one person may belong to several teams
};

}  // namespace baiying
