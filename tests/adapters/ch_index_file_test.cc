// The road index in a file (adapters/loaders/ch_index_file.h): what is saved loads back and
// answers as the index that was built; every kind of damage is refused with a message that
// names the file and the damage, and none crashes the reader.

#include "adapters/loaders/ch_index_file.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/network_spec.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"
#include "tests/support/files.h"
#include "tests/support/grid_graph.h"

namespace baiying::loaders {
namespace {

namespace fs = std::filesystem;
using ::baiying::testing::TempDir;
using ::baiying::testing::WriteFile;

RoadGraph Xizang() {
  Result<NetworkSpec> spec = LoadNetworkSpec(fs::path(BAIYING_SOURCE_DIR) / "data" / "xizang");
  REQUIRE_MESSAGE(spec.ok(), spec.status().message());
  Result<RoadGraph> graph = BuildGraph(std::move(*spec));
  REQUIRE_MESSAGE(graph.ok(), graph.status().message());
  return std::move(graph).value();
}

// A grid small enough that every prefix of its index file can be tried.
RoadGraph Grid(std::uint32_t width, std::uint32_t height, unsigned seed) {
  Result<RoadGraph> graph = ::baiying::testing::BuildGridGraph(width, height, seed);
  REQUIRE_MESSAGE(graph.ok(), graph.status().message());
  return std::move(graph).value();
}

ChIndex BuildIndex(const RoadGraph& graph, std::span<const ArcId> closed = {}) {
  Result<ChIndex> index = ChIndex::Build(graph, {}, closed);
  REQUIRE_MESSAGE(index.ok(), index.status().message());
  return std::move(index).value();
}

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The bytes of `index` as saved to a file of `dir`.
std::string SavedBytes(const TempDir& dir, const ChIndex& index) {
  const fs::path path = dir.path() / "saved.idx";
  REQUIRE(SaveChIndex(path, index).ok());
  return ReadBytes(path);
}

// The file's bytes with its trailing checksum made right again, as a writer with a bug would
// leave it: what only ChIndex::FromParts can catch.
std::string WithChecksum(std::string bytes) {
  const std::size_t body = bytes.size() - 4;
  const auto crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(body)));
  for (int i = 0; i < 4; ++i)
    bytes[body + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return bytes;
}

void Put32(std::string& bytes, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i)
    bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// The message of refusing `bytes` as the index of `graph`, written to a file of `dir`.
std::string Refusal(const TempDir& dir, const std::string& bytes, const RoadGraph& graph) {
  const fs::path path = dir.Write("damaged.idx", bytes);
  Result<ChIndex> loaded = LoadChIndex(path, graph);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.status().code() == StatusCode::kInvalidArgument);
  const std::string& message = loaded.status().message();
  CHECK_MESSAGE(message.starts_with(path.string() + ": "), message);
  return message;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("index file: data/xizang saved and loaded answers every pair as the built index") {
  const RoadGraph graph = Xizang();
  const ChIndex built = BuildIndex(graph);
  TempDir dir;
  const fs::path path = dir.path() / "xizang.idx";
  REQUIRE(SaveChIndex(path, built).ok());
  Result<ChIndex> loaded = LoadChIndex(path, graph);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  CHECK(loaded->graph_fingerprint() == built.graph_fingerprint());
  CHECK(loaded->shortcut_count() == built.shortcut_count());
  CHECK(loaded->MemoryBytes() == built.MemoryBytes());
  CHECK(loaded->closed_arcs().empty());

  ChQuery from_built(built, graph);
  ChQuery from_loaded(*loaded, graph);
  std::size_t reachable = 0;
  for (std::uint32_t a = 0; a < graph.place_count(); ++a) {
    for (std::uint32_t b = 0; b < graph.place_count(); ++b) {
      const TravelTime expected = from_built.Time(PlaceId(a), PlaceId(b));
      REQUIRE(from_loaded.Time(PlaceId(a), PlaceId(b)) == expected);
      reachable += expected != kInfiniteTime ? 1 : 0;
    }
  }
  CHECK(reachable > graph.place_count() * graph.place_count() / 2);
  // Saved again, the same bytes: the format has one spelling of an index.
  const fs::path again = dir.path() / "again.idx";
  REQUIRE(SaveChIndex(again, *loaded).ok());
  CHECK(ReadBytes(again) == ReadBytes(path));
}

TEST_CASE("index file: an index built for closed arcs keeps them") {
  const RoadGraph graph = Grid(4, 3, 7);
  const std::vector<ArcId> closed = {ArcId(5), ArcId(2)};
  const ChIndex built = BuildIndex(graph, closed);
  TempDir dir;
  const fs::path path = dir.path() / "closed.idx";
  REQUIRE(SaveChIndex(path, built).ok());
  Result<ChIndex> loaded = LoadChIndex(path, graph);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  const std::vector<ArcId> sorted = {ArcId(2), ArcId(5)};
  CHECK(loaded->BuiltFor(sorted));
}

TEST_CASE("index file: saving replaces the file whole and leaves nothing beside it") {
  const RoadGraph small = Grid(3, 3, 1);
  const RoadGraph large = Grid(5, 4, 2);
  TempDir dir;
  const fs::path path = dir.path() / "index.bin";
  WriteFile(path, "an older file");
  REQUIRE(SaveChIndex(path, BuildIndex(small)).ok());
  CHECK(LoadChIndex(path, small).ok());
  REQUIRE(SaveChIndex(path, BuildIndex(large)).ok());
  CHECK(LoadChIndex(path, large).ok());
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir.path()))
    names.push_back(entry.path().filename().string());
  CHECK(names == std::vector<std::string>{"index.bin"});

  const Status nowhere =
      SaveChIndex(dir.path() / "no-such-folder" / "index.bin", BuildIndex(small));
  CHECK(nowhere.code() == StatusCode::kUnavailable);
  CHECK(Contains(nowhere.message(), "no-such-folder/index.bin"));
}

TEST_CASE("index file: a missing file is NotFound, a folder cannot be read") {
  const RoadGraph graph = Grid(3, 3, 1);
  TempDir dir;
  Result<ChIndex> missing = LoadChIndex(dir.path() / "absent.idx", graph);
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(Contains(missing.status().message(), "absent.idx: no such file"));
  Result<ChIndex> folder = LoadChIndex(dir.path(), graph);
  CHECK(folder.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("index file: each kind of damage is refused, saying which") {
  const RoadGraph graph = Grid(4, 4, 3);
  TempDir dir;
  const std::string good = SavedBytes(dir, BuildIndex(graph));
  REQUIRE(good.size() > 48 + 4);
  REQUIRE(LoadChIndex(dir.path() / "saved.idx", graph).ok());

  SUBCASE("not an index file") {
    CHECK(Contains(Refusal(dir, "place,name\n1,拉萨\n", graph), "not a baiying road index file"));
    std::string other = good;
    other[0] = 'X';
    CHECK(Contains(Refusal(dir, other, graph), "not a baiying road index file"));
  }
  SUBCASE("a newer format version") {
    std::string newer = good;
    Put32(newer, 8, 2);
    const std::string message = Refusal(dir, WithChecksum(newer), graph);
    CHECK(Contains(message, "format version 2 is newer than this program reads (1)"));
  }
  SUBCASE("a count larger than the file: truncated, nothing allocated for it") {
    std::string huge = good;
    Put32(huge, 28, 0xFFFFFFFFu);  // upward arcs
    const std::string message = Refusal(dir, huge, graph);
    CHECK(Contains(message, "truncated at byte " + std::to_string(good.size())));
    CHECK(Contains(message, "a complete file has 51539"));  // ~ 4 G arcs x 12 bytes
  }
  SUBCASE("bytes after the end") {
    CHECK(Contains(Refusal(dir, good + "tail", graph), "4 bytes after the end of the index"));
  }
  SUBCASE("a checksum mismatch, wherever a bit flips") {
    for (std::size_t at :
         {std::size_t{16}, std::size_t{48}, good.size() / 2, good.size() - 5, good.size() - 1}) {
      std::string flipped = good;
      flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
      const std::string message = Refusal(dir, flipped, graph);
      CHECK_MESSAGE(Contains(message, "checksum mismatch"), "byte " << at << ": " << message);
      CHECK(Contains(message, "the file is corrupt"));
    }
  }
  SUBCASE("well checksummed, offsets past the end of the arcs and back") {
    std::string past = good;
    Put32(past, 48 + 4 * 16 + 4, 0xFFFF);  // the first upward arc of rank 1, of 16 places
    const std::string message = Refusal(dir, WithChecksum(past), graph);
    CHECK(Contains(message, "upward arc offsets decrease at rank 1"));
  }
  SUBCASE("well checksummed but malformed: what FromParts refuses") {
    std::string twice = good;
    Put32(twice, 48 + 4, 0);  // place 1 given rank 0, as place 0 may be
    Put32(twice, 48, 0);
    const std::string message = Refusal(dir, WithChecksum(twice), graph);
    CHECK(Contains(message, "contraction hierarchy: the ranks are not a permutation"));
  }
}

TEST_CASE("index file: random damage behind a good checksum never crashes the reader") {
  const RoadGraph graph = Grid(4, 4, 9);
  TempDir dir;
  const std::string good = SavedBytes(dir, BuildIndex(graph));
  std::mt19937 random(2026);
  std::uniform_int_distribution<std::size_t> where(8, good.size() - 5);  // magic and sum kept
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> flips(1, 3);
  std::size_t refused = 0;
  constexpr int kTries = 2'000;
  for (int i = 0; i < kTries; ++i) {
    std::string damaged = good;
    for (int n = flips(random); n > 0; --n)
      damaged[where(random)] = static_cast<char>(byte(random));
    const fs::path file = dir.Write("damaged.idx", WithChecksum(damaged));
    Result<ChIndex> loaded = LoadChIndex(file, graph);
    if (!loaded.ok()) {
      ++refused;
      CHECK(loaded.status().code() == StatusCode::kInvalidArgument);
    }
  }
  // Most damage is caught; a changed travel time of a shortcut, say, is not (the checksum is
  // what catches it in a file nobody rewrote).
  CHECK(refused > kTries / 2);
}

TEST_CASE("index file: every truncation of a small graph's file is refused at its byte") {
  const RoadGraph graph = Grid(4, 3, 11);
  const ChIndex index = BuildIndex(graph);
  CHECK(index.shortcut_count() > 0);  // so that shortcuts' middle places are in the file
  TempDir dir;
  const std::string good = SavedBytes(dir, index);
  for (std::size_t size = 0; size < good.size(); ++size) {
    const fs::path cut = dir.Write("cut.idx", good.substr(0, size));
    Result<ChIndex> loaded = LoadChIndex(cut, graph);
    REQUIRE_MESSAGE(!loaded.ok(), "a prefix of " << size << " bytes loaded");
    CHECK_MESSAGE(Contains(loaded.status().message(), "truncated at byte " + std::to_string(size)),
                  size << ": " << loaded.status().message());
  }
}

TEST_CASE("index file: an index of another graph or travel model is refused") {
  const RoadGraph xizang = Xizang();
  const RoadGraph grid = Grid(4, 3, 5);
  const RoadGraph same_shape = Grid(4, 3, 6);  // the same places, other road lengths
  TempDir dir;
  const fs::path path = dir.path() / "xizang.idx";
  REQUIRE(SaveChIndex(path, BuildIndex(xizang)).ok());
  Result<ChIndex> on_grid = LoadChIndex(path, grid);
  REQUIRE_FALSE(on_grid.ok());
  CHECK(Contains(on_grid.status().message(), path.string() + ": built on another graph"));
  CHECK(Contains(on_grid.status().message(),
                 "an index of " + std::to_string(xizang.place_count()) + " places"));

  const fs::path grid_path = dir.path() / "grid.idx";
  REQUIRE(SaveChIndex(grid_path, BuildIndex(grid)).ok());
  Result<ChIndex> other_times = LoadChIndex(grid_path, same_shape);
  REQUIRE_FALSE(other_times.ok());
  CHECK(Contains(other_times.status().message(), "built on another graph or travel model"));
  CHECK(Contains(other_times.status().message(), "the same 12 places, other arcs or travel times"));
}

}  // namespace
}  // namespace baiying::loaders
