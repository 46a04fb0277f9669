// A surge through the dispatcher (issue 7): Dispatcher::Apply(SubmitBatch) of 1,000 requests on
// DIMACS New York with 5,000 generated teams (bench_registry.h: 10 specialties, capacity 1, at
// random places, mobilization delays of 10 to 120 minutes), with the road index and without it,
// on the same batch in the same run.
//
// Batches (fixed seeds; one line per request, a random specialty, priorities routine..flash,
// requests at random places, deadline far):
// - normal: 1 to 5 units per line, about 3,000 units wanted from 5,000 teams;
// - scarce: 1 to 10 units per line, about 5,500 units wanted from 5,000 teams (more than there
//   are), as surge_bench's "scarce" family.
// Each repetition times, per batch, one Apply on a fresh indexed dispatcher and one on a fresh
// dispatcher without the index (creation, UseIndex and destruction untimed), alternating which
// goes first; wall clock and this thread's CPU time of the Apply. The two must assign the same
// teams, units and ETAs in the same order, and report the same shortfalls (else exit status 2); the
// indexed one must have asked the index only.
//
// Phases (--phases, on by default): the matcher's questions and the joint solver rebuilt
// outside the dispatcher and timed alone on the same batch: per line, the quantity + 8 fastest
// teams of its specialty (ChQuery::NearestWithOffsets on one CandidateSet per specialty, as the
// dispatcher's free pools; every generated team is eligible everywhere), then
// AssignJointly and AssignOneByOne on that problem.
//
// Closures (--closures 1,10): on a fresh indexed dispatcher, Apply(CloseRoad) of that many random
// roads, then the steps that bring the index up to date, each timed: ClosedArcsNow,
// ChIndex::Recontract and Dispatcher::PreparePools (off the strand in the server), UseIndex with
// the prepared sets, and UseIndex filling the sets itself for comparison; IndexCurrent() must say
// false before and true after.
//
// --network xizang runs the same on data/xizang (113 places): the same generated teams and
// batches, many teams sharing each place.
//
// A plain program: surge_dispatch_bench [--network ny|xizang] [--repetitions R] [--requests N]
// [--teams N] [--batches normal,scarce] [--closures 1,10] [--no-phases] [--no-exact].

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "bench/bench_data.h"
#include "bench/bench_registry.h"
#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/dispatch/events.h"
#include "engine/match/joint_assignment.h"
#include "engine/registry/registry.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"

namespace baiying::bench {
namespace {

constexpr std::uint64_t kTeamSeed = 20261201;
constexpr std::uint64_t kBatchSeed = 20261202;
constexpr std::uint64_t kClosureSeed = 20261203;
constexpr int kCheckFailedExit = 2;
const Instant kSurgeAt = kReferenceDate + std::chrono::hours(1);
constexpr std::array<std::string_view, 2> kXizangFiles = {"places.csv", "roads.csv"};

struct Options {
  NetworkKind network = NetworkKind::kNewYork;
  std::size_t repetitions = 3;
  std::size_t requests = 1000;
  std::size_t teams = 5000;
  std::vector<std::string> batches = {"normal", "scarce"};
  std::vector<std::size_t> closures = {1, 10};
  bool phases = true;
  bool exact = true;
};

struct Batch {
  std::string name;
  SubmitBatch command;
  std::uint64_t units_wanted = 0;
};

Batch MakeBatch(const RoadGraph& graph, std::string_view name, std::size_t requests) {
  const std::uint32_t max_units = name == "scarce" ? 10 : 5;
  std::mt19937_64 rng(kBatchSeed + max_units);
  Batch b;
  b.name = std::string(name);
  for (std::size_t i = 0; i < requests; ++i) {
    SubmitRequest r;
    r.request_id = b.name + "-" + std::to_string(i);
    const auto place = static_cast<std::uint32_t>(rng() % graph.place_count());
    r.unit = "unit-" + std::to_string(place);
    r.place = PlaceId(place);
    r.priority = static_cast<Priority>(rng() % 4);
    r.mode = Mode::kEmergency;
    r.deadline = kSurgeAt + std::chrono::days(30);
    const std::uint32_t units = 1 + static_cast<std::uint32_t>(rng() % max_units);
    r.lines.push_back({kGeneratedSpecialties[rng() % kGeneratedSpecialties.size()], units});
    b.units_wanted += units;
    b.command.requests.push_back(std::move(r));
  }
  return b;
}

// What a batch's answer is judged by: the teams sent (request, team, units, ETA, in order), the
// shortfalls (request, missing) and the preemptions, and the units filled per priority.
struct Outcome {
  std::vector<std::tuple<std::string, std::string, std::uint32_t, TravelTime>> assigned;
  std::vector<std::pair<std::string, std::uint32_t>> shortfalls;
  std::size_t preempted = 0;
  std::size_t events = 0;
  std::array<std::uint64_t, 4> units_by_priority{};  // routine..flash
  std::uint64_t eta_ms = 0;
  std::uint64_t index_answers = 0;
  std::uint64_t exact_answers = 0;

  bool SameAnswer(const Outcome& o) const {
    return assigned == o.assigned && shortfalls == o.shortfalls && preempted == o.preempted;
  }
};

Outcome Judge(const Batch& batch, const std::vector<Event>& events) {
  Outcome out;
  out.events = events.size();
  // Request ids are "<batch>-<i>": the priority is that of request i.
  auto priority_of = [&](const std::string& id) {
    const std::size_t i = std::stoul(id.substr(batch.name.size() + 1));
    return static_cast<std::size_t>(batch.command.requests[i].priority);
  };
  for (const Event& e : events) {
    if (const auto* a = std::get_if<TeamAssigned>(&e)) {
      out.assigned.emplace_back(a->request_id, a->team, a->units, a->explanation.eta);
      out.units_by_priority[priority_of(a->request_id)] += a->units;
      out.eta_ms += a->explanation.eta;
    } else if (const auto* s = std::get_if<Shortfall>(&e)) {
      out.shortfalls.emplace_back(s->request_id, s->missing);
    } else if (std::holds_alternative<TeamPreempted>(e)) {
      ++out.preempted;
    }
  }
  return out;
}

struct World {
  std::string error;
  BuiltGraph built;
  const RoadGraph* graph = nullptr;
  std::shared_ptr<const Registry> registry;
  std::vector<PlaceId> home;
  std::shared_ptr<const ChIndex> index;
};

Result<Dispatcher> FreshDispatcher(const World& w, bool indexed) {
  Result<Dispatcher> d = Dispatcher::Create(*w.graph, w.registry);
  if (!d.ok()) return d.status();
  if (indexed) BAIYING_RETURN_IF_ERROR(d->UseIndex(w.index));
  // The dispatcher's clock starts at the surge.
  Result<std::vector<Event>> started =
      d->Apply({kSurgeAt - std::chrono::seconds(1), AdvanceTime{}});
  if (!started.ok()) return started.status();
  return d;
}

// One timed Apply(SubmitBatch) on a fresh dispatcher; `seconds` is the Apply alone (wall clock),
// `cpu_seconds` this thread's CPU time during it.
Result<Outcome> RunBatch(const World& w, const Batch& batch, bool indexed, double& seconds,
                         double& cpu_seconds) {
  Result<Dispatcher> d = FreshDispatcher(w, indexed);
  if (!d.ok()) return d.status();
  const TimedCommand command{kSurgeAt, batch.command};
  const double cpu_start = ThreadCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<Event>> events = d->Apply(command);
  seconds = SecondsSince(start);
  cpu_seconds = ThreadCpuSeconds() - cpu_start;
  if (!events.ok()) return events.status();
  Outcome out = Judge(batch, *events);
  out.index_answers = d->index_answers();
  out.exact_answers = d->exact_answers();
  return out;
}

double Median(std::vector<double> v) {
  return Percentile(std::move(v), 0.5);
}

std::string Describe(const Outcome& o) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%zu teams sent, units by priority flash/critical/urgent/routine %llu/%llu/%llu/"
                "%llu, %zu shortfalls, %zu preemptions, total ETA %.1f h, %zu events",
                o.assigned.size(), static_cast<unsigned long long>(o.units_by_priority[3]),
                static_cast<unsigned long long>(o.units_by_priority[2]),
                static_cast<unsigned long long>(o.units_by_priority[1]),
                static_cast<unsigned long long>(o.units_by_priority[0]), o.shortfalls.size(),
                o.preempted, static_cast<double>(o.eta_ms) / 3'600'000.0, o.events);
  return line;
}

// The dispatcher's surge work rebuilt outside it, timed by phase: the matcher's questions (one
// per line, by the index, as the dispatcher's BestTeams asks them region-wide with k = quantity +
// 8 when every team is free and eligible), then the joint solver and the one-by-one baseline.
void TimePhases(const World& w, const Batch& batch, std::size_t repetitions) {
  std::vector<std::unique_ptr<CandidateSet>> pools;
  for (std::size_t s = 0; s < w.registry->specialties().size(); ++s)
    pools.push_back(std::make_unique<CandidateSet>(*w.index));
  for (const Team& t : w.registry->teams()) {
    // Generated delays are 10 to 120 minutes: positive and far below kInfiniteTime (ms).
    const OffsetTarget target{w.home[t.id.value()],
                              static_cast<TravelTime>(t.mobilization_delay.count()), t.id.value()};
    pools[t.capacities.front().specialty.value()]->Add(target);
  }
  ChQuery ch(*w.index, *w.graph);
  constexpr std::uint32_t kExtra = DispatchOptions{}.batch_extra_candidates;
  std::vector<double> ask_s, joint_s, greedy_s;
  JointProblem problem;
  JointResult joint, greedy;
  for (std::size_t rep = 0; rep < repetitions; ++rep) {
    problem = JointProblem{};
    std::vector<bool> offered(w.registry->teams().size(), false);
    auto start = std::chrono::steady_clock::now();
    for (std::uint32_t d = 0; d < batch.command.requests.size(); ++d) {
      const SubmitRequest& r = batch.command.requests[d];
      const RequestLine& line = r.lines.front();
      const SpecialtyId specialty = *w.registry->FindSpecialty(line.specialty);
      problem.demands.push_back(
          {DemandId(d), static_cast<std::uint8_t>(r.priority), d, line.quantity});
      for (const OffsetReach& reach : ch.NearestWithOffsets(
               *r.place, *pools[specialty.value()], {line.quantity + kExtra, kInfiniteTime})) {
        problem.options.push_back({DemandId(d), SupplyId(reach.tag), reach.total});
        offered[reach.tag] = true;
      }
    }
    for (std::uint32_t t = 0; t < offered.size(); ++t) {
      if (offered[t]) problem.supplies.push_back({SupplyId(t), 1});
    }
    ask_s.push_back(SecondsSince(start));
    start = std::chrono::steady_clock::now();
    joint = AssignJointly(problem);
    joint_s.push_back(SecondsSince(start));
    start = std::chrono::steady_clock::now();
    greedy = AssignOneByOne(problem);
    greedy_s.push_back(SecondsSince(start));
  }
  std::printf(
      "  phases (%s, rebuilt outside the dispatcher, median of %zu): %zu questions to the index "
      "%.2f ms; AssignJointly %.2f ms (%zu options, %zu teams offered, %llu units filled, %llu "
      "short); AssignOneByOne %.2f ms (%llu filled)\n",
      batch.name.c_str(), repetitions, batch.command.requests.size(), Median(ask_s) * 1e3,
      Median(joint_s) * 1e3, problem.options.size(), problem.supplies.size(),
      static_cast<unsigned long long>(joint.units_filled),
      static_cast<unsigned long long>(joint.shortfall), Median(greedy_s) * 1e3,
      static_cast<unsigned long long>(greedy.units_filled));
}

// The time from closures to an up-to-date index, as a dispatcher sees it.
int TimeClosures(const World& w, std::size_t count) {
  Result<Dispatcher> d = FreshDispatcher(w, true);
  if (!d.ok()) {
    std::cerr << d.status().ToString() << "\n";
    return 1;
  }
  std::mt19937_64 rng(kClosureSeed + count);
  Instant at = kSurgeAt;
  for (std::size_t made = 0; made < count;) {
    const ArcId arc(static_cast<std::uint32_t>(rng() % w.graph->arc_count()));
    const PlaceId a = w.graph->tail(arc);
    const PlaceId b = w.graph->head(arc);
    if (a == b) continue;
    at += std::chrono::seconds(1);
    if (d->Apply({at, CloseRoad{a, b, "surge_dispatch_bench"}}).ok()) ++made;
  }
  const bool stale = !d->IndexCurrent();
  // On the strand: what the index thread needs.
  auto start = std::chrono::steady_clock::now();
  const std::vector<ArcId> closed = d->ClosedArcsNow();
  const TeamPlaces places = d->TeamPlacesNow();
  const double snapshot_s = SecondsSince(start);
  // Off the strand: the index, then the candidate sets on it.
  start = std::chrono::steady_clock::now();
  Result<ChIndex> fresh = ChIndex::Recontract(*w.graph, *d->index(), closed);
  const double recontract_s = SecondsSince(start);
  if (!fresh.ok()) {
    std::cerr << "Recontract: " << fresh.status().ToString() << "\n";
    return 1;
  }
  auto shared = std::make_shared<const ChIndex>(std::move(fresh).value());
  start = std::chrono::steady_clock::now();
  PreparedPools pools = Dispatcher::PreparePools(shared, places);
  const double prepare_s = SecondsSince(start);
  // On the strand again: installed with the sets prepared, and (for comparison) with the sets
  // filled there.
  start = std::chrono::steady_clock::now();
  Status used = d->UseIndex(shared, std::move(pools));
  const double install_s = SecondsSince(start);
  const bool current = used.ok() && d->IndexCurrent();
  start = std::chrono::steady_clock::now();
  if (used.ok()) used = d->UseIndex(shared);
  const double use_s = SecondsSince(start);
  if (!used.ok()) {
    std::cerr << "UseIndex: " << used.ToString() << "\n";
    return 1;
  }
  std::printf(
      "closures: %zu roads (%zu arcs) closed through Apply(CloseRoad); index stale after: %s; "
      "on the strand: ClosedArcsNow and TeamPlacesNow %.3f ms; off it: Recontract %.2f s, "
      "PreparePools (%zu teams) %.1f ms; on the strand: UseIndex with them %.2f ms (filling the "
      "sets there instead: %.1f ms); total %.2f s; current after: %s\n",
      count, closed.size(), stale ? "yes" : "NO", snapshot_s * 1e3, recontract_s,
      w.registry->teams().size(), prepare_s * 1e3, install_s * 1e3, use_s * 1e3,
      snapshot_s + recontract_s + prepare_s + install_s, current ? "yes" : "NO");
  return stale && current ? 0 : kCheckFailedExit;
}

int Run(const Options& opts) {
  const std::string missing = MissingDataMessage(opts.network, kXizangFiles, "data/xizang network");
  if (!missing.empty()) {
    std::cerr << "skipped: " << missing << "\n";
    return 0;
  }
  World w;
  LoadedNetwork loaded = LoadAndBuild(opts.network, KeepSpec::kNo);
  if (!loaded.error.empty()) {
    std::cerr << loaded.error << "\n";
    return 1;
  }
  w.built = std::move(loaded.built);
  w.graph = loaded.graph;
  Result<std::shared_ptr<const Registry>> registry =
      MakeGeneratedRegistry(*w.graph, opts.teams, kTeamSeed);
  if (!registry.ok()) {
    std::cerr << "registry: " << registry.status().ToString() << "\n";
    return 1;
  }
  w.registry = std::move(registry).value();
  Result<std::vector<PlaceId>> home = TeamHomes(*w.registry, *w.graph);
  if (!home.ok()) {
    std::cerr << home.status().ToString() << "\n";
    return 1;
  }
  w.home = std::move(home).value();
  const auto index_start = std::chrono::steady_clock::now();
  Result<ChIndex> index = ChIndex::Build(*w.graph);
  if (!index.ok()) {
    std::cerr << "building the road index: " << index.status().ToString() << "\n";
    return 1;
  }
  w.index = std::make_shared<const ChIndex>(std::move(index).value());
  std::printf("network %s: %u places, %u arcs; %zu teams; road index built in %.1f s (untimed)\n",
              std::string(ShortName(opts.network)).c_str(), w.graph->place_count(),
              w.graph->arc_count(), w.registry->teams().size(), SecondsSince(index_start));
  std::fflush(stdout);

  bool failed = false;
  for (const std::string& name : opts.batches) {
    const Batch batch = MakeBatch(*w.graph, name, opts.requests);
    std::vector<double> indexed_s, exact_s, indexed_cpu_s, exact_cpu_s;
    std::optional<Outcome> first;
    for (std::size_t rep = 0; rep < opts.repetitions; ++rep) {
      // Alternate which goes first, so that neither always meets the other's leftovers.
      const std::array<bool, 2> order =
          rep % 2 == 0 ? std::array<bool, 2>{true, false} : std::array<bool, 2>{false, true};
      for (const bool indexed : order) {
        if (!indexed && !opts.exact) continue;
        double seconds = 0;
        double cpu_seconds = 0;
        Result<Outcome> out = RunBatch(w, batch, indexed, seconds, cpu_seconds);
        if (!out.ok()) {
          std::cerr << batch.name << ": " << out.status().ToString() << "\n";
          return 1;
        }
        (indexed ? indexed_s : exact_s).push_back(seconds);
        (indexed ? indexed_cpu_s : exact_cpu_s).push_back(cpu_seconds);
        if (indexed && (out->exact_answers != 0 || out->index_answers == 0)) {
          std::cerr << "CHECK FAILED: " << batch.name << ": the index answered "
                    << out->index_answers << " questions, the exact search " << out->exact_answers
                    << "\n";
          failed = true;
        }
        if (!first) {
          first = *out;
        } else if (!first->SameAnswer(*out)) {
          std::cerr << "CHECK FAILED: " << batch.name << ": the " << (indexed ? "indexed" : "exact")
                    << " dispatcher's answer differs: " << Describe(*out) << " vs "
                    << Describe(*first) << "\n";
          failed = true;
        }
        if (rep == 0) {
          std::printf("  %s, %s: %s; matcher questions: index %llu, exact %llu\n",
                      batch.name.c_str(), indexed ? "indexed" : "without index",
                      Describe(*out).c_str(), static_cast<unsigned long long>(out->index_answers),
                      static_cast<unsigned long long>(out->exact_answers));
        }
      }
    }
    std::printf("batch %s: %zu requests, %llu units wanted, %zu teams\n", batch.name.c_str(),
                batch.command.requests.size(), static_cast<unsigned long long>(batch.units_wanted),
                w.registry->teams().size());
    auto list = [](const std::vector<double>& v) {
      std::string s;
      for (double x : v)
        s += (s.empty() ? "" : ", ") + std::to_string(static_cast<long>(x * 1e3 + 0.5));
      return s;
    };
    std::printf(
        "  Apply(SubmitBatch) with the index: median %.1f ms (runs %s ms); CPU median %.1f ms "
        "(runs %s ms)\n",
        Median(indexed_s) * 1e3, list(indexed_s).c_str(), Median(indexed_cpu_s) * 1e3,
        list(indexed_cpu_s).c_str());
    if (!exact_s.empty()) {
      std::printf(
          "  Apply(SubmitBatch) without the index: median %.1f ms (runs %s ms); CPU median %.1f ms "
          "(runs %s ms); without / with %.2fx (CPU %.2fx)\n",
          Median(exact_s) * 1e3, list(exact_s).c_str(), Median(exact_cpu_s) * 1e3,
          list(exact_cpu_s).c_str(), Median(exact_s) / Median(indexed_s),
          Median(exact_cpu_s) / Median(indexed_cpu_s));
    }
    if (opts.phases) TimePhases(w, batch, opts.repetitions);
    std::fflush(stdout);
  }
  for (const std::size_t count : opts.closures) {
    const int status = TimeClosures(w, count);
    if (status == 1) return 1;
    failed = failed || status != 0;
  }
  std::printf("answers with and without the index identical, index answered alone: %s\n",
              failed ? "NO" : "yes");
  return failed ? kCheckFailedExit : 0;
}

}  // namespace
}  // namespace baiying::bench

int main(int argc, char** argv) {
  using baiying::bench::SplitList;
  baiying::bench::Options opts;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--network" && has_value) {
      const std::string_view value = argv[++i];
      if (value != "ny" && value != "xizang") {
        std::cerr << "surge_dispatch_bench: --network is ny or xizang, not " << value << "\n";
        return 1;
      }
      opts.network = value == "xizang" ? baiying::bench::NetworkKind::kXizang
                                       : baiying::bench::NetworkKind::kNewYork;
    } else if (arg == "--repetitions" && has_value) {
      opts.repetitions = std::max<std::size_t>(1, std::stoul(argv[++i]));
    } else if (arg == "--requests" && has_value) {
      opts.requests = std::stoul(argv[++i]);
    } else if (arg == "--teams" && has_value) {
      opts.teams = std::stoul(argv[++i]);
    } else if (arg == "--batches" && has_value) {
      opts.batches = SplitList(argv[++i]);
    } else if (arg == "--closures" && has_value) {
      opts.closures.clear();
      for (const std::string& n : SplitList(argv[++i]))
        opts.closures.push_back(std::stoul(n));
    } else if (arg == "--no-phases") {
      opts.phases = false;
    } else if (arg == "--no-exact") {
      opts.exact = false;
    } else {
      std::cerr << "usage: surge_dispatch_bench [--network ny|xizang] [--repetitions R] "
                   "[--requests N] [--teams N] [--batches normal,scarce] [--closures 1,10] "
                   "[--no-phases] [--no-exact]\n";
      return 1;
    }
  }
  return baiying::bench::Run(opts);
}
