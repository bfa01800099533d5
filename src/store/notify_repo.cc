#include "config.h"

#include "store/notify_repo.h"

#include "store/database.h"

namespace store {

bool NotifyRepo::decide(int64_t id, const std::string& via, int64_t at, const std::string& error) {
    auto st = db_.cached(
        "UPDATE jobs SET notified_via = ?, notified_at = ?, notify_error = ? "
        "WHERE id = ? AND notify != '' AND notified_via = ''");
    st->bind_all(via, at, error, id);
    st->run();
    return db_.changes() == 1;
}

bool NotifyRepo::claim(int64_t id, int64_t now) {
    auto st = db_.cached(
        "UPDATE jobs SET notified_via = 'sending', notified_at = ? WHERE id = ? AND notify != '' AND "
        "(notified_via = 'due' OR (notified_via = 'sending' AND notified_at < ?))");
    st->bind_all(now, id, now - kStaleClaimS);
    st->run();
    return db_.changes() == 1;
}

void NotifyRepo::finish(int64_t id, const std::string& via, int64_t at, const std::string& error) {
    auto st = db_.cached(
        "UPDATE jobs SET notified_via = ?, notified_at = ?, notify_error = ? WHERE id = ? AND notified_via = 'sending'");
    st->bind_all(via, at, error, id);
    st->run();
}

void NotifyRepo::release(int64_t id, const std::string& error) {
    auto st = db_.cached("UPDATE jobs SET notified_via = 'due', notify_error = ? WHERE id = ? AND notified_via = 'sending'");
    st->bind_all(error, id);
    st->run();
}

std::vector<int64_t> NotifyRepo::open_ids() {
    std::vector<int64_t> ids;
    auto st = db_.cached("SELECT id FROM jobs WHERE notify != '' AND notified_via IN ('', 'due', 'sending') ORDER BY id");
    while (st->step()) ids.push_back(st->column_int64(0));
    return ids;
}

std::vector<int64_t> NotifyRepo::command_open(int64_t since) {
    std::vector<int64_t> ids;
    auto st = db_.cached(
        "SELECT id FROM jobs WHERE notify != '' AND command_notified = 0 AND ended_at >= ? AND "
        "status IN ('completed', 'failed', 'killed', 'timeout', 'dead', 'cancelled') ORDER BY id");
    st->bind(1, since);
    while (st->step()) ids.push_back(st->column_int64(0));
    return ids;
}

bool NotifyRepo::claim_command(int64_t id) {
    auto st = db_.cached("UPDATE jobs SET command_notified = 1 WHERE id = ? AND command_notified = 0");
    st->bind(1, id);
    st->run();
    return db_.changes() == 1;
}

}  // namespace store
