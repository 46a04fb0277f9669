#include "adapters/cli/route_command.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>

#include "adapters/cli/format.h"
#include "adapters/loaders/closures_csv.h"
#include "adapters/loaders/network_loader.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_query.h"

namespace baiying::cli {
namespace {

nlohmann::json PlaceJson(const RoadGraph& graph, PlaceId id) {
  const PlaceSpec& p = graph.place(id);
  return {{"id", id.value()},
          {"name", p.name},
          {"pinyin", p.pinyin},
          {"kind", ToString(p.kind)},
          {"lat", p.lat},
          {"lon", p.lon},
          {"elevation_m", p.elevation_m}};
}

nlohmann::json ClosureJson(const RoadGraph& graph, const Closure& c) {
  nlohmann::json j = {{"reason", c.reason}};
  if (c.arc.valid()) {
    j["from"] = graph.place(graph.tail(c.arc)).name;
    j["to"] = graph.place(graph.head(c.arc)).name;
  } else {
    j["place"] = graph.place(c.place).name;
  }
  if (c.from != kBeginningOfTime) j["active_from"] = loaders::FormatIsoInstant(c.from);
  if (c.until != kEndOfTime) j["active_until"] = loaders::FormatIsoInstant(c.until);
  return j;
}

void PrintText(const RoadGraph& graph, const Route& route, const ClosureSet& closures,
               std::ostream& out) {
  out << PlaceLabel(graph, route.from) << " -> " << PlaceLabel(graph, route.to) << "\n";
  out << "distance " << FormatDistance(route.length_m) << ", travel time "
      << FormatDuration(route.time) << ", highest point " << route.max_elevation_m << " m\n";
  std::size_t arc_index = 0;
  for (const RouteLeg& leg : route.legs) {
    out << "  " << (leg.road_ref.empty() ? std::string("(link)") : leg.road_ref) << "  "
        << graph.place(leg.from).name << " -> " << graph.place(leg.to).name << "  "
        << FormatDistance(leg.length_m) << "  " << FormatDuration(leg.time)
        << (leg.estimated ? "  (length estimated)" : "") << "\n";
    // The named places the leg passes through; junctions have no name worth reading.
    std::string via;
    for (; arc_index < route.arcs.size() && graph.head(route.arcs[arc_index]) != leg.to;
         ++arc_index) {
      const PlaceId through = graph.head(route.arcs[arc_index]);
      if (graph.place(through).kind == PlaceKind::kJunction) continue;
      via += via.empty() ? "" : ", ";
      via += graph.place(through).name;
    }
    ++arc_index;
    if (!via.empty()) out << "        via " << via << "\n";
  }
  const std::vector<Closure> current = closures.Current();
  if (!current.empty()) out << current.size() << " closure(s) in force\n";
}

}  // namespace

std::filesystem::path DefaultNetworkPath() {
  if (const char* data = std::getenv("BAIYING_DATA"); data != nullptr && *data != '\0') {
    return std::filesystem::path(data) / "xizang";
  }
  return std::filesystem::path(BAIYING_DEFAULT_DATA_DIR) / "xizang";
}

int RunRoute(const RouteOptions& options, std::ostream& out, std::ostream& err) {
  Result<loaders::NetworkSpec> spec = loaders::LoadNetworkSpec(options.network);
  if (!spec.ok()) {
    err << "baiying route: " << spec.status().message() << "\n";
    return kExitDataError;
  }
  Result<RoadGraph> graph = loaders::BuildGraph(std::move(*spec));
  if (!graph.ok()) {
    err << "baiying route: " << options.network.string() << ": " << graph.status().message()
        << "\n";
    return kExitDataError;
  }

  Result<PlaceId> from = graph->FindPlace(options.from);
  if (!from.ok()) {
    err << "baiying route: --from: " << from.status().message() << "\n";
    return kExitUsage;
  }
  Result<PlaceId> to = graph->FindPlace(options.to);
  if (!to.ok()) {
    err << "baiying route: --to: " << to.status().message() << "\n";
    return kExitUsage;
  }

  std::vector<loaders::ClosureRequest> requests;
  if (options.closures_file) {
    Result<std::vector<loaders::ClosureRequest>> from_file =
        loaders::ReadClosuresCsv(*options.closures_file);
    if (!from_file.ok()) {
      err << "baiying route: " << from_file.status().message() << "\n";
      return kExitDataError;
    }
    requests = std::move(*from_file);
  }
  for (const std::string& road : options.close_roads) {
    requests.push_back({.is_place = false,
                        .at = road,
                        .reason = "closed on the command line",
                        .origin = "--close " + road});
  }
  for (const std::string& place : options.close_places) {
    requests.push_back({.is_place = true,
                        .at = place,
                        .reason = "closed on the command line",
                        .origin = "--close-place " + place});
  }
  ClosureSet closures(*graph);
  if (Result<std::size_t> applied = loaders::ApplyClosures(requests, closures); !applied.ok()) {
    err << "baiying route: " << applied.status().message() << "\n";
    return kExitUsage;
  }

  RoadQuery query(*graph);
  Result<Route> route = query.ShortestRoute(*from, *to, {.closures = &closures, .at = options.at});
  if (!route.ok()) {
    if (options.json) {
      nlohmann::json j = {{"from", PlaceJson(*graph, *from)},
                          {"to", PlaceJson(*graph, *to)},
                          {"reachable", false},
                          {"error", route.status().message()}};
      out << j.dump(2) << "\n";
    }
    err << "baiying route: " << route.status().message() << "\n";
    return kExitUnreachable;
  }

  if (options.json) {
    nlohmann::json legs = nlohmann::json::array();
    for (const RouteLeg& leg : route->legs) {
      legs.push_back({{"road_ref", leg.road_ref},
                      {"from", graph->place(leg.from).name},
                      {"to", graph->place(leg.to).name},
                      {"length_m", leg.length_m},
                      {"travel_time_s", leg.time / 1000.0},
                      {"estimated", leg.estimated}});
    }
    nlohmann::json places = nlohmann::json::array();
    places.push_back(PlaceJson(*graph, route->from));
    for (ArcId arc : route->arcs)
      places.push_back(PlaceJson(*graph, graph->head(arc)));
    nlohmann::json closed = nlohmann::json::array();
    for (const Closure& c : closures.Current())
      closed.push_back(ClosureJson(*graph, c));
    nlohmann::json j = {{"from", PlaceJson(*graph, *from)},
                        {"to", PlaceJson(*graph, *to)},
                        {"reachable", true},
                        {"distance_m", route->length_m},
                        {"travel_time_s", route->time / 1000.0},
                        {"max_elevation_m", route->max_elevation_m},
                        {"legs", legs},
                        {"path", places},
                        {"closures", closed}};
    out << j.dump(2) << "\n";
  } else {
    PrintText(*graph, *route, closures, out);
  }
  return kExitOk;
}

}  // namespace baiying::cli
