// RAII wrapper over one SQLite connection: opening (WAL, busy timeout, foreign
// keys, migrations), prepared statements and transactions. Every failure becomes
// a util::Error naming the database file, SQLite's message and a hint.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace store {

class Database;

// One prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    template <std::integral T>
    Statement& bind(int index, T value) { return bind_int64(index, static_cast<int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);  // any bytes, NULs included
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, std::nullptr_t);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, nullptr);
    }
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_int64(int index, int64_t value);

    // Binds the arguments to parameters 1..n.
    template <typename... Args>
    Statement& bind_all(const Args&... args) {
        int i = 0;
        (bind(++i, args), ...);
        return *this;
    }

    // Advances; true when a row is available. Throws util::Error on failure
    // (after resetting, so the statement can be reused).
    bool step();
    // Runs a statement that returns no rows to completion.
    void run();
    // Ready to step again with the same bindings; releases the read snapshot.
    void reset();
    void clear_bindings();

    bool column_is_null(int col);
    int64_t column_int64(int col);
    double column_double(int col);
    std::string column_text(int col);  // exact bytes; "" for NULL
    std::string column_blob(int col);
    std::optional<int64_t> column_opt_int64(int col);
    std::optional<int> column_opt_int(int col);
    std::optional<double> column_opt_double(int col);

    sqlite3_stmt* handle() { return stmt_; }

private:
    Database* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// A statement borrowed from the connection's cache; reset on release so that
// no read snapshot outlives its use (a lingering one would pin the WAL).
class CachedStatement {
public:
    explicit CachedStatement(Statement& st) : st_(&st) {}
    ~CachedStatement();
    CachedStatement(const CachedStatement&) = delete;
    CachedStatement& operator=(const CachedStatement&) = delete;
    Statement* operator->() { return st_; }
    Statement& operator*() { return *st_; }

private:
    Statement* st_;
};

class Database {
public:
    enum class Open {
        migrate,  // normal use: refuse newer schemas, migrate older ones to the latest
        raw,      // no schema check, no migrations (tests build old versions with it)
    };

    // Opens (creating the file and its parent directories, mode 0700) and
    // configures the connection. Throws util::Error.
    explicit Database(const std::string& path, Open mode = Open::migrate);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const std::string& path() const { return path_; }
    sqlite3* handle() { return db_; }

    // Runs one or more SQL statements that return nothing.
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql) { return Statement(*this, sql); }
    // A prepared statement kept for the life of the connection, keyed by its SQL.
    // Do not borrow the same SQL twice at once.
    CachedStatement cached(const std::string& sql);

    int64_t last_insert_id();
    int64_t changes();
    bool in_transaction();

    int user_version();
    void set_user_version(int version);

    // Throws util::Error for SQLite result `rc` while `doing` something.
    [[noreturn]] void fail(int rc, std::string_view doing);

    // Milliseconds a writer waits for another connection's lock before failing.
    static constexpr int busy_timeout_ms = 5000;
    // A face on the event loop (the interface) waits less: its work is
    // retried by its timers, and the screen must not freeze for seconds.
    void set_busy_timeout(int ms);
    // True for a util::Error thrown because another connection held the lock.
    static bool is_busy_error(const std::string& message);

private:
    friend class Transaction;
    void switch_to_wal();
    std::string path_;
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
    int savepoint_seq_ = 0;
};

// A transaction that rolls back unless commit() is called. Writers use
// BEGIN IMMEDIATE: taking the write lock up front means a concurrent writer
// waits in the busy handler instead of failing later with SQLITE_BUSY when a
// read transaction tries to upgrade (which the busy timeout cannot help in WAL
// mode). Inside an open transaction it nests as a SAVEPOINT.
class Transaction {
public:
    enum class Mode { read, write };
    explicit Transaction(Database& db, Mode mode = Mode::write);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    std::string savepoint_;  // empty for an outermost transaction
    bool done_ = false;
};

}  // namespace store
