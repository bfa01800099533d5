// Usage accounting on a fixture database: the totals and every grouping
// equal the sums over the recorded jobs, and the window, host and tag
// filters pick the jobs they say.
#include "config.h"

#include <catch2/catch.hpp>

#include <ctime>
#include <fstream>
#include <map>

#include "engine/acct.h"
#include "engine/engine.h"
#include "engine/jobs.h"
#include "store/job_repo.h"
#include "test_support.h"
#include "util/error.h"

using test_support::TempDir;

namespace {

struct Fixture {
    TempDir tmp;
    event::Loop loop;
    std::unique_ptr<engine::Engine> engine;
    std::vector<store::Job> recorded;  // as inserted and ended

    Fixture() {
        std::ofstream(tmp / "ssh_config") << "Host alpha beta\n  HostName 127.0.0.1\n";
        engine::EngineOptions o;
        o.ssh_config_path = tmp / "ssh_config";
        o.db_path = tmp / "rj.db";
        o.config_path = tmp / "config";
        engine = std::make_unique<engine::Engine>(loop, o);
    }

    // One ended job: ran `wall` seconds, ending at `ended`.
    int64_t add(const std::string& host, store::Status status, int64_t ended, int64_t wall, double cpu,
                std::vector<std::string> tags = {}, std::string gpu_alloc = "", std::string gpus_used = "",
                std::optional<double> util = std::nullopt) {
        store::JobRepo repo(engine->db());
        store::Job j;
        j.host = host;
        j.command = "train";
        j.status = store::status::running;
        j.started_at = ended - wall;
        j.tags = std::move(tags);
        j.gpu_alloc = gpu_alloc;
        repo.insert(j);
        store::JobEnd end;
        end.status = status;
        end.ended_at = ended;
        end.cpu_user_s = cpu * 0.75;
        end.cpu_sys_s = cpu * 0.25;
        end.usage.gpus = gpus_used;
        end.usage.gpu_util_mean = util;
        end.usage.peak_rss_kib = 1024;
        REQUIRE(repo.mark_ended(j.id, end));
        recorded.push_back(*repo.get(j.id));
        return j.id;
    }
};

// Local midnight of 2026-11-0D plus `hour` hours.
int64_t at(int day, int hour) {
    std::tm tm{};
    tm.tm_year = 126;
    tm.tm_mon = 10;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm));
}

}  // namespace

TEST_CASE("acct totals equal the sums over the recorded jobs, in every grouping", "[acct]") {
    Fixture f;
    using namespace store::status;
    f.add("alpha", completed, at(2, 10), 3600, 3000, {"exp1"}, "0,1", "0,1", 50.0);
    f.add("alpha", failed, at(2, 12), 1800, 1800, {"exp1", "sweep"});
    f.add("beta", completed, at(3, 9), 7200, 14400, {"sweep"}, "", "2", 80.0);
    f.add("beta", timeout, at(3, 11), 600, 60);
    f.add("alpha", killed, at(4, 8), 120, 100, {"exp1"}, "3");  // a GPU given, never used
    f.add("beta", dead, at(4, 9), 60, 0);
    // Not ended: never counted.
    {
        store::JobRepo repo(f.engine->db());
        store::Job running;
        running.host = "alpha";
        running.command = "still going";
        running.status = store::Status::Running;
        running.started_at = at(4, 1);
        repo.insert(running);
    }

    engine::AcctReport all = engine::accounting(*f.engine, {});
    double wall = 0, cpu = 0;
    for (const auto& j : f.recorded) {
        wall += static_cast<double>(*j.ended_at - *j.started_at);
        cpu += *j.cpu_user_s + *j.cpu_sys_s;
    }
    CHECK(all.total.jobs == 6);
    CHECK(all.total.succeeded == 2);
    CHECK(all.total.failed == 3);  // failed, timeout, dead
    CHECK(all.total.wall_s == Approx(wall));
    CHECK(all.total.cpu_s == Approx(cpu));
    // GPU seconds: 2 given × 3600 + 1 used × 7200 + 1 given × 120.
    CHECK(all.total.gpu_s == Approx(2 * 3600 + 7200 + 120));
    // Busy: 2 × 3600 × 50% + 7200 × 80%; the given-but-idle GPU counts as idle.
    CHECK(all.total.gpu_busy_s == Approx(3600 + 5760));
    CHECK(*all.total.gpu_efficiency() == Approx((3600.0 + 5760.0) / (7200 + 7200 + 120)));
    CHECK(*all.total.cpu_efficiency() == Approx(cpu / wall));
    CHECK(all.groups.empty());

    for (const std::string by : {"host", "day", "status"}) {
        DYNAMIC_SECTION("by " << by) {
            engine::AcctQuery q;
            q.by = by;
            auto r = engine::accounting(*f.engine, q);
            int64_t jobs = 0;
            double w = 0, c = 0, g = 0;
            for (const auto& row : r.groups) {
                jobs += row.jobs;
                w += row.wall_s;
                c += row.cpu_s;
                g += row.gpu_s;
            }
            CHECK(jobs == all.total.jobs);
            CHECK(w == Approx(all.total.wall_s));
            CHECK(c == Approx(all.total.cpu_s));
            CHECK(g == Approx(all.total.gpu_s));
            CHECK(r.total.jobs == all.total.jobs);
        }
    }
    engine::AcctQuery by_day;
    by_day.by = "day";
    auto days = engine::accounting(*f.engine, by_day);
    REQUIRE(days.groups.size() == 3);
    CHECK(days.groups[0].key == "2026-11-02");
    CHECK(days.groups[0].wall_s == Approx(5400));
    CHECK(days.groups[2].key == "2026-11-04");

    engine::AcctQuery by_status;
    by_status.by = "status";
    auto st = engine::accounting(*f.engine, by_status);
    REQUIRE(st.groups.size() == 5);
    CHECK(st.groups[0].key == "completed");  // lifecycle order
    CHECK(st.groups[0].jobs == 2);

    // A job with two tags is in both tag rows and once in the total.
    engine::AcctQuery by_tag;
    by_tag.by = "tag";
    auto tags = engine::accounting(*f.engine, by_tag);
    std::map<std::string, engine::AcctRow> rows;
    for (const auto& row : tags.groups) rows[row.key] = row;
    REQUIRE(tags.groups.size() == 3);
    CHECK(tags.groups.back().key == "-");  // untagged last
    CHECK(rows["exp1"].jobs == 3);
    CHECK(rows["sweep"].jobs == 2);
    CHECK(rows["-"].jobs == 2);
    CHECK(rows["sweep"].wall_s == Approx(1800 + 7200));
    CHECK(tags.total.jobs == 6);
}

TEST_CASE("acct filters: the window is by end time, [since, until); host and tag narrow it", "[acct]") {
    Fixture f;
    using namespace store::status;
    f.add("alpha", completed, at(2, 10), 100, 50, {"a"});
    f.add("beta", completed, at(3, 10), 200, 150, {"a"});
    f.add("beta", failed, at(4, 10), 300, 10, {"b"});

    engine::AcctQuery q;
    q.since = at(3, 0);
    CHECK(engine::accounting(*f.engine, q).total.jobs == 2);
    q.until = at(4, 10);  // exclusive
    auto r = engine::accounting(*f.engine, q);
    CHECK(r.total.jobs == 1);
    CHECK(r.total.wall_s == Approx(200));

    engine::AcctQuery h;
    h.host = "beta";
    CHECK(engine::accounting(*f.engine, h).total.wall_s == Approx(500));
    engine::AcctQuery t;
    t.tag = "a";
    CHECK(engine::accounting(*f.engine, t).total.cpu_s == Approx(200));
    t.host = "alpha";
    CHECK(engine::accounting(*f.engine, t).total.jobs == 1);
}

TEST_CASE("acct time bounds: durations back from now, local dates and times; anything else names the flag", "[acct]") {
    int64_t now = at(10, 12);
    CHECK(engine::parse_time_bound("7d", "since", now) == now - 7 * 86400);
    CHECK(engine::parse_time_bound("2026-11-02", "since", now) == at(2, 0));
    CHECK(engine::parse_time_bound("2026-11-02 10:00", "since", now) == at(2, 10));
    CHECK(engine::parse_time_bound("2026-11-02T10:00:30", "since", now) == at(2, 10) + 30);
    for (const char* bad : {"yesterday", "2026-13-01", "2026-11-02x", "2026-11-02 25:00", "", "-3d"}) {
        INFO(bad);
        try {
            engine::parse_time_bound(bad, "since", now);
            FAIL("accepted");
        } catch (const util::UsageError& e) {
            CHECK(e.field() == "since");
            CHECK(e.exit_status() == 2);
        }
    }
    CHECK_THROWS_AS(engine::check_acct_grouping("week"), util::UsageError);
    CHECK_NOTHROW(engine::check_acct_grouping("tag"));
}

TEST_CASE("tags: checked, sorted and kept once; list filters by tag", "[acct]") {
    Fixture f;
    engine::SubmitRequest req;
    req.tags = {"sweep", "exp-1", "sweep"};
    store::Job job;
    engine::apply_job_extras(*f.engine, req, job);
    CHECK(job.tags == std::vector<std::string>{"exp-1", "sweep"});
    for (const char* bad : {"", "-x", "a b", "a;b", "é"}) {
        req.tags = {bad};
        CHECK_THROWS_AS(engine::apply_job_extras(*f.engine, req, job), util::UsageError);
    }
    req.tags.clear();
    for (int i = 0; i < 17; ++i) req.tags.push_back("t" + std::to_string(i));
    CHECK_THROWS_AS(engine::apply_job_extras(*f.engine, req, job), util::UsageError);

    int64_t a = f.add("alpha", store::status::completed, at(2, 1), 10, 1, {"x", "y"});
    f.add("alpha", store::status::completed, at(2, 2), 10, 1, {"y"});
    store::JobRepo repo(f.engine->db());
    store::JobFilter fx;
    fx.tag = "x";
    auto xs = repo.list(fx);
    REQUIRE(xs.size() == 1);
    CHECK(xs[0].id == a);
    CHECK(xs[0].tags == std::vector<std::string>{"x", "y"});
    fx.tag = "y";
    CHECK(repo.count(fx) == 2);
    repo.remove(a);  // its tags go with it
    CHECK(repo.count(fx) == 1);
}
