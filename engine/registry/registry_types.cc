#include "engine/registry/registry_types.h"

#include "engine/core/enum_names.h"

namespace baiying {
namespace {

constexpr NameTable<Mode, 3> kModes = {{{Mode::kPeacetime, "peacetime"},
                                        {Mode::kEmergency, "emergency"},
                                        {Mode::kWartime, "wartime"}}};
constexpr NameTable<Department, 5> kDepartments = {{
    {Department::kDisciplineInspection, "discipline_inspection"},
    {Department::kCivilAffairs, "civil_affairs"},
    {Department::kHumanResources, "human_resources"},
    {Department::kEmergencyManagement, "emergency_management"},
    {Department::kMarketSupervision, "market_supervision"},
}};
constexpr NameTable<Department, 5> kDepartmentsZh = {{
    {Department::kDisciplineInspection, "纪检监察"},
    {Department::kCivilAffairs, "民政"},
    {Department::kHumanResources, "人力资源和社会保障"},
    {Department::kEmergencyManagement, "应急管理"},
    {Department::kMarketSupervision, "市场监管"},
}};
constexpr NameTable<OrganisationKind, 5> kOrganisationKinds = {{
    {OrganisationKind::kStateOwnedEnterprise, "state_owned_enterprise"},
    {OrganisationKind::kPrivateEnterprise, "private_enterprise"},
    {OrganisationKind::kSocialOrganisation, "social_organisation"},
    {OrganisationKind::kIndividualBusiness, "individual_business"},
    {OrganisationKind::kVolunteerTeam, "volunteer_team"},
}};
constexpr NameTable<Tier, 3> kTiers = {
    {{Tier::kRegion, "region"}, {Tier::kPrefecture, "prefecture"}, {Tier::kCounty, "county"}}};
constexpr NameTable<RegistryStatus, 3> kStatuses = {{{RegistryStatus::kActive, "active"},
                                                     {RegistryStatus::kSuspended, "suspended"},
                                                     {RegistryStatus::kWithdrawn, "withdrawn"}}};

}  // namespace

std::string_view ToString(Mode mode) {
  return NameOf(kModes, mode);
}
std::string_view ToString(Department department) {
  return NameOf(kDepartments, department);
}
std::string_view ChineseName(Department department) {
  return NameOf(kDepartmentsZh, department);
}
std::string_view ToString(OrganisationKind kind) {
  return NameOf(kOrganisationKinds, kind);
}
std::string_view ToString(Tier tier) {
  return NameOf(kTiers, tier);
}
std::string_view ToString(RegistryStatus status) {
  return NameOf(kStatuses, status);
}
std::optional<Mode> ParseMode(std::string_view text) {
  return ValueOf(kModes, text);
}
std::optional<Department> ParseDepartment(std::string_view text) {
  return ValueOf(kDepartments, text);
}
std::optional<OrganisationKind> ParseOrganisationKind(std::string_view text) {
  return ValueOf(kOrganisationKinds, text);
}
std::optional<Tier> ParseTier(std::string_view text) {
  return ValueOf(kTiers, text);
}
std::optional<RegistryStatus> ParseRegistryStatus(std::string_view text) {
  return ValueOf(kStatuses, text);
}

std::string ToString(ModeSet modes) {
  std::string out;
  for (const auto& [m, name] : kModes) {
    if (!modes.Has(m)) continue;
    if (!out.empty()) out += '|';
    out += name;
  }
  return out;
}

std::optional<ModeSet> ParseModeSet(std::string_view text) {
  ModeSet set;
  while (!text.empty()) {
    const std::size_t cut = text.find_first_of("|,");
    std::string_view part = text.substr(0, cut);
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ')
      part.remove_suffix(1);
    if (!part.empty()) {
      std::optional<Mode> m = ParseMode(part);
      if (!m) return std::nullopt;
      set.Add(*m);
    }
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + 1);
  }
  return set;
}

}  // namespace baiying
