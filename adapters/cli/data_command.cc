#include "adapters/cli/data_command.h"

#include <ostream>

#include "adapters/cli/route_command.h"
#include "adapters/loaders/seed_registry.h"
#include "adapters/loaders/xizang_builder.h"

namespace baiying::cli {

int RunBuildXizang(const BuildXizangFlags& flags, std::ostream& out, std::ostream& err) {
  loaders::XizangBuildOptions options;
  options.shared_dir = flags.shared_dir.lexically_normal();
  options.facts_dir = flags.facts_dir.lexically_normal();
  options.out_dir = flags.out_dir.lexically_normal();
  Result<loaders::XizangBuildReport> report = loaders::BuildXizangNetwork(options);
  if (!report.ok()) {
    err << "baiying data build-xizang: " << report.status().message() << "\n";
    return kExitDataError;
  }
  out << report->Summary() << "written to " << options.out_dir.string() << "\n";
  return kExitOk;
}

int RunBuildSeedRegistry(const BuildSeedFlags& flags, std::ostream& out, std::ostream& err) {
  loaders::SeedRegistryOptions options;
  options.network_dir = flags.network_dir.lexically_normal();
  options.out_dir = flags.out_dir.lexically_normal();
  options.seed = flags.seed;
  Result<loaders::SeedReport> report = loaders::BuildSeedRegistry(options);
  if (!report.ok()) {
    err << "baiying data build-seed-registry: " << report.status().message() << "\n";
    return kExitDataError;
  }
  out << report->Summary() << "written to " << options.out_dir.string() << "\n";
  return kExitOk;
}

}  // namespace baiying::cli
