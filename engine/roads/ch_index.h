#pragma once
// ChIndex: a contraction hierarchy over a RoadGraph's travel times, and the matcher's question
// answered on it: "of the candidate teams of one specialty, which K reach this unit first, and
// in how long" (ETA = mobilization delay + road time), without looking at every candidate.
//
// Why a contraction hierarchy, and this one.
// - The candidate sets are small, many (one per specialty) and change all the time (a team goes
//   en route, comes back, is suspended). With buckets on a CH, a candidate is one small upward
//   search from its place (a few hundred places on New York) whose entries are written to, and
//   later removed from, the buckets of the places it settles: adding or removing a team costs
//   microseconds and touches nothing else. A query is one upward search backwards from the
//   unit that reads the buckets, pruned by the K-th best ETA found so far.
// - Hub labels answer a pair faster but cost a label per place (gigabytes on large graphs and
//   minutes to build); the one-to-many question with a changing set gains nothing over buckets,
//   which are hub labels computed only for the candidates.
// - A customizable CH (metric-independent order, re-customized after a weight change) is the
//   natural next step for closures: a closure becomes an infinite weight and a re-customization
//   of seconds. Its queries are slower than a CH ordered for the metric, and correctness under
//   closures does not need it: until the index is brought up to date, a query with a closure
//   in force falls back to the exact search (RoadQuery::NearestWithOffsets), which is what this
//   first version does whenever any closure is live. The CH here is built for the metric.
//
// Preprocessing: places are contracted one by one in order of a lazily updated priority
// (2 x edge difference + contracted neighbours + level, ties by id), with witness searches
// bounded by a number of settled places; each shortcut carries its middle place so that paths
// can be unpacked. Pure and deterministic: the same graph and options give the same index.
//
// Thread safety: a built ChIndex is read-only and may be shared by threads. A CandidateSet and
// a ChQuery are not thread-safe: one ChQuery per thread; a CandidateSet is changed and read from
// one thread (the dispatch strand). The index must outlive the sets and queries made on it.

#include <cstdint>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/core/ids.h"
#include "engine/core/status.h"
#include "engine/core/time.h"
#include "engine/roads/road_graph.h"
#include "engine/roads/road_query.h"

namespace baiying {

struct ChOptions {
  // Witness searches stop after settling this many places; a search cut short adds a shortcut
  // that may not be needed (a larger index), never a wrong one.
  std::uint32_t witness_settled_limit = 400;
  // The same limit while only estimating a place's priority (cheaper, less precise).
  std::uint32_t priority_settled_limit = 60;

  bool IsValid() const { return witness_settled_limit > 0 && priority_settled_limit > 0; }
};

// An arc of the hierarchy, between places numbered by rank: from a place to one contracted
// after it (up), or into a place from one contracted after it (down, stored at the lower
// place). `middle` is kNoPlace for an arc of the road graph, else the place the shortcut
// bypasses.
struct ChArc {
  std::uint32_t other = 0;  // rank of the head of an upward arc, of the tail of a downward one
  TravelTime time = 0;
  PlaceId middle = kNoPlace;
};

class ChIndex {
 public:
  // Contracts every place of `graph`. InvalidArgument for options that are not IsValid().
  // On DIMACS New York (264,346 places, 733,846 arcs): 9 to 20 s on a shared 2-core machine,
  // 21 MiB of index, 25 MiB more peak memory than the loaded graph (bench/RESULTS.md).
  static Result<ChIndex> Build(const RoadGraph& graph, const ChOptions& options = {});

  std::uint32_t place_count() const { return static_cast<std::uint32_t>(rank_.size()); }
  // The position of `p` in the contraction order (0 = contracted first). The index numbers
  // places by rank, so that the places every search reaches (the last contracted) sit together
  // in memory.
  std::uint32_t rank(PlaceId p) const { return rank_[p.value()]; }
  PlaceId place_of_rank(std::uint32_t rank) const { return PlaceId(place_of_rank_[rank]); }

  // Arcs from the place of rank `r` to higher places (searches from a place go up these).
  std::span<const ChArc> up(std::uint32_t r) const {
    return {up_.data() + first_up_[r], up_.data() + first_up_[r + 1]};
  }
  // Arcs into the place of rank `r` from higher places (searches towards a place go up these,
  // backwards).
  std::span<const ChArc> down(std::uint32_t r) const {
    return {down_.data() + first_down_[r], down_.data() + first_down_[r + 1]};
  }

  std::uint64_t shortcut_count() const { return shortcut_count_; }
  // Bytes held by the index's arrays.
  std::size_t MemoryBytes() const;

 private:
  ChIndex() = default;
  friend class ChBuilder;

  std::vector<std::uint32_t> rank_;           // by place
  std::vector<std::uint32_t> place_of_rank_;  // by rank
  std::vector<std::uint32_t> first_up_;       // by rank, place_count + 1
  std::vector<ChArc> up_;
  std::vector<std::uint32_t> first_down_;  // by rank, place_count + 1
  std::vector<ChArc> down_;
  std::uint64_t shortcut_count_ = 0;
};

// The candidate teams of one specialty, kept with their bucket entries in the index: each
// candidate is a team (tag) at a place with an offset (its mobilization delay). Add costs one
// upward search from the candidate's place (microseconds); Remove deletes that candidate's own
// entries in O(1) each. Neither touches any other candidate.
//
// Not yet wired into the Dispatcher, which asks RoadQuery::NearestWithOffsets over the eligible
// teams of a line today. The intended use: one CandidateSet per specialty, kept by the
// dispatcher as teams become available or not (status, vetting, suspension), and a ChQuery
// beside its RoadQuery; the rules that depend on the request (mode, altitude, jurisdiction) stay
// a filter on the answer, asking for more than K while too many are filtered out.
class CandidateSet {
 public:
  explicit CandidateSet(const ChIndex& index);

  // False, and nothing changes, when the tag is already a candidate, the place is out of range
  // or the offset is kInfiniteTime (a team that can never leave is not a candidate).
  bool Add(const OffsetTarget& target);
  // False when the tag is not a candidate.
  bool Remove(std::uint32_t tag);
  bool Contains(std::uint32_t tag) const { return slot_of_tag_.contains(tag); }
  std::size_t size() const { return targets_.size(); }
  // The candidates, in no particular order (what the exact search is given as a fallback).
  std::span<const OffsetTarget> targets() const { return targets_; }
  // The smallest offset of any candidate; kInfiniteTime when empty.
  TravelTime min_offset() const { return offsets_.empty() ? kInfiniteTime : *offsets_.begin(); }
  // Bucket entries held (for benchmarks).
  std::size_t entry_count() const { return entry_count_; }
  std::size_t MemoryBytes() const;

  const ChIndex& index() const { return *index_; }

 private:
  friend class ChQuery;
  struct Entry {
    std::uint32_t slot;
    TravelTime travel;   // from the candidate's place up to the bucket's place
    TravelTime total;    // travel + the candidate's offset
    std::uint32_t back;  // index in the slot's records
  };
  struct Record {
    std::uint32_t rank;  // of the bucket's place
    std::uint32_t pos;   // index in that bucket
  };
  struct Slot {
    OffsetTarget target;
    std::uint32_t dense = 0;  // index in targets_
    std::vector<Record> records;
  };
  static constexpr std::uint32_t kNoBucket = 0xffffffffu;

  std::span<const Entry> Bucket(std::uint32_t rank) const {
    const std::uint32_t b = bucket_of_rank_[rank];
    if (b == kNoBucket) return {};
    return buckets_[b];
  }

  const ChIndex* index_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::unordered_map<std::uint32_t, std::uint32_t> slot_of_tag_;
  std::vector<OffsetTarget> targets_;
  std::vector<std::uint32_t> slot_of_dense_;
  std::multiset<TravelTime> offsets_;
  std::vector<std::uint32_t> bucket_of_rank_;
  std::vector<std::vector<Entry>> buckets_;
  std::vector<std::uint32_t> free_buckets_;
  std::size_t entry_count_ = 0;
  // Scratch for the upward searches of Add, by rank.
  std::vector<std::uint32_t> stamp_;
  std::vector<TravelTime> distance_;
  std::uint32_t generation_ = 0;
  std::vector<std::uint64_t> heap_;
  std::vector<std::pair<std::uint32_t, TravelTime>> settled_;
};

// The searches on a ChIndex, with their scratch space: sized once for the index, reset by a
// generation stamp between queries, never reallocated. Not thread-safe: one per thread.
class ChQuery {
 public:
  // `graph` is the graph the index was built from (for the exact search under closures).
  ChQuery(const ChIndex& index, const RoadGraph& graph);

  // The travel time from `from` to `to`, kInfiniteTime when unreachable or out of range.
  // Ignores closures: for tests and tools.
  TravelTime Time(PlaceId from, PlaceId to);
  // The places along a fastest route from `from` to `to`, both included, shortcuts unpacked;
  // empty when `to` cannot be reached. Ignores closures.
  std::vector<PlaceId> Path(PlaceId from, PlaceId to);

  // The matcher's question, with exactly RoadQuery::NearestWithOffsets's answer for
  // Direction::kToPlace over candidates.targets(): the `options.k` candidates with the least
  // travel time to `place` plus offset, by (total, tag), none above `options.max_time`.
  // Precondition: `candidates` was made on this query's index.
  // While any closure of `context` is live the exact search answers instead (correct at once,
  // slower); last_was_exact() says which answered. The span is valid until the next call.
  std::span<const OffsetReach> NearestWithOffsets(PlaceId place, const CandidateSet& candidates,
                                                  const NearestOptions& options,
                                                  const QueryContext& context = {});

  bool last_was_exact() const { return last_was_exact_; }
  // Places settled by the last hierarchy search, and bucket entries read.
  std::uint32_t last_settled_count() const { return settled_count_; }
  std::uint64_t last_entries_read() const { return entries_read_; }

 private:
  void Start();

  const ChIndex* index_;
  RoadQuery exact_;
  std::uint32_t generation_ = 0;
  std::vector<std::uint32_t> stamp_;
  std::vector<TravelTime> distance_;
  std::vector<std::uint32_t> forward_stamp_;
  std::vector<TravelTime> forward_distance_;
  std::vector<std::uint32_t> parent_;  // by rank: the backward search's tree
  std::vector<std::uint32_t> forward_parent_;
  std::uint32_t meeting_ = 0;  // rank where the last Time's two searches met
  std::vector<std::uint64_t> heap_;
  std::vector<OffsetReach> best_;
  std::uint32_t settled_count_ = 0;
  std::uint64_t entries_read_ = 0;
  bool last_was_exact_ = false;
};

}  // namespace baiying
