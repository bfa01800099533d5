// TUI tests: the real rj in tmux against real SSH test hosts. Keys go in with
// send-keys, the screen is read with capture-pane, and every expectation is
// polled with a timeout.
#include "config.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <ctime>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/test_hosts.h"
#include "store/database.h"
#include "store/job_repo.h"
#include "tui/tui_session.h"
#include "precondition.h"

using testing_support::TestHosts;
using testing_support::TuiSession;

namespace {

// Quick background work so tests do not wait for the 15 s default sync.
const char* kFastConfig = "sync_interval = 1s\nlog_interval = 1s\nmeter_interval = 2s\n";

bool has(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

// The screen line that contains `needle` ("" when none).
std::string line_with(const std::string& screen, const std::string& needle) {
    std::istringstream in(screen);
    for (std::string l; std::getline(in, l);)
        if (has(l, needle)) return l;
    return "";
}

// Seeds the database before rj starts.
int64_t seed(const TestHosts& hosts, const std::string& host, const std::string& command, store::Status status,
             std::optional<int> exit_code = std::nullopt) {
    store::Database db(testing_support::rj_db_path(hosts));
    store::JobRepo repo(db);
    store::Job j;
    j.host = host;
    j.command = command;
    j.status = status;
    j.exit_code = exit_code;
    j.started_at = std::time(nullptr) - 60;
    if (store::is_terminal_status(status)) j.ended_at = std::time(nullptr) - 30;
    return repo.insert(j);
}

// Fills in the n form and submits it; waits until the job is listed.
void start_job(const TuiSession& ui, const std::string& host, const std::string& command) {
    ui.keys("n");
    REQUIRE(ui.wait_for("New job"));
    ui.type(host);
    ui.keys("Tab");  // an exact host name: on to Directory
    ui.keys("Tab");  // Command
    ui.type(command);
    ui.keys("Enter");
    INFO(ui.last_screen());
    REQUIRE(ui.wait_until([&](const std::string& s) { return !has(s, "New job") && has(s, command.substr(0, 20)); }));
}

}  // namespace

TEST_CASE("the UI shows the header meters, the panes and the function bar", "[tui]") {
    TestHosts hosts({"alpha", "beta"});
    testing_support::write_rj_config(hosts, kFastConfig);
    TuiSession ui(hosts);
    for (const char* text : {"Hosts", "Queues", "Jobs 0", "Details", "All hosts", "All queues", "default", "F1Help",
                             "F10Quit"}) {
        INFO(text << "\n" << ui.last_screen());
        CHECK(ui.wait_for(text));
    }
    // One meter line per host at the top, with CPU and memory bars once the host answered.
    INFO(ui.last_screen());
    REQUIRE(ui.wait_until([](const std::string& s) {
        auto first = s.substr(0, s.find('\n'));
        auto second = line_with(s, "beta ");
        return first.rfind("alpha", 0) == 0 && has(first, "CPU[") && has(first, "MEM[") && has(second, "CPU[");
    }));
    // q quits (F10 is TuiSession::quit's key): cleanly, with status 0.
    ui.keys("q");
    REQUIRE(ui.wait_until([&](const std::string&) { return ui.exit_status() >= 0; }));
    CHECK(ui.quit() == 0);
}

TEST_CASE("a job started from the n form shows up running, then completed, with its log", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 0"));

    // Inline validation first: a bad timeout is refused and nothing is recorded.
    ui.keys("n");
    REQUIRE(ui.wait_for("New job"));
    ui.type("alpha");
    ui.keys("Tab Tab");
    ui.type("true");
    ui.keys("Down Down Down");  // Timeout
    ui.type("soon");
    ui.keys("Enter");
    INFO(ui.last_screen());
    REQUIRE(ui.wait_for("not a duration"));
    CHECK(has(ui.screen(), "Jobs 0"));
    ui.keys("Escape");
    REQUIRE(ui.wait_until([](const std::string& s) { return !has(s, "New job"); }));

    start_job(ui, "alpha", "sleep 3; echo tui-marker-$((6*7))");
    INFO(ui.last_screen());
    CHECK(ui.wait_until([](const std::string& s) {
        auto l = line_with(s, "tui-marker-$");
        return has(l, "alpha") && (has(l, "running") || has(l, "starting"));
    }, 10));
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "tui-marker-$"), "✓ completed"); }, 30));
    ui.keys("l");
    CHECK(ui.wait_for("tui-marker-42", 15));
    CHECK(ui.quit() == 0);
}

TEST_CASE("k kills the selected job after a confirmation", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 0"));
    start_job(ui, "alpha", "sleep 300 # kill-me");
    REQUIRE(ui.wait_until([](const std::string& s) { return has(line_with(s, "kill-me"), "▶ running"); }, 20));
    auto rj_sessions = [&] {
        std::string out;
        hosts.ssh("alpha", "tmux ls 2>/dev/null | grep -c '^rj-' || true", &out);
        return out.substr(0, out.find('\n'));
    };
    REQUIRE(rj_sessions() == "1");  // the job's tmux session, which the kill must end
    ui.keys("k");
    INFO(ui.last_screen());
    REQUIRE(ui.wait_for("Kill job"));
    ui.keys("y");
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "kill-me"), "killed"); }, 20));
    // And on the host the job's tmux session is gone.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (rj_sessions() != "0" && std::chrono::steady_clock::now() < deadline) {
    }
    CHECK(rj_sessions() == "0");
    CHECK(ui.quit() == 0);
}

TEST_CASE("r of a running job kills it first, then starts its copy (remote-jobs' restart)", "[tui][dropin]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 0"));
    start_job(ui, "alpha", "sleep 300 # restart-me");
    REQUIRE(ui.wait_until([](const std::string& s) { return has(line_with(s, "restart-me"), "▶ running"); }, 20));
    ui.keys("r");
    INFO(ui.last_screen());
    // The old job is recorded killed and a copy runs: one running, one killed.
    CHECK(ui.wait_until([](const std::string& s) { return has(s, "Jobs 2") && has(s, "killed"); }, 30));
    auto running_sessions = [&] {
        std::string out;
        hosts.ssh("alpha", "tmux ls 2>/dev/null | grep -c '^rj-' || true", &out);
        return out.substr(0, out.find('\n'));
    };
    // On the host only the copy's session is up.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (running_sessions() != "1" && std::chrono::steady_clock::now() < deadline) {
    }
    CHECK(running_sessions() == "1");
    store::Database db(testing_support::rj_db_path(hosts));
    store::JobRepo repo(db);
    store::JobFilter all;
    auto jobs = repo.list(all);
    REQUIRE(jobs.size() == 2);
    int killed = 0, running = 0;
    for (const auto& j : jobs) {
        if (j.status == store::status::killed) ++killed;
        if (j.status == store::status::running || j.status == store::status::starting) ++running;
    }
    CHECK(killed == 1);
    CHECK(running == 1);
}

TEST_CASE("f cycles the status filter through all, active, succeeded and failed", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    seed(hosts, "alpha", "echo good-job", store::status::completed, 0);
    seed(hosts, "alpha", "false # bad-job", store::status::failed, 1);
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 2"));
    start_job(ui, "alpha", "sleep 300 # live-job");
    REQUIRE(ui.wait_for("Jobs 3"));
    auto shows = [&](std::vector<std::string> in, std::vector<std::string> out, const std::string& title) {
        return ui.wait_until([&](const std::string& s) {
            for (const auto& t : in)
                if (!has(s, t)) return false;
            for (const auto& t : out)
                if (has(s, t)) return false;
            return has(s, title);
        }, 10);
    };
    ui.keys("f");
    INFO(ui.last_screen());
    CHECK(shows({"live-job"}, {"good-job", "bad-job"}, "Jobs 1 · active"));
    ui.keys("f");
    CHECK(shows({"good-job"}, {"live-job", "bad-job"}, "Jobs 1 · succeeded"));
    ui.keys("f");
    CHECK(shows({"bad-job"}, {"live-job", "good-job"}, "Jobs 1 · failed"));
    ui.keys("f");
    CHECK(shows({"bad-job", "live-job", "good-job"}, {}, "Jobs 3"));
    CHECK(ui.quit() == 0);
}

TEST_CASE("/ searches commands and descriptions as you type", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    seed(hosts, "alpha", "python train.py --model resnet", store::status::completed, 0);
    seed(hosts, "alpha", "python train.py --model bert", store::status::completed, 0);
    seed(hosts, "alpha", "python eval.py --model bert", store::status::failed, 1);
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 3"));
    ui.keys("/");
    REQUIRE(ui.wait_for("Search:"));
    ui.type("bert");
    INFO(ui.last_screen());
    CHECK(ui.wait_until([](const std::string& s) {
        return has(s, "train.py --model bert") && has(s, "eval.py --model bert") && !has(s, "resnet") &&
               has(s, "Jobs 2");
    }));
    ui.keys("Enter");
    CHECK(ui.wait_until([](const std::string& s) { return has(s, "/bert") && !has(s, "Search:"); }));
    // A new search that matches nothing, then Esc clears it.
    ui.keys("/");
    ui.type("x");
    CHECK(ui.wait_for("No jobs match"));
    ui.keys("Escape");
    CHECK(ui.wait_until([](const std::string& s) { return has(s, "Jobs 3") && has(s, "resnet"); }));
    CHECK(ui.quit() == 0);
}

TEST_CASE("resizing to 80x24 and to 200x60 re-lays out the screen", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("F10Quit"));
    for (auto [cols, rows] : {std::pair{80, 24}, std::pair{200, 60}, std::pair{100, 30}}) {
        ui.resize(cols, rows);
        INFO(cols << "x" << rows << "\n" << ui.last_screen());
        // The Jobs pane's top border reaches the last column, the function bar is
        // on the last row, and the detail pane's bottom border is right above
        // the message line.
        CHECK(ui.wait_until([&, c = cols, r = rows](const std::string&) {
            auto l = ui.lines();
            if (static_cast<int>(l.size()) != r) return false;
            std::string jobs_top = line_with(ui.last_screen(), "Jobs 0");
            bool right_edge = testing_support::columns(jobs_top) == static_cast<size_t>(c) &&
                              jobs_top.size() >= 3 && jobs_top.substr(jobs_top.size() - 3) == "┐";
            const std::string& detail_bottom = l[static_cast<size_t>(r - 3)];
            bool bottom = detail_bottom.rfind("└", 0) == 0 &&
                          testing_support::columns(detail_bottom) == static_cast<size_t>(c);
            bool bar = has(l.back(), "F1Help") && has(l.back(), "F10Quit");
            return right_edge && bottom && bar;
        }, 10));
    }
    CHECK(ui.quit() == 0);
}

TEST_CASE("a blackholed host turns offline while keys are still answered", "[tui]") {
    TestHosts hosts({"alpha", "beta"});
    testing_support::write_rj_config(hosts, kFastConfig);
    if (!testing_support::precondition(hosts.blackhole("beta"), "blackholing needs root and iptables")) return;
    // A longer ConnectTimeout than the harness's 3 s leaves no doubt that the
    // key below is answered while beta's connection attempt still hangs.
    std::string slow = hosts.dir() + "/ssh_config_slow";
    REQUIRE(testing_support::run_shell("sed 's/ConnectTimeout 3/ConnectTimeout 8/' " +
                                       testing_support::shell_quote(hosts.ssh_config()) + " > " +
                                       testing_support::shell_quote(slow)) == 0);
    TuiSession ui(hosts, "-F " + testing_support::shell_quote(slow));
    // While beta's connection attempt hangs, a key is answered: the same frame
    // shows beta connecting and the filter applied.
    REQUIRE(ui.wait_until([](const std::string& s) { return has(line_with(s, "beta "), "connecting"); }, 10));
    auto t0 = std::chrono::steady_clock::now();
    ui.keys("f");
    INFO(ui.last_screen());
    CHECK(ui.wait_until([](const std::string& s) {
        return has(s, "· active") && has(s.substr(0, s.find("Hosts")), "connecting");
    }, 2));
    double answered = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(answered < 1.5);
    CHECK(ui.wait_until([](const std::string& s) {
        return has(line_with(s, "beta "), "offline since") && has(line_with(s, "alpha "), "CPU[");
    }, 20));
    hosts.unblackhole("beta");
    CHECK(ui.quit() == 0);
}

TEST_CASE("? help lists the same keys as the man page", "[tui]") {
    auto man_keys = testing_support::man_interactive_keys(std::string(RJ_SRCDIR) + "/man/rj.1");
    REQUIRE(man_keys.size() > 20);
    TestHosts hosts({"alpha"});
    TuiSession ui(hosts, "", 100, 30);
    REQUIRE(ui.wait_for("F1Help"));
    ui.keys("?");
    REQUIRE(ui.wait_for("rj help"));
    // Page through the help and gather all of it.
    std::string all = ui.screen();
    for (int page = 0; page < 8; ++page) {
        std::string before = ui.last_screen();
        ui.keys("PageDown");
        if (!ui.wait_until([&](const std::string& s) { return s != before; }, 1)) break;  // the last page
        all += ui.last_screen();
    }
    for (const auto& k : man_keys) {
        INFO("man page key '" << k << "' is not in the help screen\n" << all);
        // The help writes the keys padded in a column: the entry starts the line's text.
        CHECK(has(all, "│ " + k + " "));
    }
    ui.keys("Escape");
    CHECK(ui.wait_until([](const std::string& s) { return !has(s, "rj help"); }));
    CHECK(ui.quit() == 0);
}

TEST_CASE("an unknown host key is asked about in a dialog showing its fingerprint", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    hosts.forget("alpha");
    // The harness pins StrictHostKeyChecking yes; a person's config asks.
    std::string ask = hosts.dir() + "/ssh_config_ask";
    REQUIRE(testing_support::run_shell("sed 's/StrictHostKeyChecking yes/StrictHostKeyChecking ask/' " +
                                       testing_support::shell_quote(hosts.ssh_config()) + " > " +
                                       testing_support::shell_quote(ask)) == 0);
    std::string fingerprint;
    REQUIRE(testing_support::run_shell("ssh-keygen -lf " + testing_support::shell_quote(hosts.dir()) +
                                           "/hosts/alpha/host_key.pub | cut -d' ' -f2",
                                       &fingerprint) == 0);
    while (!fingerprint.empty() && fingerprint.back() == '\n') fingerprint.pop_back();
    REQUIRE(fingerprint.rfind("SHA256:", 0) == 0);
    TuiSession ui(hosts, "-F " + testing_support::shell_quote(ask));
    INFO(ui.last_screen());
    REQUIRE(ui.wait_for("Unknown host key: alpha"));
    // The dialog may wrap the fingerprint onto its own line; it is shown whole.
    CHECK(ui.wait_for(fingerprint));
    ui.keys("y");
    // Trusted: the connection goes on and the meters arrive.
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "alpha "), "CPU["); }));
    // ... and the key is remembered, so the next connection needs no question.
    std::string key, known;
    REQUIRE(testing_support::run_shell("cut -d' ' -f2 " + testing_support::shell_quote(hosts.dir()) +
                                           "/hosts/alpha/host_key.pub",
                                       &key) == 0);
    while (!key.empty() && key.back() == '\n') key.pop_back();
    REQUIRE(testing_support::run_shell("cat " + testing_support::shell_quote(hosts.known_hosts()), &known) == 0);
    CHECK_THAT(known, Catch::Contains(key));
    CHECK(ui.quit() == 0);
}

TEST_CASE("a key's passphrase is typed into a dialog while the other hosts carry on", "[tui]") {
    TestHosts hosts({"alpha", "beta"});
    testing_support::write_rj_config(hosts, kFastConfig);
    std::string key = hosts.add_passphrase_client("correct horse");
    // alpha offers only the encrypted key; beta keeps the plain one.
    std::string config = hosts.dir() + "/ssh_config_passphrase";
    REQUIRE(testing_support::run_shell("sed '/^Host alpha$/,/^Host /s|IdentityFile .*|IdentityFile " + key + "|' " +
                                       testing_support::shell_quote(hosts.ssh_config()) + " > " +
                                       testing_support::shell_quote(config)) == 0);
    TuiSession ui(hosts, "-F " + testing_support::shell_quote(config));
    INFO(ui.last_screen());
    REQUIRE(ui.wait_for("Passphrase for " + key));
    // The question does not stop the loop: beta connects and shows its meters.
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "beta "), "CPU["); }));
    ui.type("correct horse");
    CHECK(ui.wait_for("> *************"));  // one star per character, nothing else
    CHECK_FALSE(has(ui.screen(), "correct horse"));
    ui.keys("Enter");
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "alpha "), "CPU["); }));
    CHECK(ui.quit() == 0);
}

TEST_CASE("the details of a running job show its live processes, CPU and memory", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    TuiSession ui(hosts);
    // Two busy processes in the job's process group: CPU use is well above zero.
    start_job(ui, "alpha", "yes > /dev/null & yes > /dev/null & wait");
    INFO(ui.last_screen());
    std::string using_line;
    REQUIRE(ui.wait_until([&](const std::string& s) {
        using_line = line_with(s, "Using:");
        return has(using_line, "processes, CPU") && !has(using_line, "CPU 0%");
    }));
    CHECK(has(using_line, "memory"));
    ui.keys("k");
    REQUIRE(ui.wait_for("Kill job"));
    ui.keys("y");
    // Once it is gone, the live line goes too.
    CHECK(ui.wait_until([](const std::string& s) { return has(s, "killed") && !has(s, "Using:"); }));
    CHECK(ui.quit() == 0);
}

TEST_CASE("queues: the pane shows the runner and slots; h holds, N starts now, T and S stop and start", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 0"));
    // Two jobs in the default queue (one slot): the first runs, the second waits.
    auto queue_job = [&](const std::string& command, bool first) {
        ui.keys("n");
        REQUIRE(ui.wait_for("New job"));
        if (first) {  // later forms start at Command, with the last host filled in
            ui.type("alpha");
            ui.keys("Tab Tab");
        }
        ui.type(command);
        ui.keys("Down Down Down Down");  // Queue
        ui.type("default");
        ui.keys("Enter");
        bool listed = ui.wait_until([&](const std::string& s) { return !has(s, "New job") && has(s, command); });
        INFO(ui.last_screen());
        REQUIRE(listed);
    };
    queue_job("sleep 300 # q-first", true);
    REQUIRE(ui.wait_until([](const std::string& s) { return has(line_with(s, "q-first"), "running"); }, 20));
    queue_job("echo q-second-$((6*7))", false);
    INFO(ui.last_screen());
    CHECK(ui.wait_until([](const std::string& s) {
        return has(line_with(s, "q-second"), "◦ queued") && has(line_with(s, "q-second"), "waiting") &&
               has(line_with(s, "default"), "1/1");
    }, 20));
    CHECK(has(ui.screen(), "▶ default"));

    // The waiting job is selected (the newest): hold it, release it, start it now.
    ui.keys("h");
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "q-second"), "held"); }, 20));
    ui.keys("h");
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "q-second"), "waiting"); }, 20));
    ui.keys("N");
    CHECK(ui.wait_until([](const std::string& s) { return has(line_with(s, "q-second"), "completed"); }, 20));
    // A refusal is a message, and the screen stays whole.
    ui.keys("h");
    CHECK(ui.wait_for("only a job that still waits"));
    CHECK(has(ui.screen(), "F10Quit"));

    // The Queues pane: All, then alpha's default queue. T drains its runner, S starts it again.
    ui.keys("Tab Tab Tab");  // detail, Hosts, Queues
    ui.keys("j");
    ui.keys("T");
    CHECK(ui.wait_until([](const std::string& s) { return has(s, "drains") && has(s, "◌ default"); }, 20));
    ui.keys("S");
    CHECK(ui.wait_until([](const std::string& s) { return has(s, "runner") && has(s, "▶ default"); }, 20));
    CHECK(ui.quit() == 0);
}

TEST_CASE("the status line says when a job ends (notifications' bell = on rings too)", "[tui][notify]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, std::string(kFastConfig) + "[notify]\nbell = on\n");
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 0"));
    start_job(ui, "alpha", "sleep 2; exit 4");
    CHECK_FALSE(ui.bell_rang());  // not before the job ended
    INFO(ui.last_screen());
    CHECK(ui.wait_for("job 1 failed (exit 4)", 30));
    CHECK(ui.wait_until([&](const std::string&) { return ui.bell_rang(); }, 10));
    CHECK(ui.quit() == 0);
}

TEST_CASE("the UI's sync sends the [notify] digest of the ends it records (digest = on)", "[tui][notify]") {
    TestHosts hosts({"alpha"});
    // The digest's channel: a command here that keeps the message (its last argument).
    std::string out = hosts.dir() + "/digest.out", note = hosts.dir() + "/note";
    std::ofstream(note) << "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" << out << "'\n";
    REQUIRE(std::system(("chmod +x '" + note + "'").c_str()) == 0);
    testing_support::write_rj_config(hosts, std::string(kFastConfig) +
                                                "[notify]\nnotify = all\nmin_duration = 0s\ndigest = on\ncommand = " +
                                                note + "\n");
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 0"));
    start_job(ui, "alpha", "sleep 1; exit 4");
    INFO(ui.last_screen());
    REQUIRE(ui.wait_for("job 1 failed (exit 4)", 30));
    // The tick that recorded the end sends the digest (before this fix the UI never did).
    auto read_out = [&] {
        std::ifstream in(out);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!has(read_out(), "rj digest: 1 failed") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    INFO(read_out());
    CHECK(has(read_out(), "rj digest: 1 failed"));
}

TEST_CASE("the status line says when rj gave up delivering a job's end message", "[tui][notify]") {
    TestHosts hosts({"alpha"});
    // Nothing listens on port 9 of loopback: the host's curl fails, then rj
    // tries 4 times with backoff and gives up.
    testing_support::write_rj_config(hosts, std::string(kFastConfig) + "[notify]\nwebhook = http://127.0.0.1:9/hook\n");
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 0"));
    start_job(ui, "alpha", "exit 3");
    INFO(ui.last_screen());
    CHECK(ui.wait_for("end message not delivered", 60));
    CHECK(ui.quit() == 0);
}

TEST_CASE("p submits a plan file: a broken plan is refused under the prompt, a good one shows its jobs together", "[tui][plans]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    seed(hosts, "alpha", "python unrelated.py", store::status::completed, 0);
    std::string bad = hosts.dir() + "/bad.yaml", good = hosts.dir() + "/good.yaml";
    std::ofstream(bad) << "version: 1\njobs:\n  - job: {host: alpha, comand: ls}\n";
    std::ofstream(good) << "version: 1\njobs:\n  - job: {name: one, host: alpha, command: echo plan-one}\n"
                           "  - job: {name: two, host: alpha, command: echo plan-two}\n";
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 1"));
    ui.keys("p");
    REQUIRE(ui.wait_for("Plan file"));
    ui.type(bad);
    ui.keys("Enter");
    INFO(ui.last_screen());
    CHECK(ui.wait_for("bad.yaml:3:24: jobs[0].job: unknown key 'comand'"));
    ui.keys("C-u");
    ui.type(good);
    ui.keys("Enter");
    bool shown = ui.wait_until([](const std::string& s) {
        return has(s, "/good.yaml 20") && has(s, "plan-one") && has(s, "plan-two") && !has(s, "unrelated");
    }, 30);
    INFO(ui.screen());
    CHECK(shown);
    CHECK(ui.quit() == 0);
}

TEST_CASE("p with a plan that kills lists each job of its kill: with its command first; n kills and submits nothing", "[tui][plans]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    int64_t old = seed(hosts, "alpha", "python old-run.py --seed 7", store::status::completed, 0);
    std::string plan = hosts.dir() + "/kills.yaml";
    std::ofstream(plan) << "version: 1\nkill: [" << old << "]\njobs:\n  - job: {host: alpha, command: echo plan-new}\n";
    TuiSession ui(hosts);
    REQUIRE(ui.wait_for("Jobs 1"));
    ui.keys("p");
    REQUIRE(ui.wait_for("Plan file"));
    ui.type(plan);
    ui.keys("Enter");
    INFO(ui.last_screen());
    REQUIRE(ui.wait_for("Kill 1 job(s) and submit the plan?"));
    CHECK(ui.wait_for("job " + std::to_string(old) + " on alpha (completed): python old-run.py --seed 7"));
    ui.keys("n");
    CHECK(ui.wait_for("plan not submitted: nothing was killed"));
    CHECK(ui.wait_for("Jobs 1"));
    CHECK_FALSE(has(ui.screen(), "plan-new"));
    CHECK(ui.quit() == 0);
}
