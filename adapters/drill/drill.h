#pragma once
// One drill end to end, in process: read the scenario, load its ground, compile, run on a
// simulated clock, judge. What `baiying drill` and the scenario tests call.

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "adapters/drill/expectations.h"
#include "adapters/drill/plan.h"
#include "adapters/drill/report.h"
#include "adapters/drill/runner.h"
#include "engine/core/status.h"
#include "engine/registry/registry.h"
#include "engine/roads/road_graph.h"

namespace baiying::drill {

struct Drill {
  std::unique_ptr<RoadGraph> graph;
  std::shared_ptr<const Registry> registry;
  DrillPlan plan;
  DrillRun run;
  std::vector<CheckResult> checks;

  DrillReport Report() const { return {plan, run, checks, *graph, *registry}; }
};

struct DrillOutcome {
  std::optional<Drill> drill;  // set when the drill ran (whether or not it passed)
  Status error;                // otherwise why not
  bool data_error = false;     // the network or registry could not be loaded (else: the scenario)
};

// `default_network`: the network when the scenario names none (data/xizang).
DrillOutcome RunScenarioFile(const std::filesystem::path& scenario,
                             const std::filesystem::path& default_network);

}  // namespace baiying::drill
