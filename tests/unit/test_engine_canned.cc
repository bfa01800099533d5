// The engine end to end on canned host replies: submit, sync and kill decide
// a job's fate from what "the host" says, and refuse what it should not say.
// The transport is the engine's own interface (RemoteTransport); the
// database, the loop and every parser are the real ones.
#include "config.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "engine/host_clock.h"
#include "engine/job_state.h"
#include "engine/job_facts.h"
#include "engine/jobs.h"
#include "engine/tick.h"
#include "store/job_repo.h"
#include "test_support.h"
#include "util/error.h"

using engine::FailureKind;
using engine::RemoteReply;
using test_support::TempDir;

namespace {

// Answers each script with the next canned reply (in order), on the loop.
class CannedHost : public engine::RemoteTransport {
public:
    using Answer = std::function<RemoteReply(const std::string& host, const std::string& script)>;
    explicit CannedHost(event::Loop& loop) : loop_(loop) {}
    void answer(Answer a) { answers_.push_back(std::move(a)); }
    void run(const std::string& host, std::string script, event::Duration,
             std::function<void(RemoteReply)> done) override {
        scripts.push_back(script);
        RemoteReply r;
        if (answers_.empty()) {
            r.fail(FailureKind::Remote, "test: no canned answer left");
        } else {
            r = answers_.front()(host, script);
            answers_.pop_front();
        }
        loop_.after(event::Duration::zero(), [done, r] { done(r); });
    }
    std::vector<std::string> scripts;

private:
    event::Loop& loop_;
    std::deque<Answer> answers_;
};

RemoteReply says(std::string out) {
    RemoteReply r;
    r.exit_status = 0;
    r.out = std::move(out);
    return r;
}

RemoteReply unreachable() {
    RemoteReply r;
    r.fail(FailureKind::Unreachable, "connect to alpha: Connection refused", "is the host up?");
    return r;
}

// `host_now`: the host's clock; by default ours, so that the fixed epochs of
// the job lines are taken as they are (a host off by more than a minute has
// its times shifted, see engine/host_clock.h).
std::string sync_reply(const std::string& job_lines, const std::string& journal = "", int64_t host_now = 0) {
    if (host_now == 0) host_now = engine::now_epoch();
    return "RJ-SYNC v=1 now=" + std::to_string(host_now) + "\nRJ-TMUX ok\n" + job_lines + "RJ-JOURNAL offset=0 size=" +
           std::to_string(journal.size()) + " reset=0 more=0 bytes=" + std::to_string(journal.size()) + "\n" +
           journal + "\nRJ-END\n";
}

std::string exit_lines(int64_t id, const std::string& kind, int code, int sig) {
    return "RJ-JOB id=" + std::to_string(id) +
           " dir=1 pid=100 pgid=100 alive=0 wpid=99 walive=0 started=1700000000 created=1699999999 killreq=0\n"
           "RJ-EXIT id=" + std::to_string(id) + " kind=" + kind + " rc=" + std::to_string(code) +
           " code=" + std::to_string(code) + " sig=" + std::to_string(sig) +
           " started=1700000000 ended=1700000050 user=1.5 sys=0.25\n";
}

std::string running_lines(int64_t id) {
    return "RJ-JOB id=" + std::to_string(id) +
           " dir=1 pid=100 pgid=100 alive=1 wpid=99 walive=1 started=1700000000 created=1699999999 killreq=0\n";
}

struct Rig {
    TempDir tmp;
    event::Loop loop;
    std::unique_ptr<engine::Engine> engine;
    CannedHost* host = nullptr;

    Rig() {
        std::ofstream(tmp / "ssh_config") << "Host alpha beta\n  HostName 127.0.0.1\n";
        engine::EngineOptions o;
        o.ssh_config_path = tmp / "ssh_config";
        o.db_path = tmp / "rj.db";
        o.config_path = tmp / "config";
        engine = std::make_unique<engine::Engine>(loop, o);
        auto canned = std::make_unique<CannedHost>(loop);
        host = canned.get();
        engine->set_transport(std::move(canned));
    }

    engine::SubmitResult submit(bool queue_on_fail = false, const std::string& on = "alpha") {
        engine::SubmitRequest req;
        req.host = on;
        req.command = "python train.py";
        req.workdir = "~";
        req.queue_on_fail = queue_on_fail;
        engine::SubmitResult result;
        bool done = false;
        engine::submit(*engine, req, [&](engine::SubmitResult r) {
            result = std::move(r);
            done = true;
        });
        loop.run_until([&] { return done; });
        return result;
    }

    // Submits one job that the host starts; returns its id.
    int64_t running_job(const std::string& on = "alpha") {
        host->answer([](const std::string&, const std::string&) {
            return says("RJ-SUBMIT ok id=1 pid=4242 started=1700000000 already=0 exited=0\n");
        });
        auto r = submit(false, on);
        REQUIRE(r.ok());
        return r.job_id;
    }

    engine::SyncReport sync() {
        std::vector<engine::SyncReport> reports;
        engine::sync_hosts(*engine, {"alpha"}, [&](engine::SyncReport r) { reports.push_back(std::move(r)); });
        loop.run_until([&] { return !reports.empty() && engine->pending() == 0; });
        return reports.front();
    }

    store::Job job(int64_t id) { return engine::get_job(*engine, id); }
};

}  // namespace

TEST_CASE("canned host: a submit the host confirms runs; one it refuses leaves no row", "[engine][canned]") {
    Rig rig;
    int64_t id = rig.running_job();
    CHECK(rig.job(id).status == store::status::running);
    CHECK(rig.job(id).pid == 4242);

    rig.host->answer([](const std::string&, const std::string&) {
        return says("RJ-SUBMIT error id=2 msg=tmux not found on host: install tmux\n");
    });
    auto refused = rig.submit();
    CHECK(refused.kind == FailureKind::Remote);
    CHECK_THAT(refused.error, Catch::Contains("tmux not found"));
    CHECK(store::JobRepo(rig.engine->db()).count({}) == 1);
}

TEST_CASE("canned host: an unreachable host fails as Unreachable, or keeps the job pending when asked", "[engine][canned]") {
    Rig rig;
    rig.host->answer([](const std::string&, const std::string&) { return unreachable(); });
    auto r = rig.submit();
    CHECK(r.kind == FailureKind::Unreachable);
    CHECK(store::JobRepo(rig.engine->db()).count({}) == 0);

    rig.host->answer([](const std::string&, const std::string&) { return unreachable(); });
    auto kept = rig.submit(true);
    CHECK(kept.pending);
    CHECK(rig.job(kept.job_id).status == store::status::pending);
}

TEST_CASE("canned host: every end a host reports becomes the job's fate at sync", "[engine][canned]") {
    struct Case {
        const char* kind;
        int code, sig;
        store::Status status;
    };
    for (const Case& c : {Case{"exit", 0, 0, store::status::completed}, Case{"exit", 3, 0, store::status::failed},
                          Case{"signal", -1, 9, store::status::failed}, Case{"killed", -1, 15, store::status::killed},
                          Case{"timeout", -1, 15, store::status::timeout}, Case{"idle", -1, 15, store::status::timeout},
                          Case{"lost", -1, 0, store::status::dead}, Case{"error", 126, 0, store::status::failed},
                          Case{"martian", 0, 0, store::status::failed}}) {
        INFO("end record kind=" << c.kind);
        Rig rig;
        int64_t id = rig.running_job();
        rig.host->answer([&](const std::string&, const std::string&) { return says(sync_reply(exit_lines(id, c.kind, c.code, c.sig))); });
        auto report = rig.sync();
        CHECK(report.ok());
        store::Job j = rig.job(id);
        CHECK(j.status == c.status);
        CHECK(j.ended_at == 1700000050);
        if (c.status == store::status::completed || std::string(c.kind) == "exit") CHECK(j.exit_code == c.code);
    }
}

TEST_CASE("canned host: a job the host has no trace of is dead; one still running stays running", "[engine][canned]") {
    Rig rig;
    int64_t id = rig.running_job();
    rig.host->answer([&](const std::string&, const std::string&) { return says(sync_reply(running_lines(id))); });
    CHECK(rig.sync().ok());
    CHECK(rig.job(id).status == store::status::running);
    rig.host->answer([&](const std::string&, const std::string&) {
        return says(sync_reply("RJ-JOB id=" + std::to_string(id) + " dir=0\n"));
    });
    CHECK(rig.sync().ok());
    CHECK(rig.job(id).status == store::status::dead);
}

TEST_CASE("canned host: an ended job stays ended whatever a later reply claims", "[engine][canned]") {
    Rig rig;
    int64_t id = rig.running_job();
    rig.host->answer([&](const std::string&, const std::string&) { return says(sync_reply(exit_lines(id, "exit", 0, 0))); });
    rig.sync();
    REQUIRE(rig.job(id).status == store::status::completed);
    // A replayed or forged reply: killed now, and a journal that says so.
    rig.host->answer([&](const std::string&, const std::string&) {
        return says(sync_reply(exit_lines(id, "killed", -1, 9)));
    });
    rig.sync();
    CHECK(rig.job(id).status == store::status::completed);
    CHECK(rig.job(id).exit_code == 0);
}

TEST_CASE("canned host: facts and journal lines about jobs rj does not have are ignored", "[engine][canned]") {
    Rig rig;
    int64_t mine = rig.running_job();
    int64_t other = rig.running_job();
    int64_t on_beta = rig.running_job("beta");
    REQUIRE(other != mine);
    // The journal ends `other` (applied: a real line about a job asked
    // about) and speaks of job 999, which this database never had, and of
    // beta's job, which alpha has no say over; the facts claim both ended too.
    std::string journal = "1700000060 " + std::to_string(other) +
                          " exit rc=1 code=1 sig=0 started=1700000000 ended=1700000060 user=0 sys=0\n"
                          "1700000061 999 exit rc=0 code=0 sig=0 started=1700000000 ended=1700000061 user=0 sys=0\n"
                          "1700000062 " + std::to_string(on_beta) +
                          " killed rc=143 code=-1 sig=15 started=1700000000 ended=1700000062 user=0 sys=0\n";
    rig.host->answer([&](const std::string&, const std::string&) {
        return says(sync_reply(running_lines(mine) + exit_lines(999, "exit", 0, 0) + exit_lines(on_beta, "exit", 0, 0), journal));
    });
    auto report = rig.sync();
    CHECK(report.ok());
    CHECK(rig.job(other).status == store::status::failed);
    CHECK(rig.job(other).exit_code == 1);
    CHECK_FALSE(store::JobRepo(rig.engine->db()).get(999).has_value());
    CHECK(rig.job(mine).status == store::status::running);
    CHECK(rig.job(on_beta).status == store::status::running);
}

TEST_CASE("canned host: a malformed sync reply is a Remote failure that changes nothing", "[engine][canned]") {
    Rig rig;
    int64_t id = rig.running_job();
    rig.host->answer([](const std::string&, const std::string&) { return says("Welcome!\nRJ-SYNC v=1 now=1\n"); });
    auto report = rig.sync();
    CHECK(report.kind == FailureKind::Remote);
    CHECK(rig.job(id).status == store::status::running);
    rig.host->answer([](const std::string&, const std::string&) { return unreachable(); });
    auto offline = rig.sync();
    CHECK(offline.kind == FailureKind::Unreachable);
    CHECK(rig.job(id).status == store::status::running);
}

TEST_CASE("canned host: kill applies only the answers asked for; a missing answer is an error", "[engine][canned]") {
    Rig rig;
    int64_t a = rig.running_job();
    int64_t b = rig.running_job();
    rig.host->answer([&](const std::string&, const std::string&) {
        // Answers for a only (and for an id nobody asked about).
        return says("RJ-TMUX ok\nRJ-KILL id=" + std::to_string(a) + " state=signalled was_running=1\n" +
                    running_lines(a) + "RJ-KILL id=999 state=signalled was_running=1\nRJ-END\n");
    });
    std::map<int64_t, engine::KillResult> results;
    engine::kill_jobs(*rig.engine, {a, b}, [&](engine::KillResult r) { results[r.id] = r; });
    rig.loop.run_until([&] { return results.size() >= 2 && rig.engine->pending() == 0; });
    REQUIRE(results.count(a));
    REQUIRE(results.count(b));
    CHECK(results[a].ok());
    CHECK(rig.job(a).status == store::status::killed);
    CHECK(results[b].kind == FailureKind::Remote);
    CHECK_THAT(results[b].error, Catch::Contains("did not answer"));
    CHECK(rig.job(b).status == store::status::running);
    CHECK(results.count(999) == 0);
}

TEST_CASE("the interface's database waits briefly for another rj's lock, says busy, and works once it is free", "[engine][store]") {
    TempDir tmp;
    std::ofstream(tmp / "ssh_config") << "Host alpha\n";
    auto open_engine = [&](event::Loop& loop, int busy_ms) {
        engine::EngineOptions o;
        o.ssh_config_path = tmp / "ssh_config";
        o.db_path = tmp / "rj.db";
        o.config_path = tmp / "config";
        o.db_busy_timeout_ms = busy_ms;
        return std::make_unique<engine::Engine>(loop, o);
    };
    event::Loop loop;
    auto ui = open_engine(loop, 100);
    auto batch = open_engine(loop, store::Database::busy_timeout_ms);
    store::Job j;
    j.host = "alpha";
    j.command = "true";
    store::JobRepo(ui->db()).insert(j);

    // Another rj (here: another connection) holds the write lock.
    auto other = std::make_unique<store::Database>(tmp / "rj.db");
    other->exec("BEGIN IMMEDIATE");
    auto time_failed_write = [&](engine::Engine& e) {
        auto start = std::chrono::steady_clock::now();
        std::string message;
        try {
            store::JobRepo(e.db()).set_error(j.id, "x");
        } catch (const util::Error& err) {
            message = err.what();
        }
        CHECK(engine::is_database_busy(message));
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    double ui_wait = time_failed_write(*ui);
    double batch_wait = time_failed_write(*batch);
    INFO("interface waited " << ui_wait << " s, batch " << batch_wait << " s");
    CHECK(ui_wait * 5 < batch_wait);  // configured 100 ms vs 5 s: a wide margin
    other->exec("COMMIT");
    CHECK_NOTHROW(store::JobRepo(ui->db()).set_error(j.id, "written once the lock is free"));
    CHECK(engine::get_job(*ui, j.id).error == "written once the lock is free");
}

TEST_CASE("host clock skew: a minute or more counts, rounded to 10 s; no time, no skew", "[engine][clock]") {
    CHECK(engine::host_clock_skew(1000 + 3600, 1000) == 3600);
    CHECK(engine::host_clock_skew(1000 + 3603, 1000) == 3600);
    CHECK(engine::host_clock_skew(1000 + 3606, 1000) == 3610);
    CHECK(engine::host_clock_skew(10000 - 3604, 10000) == -3600);
    CHECK(engine::host_clock_skew(1000 + 59, 1000) == 0);
    CHECK(engine::host_clock_skew(1000 - 59, 1000) == 0);
    CHECK(engine::host_clock_skew(1000 + 60, 1000) == 60);
    CHECK(engine::host_clock_skew(0, 1000) == 0);
}

TEST_CASE("canned host: a host an hour ahead has its job times shifted to our clock; durations keep", "[engine][canned][clock]") {
    // skew 30 s: within the tolerance, the host's times stand as they are.
    for (int64_t skew : {int64_t(3600), int64_t(-7200), int64_t(30)}) {
        INFO("host clock off by " << skew << " s");
        Rig rig;
        int64_t now = engine::now_epoch(), host = now + skew;
        rig.host->answer([&](const std::string&, const std::string&) {
            return says("RJ-SUBMIT ok id=1 pid=4242 started=" + std::to_string(host - 2) +
                        " already=0 exited=0 now=" + std::to_string(host) + "\n");
        });
        auto r = rig.submit();
        REQUIRE(r.ok());
        int64_t shift = skew == 30 ? 0 : skew;
        CHECK(rig.job(r.job_id).started_at == host - 2 - shift);
        std::string id = std::to_string(r.job_id);
        rig.host->answer([&](const std::string&, const std::string&) {
            return says(sync_reply("RJ-JOB id=" + id + " dir=1 pid=4242 pgid=4242 alive=0 wpid=99 walive=0 started=" +
                                       std::to_string(host - 2) + " created=" + std::to_string(host - 3) +
                                       " killreq=0\nRJ-EXIT id=" + id + " kind=exit rc=0 code=0 sig=0 started=" +
                                       std::to_string(host - 2) + " ended=" + std::to_string(host + 40) +
                                       " user=1 sys=0\n",
                                   "", host));
        });
        auto report = rig.sync();
        REQUIRE(report.ok());
        CHECK(report.clock_skew_s == shift);
        store::Job j = rig.job(r.job_id);
        CHECK(j.status == store::status::completed);
        CHECK(j.started_at == host - 2 - shift);
        CHECK(j.ended_at == host + 40 - shift);
        CHECK(*j.ended_at - *j.started_at == 42);  // the host's own measure
    }
}

TEST_CASE("canned host: a host far behind sending times near INT64_MAX has them saturate, not wrap to the past",
          "[engine][canned][clock]") {
    // now=1: the host is 56 years behind, so its times are moved forward by
    // that much; INT64_MAX moved forward stays INT64_MAX (before, it wrapped
    // around: the start became "now" and the end 1970).
    const int64_t max = std::numeric_limits<int64_t>::max();
    const std::string far = std::to_string(max);
    Rig rig;
    rig.host->answer([&](const std::string&, const std::string&) {
        return says("RJ-SUBMIT ok id=1 pid=4242 started=" + far + " already=0 exited=0 now=1\n");
    });
    auto r = rig.submit();
    REQUIRE(r.ok());
    CHECK(rig.job(r.job_id).started_at == max);
    std::string id = std::to_string(r.job_id);
    rig.host->answer([&](const std::string&, const std::string&) {
        return says(sync_reply("RJ-JOB id=" + id + " dir=1 pid=4242 pgid=4242 alive=0 wpid=99 walive=0 started=" + far +
                                   " created=" + far + " killreq=0\nRJ-EXIT id=" + id +
                                   " kind=exit rc=0 code=0 sig=0 started=" + far + " ended=" + far + " user=1 sys=0\n",
                               "", 1));
    });
    auto report = rig.sync();
    REQUIRE(report.ok());
    CHECK(report.clock_skew_s < 0);
    store::Job j = rig.job(r.job_id);
    CHECK(j.status == store::status::completed);
    CHECK(j.started_at == max);
    CHECK(j.ended_at == max);
}

TEST_CASE("canned host: one tick syncs, reports each host's ends in order, then dispatches", "[engine][canned][tick]") {
    Rig rig;
    int64_t id = rig.running_job();
    rig.host->answer([&](const std::string&, const std::string&) { return says(sync_reply(exit_lines(id, "exit", 3, 0))); });
    std::vector<std::string> steps;
    engine::TickRequest request;
    request.hosts = engine::hosts_with_work(*rig.engine);
    REQUIRE(request.hosts == std::vector<std::string>{"alpha"});
    request.on_host = [&](const engine::SyncReport& r) { steps.push_back("host " + r.host); };
    request.on_synced = [&] { steps.push_back("synced"); };
    std::optional<engine::TickReport> report;
    engine::tick(*rig.engine, request, [&](engine::TickReport r) {
        steps.push_back("done");
        report = std::move(r);
    });
    rig.loop.run_until([&] { return report.has_value(); });
    CHECK(steps == std::vector<std::string>{"host alpha", "synced", "done"});
    REQUIRE(report->hosts.size() == 1);
    CHECK(report->hosts[0].reached);
    CHECK(report->unreachable() == 0);
    REQUIRE(report->ended.size() == 1);
    CHECK(report->ended[0].id == id);
    CHECK(report->ended[0].host == "alpha");
    CHECK(report->dispatched);
    CHECK(report->deferred.empty());
    CHECK(report->notified.empty());  // no digest configured
    CHECK(engine::status_words(rig.job(id)) == "failed (exit 3)");
}

TEST_CASE("canned host: a tick counts an unreachable host; with no hosts it only dispatches", "[engine][canned][tick]") {
    Rig rig;
    rig.host->answer([](const std::string&, const std::string&) { return unreachable(); });
    engine::TickRequest request;
    request.hosts = {"alpha"};
    request.dispatch = false;
    auto report = std::make_shared<std::optional<engine::TickReport>>();
    engine::tick(*rig.engine, request, [report](engine::TickReport r) { *report = std::move(r); });
    rig.loop.run_until([&] { return report->has_value(); });
    CHECK((*report)->unreachable() == 1);
    CHECK((*report)->hosts[0].kind == FailureKind::Unreachable);
    CHECK_FALSE((*report)->dispatched);

    engine::TickRequest none;
    report->reset();
    engine::tick(*rig.engine, none, [report](engine::TickReport r) { *report = std::move(r); });
    rig.loop.run_until([&] { return report->has_value(); });
    CHECK((*report)->hosts.empty());
    CHECK((*report)->dispatched);
    CHECK(rig.host->scripts.size() == 1);  // only the first tick's sync reached the transport
}

TEST_CASE("canned host: a job directory the host refuses is a Workdir failure, whatever else it says",
          "[engine][canned]") {
    Rig rig;
    rig.host->answer([](const std::string&, const std::string&) {
        return says("RJ-SUBMIT error id=1 msg=no such directory: /home/me/project\n");
    });
    auto missing = rig.submit();
    CHECK(missing.kind == FailureKind::Workdir);
    rig.host->answer([](const std::string&, const std::string&) {
        return says("RJ-SUBMIT error id=2 msg=cannot enter directory: /root (permission denied)\n");
    });
    CHECK(rig.submit().kind == FailureKind::Workdir);
    rig.host->answer([](const std::string&, const std::string&) {
        return says("RJ-SUBMIT error id=3 msg=tmux not found on host: install tmux\n");
    });
    CHECK(rig.submit().kind == FailureKind::Remote);
}

TEST_CASE("failure_kind: the one mapping from an ssh failure to a kind (a failed proxy is unreachable)",
          "[engine]") {
    using K = ssh::ErrorKind;
    for (K k : {K::Dns, K::Refused, K::TimedOut, K::Unreachable, K::Proxy, K::Disconnected})
        CHECK(engine::failure_kind(k) == FailureKind::Unreachable);
    for (K k : {K::HostKeyUnknown, K::HostKeyChanged, K::Auth}) CHECK(engine::failure_kind(k) == FailureKind::Trust);
    CHECK(engine::failure_kind(K::Config) == FailureKind::Refused);
    CHECK(engine::failure_kind(K::Protocol) == FailureKind::Remote);
    CHECK(engine::failure_kind(K::ChannelRefused) == FailureKind::Remote);
    CHECK(engine::failure_kind(K::None, true) == FailureKind::Unreachable);  // a script that timed out
}
