#pragma once
// Judging a drill: each expectation of the plan against the record of the run, with a line
// that says what was found. Pure: reads the plan and the record only.

#include <string>
#include <vector>

#include "adapters/drill/plan.h"
#include "adapters/drill/runner.h"

namespace baiying::drill {

struct CheckResult {
  std::string label;
  std::string where;  // the expectation's place in the scenario file
  bool passed = false;
  std::string found;  // what the run showed: "R1 filled; last team on scene after 3h12m"
};

// One result per expectation, in the plan's order; then one failed result per step the
// dispatcher refused (a drill whose timeline does not play as written has failed).
std::vector<CheckResult> Evaluate(const DrillPlan& plan, const DrillRun& run);

// Time from submission until the last standing team of the request (of its `specialty` line
// when not empty) is on scene; nullopt when it has no standing team.
std::optional<Duration> HelpOnSceneAfter(const RequestRecord& request,
                                         const std::string& specialty = {});

}  // namespace baiying::drill
