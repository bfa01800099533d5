#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/database.h"

#include <sqlite3.h>

#include "store/migrations.h"
#include "util/error.h"
#include "util/xdg.h"

namespace store {

namespace {

std::string hint_for(int rc, const std::string& path) {
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "another rj is writing to the database; retry in a moment";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return "check that you may write " + path + " and its directory";
    case SQLITE_CANTOPEN:
        return "check that the directory of " + path + " exists and is writable, or set RJ_DB";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return "the file is damaged or not an rj database; move it aside or set RJ_DB to another path";
    case SQLITE_FULL:
        return "the disk holding " + path + " is full";
    case SQLITE_IOERR:
        return "the disk holding " + path + " reported an I/O error";
    default:
        return {};
    }
}

}  // namespace

// ---- Statement -------------------------------------------------------------

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
    int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt_);
        stmt_ = nullptr;
        db.fail(rc, "preparing " + std::string(sql.substr(0, 60)));
    }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
}

Statement& Statement::bind_int64(int index, int64_t value) {
    if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) db_->fail(rc, "binding");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) db_->fail(rc, "binding");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    // A null data pointer would bind NULL; "" must stay an empty string.
    const char* data = text.data() ? text.data() : "";
    int rc = sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail(rc, "binding");
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    const char* data = bytes.data() ? bytes.data() : "";
    if (int rc = sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT); rc != SQLITE_OK)
        db_->fail(rc, "binding");
    return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
    if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) db_->fail(rc, "binding");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
    // The message must be read before reset, which may replace it.
    std::string msg = sqlite3_errmsg(db_->handle());
    sqlite3_reset(stmt_);
    throw util::Error("database " + db_->path() + ": " + msg + " (running " + sql.substr(0, 60) + ")",
                      hint_for(rc, db_->path()));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() { sqlite3_reset(stmt_); }
void Statement::clear_bindings() { sqlite3_clear_bindings(stmt_); }

bool Statement::column_is_null(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::column_int64(int col) { return sqlite3_column_int64(stmt_, col); }
double Statement::column_double(int col) { return sqlite3_column_double(stmt_, col); }

std::string Statement::column_text(int col) {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);  // after the pointer, as SQLite requires
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::string Statement::column_blob(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::optional<int64_t> Statement::column_opt_int64(int col) {
    if (column_is_null(col)) return std::nullopt;
    return column_int64(col);
}

std::optional<int> Statement::column_opt_int(int col) {
    if (column_is_null(col)) return std::nullopt;
    return static_cast<int>(column_int64(col));
}

std::optional<double> Statement::column_opt_double(int col) {
    if (column_is_null(col)) return std::nullopt;
    return column_double(col);
}

CachedStatement::~CachedStatement() {
    st_->reset();
    st_->clear_bindings();
}

// ---- Database --------------------------------------------------------------

namespace {

// The history holds commands, environments and logs: owner only. SQLite
// gives the -wal and -shm files the main file's mode, so creating it 0600
// (or tightening one that is looser) covers all three.
void restrict_to_owner(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;  // sqlite3_open_v2 reports the problem in its own words
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 077) != 0)
        ::fchmod(fd, st.st_mode & 0700);
    ::close(fd);
    for (const char* suffix : {"-wal", "-shm"}) {
        std::string side = path + suffix;
        if (::stat(side.c_str(), &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 077) != 0)
            ::chmod(side.c_str(), st.st_mode & 0700);
    }
}

}  // namespace

Database::Database(const std::string& path, Open mode) : path_(path) {
    bool on_disk = !path.empty() && path != ":memory:" && !path.starts_with("file:");
    if (on_disk) {
        util::make_dirs(util::parent_dir(path), 0700);
        restrict_to_owner(path);
    }
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw util::Error("cannot open database " + path + ": " + msg, hint_for(rc, path));
    }
    try {
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, busy_timeout_ms);
        // Refuse a newer schema before anything below writes to the file.
        if (mode == Open::migrate) check_schema_not_newer(*this);
        // journal_mode answers with the mode in force; a filesystem without
        // shared memory keeps the old one, which still works, only slower.
        switch_to_wal();
        exec("PRAGMA foreign_keys=ON");
        if (mode == Open::migrate) migrate(*this);
    } catch (...) {
        cache_.clear();
        sqlite3_close(db_);
        throw;
    }
}

void Database::switch_to_wal() {
    // Turning a new file into WAL needs an exclusive lock. When several rj
    // processes open the same new file at once (cron, a script starting jobs
    // in parallel), SQLite answers BUSY at once instead of calling the busy
    // handler, because waiting while holding a shared lock could deadlock.
    // So wait here, between attempts, for as long as the busy timeout.
    const int pause_ms = 10;
    for (int waited_ms = 0;; waited_ms += pause_ms) {
        int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK) return;
        if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= busy_timeout_ms) fail(rc, "PRAGMA journal_mode=WAL");
        ::usleep(static_cast<useconds_t>(pause_ms * 1000 + (::getpid() % 7) * 1000));
    }
}

Database::~Database() {
    cache_.clear();  // statements must be finalized before the connection closes
    sqlite3_close(db_);
}

void Database::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw util::Error("database " + path_ + ": " + msg + " (running " + s.substr(0, 60) + ")",
                          hint_for(rc, path_));
    }
}

CachedStatement Database::cached(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Statement>(*this, sql)).first;
    return CachedStatement(*it->second);
}

void Database::set_busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }

bool Database::is_busy_error(const std::string& message) {
    return message.find("database is locked") != std::string::npos || message.find("database is busy") != std::string::npos;
}

int64_t Database::last_insert_id() { return sqlite3_last_insert_rowid(db_); }
int64_t Database::changes() { return sqlite3_changes(db_); }
bool Database::in_transaction() { return sqlite3_get_autocommit(db_) == 0; }

int Database::user_version() {
    Statement st(*this, "PRAGMA user_version");
    st.step();
    return static_cast<int>(st.column_int64(0));
}

void Database::set_user_version(int version) {
    exec("PRAGMA user_version=" + std::to_string(version));
}

void Database::fail(int rc, std::string_view doing) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    throw util::Error("database " + path_ + ": " + std::string(doing) + ": " + msg, hint_for(rc, path_));
}

// ---- Transaction -----------------------------------------------------------

Transaction::Transaction(Database& db, Mode mode) : db_(db) {
    if (db.in_transaction()) {
        savepoint_ = "rj_sp" + std::to_string(++db.savepoint_seq_);
        db.exec("SAVEPOINT " + savepoint_);
    } else {
        db.exec(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    }
}

Transaction::~Transaction() {
    if (done_) return;
    // A destructor must not throw; a failed rollback leaves nothing to do anyway.
    if (!savepoint_.empty()) {
        sqlite3_exec(db_.handle(), ("ROLLBACK TO " + savepoint_ + "; RELEASE " + savepoint_).c_str(),
                     nullptr, nullptr, nullptr);
    } else if (db_.in_transaction()) {
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    db_.exec(savepoint_.empty() ? "COMMIT" : "RELEASE " + savepoint_);
    done_ = true;
}

}  // namespace store
