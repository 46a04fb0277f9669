#include "adapters/loaders/dimacs.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/loaders/text_reader.h"
#include "engine/roads/road_graph.h"

namespace baiying::loaders {
namespace {

constexpr std::size_t kMaxTokens = 5;
using Tokens = std::array<std::string_view, kMaxTokens + 1>;

// Splits on blanks without allocating; returns the number of tokens, capped at
// kMaxTokens + 1 so that "too many" is still visible to the caller.
std::size_t Tokenize(std::string_view line, Tokens& tokens) {
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (count < tokens.size()) {
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    if (i == n) break;
    const std::size_t start = i;
    while (i < n && line[i] != ' ' && line[i] != '\t')
      ++i;
    tokens[count++] = line.substr(start, i - start);
  }
  return count;
}

// Ids and counts must leave room for the "no place" and "no arc" sentinels.
constexpr std::int64_t kMaxCount = std::int64_t{std::numeric_limits<std::uint32_t>::max()} - 1;

struct GraphFile {
  std::uint32_t node_count = 0;
  std::vector<ArcSpec> arcs;
};

Status ParseCount(const LineReader& reader, std::string_view field, std::string_view text,
                  std::int64_t low, std::int64_t& out) {
  if (!ParseInt(text, out)) {
    return reader.FieldError(field, "expected a whole number, found '" + std::string(text) + "'");
  }
  if (out < low || out > kMaxCount) {
    return reader.FieldError(field, std::string(text) + " is out of range [" + std::to_string(low) +
                                        ", " + std::to_string(kMaxCount) + "]");
  }
  return Status::Ok();
}

// A 1-based DIMACS node number to a PlaceId.
Status ParseNode(const LineReader& reader, std::string_view field, std::string_view text,
                 std::uint32_t node_count, PlaceId& out) {
  std::int64_t number = 0;
  if (!ParseInt(text, number)) {
    return reader.FieldError(field, "expected a node number, found '" + std::string(text) + "'");
  }
  if (number < 1 || number > node_count) {
    return reader.FieldError(field, "node " + std::string(text) + " is out of range [1, " +
                                        std::to_string(node_count) + "]");
  }
  out = PlaceId(static_cast<std::uint32_t>(number - 1));
  return Status::Ok();
}

std::string Quote(std::string_view line) {
  constexpr std::size_t kShown = 40;
  std::string out = "'";
  out += line.substr(0, kShown);
  if (line.size() > kShown) out += "...";
  out += "'";
  return out;
}

Result<GraphFile> ReadGraphFile(const std::filesystem::path& path, std::int64_t unit_ms) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;

  const std::int64_t max_weight = std::int64_t{kInfiniteTime - 1} / unit_ms;
  GraphFile graph;
  std::int64_t announced_arcs = 0;
  std::uint64_t problem_line = 0;
  std::string line;
  Tokens tokens;
  while (reader.Next(line)) {
    const std::size_t count = Tokenize(line, tokens);
    if (count == 0) continue;
    const std::string_view kind = tokens[0];
    if (kind == "a") {
      if (problem_line == 0) return reader.Error("arc before the problem line 'p sp N M'");
      if (count != 4) {
        return reader.Error("expected 'a <tail> <head> <weight>', found " + Quote(line));
      }
      if (graph.arcs.size() == static_cast<std::size_t>(announced_arcs)) {
        return reader.Error("more arcs than the " + std::to_string(announced_arcs) +
                            " announced by the problem line (line " + std::to_string(problem_line) +
                            ")");
      }
      ArcSpec arc;
      BAIYING_RETURN_IF_ERROR(ParseNode(reader, "tail", tokens[1], graph.node_count, arc.from));
      BAIYING_RETURN_IF_ERROR(ParseNode(reader, "head", tokens[2], graph.node_count, arc.to));
      if (arc.from == arc.to) {
        return reader.FieldError("head",
                                 "same node as the tail: a loop, which a road graph "
                                 "cannot hold");
      }
      std::int64_t weight = 0;
      if (!ParseInt(tokens[3], weight) || weight < 0) {
        return reader.FieldError("weight", "expected a non-negative whole number, found '" +
                                               std::string(tokens[3]) + "'");
      }
      if (weight > max_weight) {
        return reader.FieldError("weight", std::string(tokens[3]) + " units of " +
                                               std::to_string(unit_ms) +
                                               " ms do not fit a 32-bit travel time (at most " +
                                               std::to_string(kInfiniteTime - 1) + " ms)");
      }
      arc.fixed_time = static_cast<TravelTime>(weight * unit_ms);
      arc.length_source = LengthSource::kEstimated;
      graph.arcs.push_back(std::move(arc));
    } else if (kind.front() == 'c') {
      continue;
    } else if (kind == "p") {
      if (problem_line != 0) {
        return reader.Error("second problem line (the first is line " +
                            std::to_string(problem_line) + ")");
      }
      if (count != 4 || tokens[1] != "sp") {
        return reader.Error("expected the problem line 'p sp <nodes> <arcs>', found " +
                            Quote(line));
      }
      std::int64_t nodes = 0;
      BAIYING_RETURN_IF_ERROR(ParseCount(reader, "nodes", tokens[2], 1, nodes));
      BAIYING_RETURN_IF_ERROR(ParseCount(reader, "arcs", tokens[3], 0, announced_arcs));
      graph.node_count = static_cast<std::uint32_t>(nodes);
      // Capped: the count is only a claim until the arcs are read, and a corrupt one must not
      // reserve gigabytes.
      constexpr std::int64_t kMaxReserve = std::int64_t{1} << 24;
      graph.arcs.reserve(static_cast<std::size_t>(std::min(announced_arcs, kMaxReserve)));
      problem_line = reader.line_number();
    } else {
      return reader.Error("unrecognised line " + Quote(line) +
                          "; expected 'c' (comment), 'p' (problem) or 'a' (arc)");
    }
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  if (problem_line == 0) {
    return Status::InvalidArgument(reader.file_name() + ": no problem line 'p sp <nodes> <arcs>'");
  }
  if (graph.arcs.size() != static_cast<std::size_t>(announced_arcs)) {
    return reader.Error("end of file after " + std::to_string(graph.arcs.size()) +
                        " arcs, but the problem line (line " + std::to_string(problem_line) +
                        ") announces " + std::to_string(announced_arcs));
  }
  return graph;
}

struct Coordinates {
  std::vector<double> lat;
  std::vector<double> lon;
};

Status ParseDegrees(const LineReader& reader, std::string_view field, std::string_view text,
                    double limit, double& out) {
  std::int64_t millionths = 0;
  if (!ParseInt(text, millionths)) {
    return reader.FieldError(field, "expected millionths of a degree (a whole number), found '" +
                                        std::string(text) + "'");
  }
  out = static_cast<double>(millionths) / 1e6;
  if (out < -limit || out > limit) {
    return reader.FieldError(field, std::string(text) + " millionths of a degree is outside [-" +
                                        std::to_string(static_cast<int>(limit)) + ", " +
                                        std::to_string(static_cast<int>(limit)) + "] degrees");
  }
  return Status::Ok();
}

Result<Coordinates> ReadCoordinatesFile(const std::filesystem::path& path,
                                        const std::filesystem::path& graph_path,
                                        std::uint32_t node_count) {
  Result<LineReader> opened = LineReader::Open(path);
  if (!opened.ok()) return opened.status();
  LineReader& reader = *opened;

  Coordinates coords;
  std::vector<bool> seen;
  std::uint32_t seen_count = 0;
  std::uint64_t problem_line = 0;
  std::string line;
  Tokens tokens;
  while (reader.Next(line)) {
    const std::size_t count = Tokenize(line, tokens);
    if (count == 0) continue;
    const std::string_view kind = tokens[0];
    if (kind == "v") {
      if (problem_line == 0) return reader.Error("node before the problem line 'p aux sp co N'");
      if (count != 4) return reader.Error("expected 'v <id> <x> <y>', found " + Quote(line));
      PlaceId node;
      BAIYING_RETURN_IF_ERROR(ParseNode(reader, "id", tokens[1], node_count, node));
      if (seen[node.value()]) {
        return reader.FieldError(
            "id", "node " + std::string(tokens[1]) + " already has coordinates on an earlier line");
      }
      // x is longitude and y latitude, both in millionths of a degree.
      BAIYING_RETURN_IF_ERROR(ParseDegrees(reader, "x", tokens[2], 180, coords.lon[node.value()]));
      BAIYING_RETURN_IF_ERROR(ParseDegrees(reader, "y", tokens[3], 90, coords.lat[node.value()]));
      seen[node.value()] = true;
      ++seen_count;
    } else if (kind.front() == 'c') {
      continue;
    } else if (kind == "p") {
      if (problem_line != 0) {
        return reader.Error("second problem line (the first is line " +
                            std::to_string(problem_line) + ")");
      }
      if (count != 5 || tokens[1] != "aux" || tokens[2] != "sp" || tokens[3] != "co") {
        return reader.Error("expected the problem line 'p aux sp co <nodes>', found " +
                            Quote(line));
      }
      std::int64_t nodes = 0;
      BAIYING_RETURN_IF_ERROR(ParseCount(reader, "nodes", tokens[4], 1, nodes));
      if (nodes != node_count) {
        return reader.FieldError("nodes", std::to_string(nodes) + " nodes, but " +
                                              graph_path.string() + " has " +
                                              std::to_string(node_count));
      }
      coords.lat.assign(node_count, 0.0);
      coords.lon.assign(node_count, 0.0);
      seen.assign(node_count, false);
      problem_line = reader.line_number();
    } else {
      return reader.Error("unrecognised line " + Quote(line) +
                          "; expected 'c' (comment), 'p' (problem) or 'v' (node)");
    }
  }
  BAIYING_RETURN_IF_ERROR(reader.status());
  if (problem_line == 0) {
    return Status::InvalidArgument(reader.file_name() + ": no problem line 'p aux sp co <nodes>'");
  }
  if (seen_count != node_count) {
    std::uint32_t missing = 0;
    while (seen[missing])
      ++missing;
    return reader.Error("end of file with coordinates for " + std::to_string(seen_count) + " of " +
                        std::to_string(node_count) + " nodes (node " + std::to_string(missing + 1) +
                        " has none)");
  }
  return coords;
}

}  // namespace

Result<NetworkSpec> ReadDimacs(const std::filesystem::path& graph_path,
                               const std::optional<std::filesystem::path>& coords_path,
                               const DimacsOptions& options) {
  const std::int64_t unit_ms = options.time_unit.count();
  if (unit_ms <= 0) {
    return Status::InvalidArgument("DIMACS time unit must be positive, not " +
                                   std::to_string(unit_ms) + " ms");
  }
  Result<GraphFile> graph = ReadGraphFile(graph_path, unit_ms);
  if (!graph.ok()) return graph.status();
  const std::uint32_t n = graph->node_count;

  std::optional<Coordinates> coords;
  if (coords_path) {
    Result<Coordinates> read = ReadCoordinatesFile(*coords_path, graph_path, n);
    if (!read.ok()) return read.status();
    coords = std::move(read).value();
  }

  NetworkSpec spec;
  try {
    spec.places.resize(n);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted(graph_path.string() + ": not enough memory for " +
                                     std::to_string(n) + " nodes");
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    PlaceSpec& place = spec.places[i];
    place.name = std::to_string(std::uint64_t{i} + 1);
    place.kind = PlaceKind::kJunction;
    if (coords) {
      place.lat = coords->lat[i];
      place.lon = coords->lon[i];
    }
  }
  // The times come with the graph, but lengths do not. With coordinates, the straight line
  // between the ends is a fair estimate (and marked as one); without them the length stays 0,
  // which RoadGraph::Build accepts for arcs with a fixed time, rather than a made-up figure
  // that would read as a real distance in route summaries.
  if (coords) {
    for (ArcSpec& arc : graph->arcs) {
      const std::uint32_t u = arc.from.value();
      const std::uint32_t v = arc.to.value();
      const double metres =
          HaversineMeters(coords->lat[u], coords->lon[u], coords->lat[v], coords->lon[v]);
      const long long rounded = std::llround(metres);
      constexpr long long kMaxLength = std::numeric_limits<std::uint32_t>::max();
      arc.length_m = static_cast<std::uint32_t>(rounded > kMaxLength ? kMaxLength : rounded);
    }
  }
  spec.arcs = std::move(graph->arcs);
  return spec;
}

}  // namespace baiying::loaders
