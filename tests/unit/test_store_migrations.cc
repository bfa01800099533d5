// Schema migrations: from an empty file, from every earlier version, and the
// refusal to touch a database written by a newer rj.
#include "config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/wait.h>
#include <unistd.h>

#include "store/database.h"
#include "store/host_repo.h"
#include "store/job_event_repo.h"
#include "store/job_repo.h"
#include "store/migrations.h"
#include "test_support.h"
#include "util/error.h"

using store::Database;
using store::Statement;
using test_support::TempDir;

namespace {

bool has_table(Database& db, const std::string& name) {
    Statement st(db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'index') AND name = ?");
    st.bind(1, name);
    return st.step();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Rows that a database at schema version `k` can hold, written with plain SQL
// as the rj of that version would have.
void fill_version(Database& db, int k) {
    if (k >= 1) {
        db.exec(
            "INSERT INTO jobs (id, host, command, workdir, status, created_at, exit_code, ended_at) "
            "VALUES (41, 'gpu1', 'python train.py', '~/proj', 'completed', 1700000000, 0, 1700000100);"
            "INSERT INTO jobs (id, host, command, status, created_at) "
            "VALUES (42, 'gpu2', 'sleep 100', 'running', 1700000200);"
            "INSERT INTO job_env (job_id, pos, name, value) VALUES (41, 0, CAST('A' AS BLOB), CAST('x=y' AS BLOB));"
            "INSERT INTO hosts (name, journal_offset, last_seen) VALUES ('gpu1', 1234, 1700000300);");
    }
    if (k >= 2) db.exec("INSERT INTO job_logs (job_id, tail, fetched_at) VALUES (41, CAST('done' AS BLOB), 1700000400)");
    if (k >= 3) db.exec("INSERT INTO job_events (job_id, at, kind, detail) VALUES (41, 1700000050, 'started', 'pid 7')");
}

}  // namespace

TEST_CASE("migration steps are numbered 1..N without gaps", "[migrations]") {
    const auto& steps = store::migrations();
    REQUIRE(steps.size() >= 2);
    for (size_t i = 0; i < steps.size(); ++i) CHECK(steps[i].version == static_cast<int>(i) + 1);
    CHECK(store::latest_schema_version() == static_cast<int>(steps.size()));
}

TEST_CASE("a new database file is migrated to the latest version", "[migrations]") {
    TempDir tmp;
    Database db(tmp / "new.db");
    CHECK(db.user_version() == store::latest_schema_version());
    for (const char* t : {"jobs", "job_env", "hosts", "job_logs", "job_events", "jobs_status_id", "jobs_host_id"})
        CHECK(has_table(db, t));
}

TEST_CASE("an empty existing file is migrated to the latest version", "[migrations]") {
    TempDir tmp;
    std::ofstream(tmp / "empty.db").close();
    Database db(tmp / "empty.db");
    CHECK(db.user_version() == store::latest_schema_version());
    CHECK(has_table(db, "jobs"));
}

TEST_CASE("a database from every earlier version migrates and keeps its data", "[migrations]") {
    for (int k = 0; k < store::latest_schema_version(); ++k) {
        DYNAMIC_SECTION("from version " << k) {
            TempDir tmp;
            std::string path = tmp / "old.db";
            {
                Database old(path, Database::Open::raw);
                store::migrate(old, k);
                REQUIRE(old.user_version() == k);
                if (k < 2) REQUIRE_FALSE(has_table(old, "job_logs"));
                fill_version(old, k);
            }
            Database db(path);
            CHECK(db.user_version() == store::latest_schema_version());
            store::JobRepo jobs(db);
            store::HostRepo hosts(db);
            store::JobEventRepo events(db);
            if (k >= 1) {
                auto j = jobs.get(41);
                REQUIRE(j);
                CHECK(j->command == "python train.py");
                CHECK(j->workdir == "~/proj");
                CHECK(j->status == store::status::completed);
                CHECK(j->exit_code == 0);
                CHECK(j->ended_at == 1700000100);
                CHECK(j->env == std::vector<std::pair<std::string, std::string>>{{"A", "x=y"}});
                CHECK(jobs.get(42)->status == store::status::running);
                CHECK(hosts.get("gpu1").journal_offset == 1234);
                CHECK(hosts.get("gpu1").last_seen == 1700000300);
            }
            if (k >= 2) CHECK(jobs.cached_log(41) == std::make_pair(std::string("done"), int64_t{1700000400}));
            if (k >= 3) REQUIRE(events.for_job(41).size() == 1);

            // Everything the latest schema offers works on the migrated file.
            store::Job fresh;
            fresh.host = "gpu1";
            fresh.command = "echo hi";
            jobs.insert(fresh);
            CHECK(fresh.id > (k >= 1 ? 42 : 0));
            jobs.cache_log(fresh.id, "hi\n", 5);
            events.append(fresh.id, "submitted");
            CHECK(jobs.cached_log(fresh.id)->first == "hi\n");
            CHECK(events.for_job(fresh.id).size() == 1);
            CHECK(jobs.query_plan({{store::status::running}, "", "", 50, 0}).find("USING INDEX") != std::string::npos);
        }
    }
}

TEST_CASE("a database written by a newer rj is refused and left untouched", "[migrations]") {
    TempDir tmp;
    std::string path = tmp / "future.db";
    {
        Database raw(path, Database::Open::raw);
        raw.exec("PRAGMA journal_mode=DELETE; CREATE TABLE jobs (id INTEGER PRIMARY KEY, shiny TEXT);"
                 "INSERT INTO jobs VALUES (1, 'from the future');");
        raw.set_user_version(store::latest_schema_version() + 1);
    }
    const std::string before = slurp(path);
    REQUIRE(!before.empty());
    try {
        Database db(path);
        FAIL("opening a newer database should throw");
    } catch (const util::Error& e) {
        CHECK_THAT(e.what(), Catch::Contains("newer rj"));
        CHECK_THAT(e.what(), Catch::Contains(path));
        CHECK_FALSE(e.hint().empty());
    }
    CHECK(slurp(path) == before);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
    CHECK_FALSE(std::filesystem::exists(path + "-journal"));
}

TEST_CASE("two processes opening an old database at once both end at the latest version", "[migrations]") {
    TempDir tmp;
    std::string path = tmp / "race.db";
    {
        Database old(path, Database::Open::raw);
        store::migrate(old, 1);
        fill_version(old, 1);
    }
    constexpr int kProcs = 4;
    pid_t pids[kProcs];
    for (pid_t& pid : pids) {
        pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int rc = 0;
            try {
                Database db(path);
                rc = db.user_version() == store::latest_schema_version() ? 0 : 2;
            } catch (...) {
                rc = 1;
            }
            _exit(rc);
        }
    }
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    Database db(path);
    CHECK(db.user_version() == store::latest_schema_version());
    CHECK(store::JobRepo(db).count({}) == 2);
}

TEST_CASE("eight processes opening one new database file at once all open it", "[migrations]") {
    // A new file is switched to WAL, which needs an exclusive lock; SQLite
    // answers BUSY at once (no busy handler) to a process holding a shared
    // lock. Seen in the two-databases integration test as "database is
    // locked (running PRAGMA journal_mode=WAL)".
    TempDir tmp;
    constexpr int kRounds = 15, kProcs = 8;
    int failed = 0;
    for (int round = 0; round < kRounds; ++round) {
        std::string path = tmp / ("new-" + std::to_string(round) + ".db");
        pid_t pids[kProcs];
        for (pid_t& pid : pids) {
            pid = fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                int rc = 0;
                try {
                    Database db(path);
                    store::Job j;
                    j.host = "h";
                    j.command = "true";
                    store::JobRepo(db).insert(j);
                } catch (...) {
                    rc = 1;
                }
                _exit(rc);
            }
        }
        for (pid_t pid : pids) {
            int status = 0;
            waitpid(pid, &status, 0);
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) ++failed;
        }
        Database db(path);
        CHECK(store::JobRepo(db).count({}) + failed >= kProcs);
    }
    CHECK(failed == 0);
}
