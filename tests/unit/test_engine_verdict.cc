// The engine's one mapping from what a host reports to a job's local fate,
// on canned host facts and kill answers: every transition sync and kill make.
#include "config.h"

#include <catch2/catch.hpp>

#include "engine/job_state.h"

using engine::Verdict;

namespace {

constexpr int64_t kNow = 1700000100;

remote::JobFacts started_facts() {
    remote::JobFacts f;
    f.id = 7;
    f.dir_exists = true;
    f.pid = 4242;
    f.started = 1700000000;
    f.created = 1699999990;
    return f;
}

remote::ExitRecord record(const std::string& kind, int code, int sig, const std::string& err = "") {
    remote::ExitRecord r;
    r.kind = remote::parse_end_kind(kind);
    r.kind_word = kind;
    r.code = code;
    r.sig = sig;
    r.rc = sig ? 128 + sig : code;
    r.started = 1700000000;
    r.ended = 1700000050;
    r.user_s = 1.5;
    r.sys_s = 0.25;
    r.err = err;
    return r;
}

}  // namespace

TEST_CASE("an exit record decides the end: exit code, signal, kill, timeout, lost, could not start", "[engine][fate]") {
    struct Case {
        remote::ExitRecord rec;
        store::Status status;
        std::optional<int> code, sig;
    };
    for (const Case& c : {Case{record("exit", 0, 0), store::status::completed, 0, std::nullopt},
                          Case{record("exit", 3, 0), store::status::failed, 3, std::nullopt},
                          Case{record("signal", -1, 9), store::status::failed, std::nullopt, 9},
                          Case{record("killed", -1, 15), store::status::killed, std::nullopt, 15},
                          Case{record("timeout", -1, 15), store::status::timeout, std::nullopt, 15},
                          Case{record("lost", -1, 0), store::status::dead, std::nullopt, std::nullopt},
                          Case{record("error", 126, 0, "nodir"), store::status::failed, std::nullopt, std::nullopt}}) {
        INFO(c.rec.kind << " code " << c.rec.code << " sig " << c.rec.sig);
        remote::JobFacts f = started_facts();
        f.exit = c.rec;
        Verdict v = engine::verdict_from_facts(f, false, kNow);
        REQUIRE(v.kind == Verdict::Kind::End);
        CHECK(v.end.status == c.status);
        CHECK(v.end.exit_code == c.code);
        CHECK(v.end.exit_signal == c.sig);
        CHECK(v.end.ended_at == 1700000050);  // the host's time, not ours
        if (c.rec.kind == remote::EndKind::Error) CHECK_THAT(v.note, Catch::Contains("working directory"));
        if (c.rec.kind == remote::EndKind::Lost) CHECK_THAT(v.note, Catch::Contains("tmux session"));
    }
}

TEST_CASE("without an exit record, liveness decides: running, starting, never started, dead", "[engine][fate]") {
    SECTION("its pid is alive: running, with pid and start time") {
        remote::JobFacts f = started_facts();
        f.pid_alive = f.wrapper_alive = f.session_alive = true;
        Verdict v = engine::verdict_from_facts(f, true, kNow);
        CHECK(v.kind == Verdict::Kind::Start);
        CHECK(v.pid == 4242);
        CHECK(v.started_at == 1700000000);
    }
    SECTION("its session is up but nothing started yet: wait") {
        remote::JobFacts f = started_facts();
        f.pid = 0;
        f.started = 0;
        f.session_alive = true;
        CHECK(engine::verdict_from_facts(f, true, kNow).kind == Verdict::Kind::Wait);
    }
    SECTION("a starting job the host has no trace of: send it again") {
        remote::JobFacts f;
        f.id = 7;
        CHECK(engine::verdict_from_facts(f, true, kNow).kind == Verdict::Kind::Resubmit);
    }
    SECTION("a running job whose directory is gone: dead") {
        remote::JobFacts f;
        f.id = 7;
        Verdict v = engine::verdict_from_facts(f, false, kNow);
        REQUIRE(v.kind == Verdict::Kind::End);
        CHECK(v.end.status == store::status::dead);
        CHECK(v.end.ended_at == kNow);
    }
    SECTION("the host rebooted under it: dead, whatever its old pid does now") {
        remote::JobFacts f = started_facts();
        f.rebooted = true;
        f.pid_alive = true;
        Verdict v = engine::verdict_from_facts(f, false, kNow);
        REQUIRE(v.kind == Verdict::Kind::End);
        CHECK(v.end.status == store::status::dead);
        CHECK_THAT(v.note, Catch::Contains("rebooted"));
    }
    SECTION("started, nothing alive, no record: dead") {
        remote::JobFacts f = started_facts();
        Verdict v = engine::verdict_from_facts(f, false, kNow);
        REQUIRE(v.kind == Verdict::Kind::End);
        CHECK(v.end.status == store::status::dead);
        CHECK_FALSE(v.end.exit_code.has_value());
    }
}

TEST_CASE("a kill answer decides the end: its record, else killed, else dead", "[engine][fate]") {
    remote::KillResult r;
    r.id = 7;
    r.facts = started_facts();
    r.state = "signalled";
    r.was_running = true;
    Verdict v = engine::verdict_after_kill(r, kNow);
    CHECK(v.end.status == store::status::killed);
    CHECK(v.end.ended_at == kNow);

    r.facts.exit = record("killed", -1, 15);
    v = engine::verdict_after_kill(r, kNow);
    CHECK(v.end.status == store::status::killed);
    CHECK(v.end.exit_signal == 15);
    CHECK(v.end.ended_at == 1700000050);

    r.facts.exit = record("exit", 0, 0);  // it ended on its own just before
    r.was_running = false;
    CHECK(engine::verdict_after_kill(r, kNow).end.status == store::status::completed);

    r.facts.exit.reset();
    r.state = "missing";
    v = engine::verdict_after_kill(r, kNow);
    CHECK(v.end.status == store::status::dead);
    CHECK_THAT(v.note, Catch::Contains("no trace"));

    r.state = "dead";
    CHECK(engine::verdict_after_kill(r, kNow).end.status == store::status::dead);
}
