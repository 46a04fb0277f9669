#pragma once
// Scenario files (adapters/proto/scenario.proto, protobuf text format): reading, the ground
// they name (network and registry), and compiling them into a DrillPlan.
//
// Every error names the file, the line and column, and the field path:
//   "scenarios/dingri.textproto:41:7: timeline[3].submit.need[0].specialty: unknown specialty
//    'medic' (known: communications, logistics, medical, ...)"
// Syntax errors (an unknown field, a missing brace) come from the text-format parser with the
// same "FILE:LINE:COL:" prefix.

#include <filesystem>
#include <memory>
#include <string>

#include "adapters/drill/plan.h"
#include "adapters/proto/scenario.pb.h"
#include "engine/core/status.h"
#include "engine/registry/registry.h"
#include "engine/roads/road_graph.h"

namespace baiying::drill {

// A parsed scenario and where each of its fields stood in the file.
class ScenarioFile {
 public:
  // Reads and parses `path`. NotFound when the file cannot be read; InvalidArgument
  // ("FILE:LINE:COL: ...") for a syntax error or an unknown field.
  static Result<ScenarioFile> Read(const std::filesystem::path& path);

  ScenarioFile(ScenarioFile&&) noexcept;
  ScenarioFile& operator=(ScenarioFile&&) noexcept;
  ~ScenarioFile();

  const std::filesystem::path& path() const { return path_; }
  const drill::v1::Scenario& scenario() const { return scenario_; }

  struct Locations;  // the parser's location tree
  const Locations& locations() const { return *locations_; }

 private:
  ScenarioFile() = default;
  std::filesystem::path path_;
  drill::v1::Scenario scenario_;
  std::unique_ptr<Locations> locations_;
};

// The ground a drill runs on.
struct Ground {
  std::filesystem::path network;   // resolved
  std::filesystem::path registry;  // resolved: a CSV directory or a database file
};

// The scenario's ground: its paths resolved against the scenario's folder, with data/xizang
// (`default_network`) and its registry/ by default. InvalidArgument (with line) for an empty
// path given explicitly.
Ground ResolveGround(const ScenarioFile& file, const std::filesystem::path& default_network);

// Loads a registry: a CSV directory is imported into a scratch database (removed afterwards),
// a *.db file is read. Errors name the file, line and field as the store does.
// Home places are checked against `graph`.
Result<Registry> LoadRegistry(const std::filesystem::path& registry, const RoadGraph& graph);

// What CompileScenario gives: the plan, and the registry the drill runs on (the one given,
// with the scenario's registry changes made in memory).
struct CompiledDrill {
  DrillPlan plan;
  std::shared_ptr<const Registry> registry;
};

// Checks every field of the scenario against the graph and registry and compiles it: places
// resolved, specialties and teams known, priorities and modes known, quantities positive,
// times not negative and steps in order, expectations naming requests of the timeline.
// Registry changes that the dispatcher hears as commands (suspend, off duty) become steps at
// time 0; the others (move home, expire vetting, withdraw) change the registry snapshot.
Result<CompiledDrill> CompileScenario(const ScenarioFile& file, const RoadGraph& graph,
                                      const Registry& registry);

// Whether `file` can be played against a server (`baiying drill FILE --server`), which plays
// on its own network and registry: a scenario that names its own ground, or a registry change
// that exists only in the drill's registry snapshot (move_home, expire_vetting, withdraw), is
// refused with InvalidArgument naming the file, line and change:
//   "x.textproto:9:3: registry_change[2].move_home: cannot be played against a server; run in
//    process".
// Suspensions and off-duty changes are commands, which a server's drill plays as in process.
Status CheckPlayableOnServer(const ScenarioFile& file);

}  // namespace baiying::drill
