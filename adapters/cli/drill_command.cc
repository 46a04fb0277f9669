#include "adapters/cli/drill_command.h"

#include <fstream>
#include <ostream>

#include "adapters/cli/route_command.h"
#include "adapters/drill/drill.h"

namespace baiying::cli {
namespace {

Status WriteFile(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Status::Unavailable(path.string() + ": cannot write");
  file << contents;
  file.close();
  if (!file) return Status::Unavailable(path.string() + ": cannot write");
  return Status::Ok();
}

}  // namespace

int RunDrill(const DrillFlags& flags, std::ostream& out, std::ostream& err) {
  drill::DrillOutcome outcome = drill::RunScenarioFile(flags.scenario, DefaultNetworkPath(),
                                                       {flags.server, flags.token, flags.drill_id});
  if (!outcome.drill) {
    err << "baiying drill: " << outcome.error.message() << "\n";
    return outcome.data_error ? kExitDataError : kExitUsage;
  }
  const drill::DrillReport report = outcome.drill->Report();
  const std::string json = drill::JsonReport(report);

  std::error_code ec;
  std::filesystem::create_directories(flags.report_dir, ec);
  if (ec) {
    err << "baiying drill: --report " << flags.report_dir.string() << ": " << ec.message() << "\n";
    return kExitDataError;
  }
  const std::string stem = flags.scenario.stem().string();
  const std::filesystem::path json_path = flags.report_dir / (stem + ".json");
  const std::filesystem::path html_path = flags.report_dir / (stem + ".html");
  for (const auto& [path, contents] :
       {std::pair{json_path, json}, std::pair{html_path, drill::HtmlReport(report)}}) {
    if (Status s = WriteFile(path, contents); !s.ok()) {
      err << "baiying drill: " << s.message() << "\n";
      return kExitDataError;
    }
  }

  if (flags.json) {
    out << json;
  } else {
    drill::WriteText(report, out);
    if (!flags.server.empty()) {
      out << "played on " << flags.server << " as drill " << outcome.drill_id
          << " (ended there; the live state was not touched)\n";
    }
    out << "report: " << json_path.string() << ", " << html_path.string() << "\n";
  }
  return report.passed() ? kExitOk : kExitDrillFailed;
}

}  // namespace baiying::cli
