#include "config.h"

#include "store/deferred_repo.h"

#include <ctime>

#include "store/database.h"

namespace store {

namespace {
const char* const kCols = "id, host, job_id, op, arg, created_at, state, done_at, message";
}

int64_t DeferredRepo::add(const std::string& host, int64_t job_id, const std::string& op, const std::string& arg) {
    for (const auto& d : waiting_for_job(job_id))
        if (d.op == op && d.arg == arg) return d.id;
    auto st = db_.cached("INSERT INTO deferred_ops (host, job_id, op, arg, created_at) VALUES (?, ?, ?, ?, ?)");
    st->bind_all(host, job_id, op, arg, static_cast<int64_t>(std::time(nullptr)));
    st->run();
    return db_.last_insert_id();
}

std::vector<DeferredOp> DeferredRepo::query(const std::string& where, const std::string& arg, bool has_arg) {
    std::vector<DeferredOp> out;
    Statement st(db_, std::string("SELECT ") + kCols + " FROM deferred_ops WHERE " + where + " ORDER BY id");
    if (has_arg) st.bind(1, arg);
    while (st.step()) {
        DeferredOp d;
        d.id = st.column_int64(0);
        d.host = st.column_text(1);
        d.job_id = st.column_int64(2);
        d.op = st.column_text(3);
        d.arg = st.column_text(4);
        d.created_at = st.column_int64(5);
        d.state = st.column_text(6);
        d.done_at = st.column_opt_int64(7);
        d.message = st.column_text(8);
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<DeferredOp> DeferredRepo::waiting() { return query("state = 'waiting'", "", false); }
std::vector<DeferredOp> DeferredRepo::waiting_on(const std::string& host) {
    return query("state = 'waiting' AND host = ?", host, true);
}
std::vector<DeferredOp> DeferredRepo::waiting_for_job(int64_t job_id) {
    return query("state = 'waiting' AND job_id = ?", std::to_string(job_id), true);
}

std::optional<DeferredOp> DeferredRepo::get(int64_t id) {
    auto v = query("id = ?", std::to_string(id), true);
    if (v.empty()) return std::nullopt;
    return v.front();
}

std::vector<std::string> DeferredRepo::hosts_waiting() {
    std::vector<std::string> out;
    auto st = db_.cached("SELECT DISTINCT host FROM deferred_ops WHERE state = 'waiting' ORDER BY host");
    while (st->step()) out.push_back(st->column_text(0));
    return out;
}

bool DeferredRepo::finish(int64_t id, const std::string& state, const std::string& message) {
    auto st = db_.cached("UPDATE deferred_ops SET state = ?, message = ?, done_at = ? WHERE id = ? AND state = 'waiting'");
    st->bind_all(state, message, static_cast<int64_t>(std::time(nullptr)), id);
    st->run();
    return db_.changes() > 0;
}

}  // namespace store
