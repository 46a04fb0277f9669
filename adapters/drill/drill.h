#pragma once
// One drill end to end: read the scenario, load its ground, compile, run on a simulated clock
// (in process, or against a running server in drill mode, adapters/drill/network_sink.h),
// judge. What `baiying drill` and the scenario tests call.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
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
  // The network or registry could not be loaded, or the server could not be reached or
  // failed (else: the scenario is at fault).
  bool data_error = false;
  std::string drill_id;  // the drill's id on the server, when played against one
};

// Where a drill is played.
struct DrillTarget {
  std::string server;    // "HOST:PORT": against that server; empty: in process
  std::string token;     // the credential sent to the server (an officer's)
  std::string drill_id;  // the drill's id on the server; empty: "<file stem>-<unix ms>"
};

// `default_network`: the network when the scenario names none (data/xizang). Against a server
// the scenario must be playable there (CheckPlayableOnServer), and the drill is ended on the
// server when the run is over, passed or not.
DrillOutcome RunScenarioFile(const std::filesystem::path& scenario,
                             const std::filesystem::path& default_network,
                             const DrillTarget& target = {});

}  // namespace baiying::drill
