// Batch commands and flags that no other test exercised (issue 29, item 6),
// each run through the real rj binary against real sshd and tmux and judged
// by its effect: tick, queue list/remove, cleanup HOST, restart -f,
// prune --keep-files, plan submit --no-queue-start, list's status filters and
// --code, acct --since/--until, update --gpus, run --notify, and the global
// --config, --ssh-config/-F and --accept-new-host-keys. Last, a guard: every
// flag `rj -b help` lists must appear in some test source, so a new flag
// cannot ship untested unnoticed.
#include "config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "integration/rj_runner.h"

#ifndef RJ_SRCDIR
#error "RJ_SRCDIR must name the top source directory"
#endif

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The ids of `list --json --limit 0 FILTERS...`, sorted.
std::vector<int64_t> listed_ids(JobsFixture& f, const std::vector<std::string>& filters) {
    std::vector<int64_t> ids;
    for (const auto& j : f.list(filters)) ids.push_back(j["id"].integer());
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool has_dir(JobsFixture& f, int64_t id) {
    auto dirs = f.job_dirs("alpha");
    return std::find(dirs.begin(), dirs.end(), id_s(id)) != dirs.end();
}

// Waits until job `id`'s wrapper has written its exit record on the host,
// without syncing (so the laptop has not seen the end yet).
bool ended_on_host(JobsFixture& f, int64_t id) {
    std::string dir = f.job_dir_of(id);
    return eventually([&] { return f.on_host("alpha", "test -f " + dir + "/exit && echo yes", true) == "yes\n"; }, 30s);
}

// Seconds since the epoch as a local date ("2026-11-30"), or with the minute
// ("2026-11-30 14:00"): the forms acct --since/--until take.
std::tm local_tm(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    return tm;
}
std::string local_date(int64_t t) {
    std::tm tm = local_tm(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}
std::string local_minute(int64_t t) {
    std::tm tm = local_tm(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

}  // namespace

TEST_CASE("tick: an ended job is reported once, a second tick prints nothing; rj -b alone does the same", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "exit 3"});
    REQUIRE(ended_on_host(f, id));
    RjResult t1 = f.rj.batch({"tick"});
    INFO(t1.describe());
    CHECK(t1.status == 0);
    CHECK(contains(t1.out, "job " + id_s(id) + " on alpha: failed (exit 3)\n"));
    CHECK(f.status_of(id) == "failed");
    RjResult t2 = f.rj.batch({"tick"});
    INFO(t2.describe());
    CHECK(t2.status == 0);
    CHECK(t2.out.empty());

    int64_t second = f.run({"alpha", "true"});
    REQUIRE(ended_on_host(f, second));
    RjResult bare = f.rj.batch({});
    INFO(bare.describe());
    CHECK(bare.status == 0);
    CHECK(contains(bare.out, "job " + id_s(second) + " on alpha: completed\n"));
    CHECK(f.status_of(second) == "completed");
}

TEST_CASE("queue list counts each queue's waiting jobs; queue remove takes one out and it never runs", "[queue][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t gone = f.run({"--queue", "--no-start", "alpha", "touch ~/gone-ran"});
    int64_t kept = f.run({"--queue", "--no-start", "alpha", "touch ~/kept-ran"});
    int64_t other = f.run({"--queue=other", "--no-start", "alpha", "touch ~/other-ran"});

    RjResult l1 = f.rj.batch({"queue", "list", "alpha"});
    INFO(l1.describe());
    REQUIRE(l1.status == 0);
    std::regex default_two(R"((^|\n)default\t[a-z]+\trunning=0\tslots=\d+\twaiting=2\theld=0\n)");
    std::regex other_one(R"((^|\n)other\t[a-z]+\trunning=0\tslots=\d+\twaiting=1\theld=0\n)");
    CHECK(std::regex_search(l1.out, default_two));
    CHECK(std::regex_search(l1.out, other_one));

    RjResult rm = f.rj.batch({"queue", "remove", id_s(gone)});
    INFO(rm.describe());
    REQUIRE(rm.status == 0);
    CHECK(rm.out == id_s(gone) + "\tremoved\n");
    CHECK(f.status_of(gone) == "killed");
    RjResult l2 = f.rj.batch({"queue", "list", "alpha"});
    INFO(l2.describe());
    REQUIRE(l2.status == 0);
    CHECK(std::regex_search(l2.out, std::regex(R"((^|\n)default\t[a-z]+\trunning=0\tslots=\d+\twaiting=1\theld=0\n)")));

    // Started, the queue runs what is left in it, and only that.
    RjResult start = f.rj.batch({"queue", "start", "alpha"});
    INFO(start.describe());
    REQUIRE(start.status == 0);
    CHECK(f.await_end(kept)["status"].str() == "completed");
    CHECK(f.on_host("alpha", "test -e ~/kept-ran && echo yes; test -e ~/gone-ran && echo ran-anyway; true") == "yes\n");
    CHECK(f.status_of(other) == "queued");  // queue other was not started
    CHECK(f.status_of(gone) == "killed");
}

TEST_CASE("cleanup HOST removes an ended job's directory once it is old enough, never a running job's", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t done = f.run({"alpha", "true"});
    REQUIRE(f.await_end(done)["status"].str() == "completed");
    int64_t busy = f.run({"alpha", "sleep 600"});
    REQUIRE(f.await_status(busy, "running"));
    REQUIRE(has_dir(f, done));

    // Its age passes 1 s: the dry run names it and removes nothing.
    RjResult dry;
    REQUIRE(eventually([&] {
        dry = f.rj.batch({"cleanup", "alpha", "--older-than", "1s", "--dry-run"});
        return dry.status == 0 && contains(dry.out, "would remove job " + id_s(done) + " (");
    }, 20s, 300ms));
    INFO(dry.describe());
    CHECK_FALSE(contains(dry.out, "job " + id_s(busy) + " ("));
    CHECK(has_dir(f, done));

    RjResult real = f.rj.batch({"cleanup", "alpha", "--older-than", "1s"});
    INFO(real.describe());
    CHECK(real.status == 0);
    CHECK(contains(real.out, "removed job " + id_s(done) + " ("));
    CHECK_FALSE(contains(real.out, "job " + id_s(busy) + " ("));
    CHECK_FALSE(has_dir(f, done));
    CHECK(has_dir(f, busy));
    CHECK(f.status_of(busy) == "running");
    RjResult kill = f.rj.batch({"kill", id_s(busy)});
    CHECK(kill.status == 0);
}

TEST_CASE("restart -f prints the copy's id, streams its output and exits with its code", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "echo copy-says-hi; exit 4"});
    REQUIRE(f.await_end(id)["status"].str() == "failed");
    RjResult r = f.rj.batch({"restart", "-f", id_s(id)}, 60s);
    INFO(r.describe());
    CHECK(r.status == 4);
    auto lines = split_lines(r.out);
    REQUIRE(lines.size() >= 2);
    REQUIRE(!lines[0].empty());
    REQUIRE(lines[0].find_first_not_of("0123456789") == std::string::npos);
    int64_t copy = std::stoll(lines[0]);
    CHECK(copy != id);
    CHECK(lines[1] == "copy-says-hi");
    Json c = f.show(copy);
    CHECK(c["status"].str() == "failed");
    CHECK(c["exit_code"].integer() == 4);
    CHECK(c["command"].str() == "echo copy-says-hi; exit 4");

    // -f follows one job only.
    RjResult two = f.rj.batch({"restart", "-f", id_s(id), id_s(copy)});
    CHECK(two.status == 2);
    CHECK(two.out.empty());
}

TEST_CASE("prune --keep-files forgets ended jobs and leaves their directories; prune alone removes them", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t kept = f.run({"alpha", "true"});
    REQUIRE(f.await_end(kept)["status"].str() == "completed");
    REQUIRE(has_dir(f, kept));
    RjResult p1 = f.rj.batch({"prune", "--keep-files"});
    INFO(p1.describe());
    CHECK(p1.status == 0);
    CHECK(contains(p1.out, "removed " + id_s(kept) + "\t"));
    CHECK(listed_ids(f, {}).empty());
    CHECK(has_dir(f, kept));

    int64_t gone = f.run({"alpha", "true"});
    REQUIRE(f.await_end(gone)["status"].str() == "completed");
    REQUIRE(has_dir(f, gone));
    RjResult p2 = f.rj.batch({"prune"});
    INFO(p2.describe());
    CHECK(p2.status == 0);
    CHECK(contains(p2.out, "removed " + id_s(gone) + "\t"));
    CHECK_FALSE(has_dir(f, gone));
    CHECK(has_dir(f, kept));
}

TEST_CASE("plan submit --no-queue-start queues a series and starts no runner: nothing runs until queue start", "[plans][queue]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::string plan = f.hosts.dir() + "/plan.yaml";
    // A series: its jobs go into a queue, whose runner the submit would start.
    std::ofstream(plan) << "version: 1\njobs:\n  - series:\n      name: s\n      jobs:\n"
                           "        - name: one\n          command: touch ~/plan-one-ran\n"
                           "        - name: two\n          command: touch ~/plan-two-ran\n";
    RjResult r = f.rj.batch({"plan", "submit", "--host", "alpha", plan, "--no-queue-start"});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    auto jobs = f.list({});
    REQUIRE(jobs.size() == 2);
    for (const auto& j : jobs) CHECK(j["status"].str() == "queued");
    RjResult q = f.rj.batch({"queue", "list", "alpha"});
    INFO(q.describe());
    REQUIRE(q.status == 0);
    CHECK(std::regex_search(q.out, std::regex(R"(\trunning=0\tslots=\d+\twaiting=2\theld=0\n)")));
    CHECK(f.rj.batch({"sync"}).status == 0);
    for (const auto& j : jobs) CHECK(f.status_of(j["id"].integer()) == "queued");
    CHECK(f.on_host("alpha", "ls ~ | grep -c plan- || true") == "0\n");

    RjResult start = f.rj.batch({"queue", "start", "alpha"});
    INFO(start.describe());
    REQUIRE(start.status == 0);
    for (const auto& j : jobs) CHECK(f.await_end(j["id"].integer())["status"].str() == "completed");
    CHECK(f.on_host("alpha", "ls ~ | grep -c plan- || true") == "2\n");
}

TEST_CASE("list --completed, --queued and both pick those statuses; --code adds each job's commit", "[jobs][code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    f.on_host("alpha", "rm -rf ~/repo && mkdir -p ~/repo && cd ~/repo && git init -q && echo v1 > data.txt && "
                       "git add . && git -c user.name=test -c user.email=test@example.org commit -qm first");
    std::string head = f.on_host("alpha", "git -C ~/repo rev-parse HEAD").substr(0, 7);
    int64_t clean = f.run({"-C", "~/repo", "alpha", "true"});
    REQUIRE(f.await_end(clean)["status"].str() == "completed");
    f.on_host("alpha", "echo edit >> ~/repo/data.txt");
    int64_t dirty = f.run({"-C", "~/repo", "alpha", "exit 1"});
    REQUIRE(f.await_end(dirty)["status"].str() == "failed");
    int64_t plain = f.run({"alpha", "true"});
    REQUIRE(f.await_end(plain)["status"].str() == "completed");
    int64_t queued = f.run({"--queue", "--no-start", "alpha", "true"});

    CHECK(listed_ids(f, {"--completed"}) == std::vector<int64_t>{clean, plain});
    CHECK(listed_ids(f, {"--queued"}) == std::vector<int64_t>{queued});
    CHECK(listed_ids(f, {"--completed", "--queued"}) == std::vector<int64_t>{clean, plain, queued});
    CHECK(listed_ids(f, {"--failed"}) == std::vector<int64_t>{dirty});

    RjResult l = f.rj.batch({"list", "--code", "--limit", "0"});
    INFO(l.describe());
    REQUIRE(l.status == 0);
    auto lines = split_lines(l.out);
    REQUIRE(!lines.empty());
    size_t col = lines[0].find("COMMIT");
    REQUIRE(col != std::string::npos);
    // The COMMIT cell of job `id`'s row (columns are aligned under the header).
    auto commit_cell = [&](int64_t id) {
        for (const auto& line : lines)
            if (starts_with(line, id_s(id) + " ") && line.size() > col) return line.substr(col, line.find(' ', col) - col);
        return std::string("(no row)");
    };
    CHECK(commit_cell(clean) == head);
    CHECK(commit_cell(dirty) == head + "+");
    CHECK(commit_cell(plain) == "-");
    RjResult without = f.rj.batch({"list", "--limit", "0"});
    REQUIRE(without.status == 0);
    CHECK_FALSE(contains(without.out, "COMMIT"));
    CHECK_FALSE(contains(without.out, head));
}

TEST_CASE("acct --since and --until, as durations and as local dates, count the jobs that ended inside", "[acct][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t old_job = f.run({"alpha", "true"});
    int64_t hour_job = f.run({"alpha", "true"});
    int64_t new_job = f.run({"alpha", "true"});
    for (int64_t id : {old_job, hour_job, new_job}) REQUIRE(f.await_end(id)["status"].str() == "completed");
    // The ends moved back in time in the real database: 3 days and 1 hour ago.
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    auto move_end = [&](int64_t id, int64_t ended) {
        return "UPDATE jobs SET started_at = " + std::to_string(ended - 10) + ", ended_at = " + std::to_string(ended) +
               " WHERE id = " + id_s(id) + ";";
    };
    std::string sql = move_end(old_job, now - 3 * 86400) + move_end(hour_job, now - 3600);
    REQUIRE(run_shell("sqlite3 " + f.rj.db() + " \"PRAGMA busy_timeout = 5000; " + sql + "\"") == 0);

    auto jobs = [&](const std::vector<std::string>& window) {
        std::vector<std::string> args{"acct", "--json"};
        args.insert(args.end(), window.begin(), window.end());
        RjResult r = f.rj.batch(args);
        INFO(r.describe());
        REQUIRE(r.status == 0);
        return parse_json(r.out)["total"]["jobs"].integer();
    };
    CHECK(jobs({}) == 3);
    CHECK(jobs({"--since", "2d"}) == 2);
    CHECK(jobs({"--until", "2h"}) == 1);
    CHECK(jobs({"--since", "2d", "--until", "30m"}) == 1);
    CHECK(jobs({"--since", "10m"}) == 1);
    // Local dates: since the midnight two days back (the 3-day-old end is before it);
    // until a minute-precise time 2 h ago (only the 3-day-old end is before it).
    CHECK(jobs({"--since", local_date(now - 2 * 86400)}) == 2);
    CHECK(jobs({"--until", local_minute(now - 2 * 3600)}) == 1);
}

TEST_CASE("update --gpus changes a waiting job's GPU count here and on its host", "[queue][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    // --gpus needs an nvidia-smi on the host; the job never starts here.
    f.on_host("alpha", "mkdir -p ~/bin && printf '#!/bin/sh\\nexit 0\\n' > ~/bin/nvidia-smi && chmod +x ~/bin/nvidia-smi");
    int64_t id = f.run({"--queue", "--no-start", "--gpus", "1", "alpha", "true"});
    CHECK(f.show(id)["gpus"].integer() == 1);
    CHECK(f.on_host("alpha", "cat " + f.job_dir_of(id) + "/gpus") == "1\n");
    RjResult u = f.rj.batch({"update", id_s(id), "--gpus", "2"});
    INFO(u.describe());
    REQUIRE(u.status == 0);
    CHECK(u.out == id_s(id) + "\tupdated\n");
    CHECK(f.show(id)["gpus"].integer() == 2);
    // The host's runner reads the count from the job's directory there.
    CHECK(f.on_host("alpha", "cat " + f.job_dir_of(id) + "/gpus") == "2\n");
    RjResult bad = f.rj.batch({"update", id_s(id), "--gpus", "-1"});
    CHECK(bad.status == 2);
    CHECK(f.show(id)["gpus"].integer() == 2);
}

TEST_CASE("run --notify none and failures override the config: only a failed job that asked is announced",
          "[notify][jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::string dir = f.hosts.dir();
    std::string out = dir + "/notes.out";
    std::ofstream(dir + "/note") << "#!/bin/sh\nprintf '%s %s\\n' \"$RJ_JOB_ID\" \"$RJ_JOB_STATUS\" >> '" << out << "'\n";
    REQUIRE(run_shell("chmod +x '" + dir + "/note'") == 0);
    std::ofstream(dir + "/rj.config") << "[notify]\nnotify = all\nmin_duration = 0s\ncommand = " << dir << "/note\n";
    f.rj.set_env("RJ_CONFIG", dir + "/rj.config");

    int64_t silenced = f.run({"--notify", "none", "alpha", "exit 3"});
    int64_t fine = f.run({"--notify", "failures", "alpha", "true"});
    int64_t failed = f.run({"--notify", "failures", "alpha", "exit 3"});
    for (int64_t id : {silenced, fine, failed}) f.await_end(id);
    REQUIRE(eventually([&] { return contains(slurp(out), id_s(failed) + " failed\n"); }, 20s));
    CHECK(f.rj.batch({"sync"}).status == 0);
    CHECK(f.rj.batch({"sync"}).status == 0);
    INFO(slurp(out));
    CHECK(slurp(out) == id_s(failed) + " failed\n");
}

TEST_CASE("global --config FILE is read instead of $RJ_CONFIG; --ssh-config and -F FILE instead of $RJ_SSH_CONFIG",
          "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::string dir = f.hosts.dir();

    // A pool that only the --config file defines.
    std::ofstream(dir + "/empty.config") << "# nothing\n";
    std::ofstream(dir + "/pool.config") << "[pool cpu]\nhosts = alpha\n";
    f.rj.set_env("RJ_CONFIG", dir + "/empty.config");
    RjResult unknown = f.rj.batch({"run", "--pool", "cpu", "true"});
    INFO(unknown.describe());
    CHECK(unknown.status == 2);
    CHECK(error_form_problem(unknown.err) == "");
    RjResult pooled = f.rj.batch({"--config", dir + "/pool.config", "run", "--pool", "cpu", "true"});
    INFO(pooled.describe());
    REQUIRE(pooled.status == 0);
    int64_t pid = std::stoll(pooled.out);
    Json pj = f.await_end(pid);
    CHECK(pj["status"].str() == "completed");
    CHECK(pj["host"].str() == "alpha");
    CHECK(pj["pool"].str() == "cpu");

    // A host alias that only the other ssh config names.
    std::string cfg = slurp(hosts.ssh_config());
    std::string other = std::regex_replace(cfg, std::regex("(^|\n)Host alpha\n"), "$1Host zeta\n");
    REQUIRE(other != cfg);
    std::ofstream(dir + "/other_ssh_config") << other;
    RjResult no = f.rj.batch({"run", "zeta", "true"});
    INFO(no.describe());
    CHECK(no.status == 2);
    for (const std::string flag : {"--ssh-config", "-F"}) {
        RjResult r = f.rj.batch({flag, dir + "/other_ssh_config", "run", "zeta", "echo via-" + flag});
        INFO(r.describe());
        REQUIRE(r.status == 0);
        int64_t id = std::stoll(r.out);
        CHECK(f.rj.batch({flag, dir + "/other_ssh_config", "sync"}).status == 0);
        REQUIRE(eventually([&] {
            RjResult s = f.rj.batch({flag, dir + "/other_ssh_config", "sync"});
            return s.status == 0 && f.status_of(id) == "completed";
        }, 30s));
        RjResult log = f.rj.batch({flag, dir + "/other_ssh_config", "log", id_s(id)});
        CHECK(log.out == "via-" + flag + "\n");
    }
}

TEST_CASE("global --accept-new-host-keys, before or after the command, lets rj -b reach a host whose key is unknown "
          "and records the key", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    // The key forgotten. As OpenSSH, StrictHostKeyChecking yes (the harness's)
    // would win over the flag: ask leaves the choice to rj.
    auto forget_key = [&] {
        hosts.forget("alpha");
        REQUIRE(run_shell("sed -i 's/StrictHostKeyChecking yes/StrictHostKeyChecking ask/' '" + hosts.ssh_config() + "'") == 0);
        REQUIRE(contains(slurp(hosts.ssh_config()), "StrictHostKeyChecking ask"));
        REQUIRE_FALSE(contains(slurp(hosts.known_hosts()), "ssh-ed25519"));
    };
    forget_key();
    RjResult refused = f.rj.batch({"run", "alpha", "true"});
    INFO(refused.describe());
    CHECK(refused.status == 1);
    CHECK(contains(refused.err, "--accept-new-host-keys"));
    CHECK(f.list({}).empty());

    // Before the command (before the fix, the command's own option parsing
    // reset it to false, so the hint's advice did not work), then after it.
    std::vector<std::vector<std::string>> lines{{"--accept-new-host-keys", "run", "alpha", "echo accepted"},
                                                {"run", "--accept-new-host-keys", "alpha", "echo accepted"}};
    for (const auto& line : lines) {
        if (&line != &lines.front()) forget_key();
        RjResult ok = f.rj.batch(line);
        INFO(ok.describe());
        REQUIRE(ok.status == 0);
        int64_t id = std::stoll(ok.out);
        CHECK(contains(slurp(hosts.known_hosts()), "ssh-ed25519"));
        // Recorded: without the flag rj now reaches it.
        Json j = f.await_end(id);
        CHECK(j["status"].str() == "completed");
        CHECK(f.rj.batch({"log", id_s(id)}).out == "accepted\n");
    }
}

TEST_CASE("every flag that rj -b help lists appears in some test source", "[jobs]") {
    TestHosts hosts({"alpha"});
    Rj rj(hosts);
    RjResult top = rj.batch({"help"});
    REQUIRE(top.status == 0);
    // Commands (the words under "Commands:") and every --flag in a flag column.
    std::vector<std::string> commands;
    std::set<std::string> flags;
    std::regex long_flag(R"((--[a-z][a-z0-9-]*))");
    auto collect = [&](const std::string& help, const std::string& where) {
        for (const auto& line : split_lines(help)) {
            if (!starts_with(line, "  -")) continue;
            std::string col = line.substr(0, line.find("  ", 2));
            for (std::sregex_iterator it(col.begin(), col.end(), long_flag), end; it != end; ++it)
                flags.insert(it->str() + "\t" + where);
        }
    };
    bool in_list = false;
    for (const auto& line : split_lines(top.out)) {
        if (line == "Commands:") {
            in_list = true;
            continue;
        }
        if (in_list && line.empty()) in_list = false;
        std::istringstream words(line);
        std::string name;
        if (in_list && words >> name) commands.push_back(name);
    }
    collect(top.out, "global");
    REQUIRE(commands.size() >= 20);
    for (const auto& c : commands) {
        RjResult h = rj.batch({"help", c});
        REQUIRE(h.status == 0);
        collect(h.out, c);
    }
    REQUIRE(flags.size() >= 60);

    // Every test source under tests/ (this file's own uses count: they are tests too).
    std::string sources;
    for (const auto& e : std::filesystem::recursive_directory_iterator(RJ_SRCDIR "/tests")) {
        if (!e.is_regular_file()) continue;
        std::string ext = e.path().extension().string();
        if (ext == ".cc" || ext == ".h" || ext == ".sh" || ext == ".py" || e.path().parent_path().filename() == "harness")
            sources += slurp(e.path().string()) + "\n";
    }
    REQUIRE(sources.size() > 100000);
    int missing = 0;
    for (const auto& fw : flags) {
        std::string flag = fw.substr(0, fw.find('\t'));
        // The flag as a word: "--queue" must not be found inside "--queued".
        bool found = false;
        for (size_t at = sources.find(flag); at != std::string::npos && !found; at = sources.find(flag, at + 1)) {
            char next = at + flag.size() < sources.size() ? sources[at + flag.size()] : ' ';
            found = !(std::islower(static_cast<unsigned char>(next)) || std::isdigit(static_cast<unsigned char>(next)) || next == '-');
        }
        if (!found) {
            ++missing;
            UNSCOPED_INFO("untested: " << flag << " (rj -b help " << fw.substr(fw.find('\t') + 1) << ")");
        }
    }
    CHECK(missing == 0);
}

TEST_CASE("log --lines N is -n N; COMMAND --help prints that command's help and runs nothing", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "for i in 1 2 3 4 5; do echo line$i; done"});
    REQUIRE(f.await_end(id)["status"].str() == "completed");
    RjResult longer = f.rj.batch({"log", "--lines", "2", id_s(id)});
    INFO(longer.describe());
    CHECK(longer.status == 0);
    CHECK(longer.out == "line4\nline5\n");
    RjResult shorter = f.rj.batch({"log", "-n", "2", id_s(id)});
    CHECK(shorter.out == longer.out);

    RjResult help = f.rj.batch({"run", "--help", "alpha", "touch ~/help-ran"});
    INFO(help.describe());
    CHECK(help.status == 0);
    CHECK(contains(help.out, "Options:"));
    CHECK(contains(help.out, "--queue"));
    CHECK(f.list({}).size() == 1);
    CHECK(f.on_host("alpha", "test -e ~/help-ran && echo ran; true") == "");
}

TEST_CASE("sync --verbose (-v) prints a line per host and the unreachable count; sync alone prints nothing", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    RjResult none = f.rj.batch({"sync", "--verbose"});
    INFO(none.describe());
    CHECK(none.status == 0);
    CHECK(none.out == "no hosts with active jobs\n");

    int64_t id = f.run({"alpha", "sleep 600"});
    REQUIRE(f.await_status(id, "running"));
    std::regex per_host(R"(^alpha: ok, \d+ job\(s\) updated, \d+ started\n$)");
    for (const char* flag : {"--verbose", "-v"}) {
        RjResult v = f.rj.batch({"sync", flag});
        INFO(v.describe());
        CHECK(v.status == 0);
        CHECK(std::regex_search(v.out, per_host));
    }
    RjResult quiet = f.rj.batch({"sync"});
    CHECK(quiet.status == 0);
    CHECK(quiet.out.empty());

    hosts.stop("alpha");
    RjResult down = f.rj.batch({"sync", "--verbose"});
    INFO(down.describe());
    CHECK(down.status == 0);  // reported, not fatal
    CHECK(down.out == "1 host(s) unreachable\n");
    CHECK(contains(down.err, "alpha: "));
    hosts.start("alpha");
    CHECK(f.rj.batch({"kill", id_s(id)}).status == 0);
}
