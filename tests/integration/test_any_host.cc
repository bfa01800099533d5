// Every host that ssh reaches, rj reaches (issue 28): user@address, a name
// only a Match block configures, a system-wide config, against real sshd.
#include "config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "integration/rj_runner.h"

using namespace testing_support;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// Runs `whoami` on `host` through rj and checks that the job ran there as
// `user`, that its record keeps `host` as typed, and that show and
// `list --host` find it under that name.
void check_job_on(JobsFixture& f, const std::string& host, const std::string& user) {
    INFO("host " << host);
    int64_t id = f.run({host, "whoami"});
    Json end = f.await_end(id);
    REQUIRE(end["status"].str() == "completed");
    CHECK(end["host"].str() == host);
    RjResult log = f.rj.batch({"log", id_s(id)});
    CHECK(log.status == 0);
    CHECK(log.out == user + "\n");
    RjResult show = f.rj.batch({"show", id_s(id)});
    CHECK(show.status == 0);
    CHECK(contains(show.out, host));
    auto listed = f.list({"--host", host});
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["id"].integer() == id);
}

}  // namespace

TEST_CASE("rj -b run USER@ADDRESS and ssh://USER@ADDRESS:PORT log in as that user on that machine", "[any_host]") {
    TestHosts hosts({"alpha"});
    // The port comes from a Match block for the address, as a site config
    // would give it; no Host alias names the address.
    {
        std::ofstream cfg(hosts.ssh_config(), std::ios::app);
        cfg << "\nMatch host " << hosts.address("alpha") << "\n  Port " << hosts.port("alpha") << "\n";
    }
    JobsFixture f(hosts);
    const std::string user = hosts.user("alpha"), addr = hosts.address("alpha");
    check_job_on(f, user + "@" + addr, user);
    check_job_on(f, "ssh://" + user + "@" + addr + ":" + std::to_string(hosts.port("alpha")), user);
    // The typed name joined the fleet.
    RjResult h = f.rj.batch({"hosts"});
    CHECK(contains(h.out, user + "@" + addr));
}

TEST_CASE("a name only a Match block configures runs a job", "[any_host]") {
    TestHosts hosts({"alpha"});
    {
        std::ofstream cfg(hosts.ssh_config(), std::ios::app);
        cfg << "\nMatch originalhost c3\n  HostName " << hosts.address("alpha") << "\n  Port " << hosts.port("alpha")
            << "\n  User " << hosts.user("alpha") << "\n";
    }
    JobsFixture f(hosts);
    check_job_on(f, "c3", hosts.user("alpha"));
}

TEST_CASE("a host configured only in the system-wide ssh config runs a job; -F leaves that file out", "[any_host]") {
    TestHosts hosts({"alpha"});
    const std::string system = hosts.dir() + "/etc-ssh/ssh_config";
    std::filesystem::create_directories(hosts.dir() + "/etc-ssh/ssh_config.d");
    std::ofstream(system) << "Include ssh_config.d/*.conf\n";
    std::ofstream(hosts.dir() + "/etc-ssh/ssh_config.d/50-site.conf")
        << "Host sitebox\n  HostName " << hosts.address("alpha") << "\n  Port " << hosts.port("alpha") << "\n  User "
        << hosts.user("alpha") << "\n  IdentityFile " << hosts.home() << "/.ssh/id_ed25519\n";
    JobsFixture f(hosts);
    f.rj.set_env("RJ_SSH_SYSTEM_CONFIG", system);
    // $RJ_SSH_CONFIG (the harness sets it) and -F are read alone, as ssh -F:
    // the system file is not, so the name is unknown (before it has a job).
    RjResult alone = f.rj.batch({"-F", hosts.ssh_config(), "run", "sitebox", "true"});
    CHECK(alone.status == 2);
    CHECK(contains(alone.err, "unknown host 'sitebox'"));
    // Without -F and $RJ_SSH_CONFIG rj reads ~/.ssh/config, then the system file.
    f.rj.set_env("RJ_SSH_CONFIG", "");
    check_job_on(f, "sitebox", hosts.user("alpha"));
}

TEST_CASE("a name neither the config nor DNS knows is refused with a did-you-mean", "[any_host]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    RjResult r = f.rj.batch({"run", "alpah", "true"});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "unknown host 'alpah'"));
    CHECK(contains(r.err, "did you mean 'alpha'?"));
    CHECK(error_form_problem(r.err).empty());
    RjResult bad = f.rj.batch({"run", "ssh://alpha:0", "true"});
    CHECK(bad.status == 2);
    CHECK(contains(bad.err, "port '0'"));
    CHECK(f.list().empty());
}

TEST_CASE("a ProxyJump hop written user@address:port reaches the host behind it", "[any_host]") {
    TestHosts hosts({"alpha", "beta"});
    const std::string keys = "  IdentityFile " + hosts.home() + "/.ssh/id_ed25519\n  IdentitiesOnly yes\n" +
                             "  UserKnownHostsFile " + hosts.home() + "/.ssh/known_hosts\n";
    {
        std::ofstream cfg(hosts.ssh_config(), std::ios::app);
        cfg << "\nHost beta-behind\n  HostName " << hosts.address("beta") << "\n  Port " << hosts.port("beta")
            << "\n  User " << hosts.user("beta") << "\n"
            << keys << "  ProxyJump " << hosts.user("alpha") << "@" << hosts.address("alpha") << ":"
            << hosts.port("alpha") << "\n"
            // The jump's own ssh finds its keys through a Match on the address.
            << "Match host " << hosts.address("alpha") << "\n" << keys;
    }
    JobsFixture f(hosts);
    check_job_on(f, "beta-behind", hosts.user("beta"));
}
