#include "engine/roads/closures.h"

#include <algorithm>
#include <limits>

namespace baiying {

ClosureSet::ClosureSet(const RoadGraph& graph)
    : graph_(&graph), arc_touched_(graph.arc_count(), 0), place_touched_(graph.place_count(), 0) {}

Result<ClosureId> ClosureSet::Add(Closure closure) {
  if (closure.until <= closure.from) {
    return Status::InvalidArgument("closure '" + closure.reason +
                                   "': its window is empty (until is not after from)");
  }
  std::uint16_t& touched = closure.arc.valid() ? arc_touched_[closure.arc.value()]
                                               : place_touched_[closure.place.value()];
  if (touched == std::numeric_limits<std::uint16_t>::max()) {
    return Status::ResourceExhausted("too many closures on one arc or place");
  }
  ++touched;
  closure.id = ClosureId(static_cast<std::uint32_t>(closures_.size()));
  if (closure.arc.valid()) {
    live_by_arc_[closure.arc.value()].push_back(closure.id);
  } else {
    live_by_place_[closure.place.value()].push_back(closure.id);
  }
  closures_.push_back(std::move(closure));
  reopened_.push_back(false);
  ++live_count_;
  ++version_;
  return closures_.back().id;
}

Result<ClosureId> ClosureSet::CloseArc(ArcId arc, std::string reason, Instant from, Instant until) {
  if (!arc.valid() || arc.value() >= graph_->arc_count()) {
    return Status::InvalidArgument("cannot close arc " + std::to_string(arc.value()) +
                                   ": no such arc");
  }
  Closure c;
  c.arc = arc;
  c.reason = std::move(reason);
  c.from = from;
  c.until = until;
  return Add(std::move(c));
}

Result<ClosureId> ClosureSet::ClosePlace(PlaceId place, std::string reason, Instant from,
                                         Instant until) {
  if (!place.valid() || place.value() >= graph_->place_count()) {
    return Status::InvalidArgument("cannot close place " + std::to_string(place.value()) +
                                   ": no such place");
  }
  Closure c;
  c.place = place;
  c.reason = std::move(reason);
  c.from = from;
  c.until = until;
  return Add(std::move(c));
}

Result<std::vector<ClosureId>> ClosureSet::CloseBetween(PlaceId a, PlaceId b,
                                                        const std::string& reason, Instant from,
                                                        Instant until) {
  const std::uint32_t n = graph_->place_count();
  if (!a.valid() || !b.valid() || a.value() >= n || b.value() >= n) {
    return Status::InvalidArgument("cannot close a road: place id out of range");
  }
  std::vector<ArcId> joining;
  for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    for (std::uint32_t arc = graph_->first_out(x); arc < graph_->end_out(x); ++arc) {
      if (graph_->head(ArcId(arc)) == y) joining.push_back(ArcId(arc));
    }
  }
  if (joining.empty()) {
    return Status::NotFound("no road joins " + graph_->place(a).name + " and " +
                            graph_->place(b).name + " directly");
  }
  if (until <= from) {
    return Status::InvalidArgument("closure '" + reason + "': its window is empty");
  }
  std::vector<ClosureId> ids;
  for (ArcId arc : joining) {
    Result<ClosureId> id = CloseArc(arc, reason, from, until);
    if (!id.ok()) {
      for (ClosureId made : ids)
        (void)Reopen(made);
      return id.status();
    }
    ids.push_back(*id);
  }
  return ids;
}

Status ClosureSet::Reopen(ClosureId id) {
  if (!id.valid() || id.value() >= closures_.size() || reopened_[id.value()]) {
    return Status::NotFound("no open closure with id " + std::to_string(id.value()));
  }
  const Closure& c = closures_[id.value()];
  --(c.arc.valid() ? arc_touched_[c.arc.value()] : place_touched_[c.place.value()]);
  auto& by = c.arc.valid() ? live_by_arc_ : live_by_place_;
  const std::uint32_t key = c.arc.valid() ? c.arc.value() : c.place.value();
  std::vector<ClosureId>& live = by[key];
  std::erase(live, id);
  if (live.empty()) by.erase(key);
  reopened_[id.value()] = true;
  --live_count_;
  ++version_;
  return Status::Ok();
}

bool ClosureSet::SlowArcOpen(ArcId arc, Instant t) const {
  const PlaceId tail = graph_->tail(arc);
  const PlaceId head = graph_->head(arc);
  if (!PlaceOpen(tail, t) || !PlaceOpen(head, t)) return false;
  if (arc_touched_[arc.value()] == 0) return true;
  return NoneActive(live_by_arc_, arc.value(), t);
}

bool ClosureSet::SlowPlaceOpen(PlaceId place, Instant t) const {
  return NoneActive(live_by_place_, place.value(), t);
}

bool ClosureSet::NoneActive(const std::unordered_map<std::uint32_t, std::vector<ClosureId>>& by,
                            std::uint32_t key, Instant t) const {
  auto it = by.find(key);
  if (it == by.end()) return true;
  for (ClosureId id : it->second) {
    if (closures_[id.value()].ActiveAt(t)) return false;
  }
  return true;
}

std::vector<Closure> ClosureSet::Current() const {
  std::vector<Closure> out;
  for (std::size_t i = 0; i < closures_.size(); ++i) {
    if (!reopened_[i]) out.push_back(closures_[i]);
  }
  return out;
}

std::vector<ArcId> ClosureSet::ClosedArcsAt(Instant t) const {
  std::vector<ArcId> out;
  if (live_count_ == 0) return out;
  for (const auto& [arc, ids] : live_by_arc_) {
    if (!NoneActive(live_by_arc_, arc, t)) out.push_back(ArcId(arc));
  }
  for (const auto& [place, ids] : live_by_place_) {
    if (NoneActive(live_by_place_, place, t)) continue;
    const PlaceId p(place);
    for (std::uint32_t a = graph_->first_out(p); a < graph_->end_out(p); ++a)
      out.push_back(ArcId(a));
    for (std::uint32_t pos = graph_->first_in(p); pos < graph_->end_in(p); ++pos)
      out.push_back(graph_->in_arc(pos));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace baiying
