// The table of batch commands, in the order `rj -b help` lists them. Each
// entry is defined beside its run function in a cmd_*.cc file, some files
// holding several (cmd_hosts_ops.cc: sync, prune, cleanup, host).
#include "config.h"

#include "cli/command.h"

namespace cli {

extern const Command kRunCommand;
extern const Command kStatusCommand;
extern const Command kListCommand;
extern const Command kShowCommand;
extern const Command kLogCommand;
extern const Command kKillCommand;
extern const Command kRestartCommand;
extern const Command kDescribeCommand;
extern const Command kSyncCommand;
extern const Command kTickCommand;
extern const Command kPlanCommand;
extern const Command kDeferredCommand;
extern const Command kPruneCommand;
extern const Command kCleanupCommand;
extern const Command kHostCommand;
extern const Command kHostsCommand;
extern const Command kHelpCommand;
extern const Command kQueueCommand;
extern const Command kHoldCommand;
extern const Command kReleaseCommand;
extern const Command kStartNowCommand;
extern const Command kUpdateCommand;
extern const Command kMoveCommand;
extern const Command kPendingCommand;
extern const Command kDiffCommand;
extern const Command kAcctCommand;
extern const Command kCompletionCommand;
extern const Command kImportCommand;

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        kRunCommand,
        kStatusCommand,
        kListCommand,
        kShowCommand,
        kLogCommand,
        kKillCommand,
        kRestartCommand,
        kQueueCommand,
        kPendingCommand,
        kHoldCommand,
        kReleaseCommand,
        kStartNowCommand,
        kUpdateCommand,
        kMoveCommand,
        kDiffCommand,
        kAcctCommand,
        kDescribeCommand,
        kSyncCommand,
        kTickCommand,
        kPlanCommand,
        kDeferredCommand,
        kPruneCommand,
        kCleanupCommand,
        kHostCommand,
        kHostsCommand,
        kImportCommand,
        kCompletionCommand,
        kHelpCommand,
    };
    return table;
}

const Command* find_command(const std::string& name) {
    for (const auto& c : commands())
        if (name == c.name) return &c;
    return nullptr;
}

}  // namespace cli
