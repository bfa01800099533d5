// rj: parse argv and dispatch. `-b` selects the batch face, otherwise the full-screen UI.
#include "config.h"

#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/batch.h"
#include "tui/app.h"

#ifdef RJ_TEST_PLANTED_UB
namespace {
// Test builds only (configure --enable-test-planted-ub, which the sanitized
// build uses): one signed overflow on request, so that the suite can prove a
// UBSan report fails the test that ran rj (tests/sanitize/README.md).
void plant_undefined_behaviour() {
    const char* plant = std::getenv("RJ_TEST_PLANT_UB");
    if (!plant || std::strcmp(plant, "1") != 0) return;
    volatile int big = INT_MAX;
    int overflowed = big + 1;
    if (overflowed == 0) std::cerr << "rj: impossible\n";
}
}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef RJ_TEST_PLANTED_UB
    plant_undefined_behaviour();
#endif
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
