#pragma once
// Recovery is replay (ARCHITECTURE.md): a fresh Dispatcher given every journaled command in
// order reaches the state the server had when it stopped, because the dispatcher is
// deterministic and the journal holds exactly the commands it accepted, in the order it
// applied them.
//
// Thread safety: reads the journal from the calling thread; the dispatcher it returns is the
// caller's, to be used from one strand as always.

#include <cstdint>
#include <memory>

#include "adapters/store/journal.h"
#include "engine/core/status.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/registry/registry.h"
#include "engine/roads/ch_index.h"
#include "engine/roads/road_graph.h"

namespace baiying::store {

// What recovery did, for the server's log.
struct RecoveryReport {
  std::uint64_t applied = 0;  // commands the dispatcher accepted
  std::uint64_t skipped = 0;  // commands the dispatcher refused (none, when only accepted
                              // commands were journaled and the registry is the same)
};

// A dispatcher with every command of `journal` applied in order. A command that fails is
// skipped, as it would have been the first time (the journal holds only accepted commands, but
// a registry changed since, or a hand-edited journal, must not stop a server from starting);
// report->skipped counts them. Fails only when the journal cannot be read (a damaged row:
// InvalidArgument naming its seq) or the dispatcher cannot be created, or `index` (when given)
// was built on another graph. The replay matches with `index` while it fits the closures
// replayed so far, with the exact search after (the state is the same either way; the caller
// brings the index up to date afterwards). `graph` must outlive the dispatcher.
Result<Dispatcher> Recover(const RoadGraph& graph, std::shared_ptr<const Registry> registry,
                           const DispatchOptions& options, const Journal& journal,
                           RecoveryReport* report = nullptr,
                           std::shared_ptr<const ChIndex> index = nullptr);

}  // namespace baiying::store
