#include "adapters/loaders/seed_registry.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include "adapters/loaders/network_csv.h"
#include "adapters/loaders/text_reader.h"
#include "engine/registry/eligibility.h"
#include "engine/registry/registry.h"
#include "engine/registry/registry_types.h"

namespace baiying::loaders {
namespace {

namespace chr = std::chrono;
using Day = chr::sys_days;

constexpr Day MakeDay(int y, unsigned m, unsigned d) {
  return Day(chr::year(y) / chr::month(m) / chr::day(d));
}

const Day kReferenceDay = MakeDay(2026, 11, 1);

// The same day `years` later or earlier; 28 February for 29 February.
Day AddYears(Day day, int years) {
  const chr::year_month_day later = chr::year_month_day(day) + chr::years(years);
  if (later.ok()) return Day(later);
  return Day(later.year() / later.month() / chr::last);
}

// --- Randomness ------------------------------------------------------------------------------

// std::mt19937's sequence is fixed by the standard; std::uniform_int_distribution and
// std::shuffle are not, so the draws below are our own and give the same registry everywhere.
class Random {
 public:
  explicit Random(std::uint32_t seed) : engine_(seed) {}

  // Uniform in [lo, hi] (lo <= hi, at most 2^32 values), by rejection so that no value is
  // favoured.
  std::int64_t Int(std::int64_t lo, std::int64_t hi) {
    const std::uint64_t range = static_cast<std::uint64_t>(hi - lo) + 1;
    constexpr std::uint64_t kOutputs = std::uint64_t{1} << 32;
    const std::uint64_t limit = kOutputs - kOutputs % range;
    std::uint64_t x = 0;
    do {
      x = static_cast<std::uint64_t>(engine_()) & 0xffffffffu;
    } while (x >= limit);
    return lo + static_cast<std::int64_t>(x % range);
  }
  std::size_t Index(std::size_t n) { return static_cast<std::size_t>(Int(0, std::int64_t(n) - 1)); }
  std::uint32_t Uint(std::uint32_t lo, std::uint32_t hi) {
    return static_cast<std::uint32_t>(Int(lo, hi));
  }
  bool Percent(int percent) { return Int(0, 99) < percent; }
  // lo, lo + step, ..., up to hi.
  int Step(int lo, int hi, int step) {
    return lo + step * static_cast<int>(Int(0, (hi - lo) / step));
  }
  Day DayIn(Day lo, Day hi) { return lo + chr::days(Int(0, (hi - lo).count())); }
  // An index drawn with the given integer weights.
  std::size_t Weighted(std::initializer_list<int> weights) {
    return Weighted(std::vector<int>(weights));
  }
  std::size_t Weighted(const std::vector<int>& weights) {
    int total = 0;
    for (int w : weights)
      total += w;
    int x = static_cast<int>(Int(0, total - 1));
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  // Fisher-Yates.
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i)
      std::swap(v[i - 1], v[Index(i)]);
  }

 private:
  std::mt19937 engine_;
};

// --- The ground --------------------------------------------------------------------------------

struct PrefectureInfo {
  std::string_view abbrev;         // in codes: ORG-LS-001, TM-LS-MED-001
  std::string_view name;           // the seat's place name in places.csv
  std::string_view city;           // the prefecture-level city, in organisation names
  std::string_view seat_district;  // the county-level unit of the seat
  std::string_view phone_area;
  std::uint32_t adcode;
};

constexpr std::array<PrefectureInfo, kSeedPrefectureCount> kPrefectures = {{
    {"LS", "拉萨", "拉萨市", "城关区", "0891", 540100},
    {"RKZ", "日喀则", "日喀则市", "桑珠孜区", "0892", 540200},
    {"CD", "昌都", "昌都市", "卡若区", "0895", 540300},
    {"LZ", "林芝", "林芝市", "巴宜区", "0894", 540400},
    {"SN", "山南", "山南市", "乃东区", "0893", 540500},
    {"NQ", "那曲", "那曲市", "色尼区", "0896", 540600},
    {"AL", "阿里", "阿里地区", "噶尔县", "0897", 542500},
}};
constexpr std::uint32_t kRegionAdcode = 540000;

// Towns of the network where road and transport teams are kept, and their county.
struct TownInfo {
  std::string_view name;
  std::uint32_t county_adcode;
};
constexpr std::array<TownInfo, 6> kTowns = {{
    {"通麦", 540424},  // 波密县: the Tongmai landslide section of G318
    {"鲁朗", 540402},  // 巴宜区
    {"然乌", 540326},  // 八宿县
    {"邦达", 540326},  // 八宿县
    {"樟木", 540235},  // 聂拉木县
    {"帕里", 540233},  // 亚东县
}};

std::optional<std::size_t> PrefectureOf(std::uint32_t adcode) {
  for (std::size_t i = 0; i < kPrefectures.size(); ++i) {
    if (adcode / 100 == kPrefectures[i].adcode / 100) return i;
  }
  return std::nullopt;
}

// A place where a team can be based.
struct Base {
  std::string name;  // the place's name in places.csv
  std::int32_t elevation_m = 0;
  std::uint32_t adcode = 0;  // county-level; a town's county
  std::size_t prefecture = 0;
  bool prefecture_seat = false;
  std::vector<std::size_t> towns;  // of a county seat: its towns (indices into bases)
};

struct Ground {
  std::vector<Base> bases;
  // Per prefecture: the seat, and every county-level seat (the prefecture seat first).
  std::array<std::size_t, kSeedPrefectureCount> seat{};
  std::array<std::vector<std::size_t>, kSeedPrefectureCount> counties;
};

Result<Ground> ReadGround(const std::filesystem::path& network_dir) {
  Result<NetworkSpec> spec = ReadNetworkCsv(network_dir);
  if (!spec.ok()) return spec.status();
  Ground g;
  std::array<bool, kSeedPrefectureCount> has_seat{};
  for (const PlaceSpec& p : spec->places) {
    if (p.kind != PlaceKind::kPrefectureSeat && p.kind != PlaceKind::kCountySeat) continue;
    const std::optional<std::size_t> pref = PrefectureOf(p.adcode);
    if (!pref) {
      return Status::InvalidArgument("places.csv: seat '" + p.name + "' has adcode " +
                                     std::to_string(p.adcode) + ", in no prefecture of Xizang");
    }
    const std::size_t index = g.bases.size();
    g.bases.push_back(
        {p.name, p.elevation_m, p.adcode, *pref, p.kind == PlaceKind::kPrefectureSeat, {}});
    if (p.kind == PlaceKind::kPrefectureSeat) {
      if (p.name != kPrefectures[*pref].name) {
        return Status::InvalidArgument(
            "places.csv: the seat of " + std::string(kPrefectures[*pref].city) + " is '" + p.name +
            "', expected '" + std::string(kPrefectures[*pref].name) + "'");
      }
      has_seat[*pref] = true;
      g.seat[*pref] = index;
      g.counties[*pref].insert(g.counties[*pref].begin(), index);
    } else {
      g.counties[*pref].push_back(index);
    }
  }
  for (std::size_t i = 0; i < kPrefectures.size(); ++i) {
    if (!has_seat[i]) {
      return Status::InvalidArgument("places.csv: no prefecture seat '" +
                                     std::string(kPrefectures[i].name) + "'");
    }
  }
  // Towns the network lacks are simply not used.
  for (const TownInfo& town : kTowns) {
    auto place = std::find_if(spec->places.begin(), spec->places.end(), [&](const PlaceSpec& p) {
      return p.name == town.name && p.kind == PlaceKind::kTown;
    });
    auto county = std::find_if(g.bases.begin(), g.bases.end(),
                               [&](const Base& b) { return b.adcode == town.county_adcode; });
    if (place == spec->places.end() || county == g.bases.end()) continue;
    Base base{place->name, place->elevation_m, county->adcode, county->prefecture, false, {}};
    const std::size_t county_index = static_cast<std::size_t>(county - g.bases.begin());
    g.bases.push_back(std::move(base));
    g.bases[county_index].towns.push_back(g.bases.size() - 1);
  }
  return g;
}

// --- Specialties and the organisations that field them -----------------------------------------

enum Spec : std::size_t {
  kMedical,
  kTransport,
  kLogistics,
  kCommunications,
  kSpectrum,
  kRoadRepair,
  kSecurity,
  kWaterPower,
  kTechnical,
  kSpecCount,
};

struct SpecialtyInfo {
  std::string_view code;
  std::string_view abbrev;  // in team codes
  std::string_view name_zh;
  std::string_view name_en;
  std::string_view unit;
  std::string_view unit_zh;    // in measures: "共 36 名医护人员"
  std::string_view team_word;  // in team names: 拉萨示例医疗救护一队
  std::uint32_t quantity_lo, quantity_hi;
  std::uint32_t splittable_from;         // a capacity this large may be split across requests
  int weight;                            // share of the teams beyond the floor
  int mobilization_lo, mobilization_hi;  // minutes
  std::string_view task;                 // 急时战时任务
  std::string_view peacetime;            // 平时服务
  std::string_view measure;
  Spec second;  // the usual second specialty of a two-specialty team
  std::array<std::string_view, 5> skills;
  std::array<std::string_view, 4> certifications;
};

// clang-format off
const std::array<SpecialtyInfo, kSpecCount> kSpecialties = {{
    {"medical", "MED", "医疗救护", "medical rescue", "medics", "名医护人员", "医疗救护",
     4, 30, 6, 15, 15, 90,
     "急时战时伤病员现场救治、高原病防治和后送转运（医疗救护）",
     "平时为边远哨所官兵巡诊送药、协助就医",
     "常备高原病急救药品、便携制氧和担架器材，实行24小时值班", kTransport,
     {"院前急救", "高原病防治", "创伤外科", "护理", "检伤分类"},
     {"医师资格证书", "护士执业证书", "高原急救培训合格证", "心肺复苏培训证书"}},
    {"transport", "TRN", "交通运输", "transport", "vehicles", "辆车辆", "运输保障",
     2, 40, 3, 16, 30, 240,
     "急时战时人员、装备和物资运输（交通运输）",
     "平时为驻地部队运送物资",
     "车辆挂牌登记、定点停放，驾驶员均有高原山区驾驶经验", kLogistics,
     {"大型货车驾驶", "高原山区驾驶", "危险货物运输", "车辆抢修", "车队调度"},
     {"A2驾驶证", "道路运输从业资格证", "危险货物运输从业资格证", "汽车维修工职业技能证书"}},
    {"logistics", "LOG", "物资供给", "logistics and material supply", "tonnes_per_day",
     "吨/日物资保障能力", "物资保障",
     5, 200, 10, 14, 60, 360,
     "急时战时粮油、饮用水、燃料和生活物资供给（物资供给）",
     "平时为哨所官兵代购配送生活物资",
     "储备库存动态管理，承诺优先保障部队需求、不加价", kTransport,
     {"仓储管理", "物资调配", "冷链管理", "叉车操作", "食品安全管理"},
     {"叉车司机证", "食品安全管理员证", "仓储管理员职业技能证书", "物流师证书"}},
    {"communications", "COM", "通信保障", "communications", "crews", "个通信抢修组", "通信保障",
     1, 6, 2, 10, 20, 150,
     "急时战时应急通信保障、光缆和基站抢修（信息支援）",
     "平时为边远哨所改善通信信号覆盖",
     "配备应急通信车和卫星便携站，抢修组24小时待命", kSpectrum,
     {"卫星通信", "光缆熔接抢修", "应急通信车操作", "基站维护", "短波通信"},
     {"通信工程师职业资格证书", "光纤熔接职业技能证书", "高处作业操作证", "卫星通信操作培训证书"}},
    {"spectrum", "SPC", "无线电频谱管控", "radio spectrum control", "monitoring_units",
     "套监测设备", "频谱监测",
     1, 4, 2, 6, 60, 240,
     "急时战时无线电频谱监测、干扰查找和管控配合（频谱管控）",
     "平时协助开展电磁环境监测",
     "配备便携式频谱监测和测向设备，熟悉辖区电磁环境", kCommunications,
     {"频谱监测", "无线电测向", "干扰查处", "短波通信", "电磁环境测试"},
     {"无线电台操作证书", "无线电监测员职业技能证书", "业余无线电台操作证书", "电磁兼容测试培训证书"}},
    {"road_repair", "ROD", "保交护路", "road protection and repair", "machines", "台工程机械",
     "道路抢通",
     2, 20, 4, 13, 30, 180,
     "急时战时道路抢通、桥梁抢修和除雪保通（保交护路）",
     "平时协助维护通往哨所的道路",
     "工程机械就近驻点，雨季雪季前完成检修和物资预置", kTransport,
     {"挖掘机操作", "装载机操作", "桥梁抢修", "除雪作业", "爆破作业"},
     {"挖掘机操作证", "装载机操作证", "爆破作业人员许可证", "二级建造师证书"}},
    {"security", "SEC", "安全警戒", "security", "guards", "名安保人员", "安全警戒",
     6, 60, 10, 10, 20, 120,
     "急时战时安全警戒、护路巡逻和人员疏散（安全警戒）",
     "平时配合驻地部队开展营区周边安全巡查",
     "队员经过警戒和疏散训练，定期参加联合演练", kTransport,
     {"安全警戒", "护路巡逻", "人员疏散", "安全检查", "应急处置"},
     {"保安员证", "安检员职业技能证书", "消防设施操作员证", "应急救护员证"}},
    {"water_power", "WTR", "取水用电", "water and power", "units", "套供水供电设备", "供水供电",
     1, 8, 2, 9, 60, 360,
     "急时战时应急供电、供水保障",
     "平时为边远哨所取水、用电提供服务和维修",
     "配备移动发电机组和净水设备，定期巡检哨所供水供电设施", kRoadRepair,
     {"发电机组运维", "高低压电工", "给水净化", "光伏系统运维", "管道维修"},
     {"特种作业操作证（高压电工）", "特种作业操作证（低压电工）", "水处理工职业技能证书", "光伏运维培训证书"}},
    {"technical", "TEC", "科技信息支援", "technical and information support", "specialists",
     "名技术人员", "科技支援",
     2, 15, 3, 7, 60, 360,
     "急时战时信息支援、无人机侦察测绘和网络数据技术保障（信息支援）",
     "平时为部队提供技术、教育、法律和文化服务",
     "建立技术专家库，远程支援与现场支援相结合", kCommunications,
     {"网络安全", "无人机操作", "北斗终端应用", "软件开发", "数据分析"},
     {"民用无人机驾驶员执照", "网络安全工程师证书", "测绘作业证", "软件设计师证书"}},
}};
// clang-format on

constexpr std::array<std::string_view, 3> kVeteranSkills = {"民兵训练组织", "野外生存", "战场救护"};

using Kind = OrganisationKind;
constexpr std::uint8_t kAtPrefecture = 1;
constexpr std::uint8_t kAtCounty = 2;

constexpr std::string_view kHealth = "卫生和社会工作";
constexpr std::string_view kTransportIndustry = "交通运输、仓储和邮政业";
constexpr std::string_view kTrade = "批发和零售业";
constexpr std::string_view kInformation = "信息传输、软件和信息技术服务业";
constexpr std::string_view kResearch = "科学研究和技术服务业";
constexpr std::string_view kConstruction = "建筑业";
constexpr std::string_view kBusinessServices = "租赁和商务服务业";
constexpr std::string_view kUtilities = "电力、热力、燃气及水生产和供应业";
constexpr std::string_view kResidentServices = "居民服务、修理和其他服务业";
constexpr std::string_view kSocialOrganisations = "公共管理、社会保障和社会组织";

// A kind of local organisation: what it is called, what it fields, where it is listed.
struct Profile {
  Spec specialty;
  Kind kind;
  std::string_view trade;  // the generic trade word of its name
  std::string_view industry;
  std::uint8_t tiers;  // kAtPrefecture | kAtCounty
  int weight;
};

constexpr std::array<Profile, 33> kProfiles = {{
    {kMedical, Kind::kPrivateEnterprise, "康复医院", kHealth, kAtPrefecture | kAtCounty, 3},
    {kMedical, Kind::kIndividualBusiness, "藏医诊所", kHealth, kAtCounty, 3},
    {kMedical, Kind::kVolunteerTeam, "医疗志愿服务队", kSocialOrganisations,
     kAtPrefecture | kAtCounty, 3},
    {kMedical, Kind::kSocialOrganisation, "红十字救护协会", kSocialOrganisations, kAtPrefecture, 2},
    {kMedical, Kind::kStateOwnedEnterprise, "医药有限公司", kTrade, kAtPrefecture, 1},
    {kTransport, Kind::kStateOwnedEnterprise, "交通运输有限公司", kTransportIndustry, kAtPrefecture,
     2},
    {kTransport, Kind::kPrivateEnterprise, "物流运输有限公司", kTransportIndustry,
     kAtPrefecture | kAtCounty, 4},
    {kTransport, Kind::kIndividualBusiness, "货运部", kTransportIndustry, kAtCounty, 4},
    {kTransport, Kind::kVolunteerTeam, "越野车友应急志愿队", kResidentServices,
     kAtPrefecture | kAtCounty, 2},
    {kTransport, Kind::kSocialOrganisation, "道路运输协会", kSocialOrganisations, kAtPrefecture, 1},
    {kLogistics, Kind::kStateOwnedEnterprise, "粮油储备有限公司", kTrade, kAtPrefecture, 2},
    {kLogistics, Kind::kPrivateEnterprise, "商贸有限公司", kTrade, kAtPrefecture | kAtCounty, 4},
    {kLogistics, Kind::kIndividualBusiness, "批发部", kTrade, kAtCounty, 3},
    {kLogistics, Kind::kSocialOrganisation, "商会", kSocialOrganisations, kAtPrefecture, 1},
    {kCommunications, Kind::kStateOwnedEnterprise, "通信分公司", kInformation,
     kAtPrefecture | kAtCounty, 3},
    {kCommunications, Kind::kPrivateEnterprise, "通信工程有限公司", kInformation,
     kAtPrefecture | kAtCounty, 3},
    {kCommunications, Kind::kVolunteerTeam, "应急通信志愿队", kResidentServices,
     kAtPrefecture | kAtCounty, 1},
    {kSpectrum, Kind::kSocialOrganisation, "无线电协会", kResearch, kAtPrefecture, 3},
    {kSpectrum, Kind::kVolunteerTeam, "业余无线电应急队", kResidentServices,
     kAtPrefecture | kAtCounty, 3},
    {kSpectrum, Kind::kPrivateEnterprise, "电子科技有限公司", kInformation,
     kAtPrefecture | kAtCounty, 2},
    {kRoadRepair, Kind::kStateOwnedEnterprise, "公路养护有限公司", kConstruction,
     kAtPrefecture | kAtCounty, 3},
    {kRoadRepair, Kind::kPrivateEnterprise, "建设工程有限公司", kConstruction,
     kAtPrefecture | kAtCounty, 4},
    {kRoadRepair, Kind::kIndividualBusiness, "工程机械租赁部", kBusinessServices, kAtCounty, 3},
    {kSecurity, Kind::kStateOwnedEnterprise, "保安服务有限公司", kBusinessServices, kAtPrefecture,
     3},
    {kSecurity, Kind::kPrivateEnterprise, "安保服务有限公司", kBusinessServices,
     kAtPrefecture | kAtCounty, 3},
    {kSecurity, Kind::kVolunteerTeam, "护路联防志愿队", kResidentServices, kAtCounty, 3},
    {kSecurity, Kind::kSocialOrganisation, "平安志愿者协会", kSocialOrganisations,
     kAtPrefecture | kAtCounty, 2},
    {kWaterPower, Kind::kStateOwnedEnterprise, "供电有限公司", kUtilities,
     kAtPrefecture | kAtCounty, 3},
    {kWaterPower, Kind::kStateOwnedEnterprise, "水务有限公司", kUtilities,
     kAtPrefecture | kAtCounty, 2},
    {kWaterPower, Kind::kIndividualBusiness, "水电维修部", kResidentServices, kAtCounty, 3},
    {kTechnical, Kind::kPrivateEnterprise, "信息技术有限公司", kInformation,
     kAtPrefecture | kAtCounty, 3},
    {kTechnical, Kind::kSocialOrganisation, "科技志愿服务协会", kResearch, kAtPrefecture, 2},
    {kTechnical, Kind::kPrivateEnterprise, "无人机科技有限公司", kResearch,
     kAtPrefecture | kAtCounty, 2},
}};

// The region-tier organisations: each fields one team in each of several prefectures, Lhasa
// first.
struct RegionProfile {
  Spec specialty;
  Kind kind;
  std::string_view trade;
  std::string_view industry;
  std::size_t teams;
};

constexpr std::array<RegionProfile, 10> kRegionProfiles = {{
    {kTransport, Kind::kStateOwnedEnterprise, "交通运输集团有限公司", kTransportIndustry, 7},
    {kCommunications, Kind::kStateOwnedEnterprise, "通信有限公司", kInformation, 7},
    {kWaterPower, Kind::kStateOwnedEnterprise, "电力有限公司", kUtilities, 6},
    {kRoadRepair, Kind::kStateOwnedEnterprise, "路桥集团有限公司", kConstruction, 6},
    {kLogistics, Kind::kStateOwnedEnterprise, "物资储备集团有限公司", kTrade, 5},
    {kMedical, Kind::kVolunteerTeam, "医疗救援志愿服务总队", kSocialOrganisations, 5},
    {kSpectrum, Kind::kSocialOrganisation, "无线电协会", kResearch, 4},
    {kSecurity, Kind::kStateOwnedEnterprise, "保安服务集团有限公司", kBusinessServices, 4},
    {kTechnical, Kind::kPrivateEnterprise, "科技信息服务有限公司", kInformation, 4},
    {kMedical, Kind::kStateOwnedEnterprise, "医药集团有限公司", kHealth, 3},
}};

// --- States ----------------------------------------------------------------------------------

enum class OrgState {
  kNormal,
  kSuspended,
  kNoAgreement,
  kAgreementExpired,
  kAgreementPending,
  kAgreementNotWartime,
  kAgreementRenewed,
};

enum class TeamState {
  kNormal,
  kSuspended,
  kWithdrawn,
  kVettingAllExpired,
  kVettingOneExpired,
  kVettingFailed,
  kVettingMissing,
};

constexpr std::array<std::string_view, 4> kTeamSuspensionReasons = {
    "车辆年检逾期，暂停派遣待整改（演示）", "队伍负责人变更，待重新备案（演示）",
    "两次未参加联合演练，暂停派遣（演示）", "主要装备损坏待修复（演示）"};
constexpr std::array<std::string_view, 2> kTeamWithdrawalReasons = {"队伍解散，退出名录（演示）",
                                                                    "企业转产，退出名录（演示）"};
constexpr std::array<std::string_view, 3> kOrgSuspensionReasons = {
    "未按承诺时限响应演练指令，暂停待核查（演示）", "企业经营异常，暂停待核查（演示）",
    "服务承诺履行督导不合格，限期整改（演示）"};
// Why each department's check failed, in Department order.
constexpr std::array<std::string_view, kDepartmentCount> kFailReasons = {
    "负责人涉嫌违纪，正在核查（演示）", "社会组织年检不合格（演示）",
    "存在拖欠工资投诉未结案（演示）", "应急演练考核未通过（演示）", "被列入经营异常名录（演示）"};

// --- The draft registry ----------------------------------------------------------------------

struct DraftOrg {
  Tier tier = Tier::kCounty;
  std::size_t prefecture = 0;  // for region tier, that of its head office (Lhasa)
  std::uint32_t adcode = 0;
  Kind kind = Kind::kPrivateEnterprise;
  std::string area;  // first part of its name: 西藏, 日喀则市, 定日县
  std::string_view trade;
  std::string_view industry;
  Spec specialty = kMedical;
  std::vector<std::size_t> teams;
  ModeSet modes;
  OrgState state = OrgState::kNormal;
};

struct DraftTeam {
  std::size_t org = 0;
  std::size_t base = 0;
  std::vector<Spec> specialties;  // the first is its main one
  TeamState state = TeamState::kNormal;
  Department department = Department::kDisciplineInspection;  // the one a state concerns
  bool unfit = false;
};

// A planned organisation before it has teams: which specialty, how many, where.
struct OrgPlan {
  std::size_t prefecture = 0;
  Spec specialty = kMedical;
  std::size_t size = 1;
  Tier tier = Tier::kCounty;
  const Profile* profile = nullptr;
  std::size_t county = 0;           // base of a county-tier organisation
  std::optional<std::size_t> town;  // where its one team stands, instead of the county seat
};

std::string ChineseNumber(std::size_t n) {
  constexpr std::array<std::string_view, 10> kDigits = {"",   "一", "二", "三", "四",
                                                        "五", "六", "七", "八", "九"};
  if (n < 10) return std::string(kDigits[n]);
  std::string out = n / 10 == 1 ? std::string() : std::string(kDigits[n / 10 % 10]);
  out += "十";
  out += kDigits[n % 10];
  return out;
}

std::string Padded(std::size_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*zu", width, n);
  return buf;
}

std::string ModesZh(ModeSet modes) {
  std::string out;
  constexpr std::array<std::pair<Mode, std::string_view>, 3> kNames = {
      {{Mode::kPeacetime, "平时"}, {Mode::kEmergency, "急时"}, {Mode::kWartime, "战时"}}};
  for (const auto& [mode, name] : kNames) {
    if (!modes.Has(mode)) continue;
    if (!out.empty()) out += "、";
    out += name;
  }
  return out;
}

Status WriteTextFile(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::Unavailable(path.string() + ": cannot open for writing");
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) return Status::Unavailable(path.string() + ": write failed");
  return Status::Ok();
}

// --- The builder -------------------------------------------------------------------------------

class SeedBuilder {
 public:
  SeedBuilder(const SeedRegistryOptions& options, Ground ground)
      : options_(options), ground_(std::move(ground)), random_(options.seed) {}

  Status Run();
  Result<Registry> Finish(SeedReport& report);
  Status Write(const Registry& registry, const std::filesystem::path& out_dir) const;

 private:
  void PlanSlots();
  void MakeRegionOrganisations();
  void MakeLocalOrganisations();
  std::size_t AddOrganisation(DraftOrg org);
  std::size_t AddTeam(std::size_t org, std::size_t base, Spec specialty);
  std::size_t TownOrSeat(std::size_t county, Spec specialty, int town_percent);
  std::size_t AnyCounty(std::size_t prefecture);
  void AddSecondSpecialties();
  ModeSet DrawModes(Spec specialty);
  Status AssignOrganisationStates();
  Status AssignTeamStates();
  void AssignUnfitTeams();

  void BuildOrganisations();
  void BuildTeams();
  void BuildVetting();
  void BuildAgreements();
  void BuildPersonnel();
  void AddAgreement(std::size_t org, Day signed_on, Day expires_on, ModeSet modes);

  const SeedRegistryOptions& options_;
  Ground ground_;
  Random random_;

  // [prefecture][specialty]: team slots still to be given to local organisations.
  std::array<std::array<std::size_t, kSpecCount>, kSeedPrefectureCount> slots_{};
  std::vector<DraftOrg> orgs_;
  std::vector<DraftTeam> teams_;

  RegistryData data_;
  std::vector<std::pair<Day, Agreement>> agreements_;  // before codes are given
  std::size_t people_on_two_teams_ = 0;
};

void SeedBuilder::PlanSlots() {
  int total_weight = 0;
  for (const SpecialtyInfo& s : kSpecialties)
    total_weight += s.weight;
  for (std::size_t p = 0; p < kSeedPrefectureCount; ++p) {
    const std::size_t floor = options_.min_teams_per_specialty;
    const std::size_t rest = options_.teams_per_prefecture[p] - floor * kSpecCount;
    // Largest remainder, ties to the earlier specialty.
    std::array<std::pair<std::size_t, std::size_t>, kSpecCount> remainders{};
    std::size_t given = 0;
    for (std::size_t s = 0; s < kSpecCount; ++s) {
      const std::size_t share = rest * static_cast<std::size_t>(kSpecialties[s].weight);
      slots_[p][s] = floor + share / static_cast<std::size_t>(total_weight);
      given += share / static_cast<std::size_t>(total_weight);
      remainders[s] = {share % static_cast<std::size_t>(total_weight), s};
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; given < rest; ++i, ++given)
      ++slots_[p][remainders[i].second];
  }
}

std::size_t SeedBuilder::AddOrganisation(DraftOrg org) {
  orgs_.push_back(std::move(org));
  return orgs_.size() - 1;
}

std::size_t SeedBuilder::AddTeam(std::size_t org, std::size_t base, Spec specialty) {
  DraftTeam team;
  team.org = org;
  team.base = base;
  team.specialties = {specialty};
  teams_.push_back(std::move(team));
  orgs_[org].teams.push_back(teams_.size() - 1);
  return teams_.size() - 1;
}

// A county seat, or now and then one of its towns (road and transport teams stand there).
std::size_t SeedBuilder::TownOrSeat(std::size_t county, Spec specialty, int town_percent) {
  const std::vector<std::size_t>& towns = ground_.bases[county].towns;
  const bool by_road = specialty == kRoadRepair || specialty == kTransport;
  if (by_road && !towns.empty() && random_.Percent(town_percent)) {
    return towns[random_.Index(towns.size())];
  }
  return county;
}

std::size_t SeedBuilder::AnyCounty(std::size_t prefecture) {
  const std::vector<std::size_t>& counties = ground_.counties[prefecture];
  return counties[random_.Index(counties.size())];
}

void SeedBuilder::MakeRegionOrganisations() {
  for (const RegionProfile& profile : kRegionProfiles) {
    DraftOrg org;
    org.tier = Tier::kRegion;
    org.prefecture = 0;
    org.adcode = kRegionAdcode;
    org.kind = profile.kind;
    org.area = "西藏";
    org.trade = profile.trade;
    org.industry = profile.industry;
    org.specialty = profile.specialty;
    const std::size_t id = AddOrganisation(std::move(org));

    // Lhasa, then other prefectures that keep at least one slot for their own organisations.
    std::vector<std::size_t> others;
    for (std::size_t p = 1; p < kSeedPrefectureCount; ++p)
      others.push_back(p);
    random_.Shuffle(others);
    others.insert(others.begin(), 0);
    std::size_t made = 0;
    for (std::size_t p : others) {
      if (made == profile.teams) break;
      std::size_t& left = slots_[p][profile.specialty];
      if (left < 2) continue;
      --left;
      ++made;
      const std::size_t base =
          random_.Percent(70) ? ground_.seat[p] : TownOrSeat(AnyCounty(p), profile.specialty, 40);
      AddTeam(id, base, profile.specialty);
    }
  }
}

void SeedBuilder::MakeLocalOrganisations() {
  std::vector<std::size_t> planned(ground_.bases.size(), 0);  // county-tier organisations
  for (std::size_t p = 0; p < kSeedPrefectureCount; ++p) {
    std::vector<OrgPlan> plans;
    // A county road maintenance outfit at every town on the highways (通麦 on the G318
    // landslide section, 樟木 below the Nepal border ...), where drills close roads.
    for (std::size_t c : ground_.counties[p]) {
      for (std::size_t town : ground_.bases[c].towns) {
        if (slots_[p][kRoadRepair] == 0) break;
        --slots_[p][kRoadRepair];
        OrgPlan plan;
        plan.prefecture = p;
        plan.specialty = kRoadRepair;
        plan.tier = Tier::kCounty;
        std::vector<const Profile*> fits;
        std::vector<int> weights;
        for (const Profile& profile : kProfiles) {
          if (profile.specialty != kRoadRepair || (profile.tiers & kAtCounty) == 0) continue;
          fits.push_back(&profile);
          weights.push_back(profile.weight);
        }
        plan.profile = fits[random_.Weighted(weights)];
        plan.county = c;
        plan.town = town;
        ++planned[c];
        plans.push_back(plan);
      }
    }
    for (std::size_t s = 0; s < kSpecCount; ++s) {
      const Spec spec = static_cast<Spec>(s);
      std::size_t left = slots_[p][s];
      while (left > 0) {
        OrgPlan plan;
        plan.prefecture = p;
        plan.specialty = spec;
        plan.size = std::min(left, random_.Weighted({35, 35, 20, 10}) + 1);
        left -= plan.size;
        const std::uint8_t want = random_.Percent(35) ? kAtPrefecture : kAtCounty;
        for (std::uint8_t tier : {want, static_cast<std::uint8_t>(want ^ 3)}) {
          std::vector<const Profile*> fits;
          std::vector<int> weights;
          for (const Profile& profile : kProfiles) {
            if (profile.specialty != spec || (profile.tiers & tier) == 0) continue;
            fits.push_back(&profile);
            weights.push_back(profile.weight);
          }
          if (fits.empty()) continue;
          plan.profile = fits[random_.Weighted(weights)];
          plan.tier = tier == kAtPrefecture ? Tier::kPrefecture : Tier::kCounty;
          break;
        }
        // The prefecture seat hosts more organisations than a county seat, and a county with
        // none yet is likelier to get one.
        const std::vector<std::size_t>& counties = ground_.counties[p];
        std::vector<int> weights(counties.size(), 1);
        for (std::size_t c = 0; c < counties.size(); ++c) {
          if (c == 0) {
            weights[c] = 3;
          } else if (planned[counties[c]] == 0) {
            weights[c] = 4;
          }
        }
        plan.county = counties[random_.Weighted(weights)];
        if (plan.tier == Tier::kCounty) ++planned[plan.county];
        plans.push_back(plan);
      }
    }
    // So that an organisation's number says nothing about its specialty.
    random_.Shuffle(plans);
    for (const OrgPlan& plan : plans) {
      const Base& county = ground_.bases[plan.county];
      DraftOrg org;
      org.tier = plan.tier;
      org.prefecture = p;
      org.kind = plan.profile->kind;
      org.trade = plan.profile->trade;
      org.industry = plan.profile->industry;
      org.specialty = plan.specialty;
      if (plan.tier == Tier::kPrefecture) {
        org.adcode = kPrefectures[p].adcode;
        org.area = std::string(kPrefectures[p].city);
      } else {
        org.adcode = county.adcode;
        org.area =
            county.prefecture_seat ? std::string(kPrefectures[p].seat_district) : county.name;
      }
      const std::size_t id = AddOrganisation(std::move(org));
      if (plan.town) {
        AddTeam(id, *plan.town, plan.specialty);
        continue;
      }
      for (std::size_t i = 0; i < plan.size; ++i) {
        std::size_t base = plan.county;
        if (plan.tier == Tier::kPrefecture) {
          base = random_.Percent(50) ? ground_.seat[p] : AnyCounty(p);
        }
        AddTeam(id, TownOrSeat(base, plan.specialty, 35), plan.specialty);
      }
    }
  }
}

void SeedBuilder::AddSecondSpecialties() {
  std::vector<std::size_t> order(teams_.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  random_.Shuffle(order);
  order.resize(std::min<std::size_t>(order.size(), options_.two_specialty_teams));
  std::sort(order.begin(), order.end());
  for (std::size_t t : order)
    teams_[t].specialties.push_back(kSpecialties[teams_[t].specialties[0]].second);
}

ModeSet SeedBuilder::DrawModes(Spec specialty) {
  const ModeSet peacetime{Mode::kPeacetime};
  const ModeSet all{Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
  const ModeSet emergency_wartime{Mode::kEmergency, Mode::kWartime};
  const ModeSet peacetime_emergency{Mode::kPeacetime, Mode::kEmergency};
  const ModeSet emergency{Mode::kEmergency};
  switch (specialty) {
    case kWaterPower: {
      const std::array<ModeSet, 3> sets = {peacetime, peacetime_emergency, all};
      return sets[random_.Weighted({40, 35, 25})];
    }
    case kMedical: {
      const std::array<ModeSet, 4> sets = {peacetime, all, emergency_wartime, emergency};
      return sets[random_.Weighted({16, 32, 40, 12})];
    }
    case kTechnical: {
      const std::array<ModeSet, 4> sets = {peacetime, peacetime_emergency, all, emergency_wartime};
      return sets[random_.Weighted({12, 30, 18, 40})];
    }
    default: {
      const std::array<ModeSet, 3> sets = {emergency_wartime, all, emergency};
      return sets[random_.Weighted({55, 25, 20})];
    }
  }
}

Status SeedBuilder::AssignOrganisationStates() {
  std::vector<std::size_t> candidates;
  for (std::size_t o = 0; o < orgs_.size(); ++o) {
    if (orgs_[o].tier != Tier::kRegion) candidates.push_back(o);
  }
  random_.Shuffle(candidates);
  struct Want {
    OrgState state;
    std::uint32_t count;
    std::optional<Mode> needs;  // the organisation must commit to this mode
    std::string_view what;
  };
  const std::array<Want, 6> wants = {{
      {OrgState::kSuspended, options_.suspended_organisations, std::nullopt,
       "suspended_organisations"},
      {OrgState::kNoAgreement, options_.organisations_without_agreement, Mode::kEmergency,
       "organisations_without_agreement"},
      {OrgState::kAgreementExpired, options_.organisations_agreement_expired, Mode::kEmergency,
       "organisations_agreement_expired"},
      {OrgState::kAgreementPending, options_.organisations_agreement_pending, Mode::kEmergency,
       "organisations_agreement_pending"},
      {OrgState::kAgreementNotWartime, options_.organisations_agreement_not_wartime, Mode::kWartime,
       "organisations_agreement_not_wartime"},
      {OrgState::kAgreementRenewed, options_.organisations_agreement_renewed, Mode::kEmergency,
       "organisations_agreement_renewed"},
  }};
  for (const Want& want : wants) {
    std::uint32_t given = 0;
    for (std::size_t o : candidates) {
      if (given == want.count) break;
      DraftOrg& org = orgs_[o];
      if (org.state != OrgState::kNormal) continue;
      if (want.needs && !org.modes.Has(*want.needs)) continue;
      org.state = want.state;
      ++given;
    }
    if (given < want.count) {
      return Status::InvalidArgument("seed registry: " + std::string(want.what) + " " +
                                     std::to_string(want.count) + ": only " +
                                     std::to_string(given) + " organisations can take it");
    }
  }
  return Status::Ok();
}

Status SeedBuilder::AssignTeamStates() {
  // Teams of organisations that are themselves fine, so that each state shows on its own.
  std::vector<std::size_t> candidates;
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    const OrgState s = orgs_[teams_[t].org].state;
    if (s == OrgState::kNormal || s == OrgState::kAgreementRenewed ||
        s == OrgState::kAgreementNotWartime) {
      candidates.push_back(t);
    }
  }
  random_.Shuffle(candidates);
  const std::uint32_t all_expired = options_.teams_vetting_expired / 2;
  struct Want {
    TeamState state;
    std::uint32_t count;
    bool needs_emergency;
    std::string_view what;
  };
  const std::array<Want, 6> wants = {{
      {TeamState::kSuspended, options_.suspended_teams, false, "suspended_teams"},
      {TeamState::kWithdrawn, options_.withdrawn_teams, false, "withdrawn_teams"},
      {TeamState::kVettingAllExpired, all_expired, true, "teams_vetting_expired"},
      {TeamState::kVettingOneExpired, options_.teams_vetting_expired - all_expired, true,
       "teams_vetting_expired"},
      {TeamState::kVettingFailed, options_.teams_vetting_failed, true, "teams_vetting_failed"},
      {TeamState::kVettingMissing, options_.teams_vetting_missing, true, "teams_vetting_missing"},
  }};
  for (const Want& want : wants) {
    std::uint32_t given = 0;
    for (std::size_t t : candidates) {
      if (given == want.count) break;
      DraftTeam& team = teams_[t];
      if (team.state != TeamState::kNormal) continue;
      if (want.needs_emergency && !data_.teams[t].modes.Has(Mode::kEmergency)) continue;
      team.state = want.state;
      team.department = kAllDepartments[random_.Index(kDepartmentCount)];
      ++given;
    }
    if (given < want.count) {
      return Status::InvalidArgument("seed registry: " + std::string(want.what) + ": only " +
                                     std::to_string(given) + " teams can take it");
    }
  }
  return Status::Ok();
}

void SeedBuilder::AssignUnfitTeams() {
  // Teams from the lower valleys; a team from Nagqu is fit for Nagqu.
  std::vector<std::size_t> candidates;
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    if (ground_.bases[teams_[t].base].elevation_m <= 3900) candidates.push_back(t);
  }
  random_.Shuffle(candidates);
  candidates.resize(std::min<std::size_t>(candidates.size(), options_.unfit_teams));
  for (std::size_t t : candidates)
    teams_[t].unfit = true;
}

Status SeedBuilder::Run() {
  PlanSlots();
  MakeRegionOrganisations();
  MakeLocalOrganisations();
  AddSecondSpecialties();
  AssignUnfitTeams();

  // Modes, mobilization and capacities first: the states depend on the modes.
  BuildTeams();
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    DraftOrg& org = orgs_[teams_[t].org];
    const ModeSet modes = data_.teams[t].modes;
    org.modes = ModeSet::FromBits(static_cast<std::uint8_t>(org.modes.bits() | modes.bits()));
  }
  BAIYING_RETURN_IF_ERROR(AssignOrganisationStates());
  BAIYING_RETURN_IF_ERROR(AssignTeamStates());
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    Team& team = data_.teams[t];
    const DraftTeam& draft = teams_[t];
    if (draft.state == TeamState::kSuspended) {
      team.status = RegistryStatus::kSuspended;
      team.status_reason = kTeamSuspensionReasons[random_.Index(kTeamSuspensionReasons.size())];
    } else if (draft.state == TeamState::kWithdrawn) {
      team.status = RegistryStatus::kWithdrawn;
      team.status_reason = kTeamWithdrawalReasons[random_.Index(kTeamWithdrawalReasons.size())];
    }
  }
  BuildOrganisations();
  BuildVetting();
  BuildAgreements();
  BuildPersonnel();
  return Status::Ok();
}

void SeedBuilder::BuildTeams() {
  // Codes: TM-<prefecture of the base>-<main specialty>-<number>, in order of creation.
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> numbers;
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> name_numbers;
  data_.teams.clear();
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    const DraftTeam& draft = teams_[t];
    const DraftOrg& org = orgs_[draft.org];
    const Base& base = ground_.bases[draft.base];
    const Spec main = draft.specialties[0];
    const SpecialtyInfo& info = kSpecialties[main];

    Team team;
    team.id = TeamId(static_cast<std::uint32_t>(t));
    team.code = "TM-" + std::string(kPrefectures[base.prefecture].abbrev) + "-" +
                std::string(info.abbrev) + "-" +
                Padded(++numbers[{base.prefecture, std::size_t(main)}], 3);
    team.name = base.name + "示例" + std::string(info.team_word) +
                ChineseNumber(++name_numbers[{draft.base, std::size_t(main)}]) + "队";
    team.organisation = OrganisationId(static_cast<std::uint32_t>(draft.org));
    team.home_place = base.name;

    for (std::size_t i = 0; i < draft.specialties.size(); ++i) {
      const SpecialtyInfo& s = kSpecialties[draft.specialties[i]];
      const std::uint32_t a = random_.Uint(s.quantity_lo, s.quantity_hi);
      const std::uint32_t b = random_.Uint(s.quantity_lo, s.quantity_hi);
      const std::uint32_t middle = s.quantity_lo + (s.quantity_hi - s.quantity_lo) / 2;
      std::uint32_t quantity = a;
      if (i > 0 || org.kind == Kind::kIndividualBusiness || org.kind == Kind::kVolunteerTeam ||
          org.kind == Kind::kSocialOrganisation) {
        quantity = std::min({a, b, middle});  // small outfits, and the side line of a team
      } else if (org.tier == Tier::kRegion) {
        quantity = std::max(a, b);
      }
      TeamCapacity capacity;
      capacity.specialty = SpecialtyId(static_cast<std::uint16_t>(draft.specialties[i]));
      capacity.quantity = quantity;
      capacity.splittable = quantity >= s.splittable_from;
      team.capacities.push_back(capacity);
    }

    int minutes = random_.Step(info.mobilization_lo, info.mobilization_hi, 5);
    if (org.kind == Kind::kVolunteerTeam || org.kind == Kind::kIndividualBusiness) minutes += 30;
    if (!base.prefecture_seat) minutes += 15;
    minutes = std::clamp(minutes, 15, 360);
    team.mobilization_delay = chr::minutes(minutes);
    team.modes = DrawModes(main);

    if (draft.unfit) {
      const int lowest = std::max(4000, (base.elevation_m + 200 + 99) / 100 * 100);
      team.max_work_elevation_m = random_.Step(lowest, 4500, 100);
    } else {
      const int lowest = std::max(5000, (base.elevation_m + 300 + 99) / 100 * 100);
      team.max_work_elevation_m = random_.Step(lowest, std::max(lowest, 5500), 100);
    }
    data_.teams.push_back(std::move(team));
  }
}

void SeedBuilder::BuildOrganisations() {
  std::array<std::size_t, kSeedPrefectureCount> numbers{};
  std::size_t region_number = 0;
  std::set<std::string> names;
  data_.organisations.clear();
  for (std::size_t o = 0; o < orgs_.size(); ++o) {
    const DraftOrg& draft = orgs_[o];
    const SpecialtyInfo& info = kSpecialties[draft.specialty];
    Organisation org;
    org.id = OrganisationId(static_cast<std::uint32_t>(o));
    org.code = draft.tier == Tier::kRegion
                   ? "ORG-XZ-" + Padded(++region_number, 3)
                   : "ORG-" + std::string(kPrefectures[draft.prefecture].abbrev) + "-" +
                         Padded(++numbers[draft.prefecture], 3);
    std::string name = draft.area + "示例" + std::string(draft.trade);
    for (std::size_t n = 2; names.count(name) != 0; ++n)
      name = draft.area + "示例" + std::string(draft.trade) + "（" + ChineseNumber(n) + "）";
    names.insert(name);
    org.name = std::move(name);
    org.kind = draft.kind;
    org.industry = std::string(draft.industry);
    org.tier = draft.tier;
    org.adcode = draft.adcode;
    org.contact_name = "演示联系人" + Padded(o + 1, 3);
    org.contact_phone = std::string(kPrefectures[draft.prefecture].phone_area) + "-555" +
                        Padded(random_.Index(10000), 4);

    std::uint32_t total = 0;
    std::int64_t fastest = 360;
    for (std::size_t t : draft.teams) {
      const Team& team = data_.teams[t];
      total += team.capacities[0].quantity;
      fastest = std::min<std::int64_t>(
          fastest, chr::duration_cast<chr::minutes>(team.mobilization_delay).count());
    }
    std::uint32_t response = 360;
    for (std::uint32_t r : {15u, 30u, 60u, 120u, 180u, 240u, 360u}) {
      if (r >= fastest) {
        response = r;
        break;
      }
    }
    org.response_minutes = response;
    org.modes = draft.modes;

    std::string service;
    if (draft.modes.Has(Mode::kEmergency) || draft.modes.Has(Mode::kWartime)) {
      service = std::string(info.task);
    }
    if (draft.modes.Has(Mode::kPeacetime)) {
      if (!service.empty()) service += "；";
      service += info.peacetime;
    }
    org.service_content = std::move(service);
    org.measures = "预编" + std::string(info.team_word) + "队" +
                   std::to_string(draft.teams.size()) + "支，共" + std::to_string(total) +
                   std::string(info.unit_zh) + "；" + std::string(info.measure);
    org.commitments = "接到调用指令后" + std::to_string(response) +
                      "分钟内响应并报告集结情况；承诺" + ModesZh(draft.modes) + "服务，随令而动";
    if (draft.state == OrgState::kSuspended) {
      org.status = RegistryStatus::kSuspended;
      org.status_reason = kOrgSuspensionReasons[random_.Index(kOrgSuspensionReasons.size())];
    }
    data_.organisations.push_back(std::move(org));
  }
}

void SeedBuilder::BuildVetting() {
  const Day valid_from = MakeDay(2024, 6, 15), valid_until = MakeDay(2026, 10, 10);
  const Day old_from = MakeDay(2022, 1, 5), old_until = MakeDay(2023, 10, 10);
  const Day last_check = kReferenceDay - chr::days(1);
  data_.vetting.clear();
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    const DraftTeam& draft = teams_[t];
    const std::string_view prefecture = kPrefectures[ground_.bases[draft.base].prefecture].name;
    // One round of checks: the departments meet the team within a few weeks of each other.
    const bool all_old = draft.state == TeamState::kVettingAllExpired;
    const Day round =
        all_old ? random_.DayIn(old_from, old_until) : random_.DayIn(valid_from, valid_until);
    for (Department d : kAllDepartments) {
      const bool concerned = d == draft.department;
      if (concerned && draft.state == TeamState::kVettingMissing) continue;
      Day checked = round + chr::days(random_.Int(0, 20));
      if (concerned && draft.state == TeamState::kVettingOneExpired) {
        checked = random_.DayIn(old_from, old_until);
      }
      checked = std::min(checked, last_check);
      VettingResult v;
      v.team = TeamId(static_cast<std::uint32_t>(t));
      v.department = d;
      v.checked_at = Instant(checked);
      v.examiner = std::string(prefecture) + std::string(ChineseName(d)) + "演示审核员" +
                   std::to_string(random_.Int(1, 3));
      v.expires_at = Instant(AddYears(checked, 3));
      v.passed = !(concerned && draft.state == TeamState::kVettingFailed);
      if (!v.passed) v.reason = std::string(kFailReasons[static_cast<std::size_t>(d)]);
      data_.vetting.push_back(std::move(v));
    }
  }
}

void SeedBuilder::AddAgreement(std::size_t org, Day signed_on, Day expires_on, ModeSet modes) {
  // Joint review, then a public notice of a week, then signature.
  const Day review = signed_on - chr::days(random_.Int(25, 70));
  const Day notice_from = review + chr::days(random_.Int(3, 10));
  const Day notice_until = notice_from + chr::days(7);
  Agreement a;
  a.organisation = OrganisationId(static_cast<std::uint32_t>(org));
  a.joint_review_at = Instant(review);
  a.notice_from = Instant(notice_from);
  a.notice_until = Instant(notice_until);
  a.signed_at = Instant(signed_on);
  a.expires_at = Instant(expires_on);
  a.modes = modes;
  agreements_.push_back({signed_on, std::move(a)});
}

void SeedBuilder::BuildAgreements() {
  const Day current_from = MakeDay(2024, 1, 10), current_until = MakeDay(2026, 10, 15);
  agreements_.clear();
  for (std::size_t o = 0; o < orgs_.size(); ++o) {
    const DraftOrg& org = orgs_[o];
    switch (org.state) {
      case OrgState::kNoAgreement:
        break;
      case OrgState::kAgreementExpired: {
        const Day expires = random_.DayIn(MakeDay(2023, 3, 1), MakeDay(2026, 9, 30));
        AddAgreement(o, AddYears(expires, -3), expires, org.modes);
        break;
      }
      case OrgState::kAgreementRenewed: {
        const Day old_expires = random_.DayIn(MakeDay(2024, 2, 1), MakeDay(2026, 9, 30));
        AddAgreement(o, AddYears(old_expires, -3), old_expires, org.modes);
        const Day renewed = std::max(current_from, old_expires - chr::days(random_.Int(0, 45)));
        AddAgreement(o, renewed, AddYears(renewed, static_cast<int>(random_.Int(4, 5))), org.modes);
        break;
      }
      case OrgState::kAgreementPending: {
        const Day signs = random_.DayIn(MakeDay(2026, 11, 10), MakeDay(2026, 12, 20));
        AddAgreement(o, signs, AddYears(signs, 5), org.modes);
        break;
      }
      case OrgState::kAgreementNotWartime: {
        const Day signs = random_.DayIn(current_from, current_until);
        ModeSet modes;
        for (Mode m : {Mode::kPeacetime, Mode::kEmergency}) {
          if (org.modes.Has(m)) modes.Add(m);
        }
        AddAgreement(o, signs, AddYears(signs, static_cast<int>(random_.Int(4, 5))), modes);
        break;
      }
      case OrgState::kNormal:
      case OrgState::kSuspended: {
        const Day signs = random_.DayIn(current_from, current_until);
        AddAgreement(o, signs, AddYears(signs, static_cast<int>(random_.Int(4, 5))), org.modes);
        break;
      }
    }
  }
  // Codes AGR-<year signed>-<number>, numbered by date of signature.
  std::stable_sort(agreements_.begin(), agreements_.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second.organisation < b.second.organisation;
  });
  std::map<int, std::size_t> numbers;
  data_.agreements.clear();
  for (auto& [signed_on, agreement] : agreements_) {
    const int year = static_cast<int>(chr::year_month_day(signed_on).year());
    agreement.code = "AGR-" + std::to_string(year) + "-" + Padded(++numbers[year], 3);
    data_.agreements.push_back(agreement);
  }
}

void SeedBuilder::BuildPersonnel() {
  const Day cert_from = MakeDay(2025, 6, 1), cert_until = MakeDay(2031, 12, 31);
  data_.personnel.clear();
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    const DraftTeam& draft = teams_[t];
    const std::size_t people = random_.Weighted({15, 45, 30, 10});
    for (std::size_t i = 0; i < people; ++i) {
      const SpecialtyInfo& info = kSpecialties[draft.specialties[0]];
      PersonnelCard card;
      const std::size_t number = data_.personnel.size() + 1;
      card.id = PersonId(static_cast<std::uint32_t>(number - 1));
      card.code = "P-" + Padded(number, 5);
      card.name = "演示人员" + Padded(number, 5);
      card.veteran = random_.Percent(35);

      std::vector<std::size_t> skills = {0, 1, 2, 3, 4};
      random_.Shuffle(skills);
      skills.resize(static_cast<std::size_t>(random_.Int(1, 3)));
      for (std::size_t s : skills)
        card.skills.emplace_back(info.skills[s]);
      if (draft.specialties.size() > 1 && random_.Percent(50)) {
        const SpecialtyInfo& second = kSpecialties[draft.specialties[1]];
        const std::string skill(second.skills[random_.Index(second.skills.size())]);
        if (std::find(card.skills.begin(), card.skills.end(), skill) == card.skills.end()) {
          card.skills.push_back(skill);
        }
      }
      if (card.veteran && random_.Percent(50)) {
        card.skills.emplace_back(kVeteranSkills[random_.Index(kVeteranSkills.size())]);
      }

      std::vector<std::size_t> certs = {0, 1, 2, 3};
      random_.Shuffle(certs);
      certs.resize(random_.Weighted({25, 50, 25}));
      for (std::size_t c : certs) {
        card.certifications.push_back(
            {std::string(info.certifications[c]), Instant(random_.DayIn(cert_from, cert_until))});
      }
      card.teams.push_back(TeamId(static_cast<std::uint32_t>(t)));
      data_.personnel.push_back(std::move(card));
    }
  }

  // Some people also serve on a second team of another organisation in their prefecture.
  std::array<std::vector<std::size_t>, kSeedPrefectureCount> by_prefecture;
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    if (teams_[t].state != TeamState::kWithdrawn) {
      by_prefecture[ground_.bases[teams_[t].base].prefecture].push_back(t);
    }
  }
  std::vector<std::size_t> order(data_.personnel.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  random_.Shuffle(order);
  people_on_two_teams_ = 0;
  for (std::size_t p : order) {
    if (people_on_two_teams_ == options_.people_on_two_teams) break;
    PersonnelCard& card = data_.personnel[p];
    const DraftTeam& first = teams_[card.teams[0].value()];
    const std::vector<std::size_t>& near = by_prefecture[ground_.bases[first.base].prefecture];
    if (near.empty()) continue;
    for (int attempt = 0; attempt < 10; ++attempt) {
      const std::size_t other = near[random_.Index(near.size())];
      if (teams_[other].org == first.org) continue;
      card.teams.push_back(TeamId(static_cast<std::uint32_t>(other)));
      ++people_on_two_teams_;
      break;
    }
  }
}

std::vector<Specialty> SpecialtyTable() {
  std::vector<Specialty> out;
  for (std::size_t s = 0; s < kSpecCount; ++s) {
    const SpecialtyInfo& info = kSpecialties[s];
    out.push_back({SpecialtyId(static_cast<std::uint16_t>(s)), std::string(info.code),
                   std::string(info.name_zh), std::string(info.name_en), std::string(info.unit)});
  }
  return out;
}

Result<Registry> SeedBuilder::Finish(SeedReport& report) {
  data_.specialties = SpecialtyTable();
  Result<Registry> registry = Registry::Build(data_);
  if (!registry.ok()) return registry.status().WithPrefix("seed registry: internal");
  const Registry& r = *registry;

  report.seed = options_.seed;
  report.organisations = r.organisations().size();
  report.teams = r.teams().size();
  report.vetting = data_.vetting.size();
  report.agreements = data_.agreements.size();
  report.personnel = r.personnel().size();
  for (const Organisation& o : r.organisations()) {
    ++report.organisations_by_tier[static_cast<std::size_t>(o.tier)];
    ++report.organisations_by_kind[static_cast<std::size_t>(o.kind)];
  }
  for (const PrefectureInfo& p : kPrefectures)
    report.prefectures.emplace_back(p.name);
  for (const SpecialtyInfo& s : kSpecialties)
    report.specialties.emplace_back(s.code);
  report.teams_by_prefecture_and_specialty.assign(kSeedPrefectureCount,
                                                  std::vector<std::size_t>(kSpecCount, 0));
  const Instant now(kReferenceDay);
  for (std::size_t t = 0; t < teams_.size(); ++t) {
    const Team& team = r.teams()[t];
    const DraftTeam& draft = teams_[t];
    report.capacities += team.capacities.size();
    for (const TeamCapacity& c : team.capacities) {
      ++report.teams_by_prefecture_and_specialty[ground_.bases[draft.base].prefecture]
                                                [c.specialty.value()];
    }
    if (team.modes == ModeSet{Mode::kPeacetime}) ++report.teams_peacetime_only;
    if (team.modes.Has(Mode::kEmergency)) ++report.teams_emergency;
    if (team.modes.Has(Mode::kWartime)) ++report.teams_wartime;
    if (team.capacities.size() > 1) ++report.teams_two_specialties;
    if (team.max_work_elevation_m <= 4500) ++report.teams_unfit_above_4500;
    switch (draft.state) {
      case TeamState::kNormal:
        break;
      case TeamState::kSuspended:
        ++report.suspended_teams;
        break;
      case TeamState::kWithdrawn:
        ++report.withdrawn_teams;
        break;
      case TeamState::kVettingAllExpired:
      case TeamState::kVettingOneExpired:
        ++report.teams_vetting_expired;
        break;
      case TeamState::kVettingFailed:
        ++report.teams_vetting_failed;
        break;
      case TeamState::kVettingMissing:
        ++report.teams_vetting_missing;
        break;
    }
    for (Mode m : {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime}) {
      if (r.Judge(team.id, m, now).dispatchable()) {
        ++report.dispatchable[static_cast<std::size_t>(m)];
      }
    }
  }
  for (const DraftOrg& o : orgs_) {
    switch (o.state) {
      case OrgState::kNormal:
        break;
      case OrgState::kSuspended:
        ++report.suspended_organisations;
        break;
      case OrgState::kNoAgreement:
        ++report.organisations_without_agreement;
        break;
      case OrgState::kAgreementExpired:
        ++report.organisations_agreement_expired;
        break;
      case OrgState::kAgreementPending:
        ++report.organisations_agreement_pending;
        break;
      case OrgState::kAgreementNotWartime:
        ++report.organisations_agreement_not_wartime;
        break;
      case OrgState::kAgreementRenewed:
        ++report.organisations_agreement_renewed;
        break;
    }
  }
  for (const PersonnelCard& p : r.personnel())
    report.veterans += p.veteran ? 1 : 0;
  report.people_on_two_teams = people_on_two_teams_;
  return registry;
}

Status SeedBuilder::Write(const Registry& r, const std::filesystem::path& out_dir) const {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Status::Unavailable(out_dir.string() + ": cannot create: " + ec.message());

  std::string orgs =
      CsvRecord({"code", "name", "kind", "industry", "tier", "adcode", "contact_name",
                 "contact_phone", "service_content", "measures", "commitments", "modes",
                 "response_minutes", "status", "status_reason"});
  for (const Organisation& o : r.organisations()) {
    orgs += CsvRecord({o.code, o.name, ToString(o.kind), o.industry, ToString(o.tier),
                       std::to_string(o.adcode), o.contact_name, o.contact_phone, o.service_content,
                       o.measures, o.commitments, ToString(o.modes),
                       std::to_string(o.response_minutes), ToString(o.status), o.status_reason});
  }

  std::string teams =
      CsvRecord({"code", "organisation", "name", "home_place", "mobilization_minutes", "modes",
                 "max_work_elevation_m", "status", "status_reason"});
  std::string capacities = CsvRecord({"team", "specialty", "quantity", "splittable"});
  for (const Team& t : r.teams()) {
    const auto minutes = chr::duration_cast<chr::minutes>(t.mobilization_delay).count();
    teams +=
        CsvRecord({t.code, r.organisation(t.organisation).code, t.name, t.home_place,
                   std::to_string(minutes), ToString(t.modes),
                   std::to_string(t.max_work_elevation_m), ToString(t.status), t.status_reason});
    for (const TeamCapacity& c : t.capacities) {
      capacities += CsvRecord({t.code, r.specialty(c.specialty).code, std::to_string(c.quantity),
                               c.splittable ? "1" : "0"});
    }
  }

  std::string vetting =
      CsvRecord({"team", "department", "checked_on", "examiner", "expires_on", "result", "reason"});
  for (const VettingResult& v : data_.vetting) {
    vetting +=
        CsvRecord({r.team(v.team).code, ToString(v.department), FormatDate(v.checked_at),
                   v.examiner, FormatDate(v.expires_at), v.passed ? "pass" : "fail", v.reason});
  }

  std::string agreements = CsvRecord({"code", "organisation", "joint_review_on", "notice_from",
                                      "notice_until", "signed_on", "expires_on", "modes"});
  for (const Agreement& a : data_.agreements) {
    agreements +=
        CsvRecord({a.code, r.organisation(a.organisation).code, FormatDate(a.joint_review_at),
                   FormatDate(a.notice_from), FormatDate(a.notice_until), FormatDate(a.signed_at),
                   FormatDate(a.expires_at), ToString(a.modes)});
  }

  std::string personnel =
      CsvRecord({"code", "name", "veteran", "skills", "certifications", "teams"});
  for (const PersonnelCard& p : r.personnel()) {
    std::string skills, certs, member_of;
    for (const std::string& s : p.skills)
      skills += (skills.empty() ? "" : "|") + s;
    for (const Certification& c : p.certifications)
      certs += (certs.empty() ? "" : "|") + c.name + "@" + FormatDate(c.expires_at);
    for (TeamId t : p.teams)
      member_of += (member_of.empty() ? "" : "|") + r.team(t).code;
    personnel += CsvRecord({p.code, p.name, p.veteran ? "1" : "0", skills, certs, member_of});
  }

  BAIYING_RETURN_IF_ERROR(WriteTextFile(out_dir / "organisations.csv", orgs));
  BAIYING_RETURN_IF_ERROR(WriteTextFile(out_dir / "teams.csv", teams));
  BAIYING_RETURN_IF_ERROR(WriteTextFile(out_dir / "capacities.csv", capacities));
  BAIYING_RETURN_IF_ERROR(WriteTextFile(out_dir / "vetting.csv", vetting));
  BAIYING_RETURN_IF_ERROR(WriteTextFile(out_dir / "agreements.csv", agreements));
  return WriteTextFile(out_dir / "personnel.csv", personnel);
}

}  // namespace

Status SeedRegistryOptions::Validate() const {
  if (network_dir.empty()) return Status::InvalidArgument("seed registry: network_dir is empty");
  if (min_teams_per_specialty == 0) {
    return Status::InvalidArgument("seed registry: min_teams_per_specialty must be at least 1");
  }
  for (std::size_t p = 0; p < kSeedPrefectureCount; ++p) {
    if (teams_per_prefecture[p] < min_teams_per_specialty * kSpecCount) {
      return Status::InvalidArgument(
          "seed registry: teams_per_prefecture[" + std::string(kPrefectures[p].name) + "] " +
          std::to_string(teams_per_prefecture[p]) + " is less than min_teams_per_specialty " +
          std::to_string(min_teams_per_specialty) + " times " + std::to_string(kSpecCount) +
          " specialties");
    }
  }
  return Status::Ok();
}

std::string SeedReport::Summary() const {
  std::ostringstream out;
  out << "seed " << seed << ", reference date " << kSeedReferenceDate << "\n"
      << organisations << " organisations (region " << organisations_by_tier[0] << ", prefecture "
      << organisations_by_tier[1] << ", county " << organisations_by_tier[2] << "; state-owned "
      << organisations_by_kind[0] << ", private " << organisations_by_kind[1] << ", social "
      << organisations_by_kind[2] << ", individual " << organisations_by_kind[3] << ", volunteer "
      << organisations_by_kind[4] << ")\n"
      << teams << " teams (" << teams_two_specialties << " with two specialties), " << capacities
      << " capacities, " << vetting << " vetting results, " << agreements << " agreements, "
      << personnel << " personnel cards (" << veterans << " veterans, " << people_on_two_teams
      << " on two teams)\n";
  out << "teams by prefecture and specialty:\n  prefecture";
  for (const std::string& s : specialties)
    out << ' ' << s;
  out << " total\n";
  for (std::size_t p = 0; p < prefectures.size() && p < teams_by_prefecture_and_specialty.size();
       ++p) {
    std::size_t total = 0;
    out << "  " << prefectures[p];
    for (std::size_t n : teams_by_prefecture_and_specialty[p]) {
      out << ' ' << n;
      total += n;
    }
    out << ' ' << total << "\n";
  }
  out << "modes: " << teams_emergency << " teams commit to emergency, " << teams_wartime
      << " to wartime, " << teams_peacetime_only << " to peacetime only\n"
      << "fit above 4,500 m: " << (teams - teams_unfit_above_4500)
      << " teams; not: " << teams_unfit_above_4500 << "\n"
      << "team states: " << suspended_teams << " suspended, " << withdrawn_teams << " withdrawn, "
      << teams_vetting_expired << " vetting expired, " << teams_vetting_failed
      << " vetting failed, " << teams_vetting_missing << " vetting missing a department\n"
      << "organisation states: " << suspended_organisations << " suspended, "
      << organisations_without_agreement << " without agreement, "
      << organisations_agreement_not_wartime << " agreement not covering wartime, "
      << organisations_agreement_expired << " agreement expired, "
      << organisations_agreement_pending << " agreement not yet signed, "
      << organisations_agreement_renewed << " agreement renewed\n"
      << "dispatchable at " << kSeedReferenceDate << ": peacetime " << dispatchable[0]
      << ", emergency " << dispatchable[1] << ", wartime " << dispatchable[2] << " of " << teams
      << " teams\n";
  return out.str();
}

Result<SeedReport> BuildSeedRegistry(const SeedRegistryOptions& options) {
  BAIYING_RETURN_IF_ERROR(options.Validate());
  Result<Ground> ground = ReadGround(options.network_dir);
  if (!ground.ok()) return ground.status().WithPrefix("seed registry");
  SeedBuilder builder(options, std::move(ground).value());
  BAIYING_RETURN_IF_ERROR(builder.Run());
  SeedReport report;
  Result<Registry> registry = builder.Finish(report);
  if (!registry.ok()) return registry.status();
  if (!options.out_dir.empty()) BAIYING_RETURN_IF_ERROR(builder.Write(*registry, options.out_dir));
  return report;
}

}  // namespace baiying::loaders
