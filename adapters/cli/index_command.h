#pragma once
// `baiying index build`: the road index (engine/roads/ch_index.h, a contraction hierarchy) of a
// network, saved to the file `baiying serve` loads at start (adapters/loaders/ch_index_file.h),
// so that a server on a large network starts in the time it takes to read the file rather than
// to contract the graph. And what serve does with that file.

#include <filesystem>
#include <iosfwd>
#include <memory>

#include "engine/core/status.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"

namespace baiying::cli {

// The index file's name: `index build` writes it in the current folder, `serve` reads it beside
// its journal, so that the defaults of the two meet (./baiying-journal.db).
inline constexpr const char* kDefaultIndexFile = "baiying-index.bin";

struct IndexBuildFlags {
  std::filesystem::path network;  // default data/xizang
  std::filesystem::path out = kDefaultIndexFile;
};

// Loads the network, contracts it and saves the index; prints the places, arcs, shortcuts,
// the time taken and the file's size. Returns an ExitCode (route_command.h): kExitDataError
// when the network cannot be loaded or the file cannot be written.
int RunIndexBuild(const IndexBuildFlags& flags, std::ostream& out, std::ostream& err);

// What serve starts with: the index saved at `path` when it is there and of `graph`; otherwise
// (missing, unreadable, damaged, of another graph or format) one built now and saved over
// `path`. Only a failed build is an error: a file that cannot be read or written is logged as a
// warning naming it and the reason, and the index built in memory is used. Logs (spdlog) which
// it was and the time it took.
Result<std::shared_ptr<const ChIndex>> LoadOrBuildIndex(const std::filesystem::path& path,
                                                        const RoadGraph& graph);

}  // namespace baiying::cli
