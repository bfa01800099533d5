#include "config.h"

#include "store/journal_repo.h"

#include "store/database.h"
#include "util/error.h"

namespace store {

std::string client_id(Database& db) {
    auto st = db.cached("SELECT value FROM meta WHERE key = 'client_id'");
    if (!st->step())
        throw util::Error("database " + db.path() + " has no client id",
                          "it may have been edited by hand; move it aside and let rj create a new one");
    std::string id = st->column_text(0);
    // It goes into remote names (a directory, a tmux session): only ever hex.
    bool hex = !id.empty() && id.size() <= 32;
    for (char c : id) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex) throw util::Error("database " + db.path() + " has a malformed client id '" + id + "'");
    return id;
}

int64_t JournalRepo::offset(const std::string& host, const std::string& remote_dir) {
    auto st = db_.cached("SELECT journal_offset FROM journals WHERE host = ? AND remote_dir = ?");
    st->bind_all(host, remote_dir);
    return st->step() ? st->column_int64(0) : 0;
}

void JournalRepo::set_offset(const std::string& host, const std::string& remote_dir, int64_t offset) {
    auto st = db_.cached(
        "INSERT INTO journals (host, remote_dir, journal_offset) VALUES (?, ?, ?) "
        "ON CONFLICT(host, remote_dir) DO UPDATE SET journal_offset = excluded.journal_offset");
    st->bind_all(host, remote_dir, offset);
    st->run();
}

}  // namespace store
