// The fault suite, interface side (issue 11): a laptop that sleeps (the UI
// SIGSTOPped past its keepalive while a host's sshd restarts and a job ends),
// and a storm of concurrent `rj -b` commands while the UI is open.
#include "config.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "harness/test_hosts.h"
#include "integration/rj_runner.h"
#include "tui/tui_session.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

bool has(const std::string& s, const std::string& needle) { return contains(s, needle); }
std::string line_with(const std::string& screen, const std::string& needle) { return screen_line(screen, needle); }

// Short intervals, and keepalives that give a silent host up within 6 s
// (ServerAliveInterval 2, rj's shortest, × ServerAliveCountMax 1: checked
// once per interval, given up 2 to 3 intervals after the host last spoke).
const char* kFastConfig = "sync_interval = 1s\nlog_interval = 1s\nmeter_interval = 2s\n";

std::string keepalive_config(const TestHosts& hosts) {
    std::string path = hosts.dir() + "/ssh_config_keepalive";
    REQUIRE(run_shell("sed -e 's/^\\(  ConnectTimeout.*\\)$/\\1\\n  ServerAliveInterval 2\\n  ServerAliveCountMax 1/' " +
                      shell_quote(hosts.ssh_config()) + " > " + shell_quote(path)) == 0);
    return path;
}

// A host's line in the Hosts pane shows meters only while it is connected.
bool online(const std::string& screen, const std::string& host) { return has(line_with(screen, host + " "), "CPU["); }

// The screen is whole: header meters' pane titles and the function bar.
bool whole(const std::string& s) { return has(s, "Hosts") && has(s, "Jobs ") && has(s, "F1Help") && has(s, "F10Quit"); }

// The job filter's label after `presses` presses of f from "all".
bool filter_shown(const std::string& s, int presses) {
    std::string title = line_with(s, "Jobs ");
    switch (presses % 4) {
    case 1: return has(title, "· active");
    case 2: return has(title, "· succeeded");
    case 3: return has(title, "· failed");
    default: return !has(title, "· active") && !has(title, "· succeeded") && !has(title, "· failed");
    }
}

}  // namespace

TEST_CASE("a laptop that sleeps: the UI stopped past its keepalive reconnects and shows what ended meanwhile",
          "[faults][tui]") {
    TestHosts hosts({"alpha", "beta"});
    write_rj_config(hosts, kFastConfig);
    Rj rj(hosts);
    rj.set_env("RJ_DB", rj_db_path(hosts));  // the UI's database
    TuiSession ui(hosts, "-F " + shell_quote(keepalive_config(hosts)));
    REQUIRE(ui.wait_until([](const std::string& s) { return online(s, "alpha") && online(s, "beta"); }, 30));

    RjResult a = rj.batch({"run", "alpha", "sleep 3; exit 7 # short-job"});
    RjResult b = rj.batch({"run", "beta", "sleep 120 # long-job"});
    REQUIRE(a.status == 0);
    REQUIRE(b.status == 0);
    int64_t short_id = std::stoll(a.out), long_id = std::stoll(b.out);
    REQUIRE(ui.wait_until([](const std::string& s) { return has(s, "short-job") && has(s, "long-job"); }, 20));

    int pid = ui.rj_pid();
    REQUIRE(pid > 0);
    REQUIRE(kill(pid, SIGSTOP) == 0);
    auto stopped_at = Clock::now();
    // While the laptop sleeps the host drops the connection (sshd restarts: its
    // side is gone, as after the laptop's TCP timed out) and the job ends.
    hosts.stop("alpha");
    hosts.start("alpha");
    JobsFixture f(hosts);
    CHECK(eventually([&] { return contains(f.on_host("alpha", "cat ~/.cache/rj/*/*/journal 2>/dev/null"),
                                           " " + std::to_string(short_id) + " exit"); },
                     20s));
    // Asleep for longer than the keepalive budget (at most 6 s):
    // the point of this test is a long stop, so this one wait is a fixed time.
    std::this_thread::sleep_until(stopped_at + 8s);
    double slept = std::chrono::duration<double>(Clock::now() - stopped_at).count();
    REQUIRE(kill(pid, SIGCONT) == 0);
    auto woke = Clock::now();

    // It reconnects by itself and learns the end it missed: the UI's own sync
    // writes it to the database (no other rj runs here), then the screen has it.
    auto status_of = [&](int64_t id) { return parse_json(rj.batch({"show", "--json", std::to_string(id)}).out); };
    INFO(ui.last_screen());
    CHECK(eventually([&] { return status_of(short_id)["status"].str() == "failed"; }, 30s, 200ms));
    double synced = std::chrono::duration<double>(Clock::now() - woke).count();
    CHECK(ui.wait_until([](const std::string& s) {
        return online(s, "alpha") && online(s, "beta") && !has(s, "offline") && !has(s, "connecting");
    }, 30));
    double reconnected = std::chrono::duration<double>(Clock::now() - woke).count();
    WARN("slept " << slept << " s; after SIGCONT the missed end was synced in " << synced
                  << " s, both hosts online on screen in " << reconnected << " s");
    Json sj = status_of(short_id);
    CHECK(sj["status"].str() == "failed");
    REQUIRE_FALSE(sj["exit_code"].is_null());
    CHECK(sj["exit_code"].integer() == 7);
    CHECK(parse_json(rj.batch({"show", "--json", std::to_string(long_id)}).out)["status"].str() == "running");
    // The list agrees: the failed filter holds the short job, the active one the long job.
    ui.keys("f");
    CHECK(ui.wait_until([](const std::string& s) { return filter_shown(s, 1) && has(s, "long-job") && !has(s, "short-job"); }, 10));
    ui.keys("f");
    ui.keys("f");
    CHECK(ui.wait_until([](const std::string& s) { return filter_shown(s, 3) && has(s, "short-job") && !has(s, "long-job"); }, 10));
    // Nothing garbled: the panes and the function bar are all there.
    CHECK(whole(ui.screen()));
    CHECK(ui.exit_status() == -1);
    CHECK(ui.quit() == 0);
}

TEST_CASE("20 runs and 5 syncs at once beside the UI: each job recorded and started once, no lock error, keys answered",
          "[faults][tui]") {
    TestHosts hosts({"alpha", "beta"});
    write_rj_config(hosts, kFastConfig);
    Rj rj(hosts);
    rj.set_env("RJ_DB", rj_db_path(hosts));
    TuiSession ui(hosts);
    REQUIRE(ui.wait_until([](const std::string& s) { return online(s, "alpha") && online(s, "beta"); }, 30));

    int presses = 0;
    // Time from the key to the screen showing its effect.
    auto key_to_screen = [&]() {
        auto t0 = Clock::now();
        ui.keys("f");
        ++presses;
        int want = presses;
        bool ok = ui.wait_until([&](const std::string& s) { return filter_shown(s, want); }, 10);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        return ok ? ms : 1e9;
    };
    std::vector<double> idle;
    for (int i = 0; i < 8; ++i) idle.push_back(key_to_screen());
    std::sort(idle.begin(), idle.end());
    double idle_median = idle[idle.size() / 2];

    std::vector<std::vector<std::string>> commands;
    std::vector<std::string> cmds;
    for (int i = 0; i < 20; ++i) {
        cmds.push_back("echo storm-" + std::to_string(i) + "; sleep 1");
        commands.push_back({"run", i % 2 ? "beta" : "alpha", cmds.back()});
        if (i % 4 == 3) commands.push_back({"sync"});
    }
    REQUIRE(commands.size() == 25);
    std::vector<RjResult> results;
    std::atomic<bool> done{false};
    std::thread storm([&] {
        results = rj.batch_all(commands, 25, Millis(120000));
        done = true;
    });
    std::vector<double> busy;
    std::vector<std::string> screens;
    while (!done || busy.size() < 3) {
        busy.push_back(key_to_screen());
        screens.push_back(ui.last_screen());
        if (busy.size() > 200) break;
    }
    storm.join();
    double busy_max = *std::max_element(busy.begin(), busy.end());
    std::vector<double> sorted = busy;
    std::sort(sorted.begin(), sorted.end());
    WARN("key to screen, idle: median " << idle_median << " ms (max " << idle.back() << "); during the storm: "
                                        << busy.size() << " keys, median " << sorted[sorted.size() / 2] << " ms, max "
                                        << busy_max << " ms");
    // 25 rj processes beside the UI share this machine's cores: the ceiling
    // is a sanity bound, the ratio the real measure (figures in RELIABILITY.md).
    CHECK(busy_max < 10000);
    // wait_until polls every 50 ms: an idle figure below that is resolution, not speed.
    CHECK(busy_max < 25 * std::max(idle_median, 50.0));

    std::set<int64_t> ids;
    for (size_t i = 0; i < results.size(); ++i) {
        INFO(results[i].describe());
        CHECK(results[i].status == 0);
        CHECK_FALSE(contains(results[i].err, "locked"));
        CHECK_FALSE(contains(results[i].err, "busy"));
        if (commands[i][0] == "run") ids.insert(std::stoll(results[i].out));
    }
    CHECK(ids.size() == 20);
    for (const auto& s : screens) {
        INFO(s);
        CHECK_FALSE(has(s, "locked"));
        CHECK_FALSE(has(s, "busy"));
    }

    // Every job recorded exactly once, each started once on its host, and it ends.
    JobsFixture f(hosts);
    f.rj.set_env("RJ_DB", rj_db_path(hosts));
    std::map<std::string, int> seen;
    for (auto& j : f.list()) seen[j["command"].str()]++;
    for (int i = 0; i < 20; ++i) {
        INFO(cmds[i]);
        CHECK(seen[cmds[i]] == 1);
    }
    // One look per host at its journals (20 ssh logins beside a loaded test
    // machine time out): every job started there once.
    std::map<std::string, std::vector<int64_t>> by_host;
    for (const auto& j : f.list()) {
        by_host[j["host"].str()].push_back(j["id"].integer());
        CHECK(ids.count(j["id"].integer()) == 1);
    }
    for (const auto& [host, host_ids] : by_host) {
        std::map<int64_t, int> starts;
        auto look = [&, host = host] {
            starts.clear();
            for (const auto& l : split_lines(f.on_host(host, "cat ~/.cache/rj/*/*/journal* 2>/dev/null | "
                                                             "awk '$3 == \"start\" { print $2 }'")))
                starts[std::stoll(l)]++;
            return std::all_of(host_ids.begin(), host_ids.end(), [&](int64_t id) { return starts[id] >= 1; });
        };
        CHECK(eventually(look, 20s, 500ms));
        for (int64_t id : host_ids) {
            INFO("job " << id << " on " << host);
            CHECK(starts[id] == 1);
        }
    }
    CHECK(whole(ui.screen()));
    CHECK(ui.quit() == 0);
}
