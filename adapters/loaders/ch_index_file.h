#pragma once
// The road index (engine/roads/ch_index.h) in a file, so that a server starts in the time it
// takes to read it rather than to contract the graph again (seconds on DIMACS New York).
//
// The format, version 1, every integer little-endian:
//   offset  size
//        0     8  magic "BYCHIDX\n"
//        8     4  format version (1)
//       12     4  0 (reserved)
//       16     8  fingerprint of the graph and travel model (ChIndex::Fingerprint)
//       24     4  places P
//       28     4  upward arcs U
//       32     4  downward arcs D
//       36     4  closed arcs C
//       40     8  0 (reserved)
//       48        rank by place: P x u32
//                 first upward arc by rank: (P + 1) x u32
//                 upward arcs: U x (other u32, time u32, middle u32; 0xffffffff: none)
//                 first downward arc by rank: (P + 1) x u32
//                 downward arcs: D x (other, time, middle)
//                 closed arcs: C x u32
//  end - 4     4  checksum: CRC-32 (zlib's) of every byte before it
// A reader refuses a version newer than its own; the layout of a version never changes.

#include <filesystem>

#include "engine/core/status.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"

namespace baiying::loaders {

inline constexpr std::uint32_t kChIndexFileVersion = 1;

// Writes `index` to `path` atomically: to a temporary file in the same folder, flushed to disk
// (fsync), then renamed over `path` and the folder flushed, so that a crash leaves either the
// old file or the new one, never a part of either. Unavailable, naming the file, when it cannot
// be written; the temporary file is removed then.
Status SaveChIndex(const std::filesystem::path& path, const ChIndex& index);

// Reads the index saved at `path` for `graph`. The file is checked in full before the index is
// used; every refusal names the file and what is wrong:
//   NotFound         no such file;
//   Unavailable      it cannot be read;
//   InvalidArgument  not an index file (magic), a format version newer than this program's,
//                    truncated at byte N, bytes after the end, a checksum mismatch, built on
//                    another graph or travel model (the fingerprint), and anything
//                    ChIndex::FromParts refuses.
// Sizes read from the file are checked against its length before anything is allocated, so a
// corrupt file is refused, never a crash or an allocation of what a corrupt count says.
Result<ChIndex> LoadChIndex(const std::filesystem::path& path, const RoadGraph& graph);

}  // namespace baiying::loaders
