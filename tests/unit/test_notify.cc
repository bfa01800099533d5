// Job-end notifications: the message (pure), the [notify] config, the
// never-twice bookkeeping, and libcurl's multi interface on the loop.
#include "config.h"

#include <catch2/catch.hpp>
#include <stdexcept>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event/loop.h"
#include "notify/message.h"
#include "notify/sender.h"
#include "store/config_file.h"
#include "store/database.h"
#include "store/job_repo.h"
#include "store/notify_repo.h"
#include "test_support.h"
#include "util/error.h"

using namespace std::chrono_literals;
using test_support::TempDir;

namespace {

notify::JobInfo sample_job() {
    notify::JobInfo j;
    j.host = "gpu1";
    j.description = "train \"big\" @model";
    j.command = "python train.py";
    j.workdir = "~/proj";
    return j;
}

// A loopback TCP port nobody listens on (bound, then closed).
int closed_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("messages: Slack, Discord and generic JSON for success and failure", "[notify]") {
    notify::EndInfo ok{7, "completed", 0, 0, 95, "", "laptop"};
    CHECK(notify::payload(notify::Channel::Slack, sample_job(), ok) ==
          "{\"text\":\"\\u2713 rj job 7 on gpu1 completed in 1m35s: train \\\"big\\\" \\u0040model\"}");
    notify::EndInfo bad{8, "failed", 3, 0, 12, "step 1\nTraceback \"x\"\n", "host"};
    CHECK(notify::payload(notify::Channel::Discord, sample_job(), bad) ==
          "{\"content\":\"\\u2717 rj job 8 on gpu1 failed with exit code 3 after 12s: train \\\"big\\\" "
          "\\u0040model\\nstep 1\\nTraceback \\\"x\\\"\\n\"}");
    std::string generic = notify::payload(notify::Channel::Webhook, sample_job(), bad);
    CHECK(generic.starts_with("{\"id\":8,\"host\":\"gpu1\",\"status\":\"failed\",\"exit_code\":3,\"signal\":0,\"duration_s\":12,"));
    CHECK(generic.find("\"via\":\"host\"") != std::string::npos);
    CHECK(generic.find("\"log_tail\":\"step 1\\nTraceback \\\"x\\\"\\n\"") != std::string::npos);

    notify::EndInfo sig{9, "failed", -1, 9, 3700, "", "laptop"};
    CHECK(notify::payload(notify::Channel::Slack, sample_job(), sig).find("failed: signal 9 after 1h01m") != std::string::npos);
    notify::EndInfo dead{10, "dead", -1, 0, -1, "", "laptop"};
    std::string d = notify::payload(notify::Channel::Webhook, sample_job(), dead);
    CHECK(d.find("\"exit_code\":null,\"signal\":0,\"duration_s\":null") != std::string::npos);
    CHECK(d.find("is dead (gone without an exit record)") != std::string::npos);
    CHECK(notify::payload(notify::Channel::Slack, sample_job(), {11, "timeout", -1, 15, 60, "", ""})
              .find("timed out after 1m00s") != std::string::npos);
    CHECK(notify::payload(notify::Channel::Slack, sample_job(), {12, "killed", -1, 15, 5, "", ""})
              .find("was killed after 5s") != std::string::npos);
}

TEST_CASE("messages: a user's text can never become a placeholder; verbose adds directory and command", "[notify]") {
    notify::JobInfo j = sample_job();
    j.description = "";
    j.command = "echo @OUTCOME@ @TAIL@";
    j.verbose = true;
    std::string t = notify::payload_template(notify::Channel::Slack, j);
    CHECK(t.find("echo \\u0040OUTCOME\\u0040") != std::string::npos);
    std::string p = notify::payload(notify::Channel::Slack, j, {1, "completed", 0, 0, 20, "", ""});
    CHECK(p.find("@") == std::string::npos);
    CHECK(p.find("\\ndirectory: ~/proj\\ncommand: echo") != std::string::npos);
    CHECK(notify::fill("a@X@b@Y@c@@", {{"X", "1"}}) == "a1b@Y@c@@");
}

TEST_CASE("messages: durations and log tails as the wrapper writes them", "[notify]") {
    CHECK(notify::duration_text(0) == "0s");
    CHECK(notify::duration_text(59) == "59s");
    CHECK(notify::duration_text(61) == "1m01s");
    CHECK(notify::duration_text(3599) == "59m59s");
    CHECK(notify::duration_text(7380) == "2h03m");
    CHECK(notify::tail_lines("a\nb\nc\nd\ne\nf\ng\n") == "c\nd\ne\nf\ng");
    CHECK(notify::tail_lines("one") == "one");
    CHECK(notify::tail_lines("\n\nx\n\ny\n") == "x\n\ny");
    CHECK(notify::tail_lines("tab\there \x1b[31mred\xc3\xa9\r\n") == "tabhere [31mred");
    CHECK(notify::tail_lines(std::string(400, 'x')).size() == 300);
    CHECK(notify::tail_lines("") == "");
}

TEST_CASE("policy: failures always notify; successes after min_duration under all", "[notify]") {
    CHECK(notify::wants_message("all", "completed", 20, 15s));
    CHECK_FALSE(notify::wants_message("all", "completed", 5, 15s));
    CHECK(notify::wants_message("all", "failed", 1, 15s));
    CHECK(notify::wants_message("failures", "dead", -1, 15s));
    CHECK_FALSE(notify::wants_message("failures", "completed", 100, 15s));
    CHECK_FALSE(notify::wants_message("none", "failed", 100, 15s));
    CHECK_FALSE(notify::wants_message("", "failed", 100, 15s));
}

TEST_CASE("config: [notify] keys, host overrides and bad values with FILE:LINE", "[notify][config]") {
    auto c = store::Config::parse(
        "[notify]\nslack_webhook = https://hooks.slack.com/services/T/B/x\nwebhook = http://127.0.0.1:9/h\n"
        "notify = failures\nmin_duration = 1m\nverbose = on\nbell = yes\ncolour = x\n[host gpu1]\nnotify = all\n",
        "cfg");
    CHECK(c.notify.slack_webhook == "https://hooks.slack.com/services/T/B/x");
    CHECK(c.notify.webhook == "http://127.0.0.1:9/h");
    CHECK(c.notify.policy == "failures");
    CHECK(c.notify.min_duration == 60s);
    CHECK(c.notify.verbose);
    CHECK(c.notify.bell);
    CHECK(c.notify_policy_for("gpu1") == "all");
    CHECK(c.notify_policy_for("other") == "failures");
    REQUIRE(c.warnings.size() == 1);
    CHECK(c.warnings[0] == "cfg:8: unknown key 'colour' in [notify]");
    CHECK(store::Config::parse("", "cfg").notify.policy == "all");
    CHECK(store::Config::parse("", "cfg").notify.min_duration == 15s);

    auto error = [](const std::string& text) {
        try {
            store::Config::parse(text, "cfg");
        } catch (const util::Error& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error("[notify]\nslack_webhook = ftp://x\n") == "cfg:2: slack_webhook does not start with https:// or http://");
    CHECK(error("[notify]\nwebhook = https://x/\"a\n").starts_with("cfg:2: webhook has a space, a quote"));
    CHECK(error("[notify]\nnotify = sometimes\n") == "cfg:2: notify: 'sometimes' is not all, failures or none");
    CHECK(error("[host a]\nnotify = loud\n") == "cfg:2: notify: 'loud' is not all, failures or none");
}

TEST_CASE("config: RJ_SLACK_WEBHOOK and RJ_NOTIFY win over the file", "[notify][config]") {
    test_support::ScopedEnv slack("RJ_SLACK_WEBHOOK", "https://hooks.slack.com/services/env");
    test_support::ScopedEnv policy("RJ_NOTIFY", "FAILURES");
    auto c = store::Config::parse("[notify]\nslack_webhook = https://file/x\n", "cfg");
    c.apply_notify_environment();
    CHECK(c.notify.slack_webhook == "https://hooks.slack.com/services/env");
    CHECK(c.notify.policy == "failures");
    test_support::ScopedEnv bad("RJ_WEBHOOK", "not a url");
    CHECK_THROWS_AS(c.apply_notify_environment(), util::Error);
}

TEST_CASE("never twice: one claim per job, across processes, and who delivered it", "[notify][store]") {
    TempDir tmp;
    store::Database db1(tmp / "rj.db");
    store::Database db2(tmp / "rj.db");  // a second rj process
    store::JobRepo jobs(db1);
    store::Job j;
    j.host = "h";
    j.command = "true";
    j.status = store::status::failed;
    j.notify = "all";
    jobs.insert(j);
    store::Job quiet = j;
    quiet.id = 0;
    quiet.notify = "";  // submitted without notifications (or before v7)
    jobs.insert(quiet);

    store::NotifyRepo a(db1), b(db2);
    CHECK(a.open_ids() == std::vector<int64_t>{j.id});
    CHECK_FALSE(a.claim(j.id, 1000));  // undecided: the host may still speak
    CHECK(a.decide(j.id, "due", 1000));
    CHECK_FALSE(b.decide(j.id, "host", 1000));  // decided once
    CHECK(a.claim(j.id, 1000));
    CHECK_FALSE(b.claim(j.id, 1001));            // the other process keeps off
    CHECK(b.claim(j.id, 1000 + store::NotifyRepo::kStaleClaimS + 1));  // unless the claimer died
    b.finish(j.id, "laptop", 1400, "");
    CHECK_FALSE(a.claim(j.id, 99999));
    CHECK(a.open_ids().empty());
    auto got = jobs.get(j.id);
    CHECK(got->notified_via == "laptop");
    CHECK(got->notified_at == 1400);
    CHECK_FALSE(a.decide(quiet.id, "due", 1));
    CHECK(jobs.get(quiet.id)->notified_via == "");
}

TEST_CASE("sender: an unreachable webhook is retried with backoff, then reported; the loop never waits on it", "[notify]") {
    event::Loop loop;
    notify::Sender::Options o;
    o.max_attempts = 3;
    o.first_backoff = 50ms;
    o.timeout = 2s;
    notify::Sender sender(loop, o);
    std::optional<notify::DeliveryResult> result;
    auto started = event::Clock::now();
    sender.post("http://127.0.0.1:" + std::to_string(closed_port()) + "/hook", "{}",
                [&](notify::DeliveryResult r) { result = r; });
    CHECK(sender.in_flight() == 1);
    int ticks = 0;
    loop.every(10ms, [&] { ++ticks; });
    REQUIRE(loop.run_until([&] { return result.has_value(); }, event::Clock::now() + 10s));
    auto took = event::Clock::now() - started;
    CHECK_FALSE(result->ok);
    CHECK(result->attempts == 3);
    CHECK(result->http_status == 0);
    CHECK(!result->error.empty());
    CHECK(took >= 150ms);  // 50 ms + 100 ms of backoff
    CHECK(ticks >= 10);    // the loop's timers ran meanwhile
    CHECK(sender.in_flight() == 0);
}

TEST_CASE("sender: a completion callback that throws costs the others nothing; the error reaches the loop's guard",
          "[notify]") {
    event::Loop loop;
    notify::Sender::Options o;
    o.max_attempts = 1;
    o.timeout = 2s;
    notify::Sender sender(loop, o);
    std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/hook";
    int done = 0;
    for (int i = 0; i < 3; ++i)
        sender.post(url, "{}", [&done](notify::DeliveryResult) {
            if (++done == 1) throw std::runtime_error("database is locked");
        });
    std::vector<std::string> errors;
    loop.on_callback_error([&](std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            errors.push_back(ex.what());
        }
    });
    REQUIRE(loop.run_until([&] { return done == 3; }, event::Clock::now() + 10s));
    CHECK(errors == std::vector<std::string>{"database is locked"});
    CHECK(sender.in_flight() == 0);
}

TEST_CASE("digest: ends grouped by status, failures with their last lines, successes only counted", "[notify]") {
    auto entry = [](int64_t id, const std::string& host, const std::string& status, int code,
                    const std::string& tail = "") {
        notify::DigestEntry e;
        e.job.host = host;
        e.job.description = "job " + std::to_string(id) + "'s work";
        e.end.id = id;
        e.end.status = status;
        e.end.exit_code = code;
        e.end.seconds = 60;
        e.end.tail = tail;
        return e;
    };
    std::vector<notify::DigestEntry> v;
    for (int i = 0; i < 12; ++i) v.push_back(entry(100 + i, "gpu1", "completed", 0));
    v.push_back(entry(200, "gpu2", "failed", 3, "Traceback\nValueError: bad"));
    v.push_back(entry(201, "gpu1", "failed", 1));
    v.push_back(entry(202, "gpu2", "dead", -1));
    std::string text = notify::digest_text(v);
    INFO(text);
    CHECK(text.rfind("rj digest: 12 completed, 2 failed, 1 dead\n", 0) == 0);
    CHECK(text.find("rj job 200 on gpu2 failed with exit code 3 after 1m00s") != std::string::npos);
    CHECK(text.find("\n    Traceback\n    ValueError: bad") != std::string::npos);
    CHECK(text.find("rj job 202 on gpu2 is dead") != std::string::npos);
    CHECK(text.find("rj job 100 ") == std::string::npos);  // successes are counted, not listed
    std::string hook = notify::digest_payload(notify::Channel::Webhook, v);
    CHECK(hook.find("\"event\":\"digest\"") != std::string::npos);
    CHECK(hook.find("\"completed\":12") != std::string::npos);
    CHECK(hook.find("\"id\":202") != std::string::npos);
    for (auto ch : {notify::Channel::Slack, notify::Channel::Discord}) {
        std::string body = notify::digest_payload(ch, v);
        CHECK(body.find("rj digest: 12 completed") != std::string::npos);
    }
}

TEST_CASE("array message: counts of its tasks, the failed task numbers (at most 20), one line", "[notify]") {
    notify::JobInfo a;
    a.host = "gpu1";
    a.description = "sweep";
    std::vector<notify::EndInfo> tasks;
    for (int i = 1; i <= 30; ++i) {
        notify::EndInfo e;
        e.id = i;
        e.status = i % 10 == 0 ? "completed" : "failed";
        tasks.push_back(e);
    }
    std::string text = notify::array_text(a, 40, tasks);
    INFO(text);
    CHECK(text.find("rj array 40 on gpu1: 3 completed, 27 failed (tasks 1, 2, 3") != std::string::npos);
    CHECK(text.find(", ...): sweep") != std::string::npos);
    CHECK(text.find("\n") == std::string::npos);
    tasks.resize(0);
    notify::EndInfo ok;
    ok.id = 1;
    ok.status = "completed";
    tasks.push_back(ok);
    CHECK(notify::array_text(a, 40, tasks).find("1 completed: sweep") != std::string::npos);
}
