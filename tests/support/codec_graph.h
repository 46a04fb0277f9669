#pragma once
// The small road network the wire codec is exercised on, shared by its unit tests
// (tests/adapters/proto_codec_test.cc) and its fuzz target (adapters/net/fuzz/
// frame_codec_fuzz.cc). Header-only; depends on the engine only.

#include <cstdint>
#include <utility>
#include <vector>

#include "engine/core/status.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_types.h"

namespace baiying::testing {

// 拉萨 - 日喀则 - 定日县 - J3: four places on a line, 10 km apart along G318, two of them named
// the way users type Tibetan county seats (定日县 also has the pinyin "Dingri"), all in county
// 540102. Each caller decides what a failed build means (a test fails, the fuzzer aborts).
inline Result<RoadGraph> BuildCodecGraph() {
  std::vector<PlaceSpec> places(4);
  const char* names[] = {"拉萨", "日喀则", "定日县", "J3"};
  for (std::uint32_t i = 0; i < 4; ++i) {
    places[i].name = names[i];
    places[i].lat = 29.0 + 0.1 * i;
    places[i].lon = 91.0 - 1.0 * i;
    places[i].adcode = 540102;
  }
  places[2].pinyin = "Dingri";
  std::vector<ArcSpec> arcs;
  for (std::uint32_t i = 0; i + 1 < 4; ++i) {
    ArcSpec a;
    a.from = PlaceId(i);
    a.to = PlaceId(i + 1);
    a.length_m = 10'000;
    a.road_ref = "G318";
    arcs.push_back(a);
    std::swap(a.from, a.to);
    arcs.push_back(a);
  }
  return RoadGraph::Build(std::move(places), arcs);
}

}  // namespace baiying::testing
