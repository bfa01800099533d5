// Job-end notifications end to end: a real HTTP server on loopback
// (tests/harness/webhook-server) receives what the host's curl (from the job
// wrapper) and rj's libcurl send; each message is sent exactly once.
#include "config.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "integration/rj_runner.h"
#include "tui/tui_session.h"

using namespace testing_support;
using namespace std::chrono_literals;

extern char** environ;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The webhook receiver, started for one test and stopped with it.
class WebhookServer {
public:
    explicit WebhookServer(const std::string& dir) : port_file_(dir + "/webhook.port"), log_(dir + "/webhook.log") {
        std::string script = std::string(RJ_SRCDIR) + "/tests/harness/webhook-server";
        std::vector<std::string> args{"python3", script, port_file_, log_};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) == 0);
        REQUIRE(eventually([&] { return !slurp(port_file_).empty(); }, 10s, 20ms));
        port_ = std::stoi(slurp(port_file_));
    }
    ~WebhookServer() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    std::string url(const std::string& path = "/hook") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    // The requests so far, their bodies parsed.
    std::vector<Json> requests() const {
        std::vector<Json> out;
        for (const Json& r : parse_json_lines(slurp(log_))) {
            Json body = parse_json(r["body"].str());
            body.members.emplace_back("_path", r["path"]);
            body.members.emplace_back("_content_type", r["content_type"]);
            out.push_back(std::move(body));
        }
        return out;
    }
    // Requests about job `id` (generic JSON bodies).
    std::vector<Json> about(int64_t id) const {
        std::vector<Json> out;
        for (Json& r : requests())
            if (r.has("id") && r["id"].integer() == id) out.push_back(std::move(r));
        return out;
    }

private:
    std::string port_file_, log_;
    pid_t pid_ = -1;
    int port_ = 0;
};

// rj's config: the generic webhook, every end notified.
void configure(JobsFixture& f, const std::string& extra) {
    std::string cfg = f.hosts.dir() + "/rj.config";
    std::ofstream(cfg) << "[notify]\nnotify = all\nmin_duration = 0s\n" << extra;
    f.rj.set_env("RJ_CONFIG", cfg);
}

// Gives host `name` a PATH of every tool but curl (sshd's SetEnv, as in test_code.cc).
void remove_curl(TestHosts& hosts, JobsFixture& f, const std::string& name) {
    f.on_host(name,
              "mkdir -p ~/nocurl && for f in /usr/local/bin/* /usr/bin/* /bin/*; do n=${f##*/}; "
              "[ \"$n\" = curl ] || [ -e ~/nocurl/$n ] || ln -s \"$f\" ~/nocurl/$n; done");
    std::string home = f.on_host(name, "echo $HOME");
    home = home.substr(0, home.find('\n'));
    hosts.stop(name);
    std::string cfg = f.hosts.dir() + "/hosts/" + name + "/sshd_config";
    REQUIRE(std::system(("sed -i 's|^SetEnv .*|& PATH=" + home + "/nocurl|' '" + cfg + "'").c_str()) == 0);
    hosts.start(name);
    REQUIRE(f.on_host(name, "command -v curl || echo none") == "none\n");
}

}  // namespace

TEST_CASE("notify: the host sends success, failure, timeout and killed ends once; a sync never resends",
          "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer server(hosts.dir());
    configure(f, "webhook = " + server.url() + "\n");

    int64_t ok = f.run({"-d", "say hi", "alpha", "echo hi"});
    int64_t bad = f.run({"alpha", "echo first; echo 'oops \"quoted\" @x'; exit 3"});
    int64_t slow = f.run({"--timeout", "1s", "alpha", "sleep 30"});
    // No rj runs while they end: the host alone tells.
    REQUIRE(eventually([&] { return !server.about(ok).empty() && !server.about(bad).empty() && !server.about(slow).empty(); },
                       40s));
    Json a = server.about(ok)[0];
    CHECK(a["status"].str() == "completed");
    CHECK(a["exit_code"].integer() == 0);
    CHECK(a["via"].str() == "host");
    CHECK(a["host"].str() == "alpha");
    CHECK(a["description"].str() == "say hi");
    CHECK(a["_content_type"].str() == "application/json");
    CHECK(contains(a["text"].str(), "\u2713 rj job " + id_s(ok) + " on alpha completed in "));
    Json b = server.about(bad)[0];
    CHECK(b["status"].str() == "failed");
    CHECK(b["exit_code"].integer() == 3);
    CHECK(b["log_tail"].str() == "first\noops \"quoted\" @x");
    CHECK(contains(b["text"].str(), "\u2717 rj job " + id_s(bad) + " on alpha failed with exit code 3 after "));
    Json t = server.about(slow)[0];
    CHECK(t["status"].str() == "timeout");
    CHECK(contains(t["text"].str(), "timed out after"));

    int64_t victim = f.run({"alpha", "sleep 60"});
    // While the job runs, the URL is in no file but the 0600 curl config.
    std::string vdir = f.job_dir_of(victim);
    CHECK(f.on_host("alpha", "stat -c %a " + vdir + "/notify.1.curl") == "600\n");
    CHECK(f.on_host("alpha", "grep -rl 127.0.0.1 " + vdir + " | sed 's|.*/||'") == "notify.1.curl\n");
    RjResult k = f.rj.batch({"kill", id_s(victim)});
    INFO(k.describe());
    REQUIRE(k.status == 0);
    REQUIRE(eventually([&] { return !server.about(victim).empty(); }, 30s));
    CHECK(server.about(victim)[0]["status"].str() == "killed");

    for (int64_t id : {ok, bad, slow, victim}) {
        Json j = f.await_end(id);
        // The kill applied its end before the host's word came: a sync brings it.
        REQUIRE(eventually([&] {
            f.rj.batch({"sync"});
            return f.show(id)["notified_via"].str() == "host";
        }, 30s));
        CHECK_FALSE(f.show(id)["notified_at"].is_null());
    }
    REQUIRE(f.rj.batch({"sync"}).status == 0);
    CHECK(server.requests().size() == 4);
    for (int64_t id : {ok, bad, slow, victim}) CHECK(server.about(id).size() == 1);
    // Once each end (and whether the host sent its message) is recorded, the
    // host keeps no copy of the URL: the curl configs are gone.
    for (int64_t id : {ok, bad, slow, victim}) {
        std::string dir = f.job_dir_of(id);
        INFO("job " << id);
        CHECK(f.on_host("alpha", "ls " + dir + " | grep -c 'curl' || true") == "0\n");
        CHECK(f.on_host("alpha", "grep -rl 127.0.0.1 " + dir + " | wc -l") == "0\n");
    }
    RjResult show = f.rj.batch({"show", id_s(bad)});
    CHECK(contains(show.out, "notify:"));
    CHECK(contains(show.out, "sent by the host"));
}

TEST_CASE("notify: a host without curl, and a dead job, are notified by rj once", "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer server(hosts.dir());
    configure(f, "slack_webhook = " + server.url("/slack") + "\nnotify = failures\n");
    remove_curl(hosts, f, "alpha");

    int64_t bad = f.run({"alpha", "echo broken; exit 2"});
    int64_t ok = f.run({"alpha", "true"});  // a success under `failures`: no message
    Json j = f.await_end(bad);
    CHECK(j["status"].str() == "failed");
    f.await_end(ok);
    REQUIRE(eventually([&] { return f.show(bad)["notified_via"].str() == "laptop"; }, 20s));
    auto got = server.requests();
    REQUIRE(got.size() == 1);
    CHECK(got[0]["_path"].str() == "/slack");
    CHECK(contains(got[0]["text"].str(), "rj job " + id_s(bad) + " on alpha failed with exit code 2"));
    CHECK(f.show(ok)["notified_via"].str() == "none");

    // Dead: its wrapper and job killed behind rj's back.
    int64_t dead = f.run({"alpha", "sleep 300"});
    REQUIRE(f.await_status(dead, "running"));
    std::string dir = f.job_dir_of(dead);
    CHECK(f.on_host("alpha", "test -e " + dir + "/notify.1.curl && echo kept || echo gone") == "kept\n");
    f.on_host("alpha", "tmux kill-session -t " + f.session_of(dead) + "; kill -9 $(cat " + dir + "/wpid) $(cat " + dir +
                           "/pid) 2>/dev/null; true");
    Json d = f.await_end(dead);
    CHECK(d["status"].str() == "dead");
    REQUIRE(eventually([&] {
        f.rj.batch({"sync"});
        return f.show(dead)["notified_via"].str() == "laptop";
    }, 20s));
    for (int i = 0; i < 2; ++i) REQUIRE(f.rj.batch({"sync"}).status == 0);
    got = server.requests();
    REQUIRE(got.size() == 2);
    CHECK(contains(got[1]["text"].str(), "rj job " + id_s(dead) + " on alpha"));
    // Its wrapper never wrote an end: the sync that found it gone removed the URL.
    CHECK(f.on_host("alpha", "test -e " + dir + "/notify.1.curl && echo kept || echo gone") == "gone\n");
}

TEST_CASE("notify: an unreachable webhook is retried, then reported; jobs are unaffected", "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer server(hosts.dir());
    // Answers 500 every time: the host's curl fails, then rj retries and gives up.
    configure(f, "webhook = " + server.url("/status/500") + "\n");
    int64_t bad = f.run({"alpha", "exit 1"});
    Json j = f.await_end(bad);
    CHECK(j["status"].str() == "failed");
    CHECK(j["exit_code"].integer() == 1);
    REQUIRE(eventually([&] {
        f.rj.batch({"sync"});
        return f.show(bad)["notified_via"].str() == "failed";
    }, 60s));
    Json s = f.show(bad);
    INFO(s["notify_error"].str());
    CHECK(contains(s["notify_error"].str(), "webhook: HTTP 500 (4 tries)"));
    CHECK(s["status"].str() == "failed");
    // The host's curl tried first (its --retry may add one), then rj 4 times.
    auto by = [&](const std::string& via) {
        size_t n = 0;
        for (const Json& r : server.about(bad)) n += r["via"].str() == via;
        return n;
    };
    CHECK(by("host") >= 1);
    CHECK(by("laptop") == 4);
    size_t total = server.about(bad).size();
    RjResult show = f.rj.batch({"show", id_s(bad)});
    CHECK(contains(show.out, "HTTP 500"));
    // Further syncs leave it alone.
    REQUIRE(f.rj.batch({"sync"}).status == 0);
    CHECK(server.about(bad).size() == total);
    // A policy word it does not know is a usage error naming the flag; nothing is recorded.
    RjResult typo = f.rj.batch({"run", "--notify", "sometimes", "alpha", "true"});
    CHECK(typo.status == 2);
    CHECK(contains(typo.err, "rj: --notify: sometimes: expected all, failures or none"));
}

TEST_CASE("progress and stalls: list shows the fraction and the stall; the stall is messaged once", "[notify][progress][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer hook(hosts.dir());
    configure(f, "webhook = " + hook.url() + "\n");
    // stall_after is a top-level key: the config gets it before [notify].
    std::string cfg = f.hosts.dir() + "/rj.config";
    std::string text = slurp(cfg);
    std::ofstream(cfg) << "stall_after = 4s\n" << text;

    int64_t id = f.run({"--progress", R"(Step (\d+)/(\d+))", "alpha", "echo Step 1/4; sleep 1; echo Step 2/4; sleep 60"});
    Json last;
    bool seen = eventually([&] {
        RjResult r = f.rj.batch({"list", "--sync", "--json"});
        auto rows = parse_json_lines(r.out);
        for (auto& row : rows)
            if (row["id"].integer() == id) last = row;
        return last.has("stalled") && last["stalled"].boolean && !last["progress_fraction"].is_null() &&
               last["progress_fraction"].number() == Approx(0.5);
    }, 45s, 500ms);
    INFO(f.rj.batch({"show", id_s(id)}).out);
    REQUIRE(seen);
    RjResult table = f.rj.batch({"list"});
    INFO(table.describe());
    CHECK(contains(table.out, "50%"));
    CHECK(contains(table.out, "running (stalled)"));
    RjResult show = f.rj.batch({"show", id_s(id)});
    CHECK(contains(show.out, "progress:"));
    CHECK(contains(show.out, "stalled:"));

    // More syncs: still one stall message.
    f.rj.batch({"sync"});
    f.rj.batch({"sync"});
    auto stalls = [&] {
        int n = 0;
        for (const Json& r : hook.about(id))
            if (r.has("event") && r["event"].str() == "stalled") ++n;
        return n;
    };
    REQUIRE(eventually([&] { return stalls() >= 1; }, 20s));
    std::this_thread::sleep_for(1s);  // a second message, if one were sent, would have come by now
    CHECK(stalls() == 1);
    f.rj.batch({"kill", id_s(id)});
    f.await_end(id);
}

TEST_CASE("notify command: runs here once per end, the message as its last argument, never through a shell",
          "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::string dir = f.hosts.dir();
    std::string out = dir + "/command.out", pwned = dir + "/pwned";
    {
        std::ofstream script(dir + "/note");
        script << "#!/bin/sh\nprintf '%s|%s|%s|%s\\n' \"$RJ_JOB_ID\" \"$RJ_JOB_STATUS\" \"$1\" \"$2\" >> '" << out << "'\n";
    }
    REQUIRE(std::system(("chmod +x '" + dir + "/note'").c_str()) == 0);
    // Only the command: no webhook, so the host sends nothing itself.
    std::string cfg = dir + "/rj.config";
    std::ofstream(cfg) << "[notify]\nnotify = all\nmin_duration = 0s\ncommand = " << dir << "/note --urgency=low\n";
    f.rj.set_env("RJ_CONFIG", cfg);

    std::string desc = "a; touch " + pwned + " $(touch " + pwned + ")";
    int64_t id = f.run({"-d", desc, "alpha", "exit 3"});
    f.await_end(id);
    REQUIRE(eventually([&] { return !slurp(out).empty(); }, 20s));
    f.rj.batch({"sync"});
    f.rj.batch({"sync"});
    std::vector<std::string> lines;
    for (auto& l : split_lines(slurp(out)))
        if (!l.empty()) lines.push_back(l);
    INFO(slurp(out));
    REQUIRE(lines.size() == 1);
    CHECK(starts_with(lines[0], id_s(id) + "|failed|--urgency=low|"));
    CHECK(contains(lines[0], "rj job " + id_s(id) + " on alpha failed with exit code 3"));
    CHECK(contains(lines[0], desc));  // verbatim: no shell saw it
    CHECK_FALSE(std::ifstream(pwned).good());
    // show says the laptop delivered it (the command is this machine's channel).
    CHECK(f.show(id)["notified_via"].str() == "laptop");
}

TEST_CASE("digest: with digest = on hosts stay quiet and rj -b sync sends one message for all ends, once",
          "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer hook(hosts.dir());
    configure(f, "webhook = " + hook.url() + "\ndigest = on\n");
    int64_t ok1 = f.run({"alpha", "true"});
    int64_t ok2 = f.run({"alpha", "true"});
    int64_t bad = f.run({"alpha", "echo last words; exit 3"});
    // status --wait syncs too, but only `rj -b sync` sends the digest.
    RjResult w = f.rj.batch({"status", "--wait", id_s(ok1), id_s(ok2), id_s(bad)});
    INFO(w.describe());
    CHECK(w.status != 0);  // one of them failed
    for (int64_t id : {ok1, ok2, bad}) CHECK(f.status_of(id) != "running");
    CHECK(hook.requests().empty());  // and the host sent nothing itself
    RjResult s = f.rj.batch({"sync"});
    INFO(s.describe());
    REQUIRE(s.status == 0);
    auto reqs = hook.requests();
    REQUIRE(reqs.size() == 1);
    const Json& d = reqs[0];
    CHECK(d["event"].str() == "digest");
    CHECK(d["counts"]["completed"].integer() == 2);
    CHECK(d["counts"]["failed"].integer() == 1);
    CHECK(d["jobs"].items.size() == 3);
    CHECK(contains(d["text"].str(), "rj digest: 2 completed, 1 failed"));
    CHECK(contains(d["text"].str(), "rj job " + id_s(bad) + " on alpha failed with exit code 3"));
    // Nothing new: no second digest; every job says the laptop sent it.
    f.rj.batch({"sync"});
    CHECK(hook.requests().size() == 1);
    for (int64_t id : {ok1, ok2, bad}) CHECK(f.show(id)["notified_via"].str() == "laptop");
}

TEST_CASE("notify: an array sends one message for all its tasks, from the laptop, once they all ended",
          "[notify][queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer hook(hosts.dir());
    configure(f, "webhook = " + hook.url() + "\n");
    RjResult r = f.rj.batch({"run", "--array", "1-3", "alpha", "test $TASK_ID != 2"});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    int64_t array = std::stoll(split_lines(r.out)[0]);
    RjResult w = f.rj.batch({"status", "--wait", id_s(array)}, Millis(120000));
    INFO(w.describe());
    f.rj.batch({"sync"});
    REQUIRE(eventually([&] { return !hook.requests().empty(); }, 20s));
    f.rj.batch({"sync"});
    std::this_thread::sleep_for(1s);
    auto reqs = hook.requests();
    INFO(reqs.size() << " requests");
    REQUIRE(reqs.size() == 1);  // not one per task
    const Json& m = reqs[0];
    CHECK(m["event"].str() == "array");
    CHECK(m["array_id"].integer() == array);
    CHECK(m["counts"]["completed"].integer() == 2);
    CHECK(m["counts"]["failed"].integer() == 1);
    REQUIRE(m["failed_tasks"].items.size() == 1);
    CHECK(m["failed_tasks"].items[0].integer() == 2);
    CHECK(contains(m["text"].str(), "rj array " + id_s(array) + " on alpha: 2 completed, 1 failed (tasks 2)"));
}

TEST_CASE("notify: a host whose jobs' policy is none is sent no URL; a job there that asks is announced by rj",
          "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer server(hosts.dir());
    configure(f, "webhook = " + server.url() + "\n[host alpha]\nnotify = none\n");
    int64_t quiet = f.run({"alpha", "exit 4"});
    int64_t asked = f.run({"--notify", "all", "alpha", "exit 5"});
    for (int64_t id : {quiet, asked}) {
        std::string dir = f.job_dir_of(id);
        INFO("job " << id);
        CHECK(f.on_host("alpha", "ls " + dir + " | grep -c '^notify' || true") == "0\n");
        CHECK(f.on_host("alpha", "grep -rl 127.0.0.1 " + dir + " | wc -l") == "0\n");
    }
    f.await_end(quiet);
    f.await_end(asked);
    REQUIRE(eventually([&] {
        f.rj.batch({"sync"});
        return f.show(asked)["notified_via"].str() == "laptop";
    }, 30s));
    f.rj.batch({"sync"});
    CHECK(server.about(quiet).empty());
    auto got = server.about(asked);
    REQUIRE(got.size() == 1);
    CHECK(got[0]["via"].str() == "laptop");
    CHECK(got[0]["status"].str() == "failed");
}

namespace {

bool alive(pid_t pid) {
    // A zombie (not reaped yet by whoever inherited it) runs nothing.
    std::string st = slurp("/proc/" + std::to_string(pid) + "/stat");
    auto close = st.rfind(") ");
    return close != std::string::npos && st.compare(close + 2, 1, "Z") != 0;
}

}  // namespace

TEST_CASE("notify command: starts with default signals in its own process group; its timeout kills the group",
          "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::string dir = f.hosts.dir();
    {
        // Records how it started, leaves a child that sleeps, and waits for it.
        std::ofstream script(dir + "/note");
        script << "#!/bin/sh\ngrep -E '^(SigBlk|SigIgn):' /proc/self/status > '" << dir << "/signals'\n"
               << "ps -o pgid= -p $$ | tr -d ' ' > '" << dir << "/pgid'\n"
               << "sleep 300 &\necho $$ $! > '" << dir << "/pids.tmp'; mv '" << dir << "/pids.tmp' '" << dir
               << "/pids'\nwait\n";
    }
    REQUIRE(std::system(("chmod +x '" + dir + "/note'").c_str()) == 0);
    std::string cfg = dir + "/rj.config";
    std::ofstream(cfg) << "[notify]\nnotify = all\nmin_duration = 0s\ncommand = " << dir << "/note\n";
    f.rj.set_env("RJ_CONFIG", cfg);

    int64_t id = f.run({"alpha", "exit 3"});
    f.await_end(id);
    f.rj.batch({"sync"});  // runs the command, and waits for it (bounded)
    REQUIRE(eventually([&] { return !slurp(dir + "/pids").empty(); }, 20s));
    pid_t leader = 0, child = 0;
    std::istringstream(slurp(dir + "/pids")) >> leader >> child;
    REQUIRE(leader > 0);
    REQUIRE(child > 0);
    std::string signals = slurp(dir + "/signals");
    INFO(signals);
    // Signals 1..31 (glibc keeps 32 and 33 for itself: no program sets those).
    auto mask = [&](const std::string& key) {
        auto at = signals.find(key + ":\t");
        return at == std::string::npos ? ~0ULL : std::stoull(signals.substr(at + key.size() + 2, 16), nullptr, 16);
    };
    CHECK((mask("SigBlk") & 0x7fffffffULL) == 0);
    CHECK((mask("SigIgn") & 0x7fffffffULL) == 0);
    CHECK(slurp(dir + "/pgid") == std::to_string(leader) + "\n");  // its own group
    // Past its timeout (10 s) neither the command nor its child lives.
    CHECK(eventually([&] { return !alive(leader) && !alive(child); }, 40s));
    if (alive(child)) kill(child, SIGKILL);
}

namespace {

// Another process that holds the database's write lock (BEGIN IMMEDIATE)
// until release() or its end.
class WriteLock {
public:
    WriteLock(const std::string& db, const std::string& dir) : held_(dir + "/lock.held") {
        std::string py = "import sqlite3, sys\n"
                         "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)\n"
                         "c.execute('BEGIN IMMEDIATE')\n"
                         "open(sys.argv[2], 'w').write('1')\n"
                         "sys.stdin.read()\n"
                         "c.execute('ROLLBACK')\n";
        pipe_ = popen(("python3 -c " + shell_quote(py) + " " + shell_quote(db) + " " + shell_quote(held_)).c_str(), "w");
        REQUIRE(pipe_);
        REQUIRE(eventually([&] { return !slurp(held_).empty(); }, 30s));
    }
    ~WriteLock() { release(); }
    void release() {
        if (pipe_) pclose(pipe_);
        pipe_ = nullptr;
    }

private:
    std::string held_;
    FILE* pipe_ = nullptr;
};

}  // namespace

TEST_CASE("notify: a webhook answer that comes while another rj holds the database does not end the UI; it is "
          "recorded once the lock is gone",
          "[notify][tui]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    WebhookServer server(hosts.dir());
    // The UI syncs and polls once, at its start: nothing else of its own
    // writes to the database while the lock is held below.
    std::string cfg = f.hosts.dir() + "/rj.config";
    std::ofstream(cfg) << "sync_interval = 1h\nmeter_interval = 1h\n[notify]\nnotify = all\nmin_duration = 0s\n"
                       << "webhook = " << server.url("/hold/") << "\n";
    f.rj.set_env("RJ_CONFIG", cfg);
    remove_curl(hosts, f, "alpha");  // the laptop delivers: the UI, here

    int64_t id = f.run({"alpha", "exit 3"});
    std::string dir = f.job_dir_of(id);
    REQUIRE(eventually([&] { return f.on_host("alpha", "test -e " + dir + "/exit && echo ended") == "ended\n"; }, 30s));
    std::string db = f.hosts.dir() + "/rj.db";
    TuiSession ui(hosts, "", 160, 30, "RJ_DB=" + shell_quote(db) + " RJ_CONFIG=" + shell_quote(cfg));
    // Its first sync finds the end and POSTs; the webhook holds its answer.
    // Its first meters are in too: nothing else of the UI writes until the next hour.
    REQUIRE(eventually([&] { return !server.about(id).empty(); }, 40s));
    REQUIRE(ui.wait_until([](const std::string& s) { return contains(screen_line(s, "alpha "), "CPU["); }, 30));
    WriteLock lock(db, f.hosts.dir());
    std::ofstream(f.hosts.dir() + "/webhook.log.release") << "go\n";
    // The answer arrives, its record meets the lock: a message, not an exit.
    INFO(ui.last_screen());
    CHECK(ui.wait_for("recording it again shortly", 30));
    CHECK(ui.exit_status() == -1);
    CHECK(f.show(id)["notified_via"].str() == "sending");  // nothing written yet
    lock.release();
    CHECK(eventually([&] { return f.show(id)["notified_via"].str() == "laptop"; }, 30s));
    CHECK(ui.exit_status() == -1);
    CHECK(server.about(id).size() == 1);
    CHECK(ui.quit() == 0);
}
