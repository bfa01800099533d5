#include "config.h"

#include "precondition.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace testing_support {

namespace {

// Printed when the test program ends, after Catch2's own summary.
struct SkipList {
    std::vector<std::string> lines;
    ~SkipList() {
        if (lines.empty()) return;
        std::fprintf(stderr, "\n%zu test case(s) SKIPPED (their preconditions are missing here):\n", lines.size());
        for (const auto& l : lines) std::fprintf(stderr, "  SKIPPED: %s\n", l.c_str());
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
