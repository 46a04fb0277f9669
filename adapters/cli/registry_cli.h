#pragma once
// The flags of `baiying registry ...`, declared on the program's CLI11 parser.

#include <CLI/CLI.hpp>
#include <string>

#include "adapters/cli/registry_command.h"

namespace baiying::cli {

// Adds `registry` and its subcommands to `app`; parsed values land in `flags`, and --at in
// `at` (the caller turns it into flags.now). Returns the `registry` subcommand.
CLI::App* AddRegistryCommands(CLI::App& app, RegistryFlags& flags, std::string& at);

}  // namespace baiying::cli
