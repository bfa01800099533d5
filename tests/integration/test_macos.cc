// A macOS host through the real rj, real sshd and tmux: the host's sessions
// get a PATH (sshd SetEnv) that starts with fakes of uname, sysctl and
// vm_stat printing real macOS output (tests/harness/macos-fakes). The remote
// scripts see Darwin and take their figures from those commands and ps, not
// from this Linux machine's /proc.
#include "config.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "harness/test_hosts.h"
#include "integration/rj_runner.h"

using namespace testing_support;

namespace {

// The fakes, copied to a directory every host user can read (with own users
// per host the source tree may be private to us). Removed at the end.
struct FakesDir {
    std::string path;
    FakesDir() {
        char tmpl[] = "/tmp/rj-macfakes.XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
        ::chmod(path.c_str(), 0755);
        std::string out;
        if (run_shell("cp '" RJ_SRCDIR "/tests/harness/macos-fakes/uname' '" RJ_SRCDIR
                      "/tests/harness/macos-fakes/sysctl' '" RJ_SRCDIR "/tests/harness/macos-fakes/vm_stat' '" +
                          path + "/' && chmod 755 '" + path + "'/*",
                      &out) != 0)
            throw std::runtime_error("cannot copy the macOS fakes: " + out);
    }
    ~FakesDir() { run_shell("rm -rf '" + path + "'", nullptr); }
};

}  // namespace

TEST_CASE("a macOS host: host info shows the Mac's sysctl and vm_stat figures and a job runs to its end", "[macos]") {
    FakesDir fakes;
    TestHosts hosts({"studio"}, TestHosts::Mode::OwnUsers, "PATH=" + fakes.path + ":/usr/local/bin:/usr/bin:/bin");
    JobsFixture f(hosts);
    // The session really has the fakes first (else the test proves nothing).
    REQUIRE(f.on_host("studio", "uname -s") == "Darwin\n");

    RjResult check = f.rj.batch({"hosts", "--check"});
    INFO(check.describe());
    CHECK(check.status == 0);
    CHECK(contains(check.out, "studio"));

    RjResult info = f.rj.batch({"host", "info", "studio"});
    INFO(info.describe());
    REQUIRE(info.status == 0);
    CHECK(contains(info.out, "host:     studio (studio.local)\n"));
    CHECK(contains(info.out, "os:       Darwin 24.1.0\n"));  // uname -s and -r
    CHECK(contains(info.out, "arch:     arm64\n"));
    CHECK(contains(info.out, "cpus:     12\n"));
    // hw.memsize 34359738368; vm_stat (13251 + 506489 + 12082) x 16384 pages.
    CHECK(contains(info.out, "memory:   32.0 GiB total, 8.1 GiB available\n"));
    CHECK(contains(info.out, "load:     1.23 1.10 0.98\n"));

    // A job on the Mac: its group's memory is sampled through ps, its exit
    // code recorded, and the pid checks of sync use kern.bootsessionuuid and
    // ps's start time (a wrong one would make the running job dead).
    int64_t id = f.run({"studio", "perl -e '$x = \"a\" x 20000000; sleep 3'; exit 7"});
    REQUIRE(f.await_status(id, "running", Millis(20000)));
    RjResult sync = f.rj.batch({"sync"});
    CHECK(sync.status == 0);
    CHECK(f.status_of(id) == "running");
    Json end = f.await_end(id);
    INFO(end["status"].str());
    CHECK(end["status"].str() == "failed");
    CHECK(end["exit_code"].integer() == 7);
    CHECK(end["peak_rss_kib"].integer() > 10000);
    std::string dir = f.job_dir_of(id);  // "~/.cache/rj/…"
    REQUIRE(starts_with(dir, "~/"));
    CHECK(f.on_host("studio", "cat \"$HOME\"/'" + dir.substr(2) + "/boot'") == "5F1B3A2C-8E4D-4C7A-9B21-3D6E0F1A2B4C\n");
}
