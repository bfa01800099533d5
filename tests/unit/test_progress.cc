// Progress patterns on sample logs, the ETA, and stall detection from what a
// sync reads of a running job's log.
#include "config.h"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "engine/progress.h"
#include "remote/protocol.h"
#include "store/config_file.h"
#include "util/error.h"
#include "util/progress.h"

namespace {

util::ProgressPattern compile(const std::string& text) {
    std::string problem;
    auto p = util::compile_progress(text, &problem);
    INFO(problem);
    REQUIRE(p);
    return *p;
}

}  // namespace

TEST_CASE("progress: done/total, a percentage, the word percent; the last matching line wins", "[progress]") {
    auto epochs = compile(R"(Epoch (\d+)/(\d+))");
    // A training log: the last epoch line counts, later noise does not hide it.
    std::vector<std::string> log = {"loading data", "Epoch 1/10 loss=0.9", "Epoch 2/10 loss=0.7",
                                    "Epoch 3/10 loss=0.5", "  saving checkpoint"};
    CHECK(*util::progress_fraction(epochs, log) == Approx(0.3));
    CHECK_FALSE(util::progress_fraction(epochs, {"no epochs here"}));
    CHECK_FALSE(util::progress_fraction(epochs, {"Epoch 3/0"}));  // a zero total says nothing
    CHECK(*util::progress_fraction(epochs, {"Epoch 12/10"}) == Approx(1.0));  // clamped

    auto pct = compile(R"((\d+)% done)");
    CHECK(*util::progress_fraction(pct, {"12% done", "47% done"}) == Approx(0.47));

    // tqdm redraws one line with \r: the sync splits at \r, so each redraw is a line.
    auto word = compile("percent");
    std::vector<std::string> tqdm = {" 10%|#         | 10/100", " 55%|#####     | 55/100 [00:10<00:08]"};
    CHECK(*util::progress_fraction(word, tqdm) == Approx(0.55));
    // Two percentages on one line: the last one.
    CHECK(*util::progress_fraction(word, {"GPU 99% util, job 12.5 % done"}) == Approx(0.125));

    // A hostile line is cut before matching.
    std::string huge(100000, '9');
    CHECK_FALSE(util::progress_fraction(epochs, {huge + " Epoch 5/10"}));
}

TEST_CASE("progress patterns that cannot serve are refused with the reason", "[progress]") {
    std::string problem;
    CHECK_FALSE(util::compile_progress("Epoch \\d+", &problem));
    CHECK(problem.find("0 capture groups") != std::string::npos);
    CHECK_FALSE(util::compile_progress("(a)(b)(c)", &problem));
    CHECK_FALSE(util::compile_progress("Epoch (\\d+", &problem));
    CHECK(problem.find("not a regular expression") != std::string::npos);
    CHECK_FALSE(util::compile_progress("", &problem));
    try {
        engine::check_progress_pattern("nope");
        FAIL("accepted");
    } catch (const util::UsageError& e) {
        CHECK(e.field() == "progress");
    }
}

TEST_CASE("ETA: the pace so far, projected", "[progress]") {
    CHECK(*util::eta_seconds(0.25, 600) == 1800);
    CHECK(*util::eta_seconds(1.0, 600) == 0);
    CHECK_FALSE(util::eta_seconds(0.0, 600));
    store::Job j;
    j.status = store::Status::Running;
    j.started_at = 1000;
    j.live.fraction = 0.5;
    j.live.fraction_at = 1600;  // half done after 10 min
    CHECK(engine::progress_text(j, 1600) == "50% ETA 10m00s");
    CHECK(engine::progress_text(j, 1900) == "50% ETA 5m00s");  // 5 minutes later, 5 left
    j.live.fraction.reset();
    CHECK(engine::progress_text(j, 1900).empty());
}

TEST_CASE("stalls: a log quiet for stall_after flags the job once, growth clears it; off never flags", "[progress]") {
    store::Job j;
    j.status = store::Status::Running;
    j.started_at = 1000;
    j.progress = R"(Epoch (\d+)/(\d+))";
    remote::LogState log;
    log.bytes = 500;
    log.grew = 5000;  // host clock
    log.tail = {"Epoch 4/8"};
    // The host's clock runs 100 s ahead of ours: quiet time is measured on the host.
    auto live = engine::live_from_sync(j, log, engine::fraction_from_log(j, log), 5000 + 60, 4960, std::chrono::minutes(30));
    CHECK(*live.quiet_since == 4900);
    CHECK(*live.fraction == Approx(0.5));
    CHECK_FALSE(live.stalled_since);
    j.live = live;

    // 31 minutes without growth: stalled since the 30-minute mark.
    log.tail = {"Epoch 4/8"};
    live = engine::live_from_sync(j, log, engine::fraction_from_log(j, log), 5000 + 31 * 60, 4900 + 31 * 60, std::chrono::minutes(30));
    REQUIRE(live.stalled_since);
    CHECK(*live.stalled_since == 4900 + 30 * 60);
    j.live = live;
    // Still quiet: the first moment is kept.
    live = engine::live_from_sync(j, log, engine::fraction_from_log(j, log), 5000 + 40 * 60, 4900 + 40 * 60, std::chrono::minutes(30));
    CHECK(*live.stalled_since == 4900 + 30 * 60);
    j.live = live;
    // The log grew: no longer stalled; a line without a match keeps the last fraction.
    log.grew = 5000 + 41 * 60;
    log.tail = {"saving"};
    live = engine::live_from_sync(j, log, engine::fraction_from_log(j, log), 5000 + 41 * 60, 4900 + 41 * 60, std::chrono::minutes(30));
    CHECK_FALSE(live.stalled_since);
    CHECK(*live.fraction == Approx(0.5));
    // stall_after off: never stalled, however quiet.
    live = engine::live_from_sync(j, log, engine::fraction_from_log(j, log), 5000 + 900 * 60, 0, std::chrono::seconds(0));
    CHECK_FALSE(live.stalled_since);
}

TEST_CASE("sync replies: log states and tails only for asked jobs, bounded", "[progress]") {
    std::string reply =
        "RJ-SYNC v=1 now=2000\nRJ-TMUX ok\n"
        "RJ-JOB id=3 dir=1 pid=10 pgid=10 alive=1 wpid=9 walive=1 started=1000 created=999 killreq=0\n"
        "RJ-LOGSTATE id=3 bytes=120 grew=1990\n"
        "RJ-TAIL id=3 msg=Epoch 1/4\nRJ-TAIL id=3 msg=Epoch 2/4\n"
        "RJ-LOGSTATE id=99 bytes=1 grew=1\nRJ-TAIL id=99 msg=forged\n"
        "RJ-TAIL id=3 msg=3\nRJ-TAIL id=3 msg=4\nRJ-TAIL id=3 msg=5\nRJ-TAIL id=3 msg=6\n"
        "RJ-JOURNAL offset=0 size=0 reset=0 more=0 bytes=0\n\nRJ-END\n";
    auto r = remote::parse_sync(reply);
    REQUIRE(r.logs.size() == 1);
    const auto& l = r.logs.at(3);
    CHECK(l.bytes == 120);
    CHECK(l.grew == 1990);
    REQUIRE(l.tail.size() == 5);
    CHECK(l.tail[0] == "Epoch 1/4");
}

TEST_CASE("config: progress (quoted or not) and stall_after, at the top and per host; a bad pattern names its line",
          "[progress]") {
    auto c = store::Config::parse("progress = 'Epoch (\\d+)/(\\d+)'\nstall_after = 30m\n"
                                  "[host gpu1]\nprogress = percent\nstall_after = off\n",
                                  "cfg");
    CHECK(c.progress_for("other") == "Epoch (\\d+)/(\\d+)");
    CHECK(c.progress_for("gpu1") == "percent");
    CHECK(c.stall_after_for("other") == std::chrono::minutes(30));
    CHECK(c.stall_after_for("gpu1") == std::chrono::seconds(0));
    CHECK(store::Config::parse("", "cfg").stall_after_for("x") == std::chrono::seconds(0));  // off by default
    try {
        store::Config::parse("sync_interval = 15s\nprogress = Epoch \\d+\n", "cfg");
        FAIL("accepted");
    } catch (const util::Error& e) {
        CHECK(std::string(e.what()).find("cfg:2") != std::string::npos);
        CHECK(std::string(e.what()).find("capture groups") != std::string::npos);
    }
    CHECK_THROWS_AS(store::Config::parse("stall_after = soon\n", "cfg"), util::Error);
}

TEST_CASE("ETA: a host's tiny or NaN fraction saturates instead of overflowing", "[progress]") {
    // "epoch 1/10^18" after a week: the projection is past any long long.
    CHECK(*util::eta_seconds(1e-18, 7 * 86400) == std::numeric_limits<long long>::max());
    CHECK(*util::eta_seconds(1e-300, 1) == std::numeric_limits<long long>::max());
    CHECK_FALSE(util::eta_seconds(std::nan(""), 600));
}
