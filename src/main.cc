// rj: parse argv and dispatch. `-b` selects the batch face, otherwise the full-screen UI.
#include "config.h"

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/batch.h"
#include "tui/app.h"

int main(int argc, char** argv) {
    // A peer that hangs up must produce an error code, not kill rj.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "--version" || args[0] == "-V")) {
        std::cout << "rj " PACKAGE_VERSION "\n";
        return 0;
    }
    if (!args.empty() && args[0] == "-b") return cli::run_batch({args.begin() + 1, args.end()});
    // remote-jobs' spelling of the interface: `rj tui [--mouse]` is `rj [--mouse]`.
    if (!args.empty() && args[0] == "tui") args.erase(args.begin());
    return tui::run_ui(args);
}
