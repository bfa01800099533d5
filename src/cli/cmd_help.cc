// rj -b help [COMMAND]
#include "config.h"

#include "cli/batch.h"
#include "cli/command.h"

namespace cli {

namespace {

void declare(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("topic", po::value<std::string>(), "command");
    pos.add("topic", 1);
}

int run(Context& ctx, const po::variables_map& vm) {
    ctx.out << help_text(vm.count("topic") ? vm["topic"].as<std::string>() : "");
    return 0;
}

}  // namespace

extern const Command kHelpCommand = {
    .name = "help",
    .args = "[COMMAND]",
    .summary = "list the commands, or describe one",
    .details = "",
    .declare = declare,
    .run = run,
};

}  // namespace cli
