// store::JobRepo on real SQLite files: round trips, filters, paging, indexes.
#include "config.h"

#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "store/database.h"
#include "store/job_event_repo.h"
#include "store/job_repo.h"
#include "test_support.h"
#include "util/error.h"

using store::Database;
using store::Job;
using store::JobFilter;
using store::Status;
using store::JobRepo;
using test_support::TempDir;

namespace {

Job make_job(const std::string& host, const std::string& command, Status status = Status::Running) {
    Job j;
    j.host = host;
    j.command = command;
    j.status = status;
    return j;
}

std::vector<int64_t> ids(const std::vector<Job>& jobs) {
    std::vector<int64_t> v;
    for (const Job& j : jobs) v.push_back(j.id);
    return v;
}

JobFilter filter(std::vector<Status> statuses, std::string host = {}, std::string search = {}, int limit = 0,
                 int64_t before_id = 0) {
    return JobFilter{std::move(statuses), std::move(host), std::move(search), limit, before_id};
}

}  // namespace

TEST_CASE("a job round-trips every field", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    Job j;
    j.host = "gpu1";
    j.command = std::string("python -c 'print(1)'\n\0tail \xFF\xFE", 29);
    j.workdir = "~/proj dir";
    j.description = "r\xC3\xA9sum\xC3\xA9 run";
    j.env = {{"A", "1"}};
    j.timeout_s = 3600;
    j.status = store::status::completed;
    j.exit_code = 0;
    j.exit_signal = 9;
    j.created_at = 1700000000;
    j.started_at = 1700000001;
    j.ended_at = 1700000099;
    j.cpu_user_s = 12.5;
    j.cpu_sys_s = 0.25;
    j.pid = 4242;
    j.from_job = 7;
    j.queue_on_fail = true;
    j.remote_dir = "~/.cache/rj";
    j.error = "submit failed: timeout";
    int64_t id = repo.insert(j);
    CHECK(id == j.id);
    CHECK(id > 0);
    auto got = repo.get(id);
    REQUIRE(got);
    CHECK(*got == j);
    CHECK_FALSE(repo.get(id + 1000).has_value());
}

TEST_CASE("insert fills created_at; a status word rj does not know is an error naming the job", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    Job j = make_job("h", "true");
    auto before = std::time(nullptr);
    repo.insert(j);
    CHECK(j.created_at >= before);
    CHECK(j.created_at <= std::time(nullptr));
    CHECK(repo.get(j.id)->status == store::status::running);
    // Statuses are an enum in rj; only a hand edit (or a newer rj) writes
    // another word into the file.
    db.exec("UPDATE jobs SET status = 'runing' WHERE id = " + std::to_string(j.id));
    CHECK_THROWS_WITH(repo.get(j.id), Catch::Contains("job " + std::to_string(j.id)) && Catch::Contains("unknown status 'runing'"));
    CHECK(store::parse_status("runing") == std::nullopt);
    for (Status s : store::all_statuses()) CHECK(store::parse_status(store::to_string(s)) == s);
}

TEST_CASE("environment variables keep any bytes and their order", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    Job j = make_job("h", "env");
    j.env = {
        {"PATH", "/usr/bin:/bin"},
        {"EQ", "a=b=c"},
        {"MULTI", "line1\nline2\r\n"},
        {"NUL", std::string("before\0after", 12)},
        {"UNI", "\xE2\x82\xAC \xF0\x9F\x9A\x80 caf\xC3\xA9"},
        {"BIN", "\xFF\xFE\x80"},
        {"EMPTY", ""},
        {"odd=name", "x"},
        {"EQ", "duplicate names kept"},
        {"SPACE ", " padded "},
    };
    repo.insert(j);
    CHECK(repo.get(j.id)->env == j.env);
    // Listing loads the same environment.
    auto listed = repo.list({});
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].env == j.env);
}

TEST_CASE("ids are never reused after the newest job is removed", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    Job a = make_job("h", "a"), b = make_job("h", "b");
    repo.insert(a);
    repo.insert(b);
    repo.remove(b.id);
    Job c = make_job("h", "c");
    repo.insert(c);
    CHECK(c.id > b.id);
}

TEST_CASE("list filters by status, host and case-insensitive search", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    std::vector<Job> jobs = {
        make_job("gpu1", "python Train.py --lr 0.1", store::status::running),     // 1
        make_job("gpu2", "python eval.py", store::status::completed),             // 2
        make_job("gpu1", "make -j8", store::status::failed),                      // 3
        make_job("gpu2", "echo 100% done", store::status::running),               // 4
        make_job("gpu1", "echo 100x done", store::status::pending),               // 5
        make_job("lab", "rm my_file", store::status::completed),                  // 6
        make_job("lab", "rm myXfile", store::status::killed),                     // 7
        make_job("lab", "back\\slash", store::status::dead),                      // 8
    };
    jobs[2].description = "Nightly BUILD";
    for (Job& j : jobs) repo.insert(j);
    auto id = [&](int n) { return jobs[n - 1].id; };

    CHECK(ids(repo.list({})) == std::vector<int64_t>{id(8), id(7), id(6), id(5), id(4), id(3), id(2), id(1)});
    CHECK(ids(repo.list(filter({store::status::running}))) == std::vector<int64_t>{id(4), id(1)});
    CHECK(ids(repo.list(filter({store::status::running, store::status::pending}))) == std::vector<int64_t>{id(5), id(4), id(1)});
    CHECK(ids(repo.list(filter({}, "gpu1"))) == std::vector<int64_t>{id(5), id(3), id(1)});
    CHECK(ids(repo.list(filter({store::status::running, store::status::failed}, "gpu1"))) == std::vector<int64_t>{id(3), id(1)});
    CHECK(ids(repo.list(filter({}, "", "TRAIN"))) == std::vector<int64_t>{id(1)});
    CHECK(ids(repo.list(filter({}, "", "nightly build"))) == std::vector<int64_t>{id(3)});  // description
    CHECK(ids(repo.list(filter({}, "", "100%"))) == std::vector<int64_t>{id(4)});  // % is literal
    CHECK(ids(repo.list(filter({}, "", "my_file"))) == std::vector<int64_t>{id(6)});  // _ is literal
    CHECK(ids(repo.list(filter({}, "", "k\\s"))) == std::vector<int64_t>{id(8)});
    CHECK(ids(repo.list(filter({store::status::running}, "gpu2", "echo"))) == std::vector<int64_t>{id(4)});
    CHECK(repo.list(filter({store::status::timeout})).empty());
    CHECK(ids(repo.list(filter({}, "", "", 2))) == std::vector<int64_t>{id(8), id(7)});
    CHECK(ids(repo.list(filter({store::status::completed, store::status::killed, store::status::running}, "", "", 2))) == std::vector<int64_t>{id(7), id(6)});
    CHECK(ids(repo.list(filter({store::status::running, store::status::running}, "", "", 5))) == std::vector<int64_t>{id(4), id(1)});

    CHECK(repo.count({}) == 8);
    CHECK(repo.count(filter({store::status::running, store::status::pending})) == 3);
    CHECK(repo.count(filter({}, "lab")) == 3);
    CHECK(repo.count(filter({}, "", "ECHO")) == 2);
    CHECK(repo.count(filter({}, "", "", 1, id(4))) == 3);
}

TEST_CASE("keyset paging walks the whole filtered list exactly once", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    const Status statuses[] = {Status::Running, Status::Completed, Status::Failed, Status::Pending};
    {
        store::Transaction tx(db);
        for (int i = 0; i < 60; ++i) {
            Job j = make_job(i % 3 ? "gpu1" : "gpu2", "job " + std::to_string(i), statuses[i % 4]);
            repo.insert(j);
        }
        tx.commit();
    }
    for (const JobFilter& base :
         {filter({}), filter({store::status::completed, store::status::failed}), filter({store::status::running}, "gpu1"), filter({}, "", "job 1")}) {
        std::vector<int64_t> all = ids(repo.list(base));
        std::vector<int64_t> paged;
        JobFilter page = base;
        page.limit = 7;
        for (int guard = 0; guard < 100; ++guard) {
            auto chunk = repo.list(page);
            if (chunk.empty()) break;
            CHECK(chunk.size() <= 7);
            for (const Job& j : chunk) paged.push_back(j.id);
            page.before_id = chunk.back().id;
        }
        CHECK(paged == all);
        CHECK(static_cast<int64_t>(all.size()) == repo.count(base));
    }
}

TEST_CASE("update rewrites the whole row and its environment, all but its status", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    Job j = make_job("gpu1", "sleep 1", store::status::starting);
    j.env = {{"A", "1"}, {"B", "2"}};
    repo.insert(j);
    j.status = store::status::failed;
    j.exit_code = 3;
    j.env = {{"C", "3"}};
    j.error = "boom";
    j.cpu_user_s = 1.5;
    repo.update(j);
    // The status is the lifecycle's (engine/lifecycle.cc): a row read before
    // a sync ended the job must not set it back.
    CHECK(repo.get(j.id)->status == store::status::starting);
    j.status = store::status::starting;
    CHECK(*repo.get(j.id) == j);
    Job ghost = j;
    ghost.id = j.id + 99;
    CHECK_THROWS_AS(repo.update(ghost), util::Error);
}

TEST_CASE("small mutators change only what they say", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    Job j = make_job("gpu1", "train", store::status::starting);
    repo.insert(j);

    repo.mark_running(j.id, 999, 1700000010);
    auto g = repo.get(j.id);
    CHECK(g->status == store::status::running);
    CHECK(g->pid == 999);
    CHECK(g->started_at == 1700000010);

    repo.set_error(j.id, "lost connection");
    CHECK(repo.get(j.id)->error == "lost connection");

    CHECK_FALSE(repo.transition(j.id, {store::status::starting}, store::status::dead));
    CHECK(repo.get(j.id)->status == store::status::running);
    CHECK(repo.transition(j.id, {store::status::starting, store::status::running}, store::status::killed));
    CHECK(repo.get(j.id)->status == store::status::killed);
    // An ended job stays as its first terminal writer left it.
    CHECK_FALSE(repo.mark_ended(j.id, {store::status::completed, 0, std::nullopt, 1700000030, 1.0, 1.0}));
    CHECK_FALSE(repo.mark_running(j.id, 1000, 1700000031));
    CHECK(repo.get(j.id)->status == store::status::killed);

    Job k = make_job("gpu1", "train", store::status::running);
    repo.insert(k);
    CHECK(repo.mark_ended(k.id, {store::status::timeout, std::nullopt, 15, 1700000020, 3.0, 0.5}));
    g = repo.get(k.id);
    CHECK(g->status == store::status::timeout);
    CHECK_FALSE(g->exit_code.has_value());
    CHECK(g->exit_signal == 15);
    CHECK(g->ended_at == 1700000020);
    CHECK(g->cpu_user_s == 3.0);
    CHECK(g->cpu_sys_s == 0.5);
    CHECK(g->command == "train");

    repo.set_status(j.id, store::status::dead);
    CHECK(repo.get(j.id)->status == store::status::dead);
}

TEST_CASE("per-host queries see active, pending and all hosts", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    std::vector<Job> jobs = {make_job("b", "1", store::status::running),  make_job("a", "2", store::status::completed),
                             make_job("b", "3", store::status::pending),  make_job("b", "4", store::status::starting),
                             make_job("c", "5", store::status::pending),  make_job("b", "6", store::status::pending),
                             make_job("d", "7", store::status::failed)};
    for (Job& j : jobs) repo.insert(j);
    CHECK(repo.hosts_with_jobs() == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(repo.hosts_with_active_jobs() == std::vector<std::string>{"b", "c"});
    CHECK(ids(repo.active_on_host("b")) == std::vector<int64_t>{jobs[0].id, jobs[3].id});
    CHECK(ids(repo.pending_on_host("b")) == std::vector<int64_t>{jobs[2].id, jobs[5].id});
    CHECK(repo.active_on_host("a").empty());
    CHECK(repo.pending_on_host("zzz").empty());
}

TEST_CASE("prunable finds terminal jobs that ended before the cutoff", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    auto add = [&](Status status, std::optional<int64_t> ended, int64_t created = 100) {
        Job j = make_job("h", store::to_string(status), status);
        j.created_at = created;
        j.ended_at = ended;
        repo.insert(j);
        return j.id;
    };
    int64_t old_done = add(store::status::completed, 1000);
    int64_t new_done = add(store::status::completed, 5000);
    int64_t old_dead = add(store::status::dead, 900);
    int64_t dead_no_end = add(store::status::dead, std::nullopt, 800);  // counts from creation
    int64_t running = add(store::status::running, std::nullopt, 10);
    int64_t old_failed = add(store::status::failed, 1500);
    int64_t recent_dead = add(store::status::dead, std::nullopt, 4000);
    (void)new_done, (void)running, (void)recent_dead;
    CHECK(ids(repo.prunable(2000, false)) == std::vector<int64_t>{old_done, old_dead, dead_no_end, old_failed});
    CHECK(ids(repo.prunable(2000, true)) == std::vector<int64_t>{old_dead, dead_no_end});
}

TEST_CASE("remove takes the environment, log tail and events with the job", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    store::JobEventRepo events(db);
    Job j = make_job("h", "x");
    j.env = {{"A", "1"}};
    repo.insert(j);
    repo.cache_log(j.id, "tail", 10);
    events.append(j.id, "submitted", "", 5);
    repo.remove(j.id);
    CHECK_FALSE(repo.get(j.id));
    CHECK_FALSE(repo.cached_log(j.id));
    CHECK(events.for_job(j.id).empty());
    for (const char* table : {"job_env", "job_logs", "job_events"}) {
        store::Statement st(db, std::string("SELECT count(*) FROM ") + table);
        st.step();
        CHECK(st.column_int64(0) == 0);
    }
}

TEST_CASE("the log tail cache keeps the latest fetch", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    Job j = make_job("h", "x");
    repo.insert(j);
    CHECK_FALSE(repo.cached_log(j.id));
    const std::string tail("epoch 1\n\xE2\x96\x88\x1b[31mred\0x\n", 22);
    repo.cache_log(j.id, tail, 100);
    CHECK(repo.cached_log(j.id) == std::make_pair(tail, int64_t{100}));
    repo.cache_log(j.id, "newer", 200);
    CHECK(repo.cached_log(j.id) == std::make_pair(std::string("newer"), int64_t{200}));
    CHECK_THROWS_AS(repo.cache_log(j.id + 50, "orphan", 1), util::Error);  // foreign keys are on
}

namespace {

// True when the plan reads `jobs` through an index or the primary key and
// never walks the whole table (a bare "SCAN jobs").
bool plan_uses_index(const std::string& plan) {
    bool indexed = plan.find("USING INDEX") != std::string::npos ||
                   plan.find("USING COVERING INDEX") != std::string::npos ||
                   plan.find("USING INTEGER PRIMARY KEY") != std::string::npos;
    std::istringstream lines(plan);
    for (std::string line; std::getline(lines, line);)
        if (line == "SCAN jobs") return false;
    return indexed;
}

}  // namespace

TEST_CASE("listing 50 of 100k jobs with a status filter goes through an index", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    JobRepo repo(db);
    const Status statuses[] = {Status::Completed, Status::Completed, Status::Completed, Status::Failed, Status::Running, Status::Dead, Status::Killed};
    const char* hosts[] = {"gpu1", "gpu2", "lab", "mac"};
    {
        store::Transaction tx(db);
        for (int i = 0; i < 100000; ++i) {
            Job j = make_job(hosts[i % 4], "python train.py --seed " + std::to_string(i), statuses[i % 7]);
            j.created_at = 1700000000 + i;
            repo.insert(j);
        }
        tx.commit();
    }
    REQUIRE(repo.count({}) == 100000);

    const std::vector<JobFilter> filters = {
        filter({store::status::running}, "", "", 50),
        filter({store::status::running, store::status::failed}, "", "", 50),
        filter({store::status::failed}, "", "", 50, 50000),
        filter({store::status::running, store::status::dead, store::status::killed}, "", "", 50, 70000),
        filter({}, "gpu2", "", 50),
        filter({store::status::running}, "lab", "", 50),
        filter({store::status::completed, store::status::failed}, "mac", "", 50, 90000),
        filter({}, "", "", 50, 12345),
    };
    for (const JobFilter& f : filters) {
        std::string plan = repo.query_plan(f);
        INFO("plan:\n" << plan);
        CHECK(plan_uses_index(plan));
    }
    // Unfiltered, the newest 50 are the last 50 rowids: SQLite walks the table
    // backwards in rowid order and stops at the limit, with no sort.
    std::string plan = repo.query_plan(filter({}, "", "", 50));
    INFO("plan:\n" << plan);
    CHECK(plan == "SCAN jobs\n");

    auto page = repo.list(filter({store::status::running, store::status::failed}, "", "", 50));
    REQUIRE(page.size() == 50);
    CHECK((page.front().status == store::status::running || page.front().status == store::status::failed));
    for (size_t i = 1; i < page.size(); ++i) CHECK(page[i].id < page[i - 1].id);
    // The first page holds the newest matches: nothing newer than the last one is missing.
    CHECK(repo.count(filter({store::status::running, store::status::failed}, "", "", 0, 0)) -
              repo.count(filter({store::status::running, store::status::failed}, "", "", 0, page.back().id)) ==
          50);
}

TEST_CASE("the first terminal writer wins across two connections (two rj processes)", "[store]") {
    TempDir tmp;
    Database ui(tmp / "rj.db"), cron(tmp / "rj.db");
    JobRepo a(ui), b(cron);
    Job j = make_job("gpu1", "train", store::status::running);
    a.insert(j);
    // Both read the job as running, then each records what it saw.
    REQUIRE(a.get(j.id)->status == store::status::running);
    REQUIRE(b.get(j.id)->status == store::status::running);
    CHECK(b.mark_ended(j.id, {store::status::killed, std::nullopt, 15, 1700000040, 0.0, 0.0}));
    CHECK_FALSE(a.mark_ended(j.id, {store::status::completed, 0, std::nullopt, 1700000041, 0.0, 0.0}));
    auto g = a.get(j.id);
    CHECK(g->status == store::status::killed);
    CHECK(g->ended_at == 1700000040);
    CHECK_FALSE(g->exit_code.has_value());
}
