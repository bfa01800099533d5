// The batch face: `rj -b COMMAND ...`. Parses the command line, runs one
// command over the engine, and maps errors to exit statuses.
#pragma once

#include <string>
#include <vector>

namespace cli {

// `args` are the words after `-b`. Returns the process exit status.
int run_batch(const std::vector<std::string>& args);

// `rj -b help [COMMAND]`: text for one command, or the command list.
std::string help_text(const std::string& command = "");

}  // namespace cli
