#include "adapters/cli/index_command.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ostream>
#include <string>
#include <system_error>

#include "adapters/cli/route_command.h"
#include "adapters/loaders/ch_index_file.h"
#include "adapters/loaders/network_loader.h"

namespace baiying::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// "0.42 ms", "183 ms", "14.38 s".
std::string Took(SteadyClock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  char buf[32];
  if (s >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f s", s);
  } else if (s >= 0.01) {
    std::snprintf(buf, sizeof buf, "%.0f ms", s * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
  }
  return buf;
}

// "21.4 MiB", "18.2 KiB", "950 bytes".
std::string Size(std::uintmax_t bytes) {
  char buf[32];
  if (bytes >= 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  } else if (bytes >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%ju bytes", bytes);
  }
  return buf;
}

}  // namespace

int RunIndexBuild(const IndexBuildFlags& flags, std::ostream& out, std::ostream& err) {
  const std::filesystem::path network =
      flags.network.empty() ? DefaultNetworkPath() : flags.network;
  auto fail = [&err](const std::string& message) {
    err << "baiying index build: " << message << "\n";
    return kExitDataError;
  };
  const SteadyClock::time_point load_start = SteadyClock::now();
  Result<loaders::NetworkSpec> spec = loaders::LoadNetworkSpec(network);
  if (!spec.ok()) return fail(spec.status().message());
  Result<RoadGraph> graph = loaders::BuildGraph(std::move(*spec));
  if (!graph.ok()) return fail(network.string() + ": " + graph.status().message());
  const SteadyClock::duration load_time = SteadyClock::now() - load_start;
  out << "network  " << network.string() << ": " << graph->place_count() << " places, "
      << graph->arc_count() << " arcs (loaded in " << Took(load_time) << ")\n"
      << std::flush;

  const SteadyClock::time_point build_start = SteadyClock::now();
  Result<ChIndex> index = ChIndex::Build(*graph);
  if (!index.ok()) return fail(index.status().message());
  const SteadyClock::duration build_time = SteadyClock::now() - build_start;
  out << "index    " << index->shortcut_count() << " shortcuts, " << Size(index->MemoryBytes())
      << " in memory (built in " << Took(build_time) << ")\n";

  const SteadyClock::time_point save_start = SteadyClock::now();
  if (Status saved = loaders::SaveChIndex(flags.out, *index); !saved.ok()) {
    return fail(saved.message());
  }
  const SteadyClock::duration save_time = SteadyClock::now() - save_start;
  std::error_code ec;
  const std::uintmax_t bytes = std::filesystem::file_size(flags.out, ec);
  out << "saved    " << flags.out.string() << ": " << (ec ? std::string("?") : Size(bytes))
      << " (written in " << Took(save_time) << ")\n";
  return kExitOk;
}

Result<std::shared_ptr<const ChIndex>> LoadOrBuildIndex(const std::filesystem::path& path,
                                                        const RoadGraph& graph) {
  const std::string name = path.string();
  const SteadyClock::time_point load_start = SteadyClock::now();
  Result<ChIndex> loaded = loaders::LoadChIndex(path, graph);
  if (loaded.ok()) {
    spdlog::info("road index: loaded {} in {} ({} places, {} shortcuts)", name,
                 Took(SteadyClock::now() - load_start), loaded->place_count(),
                 loaded->shortcut_count());
    return std::make_shared<const ChIndex>(std::move(loaded).value());
  }
  if (loaded.status().code() == StatusCode::kNotFound) {
    spdlog::info("road index: no {} yet; building it", name);
  } else {
    spdlog::warn("road index: {}; building it again and overwriting the file",
                 loaded.status().message());
  }
  const SteadyClock::time_point build_start = SteadyClock::now();
  Result<ChIndex> built = ChIndex::Build(graph);
  if (!built.ok()) return built.status();
  const SteadyClock::duration build_time = SteadyClock::now() - build_start;
  if (Status saved = loaders::SaveChIndex(path, *built); !saved.ok()) {
    spdlog::warn(
        "road index: built in {} ({} shortcuts) but not saved: {}; the next start "
        "builds it again",
        Took(build_time), built->shortcut_count(), saved.message());
  } else {
    spdlog::info("road index: built in {} ({} places, {} shortcuts), saved to {}", Took(build_time),
                 built->place_count(), built->shortcut_count(), name);
  }
  return std::make_shared<const ChIndex>(std::move(built).value());
}

}  // namespace baiying::cli
