// RoadGraph: validation on Build, the adjacency arrays in both directions, FindArc,
// FindPlace, SnapToPlace and the great-circle distance.

#include "engine/roads/road_graph.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_types.h"
#include "engine/roads/travel_model.h"
#include "tests/support/graph_oracle.h"

namespace baiying {
namespace {

using testing::FixedArc;
using testing::MustBuild;

constexpr double kEarthRadiusM = 6'371'008.8;

PlaceSpec Place(std::string name, std::string pinyin, PlaceKind kind, double lat, double lon,
                std::int32_t elevation_m, std::vector<std::string> aliases = {}) {
  PlaceSpec place;
  place.name = std::move(name);
  place.pinyin = std::move(pinyin);
  place.kind = kind;
  place.lat = lat;
  place.lon = lon;
  place.elevation_m = elevation_m;
  place.aliases = std::move(aliases);
  return place;
}

ArcSpec Arc(std::uint32_t from, std::uint32_t to, std::uint32_t length_m, std::string road_ref,
            RoadClass road_class = RoadClass::kNational, Surface surface = Surface::kPaved,
            std::int32_t max_elevation_m = 0) {
  ArcSpec arc;
  arc.from = PlaceId(from);
  arc.to = PlaceId(to);
  arc.length_m = length_m;
  arc.road_ref = std::move(road_ref);
  arc.road_class = road_class;
  arc.surface = surface;
  arc.max_elevation_m = max_elevation_m;
  return arc;
}

// Seven places of the plateau, with their real coordinates (rounded) and elevations.
std::vector<PlaceSpec> XizangPlaces() {
  return {
      Place("拉萨市", "Lhasa", PlaceKind::kPrefectureSeat, 29.65, 91.13, 3650, {"城关区"}),
      Place("日喀则市", "Shigatse", PlaceKind::kPrefectureSeat, 29.27, 88.88, 3840, {"Xigaze"}),
      Place("定日县", "Dingri", PlaceKind::kCountySeat, 28.66, 87.12, 4300),
      Place("阿里地区", "Ngari", PlaceKind::kPrefectureSeat, 32.50, 80.10, 4280,
            {"狮泉河", "Shiquanhe"}),
      Place("米拉山口", "Mila Pass", PlaceKind::kPass, 29.83, 92.35, 5013),
      Place("林芝市", "Nyingchi", PlaceKind::kPrefectureSeat, 29.65, 94.36, 2990),
  };
}

// Deliberately not sorted by tail, with a parallel pair 0 -> 1.
std::vector<ArcSpec> XizangArcs() {
  std::vector<ArcSpec> arcs = {
      Arc(0, 1, 272'000, "G318"),                                                 // 0
      Arc(1, 0, 272'000, "G318"),                                                 // 1
      Arc(1, 2, 243'000, "G318", RoadClass::kNational, Surface::kPaved, 4500),    // 2
      Arc(0, 4, 120'000, "G318", RoadClass::kNational, Surface::kPaved, 5013),    // 3
      Arc(2, 1, 243'000, "G318", RoadClass::kNational, Surface::kPaved, 4500),    // 4
      Arc(4, 5, 280'000, "G318", RoadClass::kNational, Surface::kGravel, 5013),   // 5
      Arc(0, 1, 250'000, "G4218", RoadClass::kExpressway),                        // 6
      Arc(5, 4, 280'000, "G318", RoadClass::kNational, Surface::kGravel, 5013),   // 7
      Arc(3, 2, 1'100'000, "G219", RoadClass::kNational, Surface::kPaved, 5248),  // 8
      Arc(2, 3, 1'100'000, "G219", RoadClass::kNational, Surface::kPaved, 5248),  // 9
      Arc(4, 0, 120'000, "G318", RoadClass::kNational, Surface::kPaved, 5013),    // 10
  };
  arcs[9].length_source = LengthSource::kEstimated;
  return arcs;
}

// The ArcId each input arc gets: arcs are grouped by tail, keeping input order in each row.
std::vector<std::uint32_t> ExpectedArcIds(std::uint32_t place_count,
                                          const std::vector<ArcSpec>& arcs) {
  std::vector<std::uint32_t> ids(arcs.size());
  std::uint32_t next = 0;
  for (std::uint32_t p = 0; p < place_count; ++p) {
    for (std::size_t i = 0; i < arcs.size(); ++i) {
      if (arcs[i].from.value() == p) ids[i] = next++;
    }
  }
  return ids;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Checks every array of `graph` against the specs it was built from.
void CheckAdjacency(const RoadGraph& graph, const std::vector<PlaceSpec>& places,
                    const std::vector<ArcSpec>& arcs) {
  const auto n = static_cast<std::uint32_t>(places.size());
  REQUIRE(graph.place_count() == n);
  REQUIRE(graph.arc_count() == arcs.size());
  REQUIRE(graph.first_out_array().size() == n + 1);
  REQUIRE(graph.head_array().size() == arcs.size());
  REQUIRE(graph.travel_time_array().size() == arcs.size());

  const std::vector<std::uint32_t> ids = ExpectedArcIds(n, arcs);
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    CAPTURE(i);
    const ArcSpec& spec = arcs[i];
    const ArcId a(ids[i]);
    CHECK(graph.tail(a) == spec.from);
    CHECK(graph.head(a) == spec.to);
    CHECK(graph.length_m(a) == spec.length_m);
    CHECK(graph.road_ref(a) == spec.road_ref);
    CHECK(graph.road_class(a) == spec.road_class);
    CHECK(graph.surface(a) == spec.surface);
    CHECK(graph.length_source(a) == spec.length_source);
    // The highest point of a segment is at least as high as either end.
    CHECK(graph.max_elevation_m(a) ==
          std::max({spec.max_elevation_m, places[spec.from.value()].elevation_m,
                    places[spec.to.value()].elevation_m}));
    const TravelTime want =
        ArcTravelTime(graph.travel_options(), spec, places[spec.from.value()].elevation_m,
                      places[spec.to.value()].elevation_m);
    CHECK(graph.travel_time(a) == want);
    CHECK(graph.travel_time_array()[a.value()] == want);
    CHECK(graph.head_array()[a.value()] == spec.to.value());
  }

  // Forward rows: contiguous, covering every arc once, each arc in the row of its tail.
  CHECK(graph.first_out(PlaceId(0)) == 0);
  CHECK(graph.end_out(PlaceId(n - 1)) == arcs.size());
  for (std::uint32_t p = 0; p < n; ++p) {
    CAPTURE(p);
    CHECK(graph.end_out(PlaceId(p)) == graph.first_out_array()[p + 1]);
    CHECK(graph.first_out(PlaceId(p)) <= graph.end_out(PlaceId(p)));
    if (p + 1 < n) CHECK(graph.end_out(PlaceId(p)) == graph.first_out(PlaceId(p + 1)));
    std::size_t out_degree = 0;
    for (const ArcSpec& spec : arcs)
      out_degree += spec.from.value() == p ? 1 : 0;
    CHECK(graph.end_out(PlaceId(p)) - graph.first_out(PlaceId(p)) == out_degree);
    for (std::uint32_t a = graph.first_out(PlaceId(p)); a < graph.end_out(PlaceId(p)); ++a) {
      CHECK(graph.tail(ArcId(a)) == PlaceId(p));
    }
  }

  // Backward rows: every arc appears exactly once, in the row of its head, with its tail and
  // weight copied beside it.
  CHECK(graph.first_in(PlaceId(0)) == 0);
  CHECK(graph.end_in(PlaceId(n - 1)) == arcs.size());
  std::vector<int> seen(arcs.size(), 0);
  for (std::uint32_t p = 0; p < n; ++p) {
    CAPTURE(p);
    CHECK(graph.first_in(PlaceId(p)) <= graph.end_in(PlaceId(p)));
    if (p + 1 < n) CHECK(graph.end_in(PlaceId(p)) == graph.first_in(PlaceId(p + 1)));
    std::size_t in_degree = 0;
    for (const ArcSpec& spec : arcs)
      in_degree += spec.to.value() == p ? 1 : 0;
    CHECK(graph.end_in(PlaceId(p)) - graph.first_in(PlaceId(p)) == in_degree);
    for (std::uint32_t pos = graph.first_in(PlaceId(p)); pos < graph.end_in(PlaceId(p)); ++pos) {
      const ArcId a = graph.in_arc(pos);
      REQUIRE(a.value() < arcs.size());
      ++seen[a.value()];
      CHECK(graph.head(a) == PlaceId(p));
      CHECK(graph.in_tail(pos) == graph.tail(a));
      CHECK(graph.in_travel_time(pos) == graph.travel_time(a));
    }
  }
  for (std::size_t a = 0; a < arcs.size(); ++a) {
    CAPTURE(a);
    CHECK(seen[a] == 1);
  }
}

// --- Build ---

TEST_CASE("Build keeps places and arcs, grouped by tail in input order") {
  const std::vector<PlaceSpec> places = XizangPlaces();
  const std::vector<ArcSpec> arcs = XizangArcs();
  const RoadGraph graph = MustBuild(places, arcs);
  CheckAdjacency(graph, places, arcs);
  CHECK(graph.place(PlaceId(3)).name == "阿里地区");
  CHECK(graph.place(PlaceId(4)).kind == PlaceKind::kPass);
  CHECK(graph.place(PlaceId(4)).elevation_m == 5013);
  CHECK(graph.places().size() == places.size());
  CHECK(graph.places()[1].pinyin == "Shigatse");

  // Row of Lhasa (place 0): input arcs 0, 3, 6 in that order, so ArcIds 0, 1, 2.
  REQUIRE(graph.end_out(PlaceId(0)) - graph.first_out(PlaceId(0)) == 3);
  CHECK(graph.head(ArcId(0)) == PlaceId(1));
  CHECK(graph.head(ArcId(1)) == PlaceId(4));
  CHECK(graph.head(ArcId(2)) == PlaceId(1));
  CHECK(graph.road_ref(ArcId(2)) == "G4218");
  CHECK(graph.road_class(ArcId(2)) == RoadClass::kExpressway);
  // Place 1's row starts at 3: input arcs 1 and 2.
  CHECK(graph.first_out(PlaceId(1)) == 3);
  CHECK(graph.head(ArcId(3)) == PlaceId(0));
  CHECK(graph.head(ArcId(4)) == PlaceId(2));
}

TEST_CASE("Build computes weights with the given options") {
  const std::vector<PlaceSpec> places = {
      Place("甲", "", PlaceKind::kTown, 29.0, 91.0, 1000),
      Place("乙", "", PlaceKind::kTown, 29.1, 91.1, 1000),
  };
  std::vector<ArcSpec> arcs = {Arc(0, 1, 55'000, "G318"), Arc(1, 0, 55'000, "G318")};
  arcs[1].fixed_time = 777;
  const RoadGraph plain = MustBuild(places, arcs);
  CHECK(plain.travel_time(ArcId(0)) == 3'600'000);
  CHECK(plain.travel_time(ArcId(1)) == 777);

  TravelTimeOptions fast;
  fast.speed_kmh[static_cast<std::size_t>(RoadClass::kNational)] = 110;
  const RoadGraph quick = MustBuild(places, arcs, fast);
  CHECK(quick.travel_time(ArcId(0)) == 1'800'000);
  CHECK(quick.travel_time(ArcId(1)) == 777);
  CHECK(quick.travel_options().speed_kmh[1] == 110);
}

TEST_CASE("Build accepts places without names, and a graph without arcs") {
  std::vector<PlaceSpec> places(3);
  const RoadGraph graph = MustBuild(places, {});
  CHECK(graph.place_count() == 3);
  CHECK(graph.arc_count() == 0);
  for (std::uint32_t p = 0; p < 3; ++p) {
    CHECK(graph.first_out(PlaceId(p)) == graph.end_out(PlaceId(p)));
    CHECK(graph.first_in(PlaceId(p)) == graph.end_in(PlaceId(p)));
  }
}

TEST_CASE("Build accepts a zero fixed time") {
  std::vector<PlaceSpec> places(2);
  const RoadGraph graph = MustBuild(places, {FixedArc(0, 1, 0)});
  CHECK(graph.travel_time(ArcId(0)) == 0);
}

TEST_CASE("Build rejects arcs with bad place ids and names the arc") {
  for (const PlaceId bad : {PlaceId(6), PlaceId(1000), kNoPlace}) {
    CAPTURE(bad.value());
    std::vector<ArcSpec> arcs = XizangArcs();
    arcs[7].to = bad;
    Result<RoadGraph> built = RoadGraph::Build(XizangPlaces(), arcs);
    REQUIRE_FALSE(built.ok());
    CAPTURE(built.status().ToString());
    CHECK(built.status().code() == StatusCode::kInvalidArgument);
    CHECK(Contains(built.status().message(), "arc"));
    CHECK(Contains(built.status().message(), "7"));

    arcs = XizangArcs();
    arcs[8].from = bad;
    built = RoadGraph::Build(XizangPlaces(), arcs);
    REQUIRE_FALSE(built.ok());
    CAPTURE(built.status().ToString());
    CHECK(built.status().code() == StatusCode::kInvalidArgument);
    CHECK(Contains(built.status().message(), "arc"));
    CHECK(Contains(built.status().message(), "8"));
  }
}

TEST_CASE("Build accepts a zero length when the arc has a fixed time") {
  std::vector<PlaceSpec> places(2);
  ArcSpec arc = FixedArc(0, 1, 250);
  arc.length_m = 0;
  const RoadGraph graph = MustBuild(places, {arc});
  CHECK(graph.length_m(ArcId(0)) == 0);
  CHECK(graph.travel_time(ArcId(0)) == 250);
}

TEST_CASE("Build rejects a self loop and names the arc") {
  std::vector<ArcSpec> arcs = XizangArcs();
  arcs[9].to = arcs[9].from;
  const Result<RoadGraph> built = RoadGraph::Build(XizangPlaces(), arcs);
  REQUIRE_FALSE(built.ok());
  CAPTURE(built.status().ToString());
  CHECK(built.status().code() == StatusCode::kInvalidArgument);
  CHECK(Contains(built.status().message(), "arc"));
  CHECK(Contains(built.status().message(), "9"));
}

TEST_CASE("Build rejects a zero length and names the arc") {
  std::vector<ArcSpec> arcs = XizangArcs();
  arcs[5].length_m = 0;
  const Result<RoadGraph> built = RoadGraph::Build(XizangPlaces(), arcs);
  REQUIRE_FALSE(built.ok());
  CAPTURE(built.status().ToString());
  CHECK(built.status().code() == StatusCode::kInvalidArgument);
  CHECK(Contains(built.status().message(), "arc"));
  CHECK(Contains(built.status().message(), "5"));
}

TEST_CASE("Build rejects coordinates out of range and names the place") {
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    double lat;
    double lon;
  };
  for (const Case c : {Case{90.5, 91.0}, Case{-91.0, 91.0}, Case{29.0, 180.5}, Case{29.0, -200.0},
                       Case{kNan, 91.0}, Case{29.0, kNan}}) {
    CAPTURE(c.lat);
    CAPTURE(c.lon);
    std::vector<PlaceSpec> places = XizangPlaces();
    places[2].lat = c.lat;
    places[2].lon = c.lon;
    const Result<RoadGraph> built = RoadGraph::Build(std::move(places), XizangArcs());
    REQUIRE_FALSE(built.ok());
    CAPTURE(built.status().ToString());
    CHECK(built.status().code() == StatusCode::kInvalidArgument);
    CHECK(Contains(built.status().message(), "定日县"));
  }
  // The edges of the ranges are valid.
  std::vector<PlaceSpec> places = XizangPlaces();
  places[0].lat = 90;
  places[1].lat = -90;
  places[2].lon = 180;
  places[3].lon = -180;
  const Result<RoadGraph> built = RoadGraph::Build(std::move(places), XizangArcs());
  CHECK_MESSAGE(built.ok(), built.status().ToString());
}

TEST_CASE("Build rejects duplicate names and names the place") {
  std::vector<PlaceSpec> places = XizangPlaces();
  places[5].name = "日喀则市";
  const Result<RoadGraph> built = RoadGraph::Build(std::move(places), XizangArcs());
  REQUIRE_FALSE(built.ok());
  CAPTURE(built.status().ToString());
  CHECK(built.status().code() == StatusCode::kInvalidArgument);
  CHECK(Contains(built.status().message(), "日喀则市"));
}

TEST_CASE("adjacency is right on random graphs, parallel arcs included") {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 40; ++round) {
    CAPTURE(round);
    const std::uint32_t n = std::uniform_int_distribution<std::uint32_t>(2, 60)(rng);
    const std::uint32_t m = std::uniform_int_distribution<std::uint32_t>(0, n * 5)(rng);
    std::vector<PlaceSpec> places(n);
    for (std::uint32_t p = 0; p < n; ++p) {
      places[p].name = "p" + std::to_string(p);
      places[p].elevation_m = std::uniform_int_distribution<std::int32_t>(0, 5500)(rng);
    }
    std::vector<ArcSpec> arcs;
    std::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
    for (std::uint32_t i = 0; i < m; ++i) {
      const std::uint32_t from = pick(rng);
      std::uint32_t to = pick(rng);
      if (to == from) to = (to + 1) % n;
      ArcSpec arc = Arc(from, to, std::uniform_int_distribution<std::uint32_t>(1, 90'000)(rng),
                        "R" + std::to_string(i % 4));
      arc.road_class = static_cast<RoadClass>(i % 5);
      arc.surface = (i % 3 == 0) ? Surface::kGravel : Surface::kPaved;
      arc.max_elevation_m = std::uniform_int_distribution<std::int32_t>(0, 5600)(rng);
      if (i % 7 == 0) arc.fixed_time = i * 13 + 1;
      if (i % 2 == 0 && !arcs.empty()) {  // a parallel arc
        arc.from = arcs.back().from;
        arc.to = arcs.back().to;
      }
      arcs.push_back(arc);
    }
    const RoadGraph graph = MustBuild(places, arcs);
    CheckAdjacency(graph, places, arcs);
  }
}

// --- FindArc ---

TEST_CASE("FindArc returns the quickest arc between two places, or kNoArc") {
  std::vector<PlaceSpec> places(4);
  const std::vector<ArcSpec> arcs = {
      FixedArc(0, 1, 5000), FixedArc(0, 1, 3000), FixedArc(0, 1, 4000),
      FixedArc(1, 0, 9000), FixedArc(2, 3, 1),
  };
  const RoadGraph graph = MustBuild(places, arcs);
  const ArcId quickest = graph.FindArc(PlaceId(0), PlaceId(1));
  REQUIRE(quickest != kNoArc);
  CHECK(graph.tail(quickest) == PlaceId(0));
  CHECK(graph.head(quickest) == PlaceId(1));
  CHECK(graph.travel_time(quickest) == 3000);
  CHECK(quickest == ArcId(1));

  const ArcId back = graph.FindArc(PlaceId(1), PlaceId(0));
  REQUIRE(back != kNoArc);
  CHECK(graph.travel_time(back) == 9000);
  CHECK(graph.head(graph.FindArc(PlaceId(2), PlaceId(3))) == PlaceId(3));

  CHECK(graph.FindArc(PlaceId(3), PlaceId(2)) == kNoArc);
  CHECK(graph.FindArc(PlaceId(0), PlaceId(2)) == kNoArc);
  CHECK(graph.FindArc(PlaceId(0), PlaceId(0)) == kNoArc);
}

// --- FindPlace ---

void ExpectFound(const RoadGraph& graph, const std::string& query, std::uint32_t want) {
  CAPTURE(query);
  const Result<PlaceId> found = graph.FindPlace(query);
  REQUIRE_MESSAGE(found.ok(), found.status().ToString());
  CHECK(found->value() == want);
}

TEST_CASE("FindPlace finds places as people type them") {
  const RoadGraph graph = MustBuild(XizangPlaces(), XizangArcs());
  // Exact names.
  ExpectFound(graph, "拉萨市", 0);
  ExpectFound(graph, "日喀则市", 1);
  ExpectFound(graph, "定日县", 2);
  ExpectFound(graph, "阿里地区", 3);
  ExpectFound(graph, "米拉山口", 4);
  // Without the administrative suffix.
  ExpectFound(graph, "拉萨", 0);
  ExpectFound(graph, "日喀则", 1);
  ExpectFound(graph, "定日", 2);
  ExpectFound(graph, "阿里", 3);
  ExpectFound(graph, "林芝", 5);
  // Pinyin in any case.
  ExpectFound(graph, "Lhasa", 0);
  ExpectFound(graph, "lhasa", 0);
  ExpectFound(graph, "LHASA", 0);
  ExpectFound(graph, "lHaSa", 0);
  ExpectFound(graph, "dingri", 2);
  ExpectFound(graph, "NGARI", 3);
  ExpectFound(graph, "Mila Pass", 4);
  ExpectFound(graph, "mila pass", 4);
  // Aliases.
  ExpectFound(graph, "城关区", 0);
  ExpectFound(graph, "Xigaze", 1);
  ExpectFound(graph, "狮泉河", 3);
  ExpectFound(graph, "Shiquanhe", 3);
  // Numeric ids.
  ExpectFound(graph, "0", 0);
  ExpectFound(graph, "3", 3);
  ExpectFound(graph, "5", 5);
}

TEST_CASE("FindPlace reports what it cannot find, naming the query") {
  const RoadGraph graph = MustBuild(XizangPlaces(), XizangArcs());
  for (const std::string query : {"成都", "Chengdu", "那曲", "6", "4294967295", "lhas"}) {
    CAPTURE(query);
    const Result<PlaceId> found = graph.FindPlace(query);
    REQUIRE_FALSE(found.ok());
    CAPTURE(found.status().ToString());
    CHECK(found.status().code() == StatusCode::kNotFound);
    CHECK(Contains(found.status().message(), query));
  }
}

TEST_CASE("FindPlace reports an ambiguous query") {
  std::vector<PlaceSpec> places = XizangPlaces();
  places.push_back(Place("定日镇", "Dingri", PlaceKind::kTown, 28.60, 87.20, 4280));
  const RoadGraph graph = MustBuild(std::move(places), XizangArcs());
  for (const std::string query : {"Dingri", "dingri", "DINGRI"}) {
    CAPTURE(query);
    const Result<PlaceId> found = graph.FindPlace(query);
    REQUIRE_FALSE(found.ok());
    CHECK(found.status().code() == StatusCode::kInvalidArgument);
    CHECK_FALSE(found.status().message().empty());
  }
  // The exact names still tell them apart.
  ExpectFound(graph, "定日县", 2);
  ExpectFound(graph, "定日镇", 6);
}

// --- Distances and snapping ---

// Great-circle distance by the angle between unit vectors: an independent route to the
// same number as the haversine formula.
double ChordMeters(double lat1, double lon1, double lat2, double lon2) {
  const double kRad = std::numbers::pi / 180.0;
  const auto unit = [kRad](double lat, double lon) {
    return std::array<double, 3>{std::cos(lat * kRad) * std::cos(lon * kRad),
                                 std::cos(lat * kRad) * std::sin(lon * kRad), std::sin(lat * kRad)};
  };
  const std::array<double, 3> a = unit(lat1, lon1);
  const std::array<double, 3> b = unit(lat2, lon2);
  const double chord = std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                                 (a[2] - b[2]) * (a[2] - b[2]));
  return kEarthRadiusM * 2.0 * std::asin(std::min(1.0, chord / 2.0));
}

TEST_CASE("HaversineMeters: Lhasa to Shigatse is about 222 km in a straight line") {
  const double got = HaversineMeters(29.65, 91.13, 29.27, 88.88);
  const double want = ChordMeters(29.65, 91.13, 29.27, 88.88);
  CAPTURE(got);
  CAPTURE(want);
  CHECK(want > 221'000);
  CHECK(want < 223'000);
  CHECK(std::abs(got - want) < 1.0);
  CHECK(HaversineMeters(29.27, 88.88, 29.65, 91.13) == doctest::Approx(got).epsilon(1e-12));
}

TEST_CASE("HaversineMeters: zero, a degree of latitude, antipodes, random pairs") {
  CHECK(HaversineMeters(29.65, 91.13, 29.65, 91.13) == 0.0);
  // One degree along a meridian: R * pi / 180.
  CHECK(HaversineMeters(30.0, 90.0, 31.0, 90.0) ==
        doctest::Approx(kEarthRadiusM * std::numbers::pi / 180.0).epsilon(1e-9));
  CHECK(HaversineMeters(0.0, 0.0, 0.0, 180.0) ==
        doctest::Approx(kEarthRadiusM * std::numbers::pi).epsilon(1e-9));
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lat(-89.0, 89.0);
  std::uniform_real_distribution<double> lon(-180.0, 180.0);
  for (int i = 0; i < 1000; ++i) {
    const double lat1 = lat(rng), lon1 = lon(rng), lat2 = lat(rng), lon2 = lon(rng);
    CAPTURE(i);
    const double want = ChordMeters(lat1, lon1, lat2, lon2);
    CHECK(HaversineMeters(lat1, lon1, lat2, lon2) == doctest::Approx(want).epsilon(1e-7));
  }
}

TEST_CASE("SnapToPlace finds the nearest place, as brute force does") {
  std::mt19937 rng(4242);
  for (const std::uint32_t n : {1u, 2u, 17u, 400u}) {
    CAPTURE(n);
    std::uniform_real_distribution<double> lat(27.0, 36.5);
    std::uniform_real_distribution<double> lon(78.0, 99.0);
    std::vector<PlaceSpec> places(n);
    for (PlaceSpec& place : places) {
      place.lat = lat(rng);
      place.lon = lon(rng);
    }
    const RoadGraph graph = MustBuild(places, {});

    std::uniform_real_distribution<double> far_lat(-89.0, 89.0);
    std::uniform_real_distribution<double> far_lon(-180.0, 180.0);
    for (int i = 0; i < 1500; ++i) {
      // Mostly near the places, some right on them, some anywhere on Earth.
      double q_lat = lat(rng), q_lon = lon(rng);
      if (i % 5 == 0) {
        q_lat = far_lat(rng);
        q_lon = far_lon(rng);
      } else if (i % 7 == 0) {
        const PlaceSpec& on = places[static_cast<std::size_t>(i) % n];
        q_lat = on.lat;
        q_lon = on.lon;
      }
      double best = std::numeric_limits<double>::infinity();
      for (const PlaceSpec& place : places) {
        best = std::min(best, HaversineMeters(q_lat, q_lon, place.lat, place.lon));
      }
      CAPTURE(i);
      CAPTURE(q_lat);
      CAPTURE(q_lon);
      const RoadGraph::Snap snap = graph.SnapToPlace(q_lat, q_lon);
      REQUIRE(snap.place.value() < n);
      const PlaceSpec& got = places[snap.place.value()];
      CHECK(HaversineMeters(q_lat, q_lon, got.lat, got.lon) == doctest::Approx(best).epsilon(1e-9));
      CHECK(snap.distance_m == doctest::Approx(best).epsilon(1e-9));
    }
  }
}

TEST_CASE("SnapToPlace on a place's own position returns it at distance 0") {
  const std::vector<PlaceSpec> places = XizangPlaces();
  const RoadGraph graph = MustBuild(places, XizangArcs());
  for (std::uint32_t p = 0; p < places.size(); ++p) {
    CAPTURE(p);
    const RoadGraph::Snap snap = graph.SnapToPlace(places[p].lat, places[p].lon);
    CHECK(snap.place == PlaceId(p));
    CHECK(snap.distance_m == doctest::Approx(0.0));
  }
  // Nagqu (31.48 N, 92.05 E) is about 186 km from Mila Pass and 221 km from Lhasa.
  const RoadGraph::Snap nagqu = graph.SnapToPlace(31.48, 92.05);
  CHECK(nagqu.place == PlaceId(4));
  CHECK(nagqu.distance_m == doctest::Approx(ChordMeters(31.48, 92.05, 29.83, 92.35)).epsilon(1e-6));
}

}  // namespace
}  // namespace baiying
