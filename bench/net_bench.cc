// End to end over loopback (issue 5): requests per second and latency percentiles of the
// dispatch server (adapters/net/server.h) with 1, 16 and 64 client connections, the journal on.
//
// The server runs in this process on data/xizang with the seed registry (imported into a
// temporary SQLite file, as the program does), its journal a fresh file on disk in a temporary
// directory (SQLite WAL, synchronous=FULL, group commit: the server's defaults), io_threads as
// ServerOptions has it unless --io-threads says otherwise. Each client connection is a blocking
// net::Client on a thread of its own, in a closed loop: send, wait for the reply, send again.
// Each request's latency is taken with steady_clock around Client::Call (encoding, the round
// trip, the server's work and decoding). Requests that start during the warm-up, or after the
// measured window, are not counted.
//
// Mixes (each measured on a fresh server, so that one does not inherit another's requests):
//   submit         submits: one line (1-3 units of one of five common specialties), urgent,
//                  emergency, at a random place of the network, a unique id. The seed registry
//                  has 340 teams, so the registry is soon exhausted and most submits end in a
//                  shortfall: still accepted, journaled and answered, and the request stays
//                  open, so the dispatcher holds ever more open requests.
//   submit-cancel  a submit as above, then a cancel of it from the same connection: the teams
//                  come back and the registry never runs out. Both count as requests.
//   query          GetRequest of a request this connection submitted before the warm-up: a
//                  read through the dispatch strand, nothing journaled (the baseline without
//                  the journal).
//
// Output: one row per (mix, connections, repetition), then the medians over repetitions.
// "commits/req" is Server::commits() / Server::journaled() over the measured window: 1 means a
// commit (an fsync) per command, less means group commit shared commits. "srv cpu us" and
// "cli cpu us" are CPU time per acknowledged request: the client threads' own (their thread CPU
// clocks) and the rest of the process, which is the server. On a machine shared with other work
// they say what the throughput alone cannot: how much of the cores one request costs.

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <latch>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/net/client.h"
#include "adapters/net/server.h"
#include "adapters/proto/baiying.pb.h"
#include "adapters/store/credentials.h"
#include "adapters/store/registry_store.h"
#include "bench/bench_data.h"
#include "engine/registry/registry.h"

namespace baiying::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The seed registry's reference date (data/xizang/registry/README.md); the server's clock
// starts an hour after it and runs on.
const Instant kReferenceDate = Instant(std::chrono::sys_days(std::chrono::year{2026} / 11 / 1));
constexpr std::string_view kToken = "by_net_bench";
constexpr std::uint64_t kSeed = 20261128;
const std::vector<std::string> kSpecialties = {"transport", "logistics", "medical", "road_repair",
                                               "communications"};

enum class Mix { kSubmit, kSubmitCancel, kQuery };

std::string_view Name(Mix mix) {
  switch (mix) {
    case Mix::kSubmit:
      return "submit";
    case Mix::kSubmitCancel:
      return "submit-cancel";
    case Mix::kQuery:
      return "query";
  }
  return "?";
}

struct Flags {
  double warmup_seconds = 1;
  double seconds = 5;
  std::vector<int> connections = {1, 16, 64};
  std::vector<Mix> mixes = {Mix::kSubmit, Mix::kSubmitCancel, Mix::kQuery};
  int repetitions = 1;
  std::size_t io_threads = net::ServerOptions{}.io_threads;
  std::string log_level = "warn";
  std::filesystem::path journal_dir = std::filesystem::temp_directory_path();
};

void Usage() {
  std::cerr << "usage: net_bench [--seconds S] [--warmup S] [--connections 1,16,64]\n"
               "                 [--mix submit,submit-cancel,query] [--repetitions N]\n"
               "                 [--io-threads N] [--log-level warn] [--journal-dir DIR]\n";
}

std::optional<std::vector<std::string>> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma == start) return std::nullopt;
    out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool ParseSeconds(std::string_view text, double* out) {
  try {
    std::size_t used = 0;
    *out = std::stod(std::string(text), &used);
    return used == text.size() && *out >= 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") return std::nullopt;
    if (i + 1 >= argc) {
      std::cerr << "net_bench: " << flag << ": a value is required\n";
      return std::nullopt;
    }
    const std::string_view value = argv[++i];
    bool ok = true;
    if (flag == "--seconds") {
      ok = ParseSeconds(value, &flags.seconds) && flags.seconds > 0;
    } else if (flag == "--warmup") {
      ok = ParseSeconds(value, &flags.warmup_seconds);
    } else if (flag == "--connections") {
      flags.connections.clear();
      const auto parts = SplitCommas(value);
      ok = parts.has_value();
      for (const std::string& part : parts.value_or(std::vector<std::string>{})) {
        int c = 0;
        ok = ok && ParseNumber(part, &c) && c > 0 && c <= 1000;
        flags.connections.push_back(c);
      }
    } else if (flag == "--mix") {
      flags.mixes.clear();
      const auto parts = SplitCommas(value);
      ok = parts.has_value();
      for (const std::string& part : parts.value_or(std::vector<std::string>{})) {
        if (part == "submit") {
          flags.mixes.push_back(Mix::kSubmit);
        } else if (part == "submit-cancel") {
          flags.mixes.push_back(Mix::kSubmitCancel);
        } else if (part == "query") {
          flags.mixes.push_back(Mix::kQuery);
        } else {
          ok = false;
        }
      }
    } else if (flag == "--repetitions") {
      ok = ParseNumber(value, &flags.repetitions) && flags.repetitions > 0;
    } else if (flag == "--io-threads") {
      ok = ParseNumber(value, &flags.io_threads) && flags.io_threads > 0;
    } else if (flag == "--log-level") {
      flags.log_level = std::string(value);
      ok = spdlog::level::from_str(flags.log_level) != spdlog::level::off || value == "off";
    } else if (flag == "--journal-dir") {
      flags.journal_dir = std::string(value);
    } else {
      std::cerr << "net_bench: unknown flag " << flag << "\n";
      return std::nullopt;
    }
    if (!ok) {
      std::cerr << "net_bench: " << flag << ": bad value '" << value << "'\n";
      return std::nullopt;
    }
  }
  return flags;
}

// --- The world the server serves. ---

// A fresh directory under `parent`, removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::filesystem::path& parent, std::string_view what) {
    static std::atomic<int> counter{0};
    path_ = parent / ("net_bench-" + std::to_string(::getpid()) + "-" + std::string(what) + "-" +
                      std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The seed registry of data/xizang, imported into a temporary SQLite file and loaded.
Result<std::shared_ptr<const Registry>> LoadSeedRegistry(const std::filesystem::path& dir) {
  Result<store::RegistryStore> opened = store::RegistryStore::Open(dir / "registry.db");
  if (!opened.ok()) return opened.status();
  store::RegistryStore registry_store = std::move(opened).value();
  const store::Actor actor{"net_bench", kReferenceDate, "benchmark"};
  Result<store::ImportReport> report = registry_store.Import(XizangDir() / "registry", actor);
  if (!report.ok()) return report.status();
  Result<Registry> loaded = registry_store.Load();
  if (!loaded.ok()) return loaded.status();
  return std::make_shared<const Registry>(std::move(loaded).value());
}

Result<store::Credential> AcceptOneToken(std::string_view token) {
  if (token != kToken) return Status::Unauthenticated("unknown credential");
  store::Credential who;
  who.id = "CR-BENCH";
  who.role = store::CredentialRole::kOfficer;
  who.holder = "net_bench";
  return who;
}

// The server's clock: an hour after the reference date, running on from the program's start.
Instant BenchClock() {
  static const Clock::time_point started = Clock::now();
  return kReferenceDate + std::chrono::hours(1) +
         std::chrono::duration_cast<Duration>(Clock::now() - started);
}

std::int64_t UnixMs(Instant t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// --- The clients. ---

v1::Request SubmitRequest(const std::string& id, std::mt19937_64& rng, std::uint32_t places) {
  v1::Request request;
  v1::Submit* submit = request.mutable_submit();
  submit->set_request_id(id);
  submit->set_unit("unit-" + id);
  submit->set_place_id(static_cast<std::uint32_t>(rng() % places));
  submit->set_priority(v1::PRIORITY_URGENT);
  submit->set_mode(v1::MODE_EMERGENCY);
  submit->set_deadline_unix_ms(UnixMs(BenchClock() + std::chrono::days(30)));
  v1::RequestLine* line = submit->add_lines();
  line->set_specialty(kSpecialties[rng() % kSpecialties.size()]);
  line->set_quantity(static_cast<std::int32_t>(1 + rng() % 3));
  return request;
}

v1::Request CancelRequest(const std::string& id) {
  v1::Request request;
  request.mutable_cancel()->set_request_id(id);
  request.mutable_cancel()->set_reason("net_bench");
  return request;
}

v1::Request GetRequestOf(const std::string& id) {
  v1::Request request;
  request.mutable_get_request()->set_request_id(id);
  return request;
}

struct ClientTally {
  std::vector<std::int64_t> latencies_ns;  // OK replies of requests started in the window
  std::uint64_t errors = 0;                // non-OK replies and failed calls, in the window
  std::string first_error;
  double cpu_seconds = 0;  // this client thread's CPU time in the window
};

// The calling thread's CPU time.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// The whole process's CPU time, user and system, every thread.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Window {
  Clock::time_point begin;  // measuring starts (after the warm-up)
  Clock::time_point end;    // measuring ends; clients stop
};

// One connection's closed loop. Connects (and, for the query mix, submits the request it will
// read), counts `connected` down, waits for `go`, and then loops until the window's end.
void RunClient(std::uint16_t port, Mix mix, int index, std::uint32_t places, const Window& window,
               std::latch& connected, std::latch& go, ClientTally& tally) {
  Result<net::Client> opened = net::Client::Connect("127.0.0.1", port, std::chrono::seconds(10));
  if (!opened.ok()) {
    tally.first_error = opened.status().message();
    ++tally.errors;
    connected.count_down();
    return;
  }
  net::Client client = std::move(opened).value();
  client.set_token(std::string(kToken));
  std::mt19937_64 rng(kSeed + static_cast<std::uint64_t>(index));
  const std::string prefix = "B" + std::to_string(index) + "-";
  std::string query_id;
  if (mix == Mix::kQuery) {
    query_id = prefix + "read";
    Result<v1::Reply> reply = client.Call(SubmitRequest(query_id, rng, places));
    if (!reply.ok() || reply->code() != v1::OK) {
      tally.first_error = reply.ok() ? reply->message() : reply.status().message();
      ++tally.errors;
    }
  }
  tally.latencies_ns.reserve(1 << 16);
  connected.count_down();
  go.wait();  // the window is set before go opens

  // False when the connection failed: the loop ends.
  auto call = [&](v1::Request request) {
    const Clock::time_point start = Clock::now();
    Result<v1::Reply> reply = client.Call(std::move(request));
    const Clock::time_point done = Clock::now();
    if (start < window.begin || start >= window.end) return reply.ok();
    if (reply.ok() && reply->code() == v1::OK) {
      tally.latencies_ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(done - start).count());
      return true;
    }
    if (tally.errors++ == 0) {
      tally.first_error = reply.ok() ? v1::ErrorCode_Name(reply->code()) + ": " + reply->message()
                                     : reply.status().message();
    }
    return reply.ok();
  };
  std::uint64_t n = 0;
  std::optional<double> cpu_at_begin;
  // The thread's CPU time is read when it first sees the window open and when it leaves.
  struct CpuTally {
    std::optional<double>& begin;
    ClientTally& tally;
    ~CpuTally() {
      if (begin) tally.cpu_seconds = ThreadCpuSeconds() - *begin;
    }
  } cpu_tally{cpu_at_begin, tally};
  while (Clock::now() < window.end) {
    if (!cpu_at_begin && Clock::now() >= window.begin) cpu_at_begin = ThreadCpuSeconds();
    switch (mix) {
      case Mix::kSubmit:
        if (!call(SubmitRequest(prefix + std::to_string(n++), rng, places))) return;
        break;
      case Mix::kSubmitCancel: {
        const std::string id = prefix + std::to_string(n++);
        if (!call(SubmitRequest(id, rng, places))) return;
        if (!call(CancelRequest(id))) return;
        break;
      }
      case Mix::kQuery:
        if (!call(GetRequestOf(query_id))) return;
        break;
    }
  }
}

// --- One measurement. ---

struct Row {
  Mix mix = Mix::kSubmit;
  int connections = 0;
  double per_second = 0;  // OK replies per second
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  double commits_per_request = 0;  // commits / journaled commands, in the window
  // CPU time per acknowledged request in the window, microseconds: the clients' threads, and
  // the rest of the process (the server: its I/O threads and the dispatch strand).
  double client_cpu_us = 0;
  double server_cpu_us = 0;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::string first_error;
};

double NearestRankMs(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  const std::size_t index = std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1);
  return static_cast<double>(sorted[index]) / 1e6;
}

Result<Row> Measure(const Flags& flags, const RoadGraph& graph,
                    const std::shared_ptr<const Registry>& registry, Mix mix, int connections) {
  ScratchDir dir(flags.journal_dir, "journal");
  net::ServerOptions options;
  options.port = 0;
  options.handle_signals = false;
  options.io_threads = flags.io_threads;
  options.clock = BenchClock;
  net::ServerWorld world;
  world.graph = &graph;
  world.registry = registry;
  world.journal_path = dir.path() / "journal.db";
  world.authenticate = AcceptOneToken;
  Result<std::unique_ptr<net::Server>> started = net::Server::Start(options, world);
  if (!started.ok()) return started.status();
  std::unique_ptr<net::Server> server = std::move(started).value();
  std::thread serving([&server] { server->Run(); });

  const auto places = static_cast<std::uint32_t>(graph.place_count());
  const auto count = static_cast<std::size_t>(connections);
  std::vector<ClientTally> tallies(count);
  std::latch connected(connections);
  std::latch go(1);
  Window window;
  std::vector<std::thread> clients;
  clients.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    clients.emplace_back(RunClient, server->port(), mix, static_cast<int>(i), places,
                         std::cref(window), std::ref(connected), std::ref(go),
                         std::ref(tallies[i]));
  }
  connected.wait();
  window.begin = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(flags.warmup_seconds));
  window.end = window.begin + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(flags.seconds));
  go.count_down();
  std::this_thread::sleep_until(window.begin);
  const std::uint64_t commits_before = server->commits();
  const std::uint64_t journaled_before = server->journaled();
  const double cpu_before = ProcessCpuSeconds();
  std::this_thread::sleep_until(window.end);
  const std::uint64_t commits_after = server->commits();
  const std::uint64_t journaled_after = server->journaled();
  const double cpu_after = ProcessCpuSeconds();
  for (std::thread& t : clients)
    t.join();
  server->Stop();
  serving.join();

  Row row;
  row.mix = mix;
  row.connections = connections;
  std::vector<std::int64_t> all;
  double client_cpu = 0;
  for (ClientTally& tally : tallies) {
    client_cpu += tally.cpu_seconds;
    all.insert(all.end(), tally.latencies_ns.begin(), tally.latencies_ns.end());
    row.errors += tally.errors;
    if (row.first_error.empty()) row.first_error = tally.first_error;
  }
  std::sort(all.begin(), all.end());
  row.requests = all.size();
  row.per_second = static_cast<double>(all.size()) / flags.seconds;
  row.p50_ms = NearestRankMs(all, 0.50);
  row.p90_ms = NearestRankMs(all, 0.90);
  row.p99_ms = NearestRankMs(all, 0.99);
  row.max_ms = all.empty() ? 0 : static_cast<double>(all.back()) / 1e6;
  if (!all.empty()) {
    const auto n = static_cast<double>(all.size());
    row.client_cpu_us = client_cpu / n * 1e6;
    row.server_cpu_us = std::max(0.0, cpu_after - cpu_before - client_cpu) / n * 1e6;
  }
  const std::uint64_t journaled = journaled_after - journaled_before;
  row.commits_per_request = journaled == 0 ? 0
                                           : static_cast<double>(commits_after - commits_before) /
                                                 static_cast<double>(journaled);
  return row;
}

void PrintHeader() {
  std::printf("%-14s %5s %4s %10s %8s %8s %8s %8s %11s %11s %11s %9s %6s\n", "mix", "conns", "rep",
              "acked/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "commits/req", "srv cpu us",
              "cli cpu us", "requests", "errors");
}

void PrintRow(const Row& row, const std::string& rep) {
  std::printf("%-14s %5d %4s %10.0f %8.3f %8.3f %8.3f %8.3f %11.3f %11.1f %11.1f %9llu %6llu\n",
              std::string(Name(row.mix)).c_str(), row.connections, rep.c_str(), row.per_second,
              row.p50_ms, row.p90_ms, row.p99_ms, row.max_ms, row.commits_per_request,
              row.server_cpu_us, row.client_cpu_us, static_cast<unsigned long long>(row.requests),
              static_cast<unsigned long long>(row.errors));
  if (!row.first_error.empty()) std::printf("    first error: %s\n", row.first_error.c_str());
  std::fflush(stdout);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int Run(const Flags& flags) {
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  const std::array<std::string_view, 3> files = {"places.csv", "roads.csv", "registry/teams.csv"};
  if (std::string missing = MissingDataMessage(NetworkKind::kXizang, files, "data/xizang");
      !missing.empty()) {
    std::cerr << "net_bench: " << missing << "\n";
    return 1;
  }
  LoadedNetwork network = LoadAndBuild(NetworkKind::kXizang, KeepSpec::kNo);
  if (!network.error.empty()) {
    std::cerr << "net_bench: " << network.error << "\n";
    return 1;
  }
  Result<std::shared_ptr<const Registry>> registry = Status::Internal("not loaded");
  {
    ScratchDir dir(std::filesystem::temp_directory_path(), "registry");
    registry = LoadSeedRegistry(dir.path());
  }
  if (!registry.ok()) {
    std::cerr << "net_bench: the seed registry: " << registry.status().ToString() << "\n";
    return 1;
  }
  std::printf(
      "net_bench: data/xizang (%u places), seed registry; journal under %s; io_threads %zu; "
      "%.1f s warm-up, %.1f s measured; %d repetition(s); log level %s\n",
      network.graph->place_count(), flags.journal_dir.string().c_str(), flags.io_threads,
      flags.warmup_seconds, flags.seconds, flags.repetitions, flags.log_level.c_str());
  PrintHeader();
  std::vector<Row> medians;
  bool failed = false;
  for (Mix mix : flags.mixes) {
    for (int connections : flags.connections) {
      std::vector<Row> rows;
      for (int rep = 0; rep < flags.repetitions; ++rep) {
        Result<Row> row = Measure(flags, *network.graph, *registry, mix, connections);
        if (!row.ok()) {
          std::cerr << "net_bench: " << Name(mix) << " x" << connections << ": "
                    << row.status().ToString() << "\n";
          return 1;
        }
        PrintRow(*row, std::to_string(rep + 1));
        failed = failed || row->errors > 0;
        rows.push_back(std::move(row).value());
      }
      Row median;
      median.mix = mix;
      median.connections = connections;
      auto over = [&rows](double Row::*field) {
        std::vector<double> values;
        for (const Row& r : rows)
          values.push_back(r.*field);
        return Median(values);
      };
      median.per_second = over(&Row::per_second);
      median.p50_ms = over(&Row::p50_ms);
      median.p90_ms = over(&Row::p90_ms);
      median.p99_ms = over(&Row::p99_ms);
      median.max_ms = over(&Row::max_ms);
      median.commits_per_request = over(&Row::commits_per_request);
      median.server_cpu_us = over(&Row::server_cpu_us);
      median.client_cpu_us = over(&Row::client_cpu_us);
      for (const Row& r : rows) {
        median.requests += r.requests;
        median.errors += r.errors;
      }
      medians.push_back(median);
    }
  }
  std::printf("\nmedians over %d repetition(s) (requests and errors: totals)\n", flags.repetitions);
  PrintHeader();
  for (const Row& row : medians)
    PrintRow(row, "med");
  return failed ? 2 : 0;
}

}  // namespace
}  // namespace baiying::bench

int main(int argc, char** argv) {
  const std::optional<baiying::bench::Flags> flags = baiying::bench::ParseFlags(argc, argv);
  if (!flags) {
    baiying::bench::Usage();
    return 1;
  }
  return baiying::bench::Run(*flags);
}
