// Matching one request: the latency of Dispatcher::Apply(SubmitRequest) on data/xizang with the
// seed registry and on the DIMACS New York graph with 10,000 generated teams, three ways on the
// same requests in the same run: the dispatcher with the road index (IndexedSubmit: a ChIndex
// built once per network, untimed, shared by every dispatcher; UseIndex called untimed on each
// new one), the dispatcher without it (Submit: the exact search), and the "full Dijkstra per
// request" matcher (FullDijkstraMatch): a plain Boost.Graph dijkstra_shortest_paths from the
// unit's place over the reversed graph (no early stop), then the fastest eligible teams by ETA
// (mobilization delay + road time).
//
// One benchmark iteration is one request. Each request meets a fresh state: it is submitted,
// timed alone (the whole Apply, explanations included), and then cancelled (untimed) so that
// its teams are free again for the next one. How long a dispatcher lives:
// - by default as in the server, which keeps one dispatcher for as long as it runs: each
//   benchmark run makes one (its candidate sets filled, untimed) and warms it with
//   kWarmUpRequests requests at other random places (untimed), then times every request on it;
// - with --renew_every=N (the method of the earlier figures in RESULTS.md), a dispatcher serves
//   N requests and is replaced (untimed, one untimed warm-up request). Filling a new
//   dispatcher's candidate sets writes tens of megabytes, so the requests after it find little
//   of the index in the processor's caches: this measures a dispatcher just (re)started.
// With --index_dir=DIR each network's road index comes from DIR/<network>.chindex as the
// server's does (cli::LoadOrBuildIndex: read when the file holds this graph's index, else built
// and written there, which it logs): later runs start in a second instead of after a build of
// ten on New York.
// Per-request times are read with std::chrono::steady_clock
// and handed to Google Benchmark as manual time; p50 and p99 over the requests are exported as
// counters and summed up (medians over repetitions) beside the baseline at the end. Counters
// index_answers and exact_answers say which matcher answered the dispatchers' questions; the
// indexed benchmark fails unless the index answered every one.
//
// Before timing, the first kCheckedRequests answers of both dispatchers (teams, units, ETAs, in
// order) are compared with the baseline's; a disagreement skips every benchmark of that network
// with an error and makes the program exit with status 2. A network whose data is absent is
// skipped with a message naming the path.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/property_map.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/cli/index_command.h"
#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/network_spec.h"
#include "adapters/store/registry_store.h"
#include "bench/bench_data.h"
#include "bench/bench_registry.h"
#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/dispatch/events.h"
#include "engine/registry/registry.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"

namespace baiying::bench {
namespace {

// --- The questions asked. ---
constexpr std::uint64_t kRequestSeed = 20250401;
constexpr std::uint64_t kTeamSeed = 20250402;
constexpr std::size_t kNewYorkTeams = 10000;
constexpr std::uint32_t kNewYorkQuantity = 3;  // units of one specialty, capacity 1 per team
constexpr std::size_t kXizangRequests = 2000;  // iterations of each xizang benchmark
constexpr std::size_t kNewYorkRequests = 500;  // the baseline takes ~40 ms per request there
constexpr std::size_t kWarmUpRequests = 100;  // untimed, on a dispatcher that lives on
constexpr std::size_t kCheckedRequests = 20;
constexpr int kCheckFailedExit = 2;

// Requests are submitted one second apart from an hour after the registries' reference date.
const Instant kFirstCommand = kReferenceDate + std::chrono::hours(1);
constexpr Duration kDeadlineAfter = std::chrono::days(30);  // "far": never binding

bool check_failed = false;

// --renew_every=N: a fresh dispatcher every N requests; 0 (the default): one per benchmark run.
std::size_t renew_every = 0;
// --index_dir=DIR: where each network's road index is read from, or written to once built
// ("": built every run).
std::string index_dir;

// What these benchmarks need of data/xizang: the network and the seed registry.
constexpr std::array<std::string_view, 3> kXizangFiles = {"places.csv", "roads.csv",
                                                          "registry/teams.csv"};

// --- The Boost.Graph baseline. ---

// The plain user's call: named parameters, a distance vector allocated per query.
std::vector<TravelTime> BoostAllTimes(const BoostGraph& g, PlaceId source) {
  std::vector<TravelTime> distance(num_vertices(g));
  boost::dijkstra_shortest_paths(g, source.value(),
                                 boost::weight_map(boost::get(&ArcTime::time, g))
                                     .distance_map(boost::make_iterator_property_map(
                                         distance.begin(), boost::get(boost::vertex_index, g))));
  return distance;
}

// --- Worlds: a network, a registry and the questions, loaded once. ---

struct Question {
  PlaceId place;
  std::string specialty;
  std::uint32_t quantity = 0;
};

// One team the matcher sends: in the order sent.
struct Pick {
  TeamId team;
  std::uint32_t units = 0;
  TravelTime eta = 0;
  friend bool operator==(const Pick&, const Pick&) = default;
};

struct World {
  NetworkKind kind = NetworkKind::kNewYork;
  std::string error;  // non-empty: both benchmarks of this network are skipped with it
  BuiltGraph built;
  const RoadGraph* graph = nullptr;
  std::optional<BoostGraph> reversed;
  std::shared_ptr<const Registry> registry;
  std::vector<PlaceId> home;                // by TeamId
  std::vector<std::uint32_t> place_county;  // by PlaceId, as the dispatcher reckons it
  std::vector<Question> questions;
  std::vector<Question> warm_up;  // asked untimed of a dispatcher that lives on
  // The road index, built once (untimed) and shared by every indexed dispatcher.
  std::shared_ptr<const ChIndex> index;
  double index_seconds = 0;
  std::string check;  // "" when the dispatchers' first answers agree with the baseline's
};

// The seed registry of data/xizang, imported into a temporary SQLite file and loaded, as the
// program does.
Result<std::shared_ptr<const Registry>> LoadSeedRegistry() {
  const std::filesystem::path db = std::filesystem::temp_directory_path() /
                                   ("match_bench-" + std::to_string(::getpid()) + ".sqlite");
  auto remove_db = [&db] {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(db.string() + suffix, ec);
  };
  remove_db();
  Result<std::shared_ptr<const Registry>> out = Status::Internal("registry not loaded");
  {
    Result<store::RegistryStore> opened = store::RegistryStore::Open(db);
    if (!opened.ok()) return opened.status();
    store::RegistryStore registry_store = std::move(opened).value();
    const store::Actor actor{"match_bench", kReferenceDate, "benchmark"};
    Result<store::ImportReport> report = registry_store.Import(XizangDir() / "registry", actor);
    if (!report.ok()) {
      out = report.status();
    } else {
      Result<Registry> loaded = registry_store.Load();
      if (loaded.ok()) {
        out = std::make_shared<const Registry>(std::move(loaded).value());
      } else {
        out = loaded.status();
      }
    }
  }
  remove_db();
  return out;
}

// Each place's county as the dispatcher reckons it: its own code, else that of the seat nearest
// by road from it (ties by place id).
std::vector<std::uint32_t> PlaceCounties(const RoadGraph& graph) {
  std::vector<std::uint32_t> county(graph.place_count(), 0);
  std::vector<PlaceId> seats;
  for (std::uint32_t p = 0; p < graph.place_count(); ++p) {
    county[p] = graph.place(PlaceId(p)).adcode;
    if (county[p] != 0) seats.emplace_back(p);
  }
  if (seats.empty()) return county;
  const BoostGraph forward = BuildBoostGraph(graph, Orientation::kForward);
  for (std::uint32_t p = 0; p < graph.place_count(); ++p) {
    if (county[p] != 0) continue;
    const std::vector<TravelTime> distance = BoostAllTimes(forward, PlaceId(p));
    std::optional<PlaceId> nearest;
    for (PlaceId s : seats) {  // seats are in id order: the first of equal times wins
      if (distance[s.value()] == kInfiniteTime) continue;
      if (!nearest || distance[s.value()] < distance[nearest->value()]) nearest = s;
    }
    if (nearest) county[p] = graph.place(*nearest).adcode;
  }
  return county;
}

std::vector<Question> MakeQuestions(const World& w) {
  std::mt19937_64 rng(kRequestSeed + static_cast<std::uint64_t>(w.kind));
  const std::size_t count =
      (w.kind == NetworkKind::kNewYork ? kNewYorkRequests : kXizangRequests) + kWarmUpRequests;
  std::vector<PlaceId> seats;  // xizang: requests come from county and prefecture seats
  for (std::uint32_t p = 0; p < w.graph->place_count(); ++p) {
    if (w.graph->place(PlaceId(p)).adcode != 0) seats.emplace_back(p);
  }
  const std::vector<Specialty>& specialties = w.registry->specialties();
  std::vector<Question> questions;
  for (std::size_t i = 0; i < count; ++i) {
    Question q;
    if (w.kind == NetworkKind::kNewYork) {
      q.place = PlaceId(static_cast<std::uint32_t>(rng() % w.graph->place_count()));
      q.quantity = kNewYorkQuantity;
    } else {
      q.place = seats[rng() % seats.size()];
      q.quantity = 1 + static_cast<std::uint32_t>(rng() % 3);
    }
    q.specialty = specialties[rng() % specialties.size()].code;
    questions.push_back(std::move(q));
  }
  return questions;
}

SubmitRequest MakeSubmit(const Question& q, std::uint64_t serial, Instant now) {
  SubmitRequest r;
  r.request_id = "R" + std::to_string(serial);
  r.unit = "unit-" + std::to_string(q.place.value());
  r.place = q.place;
  r.priority = Priority::kUrgent;
  r.mode = Mode::kEmergency;
  r.deadline = now + kDeadlineAfter;
  r.lines.push_back({q.specialty, q.quantity});
  return r;
}

// --- The baseline matcher: one full Dijkstra per request. ---

struct Candidate {
  TravelTime eta = 0;
  TeamId team;
  std::uint32_t capacity = 0;
};

// The teams the dispatcher's rules would send from a fresh state: dispatchable in the mode,
// holding the specialty, fit for the unit's elevation, reachable; fastest by (ETA, team id);
// the county's teams first, then the prefecture's, then the region's, widening while a scope
// cannot fill the line in time.
std::vector<Pick> BaselineMatch(const World& w, const Question& q, Instant now) {
  const std::vector<TravelTime> distance = BoostAllTimes(*w.reversed, q.place);
  const Result<SpecialtyId> specialty = w.registry->FindSpecialty(q.specialty);
  std::vector<Pick> picks;
  if (!specialty.ok()) return picks;
  const std::int32_t elevation = w.graph->place(q.place).elevation_m;
  std::vector<Candidate> candidates;
  for (const Team& t : w.registry->teams()) {
    const std::uint32_t capacity = w.registry->Capacity(t.id, *specialty);
    if (capacity == 0 || t.max_work_elevation_m < elevation) continue;
    const TravelTime travel = distance[w.home[t.id.value()].value()];
    if (travel == kInfiniteTime) continue;
    if (!w.registry->Judge(t.id, Mode::kEmergency, now).dispatchable()) continue;
    const auto delay =
        static_cast<TravelTime>(std::max<std::int64_t>(t.mobilization_delay.count(), 0));
    candidates.push_back({SaturatingAdd(delay, travel), t.id, capacity});
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.eta != b.eta ? a.eta < b.eta : a.team < b.team;
  });
  const std::uint32_t unit_county = w.place_county[q.place.value()];
  const Instant deadline = now + kDeadlineAfter;
  for (Scope scope : {Scope::kCounty, Scope::kPrefecture, Scope::kRegion}) {
    picks.clear();
    std::uint32_t covered = 0;
    bool in_time = true;
    for (const Candidate& c : candidates) {
      if (covered >= q.quantity) break;
      const std::uint32_t team_county = w.place_county[w.home[c.team.value()].value()];
      if ((scope == Scope::kCounty && team_county != unit_county) ||
          (scope == Scope::kPrefecture && team_county / 100 != unit_county / 100)) {
        continue;
      }
      const std::uint32_t units = std::min(c.capacity, q.quantity - covered);
      covered += units;
      in_time = in_time && now + ToDuration(c.eta) <= deadline;
      picks.push_back({c.team, units, c.eta});
    }
    if (covered >= q.quantity && in_time) break;
  }
  return picks;
}

// The teams a dispatcher's events assign, in order.
std::vector<Pick> AssignedPicks(const Registry& registry, std::span<const Event> events) {
  std::vector<Pick> picks;
  for (const Event& e : events) {
    if (const auto* a = std::get_if<TeamAssigned>(&e)) {
      const Result<TeamId> t = registry.FindTeam(a->team);
      picks.push_back({t.ok() ? *t : TeamId(), a->units, a->explanation.eta});
    }
  }
  return picks;
}

std::string DescribePicks(const Registry& registry, std::span<const Pick> picks) {
  std::ostringstream out;
  out << "[";
  for (const Pick& p : picks) {
    out << " " << (p.team.valid() ? registry.team(p.team).code : "?") << "x" << p.units << "@"
        << p.eta;
  }
  out << " ]";
  return out.str();
}

// --- The dispatcher side: fresh dispatchers, submit and cancel. ---

// Which matcher the dispatchers ask.
enum class Matcher {
  kExact,    // no road index: the exact search over the graph
  kIndexed,  // UseIndex(world.index), called untimed on each new dispatcher
};

class DispatchDriver {
 public:
  DispatchDriver(const World& w, Matcher matcher) : world_(&w), matcher_(matcher) {}

  // Submits question `q` at the next instant; `seconds` is the time Apply took, `cpu_seconds`
  // this thread's CPU time in it.
  Result<std::vector<Event>> Submit(const Question& q, double& seconds, double& cpu_seconds) {
    if (!dispatcher_ || (renew_every != 0 && served_ == renew_every)) {
      BAIYING_RETURN_IF_ERROR(Renew(q));
    }
    ++served_;
    const TimedCommand submit{Tick(), MakeSubmit(q, ++serial_, now_)};
    const double cpu_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    Result<std::vector<Event>> events = dispatcher_->Apply(submit);
    seconds = SecondsSince(start);
    cpu_seconds = ThreadCpuSeconds() - cpu_start;
    return events;
  }

  // Cancels the last request submitted, freeing its teams.
  Status CancelLast() {
    const TimedCommand cancel{Tick(), CancelRequest{"R" + std::to_string(serial_), "benchmark"}};
    Result<std::vector<Event>> events = dispatcher_->Apply(cancel);
    return events.ok() ? Status() : events.status();
  }

  Instant now() const { return now_; }

  // Matcher questions answered by the index and by the exact search, over every dispatcher this
  // driver made (the warm-up requests included).
  std::uint64_t index_answers() const {
    return retired_index_answers_ + (dispatcher_ ? dispatcher_->index_answers() : 0);
  }
  std::uint64_t exact_answers() const {
    return retired_exact_answers_ + (dispatcher_ ? dispatcher_->exact_answers() : 0);
  }

 private:
  // A fresh dispatcher, warmed up by requests submitted and cancelled: the world's warm-up
  // questions for one that lives on, else the next question alone (the earlier method).
  Status Renew(const Question& next) {
    if (dispatcher_) {
      retired_index_answers_ += dispatcher_->index_answers();
      retired_exact_answers_ += dispatcher_->exact_answers();
    }
    dispatcher_.reset();
    Result<Dispatcher> created = Dispatcher::Create(*world_->graph, world_->registry);
    if (!created.ok()) return created.status();
    dispatcher_.emplace(std::move(created).value());
    if (matcher_ == Matcher::kIndexed) {
      BAIYING_RETURN_IF_ERROR(dispatcher_->UseIndex(world_->index));
      if (!dispatcher_->IndexCurrent()) {
        return Status::Internal("the road index is not current on a fresh dispatcher");
      }
    }
    served_ = 0;
    const std::span<const Question> warm_up =
        renew_every == 0 ? std::span<const Question>(world_->warm_up) : std::span(&next, 1);
    for (const Question& q : warm_up) {
      Result<std::vector<Event>> events =
          dispatcher_->Apply({Tick(), MakeSubmit(q, ++serial_, now_)});
      if (!events.ok()) return events.status();
      BAIYING_RETURN_IF_ERROR(CancelLast());
    }
    return Status::Ok();
  }

  Instant Tick() {
    now_ += std::chrono::seconds(1);
    return now_;
  }

  const World* world_;
  Matcher matcher_;
  std::optional<Dispatcher> dispatcher_;
  std::uint64_t retired_index_answers_ = 0;
  std::uint64_t retired_exact_answers_ = 0;
  std::size_t served_ = 0;
  std::uint64_t serial_ = 0;
  Instant now_ = kFirstCommand;
};

std::string_view MatcherName(Matcher matcher) {
  return matcher == Matcher::kIndexed ? "indexed dispatcher" : "dispatcher";
}

// The first kCheckedRequests answers of both dispatchers (teams, units, ETAs, in order) against
// the baseline's; the two dispatchers' clocks move in step, so they meet the same instants.
std::string CheckAgainstBaseline(const World& w) {
  DispatchDriver exact(w, Matcher::kExact);
  DispatchDriver indexed(w, Matcher::kIndexed);
  const std::size_t checked = std::min(kCheckedRequests, w.questions.size());
  for (std::size_t i = 0; i < checked; ++i) {
    const Question& q = w.questions[i];
    for (DispatchDriver* driver : {&exact, &indexed}) {
      const std::string_view who = MatcherName(driver == &indexed ? Matcher::kIndexed
                                                                  : Matcher::kExact);
      double seconds = 0, cpu_seconds = 0;
      Result<std::vector<Event>> events = driver->Submit(q, seconds, cpu_seconds);
      if (!events.ok()) {
        return std::string(who) + " refused request " + std::to_string(i) + ": " +
               events.status().ToString();
      }
      const std::vector<Pick> ours = AssignedPicks(*w.registry, *events);
      const std::vector<Pick> theirs = BaselineMatch(w, q, driver->now());
      if (ours != theirs) {
        return "request " + std::to_string(i) + " (" + q.specialty + " x" +
               std::to_string(q.quantity) + " at place " + std::to_string(q.place.value()) +
               "): " + std::string(who) + " " + DescribePicks(*w.registry, ours) +
               ", full-Dijkstra baseline " + DescribePicks(*w.registry, theirs);
      }
      const Status cancelled = driver->CancelLast();
      if (!cancelled.ok()) {
        return std::string(who) + " cancelling request " + std::to_string(i) + ": " +
               cancelled.ToString();
      }
    }
  }
  if (indexed.index_answers() < checked || indexed.exact_answers() != 0) {
    return "the indexed dispatcher's matcher questions: " +
           std::to_string(indexed.index_answers()) + " answered by the index, " +
           std::to_string(indexed.exact_answers()) + " by the exact search, for " +
           std::to_string(checked) + " requests";
  }
  return "";
}

World LoadWorld(NetworkKind kind) {
  World w;
  w.kind = kind;
  w.error = MissingDataMessage(kind, kXizangFiles, "data/xizang");
  if (!w.error.empty()) return w;
  const auto start = std::chrono::steady_clock::now();
  LoadedNetwork loaded = LoadAndBuild(kind, KeepSpec::kNo);
  if (!loaded.error.empty()) {
    w.error = std::move(loaded.error);
    return w;
  }
  w.built = std::move(loaded.built);
  w.graph = loaded.graph;
  Result<std::shared_ptr<const Registry>> registry =
      kind == NetworkKind::kNewYork ? MakeGeneratedRegistry(*w.graph, kNewYorkTeams, kTeamSeed)
                                    : LoadSeedRegistry();
  if (!registry.ok()) {
    w.error = "the " + std::string(ShortName(kind)) + " registry: " + registry.status().ToString();
    return w;
  }
  w.registry = std::move(registry).value();
  Result<std::vector<PlaceId>> home = TeamHomes(*w.registry, *w.graph);
  if (!home.ok()) {
    w.error = home.status().ToString();
    return w;
  }
  w.home = std::move(home).value();
  const auto index_start = std::chrono::steady_clock::now();
  if (index_dir.empty()) {
    Result<ChIndex> built = ChIndex::Build(*w.graph);
    if (!built.ok()) {
      w.error = "building the road index: " + built.status().ToString();
      return w;
    }
    w.index = std::make_shared<const ChIndex>(std::move(built).value());
  } else {
    Result<std::shared_ptr<const ChIndex>> index = cli::LoadOrBuildIndex(
        std::filesystem::path(index_dir) / (std::string(ShortName(kind)) + ".chindex"), *w.graph);
    if (!index.ok()) {
      w.error = "building the road index: " + index.status().ToString();
      return w;
    }
    w.index = std::move(index).value();
  }
  w.index_seconds = SecondsSince(index_start);
  w.reversed.emplace(BuildBoostGraph(*w.graph, Orientation::kReversed));
  w.place_county = PlaceCounties(*w.graph);
  w.questions = MakeQuestions(w);
  w.warm_up.assign(w.questions.end() - kWarmUpRequests, w.questions.end());
  w.questions.resize(w.questions.size() - kWarmUpRequests);
  w.check = CheckAgainstBaseline(w);
  if (!w.check.empty()) {
    check_failed = true;
    std::cerr << "match_bench: CHECK FAILED (" << ShortName(kind) << "): " << w.check << "\n";
  }
  std::cerr << "match_bench: " << ShortName(kind) << ": " << w.graph->place_count() << " places, "
            << w.registry->teams().size() << " teams, road index "
            << (index_dir.empty() ? "built" : "from --index_dir") << " in " << w.index_seconds
            << " s, ready in " << SecondsSince(start) << " s\n";
  return w;
}

World* WorldOrSkip(benchmark::State& state, NetworkKind kind) {
  static std::map<NetworkKind, std::unique_ptr<World>> worlds;
  std::unique_ptr<World>& slot = worlds[kind];
  if (!slot) slot = std::make_unique<World>(LoadWorld(kind));
  const std::string& error = !slot->error.empty() ? slot->error : slot->check;
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return nullptr;
  }
  return slot.get();
}

// --- Percentiles, kept for the summary printed after the run. ---

struct Latency {
  double p50_us = 0;
  double p99_us = 0;
  double cpu_p50_us = 0;  // this thread's CPU time per request
  double cpu_p99_us = 0;
  double mean_us = 0;
  std::size_t requests = 0;
  std::uint64_t index_answers = 0;  // dispatchers: matcher questions the index answered
  std::uint64_t exact_answers = 0;  // and the exact search
};

std::map<std::string, std::vector<Latency>>& Latencies() {
  static std::map<std::string, std::vector<Latency>> latencies;  // by name: one per repetition
  return latencies;
}

void Report(benchmark::State& state, const std::vector<double>& seconds,
            const std::vector<double>& cpu_seconds, std::string_view name) {
  if (seconds.empty()) return;
  Latency l;
  l.p50_us = Percentile(seconds, 0.50) * 1e6;
  l.p99_us = Percentile(seconds, 0.99) * 1e6;
  l.cpu_p50_us = Percentile(cpu_seconds, 0.50) * 1e6;
  l.cpu_p99_us = Percentile(cpu_seconds, 0.99) * 1e6;
  double sum = 0;
  for (double s : seconds)
    sum += s;
  l.mean_us = sum / static_cast<double>(seconds.size()) * 1e6;
  l.requests = seconds.size();
  state.counters["p50_us"] = l.p50_us;
  state.counters["p99_us"] = l.p99_us;
  state.counters["cpu_p50_us"] = l.cpu_p50_us;
  state.counters["cpu_p99_us"] = l.cpu_p99_us;
  state.counters["requests"] = static_cast<double>(l.requests);
  Latencies()[std::string(name)].push_back(l);
}

// --- The benchmarks. ---

void BM_Submit(benchmark::State& state, NetworkKind kind, Matcher matcher, std::string name) {
  World* w = WorldOrSkip(state, kind);
  if (w == nullptr) return;
  DispatchDriver driver(*w, matcher);
  std::vector<double> seconds, cpu_seconds;
  seconds.reserve(static_cast<std::size_t>(state.max_iterations));
  cpu_seconds.reserve(static_cast<std::size_t>(state.max_iterations));
  std::size_t i = 0;
  std::uint64_t teams = 0;
  for (auto _ : state) {
    const Question& q = w->questions[i];
    i = (i + 1 == w->questions.size()) ? 0 : i + 1;
    double elapsed = 0, cpu = 0;
    Result<std::vector<Event>> events = driver.Submit(q, elapsed, cpu);
    state.SetIterationTime(elapsed);
    if (!events.ok()) {
      state.SkipWithError(events.status().ToString().c_str());
      break;
    }
    seconds.push_back(elapsed);
    cpu_seconds.push_back(cpu);
    teams += AssignedPicks(*w->registry, *events).size();
    const Status cancelled = driver.CancelLast();
    if (!cancelled.ok()) {
      state.SkipWithError(cancelled.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["teams_sent"] =
      benchmark::Counter(static_cast<double>(teams), benchmark::Counter::kAvgIterations);
  // Matcher questions (one per request line here, plus each dispatcher's warm-up request).
  state.counters["index_answers"] = static_cast<double>(driver.index_answers());
  state.counters["exact_answers"] = static_cast<double>(driver.exact_answers());
  if (matcher == Matcher::kIndexed &&
      (driver.index_answers() < seconds.size() || driver.exact_answers() != 0)) {
    check_failed = true;
    const std::string error = "the index answered " + std::to_string(driver.index_answers()) +
                              " questions and the exact search " +
                              std::to_string(driver.exact_answers()) + " for " +
                              std::to_string(seconds.size()) + " requests";
    std::cerr << "match_bench: CHECK FAILED (" << name << "): " << error << "\n";
    state.SkipWithError(error.c_str());
  }
  Report(state, seconds, cpu_seconds, name);
  if (!seconds.empty()) {
    Latencies()[name].back().index_answers = driver.index_answers();
    Latencies()[name].back().exact_answers = driver.exact_answers();
  }
}

void BM_FullDijkstra(benchmark::State& state, NetworkKind kind, std::string name) {
  World* w = WorldOrSkip(state, kind);
  if (w == nullptr) return;
  std::vector<double> seconds, cpu_seconds;
  seconds.reserve(static_cast<std::size_t>(state.max_iterations));
  cpu_seconds.reserve(static_cast<std::size_t>(state.max_iterations));
  std::size_t i = 0;
  std::uint64_t teams = 0;
  Instant now = kFirstCommand;
  for (auto _ : state) {
    const Question& q = w->questions[i];
    i = (i + 1 == w->questions.size()) ? 0 : i + 1;
    now += std::chrono::seconds(2);  // as the dispatcher's clock moves: submit, cancel
    const double cpu_start = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Pick> picks = BaselineMatch(*w, q, now);
    const double elapsed = SecondsSince(start);
    cpu_seconds.push_back(ThreadCpuSeconds() - cpu_start);
    state.SetIterationTime(elapsed);
    benchmark::DoNotOptimize(picks.data());
    seconds.push_back(elapsed);
    teams += picks.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["teams_sent"] =
      benchmark::Counter(static_cast<double>(teams), benchmark::Counter::kAvgIterations);
  Report(state, seconds, cpu_seconds, name);
}

constexpr std::string_view kIndexedName = "IndexedSubmit";
constexpr std::string_view kExactName = "Submit";
constexpr std::string_view kBaselineName = "FullDijkstraMatch";

void RegisterAll() {
  for (NetworkKind kind : {NetworkKind::kXizang, NetworkKind::kNewYork}) {
    const std::string net(ShortName(kind));
    const std::string suffix =
        "/" + net + (kind == NetworkKind::kNewYork ? "/teams:10000/quantity:3" : "/seed");
    const auto iterations = static_cast<benchmark::IterationCount>(
        kind == NetworkKind::kNewYork ? kNewYorkRequests : kXizangRequests);
    const std::string indexed = std::string(kIndexedName) + suffix;
    const std::string submit = std::string(kExactName) + suffix;
    const std::string baseline = std::string(kBaselineName) + suffix;
    benchmark::RegisterBenchmark(indexed.c_str(), BM_Submit, kind, Matcher::kIndexed, indexed)
        ->Unit(benchmark::kMicrosecond)
        ->UseManualTime()
        ->Iterations(iterations);
    benchmark::RegisterBenchmark(submit.c_str(), BM_Submit, kind, Matcher::kExact, submit)
        ->Unit(benchmark::kMicrosecond)
        ->UseManualTime()
        ->Iterations(iterations);
    benchmark::RegisterBenchmark(baseline.c_str(), BM_FullDijkstra, kind, baseline)
        ->Unit(benchmark::kMicrosecond)
        ->UseManualTime()
        ->Iterations(iterations);
  }
}

double Median(std::vector<double> values) { return Percentile(std::move(values), 0.5); }

// Per network: the indexed dispatcher, the dispatcher without the index and the baseline, each
// the median over repetitions of its p50 and p99 (with --benchmark_repetitions), and the ratios
// of those medians.
void PrintSummary() {
  const std::map<std::string, std::vector<Latency>>& latencies = Latencies();
  for (const auto& [name, indexed_runs] : latencies) {
    if (!name.starts_with(kIndexedName)) continue;
    const std::string suffix = name.substr(kIndexedName.size());
    const auto exact_it = latencies.find(std::string(kExactName) + suffix);
    const auto baseline_it = latencies.find(std::string(kBaselineName) + suffix);
    if (exact_it == latencies.end() || baseline_it == latencies.end()) continue;
    struct Medians {
      double p50 = 0;
      double p99 = 0;
      double cpu_p50 = 0;
      double cpu_p99 = 0;
      std::uint64_t index_answers = 0;
      std::uint64_t exact_answers = 0;
    };
    auto medians = [](const std::vector<Latency>& runs) {
      std::vector<double> p50, p99, cpu_p50, cpu_p99;
      Medians m;
      for (const Latency& l : runs) {
        p50.push_back(l.p50_us);
        p99.push_back(l.p99_us);
        cpu_p50.push_back(l.cpu_p50_us);
        cpu_p99.push_back(l.cpu_p99_us);
        m.index_answers += l.index_answers;
        m.exact_answers += l.exact_answers;
      }
      m.p50 = Median(p50);
      m.p99 = Median(p99);
      m.cpu_p50 = Median(cpu_p50);
      m.cpu_p99 = Median(cpu_p99);
      return m;
    };
    const Medians indexed = medians(indexed_runs);
    const Medians exact = medians(exact_it->second);
    const Medians baseline = medians(baseline_it->second);
    std::cout << std::fixed << std::setprecision(1) << "match_bench summary " << suffix.substr(1)
              << " (" << indexed_runs.front().requests << " requests, median of "
              << indexed_runs.size() << " repetitions):\n"
              << "  indexed dispatcher p50 " << indexed.p50 << " us, p99 " << indexed.p99
              << " us; CPU p50 " << indexed.cpu_p50 << " us, p99 " << indexed.cpu_p99
              << " us (index answered " << indexed.index_answers << ", exact search "
              << indexed.exact_answers << ")\n"
              << "  dispatcher without index p50 " << exact.p50 << " us, p99 " << exact.p99
              << " us; CPU p50 " << exact.cpu_p50 << " us, p99 " << exact.cpu_p99
              << " us (index answered " << exact.index_answers << ", exact search "
              << exact.exact_answers << ")\n"
              << "  full-Dijkstra baseline p50 " << baseline.p50 << " us, p99 " << baseline.p99
              << " us; CPU p50 " << baseline.cpu_p50 << " us, p99 " << baseline.cpu_p99
              << " us\n"
              << "  baseline / indexed: p50 " << baseline.p50 / indexed.p50 << "x, p99 "
              << baseline.p99 / indexed.p99 << "x (CPU: p50 " << baseline.cpu_p50 / indexed.cpu_p50
              << "x, p99 " << baseline.cpu_p99 / indexed.cpu_p99
              << "x); without index / indexed: p50 " << exact.p50 / indexed.p50 << "x, p99 "
              << exact.p99 / indexed.p99 << "x\n";
  }
}

}  // namespace
}  // namespace baiying::bench

int main(int argc, char** argv) {
  // Our own flags, taken out before Google Benchmark reads the rest.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--index_dir=")) {
      baiying::bench::index_dir = std::string(arg.substr(std::string_view("--index_dir=").size()));
      continue;
    }
    if (arg.starts_with("--renew_every=")) {
      const std::string value(arg.substr(std::string_view("--renew_every=").size()));
      char* end = nullptr;
      const unsigned long long n = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') {
        std::cerr << "match_bench: --renew_every wants a number of requests, got '" << value
                  << "'\n";
        return 1;
      }
      baiying::bench::renew_every = static_cast<std::size_t>(n);
      continue;
    }
    argv[kept++] = argv[i];
  }
  argc = kept;
  baiying::bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  baiying::bench::PrintSummary();
  if (baiying::bench::check_failed) {
    std::cerr
        << "match_bench: a dispatcher disagreed with the baseline, or the index did not "
           "answer; see CHECK FAILED above\n";
    return baiying::bench::kCheckFailedExit;
  }
  return 0;
}
