// The matcher with the road index on data/xizang and the seed registry: two dispatchers are
// given the same random command streams (submits and surges at random places, the assignment
// lifecycle, suspensions, duty, roads closed and reopened), one matching by the exact search,
// one by a ChIndex that is brought up to date after some closures (Recontract, as the server
// does on another thread) and left stale after others. After every command both must have
// answered alike (the same events, route text aside) and hold the same state.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/dispatch/events.h"
#include "engine/roads/ch_index.h"
#include "tests/support/server_fixture.h"
#include "tests/support/tally.h"

namespace baiying {
namespace {

using testing::World;

// The events as text, without the route and its length (two routes of the same time may be
// told apart by the exact search and the index).
std::vector<std::string> WithoutRoutes(std::vector<Event> events) {
  std::vector<std::string> out;
  for (Event& e : events) {
    if (auto* a = std::get_if<TeamAssigned>(&e)) {
      a->explanation.route = RouteText();
    }
    out.push_back(Describe(e));
  }
  return out;
}

// Every request's status and active assignments, and every team's state.
std::string Snapshot(const Dispatcher& d, const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    const RequestState* r = d.FindRequest(id);
    if (r == nullptr) continue;
    out += id + " " + std::string(ToString(r->status));
    for (const LineState& l : r->lines)
      out += " " + l.specialty_code + ":" + std::to_string(l.filled) + "/" +
             std::to_string(l.quantity) + "@" + std::string(ToString(l.scope));
    for (const Assignment& a : r->assignments)
      out += " " + a.team + "x" + std::to_string(a.units) + "eta" + std::to_string(a.eta);
    out += "\n";
  }
  for (const Team& t : d.registry().teams()) {
    const TeamState& ts = d.team_state(t.id);
    out += t.code + ":" + std::string(ToString(ts.activity)) + "@" +
           std::to_string(ts.location.value()) + " ";
  }
  return out;
}

class Run {
 public:
  Run(const World& world, std::uint32_t seed, testing::Tally& tally, testing::Tally& routes)
      : world_(world), rng_(seed), seed_(seed), tally_(tally), routes_(routes) {}

  // Returns the questions the index answered.
  std::uint64_t Go(const std::shared_ptr<const ChIndex>& open_index, int steps) {
    Result<Dispatcher> exact = Dispatcher::Create(*world_.graph, world_.registry);
    Result<Dispatcher> indexed = Dispatcher::Create(*world_.graph, world_.registry);
    REQUIRE(exact.ok());
    REQUIRE(indexed.ok());
    exact_ = std::make_unique<Dispatcher>(std::move(exact).value());
    indexed_ = std::make_unique<Dispatcher>(std::move(indexed).value());
    REQUIRE(indexed_->UseIndex(open_index).ok());
    now_ = testing::kStart;
    for (step_ = 0; step_ < steps; ++step_) {
      now_ += std::chrono::minutes(Pick(0, 3) == 0 ? Pick(1, 240) : 0);
      const TimedCommand command{now_, Next()};
      Result<std::vector<Event>> want = exact_->Apply(command);
      Result<std::vector<Event>> got = indexed_->Apply(command);
      const bool same = want.ok() == got.ok() &&
                        (!want.ok() || WithoutRoutes(*want) == WithoutRoutes(*got));
      // Every team sent with the index has a route unpacked from it, as long as the exact one.
      if (got.ok() && want.ok() && same) {
        std::vector<const TeamAssigned*> exact_sent;
        for (const Event& e : *want) {
          if (const auto* a = std::get_if<TeamAssigned>(&e)) exact_sent.push_back(a);
        }
        std::size_t i = 0;
        for (const Event& e : *got) {
          const auto* a = std::get_if<TeamAssigned>(&e);
          if (a == nullptr) continue;
          const TeamAssigned& x = *exact_sent[i++];
          const bool moved = a->explanation.travel > 0;
          const RouteText& route = a->explanation.route;
          routes_.Expect(!route.text().empty() && route.text() != "no route" &&
                             (moved ? route.distance_m() > 0 : route.text() == "already there"),
                         [&] { return "seed " + std::to_string(seed_) + ": " + Describe(e); });
          // Two fastest routes may differ in length; the same route has the same length.
          routes_.Expect(route.text() != x.explanation.route.text() ||
                             route.distance_m() == x.explanation.route.distance_m(),
                         [&] { return "seed " + std::to_string(seed_) + ": " + Describe(e); });
        }
      }
      const std::string a = Snapshot(*exact_, ids_), b = Snapshot(*indexed_, ids_);
      tally_.Expect(same && a == b, [&] {
        std::string text = "seed " + std::to_string(seed_) + " step " + std::to_string(step_) +
                           ":\nexact:";
        if (want.ok()) {
          for (const std::string& line : WithoutRoutes(*want))
            text += "\n  " + line;
        } else {
          text += " " + want.status().ToString();
        }
        text += "\nindexed:";
        if (got.ok()) {
          for (const std::string& line : WithoutRoutes(*got))
            text += "\n  " + line;
        } else {
          text += " " + got.status().ToString();
        }
        return text + (a == b ? "" : "\nstates differ");
      });
      const bool roads = std::holds_alternative<CloseRoad>(command.command) ||
                         std::holds_alternative<ReopenRoad>(command.command);
      if (got.ok() && roads && Pick(0, 2) != 0) {
        Result<ChIndex> next =
            ChIndex::Recontract(*world_.graph, *indexed_->index(), indexed_->ClosedArcsNow());
        REQUIRE(next.ok());
        REQUIRE(indexed_->UseIndex(std::make_shared<ChIndex>(std::move(next).value())).ok());
      }
    }
    return indexed_->index_answers();
  }

 private:
  std::uint32_t Pick(std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng_);
  }

  SubmitRequest NewRequest() {
    const Registry& reg = *world_.registry;
    SubmitRequest r;
    r.request_id = "R" + std::to_string(ids_.size());
    ids_.push_back(r.request_id);
    r.unit = "unit-" + std::to_string(Pick(0, 9));
    r.place = PlaceId(Pick(0, world_.graph->place_count() - 1));
    r.priority = static_cast<Priority>(Pick(0, 3));
    r.mode = Pick(0, 3) == 0 ? Mode::kWartime : Mode::kEmergency;
    r.deadline = now_ + std::chrono::hours(Pick(2, 48));
    const std::uint32_t lines = Pick(1, 2);
    std::vector<std::uint32_t> kinds;
    for (std::uint32_t i = 0; i < reg.specialties().size(); ++i)
      kinds.push_back(i);
    std::shuffle(kinds.begin(), kinds.end(), rng_);
    for (std::uint32_t i = 0; i < lines; ++i)
      r.lines.push_back({reg.specialties()[kinds[i]].code, Pick(1, 4)});
    return r;
  }

  // A team on an assignment, and its request; empty when none.
  std::pair<std::string, std::string> SomeAssignment() {
    std::vector<std::pair<std::string, std::string>> all;
    for (const std::string& id : ids_) {
      if (const RequestState* r = exact_->FindRequest(id)) {
        for (const Assignment& a : r->assignments)
          all.push_back({id, a.team});
      }
    }
    if (all.empty()) return {};
    return all[Pick(0, static_cast<std::uint32_t>(all.size()) - 1)];
  }

  std::string SomeTeam() {
    const auto& teams = world_.registry->teams();
    return teams[Pick(0, static_cast<std::uint32_t>(teams.size()) - 1)].code;
  }

  Command Next() {
    const std::uint32_t kind = Pick(0, 99);
    if (kind < 30) return NewRequest();
    if (kind < 34) {
      SubmitBatch batch;
      const std::uint32_t n = Pick(2, 25);
      for (std::uint32_t i = 0; i < n; ++i)
        batch.requests.push_back(NewRequest());
      return batch;
    }
    if (kind < 62) {
      const auto [request, team] = SomeAssignment();
      if (team.empty()) return AdvanceTime{};
      switch (Pick(0, 5)) {
        case 0:
          return AcknowledgeAssignment{request, team};
        case 1:
          return DeclineAssignment{request, team, "vehicle broken down"};
        case 2:
          return ReportEnRoute{team};
        case 3:
          return ReportOnScene{team};
        default:
          return ReleaseTeam{team, Pick(0, 1) == 0};
      }
    }
    if (kind < 66 && !ids_.empty()) {
      return CancelRequest{ids_[Pick(0, static_cast<std::uint32_t>(ids_.size()) - 1)],
                           "no longer needed"};
    }
    if (kind < 72) return SetTeamOnDuty{SomeTeam(), Pick(0, 1) == 0};
    if (kind < 78) return SetTeamSuspended{SomeTeam(), Pick(0, 1) == 0, "vetting review"};
    if (kind < 90) {
      const RoadGraph& g = *world_.graph;
      const ArcId arc(Pick(0, g.arc_count() - 1));
      closed_.push_back({g.tail(arc), g.head(arc)});
      return CloseRoad{g.tail(arc), g.head(arc), "landslide"};
    }
    if (kind < 98 && !closed_.empty()) {
      const auto [from, to] = closed_[Pick(0, static_cast<std::uint32_t>(closed_.size()) - 1)];
      return ReopenRoad{from, to};
    }
    return AdvanceTime{};
  }

  const World& world_;
  std::mt19937 rng_;
  std::uint32_t seed_;
  testing::Tally& tally_;
  testing::Tally& routes_;
  std::unique_ptr<Dispatcher> exact_;
  std::unique_ptr<Dispatcher> indexed_;
  Instant now_{};
  int step_ = 0;
  std::vector<std::string> ids_;
  std::vector<std::pair<PlaceId, PlaceId>> closed_;
};

TEST_CASE("data/xizang: the matcher with the road index answers as the exact search, closures "
          "and all") {
  const World world;
  Result<ChIndex> built = ChIndex::Build(*world.graph);
  REQUIRE(built.ok());
  const auto index = std::make_shared<const ChIndex>(std::move(built).value());
  testing::Tally tally("indexed and exact dispatchers agree on data/xizang");
  testing::Tally routes("every team sent with the index has its route");
  std::uint64_t answered = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    Run run(world, seed, tally, routes);
    answered += run.Go(index, 150);
  }
  CHECK_MESSAGE(tally.ok(), tally.Report());
  CHECK_MESSAGE(routes.ok(), routes.Report());
  CHECK(routes.checks() > 500);
  CHECK(tally.checks() == 40 * 150);
  CHECK(answered > 2000);
}

}  // namespace
}  // namespace baiying
