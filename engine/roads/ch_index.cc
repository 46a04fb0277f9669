#include "engine/roads/ch_index.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <utility>

#include "engine/roads/heap_key.h"

namespace baiying {
namespace {

constexpr std::uint32_t kNone = 0xffffffffu;

using roads_internal::HeapKey;
using roads_internal::KeyPlace;
using roads_internal::KeyTime;
using roads_internal::SearchSpace;

// A 4-ary min-heap of keys with lazy deletion: a place may be in it several times, and the
// stale keys (a time above the place's current one) are skipped when popped. Four children a
// node: half the depth of a binary heap, and the four share a cache line (the heaps of these
// searches hold a few dozen keys, popped about as often as pushed).
constexpr std::size_t kHeapArity = 4;
void HeapPush(std::vector<std::uint64_t>& heap, std::uint64_t key) {
  std::size_t i = heap.size();
  heap.push_back(key);
  while (i > 0) {
    const std::size_t parent = (i - 1) / kHeapArity;
    if (heap[parent] <= key) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = key;
}
// Precondition: !heap.empty().
std::uint64_t HeapPop(std::vector<std::uint64_t>& heap) {
  const std::uint64_t top = heap.front();
  const std::uint64_t key = heap.back();
  heap.pop_back();
  const std::size_t n = heap.size();
  if (n == 0) return top;
  std::size_t i = 0;
  while (true) {
    const std::size_t first = i * kHeapArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    if (first + kHeapArity <= n) {
      // Four children: the least chosen without branches (which the processor cannot guess).
      const std::size_t low = first + (heap[first + 1] < heap[first] ? 1 : 0);
      const std::size_t high = first + 2 + (heap[first + 3] < heap[first + 2] ? 1 : 0);
      const std::size_t high_wins = std::size_t{0} - (heap[high] < heap[low] ? 1 : 0);
      best = low ^ ((low ^ high) & high_wins);
    } else {
      for (std::size_t c = first + 1; c < n; ++c) {
        if (heap[c] < heap[best]) best = c;
      }
    }
    if (heap[best] >= key) break;
    heap[i] = heap[best];
    i = best;
  }
  heap[i] = key;
  return top;
}

// One upward search over `arcs(v)`, stalling a place when an arc of `stall(v)` from a place
// already reached proves its time too large. Calls on_settle(place, time) for every place
// settled and not stalled, in (time, id) order, until it returns false. `space` is made ready
// for a new search first; each place it reached then holds its time and the place it was
// reached from (kNoParent at the source).
template <typename Arcs, typename Stall, typename OnSettle>
std::uint32_t UpwardSearch(std::uint32_t source, SearchSpace& space,
                           std::vector<std::uint64_t>& heap, Arcs&& arcs, Stall&& stall,
                           OnSettle&& on_settle) {
  space.NextSearch();
  heap.clear();
  space.Reach(source, 0, SearchSpace::kNoParent);
  HeapPush(heap, HeapKey(0, source));
  std::uint32_t settled = 0;
  while (!heap.empty()) {
    const std::uint64_t key = HeapPop(heap);
    const std::uint32_t v = KeyPlace(key);
    const TravelTime d = KeyTime(key);
    if (d != space.time(v)) continue;
    ++settled;
    bool stalled = false;
    for (const ChHop& arc : stall(v)) {
      if (space.reached(arc.other) && SaturatingAdd(space.time(arc.other), arc.time) < d) {
        stalled = true;
        break;
      }
    }
    if (stalled) continue;
    if (!on_settle(v, d)) break;
    for (const ChHop& arc : arcs(v)) {
      const TravelTime nd = SaturatingAdd(d, arc.time);
      if (nd == kInfiniteTime) continue;
      if (!space.reached(arc.other) || nd < space.time(arc.other)) {
        space.Reach(arc.other, nd, v);
        HeapPush(heap, HeapKey(nd, arc.other));
      }
    }
  }
  return settled;
}

// A new generation of stamps or labels: every place unreached again.
void NextGeneration(std::uint32_t& generation, std::vector<std::uint32_t>& stamp) {
  if (++generation == 0) {
    std::fill(stamp.begin(), stamp.end(), 0);
    generation = 1;
  }
}

}  // namespace

// The contraction: a dynamic graph of the places not yet contracted, from which each place
// is removed in priority order after its shortcuts are added between its neighbours.
class ChBuilder {
 public:
  // `closed` by arc: the arcs left out (empty: none).
  ChBuilder(const RoadGraph& graph, const ChOptions& options, const std::vector<bool>& closed)
      : options_(options),
        n_(graph.place_count()),
        out_(n_),
        in_(n_),
        contracted_(n_, false),
        deleted_neighbours_(n_, 0),
        level_(n_, 0),
        stamp_(n_, 0),
        distance_(n_, kInfiniteTime) {
    for (std::uint32_t a = 0; a < graph.arc_count(); ++a) {
      const std::uint32_t from = graph.tail(ArcId(a)).value();
      const std::uint32_t to = graph.head(ArcId(a)).value();
      const TravelTime time = graph.travel_time(ArcId(a));
      if (from == to || time == kInfiniteTime || (!closed.empty() && closed[a])) continue;
      AddArc(from, to, time, kNone);
    }
  }

  // Contracts in priority order.
  ChIndex Run() {
    ChIndex index;
    index.rank_.assign(n_, 0);
    up_lists_.resize(n_);
    down_lists_.resize(n_);
    using Item = std::pair<std::int64_t, std::uint32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    std::vector<std::int64_t> priority(n_);
    for (std::uint32_t v = 0; v < n_; ++v) {
      priority[v] = Priority(v);
      queue.push({priority[v], v});
    }
    std::uint32_t next_rank = 0;
    std::vector<std::uint32_t> neighbours;
    while (!queue.empty()) {
      const auto [p, v] = queue.top();
      queue.pop();
      if (contracted_[v] || p != priority[v]) continue;
      // Lazy update: the priority may have grown since it was queued.
      const std::int64_t now = Priority(v);
      if (now > p && !queue.empty() && Item{now, v} > queue.top()) {
        priority[v] = now;
        queue.push({now, v});
        continue;
      }
      neighbours.clear();
      for (const ChArc& arc : in_[v])
        neighbours.push_back(arc.other);
      for (const ChArc& arc : out_[v])
        neighbours.push_back(arc.other);
      std::sort(neighbours.begin(), neighbours.end());
      neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
      Contract(v);
      index.rank_[v] = next_rank++;
      for (std::uint32_t w : neighbours) {
        ++deleted_neighbours_[w];
        level_[w] = std::max(level_[w], level_[v] + 1);
        priority[w] = Priority(w);
        queue.push({priority[w], w});
      }
    }
    return Finish(std::move(index));
  }

  // Contracts in `order` (places by rank); nullopt when keep_going() said false.
  std::optional<ChIndex> RunInOrder(std::span<const std::uint32_t> order,
                                    FunctionRef<bool()> keep_going) {
    ChIndex index;
    index.rank_.assign(n_, 0);
    up_lists_.resize(n_);
    down_lists_.resize(n_);
    for (std::uint32_t r = 0; r < n_; ++r) {
      if (r % ChIndex::kPlacesPerAsk == 0 && !keep_going()) return std::nullopt;
      Contract(order[r]);
      index.rank_[order[r]] = r;
    }
    return Finish(std::move(index));
  }

 private:
  // Numbers the hierarchy's arcs by rank, once every place has one.
  ChIndex Finish(ChIndex index) {
    index.place_of_rank_.assign(n_, 0);
    for (std::uint32_t v = 0; v < n_; ++v)
      index.place_of_rank_[index.rank_[v]] = v;
    std::size_t total = 0;
    for (std::uint32_t v = 0; v < n_; ++v)
      total += up_lists_[v].size() + down_lists_[v].size();
    index.first_.reserve(2 * std::size_t{n_} + 1);
    index.hops_.reserve(total);
    index.middle_.reserve(total);
    // Each place's lists numbered by rank and sorted by other end, then freed as they are
    // copied (no second copy of every arc at once).
    auto by_rank = [&index](std::vector<ChArc>& list) {
      for (ChArc& arc : list)
        arc.other = index.rank_[arc.other];
      std::sort(list.begin(), list.end(), [](const ChArc& a, const ChArc& b) {
        return a.other != b.other ? a.other < b.other : a.time < b.time;
      });
      return std::span<const ChArc>(list);
    };
    for (std::uint32_t r = 0; r < n_; ++r) {
      const std::uint32_t v = index.place_of_rank_[r];
      index.AppendRank(by_rank(down_lists_[v]), by_rank(up_lists_[v]));
      std::vector<ChArc>().swap(down_lists_[v]);
      std::vector<ChArc>().swap(up_lists_[v]);
    }
    return index;
  }

  // Adds from -> to, or lowers the time of the arc already there.
  void AddArc(std::uint32_t from, std::uint32_t to, TravelTime time, std::uint32_t middle) {
    const PlaceId mid = middle == kNone ? kNoPlace : PlaceId(middle);
    auto upsert = [&](std::vector<ChArc>& list, std::uint32_t other) {
      for (ChArc& arc : list) {
        if (arc.other == other) {
          if (time < arc.time) {
            arc.time = time;
            arc.middle = mid;
          }
          return;
        }
      }
      list.push_back({other, time, mid});
    };
    upsert(out_[from], to);
    upsert(in_[to], from);
  }

  // Times from `source` over uncontracted places other than `skip`, up to `bound` and the
  // settled limit; reached places are those with stamp_ == generation_.
  void Witness(std::uint32_t source, std::uint32_t skip, TravelTime bound, std::uint32_t limit) {
    NextGeneration(generation_, stamp_);
    heap_.clear();
    stamp_[source] = generation_;
    distance_[source] = 0;
    HeapPush(heap_, HeapKey(0, source));
    std::uint32_t settled = 0;
    while (!heap_.empty() && settled < limit) {
      const std::uint64_t key = HeapPop(heap_);
      const std::uint32_t v = KeyPlace(key);
      const TravelTime d = KeyTime(key);
      if (d != distance_[v]) continue;
      if (d > bound) break;
      ++settled;
      for (const ChArc& arc : out_[v]) {
        if (arc.other == skip) continue;
        const TravelTime nd = SaturatingAdd(d, arc.time);
        if (nd > bound) continue;
        if (stamp_[arc.other] != generation_ || nd < distance_[arc.other]) {
          stamp_[arc.other] = generation_;
          distance_[arc.other] = nd;
          HeapPush(heap_, HeapKey(nd, arc.other));
        }
      }
    }
  }

  // The shortcuts contracting `v` needs, given to add(from, to, time); returns their number.
  template <typename Add>
  std::uint32_t Shortcuts(std::uint32_t v, std::uint32_t limit, Add&& add) {
    std::uint32_t count = 0;
    for (const ChArc& in : in_[v]) {
      const std::uint32_t u = in.other;
      TravelTime bound = 0;
      bool any = false;
      for (const ChArc& out : out_[v]) {
        if (out.other == u) continue;
        any = true;
        bound = std::max(bound, SaturatingAdd(in.time, out.time));
      }
      if (!any) continue;  // nothing leaves v but back to u
      Witness(u, v, bound, limit);
      for (const ChArc& out : out_[v]) {
        if (out.other == u) continue;
        const TravelTime via = SaturatingAdd(in.time, out.time);
        if (via == kInfiniteTime) continue;
        if (stamp_[out.other] == generation_ && distance_[out.other] <= via) continue;
        ++count;
        add(u, out.other, via);
      }
    }
    return count;
  }

  std::int64_t Priority(std::uint32_t v) {
    const std::uint32_t shortcuts = Shortcuts(v, options_.priority_settled_limit,
                                              [](std::uint32_t, std::uint32_t, TravelTime) {});
    const std::int64_t edge_difference = std::int64_t{shortcuts} -
                                         static_cast<std::int64_t>(in_[v].size()) -
                                         static_cast<std::int64_t>(out_[v].size());
    return 2 * edge_difference + deleted_neighbours_[v] + level_[v];
  }

  void Contract(std::uint32_t v) {
    // Shortcuts are collected first: adding them while iterating would change out_[v].
    pending_.clear();
    Shortcuts(v, options_.witness_settled_limit,
              [this](std::uint32_t from, std::uint32_t to, TravelTime time) {
                pending_.push_back({from, to, time});
              });
    for (const PendingShortcut& s : pending_)
      AddArc(s.from, s.to, s.time, v);
    for (const ChArc& arc : out_[v]) {
      up_lists_[v].push_back(arc);
      std::erase_if(in_[arc.other], [v](const ChArc& a) { return a.other == v; });
    }
    for (const ChArc& arc : in_[v]) {
      down_lists_[v].push_back(arc);
      std::erase_if(out_[arc.other], [v](const ChArc& a) { return a.other == v; });
    }
    std::vector<ChArc>().swap(out_[v]);
    std::vector<ChArc>().swap(in_[v]);
    contracted_[v] = true;
  }

  struct PendingShortcut {
    std::uint32_t from;
    std::uint32_t to;
    TravelTime time;
  };

  ChOptions options_;
  std::uint32_t n_;
  std::vector<std::vector<ChArc>> out_;
  std::vector<std::vector<ChArc>> in_;
  std::vector<bool> contracted_;
  std::vector<std::int64_t> deleted_neighbours_;
  std::vector<std::int64_t> level_;
  std::vector<std::vector<ChArc>> up_lists_;
  std::vector<std::vector<ChArc>> down_lists_;
  std::vector<PendingShortcut> pending_;
  std::uint32_t generation_ = 0;
  std::vector<std::uint32_t> stamp_;
  std::vector<TravelTime> distance_;
  std::vector<std::uint64_t> heap_;
};

namespace {

// The closed arcs as a mask by arc, and sorted, each once; InvalidArgument for one out of range.
Status ClosedMask(const RoadGraph& graph, std::span<const ArcId> closed, std::vector<bool>& mask,
                  std::vector<ArcId>& sorted) {
  sorted.assign(closed.begin(), closed.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  mask.clear();
  if (sorted.empty()) return Status::Ok();
  mask.assign(graph.arc_count(), false);
  for (ArcId a : sorted) {
    if (!a.valid() || a.value() >= graph.arc_count()) {
      return Status::InvalidArgument("contraction hierarchy: closed arc " +
                                     std::to_string(a.value()) + " is not an arc of the graph (" +
                                     std::to_string(graph.arc_count()) + " arcs)");
    }
    mask[a.value()] = true;
  }
  return Status::Ok();
}

}  // namespace

Result<ChIndex> ChIndex::Build(const RoadGraph& graph, const ChOptions& options,
                               std::span<const ArcId> closed) {
  if (!options.IsValid()) {
    return Status::InvalidArgument("contraction hierarchy: witness limits must be positive");
  }
  std::vector<bool> mask;
  std::vector<ArcId> sorted;
  BAIYING_RETURN_IF_ERROR(ClosedMask(graph, closed, mask, sorted));
  ChBuilder builder(graph, options, mask);
  ChIndex index = builder.Run();
  index.graph_fingerprint_ = Fingerprint(graph);
  index.closed_arcs_ = std::move(sorted);
  return index;
}

Result<ChIndex> ChIndex::Recontract(const RoadGraph& graph, const ChIndex& previous,
                                    std::span<const ArcId> closed, const ChOptions& options) {
  return Recontract(graph, previous, closed, options, [] { return true; });
}

Result<ChIndex> ChIndex::Recontract(const RoadGraph& graph, const ChIndex& previous,
                                    std::span<const ArcId> closed, const ChOptions& options,
                                    FunctionRef<bool()> keep_going) {
  if (!options.IsValid()) {
    return Status::InvalidArgument("contraction hierarchy: witness limits must be positive");
  }
  const std::uint64_t fingerprint = Fingerprint(graph);
  if (previous.place_count() != graph.place_count() || previous.graph_fingerprint_ != fingerprint) {
    return Status::InvalidArgument(
        "contraction hierarchy: the previous index was built on another graph");
  }
  std::vector<bool> mask;
  std::vector<ArcId> sorted;
  BAIYING_RETURN_IF_ERROR(ClosedMask(graph, closed, mask, sorted));
  ChBuilder builder(graph, options, mask);
  std::optional<ChIndex> contracted = builder.RunInOrder(previous.place_of_rank_, keep_going);
  if (!contracted) {
    return Status::Unavailable("contraction hierarchy: recontraction stopped before the end");
  }
  ChIndex index = std::move(*contracted);
  index.graph_fingerprint_ = fingerprint;
  index.closed_arcs_ = std::move(sorted);
  return index;
}

std::uint64_t ChIndex::Fingerprint(const RoadGraph& graph) {
  // FNV-1a over the counts and every arc's tail, head and travel time.
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 0x100000001b3ull;
    }
  };
  mix(graph.place_count());
  mix(graph.arc_count());
  for (std::uint32_t a = 0; a < graph.arc_count(); ++a) {
    mix((std::uint64_t{graph.tail(ArcId(a)).value()} << 32) | graph.head(ArcId(a)).value());
    mix(graph.travel_time(ArcId(a)));
  }
  return h;
}

ChIndexParts ChIndex::ToParts() const {
  ChIndexParts parts;
  parts.graph_fingerprint = graph_fingerprint_;
  parts.rank = rank_;
  const std::uint32_t n = place_count();
  parts.first_up.reserve(std::size_t{n} + 1);
  parts.first_down.reserve(std::size_t{n} + 1);
  for (std::uint32_t r = 0; r < n; ++r) {
    parts.first_up.push_back(static_cast<std::uint32_t>(parts.up.size()));
    for (const ChHop& hop : up(r))
      parts.up.push_back({hop.other, hop.time, middle(hop)});
    parts.first_down.push_back(static_cast<std::uint32_t>(parts.down.size()));
    for (const ChHop& hop : down(r))
      parts.down.push_back({hop.other, hop.time, middle(hop)});
  }
  parts.first_up.push_back(static_cast<std::uint32_t>(parts.up.size()));
  parts.first_down.push_back(static_cast<std::uint32_t>(parts.down.size()));
  for (ArcId a : closed_arcs_)
    parts.closed_arcs.push_back(a.value());
  return parts;
}

Result<ChIndex> ChIndex::FromParts(ChIndexParts parts, const RoadGraph& graph) {
  auto bad = [](const std::string& what) {
    return Status::InvalidArgument("contraction hierarchy: " + what);
  };
  const std::uint32_t n = graph.place_count();
  if (parts.graph_fingerprint != Fingerprint(graph)) {
    return bad("built on another graph or travel model (fingerprint " +
               std::to_string(parts.graph_fingerprint) + ", this graph's is " +
               std::to_string(Fingerprint(graph)) + ")");
  }
  if (parts.rank.size() != n) {
    return bad("ranks for " + std::to_string(parts.rank.size()) + " places, the graph has " +
               std::to_string(n));
  }
  ChIndex index;
  index.place_of_rank_.assign(n, kNone);
  for (std::uint32_t p = 0; p < n; ++p) {
    const std::uint32_t r = parts.rank[p];
    if (r >= n || index.place_of_rank_[r] != kNone) {
      return bad("the ranks are not a permutation (place " + std::to_string(p) + ")");
    }
    index.place_of_rank_[r] = p;
  }
  auto check_arcs = [&](const std::vector<std::uint32_t>& first, const std::vector<ChArc>& arcs,
                        const char* name) -> Status {
    if (first.size() != std::size_t{n} + 1 || first.front() != 0 || first.back() != arcs.size()) {
      return bad(std::string(name) + " offsets do not match " + std::to_string(n) + " places and " +
                 std::to_string(arcs.size()) + " arcs");
    }
    // Every offset first, so that no arc is read out of range.
    for (std::uint32_t r = 0; r < n; ++r) {
      if (first[r] > first[r + 1]) {
        return bad(std::string(name) + " offsets decrease at " + std::to_string(r));
      }
    }
    for (std::uint32_t r = 0; r < n; ++r) {
      for (std::uint32_t i = first[r]; i < first[r + 1]; ++i) {
        const ChArc& arc = arcs[i];
        const bool sorted = i == first[r] || arcs[i - 1].other < arc.other;
        const bool middle_ok =
            !arc.middle.valid() || (arc.middle.value() < n && parts.rank[arc.middle.value()] < r);
        if (arc.other <= r || arc.other >= n || !sorted || !middle_ok ||
            arc.time == kInfiniteTime) {
          return bad(std::string(name) + " arc " + std::to_string(i) + " of rank " +
                     std::to_string(r) + " is malformed");
        }
      }
    }
    return Status::Ok();
  };
  BAIYING_RETURN_IF_ERROR(check_arcs(parts.first_up, parts.up, "upward"));
  BAIYING_RETURN_IF_ERROR(check_arcs(parts.first_down, parts.down, "downward"));
  for (std::size_t i = 0; i < parts.closed_arcs.size(); ++i) {
    if (parts.closed_arcs[i] >= graph.arc_count() ||
        (i > 0 && parts.closed_arcs[i - 1] >= parts.closed_arcs[i])) {
      return bad("closed arcs out of range or not sorted");
    }
    index.closed_arcs_.push_back(ArcId(parts.closed_arcs[i]));
  }
  index.rank_ = std::move(parts.rank);
  index.first_.reserve(2 * std::size_t{n} + 1);
  index.hops_.reserve(parts.up.size() + parts.down.size());
  index.middle_.reserve(parts.up.size() + parts.down.size());
  for (std::uint32_t r = 0; r < n; ++r) {
    index.AppendRank(
        std::span<const ChArc>(parts.down)
            .subspan(parts.first_down[r], parts.first_down[r + 1] - parts.first_down[r]),
        std::span<const ChArc>(parts.up).subspan(parts.first_up[r],
                                                 parts.first_up[r + 1] - parts.first_up[r]));
  }
  index.graph_fingerprint_ = parts.graph_fingerprint;
  return index;
}

void ChIndex::AppendRank(std::span<const ChArc> down, std::span<const ChArc> up) {
  if (first_.empty()) first_.push_back(0);
  for (std::span<const ChArc> arcs : {down, up}) {
    for (const ChArc& arc : arcs) {
      hops_.push_back({arc.other, arc.time});
      middle_.push_back(arc.middle);
      shortcut_count_ += arc.middle.valid() ? 1 : 0;
    }
    first_.push_back(static_cast<std::uint32_t>(hops_.size()));
  }
}

std::size_t ChIndex::MemoryBytes() const {
  return (rank_.size() + place_of_rank_.size() + first_.size()) * sizeof(std::uint32_t) +
         hops_.size() * sizeof(ChHop) + middle_.size() * sizeof(PlaceId);
}

// --- CandidateSet ---

CandidateSet::CandidateSet(const ChIndex& index)
    : index_(&index),
      head_of_rank_(index.place_count()),
      bucket_of_rank_(index.place_count(), kNoBucket),
      space_(index.place_count()) {}

bool CandidateSet::Add(const OffsetTarget& target) {
  if (!Accepts(target)) return false;
  Search(target.place);
  Insert(target, true);
  return true;
}

std::size_t CandidateSet::AddAll(std::span<const OffsetTarget> targets) {
  // Every bucket by total only while entries are appended; both orders made again at the end.
  for (std::vector<Entry>& bucket : buckets_)
    bucket.resize(bucket.size() / 2);
  std::size_t added = 0;
  for (const OffsetTarget& target : targets) {
    if (!Accepts(target)) continue;
    Search(target.place);
    Insert(target, false);
    ++added;
  }
  for (std::uint32_t b = 0; b < buckets_.size(); ++b) {
    std::vector<Entry>& bucket = buckets_[b];
    if (!std::is_sorted(bucket.begin(), bucket.end(), EntryBefore)) {
      std::sort(bucket.begin(), bucket.end(), EntryBefore);
      Renumber(bucket, 0);
    }
    const std::size_t size = bucket.size();
    bucket.resize(2 * size);
    const auto by_travel = bucket.begin() + static_cast<std::ptrdiff_t>(size);
    std::copy_n(bucket.begin(), size, by_travel);
    std::sort(by_travel, bucket.end(), TravelBefore);
  }
  for (std::uint32_t rank = 0; rank < bucket_of_rank_.size(); ++rank) {
    if (bucket_of_rank_[rank] != kNoBucket) UpdateHead(rank, bucket_of_rank_[rank]);
  }
  return added;
}

void CandidateSet::Search(PlaceId place) {
  // Teams travel to the unit: the candidate's search goes up from its place along arcs as
  // they run, stalled by arcs coming down into a place.
  const ChIndex& ch = *index_;
  settled_.clear();
  UpwardSearch(
      ch.rank(place), space_, heap_, [&ch](std::uint32_t v) { return ch.up(v); },
      [&ch](std::uint32_t v) { return ch.down(v); },
      [this](std::uint32_t v, TravelTime d) {
        // A place is reached from one settled (and not stalled) before it, whose parent already
        // holds its index in settled_; v is not reached again (a settled place's time never
        // falls), so its parent now takes v's index.
        const std::uint32_t from = space_.parent(v);
        const std::uint32_t parent =
            from == SearchSpace::kNoParent ? kNoRecord : space_.parent(from);
        space_.set_parent(v, static_cast<std::uint32_t>(settled_.size()));
        settled_.push_back({v, d, parent});
        return true;
      });
}

bool CandidateSet::Accepts(const OffsetTarget& target) const {
  return target.place.valid() && target.place.value() < index_->place_count() &&
         target.offset != kInfiniteTime && SlotOf(target.tag) == kNoSlot;
}

void CandidateSet::Renumber(std::span<const Entry> by_total, std::size_t from) {
  for (std::size_t i = from; i < by_total.size(); ++i)
    slots_[by_total[i].slot].records[by_total[i].back].pos = static_cast<std::uint32_t>(i);
}

namespace {
// The index of an element of `items` to use again: one freed before, else a new one.
template <typename T>
std::uint32_t TakeFreeOrNew(std::vector<std::uint32_t>& free, std::vector<T>& items) {
  if (!free.empty()) {
    const std::uint32_t i = free.back();
    free.pop_back();
    return i;
  }
  items.emplace_back();
  return static_cast<std::uint32_t>(items.size() - 1);
}
}  // namespace

std::uint32_t CandidateSet::BucketOf(std::uint32_t rank) {
  std::uint32_t& b = bucket_of_rank_[rank];
  if (b == kNoBucket) b = TakeFreeOrNew(free_buckets_, buckets_);
  return b;
}

void CandidateSet::Insert(const OffsetTarget& target, bool sorted) {
  const std::uint32_t slot = TakeFreeOrNew(free_slots_, slots_);
  if (target.tag >= slot_of_tag_.size()) slot_of_tag_.resize(std::size_t{target.tag} + 1, kNoSlot);
  slot_of_tag_[target.tag] = slot;
  if (available_.size() < slots_.size()) available_.resize(slots_.size());
  available_[slot] = 1;
  {
    Slot& s = slots_[slot];
    s.target = target;
    s.dense = static_cast<std::uint32_t>(targets_.size());
    s.records.clear();
    s.records.reserve(settled_.size());
  }
  targets_.push_back(target);
  slot_of_dense_.push_back(slot);
  if (!min_offset_stale_) min_offset_ = std::min(min_offset_, target.offset);
  for (const auto& [rank, travel, parent] : settled_) {
    const std::uint32_t b = BucketOf(rank);
    std::vector<Entry>& bucket = buckets_[b];
    std::vector<Record>& records = slots_[slot].records;
    const Entry entry{slot, travel, SaturatingAdd(travel, target.offset),
                      static_cast<std::uint32_t>(records.size())};
    if (!sorted) {
      records.push_back({rank, static_cast<std::uint32_t>(bucket.size()), parent});
      bucket.push_back(entry);
      continue;
    }
    const auto size = static_cast<std::ptrdiff_t>(bucket.size() / 2);
    const auto by_total = std::upper_bound(bucket.begin(), bucket.begin() + size, entry, EntryBefore);
    const auto pos = static_cast<std::size_t>(by_total - bucket.begin());
    records.push_back({rank, static_cast<std::uint32_t>(pos), parent});
    bucket.insert(by_total, entry);
    // The entries by travel now start one further on.
    bucket.insert(std::upper_bound(bucket.begin() + size + 1, bucket.end(), entry, TravelBefore),
                  entry);
    Renumber(std::span<const Entry>(bucket).first(static_cast<std::size_t>(size) + 1), pos);
    UpdateHead(rank, b);
  }
  entry_count_ += settled_.size();
}

bool CandidateSet::Remove(std::uint32_t tag) {
  const std::uint32_t slot = SlotOf(tag);
  if (slot == kNoSlot) return false;
  slot_of_tag_[tag] = kNoSlot;
  Slot& s = slots_[slot];
  for (const Record& record : s.records) {
    const std::uint32_t b = bucket_of_rank_[record.rank];
    std::vector<Entry>& bucket = buckets_[b];
    const auto size = static_cast<std::ptrdiff_t>(bucket.size() / 2);
    const Entry gone = bucket[record.pos];
    bucket.erase(std::lower_bound(bucket.begin() + size, bucket.end(), gone, TravelBefore));
    bucket.erase(bucket.begin() + record.pos);
    Renumber(std::span<const Entry>(bucket).first(static_cast<std::size_t>(size) - 1), record.pos);
    UpdateHead(record.rank, b);
  }
  entry_count_ -= s.records.size();
  s.records.clear();

  const std::uint32_t dense = s.dense;
  const std::uint32_t last_slot = slot_of_dense_.back();
  targets_[dense] = targets_.back();
  slot_of_dense_[dense] = last_slot;
  slots_[last_slot].dense = dense;
  targets_.pop_back();
  slot_of_dense_.pop_back();
  if (s.target.offset == min_offset_) min_offset_stale_ = true;
  free_slots_.push_back(slot);
  return true;
}

void CandidateSet::UpdateHead(std::uint32_t rank, std::uint32_t b) {
  const std::vector<Entry>& bucket = buckets_[b];
  BucketHead& head = head_of_rank_[rank];
  if (!bucket.empty()) {
    head = {bucket.data(), static_cast<std::uint32_t>(bucket.size() / 2), bucket.front().total};
    return;
  }
  head = BucketHead{};
  bucket_of_rank_[rank] = kNoBucket;
  free_buckets_.push_back(b);
}

bool CandidateSet::SetAvailable(std::uint32_t tag, bool available) {
  const std::uint32_t slot = SlotOf(tag);
  if (slot == kNoSlot) return false;
  available_[slot] = available ? 1 : 0;
  return true;
}

std::string CandidateSet::CheckConsistency() const {
  for (std::uint32_t rank = 0; rank < head_of_rank_.size(); ++rank) {
    const BucketHead& head = head_of_rank_[rank];
    const std::uint32_t b = bucket_of_rank_[rank];
    const std::string where = "rank " + std::to_string(rank) + ": ";
    if (b == kNoBucket) {
      if (head.entries != nullptr || head.size != 0 || head.least_total != kInfiniteTime) {
        return where + "no bucket but a head";
      }
      continue;
    }
    if (b >= buckets_.size()) return where + "a bucket out of range";
    const std::vector<Entry>& bucket = buckets_[b];
    if (bucket.empty()) return where + "an empty bucket kept";
    if (bucket.size() % 2 != 0 || head.size != bucket.size() / 2 ||
        head.entries != bucket.data()) {
      return where + "the head does not point at the bucket's entries, twice its size";
    }
    const std::span<const Entry> by_total = Bucket(rank);
    const std::span<const Entry> by_travel = BucketByTravel(rank);
    if (head.least_total != by_total.front().total) {
      return where + "the head's least total is not the bucket's";
    }
    if (!std::is_sorted(by_total.begin(), by_total.end(), EntryBefore)) {
      return where + "bucket not sorted by total";
    }
    if (!std::is_sorted(by_travel.begin(), by_travel.end(), TravelBefore)) {
      return where + "bucket not sorted by travel";
    }
    for (std::size_t i = 0; i < by_total.size(); ++i) {
      const Entry& e = by_total[i];
      const std::string entry = where + "entry " + std::to_string(i);
      if (e.slot >= slots_.size() || e.back >= slots_[e.slot].records.size()) {
        return entry + " points nowhere";
      }
      const auto found = std::lower_bound(by_travel.begin(), by_travel.end(), e, TravelBefore);
      if (found == by_travel.end() || found->slot != e.slot || found->travel != e.travel ||
          found->total != e.total || found->back != e.back) {
        return entry + " missing from the entries by travel";
      }
      const Record& r = slots_[e.slot].records[e.back];
      if (r.rank != rank || r.pos != i) return entry + " and its record disagree";
    }
  }
  std::size_t records = 0;
  for (const OffsetTarget& t : targets_) {
    const Slot& s = slots_[SlotOf(t.tag)];
    records += s.records.size();
    for (std::size_t i = 0; i < s.records.size(); ++i) {
      const Record& r = s.records[i];
      if ((r.parent == kNoRecord) != (i == 0) || (r.parent != kNoRecord && r.parent >= i)) {
        return "tag " + std::to_string(t.tag) + ": record " + std::to_string(i) +
               " has a parent out of its search order";
      }
      const std::span<const Entry> bucket = Bucket(r.rank);
      if (r.pos >= bucket.size() || bucket[r.pos].slot != SlotOf(t.tag) ||
          bucket[r.pos].back != i) {
        return "tag " + std::to_string(t.tag) + ": record " + std::to_string(i) +
               " points at another entry";
      }
    }
  }
  if (records != entry_count_) return "entry count differs from the records";
  return "";
}

TravelTime CandidateSet::min_offset() const {
  if (min_offset_stale_) {
    min_offset_ = kInfiniteTime;
    for (const OffsetTarget& t : targets_)
      min_offset_ = std::min(min_offset_, t.offset);
    min_offset_stale_ = false;
  }
  return min_offset_;
}

std::size_t CandidateSet::MemoryBytes() const {
  std::size_t bytes = head_of_rank_.size() * sizeof(BucketHead) +
                      bucket_of_rank_.size() * sizeof(std::uint32_t) + available_.size() +
                      space_.MemoryBytes() + buckets_.size() * sizeof(std::vector<Entry>) +
                      slots_.size() * sizeof(Slot) + slot_of_tag_.size() * sizeof(std::uint32_t);
  for (const auto& bucket : buckets_)
    bytes += bucket.capacity() * sizeof(Entry);
  for (const Slot& s : slots_)
    bytes += s.records.capacity() * sizeof(Record);
  return bytes;
}

// --- ChQuery ---

ChQuery::ChQuery(const ChIndex& index, const RoadGraph& graph)
    : index_(&index),
      exact_(graph),
      space_(index.place_count()),
      forward_space_(index.place_count()) {}

void ChQuery::Start() {
  settled_count_ = 0;
  entries_read_ = 0;
}

TravelTime ChQuery::Time(PlaceId from, PlaceId to) {
  meeting_ = kNone;
  last_answer_valid_ = false;
  const std::uint32_t n = index_->place_count();
  if (!from.valid() || from.value() >= n || !to.valid() || to.value() >= n) return kInfiniteTime;
  Start();
  const ChIndex& ch = *index_;
  settled_count_ += UpwardSearch(
      ch.rank(from), forward_space_, heap_, [&ch](std::uint32_t v) { return ch.up(v); },
      [&ch](std::uint32_t v) { return ch.down(v); },
      [](std::uint32_t, TravelTime) { return true; });
  TravelTime best = kInfiniteTime;
  settled_count_ += UpwardSearch(
      ch.rank(to), space_, heap_, [&ch](std::uint32_t v) { return ch.down(v); },
      [&ch](std::uint32_t v) { return ch.up(v); },
      [&](std::uint32_t v, TravelTime d) {
        if (d >= best) return false;
        if (forward_space_.reached(v)) {
          const TravelTime via = SaturatingAdd(forward_space_.time(v), d);
          if (via < best) {
            best = via;
            meeting_ = v;
          }
        }
        return true;
      });
  return best;
}

namespace {

// The arc of `arcs` (sorted by other end) whose other end is `other`. Precondition: it is there.
const ChHop& ArcTo(std::span<const ChHop> arcs, std::uint32_t other) {
  return *std::lower_bound(arcs.begin(), arcs.end(), other,
                           [](const ChHop& arc, std::uint32_t r) { return arc.other < r; });
}

// Appends the places after rank `a` along `arc` from `a` to `b`, shortcuts unpacked: a shortcut
// through m is the arc from a down into m followed by the arc from m up to b.
void UnpackArc(const ChIndex& ch, std::uint32_t a, std::uint32_t b, const ChHop& arc,
               std::vector<PlaceId>& out) {
  const PlaceId middle = ch.middle(arc);
  if (!middle.valid()) {
    out.push_back(ch.place_of_rank(b));
    return;
  }
  const std::uint32_t m = ch.rank(middle);
  UnpackArc(ch, a, m, ArcTo(ch.down(m), a), out);
  UnpackArc(ch, m, b, ArcTo(ch.up(m), b), out);
}

}  // namespace

std::vector<PlaceId> ChIndex::Unpack(std::span<const std::uint32_t> ranks) const {
  std::vector<PlaceId> places;
  if (ranks.empty()) return places;
  places.push_back(place_of_rank(ranks.front()));
  for (std::size_t i = 1; i < ranks.size(); ++i) {
    const std::uint32_t a = ranks[i - 1], b = ranks[i];
    // Up from a lower place along its upward arc, or down along the arc stored at the lower.
    UnpackArc(*this, a, b, b > a ? ArcTo(up(a), b) : ArcTo(down(b), a), places);
  }
  return places;
}

std::vector<PlaceId> ChQuery::Path(PlaceId from, PlaceId to) {
  if (Time(from, to) == kInfiniteTime) return {};
  // Up from `from` to the meeting place along the forward search's tree, read backwards, then
  // down along the backward search's tree to `to`.
  std::vector<std::uint32_t> ranks;
  const std::uint32_t source = index_->rank(from), target = index_->rank(to);
  for (std::uint32_t r = meeting_; r != source; r = forward_space_.parent(r))
    ranks.push_back(r);
  ranks.push_back(source);
  std::reverse(ranks.begin(), ranks.end());
  for (std::uint32_t r = meeting_; r != target;) {
    r = space_.parent(r);
    ranks.push_back(r);
  }
  return index_->Unpack(ranks);
}

std::span<const OffsetReach> ChQuery::NearestWithOffsets(PlaceId place,
                                                         const CandidateSet& candidates,
                                                         const NearestOptions& options,
                                                         const QueryContext& context) {
  last_answer_valid_ = false;
  const bool closures_match = context.closures == nullptr || context.closures->empty()
                                  ? index_->closed_arcs().empty()
                                  : index_->BuiltFor(context.closures->ClosedArcsAt(context.at));
  if (!closures_match) {
    last_was_exact_ = true;
    return exact_.NearestWithOffsets(place, Direction::kToPlace, candidates.targets(), options,
                                     context);
  }
  return NearestInIndex(place, candidates, options);
}

namespace {
constexpr auto kAllowAll = [](std::uint32_t) { return true; };
}  // namespace

std::span<const OffsetReach> ChQuery::NearestInIndex(PlaceId place, const CandidateSet& candidates,
                                                     const NearestOptions& options) {
  return NearestInIndex(place, candidates, options, kAllowAll);
}

std::span<const OffsetReach> ChQuery::NearestInIndex(PlaceId place, const CandidateSet& candidates,
                                                     const NearestOptions& options,
                                                     FunctionRef<bool(std::uint32_t)> allowed) {
  return Hierarchy(place, candidates, options, Ranking::kByTotal, allowed);
}

std::span<const OffsetReach> ChQuery::NearestAvailable(PlaceId place,
                                                       const CandidateSet& candidates,
                                                       const NearestOptions& options,
                                                       FunctionRef<bool(std::uint32_t)> allowed) {
  return Hierarchy(place, candidates, options, Ranking::kAvailableByTotal, allowed);
}

std::span<const OffsetReach> ChQuery::NearestByTravel(PlaceId place, const CandidateSet& candidates,
                                                      const NearestOptions& options) {
  return Hierarchy(place, candidates, options, Ranking::kByTravel, kAllowAll);
}

namespace {

bool Better(const OffsetReach& a, const OffsetReach& b) {
  return a.total != b.total ? a.total < b.total : a.tag < b.tag;
}

}  // namespace

std::uint32_t ChQuery::WorstOf(const std::vector<Found>& list) {
  std::uint32_t worst = 0;
  for (std::uint32_t i = 1; i < list.size(); ++i) {
    if (Better(list[worst].reach, list[i].reach)) worst = i;
  }
  return worst;
}

void ChQuery::Offer(std::vector<Found>& list, std::uint32_t k, std::uint32_t& worst, const Found& f,
                    FunctionRef<bool(std::uint32_t)> allowed) {
  for (Found& held : list) {
    if (held.reach.tag != f.reach.tag) continue;
    if (f.reach.total < held.reach.total) {
      held = f;
      if (list.size() == k) worst = WorstOf(list);
    }
    return;
  }
  // Asked only of a new candidate that would enter; one refused may be asked again at another
  // of its bucket places.
  if (!allowed(f.reach.tag)) return;
  if (list.size() < k) {
    list.push_back(f);
    if (list.size() == k) worst = WorstOf(list);
  } else if (Better(f.reach, list[worst].reach)) {
    list[worst] = f;
    worst = WorstOf(list);
  }
}

void ChQuery::Answer(std::vector<Found>& list, std::vector<OffsetReach>& out) {
  std::sort(list.begin(), list.end(),
            [](const Found& a, const Found& b) { return Better(a.reach, b.reach); });
  for (const Found& f : list)
    out.push_back(f.reach);
}

void ChQuery::StartReadingByTravel(const CandidateSet& candidates) {
  if (offered_in_.size() < candidates.slots_.size()) {
    offered_in_.resize(candidates.slots_.size(), 0);
    offered_at_.resize(candidates.slots_.size());
  }
  NextGeneration(offer_generation_, offered_in_);
}

void ChQuery::ReadByTravel(const CandidateSet& candidates, std::uint32_t v, TravelTime d,
                           const NearestOptions& options, std::vector<Found>& list,
                           std::uint32_t& worst) {
  for (const CandidateSet::Entry& e : candidates.BucketByTravel(v)) {
    ++entries_read_;
    const TravelTime travel = SaturatingAdd(d, e.travel);
    // Nearest first: nothing further on can enter.
    if (travel > options.max_time) break;
    if (list.size() == options.k && travel > list[worst].reach.total) break;
    // A candidate offered before at no greater travel is held (at that travel or less) or was
    // turned away by a bound that has only fallen since: offering it again changes nothing.
    if (offered_in_[e.slot] == offer_generation_ && offered_at_[e.slot] <= travel) continue;
    offered_in_[e.slot] = offer_generation_;
    offered_at_[e.slot] = travel;
    const OffsetTarget& t = candidates.slots_[e.slot].target;
    Offer(list, options.k, worst, {{t.tag, t.place, travel, travel}, v, e.slot, e.back}, kAllowAll);
  }
}

std::span<const OffsetReach> ChQuery::Hierarchy(PlaceId place, const CandidateSet& candidates,
                                                const NearestOptions& options, Ranking ranking,
                                                FunctionRef<bool(std::uint32_t)> allowed) {
  last_was_exact_ = false;  // the hierarchy answers
  const bool by_travel = ranking == Ranking::kByTravel;
  const bool available_only = ranking == Ranking::kAvailableByTotal;
  best_.clear();
  found_.clear();
  scanned_.clear();
  complete_below_ = 0;
  last_candidates_ = &candidates;
  last_place_ = place;
  last_answer_valid_ = false;
  Start();
  const std::uint32_t n = index_->place_count();
  const TravelTime min_offset = by_travel ? 0 : candidates.min_offset();
  if (!place.valid() || place.value() >= n || options.k == 0 || candidates.size() == 0 ||
      min_offset > options.max_time) {
    return best_;
  }
  // The K best by (total, tag) so far, each candidate once with the least total seen and the
  // place where its route meets the unit's search; a candidate's total only falls as more
  // meeting places are read.
  std::uint32_t worst = 0;  // index of the worst in found_ once it holds k
  const ChIndex& ch = *index_;
  complete_below_ = kInfiniteTime;
  if (by_travel) StartReadingByTravel(candidates);
  settled_count_ = UpwardSearch(
      ch.rank(place), space_, heap_, [&ch](std::uint32_t v) { return ch.down(v); },
      [&ch](std::uint32_t v) { return ch.up(v); },
      [&](std::uint32_t v, TravelTime d) {
        // Ties on total break by tag, so only a strictly larger bound ends the search.
        const TravelTime floor = SaturatingAdd(d, min_offset);
        if (floor > options.max_time ||
            (found_.size() == options.k && floor > found_[worst].reach.total)) {
          complete_below_ = d;  // every place nearer than d was settled
          return false;
        }
        scanned_.push_back({v, d});
        if (by_travel) {
          ReadByTravel(candidates, v, d, options, found_, worst);
          return true;
        }
        // The bucket's least total says whether any of it can enter, without reading it.
        const TravelTime least = SaturatingAdd(d, candidates.Head(v).least_total);
        if (least > options.max_time ||
            (found_.size() == options.k && least > found_[worst].reach.total)) {
          return true;
        }
        for (const CandidateSet::Entry& e : candidates.Bucket(v)) {
          ++entries_read_;
          const TravelTime total = SaturatingAdd(d, e.total);
          // The bucket is sorted by e.total: nothing further on can do better.
          if (total > options.max_time) break;
          if (found_.size() == options.k && total > found_[worst].reach.total) break;
          if (available_only && candidates.available_[e.slot] == 0) continue;
          const OffsetTarget& t = candidates.slots_[e.slot].target;
          Offer(found_, options.k, worst,
                {{t.tag, t.place, SaturatingAdd(d, e.travel), total}, v, e.slot, e.back}, allowed);
        }
        return true;
      });
  Answer(found_, best_);
  last_answer_valid_ = true;
  return best_;
}

std::span<const OffsetReach> ChQuery::NearestByTravelAgain(const NearestOptions& options) {
  window_.clear();
  last_was_reread_ = false;
  if (last_candidates_ == nullptr) return window_;
  if (!last_answer_valid_ ||
      (options.max_time >= complete_below_ && complete_below_ != kInfiniteTime)) {
    // The last search stopped too near, or did not run: a search of its own (which replaces
    // the last answer).
    const std::span<const OffsetReach> found =
        NearestByTravel(last_place_, *last_candidates_, options);
    window_.assign(found.begin(), found.end());
    return window_;
  }
  // The places of the unit's search nearer than max_time were all settled and read by the last
  // search, in the order a search of its own would settle them.
  last_was_reread_ = true;
  std::vector<Found>& list = window_found_;
  list.clear();
  StartReadingByTravel(*last_candidates_);
  std::uint32_t worst = 0;
  for (const auto& [v, d] : scanned_) {
    if (d > options.max_time) break;
    if (list.size() == options.k && d > list[worst].reach.total) break;
    ReadByTravel(*last_candidates_, v, d, options, list, worst);
  }
  Answer(list, window_);
  return window_;
}

std::optional<ChQuery::AnswerRoute> ChQuery::KeepRouteOfLastAnswer(std::uint32_t tag) const {
  if (!last_answer_valid_ || last_candidates_ == nullptr) return std::nullopt;
  const auto it = std::find_if(found_.begin(), found_.end(),
                               [tag](const Found& f) { return f.reach.tag == tag; });
  if (it == found_.end()) return std::nullopt;
  const CandidateSet& set = *last_candidates_;
  if (it->slot >= set.slots_.size()) return std::nullopt;
  const CandidateSet::Slot& slot = set.slots_[it->slot];
  if (set.SlotOf(tag) != it->slot || slot.target.place != it->reach.place ||
      it->record >= slot.records.size() || slot.records[it->record].rank != it->meeting) {
    return std::nullopt;  // the set changed since the answer
  }
  // The candidate's own search tree from the meeting place back to the candidate, reversed,
  // then the unit's search tree from the meeting place down to the unit: counted first, so
  // that the route is written in place, in one allocation.
  const std::uint32_t unit = index_->rank(last_place_);
  std::size_t up = 0, down = 0;
  for (std::uint32_t i = it->record; i != CandidateSet::kNoRecord; i = slot.records[i].parent)
    ++up;
  for (std::uint32_t r = it->meeting; r != unit; r = space_.parent(r))
    ++down;
  AnswerRoute route;
  route.ranks.resize(up + down);
  std::size_t at = up;
  for (std::uint32_t i = it->record; i != CandidateSet::kNoRecord; i = slot.records[i].parent)
    route.ranks[--at] = slot.records[i].rank;
  at = up;
  for (std::uint32_t r = it->meeting; r != unit;) {
    r = space_.parent(r);
    route.ranks[at++] = r;
  }
  return route;
}

std::vector<PlaceId> ChQuery::PathOfLastAnswer(std::uint32_t tag) const {
  const std::optional<AnswerRoute> route = KeepRouteOfLastAnswer(tag);
  return route ? index_->Unpack(route->ranks) : std::vector<PlaceId>{};
}

}  // namespace baiying
