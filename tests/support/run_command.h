#pragma once
// Runs a program with arguments and collects its standard output, standard error and exit
// code, for tests of the baiying command line. Arguments are passed without a shell.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/files.h"

namespace baiying::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + the signal when a signal ended it
  std::string out;
  std::string err;
};

// Runs the program to its end.
CommandResult RunCommand(const std::string& program, const std::vector<std::string>& args);

// A program running in the background (a `baiying watch`, say), its output going to files
// that can be read while it runs. Destroying it kills it when it is still running.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::string& program, const std::vector<std::string>& args);
  ~BackgroundCommand();
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  // What it has written so far.
  std::string out() const;
  std::string err() const;
  // Waits until `text` appears on its standard error, at most `timeout`; false when it did not
  // (or the program ended first).
  bool WaitForErr(std::string_view text, std::chrono::milliseconds timeout);
  void Signal(int signal) const;
  // Waits for its end; after `timeout` it is killed (exit code 128 + SIGKILL).
  CommandResult Wait(std::chrono::milliseconds timeout = std::chrono::minutes(10));

 private:
  bool Ended();  // reaps it when it has ended

  TempDir dir_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool ended_ = false;
};

}  // namespace baiying::testing
