#pragma once
// ChIndex: a contraction hierarchy over a RoadGraph's travel times, and the matcher's question
// answered on it: "of the candidate teams of one specialty, which K reach this unit first, and
// in how long" (ETA = mobilization delay + road time), without looking at every candidate.
//
// Why a contraction hierarchy, and this one.
// - The candidate sets are many (one per specialty) and change (a team released at a scene
//   stands elsewhere), and which of their teams may go changes all the time (a team goes en
//   route, comes back, is suspended). With buckets on a CH, a candidate is one small upward
//   search from its place (a few dozen places on New York) whose entries are written to, and
//   later removed from, the buckets of the places it settles, kept sorted by ETA; who may go
//   is a filter asked during the query. A query is one upward search backwards from the unit
//   that reads the buckets, each up to the K-th best ETA found so far, and stops there too.
// - Hub labels answer a pair faster but cost a label per place (gigabytes on large graphs and
//   minutes to build); the one-to-many question with a changing set gains nothing over buckets,
//   which are hub labels computed only for the candidates.
// - A customizable CH (metric-independent order, re-customized after a weight change) was the
//   alternative for closures: a closure becomes an infinite weight and a customization of
//   seconds. Its queries are slower than a CH ordered for the metric, and correctness under
//   closures does not need it. Here a closure is honoured at once by the exact search
//   (RoadQuery::NearestWithOffsets answers while the index does not match the closures in
//   force), and the index is brought up to date by Recontract: the same contraction order, the
//   closed arcs left out, no priority simulation (a third to a half of a full build). It is a
//   pure function of the graph, the previous index and the closed arcs, so an adapter runs it
//   on another thread and hands the result to the dispatcher, which checks that the closures it
//   was made for are still those in force (closed_arcs()).
//
// Preprocessing: places are contracted one by one in order of a lazily updated priority
// (2 x edge difference + contracted neighbours + level, ties by id), with witness searches
// bounded by a number of settled places; each shortcut carries its middle place so that paths
// can be unpacked. Pure and deterministic: the same graph and options give the same index.
//
// Thread safety: a built ChIndex is read-only and may be shared by threads. A CandidateSet and
// a ChQuery are not thread-safe: one ChQuery per thread; a CandidateSet is changed and read from
// one thread (the dispatch strand). The index must outlive the sets and queries made on it.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/function_ref.h"
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

// An arc as the searches read it: eight bytes, the middle place kept apart (only unpacking a
// route needs it), so that more of a place's arcs share a cache line.
struct ChHop {
  std::uint32_t other = 0;  // rank of the head of an upward arc, of the tail of a downward one
  TravelTime time = 0;
};

// A ChIndex's arrays as plain values, for an adapter that saves and loads the index (the
// engine does no I/O). ChIndex::FromParts checks them against the graph before use.
struct ChIndexParts {
  std::uint64_t graph_fingerprint = 0;
  std::vector<std::uint32_t> rank;      // by place
  std::vector<std::uint32_t> first_up;  // by rank, place_count + 1
  std::vector<ChArc> up;
  std::vector<std::uint32_t> first_down;  // by rank, place_count + 1
  std::vector<ChArc> down;
  std::vector<std::uint32_t> closed_arcs;  // sorted
};

class ChIndex {
 public:
  // Contracts every place of `graph`, the arcs in `closed` left out (sorted or not; each must
  // be an arc of the graph). InvalidArgument for options that are not IsValid() or an arc out
  // of range. On DIMACS New York (264,346 places, 733,846 arcs): 9 to 20 s on a shared 2-core
  // machine, 21 MiB of index, 25 MiB more peak memory than the loaded graph (bench/RESULTS.md).
  static Result<ChIndex> Build(const RoadGraph& graph, const ChOptions& options = {},
                               std::span<const ArcId> closed = {});

  // The index for `graph` with the arcs in `closed` left out, contracted in `previous`'s order
  // (no priorities computed): what brings an index up to date after closures change.
  // InvalidArgument when `previous` was built on another graph.
  static Result<ChIndex> Recontract(const RoadGraph& graph, const ChIndex& previous,
                                    std::span<const ArcId> closed, const ChOptions& options = {});
  // The same, asking keep_going() before the first place and after every kPlacesPerAsk places
  // contracted: when it says false, the work stops there and Unavailable is returned (an
  // adapter stopping does not wait for a recontraction of seconds to finish).
  static constexpr std::uint32_t kPlacesPerAsk = 1024;
  static Result<ChIndex> Recontract(const RoadGraph& graph, const ChIndex& previous,
                                    std::span<const ArcId> closed, const ChOptions& options,
                                    FunctionRef<bool()> keep_going);

  // A hash of the graph's places and arcs with their travel times: an index is only valid for
  // the graph (and travel model) it was built on.
  static std::uint64_t Fingerprint(const RoadGraph& graph);
  std::uint64_t graph_fingerprint() const { return graph_fingerprint_; }

  // The arcs left out of the index, sorted.
  std::span<const ArcId> closed_arcs() const { return closed_arcs_; }
  // Whether the index was built for exactly these closed arcs (sorted, each once).
  bool BuiltFor(std::span<const ArcId> closed) const {
    return std::equal(closed.begin(), closed.end(), closed_arcs_.begin(), closed_arcs_.end());
  }

  ChIndexParts ToParts() const;
  // InvalidArgument, naming what is wrong, when the parts are not a well-formed index of
  // `graph` (another graph's fingerprint, sizes, ranks not a permutation, arcs not upward or
  // not sorted, a shortcut's middle place not below both ends, closed arcs out of range).
  static Result<ChIndex> FromParts(ChIndexParts parts, const RoadGraph& graph);

  std::uint32_t place_count() const { return static_cast<std::uint32_t>(rank_.size()); }
  // The position of `p` in the contraction order (0 = contracted first). The index numbers
  // places by rank, so that the places every search reaches (the last contracted) sit together
  // in memory.
  std::uint32_t rank(PlaceId p) const { return rank_[p.value()]; }
  PlaceId place_of_rank(std::uint32_t rank) const { return PlaceId(place_of_rank_[rank]); }

  // Arcs from the place of rank `r` to higher places (searches from a place go up these),
  // sorted by other end.
  std::span<const ChHop> up(std::uint32_t r) const {
    return {hops_.data() + first_[2 * r + 1], hops_.data() + first_[2 * r + 2]};
  }
  // Arcs into the place of rank `r` from higher places (searches towards a place go up these,
  // backwards), sorted by other end.
  std::span<const ChHop> down(std::uint32_t r) const {
    return {hops_.data() + first_[2 * r], hops_.data() + first_[2 * r + 1]};
  }
  // The place a shortcut bypasses, kNoPlace for an arc of the road graph. Precondition: `hop`
  // is one of this index's arcs (from up() or down()).
  PlaceId middle(const ChHop& hop) const {
    return middle_[static_cast<std::size_t>(&hop - hops_.data())];
  }

  // The places along a route given by the ranks it passes in the hierarchy (consecutive ranks
  // joined by an arc of the index, up or down), shortcuts unpacked: every place of the road
  // graph it passes, the first and last included. Read-only: any thread may call it.
  // Precondition: each two consecutive ranks are joined by an arc of this index (as in a route
  // kept by ChQuery::KeepRouteOfLastAnswer).
  std::vector<PlaceId> Unpack(std::span<const std::uint32_t> ranks) const;

  std::uint64_t shortcut_count() const { return shortcut_count_; }
  // Bytes held by the index's arrays.
  std::size_t MemoryBytes() const;

 private:
  ChIndex() = default;
  friend class ChBuilder;

  // Appends the arcs of the next rank (its arcs down, then up) to first_, hops_ and middle_.
  void AppendRank(std::span<const ChArc> down, std::span<const ChArc> up);

  std::vector<std::uint32_t> rank_;           // by place
  std::vector<std::uint32_t> place_of_rank_;  // by rank
  // The arcs of rank r: down ones at [first_[2r], first_[2r + 1]), up ones at
  // [first_[2r + 1], first_[2r + 2]). A search settling a place reads both (one to go on, the
  // other to stall): one pair of offsets and one run of arcs, not two of each.
  std::vector<std::uint32_t> first_;  // 2 x place_count + 1
  std::vector<ChHop> hops_;
  std::vector<PlaceId> middle_;  // by index in hops_
  std::uint64_t shortcut_count_ = 0;
  std::uint64_t graph_fingerprint_ = 0;
  std::vector<ArcId> closed_arcs_;
};

namespace roads_internal {
// What an upward search knows of the places (by rank): whether it reached a place, and for one
// it reached, in what time and from which place (a rank; kNoParent at the source). Reached is
// a byte per place holding the generation of the search that reached it, so that the next
// search starts without clearing anything: on a large graph a query's time is mostly cache
// misses, and asking "reached?" of the many places that were not (every arc a search looks
// along, to go on or to stall) then reads a dense array of a quarter of a megabyte on New York,
// which stays in the processor's caches, instead of a cold line per place.
class SearchSpace {
 public:
  static constexpr std::uint32_t kNoParent = 0xffffffffu;
  explicit SearchSpace(std::uint32_t place_count)
      : generation_of_(place_count, 0), label_(place_count) {}

  // Every place unreached again (a full clear once in 255 searches).
  void NextSearch() {
    if (++generation_ == 0) {
      std::fill(generation_of_.begin(), generation_of_.end(), std::uint8_t{0});
      generation_ = 1;
    }
  }
  bool reached(std::uint32_t r) const { return generation_of_[r] == generation_; }
  // Preconditions for these: reached(r).
  TravelTime time(std::uint32_t r) const { return label_[r].time; }
  std::uint32_t parent(std::uint32_t r) const { return label_[r].parent; }
  void set_parent(std::uint32_t r, std::uint32_t parent) { label_[r].parent = parent; }

  void Reach(std::uint32_t r, TravelTime time, std::uint32_t parent) {
    generation_of_[r] = generation_;
    label_[r] = {time, parent};
  }
  std::size_t MemoryBytes() const { return generation_of_.size() + label_.size() * sizeof(Label); }

 private:
  struct Label {
    TravelTime time = kInfiniteTime;
    std::uint32_t parent = kNoParent;
  };
  std::vector<std::uint8_t> generation_of_;
  std::vector<Label> label_;
  std::uint8_t generation_ = 0;
};
}  // namespace roads_internal

// The candidate teams of one specialty, kept with their bucket entries in the index: each
// candidate is a team (tag) at a place with an offset (its mobilization delay). Add costs one
// upward search from the candidate's place and the insertion of its entries (a few dozen) into
// buckets kept sorted by total (offset + travel), so that a query stops reading a bucket at the
// K-th best, and sorted again by travel alone (the nearest teams by road, for the explanations);
// Remove deletes them. Neither touches any other candidate's search, only the
// positions of entries in the buckets they share.
//
// The dispatcher keeps one CandidateSet per specialty with every team holding it, at the place
// where it is now; whether a team is free is a mark on its candidate (SetAvailable: a byte, no
// entry moves), and the rules that depend on the request (mode, altitude, scope, declines) are a
// filter the query asks about the available candidates it would answer. A team's entries change
// only when it moves.
class CandidateSet {
 public:
  explicit CandidateSet(const ChIndex& index);

  // False, and nothing changes, when the tag is already a candidate, the place is out of range
  // or the offset is kInfiniteTime (a team that can never leave is not a candidate).
  bool Add(const OffsetTarget& target);
  // Add for each of `targets`, the buckets sorted once at the end instead of an insertion
  // each: for filling a set with many candidates at once. Returns how many were added.
  std::size_t AddAll(std::span<const OffsetTarget> targets);
  // False when the tag is not a candidate.
  bool Remove(std::uint32_t tag);
  bool Contains(std::uint32_t tag) const { return SlotOf(tag) != kNoSlot; }
  // Marks a candidate available or not (a candidate is available when added): ChQuery's
  // NearestAvailable answers only the available ones and passes the others over without asking
  // its filter, at the price of a byte per entry read. Costs nothing else (no entry moves): for
  // a state that changes all the time, such as a team free or on an assignment. False when the
  // tag is not a candidate.
  bool SetAvailable(std::uint32_t tag, bool available);
  bool available(std::uint32_t tag) const {
    const std::uint32_t slot = SlotOf(tag);
    return slot != kNoSlot && available_[slot] != 0;
  }
  std::size_t size() const { return targets_.size(); }
  // The candidates, in no particular order (what the exact search is given as a fallback).
  std::span<const OffsetTarget> targets() const { return targets_; }
  // The smallest offset of any candidate; kInfiniteTime when empty.
  TravelTime min_offset() const;
  // Bucket entries held (for benchmarks).
  std::size_t entry_count() const { return entry_count_; }
  // For tests: whether every bucket is sorted by total and every candidate's records point at
  // its own entries. An explanation of the first fault, or "" when there is none.
  std::string CheckConsistency() const;
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
  // A bucket holds its entries twice, in one vector: first by total, so that a scan can stop
  // at the K-th best; then the same entries by (travel, slot), what a search ranking by road
  // time reads (the nearer teams passed over), stopping at the K-th nearest likewise.
  static bool EntryBefore(const Entry& a, const Entry& b) { return a.total < b.total; }
  static bool TravelBefore(const Entry& a, const Entry& b) {
    return a.travel != b.travel ? a.travel < b.travel : a.slot < b.slot;
  }
  // One place the candidate's upward search settled. The records of a candidate form that
  // search's tree (parent), so that the route from the candidate up to any of its bucket
  // places is read back without searching again.
  struct Record {
    std::uint32_t rank;    // of the bucket's place
    std::uint32_t pos;     // index in that bucket
    std::uint32_t parent;  // index of the record it was reached from; kNoRecord at the start
  };
  static constexpr std::uint32_t kNoRecord = 0xffffffffu;
  struct Settled {
    std::uint32_t rank;
    TravelTime travel;
    std::uint32_t parent;  // index in settled_, kNoRecord at the start
  };
  struct Slot {
    OffsetTarget target;
    std::uint32_t dense = 0;  // index in targets_
    std::vector<Record> records;
  };
  static constexpr std::uint32_t kNoBucket = 0xffffffffu;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
  std::uint32_t SlotOf(std::uint32_t tag) const {
    return tag < slot_of_tag_.size() ? slot_of_tag_[tag] : kNoSlot;
  }

  bool Accepts(const OffsetTarget& target) const;
  // The upward search from `place`, into settled_.
  void Search(PlaceId place);
  // Adds `target` with the bucket entries of settled_ (its upward search), each at its sorted
  // place, or at the end of its bucket when `sorted` is false (AddAll sorts afterwards).
  void Insert(const OffsetTarget& target, bool sorted);
  // Writes each entry's position in its bucket back to its record, from `from` on.
  void Renumber(std::span<const Entry> by_total, std::size_t from);

  // What a search reads of a place's bucket: where its entries are and how many, and the least
  // total in it, so that a bucket that cannot better the answer is passed over without touching
  // it, and one that can is read without a look at the vector holding it (on a large graph
  // every such look is a cache miss: one line for the place, then its entries).
  struct BucketHead {
    const Entry* entries = nullptr;  // by total, then as many by travel
    std::uint32_t size = 0;
    TravelTime least_total = kInfiniteTime;  // the first entry's total
  };
  const BucketHead& Head(std::uint32_t rank) const { return head_of_rank_[rank]; }
  std::span<const Entry> Bucket(std::uint32_t rank) const {
    const BucketHead& head = head_of_rank_[rank];
    return {head.entries, head.size};
  }
  std::span<const Entry> BucketByTravel(std::uint32_t rank) const {
    const BucketHead& head = head_of_rank_[rank];
    return {head.entries + head.size, head.size};
  }
  // The vector of `rank`'s bucket, taken from the free ones when it has none.
  std::uint32_t BucketOf(std::uint32_t rank);
  // After bucket `b` of `rank` changed: its head again, and the bucket freed when empty.
  void UpdateHead(std::uint32_t rank, std::uint32_t b);

  const ChIndex* index_;
  std::vector<Slot> slots_;
  std::vector<std::uint8_t> available_;  // by slot: dense, read for every entry of a scan
  std::vector<std::uint32_t> free_slots_;
  // By tag (tags are small numbers, such as team ids: the vector grows to the largest).
  std::vector<std::uint32_t> slot_of_tag_;
  std::vector<OffsetTarget> targets_;
  std::vector<std::uint32_t> slot_of_dense_;
  // The least offset, recomputed when the candidate holding it leaves.
  mutable TravelTime min_offset_ = kInfiniteTime;
  mutable bool min_offset_stale_ = false;
  std::vector<BucketHead> head_of_rank_;
  std::vector<std::uint32_t> bucket_of_rank_;  // kNoBucket when none
  // Each bucket's entries: by total, then the same by travel (twice the bucket's size; while
  // AddAll fills the set, by total only and unsorted).
  std::vector<std::vector<Entry>> buckets_;
  std::vector<std::uint32_t> free_buckets_;
  std::size_t entry_count_ = 0;
  // Scratch for the upward searches of Add, by rank. A settled place's parent is then
  // overwritten with its index in settled_.
  roads_internal::SearchSpace space_;
  std::vector<std::uint64_t> heap_;
  std::vector<Settled> settled_;
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
  // While the arcs closed at context.at are not those the index was built for, the exact
  // search answers instead (correct at once, slower); last_was_exact() says which answered.
  // The span is valid until the next call.
  std::span<const OffsetReach> NearestWithOffsets(PlaceId place, const CandidateSet& candidates,
                                                  const NearestOptions& options,
                                                  const QueryContext& context = {});

  // The same question answered by the index without looking at closures: for a caller that
  // has checked the index was built for the arcs closed now (the dispatcher caches that check
  // per command instead of listing the closed arcs on every question). With `allowed`, only
  // the candidates for which allowed(tag) holds are answered: the K best of those, exactly, in
  // one search (the filter is asked only about a candidate that would enter the answer, so a
  // costly rule is asked rarely). `allowed` must not change its mind during the call.
  std::span<const OffsetReach> NearestInIndex(PlaceId place, const CandidateSet& candidates,
                                              const NearestOptions& options);
  std::span<const OffsetReach> NearestInIndex(PlaceId place, const CandidateSet& candidates,
                                              const NearestOptions& options,
                                              FunctionRef<bool(std::uint32_t)> allowed);
  // NearestInIndex over the candidates marked available only (CandidateSet::SetAvailable):
  // those not available are passed over as they are read, before the filter is asked. When
  // most candidates are taken, this is what keeps a deep search cheap.
  std::span<const OffsetReach> NearestAvailable(PlaceId place, const CandidateSet& candidates,
                                                const NearestOptions& options,
                                                FunctionRef<bool(std::uint32_t)> allowed);

  // The same question ranked by road time alone, the candidates' offsets ignored (each answer's
  // total is its travel): the exact search's answer over the candidates with offset 0. Used to
  // name the nearer teams that were passed over. No closure fallback: ask it only while the
  // index was built for the arcs closed now.
  std::span<const OffsetReach> NearestByTravel(PlaceId place, const CandidateSet& candidates,
                                               const NearestOptions& options);

  // NearestByTravel(place, candidates, options) for the place and candidates of the last
  // NearestInIndex (the matcher asks it of every line, to name the nearer teams passed over,
  // with options.max_time the travel of the slowest team it sends): read off the places that
  // search settled when they reach max_time, which they do whenever max_time is below the
  // answer's K-th total less the least offset; else a search of its own. The candidate set
  // must not have changed since. The span is valid until the next call.
  std::span<const OffsetReach> NearestByTravelAgain(const NearestOptions& options);
  // Whether the last NearestByTravelAgain was read off the last search (no search of its own).
  bool last_was_reread() const { return last_was_reread_; }

  // The route of a candidate in the last answer by total that the hierarchy gave (not the exact
  // search, not a window by travel):
  // the ranks it passes in the hierarchy, from the candidate's place up to where it meets the
  // unit's search and down to the unit's place. Cheap (no search: read off the candidate's
  // records and the unit's search tree); ChIndex::Unpack turns it into places, on any thread,
  // later. Call it before the candidate set changes: nullopt when `tag` is not in the last
  // answer, the set no longer holds it as it did, or another search ran since.
  struct AnswerRoute {
    std::vector<std::uint32_t> ranks;
  };
  std::optional<AnswerRoute> KeepRouteOfLastAnswer(std::uint32_t tag) const;
  // The places along the route of `tag` in the last answer: Unpack(KeepRouteOfLastAnswer(tag)),
  // empty when there is none.
  std::vector<PlaceId> PathOfLastAnswer(std::uint32_t tag) const;

  bool last_was_exact() const { return last_was_exact_; }
  // Places settled by the last hierarchy search, and bucket entries read.
  std::uint32_t last_settled_count() const { return settled_count_; }
  std::uint64_t last_entries_read() const { return entries_read_; }

 private:
  void Start();
  // Which candidates a hierarchy search answers, and by what.
  enum class Ranking : std::uint8_t {
    kByTotal,           // every candidate, by offset + travel
    kAvailableByTotal,  // the available ones, by offset + travel
    kByTravel,          // every candidate, by travel alone
  };
  std::span<const OffsetReach> Hierarchy(PlaceId place, const CandidateSet& candidates,
                                         const NearestOptions& options, Ranking ranking,
                                         FunctionRef<bool(std::uint32_t)> allowed);

  struct Found {
    OffsetReach reach;
    std::uint32_t meeting = 0;  // rank where its route meets the unit's search
    std::uint32_t slot = 0;     // the candidate's slot in the set
    std::uint32_t record = 0;   // its record at the meeting place
  };
  // The index of the worst of `list` by (total, tag).
  static std::uint32_t WorstOf(const std::vector<Found>& list);
  // Offers `f` to `list`, the best k by (total, tag) with each tag once; `worst` indexes the
  // worst once the list is full.
  static void Offer(std::vector<Found>& list, std::uint32_t k, std::uint32_t& worst, const Found& f,
                    FunctionRef<bool(std::uint32_t)> allowed);
  // `list` sorted by (total, tag), appended to `out` as the answer.
  static void Answer(std::vector<Found>& list, std::vector<OffsetReach>& out);
  // Before a search by travel: no candidate offered yet.
  void StartReadingByTravel(const CandidateSet& candidates);
  // Offers the candidates in the bucket of `v` (reached at d) by travel alone, nearest first
  // until one cannot enter, each candidate only when nearer than it was offered before in this
  // search.
  void ReadByTravel(const CandidateSet& candidates, std::uint32_t v, TravelTime d,
                    const NearestOptions& options, std::vector<Found>& list, std::uint32_t& worst);

  const ChIndex* index_;
  RoadQuery exact_;
  roads_internal::SearchSpace space_;          // the search towards the unit
  roads_internal::SearchSpace forward_space_;  // Time's search from the start
  std::uint32_t meeting_ = 0;                  // rank where the last Time's two searches met
  std::vector<std::uint64_t> heap_;
  std::vector<OffsetReach> best_;
  std::vector<Found> found_;
  std::vector<OffsetReach> window_;
  std::vector<Found> window_found_;
  // By slot of the set searched by travel: the least travel a candidate was offered at, in the
  // search of generation offer_generation_ (a candidate is met at many places: this spares
  // comparing it with every one held).
  std::vector<std::uint32_t> offered_in_;  // the generation of the search that offered it
  std::vector<TravelTime> offered_at_;
  std::uint32_t offer_generation_ = 0;
  // The places the last hierarchy search settled and read, in order, with their times; every
  // place nearer than complete_below_ is among them.
  std::vector<std::pair<std::uint32_t, TravelTime>> scanned_;
  TravelTime complete_below_ = 0;
  bool last_was_reread_ = false;
  const CandidateSet* last_candidates_ = nullptr;
  PlaceId last_place_;
  bool last_answer_valid_ = false;
  std::uint32_t settled_count_ = 0;
  std::uint64_t entries_read_ = 0;
  bool last_was_exact_ = false;
};

}  // namespace baiying
