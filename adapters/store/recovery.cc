#include "adapters/store/recovery.h"

#include <utility>
#include <vector>

namespace baiying::store {

Result<Dispatcher> Recover(const RoadGraph& graph, std::shared_ptr<const Registry> registry,
                           const DispatchOptions& options, const Journal& journal,
                           RecoveryReport* report, std::shared_ptr<const ChIndex> index) {
  Result<std::vector<TimedCommand>> commands = journal.ReadAll();
  if (!commands.ok()) return commands.status().WithPrefix("recovery");
  Result<Dispatcher> dispatcher = Dispatcher::Create(graph, std::move(registry), options);
  if (!dispatcher.ok()) return dispatcher.status().WithPrefix("recovery");
  if (index != nullptr) {
    BAIYING_RETURN_IF_ERROR(dispatcher->UseIndex(std::move(index)).WithPrefix("recovery"));
  }
  RecoveryReport counts;
  for (const TimedCommand& command : *commands) {
    if (dispatcher->Apply(command).ok()) {
      ++counts.applied;
    } else {
      ++counts.skipped;
    }
  }
  if (report != nullptr) *report = counts;
  return dispatcher;
}

}  // namespace baiying::store
