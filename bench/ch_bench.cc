// The road index (issue 7) on DIMACS New York: preprocessing time and memory, the cost of
// adding and removing a candidate, and the matcher's question (the K = 3 teams of one
// specialty with the least mobilization delay + travel time to a random unit) answered by the
// index beside the exact search (RoadQuery::NearestWithOffsets) and a full Dijkstra, on the
// same questions in the same run. Every index answer is compared with the exact one; a
// mismatch is reported and the program exits with status 2.
//
// Closures: the time from a closure to an up-to-date index. For 1 and 10 random two-way
// closures (the road between two adjacent places, closed both ways), ChIndex::Recontract (the
// previous index's order, the closed arcs left out) is timed over --repetitions runs beside one
// full ChIndex::Build with the same closed arcs, in the same run; both indexes then answer the
// matcher's question under the closures for --checked units with 1,000 teams, compared with
// the exact search under the same closures (a mismatch: exit status 2), and timed.
//
// Peak memory: getrusage's ru_maxrss (the process's peak RSS so far) at each step; run it
// under /usr/bin/time -f %M for the whole process's peak.
//
// A plain program: ch_bench [--network ny|xizang] [--queries N] [--closures 1,10]
// [--repetitions R] [--checked N]. Teams are drawn with fixed seeds as in match_bench (random
// places, delays of 10 to 120 minutes).

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_data.h"
#include "engine/core/ids.h"
#include "engine/core/time.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/closures.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"

namespace baiying::bench {
namespace {

constexpr std::uint64_t kTeamSeed = 20261128;
constexpr std::uint64_t kUnitSeed = 20261129;
constexpr std::uint64_t kClosureSeed = 20261130;
constexpr std::uint32_t kClosureTeams = 1000;
// When the closures apply: they are made for all time, so any instant will do.
const Instant kClosedAt = Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1));
constexpr std::uint32_t kK = 3;
constexpr std::size_t kFullSearches = 20;
constexpr std::array<std::string_view, 2> kXizangFiles = {"places.csv", "roads.csv"};

double MaxRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
      .count();
}

double ThreadCpuMicros() { return ThreadCpuSeconds() * 1e6; }

// The q-quantile (0..1) of `samples`, which it sorts.
double Quantile(std::vector<double>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[i];
}

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
};

Percentiles Summary(std::vector<double> samples) {
  return {Quantile(samples, 0.5), Quantile(samples, 0.99)};
}

std::vector<OffsetTarget> Teams(const RoadGraph& graph, std::uint32_t count) {
  std::mt19937_64 rng(kTeamSeed + count);
  std::vector<OffsetTarget> teams;
  teams.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto place = static_cast<std::uint32_t>(rng() % graph.place_count());
    const auto delay = static_cast<TravelTime>((10 + rng() % 111) * 60'000);
    teams.push_back({PlaceId(place), delay, i});
  }
  return teams;
}

struct ClosureOptions {
  std::vector<std::size_t> counts = {1, 10};  // roads closed, one scenario each
  std::size_t repetitions = 3;                // of Recontract per scenario
  std::size_t checked = 200;                  // units asked under the closures
};

// Closes `count` random roads in `closures`, each both ways (ClosureSet::CloseBetween: every arc
// joining two distinct adjacent places), none closed twice.
void CloseRandomRoads(const RoadGraph& graph, std::size_t count, std::mt19937_64& rng,
                      ClosureSet& closures) {
  for (std::size_t made = 0; made < count;) {
    const ArcId arc(static_cast<std::uint32_t>(rng() % graph.arc_count()));
    const PlaceId a = graph.tail(arc);
    const PlaceId b = graph.head(arc);
    if (a == b || !closures.ArcOpen(arc, kClosedAt)) continue;
    if (closures.CloseBetween(a, b, "ch_bench").ok()) ++made;
  }
}

// The matcher's question on `index` under `closures` for `units` (1,000 teams), each answer
// compared with the exact search's under the same closures. Returns the per-query times and
// adds to `mismatches` (an answer that differs, or one the index did not give itself).
std::vector<double> AskUnderClosures(const RoadGraph& graph, const ChIndex& index,
                                     const ClosureSet& closures, std::span<const PlaceId> units,
                                     std::string_view what, int& mismatches) {
  CandidateSet set(index);
  for (const OffsetTarget& t : Teams(graph, kClosureTeams))
    (void)set.Add(t);
  ChQuery ch(index, graph);
  RoadQuery exact(graph);
  const NearestOptions options{kK, kInfiniteTime};
  const QueryContext context{&closures, kClosedAt};
  // The index's queries one after another, then the exact search's (as in Run: each loop with
  // its own data in the caches).
  std::vector<double> us;
  std::vector<std::vector<OffsetReach>> answers;
  std::vector<bool> by_exact;
  for (const PlaceId unit : units) {
    const auto start = std::chrono::steady_clock::now();
    const std::span<const OffsetReach> got = ch.NearestWithOffsets(unit, set, options, context);
    us.push_back(MicrosSince(start));
    answers.emplace_back(got.begin(), got.end());
    by_exact.push_back(ch.last_was_exact());
  }
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::span<const OffsetReach> want =
        exact.NearestWithOffsets(units[i], Direction::kToPlace, set.targets(), options, context);
    if (by_exact[i] || !std::equal(answers[i].begin(), answers[i].end(), want.begin(), want.end())) {
      if (mismatches++ < 3) {
        std::cerr << "CHECK FAILED: " << what << ", unit " << units[i].value()
                  << (by_exact[i] ? ": the exact search answered" : "") << "\n";
      }
    }
  }
  return us;
}

// The time from closures to an up-to-date index: Recontract beside a full Build, per scenario.
int RunClosures(const RoadGraph& graph, const ChIndex& index, std::span<const PlaceId> all_units,
                const ClosureOptions& opts) {
  const std::span<const PlaceId> units = all_units.first(std::min(opts.checked, all_units.size()));
  std::mt19937_64 rng(kClosureSeed);
  int mismatches = 0;
  if (opts.counts.empty()) return 0;
  // The same question with no closure, on the same units: what the figures below compare with.
  const ClosureSet none(graph);
  const Percentiles open_q =
      Summary(AskUnderClosures(graph, index, none, units, "index, no closure", mismatches));
  std::printf("no closure, the same question: K %u of %u teams, %zu units: p50 %.1f us p99 %.1f us\n",
              kK, kClosureTeams, units.size(), open_q.p50, open_q.p99);
  for (const std::size_t count : opts.counts) {
    ClosureSet closures(graph);
    CloseRandomRoads(graph, count, rng, closures);
    const std::vector<ArcId> closed = closures.ClosedArcsAt(kClosedAt);
    std::vector<double> recontract_s;
    std::optional<ChIndex> recontracted;
    for (std::size_t r = 0; r < opts.repetitions; ++r) {
      recontracted.reset();
      const auto start = std::chrono::steady_clock::now();
      Result<ChIndex> made = ChIndex::Recontract(graph, index, closed);
      recontract_s.push_back(SecondsSince(start));
      if (!made.ok()) {
        std::cerr << "Recontract: " << made.status().ToString() << "\n";
        return 1;
      }
      recontracted.emplace(std::move(made).value());
    }
    const double rss_recontract = MaxRssMiB();
    const auto build_start = std::chrono::steady_clock::now();
    Result<ChIndex> full = ChIndex::Build(graph, {}, closed);
    const double build_s = SecondsSince(build_start);
    if (!full.ok()) {
      std::cerr << "Build with closures: " << full.status().ToString() << "\n";
      return 1;
    }
    const double rss_build = MaxRssMiB();
    const Percentiles re_q = Summary(AskUnderClosures(graph, *recontracted, closures, units,
                                                      "recontracted index", mismatches));
    const Percentiles full_q =
        Summary(AskUnderClosures(graph, *full, closures, units, "rebuilt index", mismatches));
    std::vector<double> sorted = recontract_s;
    std::sort(sorted.begin(), sorted.end());
    const double recontract_median = Quantile(sorted, 0.5);
    std::printf("closures: %zu roads (%zu arcs) closed both ways:\n", count, closed.size());
    std::printf(
        "  Recontract median %.3f ms (min %.3f, max %.3f, %zu runs); full Build with the "
        "closures %.3f ms; Recontract / Build %.2f\n",
        recontract_median * 1e3, sorted.front() * 1e3, sorted.back() * 1e3, sorted.size(),
        build_s * 1e3, recontract_median / build_s);
    std::printf(
        "  shortcuts %llu recontracted, %llu rebuilt; index %.1f / %.1f KiB; peak RSS %.1f MiB "
        "after Recontract, %.1f MiB after Build\n",
        static_cast<unsigned long long>(recontracted->shortcut_count()),
        static_cast<unsigned long long>(full->shortcut_count()),
        static_cast<double>(recontracted->MemoryBytes()) / 1024.0,
        static_cast<double>(full->MemoryBytes()) / 1024.0, rss_recontract, rss_build);
    std::printf(
        "  K %u of %u teams under the closures, %zu units: recontracted p50 %.1f us p99 %.1f us; "
        "rebuilt p50 %.1f us p99 %.1f us\n",
        kK, kClosureTeams, units.size(), re_q.p50, re_q.p99, full_q.p50, full_q.p99);
  }
  std::printf("under closures, index answers equal the exact search's: %s\n",
              mismatches == 0 ? "all" : "NO");
  return mismatches == 0 ? 0 : 2;
}

int Run(NetworkKind kind, std::size_t query_count, const ClosureOptions& closure_options) {
  const std::string missing = MissingDataMessage(kind, kXizangFiles, "data/xizang network");
  if (!missing.empty()) {
    std::cerr << "skipped: " << missing << "\n";
    return 0;
  }
  const LoadedNetwork loaded = LoadAndBuild(kind, KeepSpec::kNo);
  if (!loaded.error.empty()) {
    std::cerr << loaded.error << "\n";
    return 1;
  }
  const RoadGraph& graph = *loaded.graph;
  std::printf("network %s: %u places, %u arcs (load %.2f s)\n",
              std::string(ShortName(kind)).c_str(), graph.place_count(), graph.arc_count(),
              loaded.load_seconds);

  const double rss_before = MaxRssMiB();
  const auto build_start = std::chrono::steady_clock::now();
  Result<ChIndex> built = ChIndex::Build(graph);
  const double build_seconds = SecondsSince(build_start);
  if (!built.ok()) {
    std::cerr << "building the index: " << built.status().ToString() << "\n";
    return 1;
  }
  const ChIndex& index = built.value();
  const double rss_after = MaxRssMiB();
  std::printf(
      "preprocessing: %.3f ms; index %.1f KiB (%llu shortcuts); "
      "peak RSS %.1f MiB before, %.1f MiB after (graph %.1f MiB)\n",
      build_seconds * 1e3, static_cast<double>(index.MemoryBytes()) / 1024.0,
      static_cast<unsigned long long>(index.shortcut_count()), rss_before, rss_after,
      static_cast<double>(graph.MemoryBytes()) / (1024.0 * 1024.0));

  std::mt19937_64 unit_rng(kUnitSeed);
  std::vector<PlaceId> units;
  for (std::size_t i = 0; i < query_count; ++i) {
    units.emplace_back(static_cast<std::uint32_t>(unit_rng() % graph.place_count()));
  }

  ChQuery ch(index, graph);
  RoadQuery exact(graph);
  int mismatches = 0;
  for (const std::uint32_t team_count : {1000u, 10000u}) {
    const std::vector<OffsetTarget> teams = Teams(graph, team_count);
    CandidateSet set(index);
    std::vector<double> add_us;
    for (const OffsetTarget& t : teams) {
      const auto start = std::chrono::steady_clock::now();
      (void)set.Add(t);
      add_us.push_back(MicrosSince(start));
    }
    // A team changes state: removed, then added again (at the same place, same delay).
    std::vector<double> remove_us;
    std::vector<double> readd_us;
    for (std::size_t i = 0; i < std::min<std::size_t>(1000, teams.size()); ++i) {
      const OffsetTarget& t = teams[(i * 7919) % teams.size()];
      auto start = std::chrono::steady_clock::now();
      (void)set.Remove(t.tag);
      remove_us.push_back(MicrosSince(start));
      start = std::chrono::steady_clock::now();
      (void)set.Add(t);
      readd_us.push_back(MicrosSince(start));
    }

    const NearestOptions options{kK, kInfiniteTime};
    std::vector<double> ch_us;
    std::vector<double> exact_us;
    std::vector<double> ch_cpu_us;
    std::vector<double> exact_cpu_us;
    std::uint64_t ch_settled = 0;
    std::uint64_t entries = 0;
    std::uint64_t exact_settled = 0;
    // The index's queries one after another, then the exact search's on the same units: each
    // loop runs with its own data in the caches, as a dispatcher answering a burst would.
    std::vector<std::vector<OffsetReach>> answers;
    answers.reserve(units.size());
    for (const PlaceId unit : units) {
      const double cpu = ThreadCpuMicros();
      const auto start = std::chrono::steady_clock::now();
      const std::span<const OffsetReach> got = ch.NearestWithOffsets(unit, set, options);
      ch_us.push_back(MicrosSince(start));
      ch_cpu_us.push_back(ThreadCpuMicros() - cpu);
      ch_settled += ch.last_settled_count();
      entries += ch.last_entries_read();
      answers.emplace_back(got.begin(), got.end());
    }
    for (std::size_t i = 0; i < units.size(); ++i) {
      const double cpu = ThreadCpuMicros();
      const auto start = std::chrono::steady_clock::now();
      const std::span<const OffsetReach> want =
          exact.NearestWithOffsets(units[i], Direction::kToPlace, set.targets(), options);
      exact_us.push_back(MicrosSince(start));
      exact_cpu_us.push_back(ThreadCpuMicros() - cpu);
      exact_settled += exact.last_settled_count();
      if (!std::equal(answers[i].begin(), answers[i].end(), want.begin(), want.end())) {
        if (mismatches++ < 3) {
          std::cerr << "CHECK FAILED: teams " << team_count << ", unit " << units[i].value()
                    << "\n";
        }
      }
    }
    std::vector<double> full_us;
    for (std::size_t i = 0; i < std::min(kFullSearches, units.size()); ++i) {
      const auto start = std::chrono::steady_clock::now();
      (void)exact.AllTimes(units[i], Direction::kToPlace);
      full_us.push_back(MicrosSince(start));
    }
    const Percentiles ch_p = Summary(ch_us);
    const Percentiles exact_p = Summary(exact_us);
    const Percentiles ch_cpu = Summary(ch_cpu_us);
    const Percentiles exact_cpu = Summary(exact_cpu_us);
    const Percentiles full_p = Summary(full_us);
    const Percentiles add_p = Summary(add_us);
    const Percentiles remove_p = Summary(remove_us);
    const Percentiles readd_p = Summary(readd_us);
    const double n = static_cast<double>(units.size());
    std::printf("teams %u (one specialty), K %u, %zu units:\n", team_count, kK, units.size());
    std::printf("  index query        p50 %9.1f us  p99 %9.1f us  (settled %.0f, entries %.0f)\n",
                ch_p.p50, ch_p.p99, static_cast<double>(ch_settled) / n,
                static_cast<double>(entries) / n);
    std::printf("  NearestWithOffsets p50 %9.1f us  p99 %9.1f us  (settled %.0f)\n", exact_p.p50,
                exact_p.p99, static_cast<double>(exact_settled) / n);
    std::printf("  thread CPU time: index p50 %.1f us p99 %.1f us; exact p50 %.1f us p99 %.1f us\n",
                ch_cpu.p50, ch_cpu.p99, exact_cpu.p50, exact_cpu.p99);
    std::printf("  full Dijkstra      p50 %9.1f us  p99 %9.1f us  (%zu searches)\n", full_p.p50,
                full_p.p99, full_us.size());
    std::printf("  ratios at p50: exact / index %.1fx, full Dijkstra / index %.0fx\n",
                exact_p.p50 / ch_p.p50, full_p.p50 / ch_p.p50);
    std::printf(
        "  Add p50 %.1f us p99 %.1f us; Remove p50 %.1f us p99 %.1f us; re-Add p50 %.1f us "
        "p99 %.1f us; %zu bucket entries, set %.1f MiB\n",
        add_p.p50, add_p.p99, remove_p.p50, remove_p.p99, readd_p.p50, readd_p.p99,
        set.entry_count(), static_cast<double>(set.MemoryBytes()) / (1024.0 * 1024.0));
  }
  std::printf("peak RSS after the queries %.1f MiB; index answers equal the exact search's: %s\n",
              MaxRssMiB(), mismatches == 0 ? "all" : "NO");
  const int closures_status = RunClosures(graph, index, units, closure_options);
  std::printf("peak RSS at the end %.1f MiB\n", MaxRssMiB());
  if (closures_status == 1) return 1;
  return mismatches == 0 && closures_status == 0 ? 0 : 2;
}

}  // namespace
}  // namespace baiying::bench

int main(int argc, char** argv) {
  baiying::bench::NetworkKind kind = baiying::bench::NetworkKind::kNewYork;
  std::size_t queries = 1000;
  baiying::bench::ClosureOptions closures;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--network" && i + 1 < argc) {
      const std::string_view value = argv[++i];
      kind = value == "xizang" ? baiying::bench::NetworkKind::kXizang
                               : baiying::bench::NetworkKind::kNewYork;
    } else if (arg == "--queries" && i + 1 < argc) {
      queries = static_cast<std::size_t>(std::stoul(argv[++i]));
    } else if (arg == "--closures" && i + 1 < argc) {
      closures.counts.clear();
      for (const std::string& n : baiying::bench::SplitList(argv[++i]))
        closures.counts.push_back(std::stoul(n));
    } else if (arg == "--repetitions" && i + 1 < argc) {
      closures.repetitions = std::max<std::size_t>(1, std::stoul(argv[++i]));
    } else if (arg == "--checked" && i + 1 < argc) {
      closures.checked = static_cast<std::size_t>(std::stoul(argv[++i]));
    } else {
      std::cerr << "usage: ch_bench [--network ny|xizang] [--queries N] [--closures 1,10] "
                   "[--repetitions R] [--checked N]\n";
      return 1;
    }
  }
  return baiying::bench::Run(kind, queries, closures);
}
