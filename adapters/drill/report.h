#pragma once
// The drill report, three ways: a summary for the terminal, a JSON document for tools, and
// one self-contained HTML page (an SVG map of the network with closures, teams, requests and
// the roads taken, and the timeline) for planners. All three are deterministic: the same run
// gives the same bytes (no clock, no paths outside the scenario's file name).

#include <iosfwd>
#include <string>
#include <vector>

#include "adapters/drill/expectations.h"
#include "adapters/drill/plan.h"
#include "adapters/drill/runner.h"
#include "engine/registry/registry.h"
#include "engine/roads/road_graph.h"

namespace baiying::drill {

struct DrillReport {
  const DrillPlan& plan;
  const DrillRun& run;
  const std::vector<CheckResult>& checks;
  const RoadGraph& graph;
  const Registry& registry;

  bool passed() const;
};

// Expectations passed and failed, then one line per request: time to fill, the teams and
// their ETAs, what is short and why.
void WriteText(const DrillReport& report, std::ostream& out);

// The whole record as JSON (two-space indent, keys sorted).
std::string JsonReport(const DrillReport& report);

// One HTML page, no external scripts, styles, fonts or images.
std::string HtmlReport(const DrillReport& report);

// "日喀则 (Shigatse)", or the bare name.
std::string PlaceName(const RoadGraph& graph, PlaceId place);

}  // namespace baiying::drill
