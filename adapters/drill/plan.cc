#include "adapters/drill/plan.h"

#include <cstdio>

namespace baiying::drill {

Result<Duration> ParseOffset(std::string_view text) {
  if (text.empty())
    return Status::InvalidArgument("empty duration (write e.g. \"0m\" or \"1h30m\")");
  if (text.front() == '-') {
    return Status::InvalidArgument("negative time '" + std::string(text) + "'");
  }
  std::int64_t total_s = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    std::int64_t n = 0;
    const std::size_t digits_from = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000)
        return Status::InvalidArgument("duration too long '" + std::string(text) + "'");
      ++i;
    }
    if (i == digits_from || i == text.size()) {
      if (text == "0") return Duration(0);
      return Status::InvalidArgument("bad duration '" + std::string(text) +
                                     "' (write whole numbers with units d, h, m, s: \"1h30m\")");
    }
    std::int64_t unit = 0;
    switch (text[i]) {
      case 'd':
        unit = 86'400;
        break;
      case 'h':
        unit = 3'600;
        break;
      case 'm':
        unit = 60;
        break;
      case 's':
        unit = 1;
        break;
      default:
        return Status::InvalidArgument("bad duration '" + std::string(text) + "': unknown unit '" +
                                       std::string(1, text[i]) + "' (d, h, m or s)");
    }
    ++i;
    total_s += n * unit;
    any = true;
  }
  if (!any) return Status::InvalidArgument("bad duration '" + std::string(text) + "'");
  if (total_s > 366LL * 86'400) {
    return Status::InvalidArgument("duration '" + std::string(text) + "' is longer than a year");
  }
  return std::chrono::duration_cast<Duration>(std::chrono::seconds(total_s));
}

namespace {

std::string DaysHoursMinutes(Duration d, bool plus) {
  const std::int64_t total_s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  const std::int64_t s = total_s < 0 ? -total_s : total_s;
  const std::int64_t days = s / 86'400, hours = s % 86'400 / 3'600, minutes = s % 3'600 / 60,
                     seconds = s % 60;
  char buf[64];
  const char* sign = total_s < 0 ? "-" : (plus ? "+" : "");
  if (days > 0) {
    std::snprintf(buf, sizeof buf, "%s%lldd%02lldh%02lldm", sign, static_cast<long long>(days),
                  static_cast<long long>(hours), static_cast<long long>(minutes));
  } else if (hours > 0) {
    std::snprintf(buf, sizeof buf, "%s%lldh%02lldm", sign, static_cast<long long>(hours),
                  static_cast<long long>(minutes));
  } else {
    std::snprintf(buf, sizeof buf, "%s%lldm", sign, static_cast<long long>(minutes));
  }
  std::string out = buf;
  if (seconds > 0) out += std::to_string(seconds) + "s";
  return out;
}

}  // namespace

std::string FormatOffset(Duration offset) {
  return DaysHoursMinutes(offset, true);
}

std::string FormatSpan(Duration span) {
  if (span >= ToDuration(kInfiniteTime)) return "never";
  // To the minute, rounded to nearest, as people read ETAs.
  const auto minutes = std::chrono::round<std::chrono::minutes>(span);
  return DaysHoursMinutes(minutes, false);
}

std::string FormatInstant(Instant at) {
  const auto day = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(at - day)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
                static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buf;
}

bool RequestSelector::Matches(std::string_view id) const {
  if (IsPattern())
    return id.substr(0, text.size() - 1) == std::string_view(text).substr(0, text.size() - 1);
  return id == text;
}

}  // namespace baiying::drill
