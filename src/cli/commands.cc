// The table of batch commands: one entry per cmd_*.cc file.
#include "config.h"

#include "cli/command.h"

namespace cli {

extern const Command kHostsCommand;

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        kHostsCommand,
    };
    return table;
}

const Command* find_command(const std::string& name) {
    for (const auto& c : commands())
        if (name == c.name) return &c;
    return nullptr;
}

}  // namespace cli
