#include "config.h"

// The scripts and parsers for jobs imported from remote-jobs (remote/foreign.h):
// a host's reply is untrusted, so malformed lines are refused, not guessed at.

#include <catch2/catch.hpp>

#include "remote/foreign.h"
#include "util/error.h"

using namespace remote;

TEST_CASE("parse_foreign_sync reads alive and exit codes past login noise, and refuses malformed replies",
          "[remote][dropin]") {
    auto s = parse_foreign_sync("Welcome!\n\nRJ-XSYNC v=1 now=1700000000\nRJ-XJOB id=3 alive=1 exit=-\n"
                                "RJ-XJOB id=4 alive=0 exit=2\nRJ-XJOB id=5 alive=0 exit=-\nRJ-END\n");
    CHECK(s.now == 1700000000);
    REQUIRE(s.jobs.size() == 3);
    CHECK(s.jobs[0].id == 3);
    CHECK(s.jobs[0].alive);
    CHECK_FALSE(s.jobs[0].exit_code);
    CHECK(s.jobs[1].exit_code == 2);
    CHECK_FALSE(s.jobs[2].alive);
    CHECK_FALSE(s.jobs[2].exit_code);
    // A code past 255 is not an exit code the shell can give: bounded.
    CHECK(parse_foreign_sync("RJ-XSYNC v=1 now=1\nRJ-XJOB id=3 alive=0 exit=99999\nRJ-END\n").jobs[0].exit_code == 255);
    CHECK_THROWS_AS(parse_foreign_sync("RJ-XSYNC v=1 now=1\nRJ-XJOB id=3 alive=0 exit=-\n"), util::Error);  // cut short
    CHECK_THROWS_AS(parse_foreign_sync("RJ-XSYNC v=1 now=1\nRJ-XJOB id=x alive=0 exit=-\nRJ-END\n"), util::Error);
    CHECK_THROWS_AS(parse_foreign_sync("RJ-XSYNC v=1 now=1\nRJ-XJOB id=3 alive=0 exit=-1\nRJ-END\n"), util::Error);
    CHECK_THROWS_AS(parse_foreign_sync("RJ-XSYNC v=1 now=1\nRJ-XJOB id=3 alive=0 exit=1e9\nRJ-END\n"), util::Error);
    CHECK_THROWS_AS(parse_foreign_sync("RJ-XSYNC v=1 now=1\nRJ-XJOB garbage\nRJ-END\n"), util::Error);
    CHECK_THROWS_AS(parse_foreign_sync("RJ-END\n"), util::Error);
}

TEST_CASE("parse_foreign_kill reads was_running and an exit code already there", "[remote][dropin]") {
    auto k = parse_foreign_kill("RJ-XKILL id=9 was_running=1 exit=-\nRJ-END\n");
    CHECK(k.was_running);
    CHECK_FALSE(k.exit_code);
    auto done = parse_foreign_kill("RJ-XKILL id=9 was_running=0 exit=0\nRJ-END\n");
    CHECK_FALSE(done.was_running);
    CHECK(done.exit_code == 0);
    CHECK_THROWS_AS(parse_foreign_kill("nothing\n"), util::Error);
}

TEST_CASE("the scripts for imported jobs carry only numbers from the job records", "[remote][dropin]") {
    std::string sync = foreign_sync_script({{12, 7}, {13, 8}});
    CHECK(sync.find("RJ_XJOBS='12:7 13:8'") != std::string::npos);
    std::string kill = foreign_kill_script({12, 7});
    CHECK(kill.find("RJ_XOLD=7") != std::string::npos);
    CHECK_THROWS_AS(foreign_kill_script({12, 0}), util::Error);
    LogQuery q;
    q.tail_lines = 50;
    std::string log = foreign_log_script({12, 7}, q);
    // foreign.sh's rj_where comes after log.sh's, before the one call.
    CHECK(log.rfind("rj_where()") > log.find("rj_where()"));
    CHECK(log.rfind("rj_where()") < log.rfind("rj_main </dev/null"));
}
