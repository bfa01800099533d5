// The libssh2 session layer against real OpenSSH servers from the harness.
#include "config.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <libssh2.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "event/loop.h"
#include "harness/test_hosts.h"
#include "precondition.h"
#include "ssh/connections.h"
#include "ssh/session.h"
#include "ssh/ssh_config.h"
#include "ssh/transport.h"

using namespace std::chrono_literals;
using testing_support::TestHosts;

namespace {

struct Fixture {
    explicit Fixture(TestHosts& h, ssh::SessionOptions opts = {}) : hosts(h) {
        setenv("HOME", hosts.home().c_str(), 1);
        unsetenv("SSH_AUTH_SOCK");
        opts.ssh_config_path = hosts.ssh_config();
        config = ssh::SshConfig::load(hosts.ssh_config());
        conns = std::make_unique<ssh::Connections>(loop, config, opts);
    }
    // Runs `script` on each host at once; returns results keyed by host.
    std::map<std::string, ssh::ExecResult> run_all(const std::vector<std::string>& names, const std::string& script,
                                                   std::vector<std::string>* order = nullptr) {
        std::map<std::string, ssh::ExecResult> out;
        for (const auto& n : names)
            conns->exec(n, {"sh -s", script, 30s}, [&out, n, order](ssh::ExecResult r) {
                out[n] = std::move(r);
                if (order) order->push_back(n);
            });
        loop.run_until([&] { return out.size() == names.size(); }, event::Clock::now() + 60s);
        return out;
    }
    ssh::ExecResult run(const std::string& name, const std::string& script) { return run_all({name}, script)[name]; }

    TestHosts& hosts;
    event::Loop loop;
    ssh::SshConfig config;
    std::unique_ptr<ssh::Connections> conns;
};

std::string home_of(const std::string& user) {
    struct passwd* pw = getpwnam(user.c_str());
    return pw ? pw->pw_dir : "";
}

}  // namespace

TEST_CASE("commands run on three hosts at once with stdout, stderr and exit status", "[ssh]") {
    TestHosts hosts({"alpha", "beta", "gamma"});
    Fixture f(hosts);
    auto results = f.run_all({"alpha", "beta", "gamma"}, "echo \"out $(whoami)\"; echo err >&2; exit 3\n");
    for (const auto& name : {"alpha", "beta", "gamma"}) {
        INFO(name << ": " << results[name].error);
        REQUIRE(results[name].exited());
        CHECK(results[name].exit_status == 3);
        CHECK(results[name].out == "out " + hosts.user(name) + "\n");
        CHECK(results[name].err == "err\n");
    }
    if (TestHosts::is_root()) {
        CHECK(results["alpha"].out != results["beta"].out);  // each host is its own user
    }
}

TEST_CASE("a remote command killed by a signal reports the signal", "[ssh]") {
    TestHosts hosts({"alpha"});
    Fixture f(hosts);
    // Every shell on the way execs the next (the login shell runs `sh -s` as
    // its only command, which execs the last), so the process sshd started is
    // the one the signal kills, and sshd reports the signal itself, not a
    // shell's 128+N exit status.
    auto r = f.run("alpha", "exec sh -c 'kill -TERM $$'\n");
    INFO("outcome " << static_cast<int>(r.outcome) << ", exit status " << r.exit_status << ", error " << r.error);
    CHECK(r.outcome == ssh::ExecResult::Outcome::Signalled);
    CHECK(r.exit_signal == "TERM");
}

TEST_CASE("more execs than sshd's MaxSessions are queued, not refused", "[ssh]") {
    TestHosts hosts({"alpha"});
    Fixture f(hosts);
    std::vector<ssh::ExecResult> results;
    for (int i = 0; i < 25; ++i)
        f.conns->exec("alpha", {"sh -s", "sleep 0.2; echo " + std::to_string(i) + "\n", 30s},
                      [&](ssh::ExecResult r) { results.push_back(std::move(r)); });
    f.loop.run_until([&] { return results.size() == 25; }, event::Clock::now() + 60s);
    REQUIRE(results.size() == 25);
    for (const auto& r : results) {
        INFO(r.error);
        CHECK(r.exited());
        CHECK(r.exit_status == 0);
    }
}

TEST_CASE("a host's max_sessions caps the commands running on it at once", "[ssh]") {
    TestHosts hosts({"alpha"});
    ssh::SessionOptions opts;
    opts.max_channels_by_host["alpha"] = 2;
    Fixture f(hosts, opts);
    // Each command counts the commands running beside it (itself included).
    std::string script =
        "d=$HOME/conc; mkdir -p \"$d\"; touch \"$d/run.$$\"; "
        "ls \"$d\" | grep -c '^run' > \"$d/seen.$$\"; sleep 0.3; rm -f \"$d/run.$$\"\n";
    std::vector<ssh::ExecResult> results;
    for (int i = 0; i < 8; ++i)
        f.conns->exec("alpha", {"sh -s", script, 30s}, [&](ssh::ExecResult r) { results.push_back(std::move(r)); });
    f.loop.run_until([&] { return results.size() == 8; }, event::Clock::now() + 60s);
    REQUIRE(results.size() == 8);
    for (const auto& r : results) CHECK(r.exited());
    auto counts = f.run("alpha", "cat \"$HOME\"/conc/seen.*\n");
    REQUIRE(counts.exited());
    int most = 0, seen = 0;
    std::istringstream in(counts.out);
    for (int n; in >> n; ++seen) most = std::max(most, n);
    CHECK(seen == 8);
    CHECK(most <= 2);
    CHECK(most >= 1);
}

TEST_CASE("a connection whose socket would lie past select()'s limit fails clearly instead of hanging", "[ssh]") {
    TestHosts hosts({"alpha"});
    struct rlimit rl {};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (!testing_support::precondition(rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FD_SETSIZE + 64,
                                       "a file limit above FD_SETSIZE"))
        return;
    struct rlimit raised = rl;
    raised.rlim_cur = FD_SETSIZE + 64;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &raised) == 0);
    Fixture f(hosts);
    // Fill every descriptor below FD_SETSIZE: the next socket lands past it.
    std::vector<int> fillers;
    for (;;) {
        int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        fillers.push_back(fd);
        if (fd >= FD_SETSIZE - 1) break;
    }
    auto r = f.run("alpha", "echo hi\n");
    for (int fd : fillers) ::close(fd);
    setrlimit(RLIMIT_NOFILE, &rl);
    CHECK_FALSE(r.exited());
    CHECK_THAT(r.error, Catch::Contains("select()"));
}

TEST_CASE("a large stdin script and large output round-trip intact", "[ssh]") {
    TestHosts hosts({"alpha"});
    Fixture f(hosts);
    std::string payload;
    for (int i = 0; i < 20000; ++i) payload += "line " + std::to_string(i) + " abcdefghij\n";
    // The script carries the payload in a here-document and echoes it back.
    auto r = f.run("alpha", "cat <<'RJ_EOF'\n" + payload + "RJ_EOF\n");
    REQUIRE(r.exited());
    CHECK(r.out.size() == payload.size());
    CHECK(r.out == payload);
}

TEST_CASE("a stopped host is reported as refused", "[ssh]") {
    TestHosts hosts({"alpha", "beta"});
    hosts.stop("beta");
    Fixture f(hosts);
    auto results = f.run_all({"alpha", "beta"}, "echo hi\n");
    CHECK(results["alpha"].exited());
    CHECK(results["beta"].outcome == ssh::ExecResult::Outcome::Failed);
    CHECK(results["beta"].kind == ssh::ErrorKind::Refused);
    CHECK_THAT(results["beta"].error, Catch::Contains("refused"));
    CHECK_FALSE(results["beta"].hint.empty());
}

TEST_CASE("a blackholed host times out without holding up the others", "[ssh][root]") {
    if (!testing_support::precondition(TestHosts::is_root(), "blackholing needs root (iptables)")) return;
    TestHosts hosts({"alpha", "beta", "gamma"});
    hosts.blackhole("gamma");
    Fixture f(hosts);
    std::vector<std::string> order;
    auto started = event::Clock::now();
    auto results = f.run_all({"alpha", "beta", "gamma"}, "echo hi\n", &order);
    double elapsed = std::chrono::duration<double>(event::Clock::now() - started).count();
    CHECK(results["alpha"].exited());
    CHECK(results["beta"].exited());
    CHECK(results["gamma"].kind == ssh::ErrorKind::TimedOut);
    CHECK_THAT(results["gamma"].error, Catch::Contains("timed out"));
    // The healthy hosts answered first; the dead one did not delay them.
    REQUIRE(order.size() == 3);
    CHECK(order.back() == "gamma");
    // It failed by its ConnectTimeout (3 s in the harness), not by TCP's minutes.
    CHECK(elapsed < 3.0 * 4);
}

TEST_CASE("a changed host key is refused and nothing runs", "[ssh]") {
    TestHosts hosts({"alpha"});
    hosts.rekey("alpha");
    Fixture f(hosts);
    std::string marker = "rj-should-not-exist-" + std::to_string(getpid());
    auto r = f.run("alpha", "touch \"$HOME/" + marker + "\"\n");
    CHECK(r.kind == ssh::ErrorKind::HostKeyChanged);
    CHECK_THAT(r.error, Catch::Contains("CHANGED") && Catch::Contains("SHA256:"));
    CHECK_THAT(r.hint, Catch::Contains("ssh-keygen -R"));
    struct stat st;
    std::string home = TestHosts::is_root() ? home_of(hosts.user("alpha")) : hosts.home();
    CHECK(stat((home + "/" + marker).c_str(), &st) != 0);
}

// The harness writes StrictHostKeyChecking yes; OpenSSH's default is ask.
void set_strict(TestHosts& hosts, const std::string& value) {
    REQUIRE(testing_support::run_shell("sed -i 's/StrictHostKeyChecking yes/StrictHostKeyChecking " + value + "/' " +
                                       testing_support::shell_quote(hosts.ssh_config())) == 0);
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST_CASE("an unknown host key is refused unless new keys are accepted", "[ssh]") {
    TestHosts hosts({"alpha"});
    set_strict(hosts, "ask");
    {
        std::ofstream(hosts.known_hosts(), std::ios::trunc).flush();
        Fixture f(hosts);
        auto r = f.run("alpha", "echo hi\n");
        CHECK(r.kind == ssh::ErrorKind::HostKeyUnknown);
        CHECK_THAT(r.error, Catch::Contains("SHA256:"));
        CHECK_THAT(r.hint, Catch::Contains("--accept-new-host-keys"));
    }
    ssh::SessionOptions accept;
    accept.accept_new_host_keys = true;
    Fixture f(hosts, accept);
    auto r = f.run("alpha", "echo hi\n");
    INFO(r.error);
    CHECK(r.exited());
    std::ifstream in(hosts.known_hosts());
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK_THAT(ss.str(), Catch::Contains("ssh-ed25519"));
    // Recorded: a fresh session without the flag now trusts it.
    Fixture again(hosts);
    CHECK(again.run("alpha", "echo hi\n").exited());
}

// libssh2 1.10 (Debian 12) signs only with ssh-rsa, which OpenSSH 8.8+
// refuses; 1.11 (Homebrew on macOS) signs with rsa-sha2, which it accepts.
TEST_CASE("an RSA-only client key works with libssh2 1.11+ and fails with advice to use ed25519 before", "[ssh]") {
    TestHosts hosts({"alpha"});
    hosts.add_rsa_client();
    std::ofstream cfg(hosts.dir() + "/rsa_config");
    cfg << "Host alpha\n  HostName " << hosts.address("alpha") << "\n  Port " << hosts.port("alpha")
        << "\n  User " << hosts.user("alpha") << "\n  IdentityFile ~/.ssh/id_rsa\n  IdentitiesOnly yes\n"
        << "  UserKnownHostsFile " << hosts.known_hosts() << "\n";
    cfg.close();
    setenv("HOME", hosts.home().c_str(), 1);
    unsetenv("SSH_AUTH_SOCK");
    event::Loop loop;
    ssh::Connections conns(loop, ssh::SshConfig::load(hosts.dir() + "/rsa_config"), {});
    ssh::ExecResult result;
    bool done = false;
    conns.exec("alpha", {"sh -s", "echo hi\n", 30s}, [&](ssh::ExecResult r) {
        result = std::move(r);
        done = true;
    });
    loop.run_until([&] { return done; }, event::Clock::now() + 30s);
    INFO(result.error << " / " << result.hint);
#if LIBSSH2_VERSION_NUM >= 0x010b00
    REQUIRE(result.exited());
    CHECK(result.out == "hi\n");
#else
    CHECK(result.kind == ssh::ErrorKind::Auth);
    CHECK_THAT(result.hint, Catch::Contains("ed25519") && Catch::Contains("RSA"));
#endif
}

TEST_CASE("ProxyJump reaches a host through another host", "[ssh]") {
    TestHosts hosts({"alpha", "beta"});
    std::ofstream cfg(hosts.ssh_config(), std::ios::app);
    cfg << "\nHost beta-via-alpha\n  HostName " << hosts.address("beta") << "\n  Port " << hosts.port("beta")
        << "\n  User " << hosts.user("beta") << "\n  IdentityFile ~/.ssh/id_ed25519\n  IdentitiesOnly yes\n"
        << "  UserKnownHostsFile ~/.ssh/known_hosts\n  ProxyJump alpha\n";
    cfg.close();
    Fixture f(hosts);
    auto r = f.run("beta-via-alpha", "whoami\n");
    INFO(r.error << " / " << r.hint);
    REQUIRE(r.exited());
    CHECK(r.out == hosts.user("beta") + "\n");
    // Closing the session ends the proxy child, which is reaped from the
    // loop without blocking it: no zombie is left behind.
    f.conns.reset();
    auto zombies = [] {
        int n = 0;
        for (const auto& e : std::filesystem::directory_iterator("/proc")) {
            std::ifstream st(e.path() / "stat");
            std::string line;
            if (!std::getline(st, line) || line.rfind(") ") == std::string::npos) continue;
            std::istringstream rest(line.substr(line.rfind(") ") + 2));
            std::string state;
            long ppid = 0;
            rest >> state >> ppid;
            if (ppid == getpid() && state == "Z") ++n;
        }
        return n;
    };
    f.loop.run_until([&] { return zombies() == 0 && ssh::unreaped_proxies() == 0; }, event::Clock::now() + 10s);
    CHECK(zombies() == 0);
    CHECK(ssh::unreaped_proxies() == 0);
}

TEST_CASE("StrictHostKeyChecking yes in the ssh config wins over accepting new keys", "[ssh]") {
    TestHosts hosts({"alpha"});  // the harness's config says yes
    std::ofstream(hosts.known_hosts(), std::ios::trunc).flush();
    ssh::SessionOptions accept;
    accept.accept_new_host_keys = true;
    Fixture f(hosts, accept);
    auto r = f.run("alpha", "echo hi\n");
    CHECK(r.kind == ssh::ErrorKind::HostKeyUnknown);
    CHECK_THAT(r.hint, Catch::Contains("StrictHostKeyChecking is yes"));
    CHECK(file_text(hosts.known_hosts()).empty());  // nothing recorded
}

TEST_CASE("a known host offering a key of a type not on file is refused as a possible man-in-the-middle", "[ssh]") {
    TestHosts hosts({"alpha"});
    set_strict(hosts, "accept-new");
    // known_hosts holds only an ECDSA key for the host: its ed25519 key is new.
    std::string keyfile = hosts.dir() + "/other_ecdsa";
    REQUIRE(testing_support::run_shell("ssh-keygen -q -t ecdsa -N '' -f " + testing_support::shell_quote(keyfile) +
                                       " </dev/null >/dev/null") == 0);
    std::string pub = file_text(keyfile + ".pub");
    std::string type = pub.substr(0, pub.find(' '));
    std::string blob = pub.substr(pub.find(' ') + 1);
    blob = blob.substr(0, blob.find(' '));
    {
        std::ofstream kh(hosts.known_hosts(), std::ios::trunc);
        kh << "[" << hosts.address("alpha") << "]:" << hosts.port("alpha") << " " << type << " " << blob << "\n";
    }
    std::string before = file_text(hosts.known_hosts());
    ssh::SessionOptions accept;
    accept.accept_new_host_keys = true;
    Fixture f(hosts, accept);
    std::string marker = "rj-should-not-exist-" + std::to_string(getpid());
    auto r = f.run("alpha", "touch \"$HOME/" + marker + "\"\n");
    CHECK(r.kind == ssh::ErrorKind::HostKeyChanged);
    CHECK_THAT(r.error, Catch::Contains("intercepting") && Catch::Contains("ecdsa-sha2-nistp256 SHA256:"));
    CHECK_THAT(r.hint, Catch::Contains("ssh-keygen -R"));
    CHECK(file_text(hosts.known_hosts()) == before);  // the new key was not recorded
    struct stat st;
    std::string home = TestHosts::is_root() ? home_of(hosts.user("alpha")) : hosts.home();
    CHECK(stat((home + "/" + marker).c_str(), &st) != 0);
}

TEST_CASE("a host name with shell metacharacters never reaches a ProxyCommand", "[ssh]") {
    TestHosts hosts({"alpha"});
    std::string marker = hosts.dir() + "/proxy-ran";
    std::ofstream cfg(hosts.ssh_config(), std::ios::app);
    cfg << "\nHost evil\n  HostName a$(id)b;true\n  User " << hosts.user("alpha")
        << "\n  ProxyCommand sh -c 'echo %h > " << marker << "'\n";
    cfg.close();
    Fixture f(hosts);
    auto r = f.run("evil", "echo hi\n");
    CHECK(r.kind == ssh::ErrorKind::Config);
    CHECK_THAT(r.error, Catch::Contains("refusing") && Catch::Contains("proxy"));
    struct stat st;
    CHECK(stat(marker.c_str(), &st) != 0);  // the proxy command never ran
}

namespace {

// Every process of a test host's sshd (the listener and its connections),
// stopped with SIGSTOP: the host is silent, yet its kernel still ACKs, and a
// relay in front of it keeps the client's side alive. SIGCONT when it goes.
class FrozenHost {
public:
    FrozenHost(const TestHosts& hosts, const std::string& name) {
        long root = std::stol(file_text(hosts.dir() + "/hosts/" + name + "/sshd.pid"));
        std::map<long, std::vector<long>> children;
        for (const auto& e : std::filesystem::directory_iterator("/proc")) {
            std::string entry = e.path().filename().string();
            if (entry.find_first_not_of("0123456789") != std::string::npos) continue;  // self, net, ...
            std::string line = file_text((e.path() / "stat").string());
            auto close = line.rfind(") ");
            if (close == std::string::npos) continue;
            std::istringstream rest(line.substr(close + 2));
            std::string state;
            long ppid = 0;
            rest >> state >> ppid;
            children[ppid].push_back(std::stol(entry));
        }
        std::vector<long> todo{root};
        while (!todo.empty()) {
            long pid = todo.back();
            todo.pop_back();
            if (kill(static_cast<pid_t>(pid), SIGSTOP) == 0) pids_.push_back(pid);
            for (long c : children[pid]) todo.push_back(c);
        }
    }
    ~FrozenHost() {
        for (long pid : pids_) kill(static_cast<pid_t>(pid), SIGCONT);
    }
    size_t size() const { return pids_.size(); }

private:
    std::vector<long> pids_;
};

}  // namespace

TEST_CASE("a silent host behind a relay is given up after its keepalive budget, far before the exec timeout", "[ssh]") {
    TestHosts hosts({"alpha", "beta"});
    std::ofstream cfg(hosts.ssh_config(), std::ios::app);
    cfg << "\nHost beta-via-alpha\n  HostName " << hosts.address("beta") << "\n  Port " << hosts.port("beta")
        << "\n  User " << hosts.user("beta") << "\n  IdentityFile ~/.ssh/id_ed25519\n  IdentitiesOnly yes\n"
        << "  UserKnownHostsFile ~/.ssh/known_hosts\n  ProxyJump alpha\n"
        << "  ServerAliveInterval 2\n  ServerAliveCountMax 2\n";
    cfg.close();
    Fixture f(hosts);
    auto exec = [&](const std::string& script, event::Duration timeout) {
        ssh::ExecResult result;
        bool done = false;
        f.conns->exec("beta-via-alpha", {"sh -s", script, timeout}, [&](ssh::ExecResult r) {
            result = std::move(r);
            done = true;
        });
        f.loop.run_until([&] { return done; }, event::Clock::now() + timeout + 30s);
        return result;
    };
    // A live host that says nothing for longer than the budget (2 s × 3) is
    // not given up: it answers the keepalives.
    auto quiet = exec("sleep 8; echo done\n", 60s);
    INFO(quiet.error);
    REQUIRE(quiet.exited());
    CHECK(quiet.out == "done\n");

    // Now the host freezes: alpha (the relay) still carries the connection.
    FrozenHost frozen(hosts, "beta");
    REQUIRE(frozen.size() >= 2);  // the listener and this connection's sshd
    const auto timeout = 60s;
    auto started = event::Clock::now();
    auto lost = exec("echo again\n", timeout);
    double elapsed = std::chrono::duration<double>(event::Clock::now() - started).count();
    INFO(lost.error << " after " << elapsed << " s");
    CHECK(lost.outcome == ssh::ExecResult::Outcome::Failed);
    CHECK(lost.kind == ssh::ErrorKind::Disconnected);
    CHECK_THAT(lost.error, Catch::Contains("no answer") && Catch::Contains("keepalives"));
    CHECK_THAT(lost.hint, Catch::Contains("ServerAliveInterval"));
    // About interval × (count + 1) = 6 s: a tenth of the exec timeout, with room.
    CHECK(elapsed / std::chrono::duration<double>(timeout).count() < 0.25);
}
