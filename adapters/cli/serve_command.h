#pragma once
// `baiying serve`: the dispatch server (adapters/net/server.h) on a road network and the
// registry, journaling every command to a local database file and recovering from it at start.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

namespace baiying::cli {

struct ServeFlags {
  std::string address = "127.0.0.1";
  std::uint16_t port = 7878;
  std::filesystem::path network;  // default data/xizang
  std::filesystem::path db;       // registry database (default as for `registry`)
  bool db_given = false;
  std::filesystem::path journal = "baiying-journal.db";
  // The road index file (index_command.h): default baiying-index.bin beside the journal.
  // Loaded at start, or built and saved when missing, stale or damaged.
  std::filesystem::path index;
  bool no_index = false;  // match with the exact search only
  std::size_t io_threads = 2;
  // Limits (net::ServerOptions).
  std::size_t max_frame_bytes = 64 * 1024;
  std::size_t max_connections = 1024;
  double idle_seconds = 300;
  double read_seconds = 30;
};

// Serves until SIGINT or SIGTERM. Returns an ExitCode (route_command.h): kExitDataError when
// the network, the registry or the journal cannot be loaded or the address cannot be bound.
int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace baiying::cli
