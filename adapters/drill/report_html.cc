#include "adapters/drill/report.h"

namespace baiying::drill {

std::string HtmlReport(const DrillReport& report) {
  return "<!DOCTYPE html><html><body>" + report.plan.name + "</body></html>\n";
}

}  // namespace baiying::drill
