// The checked-in default network, data/xizang: every seat is there and reachable, the long
// distances agree with published road distances, and the builder reproduces the files.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/loaders/network_csv.h"
#include "adapters/loaders/network_spec.h"
#include "adapters/loaders/xizang_builder.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"
#include "tests/support/files.h"

namespace baiying::loaders {
namespace {

using ::baiying::testing::TempDir;
using ::baiying::testing::WriteFile;
using ::baiying::testing::WriteGzipFile;

namespace fs = std::filesystem;

const fs::path kNetworkDir = fs::path(BAIYING_SOURCE_DIR) / "data" / "xizang";

// Built once for all the cases below. Kept inside its Result: RoadGraph's move constructor
// is defaulted in the header over a pointer to a type defined only in road_graph.cc.
const RoadGraph& Graph() {
  static const Result<RoadGraph> graph = [] {
    Result<NetworkSpec> spec = ReadNetworkCsv(kNetworkDir);
    if (!spec.ok()) return Result<RoadGraph>(spec.status());
    return BuildGraph(std::move(spec).value());
  }();
  REQUIRE_MESSAGE(graph.ok(), graph.status().ToString());
  return graph.value();
}

// The 7 prefecture-level cities and 74 county-level units of the Tibet Autonomous Region
// (divisions.csv, GeoAtlas 2022).
constexpr std::string_view kCities[] = {"拉萨市", "日喀则市", "昌都市",  "林芝市",
                                        "山南市", "那曲市",   "阿里地区"};
constexpr std::string_view kCounties[] = {
    "城关区",   "堆龙德庆区", "达孜区", "林周县", "当雄县", "尼木县",   "曲水县",     "墨竹工卡县",
    "桑珠孜区", "南木林县",   "江孜县", "定日县", "萨迦县", "拉孜县",   "昂仁县",     "谢通门县",
    "白朗县",   "仁布县",     "康马县", "定结县", "仲巴县", "亚东县",   "吉隆县",     "聂拉木县",
    "萨嘎县",   "岗巴县",     "卡若区", "江达县", "贡觉县", "类乌齐县", "丁青县",     "察雅县",
    "八宿县",   "左贡县",     "芒康县", "洛隆县", "边坝县", "巴宜区",   "工布江达县", "米林县",
    "墨脱县",   "波密县",     "察隅县", "朗县",   "乃东区", "扎囊县",   "贡嘎县",     "桑日县",
    "琼结县",   "曲松县",     "措美县", "洛扎县", "加查县", "隆子县",   "错那县",     "浪卡子县",
    "色尼区",   "嘉黎县",     "比如县", "聂荣县", "安多县", "申扎县",   "索县",       "班戈县",
    "巴青县",   "尼玛县",     "双湖县", "普兰县", "札达县", "噶尔县",   "日土县",     "革吉县",
    "改则县",   "措勤县"};
static_assert(std::size(kCities) == 7 && std::size(kCounties) == 74);

PlaceId Find(std::string_view name) {
  Result<PlaceId> p = Graph().FindPlace(name);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return *p;
}

TEST_CASE("data/xizang: all 81 seat names find one of 74 seat places") {
  const RoadGraph& g = Graph();
  std::set<std::uint32_t> seats;
  for (std::string_view name : kCities)
    seats.insert(Find(name).value());
  for (std::string_view name : kCounties)
    seats.insert(Find(name).value());
  CHECK(seats.size() == 74);
  std::size_t prefecture = 0;
  for (std::uint32_t id : seats) {
    const PlaceSpec& p = g.place(PlaceId(id));
    CAPTURE(p.name);
    CHECK((p.kind == PlaceKind::kPrefectureSeat || p.kind == PlaceKind::kCountySeat));
    CHECK(p.adcode != 0);
    if (p.kind == PlaceKind::kPrefectureSeat) ++prefecture;
  }
  CHECK(prefecture == 7);
  // A prefecture seat is one place with the city's and the hosting district's names.
  CHECK(Find("拉萨") == Find("城关区"));
  CHECK(Find("Lhasa") == Find("拉萨市"));
  CHECK(g.place(Find("拉萨")).adcode == 540102);
  CHECK(Find("阿里") == Find("噶尔县"));
  CHECK(Find("狮泉河") == Find("噶尔"));
  CHECK(Find("定日") == Find("定日县"));
}

TEST_CASE("data/xizang: every place is reachable from Lhasa") {
  const RoadGraph& g = Graph();
  RoadQuery query(g);
  const std::span<const TravelTime> times = query.AllTimes(Find("拉萨"), Direction::kFromPlace);
  REQUIRE(times.size() == g.place_count());
  for (std::uint32_t p = 0; p < g.place_count(); ++p) {
    CAPTURE(g.place(PlaceId(p)).name);
    CHECK(times[p] != kInfiniteTime);
  }
}

TEST_CASE("data/xizang: the network is mostly measured, and the drill towns are on it") {
  const RoadGraph& g = Graph();
  std::uint64_t measured = 0, estimated = 0;
  for (std::uint32_t a = 0; a < g.arc_count(); ++a) {
    (g.length_source(ArcId(a)) == LengthSource::kMeasured ? measured : estimated) +=
        g.length_m(ArcId(a));
  }
  CHECK(measured > estimated);
  for (std::string_view town : {"通麦", "鲁朗", "樟木", "帕里", "米拉山口", "唐古拉山口"}) {
    CHECK(Graph().FindPlace(town).ok());
  }
}

// Road distance along the fastest route, against a published figure, within 10%.
void CheckDistance(std::string_view from, std::string_view to, double published_km) {
  RoadQuery query(Graph());
  Result<Route> route = query.ShortestRoute(Find(from), Find(to));
  REQUIRE_MESSAGE(route.ok(), route.status().ToString());
  const double km = static_cast<double>(route->length_m) / 1000.0;
  std::ostringstream legs;
  for (const RouteLeg& leg : route->legs) {
    legs << (leg.road_ref.empty() ? "-" : leg.road_ref) << " " << Graph().place(leg.from).name
         << " -> " << Graph().place(leg.to).name << " " << leg.length_m / 1000 << " km"
         << (leg.estimated ? " (estimated)" : "") << "; ";
  }
  std::ostringstream what;
  what << from << " -> " << to << ": " << km << " km, published " << published_km << " km; "
       << legs.str();
  INFO(what.str());
  CHECK(km > published_km * 0.9);
  CHECK(km < published_km * 1.1);
}

TEST_CASE("data/xizang: Lhasa-Shigatse along G318") {
  // Lhasa-Shigatse by G318 along the Yarlung Tsangpo: 273 km in the Lhasa bus station's table
  // (topchinatravel.com, "Shigatse transport"); 260 km in mysterioustibet.com's bus table.
  // The measured G318 line gives 262 km (SOURCES.md: 263 km).
  CheckDistance("拉萨", "日喀则", 273);
}

TEST_CASE("data/xizang: Lhasa-Nagqu along G109") {
  // Wikipedia "China National Highway 109", route table: Nagqu km 3575, Lhasa (Chengguan)
  // km 3901, so 326 km; Wikipedia "Amdo Town" agrees (464 km from Lhasa, 138 from Nagqu). The
  // graph has this section from the same table (the geometry lacks it).
  CheckDistance("拉萨", "那曲", 326);
}

TEST_CASE("data/xizang: Lhasa-Nyingchi along G318 over the Mila pass") {
  // Mila Pass: 158 km from Lhasa, 248 km from Nyingchi (Bayi), so 406 km by G318
  // (tourtraveltibet.com, "Exploring Mila Mountain"). The newer expressway (409 km by its own
  // count) is not in the graph.
  CheckDistance("拉萨", "林芝", 406);
}

TEST_CASE("data/xizang: Lhasa-Chamdo by the northern route") {
  // The graph's fastest route runs north: G109 to Nagqu, then G317 by Sog, Dêngqên and
  // Riwoqê. Wikipedia "China National Highway 109": Lhasa-Nagqu 326 km; Wikipedia "China
  // National Highway 317", route table: Qamdo km 1298, Nagqu km 2043, so 745 km; 1,071 km.
  CheckDistance("拉萨", "昌都", 1071);
}

TEST_CASE("data/xizang: Lhasa-Shiquanhe by the southern route") {
  // Road signs at Lhatse on G318/G219 (photographed 2016, travel blog "西藏.阿里Q行旅 DAY05-2",
  // kitty88899.pixnet.net): Lhasa by Shigatse 437 km, Shiquanhe 1,072 km; 1,509 km. The graph
  // runs by Saga, Zhongba and the Mayum La on G219.
  CheckDistance("拉萨", "狮泉河", 1509);
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_CASE("data/xizang: the builder reproduces the checked-in files byte for byte") {
  const char* shared = std::getenv("BAIYING_SHARED_DIR");
  const fs::path raw = shared != nullptr ? fs::path(shared) / "data" / "xizang" : fs::path();
  if (raw.empty() || !fs::is_directory(raw)) {
    MESSAGE("BAIYING_SHARED_DIR is unset or has no data/xizang: cannot rebuild data/xizang");
    return;
  }
  static std::atomic<unsigned> counter{0};
  std::random_device random;
  const fs::path out =
      fs::temp_directory_path() /
      ("baiying_xizang_build_" + std::to_string(random()) + "_" + std::to_string(++counter));
  XizangBuildOptions options;
  options.shared_dir = raw;
  options.facts_dir = kNetworkDir / "facts";
  options.out_dir = out;
  Result<XizangBuildReport> report = BuildXizangNetwork(options);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->seat_places == 74);
  CHECK(report->seat_names == 81);
  for (std::string_view file : {"places.csv", "roads.csv"}) {
    CAPTURE(file);
    CHECK(ReadAll(out / file) == ReadAll(kNetworkDir / file));
  }
  std::error_code ec;
  fs::remove_all(out, ec);
}

TEST_CASE("data/xizang: the road index gives the exact search's teams and times, with closures") {
  const RoadGraph& graph = Graph();
  const Result<ChIndex> built = ChIndex::Build(graph);
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  const ChIndex& index = built.value();
  const std::uint32_t n = graph.place_count();
  std::mt19937 rng(20261128);
  CandidateSet set(index);
  ChQuery ch(index, graph);
  RoadQuery exact(graph);
  int checks = 0;
  int mismatches = 0;
  for (int step = 0; step < 400; ++step) {
    const auto tag = static_cast<std::uint32_t>(rng() % 150);
    if (rng() % 3 != 0) {
      (void)set.Add({PlaceId(static_cast<std::uint32_t>(rng() % n)),
                     static_cast<TravelTime>(rng() % (4 * 3'600'000)), tag});
    } else {
      (void)set.Remove(tag);
    }
    // Now and then a few random closures (arcs and places), in force for the next queries.
    ClosureSet closures(graph);
    const bool closed = step % 4 == 3;
    if (closed) {
      for (int c = 0; c < 3; ++c) {
        if (rng() % 2 == 0) {
          REQUIRE(closures.CloseArc(ArcId(static_cast<std::uint32_t>(rng() % graph.arc_count())),
                                    "landslide").ok());
        } else {
          REQUIRE(closures.ClosePlace(PlaceId(static_cast<std::uint32_t>(rng() % n)), "snow")
                      .ok());
        }
      }
    }
    const QueryContext context{closed ? &closures : nullptr, Instant{}};
    for (int q = 0; q < 5; ++q) {
      const PlaceId unit(static_cast<std::uint32_t>(rng() % n));
      const NearestOptions options{1 + static_cast<std::uint32_t>(rng() % 5), kInfiniteTime};
      const std::span<const OffsetReach> want_span =
          exact.NearestWithOffsets(unit, Direction::kToPlace, set.targets(), options, context);
      const std::vector<OffsetReach> want(want_span.begin(), want_span.end());
      const std::span<const OffsetReach> got = ch.NearestWithOffsets(unit, set, options, context);
      ++checks;
      if (!std::equal(got.begin(), got.end(), want.begin(), want.end()) ||
          ch.last_was_exact() != closed) {
        ++mismatches;
      }
    }
  }
  CHECK(checks == 2000);
  CHECK(mismatches == 0);
  ChQuery times(index, graph);
  for (std::uint32_t s = 0; s < n; ++s) {
    const std::span<const TravelTime> all = exact.AllTimes(PlaceId(s), Direction::kFromPlace);
    const std::vector<TravelTime> want(all.begin(), all.end());
    for (std::uint32_t t = 0; t < n; ++t) {
      if (times.Time(PlaceId(s), PlaceId(t)) != want[t]) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

}  // namespace
}  // namespace baiying::loaders
