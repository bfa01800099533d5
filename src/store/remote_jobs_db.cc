#include "config.h"

#include "store/remote_jobs_db.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <memory>
#include <set>

#include "util/error.h"

namespace store {

namespace {

struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalizer {
    void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};

std::string text(sqlite3_stmt* st, int col) {
    const unsigned char* p = sqlite3_column_text(st, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(st, col))) : "";
}

std::optional<int64_t> opt_int(sqlite3_stmt* st, int col) {
    if (sqlite3_column_type(st, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(st, col);
}

}  // namespace

std::vector<RemoteJobsRow> read_remote_jobs_db(const std::string& path) {
    const std::string hint_foreign =
        "give the jobs.db of remote-jobs (by default ~/.config/remote-jobs/jobs.db)";
    struct stat sb {};
    if (stat(path.c_str(), &sb) != 0)
        throw util::Error("no remote-jobs database at " + path, hint_foreign);
    if (!S_ISREG(sb.st_mode)) throw util::Error(path + " is not a file", hint_foreign);
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, Closer> db(raw);
    auto fail = [&](const std::string& what) {
        return util::Error(path + " is not a remote-jobs database (" + what + ")", hint_foreign);
    };
    if (rc != SQLITE_OK) throw fail(raw ? sqlite3_errmsg(raw) : "cannot open it");
    sqlite3_busy_timeout(raw, 5000);

    // The columns import reads must all be there; the later ones
    // (error_message, queue_name) came with migrations and may be missing.
    std::set<std::string> columns;
    {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(raw, "PRAGMA table_info(jobs)", -1, &st, nullptr) != SQLITE_OK)
            throw fail(sqlite3_errmsg(raw));
        std::unique_ptr<sqlite3_stmt, Finalizer> hold(st);
        for (int s; (s = sqlite3_step(st)) == SQLITE_ROW;) columns.insert(text(st, 1));
    }
    if (columns.empty()) throw fail("it has no jobs table");
    for (const char* need : {"id", "host", "session_name", "working_dir", "command", "description", "start_time",
                             "end_time", "exit_code", "status"})
        if (!columns.count(need)) throw fail("its jobs table has no " + std::string(need) + " column");
    std::string sql = "SELECT id, host, session_name, working_dir, command, description, start_time, end_time, "
                      "exit_code, status, " +
                      std::string(columns.count("error_message") ? "error_message" : "NULL") + ", " +
                      std::string(columns.count("queue_name") ? "queue_name" : "NULL") + " FROM jobs ORDER BY id";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) throw fail(sqlite3_errmsg(raw));
    std::unique_ptr<sqlite3_stmt, Finalizer> hold(st);
    std::vector<RemoteJobsRow> rows;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        RemoteJobsRow r;
        r.id = sqlite3_column_int64(st, 0);
        r.host = text(st, 1);
        r.session_name = text(st, 2);
        r.working_dir = text(st, 3);
        r.command = text(st, 4);
        r.description = text(st, 5);
        r.start_time = opt_int(st, 6);
        r.end_time = opt_int(st, 7);
        r.exit_code = opt_int(st, 8);
        r.status = text(st, 9);
        r.error_message = text(st, 10);
        r.queue_name = text(st, 11);
        rows.push_back(std::move(r));
    }
    if (s != SQLITE_DONE) throw fail(sqlite3_errmsg(raw));
    return rows;
}

}  // namespace store

#include "store/database.h"

namespace store {

std::optional<int64_t> find_imported_job(Database& db, const std::string& host, const std::string& marker) {
    auto st = db.cached("SELECT id FROM jobs WHERE host = ? AND remote_dir = ? ORDER BY id LIMIT 1");
    st->bind_all(host, marker);
    if (st->step()) return st->column_int64(0);
    return std::nullopt;
}

}  // namespace store
