#include "adapters/drill/drill.h"

#include <chrono>

#include "adapters/drill/network_sink.h"
#include "adapters/drill/scenario.h"
#include "adapters/loaders/network_loader.h"

namespace baiying::drill {

DrillOutcome RunScenarioFile(const std::filesystem::path& scenario,
                             const std::filesystem::path& default_network,
                             const DrillTarget& target) {
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
  const bool remote = !target.server.empty();
  if (remote) {
    if (Status playable = CheckPlayableOnServer(*file); !playable.ok()) {
      out.error = playable;
      return out;
    }
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

  Result<DrillRun> run = Status::Internal("drill: not run");
  if (remote) {
    out.drill_id = target.drill_id;
    if (out.drill_id.empty()) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
      out.drill_id = scenario.stem().string() + "-" + std::to_string(ms);
    }
    Result<std::unique_ptr<NetworkSink>> sink =
        NetworkSink::Connect(target.server, target.token, out.drill_id);
    if (!sink.ok()) return data_error(sink.status().WithPrefix(target.server));
    run = RunDrill(drill.plan, *drill.graph, *drill.registry, **sink);
    if (Status ended = (*sink)->End(); run.ok() && !ended.ok()) {
      return data_error(ended.WithPrefix(target.server + ": end_drill"));
    }
    if (!run.ok()) return data_error(run.status().WithPrefix(target.server));
  } else {
    Result<std::unique_ptr<InProcessSink>> sink =
        InProcessSink::Create(*drill.graph, drill.registry);
    if (!sink.ok()) return data_error(sink.status());
    run = RunDrill(drill.plan, *drill.graph, *drill.registry, **sink);
    if (!run.ok()) return data_error(run.status());
  }
  drill.run = std::move(run).value();
  drill.checks = Evaluate(drill.plan, drill.run);
  out.drill = std::move(drill);
  return out;
}

}  // namespace baiying::drill
