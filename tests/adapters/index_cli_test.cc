// `baiying index build` through the real program: the index of data/xizang and of a DIMACS
// graph, saved where --out says and loadable for that graph; errors name what is wrong.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "adapters/loaders/ch_index_file.h"
#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/network_spec.h"
#include "tests/support/files.h"
#include "tests/support/run_command.h"

namespace {

namespace fs = std::filesystem;
using baiying::testing::CommandResult;
using baiying::testing::RunCommand;
using baiying::testing::TempDir;

baiying::RoadGraph LoadGraph(const fs::path& network) {
  baiying::Result<baiying::loaders::NetworkSpec> spec = baiying::loaders::LoadNetworkSpec(network);
  REQUIRE_MESSAGE(spec.ok(), spec.status().message());
  baiying::Result<baiying::RoadGraph> graph = baiying::loaders::BuildGraph(std::move(*spec));
  REQUIRE_MESSAGE(graph.ok(), graph.status().message());
  return std::move(graph).value();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Four places, five arcs, with DIMACS's own travel times.
constexpr const char* kSmallDimacs =
    "p sp 4 5\n"
    "a 1 2 10\n"
    "a 2 1 10\n"
    "a 2 3 7\n"
    "a 3 4 5\n"
    "a 4 1 12\n";

}  // namespace

TEST_CASE("index build: data/xizang by default, its figures printed, the file loads") {
  TempDir dir;
  const fs::path out = dir.path() / "xizang.idx";
  const CommandResult built = RunCommand(BAIYING_BINARY, {"index", "build", "--out", out.string()});
  INFO("stdout: " << built.out << "\nstderr: " << built.err);
  REQUIRE(built.exit_code == 0);
  const baiying::RoadGraph graph = LoadGraph(fs::path(BAIYING_SOURCE_DIR) / "data" / "xizang");
  CHECK(Contains(built.out, "data/xizang: " + std::to_string(graph.place_count()) + " places, " +
                                std::to_string(graph.arc_count()) + " arcs"));
  CHECK(Contains(built.out, " shortcuts, "));
  CHECK(Contains(built.out, "(built in "));
  CHECK(Contains(built.out, "saved    " + out.string() + ": "));
  CHECK(Contains(built.out, " KiB"));
  baiying::Result<baiying::ChIndex> loaded = baiying::loaders::LoadChIndex(out, graph);
  CHECK_MESSAGE(loaded.ok(), loaded.status().message());
}

TEST_CASE("index build: a DIMACS network, as the other commands take it") {
  TempDir dir;
  const fs::path network = dir.Write("small.gr", kSmallDimacs);
  const fs::path out = dir.path() / "small.idx";
  const CommandResult built = RunCommand(
      BAIYING_BINARY, {"index", "build", "--network", network.string(), "--out", out.string()});
  INFO("stdout: " << built.out << "\nstderr: " << built.err);
  REQUIRE(built.exit_code == 0);
  CHECK(Contains(built.out, "small.gr: 4 places, 5 arcs"));
  const baiying::RoadGraph graph = LoadGraph(network);
  baiying::Result<baiying::ChIndex> loaded = baiying::loaders::LoadChIndex(out, graph);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  baiying::ChQuery query(*loaded, graph);
  // 1 -> 2 -> 3 -> 4, a DIMACS unit read as 10 ms.
  CHECK(query.Time(baiying::PlaceId(0), baiying::PlaceId(3)) == (10 + 7 + 5) * 10);
}

TEST_CASE("index build: errors name the network or the file, with their exit codes") {
  TempDir dir;
  const CommandResult no_network =
      RunCommand(BAIYING_BINARY, {"index", "build", "--network", (dir.path() / "absent").string(),
                                  "--out", (dir.path() / "x.idx").string()});
  CHECK(no_network.exit_code == 4);
  CHECK(Contains(no_network.err, "baiying index build: "));
  CHECK(Contains(no_network.err, "absent"));

  const fs::path nowhere = dir.path() / "no-such-folder" / "x.idx";
  const CommandResult unwritable =
      RunCommand(BAIYING_BINARY, {"index", "build", "--out", nowhere.string()});
  CHECK(unwritable.exit_code == 4);
  CHECK(Contains(unwritable.err, nowhere.string()));
  CHECK_FALSE(fs::exists(nowhere.parent_path()));

  CHECK(RunCommand(BAIYING_BINARY, {"index"}).exit_code == 2);
  CHECK(RunCommand(BAIYING_BINARY, {"index", "build", "--bogus"}).exit_code == 2);
}
