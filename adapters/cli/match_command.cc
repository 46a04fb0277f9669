#include "adapters/cli/match_command.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <ostream>

#include "adapters/cli/format.h"
#include "adapters/cli/registry_command.h"
#include "adapters/cli/route_command.h"
#include "adapters/loaders/network_loader.h"
#include "adapters/store/registry_store.h"
#include "engine/dispatch/dispatcher.h"

namespace baiying::cli {
namespace {

int Fail(std::ostream& err, const std::string& message, int code = kExitUsage) {
  err << "baiying match: " << message << "\n";
  return code;
}

}  // namespace

int RunMatch(const MatchFlags& flags, std::ostream& out, std::ostream& err) {
  // The network and the registry: the named database, or the default one (seeded on first use).
  Result<Ground> ground = LoadGround(flags.network, flags.db, flags.db_given, flags.now, err);
  if (!ground.ok()) return Fail(err, ground.status().message(), kExitDataError);
  const RoadGraph* graph = &ground->graph;

  Result<std::vector<RequestLine>> lines = ParseNeed(flags.need);
  if (!lines.ok()) return Fail(err, lines.status().message());
  std::optional<Priority> priority = ParsePriority(flags.priority);
  if (!priority) return Fail(err, "--priority: expected routine, urgent, critical or flash");
  std::optional<Mode> mode = ParseMode(flags.mode);
  if (!mode) return Fail(err, "--mode: expected peacetime, emergency or wartime");

  SubmitRequest request;
  request.request_id = "match";
  request.unit = "duty officer";
  request.priority = *priority;
  request.mode = *mode;
  request.deadline =
      flags.now + std::chrono::duration_cast<Duration>(
                      std::chrono::duration<double, std::ratio<3600>>(flags.deadline_hours));
  request.lines = *lines;
  double lat = 0, lon = 0;
  const std::size_t comma = flags.at.find(',');
  if (comma != std::string::npos &&
      std::from_chars(flags.at.data(), flags.at.data() + comma, lat).ec == std::errc() &&
      std::from_chars(flags.at.data() + comma + 1, flags.at.data() + flags.at.size(), lon).ec ==
          std::errc()) {
    request.lat = lat;
    request.lon = lon;
  } else {
    Result<PlaceId> place = graph->FindPlace(flags.at);
    if (!place.ok()) return Fail(err, "--at: " + place.status().message());
    request.place = *place;
  }

  Result<Dispatcher> dispatcher =
      Dispatcher::Create(*graph, std::make_shared<const Registry>(std::move(ground->registry)));
  if (!dispatcher.ok()) return Fail(err, dispatcher.status().message(), kExitDataError);
  std::vector<Event> events;
  for (const std::string& road : flags.close_roads) {
    const std::size_t dash = road.find('-');
    Result<PlaceId> a = graph->FindPlace(road.substr(0, dash));
    Result<PlaceId> b = dash == std::string::npos
                            ? Result<PlaceId>(Status::InvalidArgument("expected A-B"))
                            : graph->FindPlace(road.substr(dash + 1));
    if (!a.ok() || !b.ok()) return Fail(err, "--close " + road + ": expected A-B, adjacent places");
    Result<std::vector<Event>> closed =
        dispatcher->Apply({flags.now, CloseRoad{*a, *b, "closed on the command line"}});
    if (!closed.ok()) return Fail(err, "--close " + road + ": " + closed.status().message());
  }
  Result<std::vector<Event>> answer = dispatcher->Apply({flags.now, request});
  if (!answer.ok()) return Fail(err, answer.status().message());

  if (flags.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const Event& e : *answer)
      j.push_back(Describe(e));
    out << j.dump(2) << "\n";
  } else {
    for (const Event& e : *answer) {
      if (const auto* a = std::get_if<TeamAssigned>(&e)) {
        const Team& team = dispatcher->registry().team(*dispatcher->registry().FindTeam(a->team));
        const Explanation& x = a->explanation;
        out << a->team << "  " << team.name << "  " << a->specialty << " x" << a->units << "  ETA "
            << FormatDuration(x.eta) << " (mobilize " << FormatDuration(x.mobilization)
            << ", drive " << FormatDuration(x.travel) << ", " << FormatDistance(x.route.distance_m())
            << (x.late ? ", after the deadline" : "") << ")\n";
        out << "    from " << team.home_place << " via " << x.route.text() << "\n";
        for (const Alternative& alt : x.alternatives) {
          out << "    next: " << alt.team << " ETA " << FormatDuration(alt.eta) << "\n";
        }
        for (const PassedOver& p : x.passed_over) {
          out << "    passed over: " << p.team << " (" << FormatDuration(p.travel)
              << " away): " << p.why << "\n";
        }
      } else {
        out << Describe(e) << "\n";
      }
    }
  }
  return kExitOk;
}

}  // namespace baiying::cli
