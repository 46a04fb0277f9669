// Matching one request: the latency of Dispatcher::Apply(SubmitRequest) on data/xizang with the
// seed registry and on the DIMACS New York graph with 10,000 generated teams, each beside the
// "full Dijkstra per request" matcher in the same run: a plain Boost.Graph
// dijkstra_shortest_paths from the unit's place over the reversed graph (no early stop), then
// the fastest eligible teams by ETA (mobilization delay + road time).
//
// One benchmark iteration is one request. Each request meets a fresh state: it is submitted,
// timed alone, and then cancelled (untimed) so that its teams are free again for the next one.
// A dispatcher serves kRequestsPerDispatcher requests and is then replaced (untimed, with one
// untimed warm-up request), so that the requests it keeps do not pile up. Per-request times are
// read with std::chrono::steady_clock and handed to Google Benchmark as manual time; p50 and
// p99 over the requests are exported as counters and summed up beside the baseline at the end.
//
// Before timing, the first kCheckedRequests answers of the dispatcher (teams, units, ETAs, in
// order) are compared with the baseline's; a disagreement skips both benchmarks of that network
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
#include <utility>
#include <variant>
#include <vector>

#include "adapters/loaders/network_loader.h"
#include "adapters/loaders/network_spec.h"
#include "adapters/store/registry_store.h"
#include "bench/bench_data.h"
#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/dispatch/commands.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/dispatch/events.h"
#include "engine/registry/registry.h"
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
constexpr std::size_t kRequestsPerDispatcher = 100;
constexpr std::size_t kCheckedRequests = 20;
constexpr int kCheckFailedExit = 2;

// The seed registry's reference date (data/xizang/registry/README.md): vetting and agreements
// are judged at it. Requests are submitted one second apart from an hour after it.
const Instant kReferenceDate = Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1));
const Instant kFirstCommand = kReferenceDate + std::chrono::hours(1);
constexpr Duration kDeadlineAfter = std::chrono::days(30);  // "far": never binding

bool check_failed = false;

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
  std::string check;  // "" when the dispatcher's first answers agree with the baseline's
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

// 10,000 teams over 10 specialties, capacity 1 each, at random places; one organisation with an
// agreement for emergency and wartime; every team vetted by all five departments and committed
// to every mode.
Result<std::shared_ptr<const Registry>> MakeNewYorkRegistry(const RoadGraph& graph) {
  static constexpr std::array<const char*, 10> kSpecialties = {
      "medical",  "transport",   "communications", "road_repair", "logistics",
      "security", "water_power", "technical",      "spectrum",    "engineering"};
  RegistryData d;
  for (std::size_t s = 0; s < kSpecialties.size(); ++s) {
    d.specialties.push_back({SpecialtyId(static_cast<std::uint16_t>(s)), kSpecialties[s],
                             kSpecialties[s], kSpecialties[s], "teams"});
  }
  Organisation org;
  org.id = OrganisationId(0);
  org.code = "ORG-NY";
  org.name = "benchmark organisation";
  org.modes = {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
  d.organisations.push_back(org);
  Agreement agreement;
  agreement.organisation = OrganisationId(0);
  agreement.code = "AGR-NY";
  agreement.joint_review_at = kReferenceDate - std::chrono::days(400);
  agreement.notice_from = kReferenceDate - std::chrono::days(390);
  agreement.notice_until = kReferenceDate - std::chrono::days(380);
  agreement.signed_at = kReferenceDate - std::chrono::days(365);
  agreement.expires_at = kReferenceDate + std::chrono::days(3650);
  agreement.modes = {Mode::kEmergency, Mode::kWartime};
  d.agreements.push_back(agreement);

  std::mt19937_64 rng(kTeamSeed);
  for (std::uint32_t i = 0; i < kNewYorkTeams; ++i) {
    Team t;
    t.id = TeamId(i);
    std::ostringstream code;
    code << "NY-T-" << std::setw(5) << std::setfill('0') << i;  // code order == id order
    t.code = code.str();
    t.name = t.code;
    t.organisation = OrganisationId(0);
    t.capacities.push_back(
        {SpecialtyId(static_cast<std::uint16_t>(rng() % kSpecialties.size())), 1, false});
    t.home_place =
        graph.place(PlaceId(static_cast<std::uint32_t>(rng() % graph.place_count()))).name;
    t.mobilization_delay = std::chrono::minutes(10 + static_cast<std::int64_t>(rng() % 111));
    t.modes = {Mode::kPeacetime, Mode::kEmergency, Mode::kWartime};
    t.max_work_elevation_m = 6000;
    for (Department dep : kAllDepartments) {
      d.vetting.push_back({t.id, dep, kReferenceDate - std::chrono::days(30), "examiner",
                           kReferenceDate + std::chrono::days(3650), true, ""});
    }
    d.teams.push_back(std::move(t));
  }
  Result<Registry> built = Registry::Build(std::move(d));
  if (!built.ok()) return built.status();
  return std::make_shared<const Registry>(std::move(built).value());
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
  const std::size_t count = w.kind == NetworkKind::kNewYork ? kNewYorkRequests : kXizangRequests;
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

class DispatchDriver {
 public:
  explicit DispatchDriver(const World& w) : world_(&w) {}

  // Submits question `q` at the next instant; `seconds` is the time Apply took.
  Result<std::vector<Event>> Submit(const Question& q, double& seconds) {
    if (!dispatcher_ || served_ == kRequestsPerDispatcher) {
      BAIYING_RETURN_IF_ERROR(Renew(q));
    }
    ++served_;
    const TimedCommand submit{Tick(), MakeSubmit(q, ++serial_, now_)};
    const auto start = std::chrono::steady_clock::now();
    Result<std::vector<Event>> events = dispatcher_->Apply(submit);
    seconds = SecondsSince(start);
    return events;
  }

  // Cancels the last request submitted, freeing its teams.
  Status CancelLast() {
    const TimedCommand cancel{Tick(), CancelRequest{"R" + std::to_string(serial_), "benchmark"}};
    Result<std::vector<Event>> events = dispatcher_->Apply(cancel);
    return events.ok() ? Status() : events.status();
  }

  Instant now() const { return now_; }

 private:
  // A fresh dispatcher, warmed up by one request submitted and cancelled.
  Status Renew(const Question& warm_up) {
    dispatcher_.reset();
    Result<Dispatcher> created = Dispatcher::Create(*world_->graph, world_->registry);
    if (!created.ok()) return created.status();
    dispatcher_.emplace(std::move(created).value());
    served_ = 0;
    Result<std::vector<Event>> events =
        dispatcher_->Apply({Tick(), MakeSubmit(warm_up, ++serial_, now_)});
    if (!events.ok()) return events.status();
    return CancelLast();
  }

  Instant Tick() {
    now_ += std::chrono::seconds(1);
    return now_;
  }

  const World* world_;
  std::optional<Dispatcher> dispatcher_;
  std::size_t served_ = 0;
  std::uint64_t serial_ = 0;
  Instant now_ = kFirstCommand;
};

std::string CheckAgainstBaseline(const World& w) {
  DispatchDriver driver(w);
  for (std::size_t i = 0; i < std::min(kCheckedRequests, w.questions.size()); ++i) {
    const Question& q = w.questions[i];
    double seconds = 0;
    Result<std::vector<Event>> events = driver.Submit(q, seconds);
    if (!events.ok())
      return "the dispatcher refused request " + std::to_string(i) + ": " +
             events.status().ToString();
    const std::vector<Pick> ours = AssignedPicks(*w.registry, *events);
    const std::vector<Pick> theirs = BaselineMatch(w, q, driver.now());
    if (ours != theirs) {
      return "request " + std::to_string(i) + " (" + q.specialty + " x" +
             std::to_string(q.quantity) + " at place " + std::to_string(q.place.value()) +
             "): dispatcher " + DescribePicks(*w.registry, ours) + ", full-Dijkstra baseline " +
             DescribePicks(*w.registry, theirs);
    }
    const Status cancelled = driver.CancelLast();
    if (!cancelled.ok())
      return "cancelling request " + std::to_string(i) + ": " + cancelled.ToString();
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
      kind == NetworkKind::kNewYork ? MakeNewYorkRegistry(*w.graph) : LoadSeedRegistry();
  if (!registry.ok()) {
    w.error = "the " + std::string(ShortName(kind)) + " registry: " + registry.status().ToString();
    return w;
  }
  w.registry = std::move(registry).value();
  for (const Team& t : w.registry->teams()) {
    Result<PlaceId> home = w.graph->FindPlace(t.home_place);
    if (!home.ok()) {
      w.error = "team " + t.code + " home place: " + home.status().ToString();
      return w;
    }
    w.home.push_back(*home);
  }
  w.reversed.emplace(BuildBoostGraph(*w.graph, Orientation::kReversed));
  w.place_county = PlaceCounties(*w.graph);
  w.questions = MakeQuestions(w);
  w.check = CheckAgainstBaseline(w);
  if (!w.check.empty()) {
    check_failed = true;
    std::cerr << "match_bench: CHECK FAILED (" << ShortName(kind) << "): " << w.check << "\n";
  }
  std::cerr << "match_bench: " << ShortName(kind) << ": " << w.graph->place_count() << " places, "
            << w.registry->teams().size() << " teams, ready in " << SecondsSince(start) << " s\n";
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
  double mean_us = 0;
  std::size_t requests = 0;
};

// Nearest rank: the smallest sample with at least q of the samples at or below it.
double Percentile(std::vector<double> sorted, double q) {
  std::sort(sorted.begin(), sorted.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

std::map<std::string, Latency>& Latencies() {
  static std::map<std::string, Latency> latencies;  // by benchmark name; the last repetition
  return latencies;
}

void Report(benchmark::State& state, const std::vector<double>& seconds, std::string_view name) {
  if (seconds.empty()) return;
  Latency l;
  l.p50_us = Percentile(seconds, 0.50) * 1e6;
  l.p99_us = Percentile(seconds, 0.99) * 1e6;
  double sum = 0;
  for (double s : seconds)
    sum += s;
  l.mean_us = sum / static_cast<double>(seconds.size()) * 1e6;
  l.requests = seconds.size();
  state.counters["p50_us"] = l.p50_us;
  state.counters["p99_us"] = l.p99_us;
  state.counters["requests"] = static_cast<double>(l.requests);
  Latencies()[std::string(name)] = l;
}

// --- The benchmarks. ---

void BM_Submit(benchmark::State& state, NetworkKind kind, std::string name) {
  World* w = WorldOrSkip(state, kind);
  if (w == nullptr) return;
  DispatchDriver driver(*w);
  std::vector<double> seconds;
  seconds.reserve(static_cast<std::size_t>(state.max_iterations));
  std::size_t i = 0;
  std::uint64_t teams = 0;
  for (auto _ : state) {
    const Question& q = w->questions[i];
    i = (i + 1 == w->questions.size()) ? 0 : i + 1;
    double elapsed = 0;
    Result<std::vector<Event>> events = driver.Submit(q, elapsed);
    state.SetIterationTime(elapsed);
    if (!events.ok()) {
      state.SkipWithError(events.status().ToString().c_str());
      break;
    }
    seconds.push_back(elapsed);
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
  Report(state, seconds, name);
}

void BM_FullDijkstra(benchmark::State& state, NetworkKind kind, std::string name) {
  World* w = WorldOrSkip(state, kind);
  if (w == nullptr) return;
  std::vector<double> seconds;
  seconds.reserve(static_cast<std::size_t>(state.max_iterations));
  std::size_t i = 0;
  std::uint64_t teams = 0;
  Instant now = kFirstCommand;
  for (auto _ : state) {
    const Question& q = w->questions[i];
    i = (i + 1 == w->questions.size()) ? 0 : i + 1;
    now += std::chrono::seconds(2);  // as the dispatcher's clock moves: submit, cancel
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Pick> picks = BaselineMatch(*w, q, now);
    const double elapsed = SecondsSince(start);
    state.SetIterationTime(elapsed);
    benchmark::DoNotOptimize(picks.data());
    seconds.push_back(elapsed);
    teams += picks.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["teams_sent"] =
      benchmark::Counter(static_cast<double>(teams), benchmark::Counter::kAvgIterations);
  Report(state, seconds, name);
}

void RegisterAll() {
  for (NetworkKind kind : {NetworkKind::kXizang, NetworkKind::kNewYork}) {
    const std::string net(ShortName(kind));
    const std::string suffix =
        "/" + net + (kind == NetworkKind::kNewYork ? "/teams:10000/quantity:3" : "/seed");
    const auto iterations = static_cast<benchmark::IterationCount>(
        kind == NetworkKind::kNewYork ? kNewYorkRequests : kXizangRequests);
    const std::string submit = "Submit" + suffix;
    const std::string baseline = "FullDijkstraMatch" + suffix;
    benchmark::RegisterBenchmark(submit.c_str(), BM_Submit, kind, submit)
        ->Unit(benchmark::kMicrosecond)
        ->UseManualTime()
        ->Iterations(iterations);
    benchmark::RegisterBenchmark(baseline.c_str(), BM_FullDijkstra, kind, baseline)
        ->Unit(benchmark::kMicrosecond)
        ->UseManualTime()
        ->Iterations(iterations);
  }
}

// Dispatcher beside baseline, per network, from the last repetition of each.
void PrintSummary() {
  const std::map<std::string, Latency>& latencies = Latencies();
  for (const auto& [name, ours] : latencies) {
    if (!name.starts_with("Submit")) continue;
    const std::string baseline_name =
        "FullDijkstraMatch" + name.substr(std::string("Submit").size());
    const auto it = latencies.find(baseline_name);
    if (it == latencies.end()) continue;
    const Latency& theirs = it->second;
    std::cout << std::fixed << std::setprecision(1) << "match_bench summary " << name << ": "
              << ours.requests << " requests; dispatcher p50 " << ours.p50_us << " us, p99 "
              << ours.p99_us << " us; full-Dijkstra baseline p50 " << theirs.p50_us << " us, p99 "
              << theirs.p99_us << " us; ratio dispatcher/baseline p50 " << std::setprecision(4)
              << ours.p50_us / theirs.p50_us << ", p99 " << ours.p99_us / theirs.p99_us << "\n";
  }
}

}  // namespace
}  // namespace baiying::bench

int main(int argc, char** argv) {
  baiying::bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  baiying::bench::PrintSummary();
  if (baiying::bench::check_failed) {
    std::cerr
        << "match_bench: the dispatcher disagreed with the baseline; see CHECK FAILED above\n";
    return baiying::bench::kCheckFailedExit;
  }
  return 0;
}
