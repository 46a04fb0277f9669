#pragma once
// A drill as the runner sees it: the scenario file checked and compiled into engine commands
// at simulated times, and expectations that name what they check. Built by CompileScenario
// (scenario.h); run by RunDrill (runner.h); judged by Evaluate (expectations.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"

namespace baiying::drill {

// --- Simulated time: offsets from the drill's start ---

// "0m", "90m", "1h30m", "2d", "45s": whole numbers with units d, h, m, s, largest first or in
// any order. InvalidArgument for anything else, "negative time" for a leading '-'.
Result<Duration> ParseOffset(std::string_view text);
// "+0m", "+1h30m", "+2d04h": to the minute (seconds shown only when there are some).
std::string FormatOffset(Duration offset);
// "2h05m", "45m", "never": an ETA or a time to fill, to the minute.
std::string FormatSpan(Duration span);
// "2026-11-02T01:05:00Z".
std::string FormatInstant(Instant at);

// One request by id ("R1"), or several by a prefix ending in '*' ("W*", "*").
struct RequestSelector {
  std::string text;
  bool Matches(std::string_view id) const;
  bool IsPattern() const { return !text.empty() && text.back() == '*'; }
};

// --- Expectations (adapters/proto/scenario.proto, message Expectation) ---

struct FilledCheck {
  RequestSelector request;
  std::string specialty;  // empty: every line
  std::optional<Duration> within;
};
struct TeamCheck {
  RequestSelector request;
  std::string team;
  bool assigned = true;  // false: never assigned
};
struct ShortfallCheck {
  RequestSelector request;
  std::string specialty;  // empty: all lines
  Duration at{};
  std::uint32_t at_least = 1;
  std::optional<std::uint32_t> exactly;
};
struct UnmetCheck {
  RequestSelector request;
  Duration at{};
  std::optional<std::uint32_t> at_most, at_least, exactly;
};
struct EtaCheck {
  RequestSelector request;
  std::string specialty;  // empty: every specialty
  std::optional<Duration> mean_at_most, max_at_most;
};
struct AnsweredCheck {
  RequestSelector request;
};
using Check =
    std::variant<FilledCheck, TeamCheck, ShortfallCheck, UnmetCheck, EtaCheck, AnsweredCheck>;

struct Expectation {
  std::string label;  // the planner's, or a description of the check
  std::string where;  // "scenarios/dingri.textproto:88"
  Check check;
};

// --- The timeline ---

struct PlannedStep {
  Duration at{};                  // offset from start
  std::string what;               // "submit R1 at 定日县 (critical): medical x6, transport x3"
  std::string note;               // the planner's note
  std::string where;              // "scenarios/dingri.textproto:41", or "registry_change[0]"
  std::vector<Command> commands;  // applied in order at start + at
};

struct DrillPlan {
  std::string name;
  std::string description;
  std::string file;  // the scenario file's name, as reports show it
  Instant start{};
  Duration end{};                  // the drill runs until start + end
  std::vector<PlannedStep> steps;  // in time order
  std::vector<Expectation> expectations;
  std::vector<Duration> checkpoints;  // times some expectation looks at, sorted, unique
};

}  // namespace baiying::drill
