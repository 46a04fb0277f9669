#include "tests/support/run_command.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace baiying::testing {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

CommandResult RunCommand(const std::string& program, const std::vector<std::string>& args) {
  BackgroundCommand command(program, args);
  return command.Wait();
}

BackgroundCommand::BackgroundCommand(const std::string& program,
                                     const std::vector<std::string>& args) {
  const std::string out_path = (dir_.path() / "out").string();
  const std::string err_path = (dir_.path() / "err").string();
  // Built before the fork: the child of a process with threads (a test's server) calls only
  // what is safe there.
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out_fd < 0 || err_fd < 0) _exit(127);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    close_range(3, ~0U, 0);  // the test's sockets stay the test's
    execv(program.c_str(), argv.data());
    _exit(127);
  }
}

BackgroundCommand::~BackgroundCommand() {
  if (!Ended()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
}

std::string BackgroundCommand::out() const {
  return ReadAll(dir_.path() / "out");
}

std::string BackgroundCommand::err() const {
  return ReadAll(dir_.path() / "err");
}

bool BackgroundCommand::Ended() {
  if (!ended_ && waitpid(pid_, &status_, WNOHANG) == pid_) ended_ = true;
  return ended_;
}

bool BackgroundCommand::WaitForErr(std::string_view text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (err().find(text) != std::string::npos) return true;
    if (Ended() || std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void BackgroundCommand::Signal(int signal) const {
  if (!ended_) kill(pid_, signal);
}

CommandResult BackgroundCommand::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Ended()) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
      ended_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CommandResult result;
  result.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  result.out = out();
  result.err = err();
  return result;
}

}  // namespace baiying::testing
