// A sanitizer report from rj fails the test that ran it (issue 29): the
// sanitized build (tests/sanitize/run-sanitized) configures with
// --enable-test-planted-ub, so RJ_TEST_PLANT_UB=1 makes rj overflow a signed
// int. In any other build these cases are not compiled in.
#include "config.h"

#include <catch2/catch.hpp>

#ifdef RJ_TEST_PLANTED_UB

#include <unistd.h>

#include <climits>
#include <string>

#include "harness/test_hosts.h"
#include "integration/rj_runner.h"

using testing_support::Millis;
using testing_support::Rj;
using testing_support::RjResult;
using testing_support::run_shell;
using testing_support::shell_quote;
using testing_support::TestHosts;

namespace {

std::string this_program() {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    REQUIRE(n > 0);
    return std::string(path, static_cast<size_t>(n));
}

}  // namespace

// Hidden ([.]): run only by the case below, in a child test program. It is a
// careless test on purpose: it asserts nothing about rj's status or stderr.
TEST_CASE("planted: a test that ignores rj's status while rj commits undefined behaviour", "[.][planted-ub]") {
    TestHosts hosts({"alpha"});
    Rj rj(hosts);
    rj.set_env("RJ_TEST_PLANT_UB", "1");
    RjResult r = rj.batch({"list"});
    (void)r;
    SUCCEED("the runner, not this test, must notice the report");
}

TEST_CASE("a UBSan report from rj fails the test that ran it, even one that ignores rj's status", "[sanitizer]") {
    std::string out;
    int status = run_shell(shell_quote(this_program()) + " '[planted-ub]' 2>&1", &out);
    INFO(out);
    CHECK(status != 0);
    CHECK(out.find("rj printed a sanitizer report") != std::string::npos);
    CHECK(out.find("runtime error: signed integer overflow") != std::string::npos);
    CHECK(out.find("test cases: 1 | 1 failed") != std::string::npos);
}

#endif
