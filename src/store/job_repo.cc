#include "config.h"

#include "store/job_repo.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <variant>

#include "store/database.h"
#include "util/error.h"

namespace store {

namespace {

// Column order shared by every SELECT and by read_job().
const char* const kColumns =
    "id, host, command, workdir, description, timeout_s, status, exit_code, exit_signal, "
    "created_at, started_at, ended_at, cpu_user_s, cpu_sys_s, pid, from_job, queue_on_fail, "
    "remote_dir, error, session_prefix, queue, priority, gpus, gpu_alloc, after_ok, after_any, after_fail, "
    "array_id, array_task, array_spec, idle_timeout_s, held, queue_reason, code_commit, code_branch, code_root, "
    "code_subdir, code_patch_hash, code_patch_bytes, code_truncated, code_files, code_untracked, gpu_models, exact, "
    "notify, notified_at, notified_via, notify_error, pool, require, prelude, laptop_wait, plan, peak_rss_kib, "
    "gpus_used, gpu_mem_peak_mib, gpu_util_mean, progress, progress_frac, progress_at, quiet_since, stalled_since, "
    "stall_notified, slurm_id, live_gpus, live_gpu_util";

std::string id_csv(const std::vector<int64_t>& ids) {
    std::string s;
    for (int64_t id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
    return s;
}

std::vector<int64_t> parse_csv(const std::string& s) {
    std::vector<int64_t> ids;
    size_t i = 0;
    while (i < s.size()) {
        size_t c = s.find(',', i);
        if (c == std::string::npos) c = s.size();
        try {
            ids.push_back(std::stoll(s.substr(i, c - i)));
        } catch (const std::exception&) {
        }
        i = c + 1;
    }
    return ids;
}

Job read_job(Statement& st) {
    Job j;
    j.id = st.column_int64(0);
    j.host = st.column_text(1);
    j.command = st.column_text(2);
    j.workdir = st.column_text(3);
    j.description = st.column_text(4);
    j.timeout_s = st.column_int64(5);
    std::string status = st.column_text(6);
    auto parsed = parse_status(status);
    // Only a newer rj (refused by the schema version) or a hand edit writes
    // another word; say which job rather than guess its fate.
    if (!parsed) throw util::Error("job " + std::to_string(j.id) + " has an unknown status '" + status + "' in the database");
    j.status = *parsed;
    j.exit_code = st.column_opt_int(7);
    j.exit_signal = st.column_opt_int(8);
    j.created_at = st.column_int64(9);
    j.started_at = st.column_opt_int64(10);
    j.ended_at = st.column_opt_int64(11);
    j.cpu_user_s = st.column_opt_double(12);
    j.cpu_sys_s = st.column_opt_double(13);
    j.pid = st.column_opt_int64(14);
    j.from_job = st.column_opt_int64(15);
    j.queue_on_fail = st.column_int64(16) != 0;
    j.remote_dir = st.column_text(17);
    j.error = st.column_text(18);
    j.session_prefix = st.column_text(19);
    j.queue = st.column_text(20);
    j.priority = st.column_int64(21);
    j.gpus = static_cast<int>(st.column_int64(22));
    j.gpu_alloc = st.column_text(23);
    j.after_ok = parse_csv(st.column_text(24));
    j.after_any = parse_csv(st.column_text(25));
    j.after_fail = parse_csv(st.column_text(26));
    j.array_id = st.column_opt_int64(27);
    j.array_task = st.column_opt_int64(28);
    j.array_spec = st.column_text(29);
    j.idle_timeout_s = st.column_int64(30);
    j.held = st.column_int64(31) != 0;
    j.queue_reason = st.column_text(32);
    j.code.commit = st.column_text(33);
    j.code.branch = st.column_text(34);
    j.code.root = st.column_text(35);
    j.code.subdir = st.column_text(36);
    j.code.patch_hash = st.column_text(37);
    j.code.patch_bytes = st.column_int64(38);
    j.code.truncated = st.column_int64(39) != 0;
    j.code.files = static_cast<int>(st.column_int64(40));
    j.code.untracked = static_cast<int>(st.column_int64(41));
    j.gpu_models = st.column_text(42);
    j.exact = st.column_int64(43) != 0;
    j.notify = st.column_text(44);
    j.notified_at = st.column_opt_int64(45);
    j.notified_via = st.column_text(46);
    j.notify_error = st.column_text(47);
    j.pool = st.column_text(48);
    j.require = st.column_text(49);
    j.prelude = st.column_text(50);
    j.laptop_wait = st.column_int64(51) != 0;
    j.plan = st.column_text(52);
    j.usage.peak_rss_kib = st.column_opt_int64(53);
    j.usage.gpus = st.column_text(54);
    j.usage.gpu_mem_peak_mib = st.column_opt_int64(55);
    j.usage.gpu_util_mean = st.column_opt_double(56);
    j.progress = st.column_text(57);
    j.live.fraction = st.column_opt_double(58);
    j.live.fraction_at = st.column_opt_int64(59);
    j.live.quiet_since = st.column_opt_int64(60);
    j.live.stalled_since = st.column_opt_int64(61);
    j.live.stall_notified = st.column_int64(62) != 0;
    j.slurm_id = st.column_text(63);
    j.live.gpus = st.column_text(64);
    j.live.gpu_util = st.column_opt_double(65);
    return j;
}

// `?, ?, ?` for n parameters.
std::string placeholders(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
    return s;
}

// LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally.
std::string like_pattern(const std::string& text) {
    std::string p = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') p += '\\';
        p += c;
    }
    return p + "%";
}

using Arg = std::variant<int64_t, std::string>;

// The filter's WHERE conditions except status, joined with AND (or "1").
std::string other_conditions(const JobFilter& f, std::vector<Arg>& args) {
    std::vector<std::string> conds;
    if (!f.host.empty()) {
        conds.push_back("host = ?");
        args.emplace_back(f.host);
    }
    if (!f.search.empty()) {
        conds.push_back("(command LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\' OR plan LIKE ? ESCAPE '\\')");
        args.emplace_back(like_pattern(f.search));
        args.emplace_back(like_pattern(f.search));
        args.emplace_back(like_pattern(f.search));
    }
    if (f.before_id > 0) {
        conds.push_back("id < ?");
        args.emplace_back(f.before_id);
    }
    if (f.array_id > 0) {
        conds.push_back("array_id = ?");
        args.emplace_back(f.array_id);
    }
    if (f.hide_tasks) conds.push_back("array_id IS NULL");
    if (!f.tag.empty()) {
        conds.push_back("id IN (SELECT job_id FROM job_tags WHERE tag = ?)");
        args.emplace_back(f.tag);
    }
    if (conds.empty()) return "1";
    std::string s;
    for (size_t i = 0; i < conds.size(); ++i) s += (i ? " AND " : "") + conds[i];
    return s;
}

std::vector<std::string> unique_statuses(const JobFilter& f) {
    std::vector<std::string> v;
    for (Status s : f.statuses)
        if (std::find(v.begin(), v.end(), to_string(s)) == v.end()) v.push_back(to_string(s));
    return v;
}

std::string name(Status s) { return to_string(s); }

// The SELECT behind list(). With several statuses and a limit it is a UNION of
// one index range per status, each limited, because `status IN (...) ORDER BY
// id DESC` makes SQLite either sort every match or scan the whole table.
std::string list_sql(const JobFilter& f, std::vector<Arg>& args) {
    std::vector<std::string> statuses = unique_statuses(f);
    std::string limit = f.limit > 0 ? " LIMIT " + std::to_string(f.limit) : "";
    if (statuses.size() > 1 && f.limit > 0) {
        std::string sql = "SELECT " + std::string(kColumns) + " FROM (";
        for (size_t i = 0; i < statuses.size(); ++i) {
            if (i) sql += " UNION ALL ";
            args.emplace_back(statuses[i]);
            std::string rest = other_conditions(f, args);
            sql += "SELECT * FROM (SELECT " + std::string(kColumns) + " FROM jobs WHERE status = ? AND " +
                   rest + " ORDER BY id DESC" + limit + ")";
        }
        return sql + ") ORDER BY id DESC" + limit;
    }
    std::string cond;
    if (!statuses.empty()) {
        cond = "status IN (" + placeholders(statuses.size()) + ") AND ";
        for (const auto& s : statuses) args.emplace_back(s);
    }
    cond += other_conditions(f, args);
    return "SELECT " + std::string(kColumns) + " FROM jobs WHERE " + cond + " ORDER BY id DESC" + limit;
}

void bind_args(Statement& st, const std::vector<Arg>& args) {
    int i = 0;
    for (const Arg& a : args) std::visit([&](const auto& v) { st.bind(++i, v); }, a);
}

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace

int64_t JobRepo::insert(Job& job) {
    if (job.created_at == 0) job.created_at = now();
    // A lone INSERT is atomic by itself; the environment needs a transaction.
    std::optional<Transaction> tx;
    if (!job.env.empty() || !job.tags.empty()) tx.emplace(db_);
    {
        auto st = db_.cached(
            "INSERT INTO jobs (id, host, command, workdir, description, timeout_s, status, exit_code, "
            "exit_signal, created_at, started_at, ended_at, cpu_user_s, cpu_sys_s, pid, from_job, "
            "queue_on_fail, remote_dir, error, session_prefix, queue, priority, gpus, gpu_alloc, after_ok, "
            "after_any, after_fail, array_id, array_task, array_spec, idle_timeout_s, held, queue_reason, exact, notify, "
            "pool, require, prelude, laptop_wait, plan, progress) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?)");
        st->bind_all(job.id > 0 ? std::optional<int64_t>(job.id) : std::nullopt, job.host, job.command,
                     job.workdir, job.description, job.timeout_s, name(job.status), job.exit_code,
                     job.exit_signal, job.created_at, job.started_at, job.ended_at, job.cpu_user_s,
                     job.cpu_sys_s, job.pid, job.from_job, job.queue_on_fail, job.remote_dir, job.error,
                     job.session_prefix, job.queue, job.priority, static_cast<int64_t>(job.gpus), job.gpu_alloc,
                     id_csv(job.after_ok), id_csv(job.after_any), id_csv(job.after_fail), job.array_id,
                     job.array_task, job.array_spec, job.idle_timeout_s, job.held, job.queue_reason, job.exact, job.notify,
                     job.pool, job.require, job.prelude, job.laptop_wait, job.plan, job.progress);
        st->run();
    }
    int64_t id = db_.last_insert_id();
    Job stored = job;
    stored.id = id;
    write_env(stored);
    if (tx) tx->commit();
    job.id = id;
    return id;
}

void JobRepo::write_env(const Job& job) {
    auto st = db_.cached("INSERT INTO job_env (job_id, pos, name, value) VALUES (?, ?, ?, ?)");
    for (size_t i = 0; i < job.env.size(); ++i) {
        st->bind(1, job.id).bind(2, static_cast<int64_t>(i));
        st->bind_blob(3, job.env[i].first).bind_blob(4, job.env[i].second);
        st->run();
        st->reset();
    }
    auto tag = db_.cached("INSERT OR IGNORE INTO job_tags (job_id, tag) VALUES (?, ?)");
    for (const auto& t : job.tags) {
        tag->bind_all(job.id, t);
        tag->run();
        tag->reset();
    }
}

void JobRepo::load_env(Job& job) {
    auto st = db_.cached("SELECT name, value FROM job_env WHERE job_id = ? ORDER BY pos");
    st->bind(1, job.id);
    while (st->step()) job.env.emplace_back(st->column_blob(0), st->column_blob(1));
    auto tags = db_.cached("SELECT tag FROM job_tags WHERE job_id = ? ORDER BY tag");
    tags->bind(1, job.id);
    while (tags->step()) job.tags.push_back(tags->column_text(0));
}

std::vector<Job> JobRepo::query_jobs(const std::string& sql, const std::vector<std::string>& text_args) {
    std::vector<Job> jobs;
    {
        Statement st(db_, sql);
        int i = 0;
        for (const auto& a : text_args) st.bind(++i, a);
        while (st.step()) jobs.push_back(read_job(st));
    }
    for (Job& j : jobs) load_env(j);
    return jobs;
}

std::optional<Job> JobRepo::get(int64_t id) {
    std::optional<Job> job;
    {
        auto st = db_.cached("SELECT " + std::string(kColumns) + " FROM jobs WHERE id = ?");
        st->bind(1, id);
        if (st->step()) job = read_job(*st);
    }
    if (job) load_env(*job);
    return job;
}

std::vector<Job> JobRepo::list(const JobFilter& filter) {
    std::vector<Arg> args;
    std::string sql = list_sql(filter, args);
    std::vector<Job> jobs;
    // One read transaction so the rows and their environments are one snapshot.
    Transaction tx(db_, Transaction::Mode::read);
    {
        Statement st(db_, sql);
        bind_args(st, args);
        while (st.step()) jobs.push_back(read_job(st));
    }
    for (Job& j : jobs) load_env(j);
    tx.commit();
    return jobs;
}

int64_t JobRepo::count(const JobFilter& filter) {
    std::vector<Arg> args;
    std::vector<std::string> statuses = unique_statuses(filter);
    std::string cond;
    if (!statuses.empty()) {
        cond = "status IN (" + placeholders(statuses.size()) + ") AND ";
        for (const auto& s : statuses) args.emplace_back(s);
    }
    cond += other_conditions(filter, args);
    Statement st(db_, "SELECT count(*) FROM jobs WHERE " + cond);
    bind_args(st, args);
    st.step();
    return st.column_int64(0);
}

std::string JobRepo::query_plan(const JobFilter& filter) {
    std::vector<Arg> args;
    std::string sql = list_sql(filter, args);
    Statement st(db_, "EXPLAIN QUERY PLAN " + sql);
    bind_args(st, args);
    std::string plan;
    while (st.step()) plan += st.column_text(3) + "\n";
    return plan;
}

void JobRepo::update(const Job& job) {
    Transaction tx(db_);
    {
        auto st = db_.cached(
            "UPDATE jobs SET host = ?, command = ?, workdir = ?, description = ?, timeout_s = ?, "
            "exit_code = ?, exit_signal = ?, created_at = ?, started_at = ?, ended_at = ?, "
            "cpu_user_s = ?, cpu_sys_s = ?, pid = ?, from_job = ?, queue_on_fail = ?, remote_dir = ?, "
            "error = ?, session_prefix = ?, queue = ?, priority = ?, gpus = ?, gpu_alloc = ?, after_ok = ?, "
            "after_any = ?, after_fail = ?, array_id = ?, array_task = ?, array_spec = ?, idle_timeout_s = ?, "
            "held = ?, queue_reason = ?, pool = ?, require = ?, prelude = ?, laptop_wait = ? WHERE id = ?");
        st->bind_all(job.host, job.command, job.workdir, job.description, job.timeout_s,
                     job.exit_code, job.exit_signal, job.created_at, job.started_at, job.ended_at,
                     job.cpu_user_s, job.cpu_sys_s, job.pid, job.from_job, job.queue_on_fail,
                     job.remote_dir, job.error, job.session_prefix, job.queue, job.priority,
                     static_cast<int64_t>(job.gpus), job.gpu_alloc, id_csv(job.after_ok), id_csv(job.after_any),
                     id_csv(job.after_fail), job.array_id, job.array_task, job.array_spec, job.idle_timeout_s,
                     job.held, job.queue_reason, job.pool, job.require, job.prelude, job.laptop_wait, job.id);
        st->run();
    }
    if (db_.changes() == 0) throw util::Error("job " + std::to_string(job.id) + " no longer exists");
    {
        auto del = db_.cached("DELETE FROM job_env WHERE job_id = ?");
        del->bind(1, job.id);
        del->run();
        auto untag = db_.cached("DELETE FROM job_tags WHERE job_id = ?");
        untag->bind(1, job.id);
        untag->run();
    }
    write_env(job);
    tx.commit();
}

void JobRepo::set_status(int64_t id, Status status) {
    auto st = db_.cached("UPDATE jobs SET status = ? WHERE id = ?");
    st->bind_all(name(status), id);
    st->run();
}

bool JobRepo::transition(int64_t id, const std::vector<Status>& from, Status to) {
    if (from.empty()) return false;
    Statement st(db_, "UPDATE jobs SET status = ? WHERE id = ? AND status IN (" + placeholders(from.size()) + ")");
    st.bind(1, name(to)).bind(2, id);
    int i = 2;
    for (Status s : from) st.bind(++i, name(s));
    st.run();
    return db_.changes() > 0;
}

void JobRepo::set_error(int64_t id, const std::string& error) {
    auto st = db_.cached("UPDATE jobs SET error = ? WHERE id = ?");
    st->bind_all(error, id);
    st->run();
}

// Both transitions are guarded in SQL, not only by the caller's earlier
// read: the UI, cron's `rj -b sync` and a `rj -b kill` may decide the same
// job at once, and the first terminal writer must win in every process.
bool JobRepo::mark_running(int64_t id, std::optional<int64_t> pid, int64_t started_at) {
    auto st = db_.cached(
        "UPDATE jobs SET status = 'running', pid = ?, started_at = ? "
        "WHERE id = ? AND status IN ('pending', 'queued', 'starting', 'running')");
    st->bind_all(pid, started_at, id);
    st->run();
    return db_.changes() > 0;
}

bool JobRepo::mark_ended(int64_t id, const JobEnd& end, const std::vector<Status>& from) {
    static const std::vector<Status> not_ended{Status::Pending, Status::Queued, Status::Starting, Status::Running};
    const std::vector<Status>& allowed = from.empty() ? not_ended : from;
    Statement st(db_,
                 "UPDATE jobs SET status = ?, exit_code = ?, exit_signal = ?, ended_at = ?, cpu_user_s = ?, "
                 "cpu_sys_s = ?, peak_rss_kib = ?, gpus_used = ?, gpu_mem_peak_mib = ?, gpu_util_mean = ? "
                 "WHERE id = ? AND status IN (" +
                     placeholders(allowed.size()) + ")");
    st.bind_all(name(end.status), end.exit_code, end.exit_signal, end.ended_at, end.cpu_user_s, end.cpu_sys_s,
                end.usage.peak_rss_kib, end.usage.gpus, end.usage.gpu_mem_peak_mib, end.usage.gpu_util_mean, id);
    int i = 11;
    for (Status s : allowed) {
        if (is_terminal_status(s)) throw util::Error("a job cannot end twice");
        st.bind(++i, name(s));
    }
    st.run();
    return db_.changes() > 0;
}

std::vector<std::string> JobRepo::hosts_with_jobs() {
    std::vector<std::string> hosts;
    // '@POOL': a pool job not placed yet is on no host.
    auto st = db_.cached("SELECT DISTINCT host FROM jobs WHERE host NOT LIKE '@%' ORDER BY host");
    while (st->step()) hosts.push_back(st->column_text(0));
    return hosts;
}

std::vector<std::string> JobRepo::hosts_with_active_jobs() {
    std::vector<std::string> hosts;
    auto st = db_.cached(
        "SELECT DISTINCT host FROM jobs WHERE status IN ('starting', 'running', 'pending', 'queued') "
        "AND laptop_wait = 0 AND host NOT LIKE '@%' ORDER BY host");
    while (st->step()) hosts.push_back(st->column_text(0));
    return hosts;
}

std::vector<Job> JobRepo::active_on_host(const std::string& host) {
    return query_jobs("SELECT " + std::string(kColumns) +
                          " FROM jobs WHERE host = ? AND status IN ('starting', 'running', 'queued') "
                          "AND array_spec = '' ORDER BY id",
                      {host});
}

std::vector<Job> JobRepo::pending_on_host(const std::string& host) {
    return query_jobs("SELECT " + std::string(kColumns) + " FROM jobs WHERE host = ? AND status = 'pending' AND array_spec = '' AND laptop_wait = 0 ORDER BY id",
                      {host});
}

std::vector<Job> JobRepo::prunable(int64_t older_than_epoch, bool dead_only) {
    std::vector<std::string> statuses;
    for (Status s : dead_only ? std::vector<Status>{status::dead} : terminal_statuses()) statuses.push_back(name(s));
    std::string sql = "SELECT " + std::string(kColumns) + " FROM jobs WHERE status IN (" +
                      placeholders(statuses.size()) + ") AND COALESCE(ended_at, started_at, created_at) < " +
                      std::to_string(older_than_epoch) + " ORDER BY id";
    return query_jobs(sql, statuses);
}

std::vector<Job> JobRepo::ended_between(std::optional<int64_t> since, std::optional<int64_t> until,
                                        const std::string& host, const std::string& tag) {
    std::vector<Arg> args;
    std::string sql = "SELECT " + std::string(kColumns) + " FROM jobs WHERE ended_at IS NOT NULL AND array_spec = ''";
    std::string statuses;
    for (Status s : terminal_statuses()) statuses += std::string(statuses.empty() ? "" : ", ") + "'" + name(s) + "'";
    sql += " AND status IN (" + statuses + ")";
    if (since) {
        sql += " AND ended_at >= ?";
        args.emplace_back(*since);
    }
    if (until) {
        sql += " AND ended_at < ?";
        args.emplace_back(*until);
    }
    if (!host.empty()) {
        sql += " AND host = ?";
        args.emplace_back(host);
    }
    if (!tag.empty()) {
        sql += " AND id IN (SELECT job_id FROM job_tags WHERE tag = ?)";
        args.emplace_back(tag);
    }
    sql += " ORDER BY id";
    std::vector<Job> jobs;
    Transaction tx(db_, Transaction::Mode::read);
    {
        Statement st(db_, sql);
        bind_args(st, args);
        while (st.step()) jobs.push_back(read_job(st));
    }
    for (Job& j : jobs) load_env(j);
    tx.commit();
    return jobs;
}

void JobRepo::set_live(int64_t id, const Job::Live& live) {
    auto st = db_.cached(
        "UPDATE jobs SET progress_frac = ?, progress_at = ?, quiet_since = ?, stalled_since = ?, live_gpus = ?, "
        "live_gpu_util = ? WHERE id = ?");
    st->bind_all(live.fraction, live.fraction_at, live.quiet_since, live.stalled_since, live.gpus, live.gpu_util, id);
    st->run();
}

bool JobRepo::claim_stall_notice(int64_t id) {
    auto st = db_.cached("UPDATE jobs SET stall_notified = 1 WHERE id = ? AND stall_notified = 0");
    st->bind(1, id);
    st->run();
    return db_.changes() > 0;
}

void JobRepo::remove(int64_t id) {
    auto st = db_.cached("DELETE FROM jobs WHERE id = ?");
    st->bind(1, id);
    st->run();
}

void JobRepo::cache_log(int64_t id, const std::string& tail, int64_t fetched_at) {
    auto st = db_.cached(
        "INSERT INTO job_logs (job_id, tail, fetched_at) VALUES (?, ?, ?) "
        "ON CONFLICT(job_id) DO UPDATE SET tail = excluded.tail, fetched_at = excluded.fetched_at");
    st->bind(1, id).bind_blob(2, tail).bind(3, fetched_at);
    st->run();
}

std::optional<std::pair<std::string, int64_t>> JobRepo::cached_log(int64_t id) {
    auto st = db_.cached("SELECT tail, fetched_at FROM job_logs WHERE job_id = ?");
    st->bind(1, id);
    if (!st->step()) return std::nullopt;
    return std::make_pair(st->column_blob(0), st->column_int64(1));
}

std::vector<Job> JobRepo::array_tasks(int64_t array_id) {
    return query_jobs("SELECT " + std::string(kColumns) + " FROM jobs WHERE array_id = ? ORDER BY array_task, id",
                      {std::to_string(array_id)});
}

bool JobRepo::refresh_array(int64_t array_id) {
    // An array is running while any task runs, queued while any waits (and
    // none runs), and once all ended: completed when all completed, else
    // failed (killed when any was killed and none failed otherwise).
    auto st = db_.cached(
        "UPDATE jobs SET status = (SELECT CASE "
        "  WHEN count(*) = 0 THEN 'cancelled' "
        "  WHEN sum(status IN ('running', 'starting')) > 0 THEN 'running' "
        "  WHEN sum(status IN ('queued', 'pending')) > 0 THEN 'queued' "
        "  WHEN sum(status = 'completed') = count(*) THEN 'completed' "
        "  WHEN sum(status IN ('failed', 'timeout', 'dead', 'cancelled')) > 0 THEN 'failed' "
        "  WHEN sum(status = 'killed') > 0 THEN 'killed' "
        "  ELSE 'cancelled' END FROM jobs t WHERE t.array_id = jobs.id), "
        "started_at = (SELECT min(started_at) FROM jobs t WHERE t.array_id = jobs.id), "
        "ended_at = (SELECT CASE WHEN sum(t.ended_at IS NULL) = 0 THEN max(t.ended_at) END "
        "            FROM jobs t WHERE t.array_id = jobs.id) "
        "WHERE id = ? AND array_spec != ''");
    st->bind(1, array_id);
    st->run();
    return db_.changes() > 0;
}

void JobRepo::set_queue_state(int64_t id, bool held, const std::string& reason) {
    auto st = db_.cached("UPDATE jobs SET held = ?, queue_reason = ? WHERE id = ?");
    st->bind_all(held, reason, id);
    st->run();
}

bool JobRepo::set_slurm_id(int64_t id, const std::string& slurm_id) {
    auto st = db_.cached("UPDATE jobs SET slurm_id = ? WHERE id = ? AND slurm_id != ?");
    st->bind_all(slurm_id, id, slurm_id);
    st->run();
    return db_.changes() > 0;
}

bool JobRepo::set_code(int64_t id, const Job::Code& c, const std::string& gpu_models) {
    auto st = db_.cached(
        "UPDATE jobs SET code_commit = ?, code_branch = ?, code_root = ?, code_subdir = ?, code_patch_hash = ?, "
        "code_patch_bytes = ?, code_truncated = ?, code_files = ?, code_untracked = ?, gpu_models = ? "
        "WHERE id = ? AND (code_commit != ? OR gpu_models != ?)");
    st->bind_all(c.commit, c.branch, c.root, c.subdir, c.patch_hash, c.patch_bytes, c.truncated,
                 static_cast<int64_t>(c.files), static_cast<int64_t>(c.untracked), gpu_models, id, c.commit, gpu_models);
    st->run();
    return db_.changes() > 0;
}

std::vector<Job> JobRepo::laptop_waiting() {
    return query_jobs("SELECT " + std::string(kColumns) +
                          " FROM jobs WHERE laptop_wait = 1 AND status = 'pending' AND array_spec = '' "
                          "ORDER BY priority DESC, id",
                      {});
}

bool JobRepo::claim_placement(const Placed& p) {
    Transaction tx(db_);
    {
        auto st = db_.cached(
            "UPDATE jobs SET host = ?, remote_dir = ?, session_prefix = ?, gpu_alloc = ?, status = 'starting', "
            "laptop_wait = 0, queue_reason = '', after_ok = '', after_any = '', after_fail = '', prelude = ? "
            "WHERE id = ? AND status = 'pending' AND laptop_wait = 1");
        st->bind_all(p.host, p.remote_dir, p.session_prefix, p.gpu_alloc, p.prelude, p.id);
        st->run();
    }
    if (db_.changes() == 0) return false;  // another rj placed, cancelled or killed it first
    if (!p.extra_env.empty()) {
        Job job;
        job.id = p.id;
        load_env(job);
        for (const auto& [name, value] : p.extra_env) {
            bool replaced = false;
            for (auto& e : job.env)
                if (e.first == name) e.second = value, replaced = true;
            if (!replaced) job.env.emplace_back(name, value);
        }
        auto del = db_.cached("DELETE FROM job_env WHERE job_id = ?");
        del->bind(1, p.id);
        del->run();
        write_env(job);
    }
    tx.commit();
    return true;
}

bool JobRepo::return_to_laptop(int64_t id, const std::string& host, const std::string& reason) {
    auto st = db_.cached(
        "UPDATE jobs SET status = 'pending', laptop_wait = 1, host = ?, gpu_alloc = '', queue_reason = ? "
        "WHERE id = ? AND status = 'starting'");
    st->bind_all(host, reason, id);
    st->run();
    return db_.changes() > 0;
}

int JobRepo::count_active_on(const std::string& host) {
    auto st = db_.cached(
        "SELECT count(*) FROM jobs WHERE host = ? AND status IN ('starting', 'running', 'queued') AND array_spec = ''");
    st->bind(1, host);
    st->step();
    return static_cast<int>(st->column_int64(0));
}

int64_t JobRepo::last_end_on(const std::string& host) {
    auto st = db_.cached("SELECT COALESCE(max(ended_at), 0) FROM jobs WHERE host = ?");
    st->bind(1, host);
    st->step();
    return st->column_int64(0);
}

void JobRepo::set_wait_reason(int64_t id, const std::string& reason) {
    auto st = db_.cached("UPDATE jobs SET queue_reason = ? WHERE id = ? AND laptop_wait = 1 AND queue_reason != ?");
    st->bind_all(reason, id, reason);
    st->run();
}

void JobRepo::set_gpu_alloc(int64_t id, const std::string& alloc) {
    auto st = db_.cached("UPDATE jobs SET gpu_alloc = ? WHERE id = ?");
    st->bind_all(alloc, id);
    st->run();
}

}  // namespace store