// remote-jobs' command lines, typed as `rj -b ...`, with remote-jobs' meaning
// (issue 21): the places where the two tools read the same words differently.
#include "config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>

#include "integration/rj_runner.h"
#include "precondition.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

std::string seq(int from, int to) {
    std::string s;
    for (int i = from; i <= to; ++i) s += std::to_string(i) + "\n";
    return s;
}

bool dir_exists(JobsFixture& f, const std::string& dir) {
    return f.on_host("alpha", "test -d " + dir + " && echo there || echo gone") == "there\n";
}

}  // namespace

TEST_CASE("cleanup --older-than 3 means three days: a job that ended seconds ago keeps its files", "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"alpha", "echo done"});
    REQUIRE(f.await_end(id)["status"].str() == "completed");
    std::string dir = f.job_dir_of(id);

    RjResult days = f.rj.batch({"cleanup", "alpha", "--older-than", "3"});
    INFO(days.describe());
    CHECK(days.status == 0);
    CHECK_FALSE(contains(days.out, "job " + id_s(id) + " "));
    CHECK(dir_exists(f, dir));
    CHECK(f.rj.batch({"log", id_s(id)}).out == "done\n");

    // A duration with a unit is still read as written.
    bool removed = eventually([&] {
        RjResult c = f.rj.batch({"cleanup", "alpha", "--older-than", "1s"});
        INFO(c.describe());
        REQUIRE(c.status == 0);
        return contains(c.out, "removed job " + id_s(id) + " (ended)");
    }, 15000ms, 300ms);
    CHECK(removed);
    CHECK_FALSE(dir_exists(f, dir));

    // A number of days too large to mean anything is refused, not wrapped.
    RjResult huge = f.rj.batch({"cleanup", "alpha", "--older-than", "99999999999"});
    CHECK(huge.status == 2);
    CHECK(error_form_problem(huge.err) == "");
}

TEST_CASE("-e A=1,B=2 sets two variables; \\, and a piece without NAME= keep a comma in a value", "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"-e", "A=1,B=2", "-e", "C=x\\,y", "-e", "P=/a,/b", "-C", "/tmp", "alpha",
                        "echo \"$A|$B|$C|$P\""});
    REQUIRE(f.await_end(id)["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(id)}).out == "1|2|x,y|/a,/b\n");

    // update of a waiting job reads -e the same way.
    int64_t queued = f.run({"--queue=q", "--hold", "-C", "/tmp", "alpha", "echo \"$U|$V\""});
    RjResult u = f.rj.batch({"update", id_s(queued), "-e", "U=1,V=2"});
    INFO(u.describe());
    REQUIRE(u.status == 0);
    REQUIRE(f.rj.batch({"release", id_s(queued)}).status == 0);
    REQUIRE(f.await_end(queued, 60s)["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(queued)}).out == "1|2\n");
}

TEST_CASE("log ID prints the last 50 lines by default; -n 0 and --all print the whole log", "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"-C", "/tmp", "alpha", "seq 1 120"});
    REQUIRE(f.await_end(id)["status"].str() == "completed");

    RjResult last = f.rj.batch({"log", id_s(id)});
    INFO(last.describe());
    CHECK(last.status == 0);
    CHECK(last.out == seq(71, 120));
    CHECK(f.rj.batch({"logs", id_s(id)}).out == seq(71, 120));
    CHECK(f.rj.batch({"log", "-n", "0", id_s(id)}).out == seq(1, 120));
    CHECK(f.rj.batch({"log", "--all", id_s(id)}).out == seq(1, 120));
    CHECK(f.rj.batch({"log", "-n", "3", id_s(id)}).out == seq(118, 120));
    // Lines chosen another way are not cut to 50.
    CHECK(f.rj.batch({"log", "--from", "1", id_s(id)}).out == seq(1, 120));
    // -f of an ended job: the last 50 lines, then its exit code.
    RjResult follow = f.rj.batch({"log", "-f", id_s(id)}, 30s);
    CHECK(follow.status == 0);
    CHECK(follow.out == seq(71, 120));
}

TEST_CASE("restart ID of a running job kills it first, then starts the copy", "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t old = f.run({"-C", "/tmp", "alpha", "sleep 300"});
    REQUIRE(f.await_status(old, "running", 15s));
    std::string old_session = f.session_of(old);

    RjResult r = f.rj.batch({"restart", id_s(old)});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    auto lines = split_lines(r.out);
    REQUIRE(lines.size() == 1);
    int64_t copy = std::stoll(lines[0]);
    CHECK(copy != old);
    CHECK(f.status_of(old) == "killed");
    auto sess = f.sessions("alpha");
    CHECK(std::find(sess.begin(), sess.end(), old_session) == sess.end());
    CHECK(f.await_status(copy, "running", 15s));
    CHECK(f.show(copy)["command"].str() == "sleep 300");
    REQUIRE(f.rj.batch({"kill", id_s(copy)}).status == 0);
}

TEST_CASE("queue remove ID... removes those waiting jobs; queue clear HOST empties a queue", "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(f.run({"--queue=q1", "--no-start", "-C", "/tmp", "alpha", "echo " + std::to_string(i)}));

    // The old spelling, a host, is refused with the new one named; nothing changes.
    RjResult old_form = f.rj.batch({"queue", "remove", "alpha"});
    INFO(old_form.describe());
    CHECK(old_form.status == 2);
    CHECK(contains(old_form.err, "queue clear"));
    for (int64_t id : ids) CHECK(f.status_of(id) == "queued");

    RjResult rm = f.rj.batch({"queue", "remove", id_s(ids[0]), id_s(ids[1])});
    INFO(rm.describe());
    CHECK(rm.status == 0);
    CHECK(rm.out == id_s(ids[0]) + "\tremoved\n" + id_s(ids[1]) + "\tremoved\n");
    CHECK(f.status_of(ids[0]) != "queued");
    CHECK(f.status_of(ids[1]) != "queued");
    CHECK(f.status_of(ids[2]) == "queued");
    RjResult st = f.rj.batch({"queue", "status", "--queue", "q1", "alpha"});
    INFO(st.describe());
    CHECK(contains(st.out, "waiting=1"));

    // A job that ended is not waiting: refused, and nothing is removed.
    int64_t ended = f.run({"-C", "/tmp", "alpha", "true"});
    REQUIRE(f.await_end(ended)["status"].str() == "completed");
    RjResult mixed = f.rj.batch({"queue", "remove", id_s(ids[2]), id_s(ended)});
    CHECK(mixed.status == 2);
    CHECK(f.status_of(ids[2]) == "queued");

    RjResult clear = f.rj.batch({"queue", "clear", "alpha", "--queue", "q1"});
    INFO(clear.describe());
    CHECK(clear.status == 0);
    CHECK(f.await_end(ids[2])["status"].str() != "queued");
}

TEST_CASE("job run|log|status|describe|list|kill are the top-level commands; logs, version and host jobs too", "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    RjResult run = f.rj.batch({"job", "run", "-C", "/tmp", "alpha", "echo via-job"});
    INFO(run.describe());
    REQUIRE(run.status == 0);
    int64_t id = std::stoll(split_lines(run.out).at(0));
    REQUIRE(f.await_end(id)["status"].str() == "completed");
    CHECK(f.rj.batch({"job", "log", id_s(id)}).out == "via-job\n");
    CHECK(f.rj.batch({"logs", id_s(id)}).out == "via-job\n");
    CHECK(f.rj.batch({"job", "status", id_s(id)}).status == 0);
    REQUIRE(f.rj.batch({"job", "describe", id_s(id), "from", "job"}).status == 0);
    CHECK(f.show(id)["description"].str() == "from job");
    CHECK(contains(f.rj.batch({"job", "list"}).out, "from job"));
    // host jobs HOST: that host's jobs; list --show ID: one job; --no-sync is accepted.
    CHECK(contains(f.rj.batch({"host", "jobs", "alpha"}).out, "from job"));
    CHECK(f.rj.batch({"list", "--show", id_s(id)}).out == f.rj.batch({"show", id_s(id)}).out);
    RjResult nosync = f.rj.batch({"list", "--no-sync"});
    CHECK(nosync.status == 0);
    CHECK(contains(nosync.out, "from job"));

    int64_t sleeper = f.run({"-C", "/tmp", "alpha", "sleep 300"});
    REQUIRE(f.await_status(sleeper, "running", 15s));
    RjResult k = f.rj.batch({"run", "alpha", "--kill", id_s(sleeper)});
    INFO(k.describe());
    CHECK(k.status == 0);
    CHECK(f.status_of(sleeper) == "killed");

    RjResult v = f.rj.batch({"version"});
    CHECK(v.status == 0);
    CHECK(starts_with(v.out, "rj "));
    CHECK(f.rj.batch({"host", "load", "alpha"}).status == 0);
    CHECK(contains(f.rj.batch({"host", "load", "alpha"}).out, "load:"));
}

TEST_CASE("queue add HOST CMD is run --queue; --queue NAME there names the queue; pending lists every waiting job",
          "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    RjResult add = f.rj.batch({"queue", "add", "--queue", "night", "--no-start", "-d", "added", "-e", "A=1,B=2",
                               "-C", "/tmp", "alpha", "echo", "$A$B"});
    INFO(add.describe());
    REQUIRE(add.status == 0);
    int64_t night = std::stoll(split_lines(add.out).at(0));
    CHECK(f.status_of(night) == "queued");
    CHECK(f.show(night)["queue"].str() == "night");
    RjResult plain = f.rj.batch({"queue", "add", "--no-start", "-C", "/tmp", "alpha", "true"});
    REQUIRE(plain.status == 0);
    int64_t dflt = std::stoll(split_lines(plain.out).at(0));
    CHECK(f.show(dflt)["queue"].str() == "default");
    // run's own rule: a bare --queue is followed by the host; --queue=NAME names a queue.
    int64_t bare = f.run({"--queue", "--no-start", "-C", "/tmp", "alpha", "true"});
    CHECK(f.show(bare)["queue"].str() == "default");

    // pending with no ids: every waiting job, each with its reason.
    RjResult p = f.rj.batch({"pending"});
    INFO(p.describe());
    CHECK(p.status == 0);
    auto lines = split_lines(p.out);
    CHECK(lines.size() == 3);
    for (int64_t id : {night, dflt, bare}) {
        bool found = std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return starts_with(l, id_s(id) + "\t"); });
        CHECK(found);
    }

    // queue status in the flag form, then the queue started: the job runs with both variables.
    RjResult st = f.rj.batch({"queue", "status", "--queue", "night", "alpha"});
    CHECK(contains(st.out, "waiting=1"));
    REQUIRE(f.rj.batch({"queue", "start", "--queue", "night", "alpha"}).status == 0);
    REQUIRE(f.await_end(night, 60s)["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(night)}).out == "12\n");
}

TEST_CASE("run --from ID [HOST] [CMD]: host and command default to the source job's", "[dropin]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    int64_t src = f.run({"-C", "/tmp", "-e", "W=src", "alpha", "echo \"$W on $(hostname -s 2>/dev/null || echo x)\"; pwd"});
    REQUIRE(f.await_end(src)["status"].str() == "completed");
    int64_t same = f.run({"--from", id_s(src)});
    int64_t other_cmd = f.run({"--from", id_s(src), "echo", "\"$W\"", "again"});
    int64_t other_host = f.run({"--from", id_s(src), "beta"});
    for (auto id : {same, other_cmd, other_host}) REQUIRE(f.await_end(id)["status"].str() == "completed");
    CHECK(f.show(same)["host"].str() == "alpha");
    CHECK(f.show(same)["command"].str() == f.show(src)["command"].str());
    CHECK(f.show(other_cmd)["host"].str() == "alpha");
    CHECK(f.rj.batch({"log", id_s(other_cmd)}).out == "src again\n");
    CHECK(f.show(other_host)["host"].str() == "beta");
    CHECK(f.show(other_host)["command"].str() == f.show(src)["command"].str());
}

TEST_CASE("run --allow streams the log as run -f does and exits with the job's code", "[dropin]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    RjResult r = f.rj.batch({"run", "--allow", "-C", "/tmp", "alpha", "echo first; sleep 1; echo second; exit 4"}, 30s);
    INFO(r.describe());
    CHECK(r.status == 4);
    auto lines = split_lines(r.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1] == "first");
    CHECK(lines[2] == "second");
}

TEST_CASE("list and status sync quickly first; a host that does not answer is shown from history, marked",
          "[dropin][root]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    // A connect timeout well above the quick sync's two seconds, so that a
    // full sync and a quick one differ clearly.
    std::string config = hosts.dir() + "/ssh_config_slow_connect";
    REQUIRE(run_shell("sed -e 's/ConnectTimeout 3/ConnectTimeout 12/' " + shell_quote(hosts.ssh_config()) + " > " +
                      shell_quote(config)) == 0);
    f.rj.set_env("RJ_SSH_CONFIG", config);
    int64_t stuck = f.run({"-C", "/tmp", "alpha", "sleep 300"});
    int64_t quick = f.run({"-C", "/tmp", "beta", "true"});
    // beta's job ends on the host; history still has it running.
    std::string session = f.session_of(quick);
    REQUIRE(eventually([&] {
        auto s = f.sessions("beta");
        return std::find(s.begin(), s.end(), session) == s.end();
    }, 15000ms));
    REQUIRE(f.status_of(quick) != "completed");
    if (!precondition(hosts.blackhole("alpha"), "blackholing needs root and iptables")) return;

    // --no-sync: history as it is, no host asked, nothing marked.
    RjResult plain = f.rj.batch({"list", "--no-sync"});
    INFO(plain.describe());
    CHECK(plain.status == 0);
    CHECK_FALSE(contains(plain.out, "completed"));
    CHECK_FALSE(contains(plain.out, " ?"));

    // The host that answers is synced (on a loaded machine its exchange may
    // take longer than the quick sync's budget once: asked again then).
    RjResult listed;
    bool marked = false, synced = false;
    eventually([&] {
        listed = f.rj.batch({"list"}, 60s);
        for (const auto& line : split_lines(listed.out)) {
            if (starts_with(line, id_s(stuck) + " ")) marked = contains(line, "running ?");
            if (starts_with(line, id_s(quick) + " ")) synced = contains(line, "completed") && !contains(line, "?");
        }
        return synced;
    }, 60000ms, 0ms);
    INFO(listed.describe());
    CHECK(listed.status == 0);
    CHECK(marked);
    CHECK(synced);
    CHECK(contains(listed.err, "not synced"));
    CHECK(contains(listed.err, "alpha"));

    RjResult st = f.rj.batch({"status", id_s(stuck)}, 60s);
    INFO(st.describe());
    CHECK(st.status == 2);
    CHECK(st.out == id_s(stuck) + "\trunning ?\n");

    // --sync waits for the full sync: the connect timeout, not two seconds.
    RjResult full = f.rj.batch({"list", "--sync"}, 60s);
    INFO(full.describe());
    CHECK(full.status == 0);
    CHECK(contains(full.err, "alpha"));
    // The quick ones return in well under the full sync's time.
    CHECK(listed.seconds < full.seconds / 2);
    CHECK(st.seconds < full.seconds / 2);
    hosts.unblackhole("alpha");
    REQUIRE(f.rj.batch({"kill", id_s(stuck)}, 60s).status == 0);
}

namespace {

// The words a POSIX shell makes of `line` (quotes as the README writes them).
std::vector<std::string> shell_words(const std::string& line) {
    std::string out;
    REQUIRE(run_shell("sh -c 'for a; do printf \"%s\\n\" \"$a\"; done' sh " + line, &out) == 0);
    return split_lines(out);
}

// `word` with every whole-word `from` replaced by `to`.
std::string replace_word(std::string text, const std::string& from, const std::string& to) {
    auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
        bool left = at == 0 || !is_word(text[at - 1]);
        bool right = at + from.size() == text.size() || !is_word(text[at + from.size()]);
        if (left && right) {
            text.replace(at, from.size(), to);
            at += to.size();
        } else {
            at += from.size();
        }
    }
    return text;
}

}  // namespace

TEST_CASE("every example command line of remote-jobs' README is accepted by rj -b", "[dropin][readme]") {
    TestHosts hosts({"alpha", "beta"});
    JobsFixture f(hosts);
    std::ifstream data(std::string(std::getenv("RJ_SRCDIR") ? std::getenv("RJ_SRCDIR") : ".") +
                       "/tests/data/remote-jobs-readme-commands.txt");
    REQUIRE(data.good());
    const std::string plan = "version: 1\njobs:\n  - job:\n      name: readme\n      host: alpha\n      command: \"true\"\n";
    std::ofstream(hosts.home() + "/plan.yaml") << plan;
    std::ofstream(hosts.home() + "/generated-plan.yaml") << plan;
    // The README's hosts, as test hosts.
    const std::vector<std::pair<std::string, std::string>> host_names = {
        {"deepthought", "alpha"}, {"cool30", "alpha"}, {"cool100", "beta"}, {"studio", "beta"}};
    // Its job ids 42, 43, 44: jobs that ended (made again when a line
    // removed one: prune, list --cleanup); `job move` moves waiting ones.
    std::map<std::string, int64_t> ended;
    auto ended_job = [&] {
        int64_t id = f.run({"-C", "/tmp", "alpha", "true"});
        REQUIRE(f.await_end(id)["status"].str() == "completed");
        return id;
    };
    int lines = 0;
    for (std::string line; std::getline(data, line);) {
        if (line.empty() || line[0] == '#') continue;
        // The interactive face (`rj tui [--mouse]` is `rj [--mouse]`) needs a terminal: not a batch line.
        if (line.rfind("tui", 0) == 0) continue;
        ++lines;
        INFO("README line: " << line);
        for (const auto& [from, to] : host_names) line = replace_word(line, from, to);
        bool move = line.rfind("job move ", 0) == 0;
        for (const std::string id : {"42", "43", "44"}) {
            int64_t real = 0;
            if (move) {
                real = f.run({"--queue=q", "--no-start", "-C", "/tmp", "alpha", "true"});
            } else {
                if (!ended.count(id) || f.rj.batch({"show", id_s(ended[id])}).status != 0) ended[id] = ended_job();
                real = ended[id];
            }
            line = replace_word(line, id, id_s(real));
        }
        // Batch runs with stdin from /dev/null: the plan is named instead.
        auto redirect = line.find(" - < ");
        if (redirect != std::string::npos) line = line.substr(0, redirect) + " " + line.substr(redirect + 5);
        std::vector<std::string> words = shell_words(line);
        // The README's programs (python, with-gpu) are not on test hosts: `true` stands for them.
        for (auto& w : words)
            if (w.rfind("python ", 0) == 0 || w.rfind("with-gpu ", 0) == 0) w = "true";
        RjResult r = f.rj.batch(words, 120s, hosts.home());
        INFO(r.describe());
        // 2 is a refused command line (and a job still running, which none of these is).
        CHECK(r.status != 2);
        CHECK_FALSE(r.timed_out);
    }
    CHECK(lines >= 80);
}
