// The loop never waits on one host (issue 7): a name server that does not
// answer, or a passphrase question nobody has answered yet, holds up only its
// own session, while other hosts work and timers keep firing. Real parts: the
// harness's sshd hosts, the system resolver, libssh2.
#include "config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>

#include "event/loop.h"
#include "harness/test_hosts.h"
#include "precondition.h"
#include "ssh/connections.h"
#include "ssh/resolver.h"
#include "ssh/session.h"
#include "ssh/ssh_config.h"

using namespace std::chrono_literals;
using testing_support::run_shell;
using testing_support::shell_quote;
using testing_support::TestHosts;

namespace {

// Drops the name server's answers about names containing `label` (UDP and
// TCP), so looking such a name up hangs until the resolver gives up, while
// every other lookup on the machine goes on as usual. Answers, not queries:
// a query dropped on its way out fails at once with EPERM. The rules go
// when the guard does, also when the test fails.
class UnansweredName {
public:
    explicit UnansweredName(std::string label) : label_(std::move(label)) {
        if (!TestHosts::is_root() || run_shell("command -v iptables >/dev/null") != 0) return;
        active_ = rule("-I", "udp") && rule("-I", "tcp");
        if (!active_) remove();
    }
    ~UnansweredName() { remove(); }
    UnansweredName(const UnansweredName&) = delete;
    UnansweredName& operator=(const UnansweredName&) = delete;

    bool active() const { return active_; }
    void remove() {
        while (rule("-D", "udp")) {
        }
        while (rule("-D", "tcp")) {
        }
        active_ = false;
    }

private:
    bool rule(const std::string& op, const std::string& proto) const {
        return run_shell("iptables -w " + op + " INPUT -p " + proto + " --sport 53 -m string --algo bm --string " +
                         shell_quote(label_) + " -m comment --comment rj-test-unanswered-name -j DROP 2>/dev/null") ==
               0;
    }
    std::string label_;
    bool active_ = false;
};

void append_to(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::app);
    out << text;
}

double seconds_since(event::TimePoint t) { return std::chrono::duration<double>(event::Clock::now() - t).count(); }

// Runs `script` on `alias` and turns the loop until it has answered (30 s at most).
std::optional<ssh::ExecResult> run_on(event::Loop& loop, ssh::Connections& conns, const std::string& alias,
                                      const std::string& script) {
    std::optional<ssh::ExecResult> result;
    conns.exec(alias, {"sh -s", script, 30s}, [&](ssh::ExecResult r) { result = std::move(r); });
    loop.run_until([&] { return result.has_value(); }, event::Clock::now() + 30s);
    return result;
}

}  // namespace

TEST_CASE("a host name whose lookup never ends holds up no other host", "[ssh][root]") {
    if (!testing_support::precondition(TestHosts::is_root() && run_shell("command -v iptables >/dev/null") == 0,
                                       "an unanswered name lookup needs root and iptables"))
        return;
    TestHosts hosts({"alpha"});
    std::string label = "rj-dns-hang-" + std::to_string(getpid());
    UnansweredName unanswered(label);
    if (!testing_support::precondition(unanswered.active(), "iptables with the string match")) return;
    append_to(hosts.ssh_config(), "\nHost hanging\n  HostName " + label + ".example\n  User nobody\n  ConnectTimeout 4\n");
    setenv("HOME", hosts.home().c_str(), 1);
    unsetenv("SSH_AUTH_SOCK");
    event::Loop loop;
    ssh::Connections conns(loop, ssh::SshConfig::load(hosts.ssh_config()), {});
    int ticks = 0;
    auto timer = loop.every(50ms, [&] { ++ticks; });

    std::optional<ssh::ExecResult> alpha, hanging;
    auto started = event::Clock::now();
    conns.exec("hanging", {"sh -s", "echo hanging\n", 30s}, [&](ssh::ExecResult r) { hanging = std::move(r); });
    conns.exec("alpha", {"sh -s", "echo alpha\n", 30s}, [&](ssh::ExecResult r) { alpha = std::move(r); });
    loop.run_until([&] { return alpha.has_value(); }, started + 20s);
    double alpha_took = seconds_since(started);
    REQUIRE(alpha);
    INFO(alpha->error << " " << alpha->hint);
    CHECK(alpha->exited());
    CHECK(alpha->out == "alpha\n");
    // alpha connected, authenticated and ran its command while the other
    // host's name was still being looked up.
    CHECK_FALSE(hanging);
    CHECK(conns.session("hanging").state() == ssh::Session::State::Resolving);
    CHECK(alpha_took < 4.0);

    loop.run_until([&] { return hanging.has_value(); }, started + 20s);
    double hanging_took = seconds_since(started);
    REQUIRE(hanging);
    // Given up by its ConnectTimeout, which covers the lookup.
    CHECK(hanging->kind == ssh::ErrorKind::TimedOut);
    CHECK_THAT(hanging->error, Catch::Contains("resolving host name '" + label + ".example'"));
    CHECK(hanging_took >= 3.9);
    CHECK(hanging_took < 4.0 + 2.0);
    // The loop kept turning all along: a 50 ms timer fired about every 50 ms.
    CHECK(ticks >= static_cast<int>(hanging_took / 0.05) / 2);
    loop.cancel(timer);

    // The abandoned lookup comes back once answers flow again (at the
    // resolver's next try) and ends harmlessly: its session is long gone.
    conns.session("hanging").disconnect();
    unanswered.remove();
    auto deadline = event::Clock::now() + 40s;
    while (ssh::lookups_in_flight() > 0 && event::Clock::now() < deadline) loop.run_once(100ms);
    CHECK(ssh::lookups_in_flight() == 0);
}

TEST_CASE("a host name that does not resolve fails as a DNS error", "[ssh]") {
    TestHosts hosts({"alpha"});
    // .invalid never resolves (RFC 6761); without a name server it fails too.
    append_to(hosts.ssh_config(), "\nHost nowhere\n  HostName rj-test-nonexistent.invalid\n  User nobody\n");
    setenv("HOME", hosts.home().c_str(), 1);
    event::Loop loop;
    ssh::Connections conns(loop, ssh::SshConfig::load(hosts.ssh_config()), {});
    auto result = run_on(loop, conns, "nowhere", "echo hi\n");
    REQUIRE(result);
    CHECK(result->kind == ssh::ErrorKind::Dns);
    CHECK_THAT(result->error, Catch::StartsWith("cannot resolve host name 'rj-test-nonexistent.invalid': "));
    CHECK_THAT(result->hint, Catch::Contains("HostName for 'nowhere'"));
}

namespace {

const char* kPassphrase = "correct horse";

// An ssh config for host alpha that offers only the passphrase-protected key.
std::string passphrase_config(TestHosts& hosts, int connect_timeout_s) {
    std::string key = hosts.add_passphrase_client(kPassphrase);
    std::string path = hosts.dir() + "/passphrase_config";
    std::ofstream cfg(path);
    cfg << "Host alpha\n  HostName " << hosts.address("alpha") << "\n  Port " << hosts.port("alpha") << "\n  User "
        << hosts.user("alpha") << "\n  IdentityFile " << key << "\n  IdentitiesOnly yes\n  UserKnownHostsFile "
        << hosts.known_hosts() << "\n  ConnectTimeout " << connect_timeout_s << "\n";
    setenv("HOME", hosts.home().c_str(), 1);
    unsetenv("SSH_AUTH_SOCK");
    return path;
}

}  // namespace

TEST_CASE("a passphrase answered later, from the loop, unlocks the key while the loop runs on", "[ssh]") {
    TestHosts hosts({"alpha"});
    // The answer comes after ConnectTimeout has passed: time spent waiting
    // for a person does not count against it.
    std::string config = passphrase_config(hosts, 1);
    event::Loop loop;
    int ticks = 0;
    auto timer = loop.every(50ms, [&] { ++ticks; });
    std::vector<std::string> asked;
    unsigned long iterations_at_question = 0, iterations_at_answer = 0;
    int ticks_at_question = 0, ticks_at_answer = 0;
    ssh::SessionOptions options;
    options.ask_passphrase = [&](const std::string& key_path, ssh::SessionOptions::PassphraseAnswer answer) {
        asked.push_back(key_path);
        iterations_at_question = loop.iterations();
        ticks_at_question = ticks;
        loop.after(1500ms, [&, answer] {
            iterations_at_answer = loop.iterations();
            ticks_at_answer = ticks;
            answer(std::string(kPassphrase));
        });
    };
    ssh::Connections conns(loop, ssh::SshConfig::load(config), options);
    auto result = run_on(loop, conns, "alpha", "echo unlocked\n");
    loop.cancel(timer);
    REQUIRE(result);
    INFO(result->error << " / " << result->hint);
    CHECK(result->exited());
    CHECK(result->out == "unlocked\n");
    REQUIRE(asked.size() == 1);
    CHECK(asked[0] == hosts.home() + "/.ssh/id_pass");
    // While the question was open the loop kept firing timers, and slept in
    // between instead of spinning on the session.
    CHECK(ticks_at_answer - ticks_at_question >= 15);
    CHECK(iterations_at_answer - iterations_at_question < 100);
}

TEST_CASE("a skipped passphrase moves on, and auth fails with the hint about ssh-agent", "[ssh]") {
    TestHosts hosts({"alpha"});
    std::string config = passphrase_config(hosts, 3);
    event::Loop loop;
    int asked = 0;
    ssh::SessionOptions options;
    options.ask_passphrase = [&](const std::string&, ssh::SessionOptions::PassphraseAnswer answer) {
        ++asked;
        loop.after(200ms, [answer] { answer(std::nullopt); });  // Esc in the dialog
    };
    ssh::Connections conns(loop, ssh::SshConfig::load(config), options);
    auto result = run_on(loop, conns, "alpha", "echo hi\n");
    REQUIRE(result);
    CHECK(asked == 1);
    CHECK(result->kind == ssh::ErrorKind::Auth);
    CHECK_THAT(result->error, Catch::Contains("skipped: passphrase needed"));
    CHECK_THAT(result->hint, Catch::Contains("ssh-agent"));
}

TEST_CASE("a passphrase answered after its session has gone changes nothing", "[ssh]") {
    TestHosts hosts({"alpha"});
    std::string config = passphrase_config(hosts, 3);
    event::Loop loop;
    std::optional<ssh::SessionOptions::PassphraseAnswer> pending;
    ssh::SessionOptions options;
    options.ask_passphrase = [&](const std::string&, ssh::SessionOptions::PassphraseAnswer answer) {
        pending = std::move(answer);
    };
    auto conns = std::make_unique<ssh::Connections>(loop, ssh::SshConfig::load(config), options);
    std::optional<ssh::ExecResult> result;
    conns->exec("alpha", {"sh -s", "echo hi\n", 30s}, [&](ssh::ExecResult r) { result = std::move(r); });
    loop.run_until([&] { return pending.has_value(); }, event::Clock::now() + 30s);
    REQUIRE(pending);
    CHECK_FALSE(result);  // waiting for the answer
    conns.reset();        // the session goes away with the question open
    REQUIRE(result);
    CHECK(result->kind == ssh::ErrorKind::Disconnected);
    (*pending)(std::string(kPassphrase));  // a late answer: ignored
    loop.run_once(10ms);
}

TEST_CASE("BatchMode never asks for a passphrase", "[ssh]") {
    TestHosts hosts({"alpha"});
    std::string config = passphrase_config(hosts, 3);
    append_to(config, "  BatchMode yes\n");
    event::Loop loop;
    int asked = 0;
    ssh::SessionOptions options;
    options.ask_passphrase = [&](const std::string&, ssh::SessionOptions::PassphraseAnswer answer) {
        ++asked;
        answer(std::string(kPassphrase));
    };
    ssh::Connections conns(loop, ssh::SshConfig::load(config), options);
    auto result = run_on(loop, conns, "alpha", "echo hi\n");
    REQUIRE(result);
    CHECK(asked == 0);
    CHECK(result->kind == ssh::ErrorKind::Auth);
}
