#include "adapters/drill/drill.h"

#include "adapters/drill/scenario.h"
#include "adapters/loaders/network_loader.h"

namespace baiying::drill {

DrillOutcome RunScenarioFile(const std::filesystem::path& scenario,
                             const std::filesystem::path& default_network) {
  DrillOutcome out;
  auto data_error = [&out](const Status& s) {
    out.error = s;
    out.data_error = true;
    return std::move(out);
  };
  Result<ScenarioFile> file = ScenarioFile::Read(scenario);
  if (!file.ok()) {
    out.error = file.status();
    return out;
  }
  const Ground ground = ResolveGround(*file, default_network);
  Result<loaders::NetworkSpec> spec = loaders::LoadNetworkSpec(ground.network);
  if (!spec.ok()) return data_error(spec.status());
  Result<RoadGraph> graph = loaders::BuildGraph(std::move(*spec));
  if (!graph.ok()) return data_error(graph.status().WithPrefix(ground.network.string()));
  Drill drill;
  drill.graph = std::make_unique<RoadGraph>(std::move(graph).value());
  Result<Registry> registry = LoadRegistry(ground.registry, *drill.graph);
  if (!registry.ok()) return data_error(registry.status());

  Result<CompiledDrill> compiled = CompileScenario(*file, *drill.graph, *registry);
  if (!compiled.ok()) {
    out.error = compiled.status();
    return out;
  }
  drill.plan = std::move(compiled->plan);
  drill.registry = std::move(compiled->registry);

  Result<std::unique_ptr<InProcessSink>> sink = InProcessSink::Create(*drill.graph, drill.registry);
  if (!sink.ok()) return data_error(sink.status());
  Result<DrillRun> run = RunDrill(drill.plan, *drill.graph, *drill.registry, **sink);
  if (!run.ok()) return data_error(run.status());
  drill.run = std::move(run).value();
  drill.checks = Evaluate(drill.plan, drill.run);
  out.drill = std::move(drill);
  return out;
}

}  // namespace baiying::drill
