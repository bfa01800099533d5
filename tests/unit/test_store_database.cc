// store::Database, Statement and Transaction against real SQLite files.
#include "config.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <limits>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/database.h"
#include "test_support.h"
#include "util/error.h"

using store::Database;
using store::Statement;
using store::Transaction;
using test_support::TempDir;

namespace {

std::string pragma(Database& db, const std::string& name) {
    Statement st(db, "PRAGMA " + name);
    REQUIRE(st.step());
    return st.column_text(0);
}

int64_t count_rows(Database& db, const std::string& table) {
    Statement st(db, "SELECT count(*) FROM " + table);
    st.step();
    return st.column_int64(0);
}

}  // namespace

TEST_CASE("opening creates parent directories 0700 and configures the connection", "[store]") {
    TempDir tmp;
    std::string path = tmp / "deep/er/rj.db";
    Database db(path);
    struct stat st;
    REQUIRE(stat((tmp / "deep/er").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK(pragma(db, "journal_mode") == "wal");
    CHECK(pragma(db, "foreign_keys") == "1");
    CHECK(pragma(db, "busy_timeout") == "5000");
    CHECK(db.path() == path);
}

TEST_CASE("statements bind and read back every type exactly", "[store]") {
    TempDir tmp;
    Database db(tmp / "t.db", Database::Open::raw);
    db.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER)");
    const std::string text("nul\0inside \xC3\xA9 \xFF raw", 19);
    const std::string blob("\0\1\2=\n\xFE", 6);
    {
        Statement ins(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?)");
        ins.bind(1, std::numeric_limits<int64_t>::min()).bind(2, 0.1 + 0.2).bind(3, text);
        ins.bind_blob(4, blob).bind(5, std::optional<int64_t>());
        ins.run();
        ins.reset();
        ins.bind_all(std::numeric_limits<int64_t>::max(), -1.5, "", std::string_view(), std::optional<int>(7));
        ins.run();
    }
    Statement sel(db, "SELECT i, r, s, b, n FROM t ORDER BY rowid");
    REQUIRE(sel.step());
    CHECK(sel.column_int64(0) == std::numeric_limits<int64_t>::min());
    CHECK(sel.column_double(1) == 0.1 + 0.2);
    CHECK(sel.column_text(2) == text);
    CHECK(sel.column_blob(3) == blob);
    CHECK(sel.column_is_null(4));
    CHECK_FALSE(sel.column_opt_int64(4).has_value());
    REQUIRE(sel.step());
    CHECK(sel.column_int64(0) == std::numeric_limits<int64_t>::max());
    CHECK(sel.column_opt_double(1) == -1.5);
    CHECK_FALSE(sel.column_is_null(2));  // "" stays an empty string, not NULL
    CHECK(sel.column_text(2).empty());
    CHECK(sel.column_opt_int(4) == 7);
    CHECK_FALSE(sel.step());
}

TEST_CASE("a transaction rolls back unless committed, and nests as a savepoint", "[store]") {
    TempDir tmp;
    Database db(tmp / "t.db", Database::Open::raw);
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
    }
    CHECK(count_rows(db, "t") == 0);
    CHECK_FALSE(db.in_transaction());
    {
        Transaction tx(db);
        db.exec("INSERT INTO t VALUES (1)");
        {
            Transaction inner(db);
            db.exec("INSERT INTO t VALUES (2)");
        }  // rolled back alone
        {
            Transaction inner(db);
            db.exec("INSERT INTO t VALUES (3)");
            inner.commit();
        }
        CHECK(db.in_transaction());
        tx.commit();
    }
    Statement st(db, "SELECT group_concat(x) FROM t");
    st.step();
    CHECK(st.column_text(0) == "1,3");
}

TEST_CASE("errors name the database file, SQLite's message and a hint", "[store]") {
    TempDir tmp;
    std::string path = tmp / "not-a-db";
    std::ofstream(path) << std::string(4096, 'x');
    try {
        Database db(path);
        FAIL("opening a non-database should throw");
    } catch (const util::Error& e) {
        CHECK_THAT(e.what(), Catch::Contains(path));
        CHECK_THAT(e.what(), Catch::Contains("not a database"));
        CHECK_THAT(e.hint(), Catch::Contains("RJ_DB"));
    }
    Database db(tmp / "ok.db");
    try {
        db.exec("SELECT * FROM no_such_table");
        FAIL("bad SQL should throw");
    } catch (const util::Error& e) {
        CHECK_THAT(e.what(), Catch::Contains("no such table"));
        CHECK_THAT(e.what(), Catch::Contains(tmp / "ok.db"));
    }
}

namespace {

// Forks a process that opens its own connection, takes the write lock with an
// insert, tells the parent through a pipe, holds the lock for `hold_ms`, then
// commits. Returns the child's pid; the parent reads one byte before going on.
pid_t writer_holding_lock(const std::string& path, int hold_ms, int ready_fd_pair[2]) {
    REQUIRE(pipe(ready_fd_pair) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int rc = 0;
        try {
            Database db(path);
            Transaction tx(db);
            db.exec("INSERT INTO t VALUES ('child')");
            (void)!write(ready_fd_pair[1], "x", 1);
            usleep(static_cast<useconds_t>(hold_ms) * 1000);
            tx.commit();
        } catch (...) {
            rc = 1;
        }
        _exit(rc);
    }
    close(ready_fd_pair[1]);
    char c;
    REQUIRE(read(ready_fd_pair[0], &c, 1) == 1);
    close(ready_fd_pair[0]);
    return pid;
}

int wait_child(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("a writer waits for another process's write transaction instead of failing", "[store]") {
    TempDir tmp;
    std::string path = tmp / "shared.db";
    {
        Database db(path);
        db.exec("CREATE TABLE t (who TEXT)");
    }
    // Connections are opened only after fork: SQLite forbids carrying one into a child.
    int fds[2];
    pid_t child = writer_holding_lock(path, 400, fds);
    {
        Database db(path);
        auto t0 = std::chrono::steady_clock::now();
        {
            Transaction tx(db);  // blocks in the busy handler until the child commits
            db.exec("INSERT INTO t VALUES ('parent')");
            tx.commit();
        }
        auto waited = std::chrono::steady_clock::now() - t0;
        CHECK(wait_child(child) == 0);
        CHECK(waited >= std::chrono::milliseconds(200));
        CHECK(count_rows(db, "t") == 2);
    }
    // A reader is never blocked by a writer in WAL mode.
    child = writer_holding_lock(path, 300, fds);
    Database db(path);
    auto t0 = std::chrono::steady_clock::now();
    CHECK(count_rows(db, "t") == 2);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(200));
    CHECK(wait_child(child) == 0);
    CHECK(count_rows(db, "t") == 3);
}

TEST_CASE("a lock held past the busy timeout fails with the retry hint", "[store]") {
    TempDir tmp;
    std::string path = tmp / "shared.db";
    {
        Database db(path);
        db.exec("CREATE TABLE t (who TEXT)");
    }
    int fds[2];
    pid_t child = writer_holding_lock(path, 800, fds);
    Database db(path);
    sqlite3_busy_timeout(db.handle(), 100);  // the real 5 s would make the test slow
    try {
        Transaction tx(db);
        FAIL("the write lock should not have been granted");
    } catch (const util::Error& e) {
        CHECK_THAT(e.what(), Catch::Contains(path));
        CHECK_THAT(e.hint(), Catch::Contains("another rj is writing"));
    }
    CHECK(wait_child(child) == 0);
}

TEST_CASE("the database and its -wal and -shm files are readable by their owner only", "[store]") {
    TempDir tmp;
    std::string path = tmp / "rj.db";
    auto mode_of = [](const std::string& p) {
        struct stat st {};
        REQUIRE(::stat(p.c_str(), &st) == 0);
        return st.st_mode & 0777;
    };
    mode_t old = ::umask(022);  // a typical umask would give 0644
    {
        Database db(path);
        db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
        CHECK(mode_of(path) == 0600);
        CHECK(mode_of(path + "-wal") == 0600);
        CHECK(mode_of(path + "-shm") == 0600);
    }
    // One made by an older rj with 0644 is tightened when next opened.
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    { Database db(path); }
    CHECK(mode_of(path) == 0600);
    ::umask(old);
}
