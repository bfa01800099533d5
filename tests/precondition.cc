#include "config.h"

#include "precondition.h"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace testing_support {

namespace {

// Printed when the test program ends, after Catch2's own summary, into its
// log; under `make check` also on the console (Makefile.am points fd 9 there
// and says so in RJ_CONSOLE_FD), which otherwise shows only a program's
// verdict: how many cases were skipped, and why, is seen on every run.
struct SkipList {
    std::vector<std::string> lines;
    ~SkipList() {
        std::string text;
        if (!lines.empty()) {
            text = std::to_string(lines.size()) + " test case(s) SKIPPED (their preconditions are missing here):\n";
            for (const auto& l : lines) text += "SKIPPED: " + std::string(program_invocation_short_name) + ": " + l + "\n";
            std::fprintf(stderr, "\n%s", text.c_str());
        }
        const char* fd = std::getenv("RJ_CONSOLE_FD");
        if (!fd || std::strcmp(fd, "9") != 0 || fcntl(9, F_GETFD) == -1) return;
        if (lines.empty()) text = "no test case skipped\n";
        std::string console = std::string(program_invocation_short_name) + ": " + text;
        (void)!write(9, console.data(), console.size());
    }
};
SkipList skipped;

bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci && *ci && std::strcmp(ci, "false") != 0 && std::strcmp(ci, "0") != 0;
}

}  // namespace

bool precondition(bool available, const std::string& what) {
    if (available) return true;
    std::string name = Catch::getResultCapture().getCurrentTestName();
    if (in_ci()) FAIL("CI=true but this test cannot run: " << what);
    WARN("SKIPPED: " << what);
    skipped.lines.push_back(name + " (" + what + ")");
    return false;
}

}  // namespace testing_support
