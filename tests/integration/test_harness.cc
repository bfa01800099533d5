// Tests of the test-host harness itself, with the system OpenSSH client: the
// faults every other integration test relies on must really happen.
#include "config.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/test_hosts.h"
#include "precondition.h"

using testing_support::run_shell;
using testing_support::TestHosts;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

double seconds_for(const TestHosts& hosts, const std::string& name, const std::string& cmd,
                   std::string* out) {
    auto t0 = std::chrono::steady_clock::now();
    int status = hosts.ssh(name, cmd, out);
    auto t1 = std::chrono::steady_clock::now();
    INFO(*out);
    REQUIRE(status == 0);
    return std::chrono::duration<double>(t1 - t0).count();
}

// Alive means running: a killed child not yet reaped by its parent is not.
bool process_running(const std::string& pid) {
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string field, state;
    if (!(stat >> field))
        return false;
    std::string rest;
    std::getline(stat, rest);
    auto close = rest.rfind(')');  // the command name may contain spaces
    std::istringstream after(rest.substr(close + 1));
    after >> state;
    return state != "Z" && state != "X";
}

}  // namespace

TEST_CASE("each test host is its own user with its own HOME and tmux server", "[harness]") {
    TestHosts hosts({"alpha", "beta", "gamma"});
    std::set<std::string> users, homes, addresses;
    for (const auto& name : hosts.names()) {
        std::string out;
        REQUIRE(hosts.ssh(name, "whoami; echo $HOME", &out) == 0);
        std::istringstream lines(out);
        std::string who, home;
        std::getline(lines, who);
        std::getline(lines, home);
        CHECK(who == hosts.user(name));
        if (TestHosts::is_root()) {
            CHECK(contains(who, "-" + name));
            CHECK(home == "/home/" + who);
        } else {
            CHECK(home == hosts.dir() + "/hosts/" + name + "/home");
        }
        users.insert(who);
        homes.insert(home);
        addresses.insert(hosts.address(name));
    }
    CHECK(homes.size() == 3);
    CHECK(addresses.size() == 3);
    if (TestHosts::is_root())
        CHECK(users.size() == 3);

    std::string out;
    REQUIRE(hosts.ssh("alpha", "tmux new-session -d -s harness 'sleep 60'", &out) == 0);
    CHECK(hosts.ssh("alpha", "tmux has-session -t harness", &out) == 0);
    CHECK(hosts.ssh("beta", "tmux has-session -t harness", &out) != 0);
}

TEST_CASE("a stopped test host refuses connections until started again", "[harness]") {
    TestHosts hosts({"alpha", "beta"});
    std::string out;
    REQUIRE(hosts.ssh("alpha", "echo up", &out) == 0);
    CHECK(out == "up\n");

    hosts.stop("alpha");
    CHECK(hosts.ssh("alpha", "echo up", &out) == 255);
    CHECK(contains(out, "Connection refused"));
    CHECK(hosts.ssh("beta", "echo still", &out) == 0);

    hosts.start("alpha");
    REQUIRE(hosts.ssh("alpha", "echo again", &out) == 0);
    CHECK(out == "again\n");
}

TEST_CASE("a blackholed test host times out instead of refusing", "[harness]") {
    TestHosts hosts({"alpha"});
    if (!testing_support::precondition(hosts.blackhole("alpha"), "blackholing needs root and iptables")) return;
    std::string out;
    CHECK(hosts.ssh("alpha", "true", &out, "-o ConnectTimeout=2") == 255);
    INFO(out);
    CHECK(contains(out, "timed out"));
    CHECK_FALSE(contains(out, "refused"));

    hosts.unblackhole("alpha");
    CHECK(hosts.ssh("alpha", "echo back", &out) == 0);
    CHECK(out == "back\n");
}

TEST_CASE("a rekeyed test host fails host key verification until trusted", "[harness]") {
    TestHosts hosts({"alpha"});
    std::string out;
    REQUIRE(hosts.ssh("alpha", "true", &out) == 0);

    hosts.rekey("alpha");
    CHECK(hosts.ssh("alpha", "echo ran", &out) == 255);
    CHECK(contains(out, "Host key verification failed"));
    CHECK_FALSE(contains(out, "ran\n"));

    hosts.trust("alpha");
    CHECK(hosts.ssh("alpha", "echo ran", &out) == 0);

    hosts.forget("alpha");
    CHECK(hosts.ssh("alpha", "true", &out) == 255);
    CHECK(contains(out, "No ED25519 host key is known"));
}

TEST_CASE("the latency proxy slows a host down and keeps every byte in order", "[harness]") {
    TestHosts hosts({"alpha"});
    int port = hosts.proxy("alpha", 100);
    CHECK(port > 0);
    CHECK(port != hosts.port("alpha"));

    std::string out;
    double fast = seconds_for(hosts, "alpha", "true", &out);
    // An SSH login takes several round trips; at 200 ms each it cannot be quick.
    double slow = seconds_for(hosts, "alpha-slow", "true", &out);
    CHECK(slow > 0.8);
    CHECK(slow > fast);

    std::string expected;
    REQUIRE(run_shell("seq 1 300000", &expected) == 0);
    seconds_for(hosts, "alpha-slow", "seq 1 300000", &out);
    CHECK(out.size() == expected.size());
    CHECK(out == expected);
}

TEST_CASE("add_rsa_client makes an RSA key the hosts accept", "[harness]") {
    TestHosts hosts({"alpha", "beta"});
    hosts.add_rsa_client();
    std::string key = hosts.home() + "/.ssh/id_rsa";
    std::string out;
    REQUIRE(run_shell("head -n1 " + testing_support::shell_quote(key), &out) == 0);
    CHECK(out == "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    // Only the RSA key is offered: OpenSSH signs with rsa-sha2, which sshd takes.
    for (const auto& name : hosts.names()) {
        CHECK(hosts.ssh(name, "echo rsa", &out,
                        "-o IdentityFile=" + key + " -o IdentityFile=none") == 0);
        CHECK(out == "rsa\n");
        CHECK(run_shell("grep -q 'Accepted publickey.*RSA' " +
                        testing_support::shell_quote(hosts.sshd_log(name))) == 0);
    }
}

TEST_CASE("test hosts leave no process, rule or directory behind", "[harness]") {
    std::vector<std::string> pids;
    std::string dir, rules, user;
    {
        TestHosts hosts({"alpha", "beta"});
        dir = hosts.dir();
        user = hosts.user("alpha");
        std::string out;
        // A tmux job and a daemonized process, as rj's jobs would leave them.
        REQUIRE(hosts.ssh("alpha",
                          "tmux new-session -d -s job 'sleep 300' && tmux display -p '#{pid}'; "
                          "nohup sleep 301 >/dev/null 2>&1 & echo $!",
                          &out) == 0);
        std::istringstream words(out);
        for (std::string pid; words >> pid;)
            pids.push_back(pid);
        REQUIRE(pids.size() == 2);
        hosts.proxy("beta", 10);
        hosts.blackhole("beta");
        std::string tsv;
        REQUIRE(run_shell("cut -f5 " + testing_support::shell_quote(dir + "/hosts.tsv") +
                              "; cat " + testing_support::shell_quote(dir + "/hosts/beta/proxy.pid"),
                          &tsv) == 0);
        std::istringstream more(tsv);
        for (std::string pid; more >> pid;)
            pids.push_back(pid);
        REQUIRE(pids.size() == 5);
        for (const auto& pid : pids)
            CHECK(process_running(pid));
    }
    for (const auto& pid : pids) {
        INFO("pid " << pid);
        CHECK_FALSE(process_running(pid));
    }
    struct stat st;
    CHECK(stat(dir.c_str(), &st) != 0);
    if (TestHosts::is_root()) {
        std::string out;
        run_shell("iptables -w -S INPUT 2>/dev/null", &out);
        CHECK_FALSE(contains(out, dir));
        REQUIRE(run_shell("ps -u " + user + " -o stat= | grep -v '^Z'", &out) != 0);
        CHECK(out == "");
    }
}
