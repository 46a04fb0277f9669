#pragma once
// Tally: counts the checks of one rule over many random cases and keeps the first few
// failures, so that a broken rule reports once, with examples to reproduce, not thousands of
// times. Typical use:
//
//   Tally routes("ShortestRoute equals brute force");
//   for (...) routes.Expect(got == want, [&] { return "case 7: got " + ...; });
//   CHECK_MESSAGE(routes.ok(), routes.Report());
//
// Not thread-safe; one per rule, within one test case.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace baiying::testing {

class Tally {
 public:
  // How many failures keep their description for Report().
  static constexpr std::size_t kMaxExamples = 4;

  explicit Tally(std::string rule) : rule_(std::move(rule)) {}

  // Counts one check of the rule. `describe()` returns the text of a failure; it is called only
  // when `holds` is false and fewer than kMaxExamples failures are kept, so it may be costly.
  template <typename Describe>
  void Expect(bool holds, Describe&& describe) {
    ++checks_;
    if (holds) return;
    ++failures_;
    if (examples_.size() < kMaxExamples) examples_.push_back(describe());
  }

  bool ok() const { return failures_ == 0; }
  int checks() const { return checks_; }

  // "<rule>: F of N checks failed", then the kept examples, one an indented line.
  std::string Report() const {
    std::string out = rule_ + ": " + std::to_string(failures_) + " of " + std::to_string(checks_) +
                      " checks failed";
    for (const std::string& example : examples_)
      out += "\n    " + example;
    return out;
  }

 private:
  std::string rule_;
  int checks_ = 0;
  int failures_ = 0;
  std::vector<std::string> examples_;
};

}  // namespace baiying::testing
