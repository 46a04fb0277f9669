#pragma once
// Runs a program with arguments and collects its standard output, standard error and exit
// code, for tests of the baiying command line. Arguments are passed without a shell.

#include <string>
#include <vector>

namespace baiying::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandResult RunCommand(const std::string& program, const std::vector<std::string>& args);

}  // namespace baiying::testing
