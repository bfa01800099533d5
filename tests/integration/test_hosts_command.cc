// `rj -b hosts` and `rj -b hosts --check` from the outside.
#include "config.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>

#include "harness/test_hosts.h"
#include "integration/rj_runner.h"

using testing_support::run_shell;
using testing_support::TestHosts;

namespace {

std::string rj_bin() {
    const char* env = std::getenv("RJ_BIN");
    return env ? env : RJ_BUILDDIR "/rj";
}

// Runs `rj ARGS` with the harness environment from the client's HOME, as a
// user would (and as the jobs tests do): `run` defaults the job's directory
// to the current one, and the test process's own (a build tree, maybe in a
// 0700 temporary folder) need not exist for the host user. That default was
// the cause of CI's random "run alpha true" failures: "no such directory".
// Returns the exit status; `out` gets stdout and stderr together; the
// command, its status and output and the sshd log tails go to the next
// assertion, so a failure says why.
int rj(const TestHosts& hosts, const std::string& args, std::string* out, const std::string& extra_env = "") {
    int status = run_shell(hosts.with_env("cd \"$HOME\" && RJ_DB='" + hosts.dir() + "/rj.db' " + extra_env + " '" +
                                          rj_bin() + "' " + args + " 2>&1"),
                           out);
    UNSCOPED_INFO("rj " << args << "\nstatus=" << status << "\n--- output ---\n"
                        << *out << "\n" << hosts.sshd_log_tails());
    // As for every rj the runner reaps (tests/sanitize/README.md).
    if (std::string report = testing_support::sanitizer_report_in(*out); !report.empty())
        FAIL_CHECK("rj printed a sanitizer report (see tests/sanitize/README.md)\n" << report);
    return status;
}

double seconds_of(const std::function<void()>& fn) {
    auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("hosts lists ssh config aliases, rj config hosts and hosts with jobs", "[hosts]") {
    TestHosts hosts({"alpha", "beta"});
    {
        std::ofstream cfg(hosts.ssh_config(), std::ios::app);
        cfg << "\nHost wild-* !wild-no\n  User nobody\n";
    }
    std::string config_dir = hosts.dir() + "/xdg-config";
    run_shell("mkdir -p '" + config_dir + "/rj' && printf '[host gamma-from-rj]\\nremote_dir = ~/.cache/rj\\ndescription = lab GPU box\\n' > '" +
              config_dir + "/rj/config'");
    std::string out;
    REQUIRE(rj(hosts, "-b hosts", &out, "XDG_CONFIG_HOME='" + config_dir + "'") == 0);
    CHECK_THAT(out, Catch::Contains("alpha\n") && Catch::Contains("beta\n") &&
                        Catch::Contains("gamma-from-rj\tlab GPU box\n"));
    CHECK_THAT(out, !Catch::Contains("wild"));
    // ignore_hosts leaves ssh aliases that are not job hosts out of the fleet
    // (a host rj's config names stays), and they can still be used by name.
    run_shell("printf 'ignore_hosts = bet?, gamma-*\\n[host gamma-from-rj]\\ndescription = lab GPU box\\n' > '" +
              config_dir + "/rj/config'");
    REQUIRE(rj(hosts, "-b hosts", &out, "XDG_CONFIG_HOME='" + config_dir + "'") == 0);
    CHECK_THAT(out, Catch::Contains("alpha\n") && !Catch::Contains("beta") && Catch::Contains("gamma-from-rj"));
    REQUIRE(rj(hosts, "-b run -C '~' beta true", &out, "XDG_CONFIG_HOME='" + config_dir + "'") == 0);
    REQUIRE(rj(hosts, "-b hosts", &out, "XDG_CONFIG_HOME='" + config_dir + "'") == 0);
    CHECK_THAT(out, Catch::Contains("beta\n"));
    // A host that has had jobs stays known after its Host block is gone.
    REQUIRE(rj(hosts, "-b run alpha true", &out) == 0);
    run_shell("sed -i 's/^Host alpha$/Host renamed-alpha/' '" + hosts.ssh_config() + "'");
    REQUIRE(rj(hosts, "-b hosts", &out) == 0);
    CHECK_THAT(out, Catch::Contains("alpha\n") && Catch::Contains("renamed-alpha\n"));
}

TEST_CASE("hosts --check reports each host's reachability and fails when one is down", "[hosts]") {
    TestHosts hosts({"alpha", "beta"});
    hosts.stop("beta");
    std::string out;
    CHECK(rj(hosts, "-b hosts --check", &out) == 1);
    CHECK_THAT(out, Catch::Matches("(.|\n)*alpha +ok +[0-9]+ ms +[0-9.]+ ms(.|\n)*"));
    CHECK_THAT(out, Catch::Matches("(.|\n)*beta +unreachable(.|\n)*refused(.|\n)*"));
}

TEST_CASE("hosts --check on three slow hosts takes about as long as on one", "[hosts]") {
    TestHosts hosts({"alpha", "beta", "gamma"});
    // 60 ms each way: a connection costs several round trips, so checking the
    // hosts one after another would take about three times as long.
    for (const auto& name : {"alpha", "beta", "gamma"}) hosts.proxy(name, 60);
    std::string one = hosts.dir() + "/one.config", three = hosts.dir() + "/three.config";
    // Keep only the -slow blocks (the proxy) in the configs under test.
    auto extract = [&](const std::string& dest, const std::string& pattern) {
        run_shell("awk '/^Host /{p = ($2 ~ /" + pattern + "/)} p' '" + hosts.ssh_config() + "' > '" + dest + "'");
    };
    extract(one, "^alpha-slow$");
    extract(three, "-slow$");
    std::string out;
    // Warm up caches (binary, libraries) so the first measurement is fair.
    rj(hosts, "-b hosts --check", &out, "RJ_SSH_CONFIG='" + one + "' RJ_DB='" + hosts.dir() + "/w.db'");
    double t1 = 1e9, t3 = 1e9;
    for (int i = 0; i < 3; ++i) {  // best of three damps a noisy machine
        t1 = std::min(t1, seconds_of([&] {
                          CHECK(rj(hosts, "-b hosts --check", &out,
                                   "RJ_SSH_CONFIG='" + one + "' RJ_DB='" + hosts.dir() + "/1.db'") == 0);
                      }));
        t3 = std::min(t3, seconds_of([&] {
                          CHECK(rj(hosts, "-b hosts --check", &out,
                                   "RJ_SSH_CONFIG='" + three + "' RJ_DB='" + hosts.dir() + "/3.db'") == 0);
                      }));
    }
    CHECK_THAT(out, Catch::Contains("alpha-slow") && Catch::Contains("beta-slow") && Catch::Contains("gamma-slow"));
    INFO("one host: " << t1 << " s, three hosts: " << t3 << " s");
    CHECK(t3 / t1 < 1.8);
}
