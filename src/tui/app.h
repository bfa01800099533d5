// Entry point of the full-screen interface (`rj` without -b).
#pragma once

#include <string>
#include <vector>

namespace tui {

// `args` are the words after the program name. Returns the exit status.
int run_ui(const std::vector<std::string>& args);

// The usage text of `rj` without -b.
std::string usage();

}  // namespace tui
