// `rj -b import remote-jobs` (issue 21): a remote-jobs user's database, made
// here with remote-jobs' own schema (internal/db/db.go of
// github.com/osteele/remote-jobs), and jobs started on a real test host the
// way its wrapper (internal/session/session.go) starts them: tmux session
// rj-ID, ~/.cache/remote-jobs/logs/ID-YYYYMMDD-HHMMSS.{log,pid,status}.
#include "config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// remote-jobs' jobs table after its migrations (error_message, queue_name
// added, start_time nullable).
const char* const kRemoteJobsSchema =
    "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, host TEXT NOT NULL, session_name TEXT, "
    "working_dir TEXT NOT NULL, command TEXT NOT NULL, description TEXT, start_time INTEGER, end_time INTEGER, "
    "exit_code INTEGER, status TEXT NOT NULL DEFAULT 'running', error_message TEXT, queue_name TEXT);"
    "CREATE INDEX idx_jobs_host ON jobs(host);"
    "CREATE TABLE hosts (name TEXT PRIMARY KEY, arch TEXT, os_version TEXT);";

void sql(const std::string& db, const std::string& text) {
    REQUIRE(run_shell("sqlite3 " + shell_quote(db) + " " + shell_quote(text)) == 0);
}

// Starts remote-jobs' job `id` on the host as its wrapper does: the same
// files, the same session name, the exit code written to .status at the end.
void start_like_remote_jobs(JobsFixture& f, int64_t id, int64_t start, const std::string& cmd) {
    char stamp[32];
    time_t t = static_cast<time_t>(start);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
    std::string base = "~/.cache/remote-jobs/logs/" + id_s(id) + "-" + stamp;
    std::string wrapper = "echo \"=== START $(date) ===\" > " + base + ".log; echo \"job_id: " + id_s(id) + "\" >> " +
                          base + ".log; echo \"cmd: " + cmd + "\" >> " + base + ".log; echo \"===\" >> " + base +
                          ".log; cd /tmp && { (echo $BASHPID > " + base + ".pid; exec bash -c " + shell_quote(cmd) +
                          ") >> " + base + ".log 2>&1 & wait $!; }; EXIT_CODE=$?; echo \"=== END exit=$EXIT_CODE $(date) ===\" >> " +
                          base + ".log; echo $EXIT_CODE > " + base + ".status";
    f.on_host("alpha", "mkdir -p ~/.cache/remote-jobs/logs && tmux new-session -d -s rj-" + id_s(id) + " bash -c " +
                           shell_quote(wrapper));
}

// "OLD -> NEW" lines of an import, as a map.
std::map<int64_t, int64_t> mapping(const std::string& out) {
    std::map<int64_t, int64_t> m;
    for (const auto& line : split_lines(out)) {
        auto arrow = line.find(" -> ");
        REQUIRE(arrow != std::string::npos);
        m[std::stoll(line.substr(0, arrow))] = std::stoll(line.substr(arrow + 4));
    }
    return m;
}

}  // namespace

TEST_CASE("import remote-jobs: history and running jobs come over; sync, log and kill follow them; twice adds nothing",
          "[dropin][import]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::string db = hosts.dir() + "/remote-jobs.db";
    sql(db, kRemoteJobsSchema);
    start_like_remote_jobs(f, 7, now - 60, "while [ ! -f ~/go7 ]; do sleep 0.2; done; echo finished; exit 3");
    start_like_remote_jobs(f, 8, now - 30, "sleep 300");
    REQUIRE(eventually([&] { return f.on_host("alpha", "cat ~/.cache/remote-jobs/logs/8-*.pid 2>/dev/null", true) != ""; },
                       10000ms));
    sql(db, "INSERT INTO jobs VALUES (5, 'alpha', 'rj-5', '/tmp', 'echo old', 'the old one', " + id_s(now - 900) + ", " +
                id_s(now - 890) + ", 0, 'completed', NULL, NULL);"
            "INSERT INTO jobs VALUES (6, 'alpha', 'rj-6', '~/work', 'make test', NULL, " + id_s(now - 800) + ", " +
                id_s(now - 700) + ", 2, 'completed', NULL, NULL);"
            "INSERT INTO jobs VALUES (7, 'alpha', 'rj-7', '/tmp', 'waits for go7', 'running one', " + id_s(now - 60) +
                ", NULL, NULL, 'running', NULL, NULL);"
            "INSERT INTO jobs VALUES (8, 'alpha', 'rj-8', '/tmp', 'sleep 300', NULL, " + id_s(now - 30) +
                ", NULL, NULL, 'running', NULL, NULL);"
            "INSERT INTO jobs VALUES (9, 'alpha', NULL, '/tmp', 'echo later', NULL, NULL, NULL, NULL, 'queued', NULL, "
                "'night');"
            "INSERT INTO jobs VALUES (10, 'alpha', 'rj-10', '/tmp', 'vanished', NULL, " + id_s(now - 500) + ", " +
                id_s(now - 400) + ", NULL, 'dead', NULL, NULL);");

    RjResult first = f.rj.batch({"import", "remote-jobs", db});
    INFO(first.describe());
    REQUIRE(first.status == 0);
    auto ids = mapping(first.out);
    REQUIRE(ids.size() == 6);
    CHECK(contains(first.err, "imported 6 job(s)"));

    Json old = f.show(ids[5]);
    CHECK(old["status"].str() == "completed");
    CHECK(old["command"].str() == "echo old");
    CHECK(old["description"].str() == "the old one");
    CHECK(old["host"].str() == "alpha");
    Json failed = f.show(ids[6]);
    CHECK(failed["status"].str() == "failed");
    CHECK(failed["exit_code"].integer() == 2);
    CHECK(failed["workdir"].str() == "~/work");
    CHECK(f.status_of(ids[7]) == "running");
    CHECK(f.status_of(ids[9]) == "cancelled");
    CHECK(f.show(ids[9])["queue"].str() == "night");
    CHECK(f.status_of(ids[10]) == "dead");

    // A second import adds nothing and names the same jobs.
    RjResult again = f.rj.batch({"import", "remote-jobs", db});
    INFO(again.describe());
    CHECK(again.status == 0);
    CHECK(mapping(again.out) == ids);
    CHECK(contains(again.err, "imported 0 job(s)"));
    CHECK(f.list().size() == 6);

    // log reads remote-jobs' log file; a sync leaves the running job running.
    RjResult log = f.rj.batch({"log", "--all", id_s(ids[7])});
    INFO(log.describe());
    CHECK(log.status == 0);
    CHECK(contains(log.out, "job_id: 7"));
    REQUIRE(f.rj.batch({"sync"}).status == 0);
    CHECK(f.status_of(ids[7]) == "running");

    // kill ends remote-jobs' session.
    RjResult k = f.rj.batch({"kill", id_s(ids[8])});
    INFO(k.describe());
    CHECK(k.status == 0);
    CHECK(f.status_of(ids[8]) == "killed");
    auto sessions = f.sessions("alpha");
    CHECK(std::find(sessions.begin(), sessions.end(), "rj-8") == sessions.end());

    // The running job ends: sync records the exit code its .status file holds.
    f.on_host("alpha", "touch ~/go7");
    Json ended = f.await_end(ids[7]);
    CHECK(ended["status"].str() == "failed");
    CHECK(ended["exit_code"].integer() == 3);
    CHECK(contains(f.rj.batch({"log", id_s(ids[7])}).out, "finished"));
}

TEST_CASE("import remote-jobs: a missing or foreign file is refused and nothing is written", "[dropin][import]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    RjResult missing = f.rj.batch({"import", "remote-jobs", hosts.dir() + "/nothing-here.db"});
    INFO(missing.describe());
    CHECK(missing.status != 0);
    CHECK(contains(missing.err, "no remote-jobs database at"));
    CHECK(error_form_problem(missing.err) == "");

    std::string text = hosts.dir() + "/notes.txt";
    std::ofstream(text) << "not a database\n";
    RjResult foreign = f.rj.batch({"import", "remote-jobs", text});
    INFO(foreign.describe());
    CHECK(foreign.status != 0);
    CHECK(contains(foreign.err, "is not a remote-jobs database"));

    std::string other = hosts.dir() + "/other.db";
    sql(other, "CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT);");
    RjResult shape = f.rj.batch({"import", "remote-jobs", other});
    INFO(shape.describe());
    CHECK(shape.status != 0);
    CHECK(contains(shape.err, "is not a remote-jobs database"));

    RjResult from = f.rj.batch({"import", "slurm"});
    CHECK(from.status == 2);
    CHECK(f.list().empty());
}

TEST_CASE("import remote-jobs: its config.yaml and Slack settings map to rj's config, each printed; rj's own win",
          "[dropin][import]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    // remote-jobs' default places, under the test HOME.
    std::string dir = hosts.home() + "/.config/remote-jobs";
    REQUIRE(run_shell("mkdir -p " + shell_quote(dir) + " " + shell_quote(hosts.home() + "/.config/rj")) == 0);
    sql(dir + "/jobs.db", kRemoteJobsSchema);
    std::ofstream(dir + "/config.yaml") << "default_command: python train.py\nsync_interval: 30\n"
                                           "log_refresh_interval: 5\nhost_refresh_interval: 20\nenable_mouse: true\n";
    std::ofstream(dir + "/config") << "SLACK_WEBHOOK=https://hooks.slack.com/services/T0/B0/secret\n";
    std::string rj_config = hosts.home() + "/.config/rj/config";
    std::ofstream(rj_config) << "log_interval = 3s\n";
    f.rj.set_env("REMOTE_JOBS_SLACK_NOTIFY", "failures");
    f.rj.set_env("REMOTE_JOBS_SLACK_MIN_DURATION", "60");

    RjResult r = f.rj.batch({"import", "remote-jobs"});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    CHECK(contains(r.err, "config.yaml sync_interval: 30 -> sync_interval = 30s"));
    CHECK(contains(r.err, "kept rj's own log_interval"));
    CHECK(contains(r.err, "host_refresh_interval: 20 -> meter_interval = 20s"));
    CHECK(contains(r.err, "enable_mouse: true -> mouse = on"));
    CHECK(contains(r.err, "default_command: not mapped"));
    CHECK(contains(r.err, "SLACK_WEBHOOK -> [notify] slack_webhook = (the URL)"));
    CHECK_FALSE(contains(r.err, "secret"));  // the URL is a secret: not printed
    CHECK(contains(r.err, "REMOTE_JOBS_SLACK_NOTIFY=failures -> [notify] notify = failures"));
    CHECK(contains(r.err, "min_duration = 60s"));
    std::ifstream in(rj_config);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(contains(text, "log_interval = 3s\n"));
    CHECK_FALSE(contains(text, "log_interval = 5s"));
    CHECK(contains(text, "sync_interval = 30s"));
    CHECK(contains(text, "[notify]\n"));
    CHECK(contains(text, "slack_webhook = https://hooks.slack.com/services/T0/B0/secret"));
    // rj reads what was written.
    CHECK(f.rj.batch({"list", "--no-sync"}).status == 0);

    // Again: everything is rj's own now; the file does not change.
    RjResult again = f.rj.batch({"import", "remote-jobs"});
    INFO(again.describe());
    CHECK(again.status == 0);
    CHECK_FALSE(contains(again.err, " -> "));
    std::ifstream in2(rj_config);
    std::string text2((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
    CHECK(text2 == text);

    // A config.yaml that is not remote-jobs': refused, nothing written.
    std::ofstream(dir + "/config.yaml") << "sync_interval: soon\n";
    sql(dir + "/jobs.db", "INSERT INTO jobs (host, working_dir, command, status) VALUES ('alpha', '/tmp', 'x', 'dead');");
    RjResult bad = f.rj.batch({"import", "remote-jobs"});
    INFO(bad.describe());
    CHECK(bad.status == 1);
    CHECK(contains(bad.err, "sync_interval 'soon' is not a number of seconds"));
    CHECK(f.list().empty());
}
