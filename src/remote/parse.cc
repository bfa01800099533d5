#include "config.h"

// Parsers for the replies described in remote/protocol.h, and decide().

#include <algorithm>
#include <charconv>
#include <ostream>
#include <string>
#include <string_view>

#include "remote/protocol.h"

namespace remote {
namespace {

// One "RJ-TAG word k=v k=v msg=rest of line" line.
struct Line {
    std::string tag;   // "RJ-SUBMIT"
    std::string word;  // first token without '=' ("ok"), if any
    std::vector<std::pair<std::string, std::string>> kv;
    std::string rest;  // everything after the tag

    const std::string* find(std::string_view key) const {
        for (const auto& [k, v] : kv)
            if (k == key) return &v;
        return nullptr;
    }
    std::string str(std::string_view key) const {
        const std::string* v = find(key);
        return v ? *v : std::string();
    }
    int64_t num(std::string_view key, int64_t dflt = 0) const;
    bool flag(std::string_view key) const { return num(key, 0) != 0; }
};

std::optional<int64_t> to_int(std::string_view s) {
    int64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// Locale-independent (the UI may set LC_NUMERIC to a comma locale).
std::optional<double> to_double(std::string_view s) {
    double v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

int64_t Line::num(std::string_view key, int64_t dflt) const {
    const std::string* v = find(key);
    if (!v) return dflt;
    return to_int(*v).value_or(dflt);
}

std::vector<std::pair<std::string, std::string>> split_kv(std::string_view s, std::string* word) {
    std::vector<std::pair<std::string, std::string>> kv;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        if (i >= s.size()) break;
        size_t end = s.find(' ', i);
        if (end == std::string_view::npos) end = s.size();
        std::string_view tok = s.substr(i, end - i);
        size_t eq = tok.find('=');
        if (eq == std::string_view::npos) {
            if (word && word->empty() && kv.empty()) *word = std::string(tok);
        } else if (tok.substr(0, eq) == "msg") {
            kv.emplace_back("msg", std::string(s.substr(i + eq + 1)));
            break;
        } else {
            kv.emplace_back(std::string(tok.substr(0, eq)), std::string(tok.substr(eq + 1)));
        }
        i = end;
    }
    return kv;
}

Line parse_line(std::string_view text) {
    Line l;
    size_t sp = text.find(' ');
    l.tag = std::string(text.substr(0, sp));
    if (sp != std::string_view::npos) {
        l.rest = std::string(text.substr(sp + 1));
        l.kv = split_kv(l.rest, &l.word);
    }
    return l;
}

// Walks the reply line by line; framed byte blocks are taken with take().
class Reader {
public:
    explicit Reader(const std::string& out) : out_(out) {}

    // Next line starting with "RJ-" (others are noise, e.g. from a .bashrc).
    std::optional<Line> next() {
        while (pos_ < out_.size()) {
            size_t nl = out_.find('\n', pos_);
            size_t end = nl == std::string::npos ? out_.size() : nl;
            std::string_view text(out_.data() + pos_, end - pos_);
            pos_ = nl == std::string::npos ? out_.size() : nl + 1;
            if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
            if (text.substr(0, 3) == "RJ-") return parse_line(text);
        }
        return std::nullopt;
    }

    // `n` raw bytes right after the header just read, then "\nRJ-END".
    std::string take(int64_t n, const char* what) {
        if (n < 0 || pos_ + static_cast<uint64_t>(n) > out_.size())
            throw ProtocolError(std::string("the host's ") + what + " reply was cut short",
                                "try again; check the connection");
        std::string bytes = out_.substr(pos_, static_cast<size_t>(n));
        pos_ += static_cast<size_t>(n);
        static constexpr std::string_view end = "\nRJ-END";
        if (out_.compare(pos_, end.size(), end) != 0)
            throw ProtocolError(std::string("the host's ") + what + " reply is garbled",
                                "the file changed while it was read; try again");
        pos_ += end.size();
        if (pos_ < out_.size() && out_[pos_] == '\n') ++pos_;
        return bytes;
    }

private:
    const std::string& out_;
    size_t pos_ = 0;
};

[[noreturn]] void no_reply(const char* what, const std::string& out) {
    std::string head = out.substr(0, 200);
    for (char& c : head)
        if (c == '\n' || c == '\r') c = ' ';
    throw ProtocolError(std::string("unexpected reply from the host to ") + what,
                        head.empty() ? "the script printed nothing; is sh available on the host?"
                                     : "it said: " + head);
}

}  // namespace

MeasuredUsage parse_measured_usage(const std::vector<std::pair<std::string, std::string>>& fields) {
    MeasuredUsage u;
    auto find = [&](std::string_view key) -> std::optional<std::string_view> {
        for (const auto& [k, v] : fields)
            if (k == key) return std::string_view(v);
        return std::nullopt;
    };
    auto bounded = [&](std::string_view key, int64_t max) -> std::optional<int64_t> {
        auto v = find(key);
        if (!v) return std::nullopt;
        auto n = to_int(*v);
        if (!n || *n < 0 || *n > max) return std::nullopt;
        return n;
    };
    u.rss_kib = bounded("rss_kib", int64_t{1} << 40);  // 1 PiB
    u.gpu_mem_mib = bounded("gpu_mem_mib", int64_t{1} << 30);
    if (auto v = find("gpu_util")) {
        auto d = to_double(*v);
        if (d && *d >= 0 && *d <= 100) u.gpu_util = d;
    }
    if (auto v = find("gpus"); v && !v->empty()) {
        // Indexes 0..1023, at most 64 of them; kept sorted, each once;
        // anything else drops the list.
        std::set<int64_t> seen;
        bool ok = true;
        size_t i = 0;
        while (ok && i <= v->size()) {
            size_t c = v->find(',', i);
            if (c == std::string_view::npos) c = v->size();
            auto n = to_int(v->substr(i, c - i));
            if (!n || *n < 0 || *n > 1023 || seen.size() >= 64) ok = false;
            else seen.insert(*n);
            i = c + 1;
        }
        if (ok)
            for (int64_t n : seen) u.gpus += (u.gpus.empty() ? "" : ",") + std::to_string(n);
    }
    return u;
}

namespace {

ExitRecord parse_exit(const Line& l) {
    ExitRecord e;
    e.kind_word = l.str("kind");
    e.kind = parse_end_kind(e.kind_word);
    e.rc = static_cast<int>(l.num("rc", -1));
    e.code = static_cast<int>(l.num("code", -1));
    e.sig = static_cast<int>(l.num("sig", 0));
    e.started = l.num("started");
    e.ended = l.num("ended");
    e.user_s = to_double(l.str("user")).value_or(0);
    e.sys_s = to_double(l.str("sys")).value_or(0);
    e.err = l.str("err");
    e.notify = l.str("notify");
    e.notify_detail = l.str("notify_detail");
    e.usage = parse_measured_usage(l.kv);
    return e;
}

JobFacts parse_job(const Line& l) {
    JobFacts f;
    f.id = l.num("id");
    f.dir_exists = l.flag("dir");
    f.pid = l.num("pid");
    f.pgid = l.num("pgid");
    f.pid_alive = l.flag("alive");
    f.wrapper_pid = l.num("wpid");
    f.wrapper_alive = l.flag("walive");
    f.started = l.num("started");
    f.created = l.num("created");
    f.kill_requested = l.flag("killreq");
    f.rebooted = l.flag("rebooted");
    std::string q = l.str("q");
    f.queue_state = q == "w" ? 'w' : q == "c" ? 'c' : '-';
    return f;
}

// RJ-TMUX / RJ-SESSION / RJ-JOB / RJ-EXIT, shared by sync and kill.
struct FactsCollector {
    TmuxState tmux = TmuxState::NoServer;
    std::set<int64_t> sessions;
    std::map<int64_t, JobFacts> jobs;

    bool take(const Line& l) {
        if (l.tag == "RJ-TMUX") {
            tmux = l.word == "ok"        ? TmuxState::Ok
                   : l.word == "missing" ? TmuxState::Missing
                                         : TmuxState::NoServer;
        } else if (l.tag == "RJ-SESSION") {
            std::string_view name = l.word;
            if (name.substr(0, 3) == "rj-")
                if (auto id = to_int(name.substr(3))) sessions.insert(*id);
        } else if (l.tag == "RJ-JOB") {
            JobFacts f = parse_job(l);
            jobs[f.id] = f;
        } else if (l.tag == "RJ-EXIT") {
            jobs[l.num("id")].exit = parse_exit(l);
        } else if (l.tag == "RJ-CODE") {
            auto it = jobs.find(l.num("id"));
            if (it != jobs.end()) {
                JobFacts::Code c;
                c.commit = l.str("commit");
                c.branch = l.str("branch");
                c.patch_hash = l.str("patch");
                c.patch_bytes = l.num("bytes");
                c.truncated = l.flag("truncated");
                c.files = static_cast<int>(l.num("files"));
                c.untracked = static_cast<int>(l.num("untracked"));
                c.root = l.str("msg");
                it->second.code = std::move(c);
            }
        } else if (l.tag == "RJ-CODESUB") {
            auto it = jobs.find(l.num("id"));
            if (it != jobs.end() && it->second.code) it->second.code->subdir = l.str("msg");
        } else if (l.tag == "RJ-GPUMODELS") {
            auto it = jobs.find(l.num("id"));
            if (it != jobs.end()) it->second.gpu_models = l.str("msg");
        } else if (l.tag == "RJ-WAIT") {
            auto it = jobs.find(l.num("id"));
            if (it != jobs.end() && it->second.queue_state == 'w') {
                it->second.held = l.flag("held");
                it->second.why = l.str("msg");
            }
        } else {
            return false;
        }
        return true;
    }

    void finish() {
        for (auto& [id, f] : jobs) f.session_alive = sessions.count(id) != 0;
    }
};

QueueInfo parse_queue_info(const Line& l) {
    QueueInfo q;
    q.name = l.str("name");
    q.state = l.str("state");
    q.slots = static_cast<int>(l.num("slots", 1));
    q.waiting = static_cast<int>(l.num("waiting"));
    q.held = static_cast<int>(l.num("held"));
    q.running = static_cast<int>(l.num("running"));
    return q;
}

constexpr size_t kMaxJournalLine = 1024;

bool parse_event(std::string_view line, JournalEvent& ev) {
    size_t a = line.find(' ');
    if (a == std::string_view::npos) return false;
    size_t b = line.find(' ', a + 1);
    auto t = to_int(line.substr(0, a));
    auto id = to_int(line.substr(a + 1, b == std::string_view::npos ? b : b - a - 1));
    if (!t || !id || b == std::string_view::npos) return false;
    std::string_view rest = line.substr(b + 1);
    size_t c = rest.find(' ');
    ev.time = *t;
    ev.id = *id;
    ev.event = std::string(rest.substr(0, c));
    if (ev.event.empty()) return false;
    if (c != std::string_view::npos) ev.fields = split_kv(rest.substr(c + 1), nullptr);
    return true;
}

}  // namespace

// ---- JournalEvent ----

std::string JournalEvent::get(const std::string& key, const std::string& dflt) const {
    for (const auto& [k, v] : fields)
        if (k == key) return v;
    return dflt;
}

int64_t JournalEvent::get_int(const std::string& key, int64_t dflt) const {
    for (const auto& [k, v] : fields)
        if (k == key) return to_int(v).value_or(dflt);
    return dflt;
}

double JournalEvent::get_double(const std::string& key, double dflt) const {
    for (const auto& [k, v] : fields)
        if (k == key) return to_double(v).value_or(dflt);
    return dflt;
}

// ---- submit ----

SubmitReply parse_submit(const std::string& out) {
    Reader r(out);
    while (auto l = r.next()) {
        if (l->tag != "RJ-SUBMIT") continue;
        SubmitReply rep;
        rep.id = l->num("id");
        if (l->word == "ok") {
            rep.status = SubmitReply::Status::Ok;
            rep.pid = l->num("pid");
            rep.started = l->num("started");
            rep.already = l->flag("already");
            rep.exited = l->flag("exited");
            rep.host_now = l->num("now");
        } else if (l->word == "gpustaken") {
            rep.status = SubmitReply::Status::GpusTaken;
            rep.error = l->str("msg");
            if (rep.error.empty()) rep.error = "its GPUs were given to another job";
        } else if (l->word == "pending") {
            rep.status = SubmitReply::Status::Pending;
            rep.already = l->flag("already");
        } else {
            rep.status = SubmitReply::Status::Error;
            rep.error = l->str("msg");
            if (rep.error.empty()) rep.error = "submit failed on the host";
        }
        return rep;
    }
    no_reply("submit", out);
}

// ---- sync ----

SyncReply parse_sync(const std::string& out) {
    Reader r(out);
    SyncReply rep;
    FactsCollector facts;
    bool seen_header = false, seen_journal = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-SYNC") {
            seen_header = true;
            rep.host_now = l->num("now");
        } else if (facts.take(*l)) {
        } else if (l->tag == "RJ-QUEUE") {
            rep.queues.push_back(parse_queue_info(*l));
        } else if (l->tag == "RJ-LOGSTATE") {
            int64_t id = l->num("id");
            int64_t bytes = l->num("bytes", -1), grew = l->num("grew", 0);
            if (id > 0 && bytes >= 0 && grew > 0) {
                rep.logs[id].bytes = bytes;
                rep.logs[id].grew = grew;
                MeasuredUsage now = parse_measured_usage(l->kv);
                rep.logs[id].gpus = now.gpus;
                rep.logs[id].gpu_util = now.gpu_util;
            }
        } else if (l->tag == "RJ-TAIL") {
            int64_t id = l->num("id");
            auto& tail = rep.logs[id].tail;
            if (id > 0 && tail.size() < 5) tail.push_back(l->str("msg").substr(0, 300));
        } else if (l->tag == "RJ-JOURNAL") {
            rep.journal_offset = l->num("offset", -1);
            // The next sync starts where this one ends: an offset must be a
            // place in a file, and far enough from INT64_MAX that adding
            // what was read cannot overflow (the journal rotates at 1 MiB).
            if (rep.journal_offset < 0 || rep.journal_offset > (int64_t{1} << 53))
                throw ProtocolError("the host's sync reply has an impossible journal offset (" +
                                        l->str("offset").substr(0, 40) + ")",
                                    "try again; check the journal file on the host");
            rep.journal_size = l->num("size");
            rep.journal_reset = l->flag("reset");
            rep.journal_more = l->flag("more");
            rep.journal_rotated = l->flag("rotated");
            std::string bytes = r.take(l->num("bytes", -1), "sync");
            seen_journal = true;
            // Only complete lines count; a partial last line is read next time
            // (after a rotation there is no next time: the old file is gone).
            if (rep.journal_rotated && !bytes.empty() && bytes.back() != '\n') bytes += '\n';
            size_t last = bytes.rfind('\n');
            size_t used = last == std::string::npos ? 0 : last + 1;
            rep.new_offset = rep.journal_rotated ? 0 : rep.journal_offset + static_cast<int64_t>(used);
            size_t pos = 0;
            while (pos < used) {
                size_t nl = bytes.find('\n', pos);
                std::string_view line(bytes.data() + pos, nl - pos);
                pos = nl + 1;
                if (line.empty()) continue;
                JournalEvent ev;
                // rj's own lines are short: a long one is damage or forgery.
                if (line.size() <= kMaxJournalLine && parse_event(line, ev))
                    rep.events.push_back(std::move(ev));
                else
                    ++rep.bad_lines;
            }
            break;
        }
    }
    if (!seen_header || !seen_journal) no_reply("sync", out);
    facts.finish();
    rep.tmux = facts.tmux;
    rep.live_sessions = std::move(facts.sessions);
    rep.jobs = std::move(facts.jobs);
    // Only the ids asked about, and only what came with a log state.
    for (auto it = rep.logs.begin(); it != rep.logs.end();) {
        if (!rep.jobs.count(it->first) || it->second.grew == 0) it = rep.logs.erase(it);
        else ++it;
    }
    return rep;
}

// ---- decide ----

namespace {

struct EndWord {
    EndKind kind;
    const char* word;
};
constexpr EndWord kEndWords[] = {
    {EndKind::Exit, "exit"},           {EndKind::Signal, "signal"}, {EndKind::Killed, "killed"},
    {EndKind::Timeout, "timeout"},     {EndKind::Idle, "idle"},     {EndKind::Cancelled, "cancelled"},
    {EndKind::Lost, "lost"},           {EndKind::Error, "error"},
};

}  // namespace

const char* to_string(EndKind k) {
    for (const auto& w : kEndWords)
        if (w.kind == k) return w.word;
    return "unknown";
}

EndKind parse_end_kind(std::string_view word) {
    for (const auto& w : kEndWords)
        if (word == w.word) return w.kind;
    return EndKind::Unknown;
}

std::ostream& operator<<(std::ostream& os, EndKind k) { return os << to_string(k); }

const char* to_string(Fate f) {
    switch (f) {
    case Fate::Queued: return "queued";
    case Fate::Cancelled: return "cancelled";
    case Fate::Starting: return "starting";
    case Fate::Running: return "running";
    case Fate::Completed: return "completed";
    case Fate::Failed: return "failed";
    case Fate::Killed: return "killed";
    case Fate::Timeout: return "timeout";
    case Fate::Dead: return "dead";
    case Fate::NeverStarted: return "never-started";
    }
    return "unknown";
}

JobFate decide(const JobFacts& f, bool was_starting) {
    JobFate r;
    if (f.exit) {
        const ExitRecord& e = *f.exit;
        r.exit_code = e.code;
        r.signal = e.sig;
        switch (e.kind) {
        case EndKind::Exit: r.fate = e.code == 0 ? Fate::Completed : Fate::Failed; break;
        case EndKind::Signal:
            r.fate = Fate::Failed;
            r.note = "killed by signal " + std::to_string(e.sig);
            break;
        case EndKind::Killed: r.fate = Fate::Killed; break;
        case EndKind::Timeout: r.fate = Fate::Timeout; break;
        case EndKind::Idle:
            r.fate = Fate::Timeout;
            r.note = "idle-timeout: its log did not grow for its idle timeout";
            break;
        case EndKind::Cancelled:
            r.fate = Fate::Cancelled;
            r.note = cancel_reason(e.err);
            break;
        case EndKind::Lost:
            r.fate = Fate::Dead;
            r.note = "its tmux session was closed";
            break;
        case EndKind::Error:
            r.fate = Fate::Failed;
            r.note = e.err == "nodir" ? "could not enter the working directory"
                                      : "could not start" + (e.err.empty() ? "" : ": " + e.err);
            break;
        case EndKind::Unknown:
            r.fate = Fate::Failed;
            r.note = "unknown end record '" + e.kind_word + "'";
            break;
        }
        return r;
    }
    if (f.queue_state == 'w') {
        r.fate = Fate::Queued;
        r.note = f.held ? "held" : f.why;
        return r;
    }
    if (f.queue_state == 'c' && f.started == 0 && !f.rebooted) {
        r.fate = Fate::Starting;
        return r;
    }
    if (!f.dir_exists) {
        r.fate = was_starting ? Fate::NeverStarted : Fate::Dead;
        r.note = was_starting ? "the host has no trace of it" : "its job directory is gone";
        return r;
    }
    if (f.rebooted) {
        r.fate = Fate::Dead;
        r.note = "the host rebooted while it ran";
        return r;
    }
    if (f.pid_alive) {
        r.fate = Fate::Running;
        if (!f.wrapper_alive && !f.session_alive)
            r.note = "its wrapper is gone: the end will not be recorded";
        return r;
    }
    if (f.session_alive || f.wrapper_alive) {
        // Either about to start, or just ended and about to record it.
        r.fate = f.started == 0 ? Fate::Starting : Fate::Running;
        return r;
    }
    if (f.started == 0 && f.pid == 0 && was_starting) {
        r.fate = Fate::NeverStarted;
        r.note = "submitted but never started";
        return r;
    }
    r.fate = Fate::Dead;
    r.note = "it ended without a record (host rebooted or wrapper killed?)";
    return r;
}

std::string cancel_reason(const std::string& err) {
    auto after = [&](const char* prefix, const char* flag) -> std::string {
        std::string p = prefix;
        std::string id = err.size() > p.size() + 1 ? err.substr(p.size() + 1) : "";
        std::string text = "cancelled: ";
        if (id.empty()) return text + "none of its " + flag + " jobs failed";
        if (!to_int(id)) return text + "its " + flag + " dependency could not be met";
        if (p == "after") return text + "job " + id + " did not succeed, and " + flag + " needs it to";
        return text + "job " + id + " is unknown on the host (" + flag + ")";
    };
    if (err == "queue-removed") return "cancelled: its queue was removed";
    if (err.rfind("after-any", 0) == 0) return after("after-any", "--after-any");
    if (err.rfind("after-fail", 0) == 0) return after("after-fail", "--after-fail");
    if (err.rfind("after", 0) == 0) return after("after", "--after");
    return "cancelled" + (err.empty() ? std::string() : ": " + err);
}

// ---- diff ----

std::map<std::string, std::string> parse_diff(const std::string& out) {
    Reader r(out);
    std::map<std::string, std::string> blocks;
    bool header = false, done = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-DIFF") {
            header = true;
        } else if (l->tag == "RJ-BLOCK") {
            blocks[l->str("name")] = r.take(l->num("bytes", -1), "diff");
        } else if (l->tag == "RJ-DONE") {
            done = true;
            break;
        }
    }
    if (!header || !done) no_reply("diff", out);
    return blocks;
}

// ---- queues ----

EnqueueReply parse_enqueue(const std::string& out) {
    Reader r(out);
    EnqueueReply rep;
    bool any = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-ENQUEUE") {
            any = true;
            if (l->word == "ok") {
                rep.queued.emplace_back(l->num("id"), l->flag("already"));
            } else {
                rep.error = l->str("msg");
                if (rep.error.empty()) rep.error = "the host refused to queue it";
                rep.error_id = l->num("id");
                break;
            }
        } else if (l->tag == "RJ-RUNNER") {
            rep.runner = l->str("state");
            rep.runner_error = l->str("msg");
        }
    }
    if (!any) no_reply("enqueue", out);
    return rep;
}

QueueCtlReply parse_queue_ctl(const std::string& out) {
    Reader r(out);
    QueueCtlReply rep;
    bool end = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-QUEUE") {
            rep.queues.push_back(parse_queue_info(*l));
        } else if (l->tag == "RJ-QJOB") {
            QueuedJob j;
            j.queue = l->str("queue");
            j.id = l->num("id");
            j.held = l->flag("held");
            j.priority = l->num("prio");
            j.why = l->str("msg");
            rep.jobs.push_back(std::move(j));
        } else if (l->tag == "RJ-QCTL") {
            rep.results.push_back({l->num("id"), l->str("result"), l->str("msg")});
        } else if (l->tag == "RJ-END") {
            end = true;
            break;
        }
    }
    if (!end) no_reply("queue", out);
    return rep;
}

// ---- kill ----

std::vector<KillResult> parse_kill(const std::string& out) {
    Reader r(out);
    FactsCollector facts;
    std::vector<KillResult> results;
    bool end = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-KILL") {
            KillResult k;
            k.id = l->num("id");
            k.state = l->str("state");
            k.was_running = l->flag("was_running");
            results.push_back(std::move(k));
        } else if (facts.take(*l)) {
        } else if (l->tag == "RJ-END") {
            end = true;
            break;
        }
    }
    if (!end) no_reply("kill", out);
    facts.finish();
    for (auto& k : results) {
        auto it = facts.jobs.find(k.id);
        if (it != facts.jobs.end()) k.facts = it->second;
        k.facts.id = k.id;
    }
    return results;
}

// ---- log ----

LogReply parse_log(const std::string& out) {
    Reader r(out);
    while (auto l = r.next()) {
        if (l->tag != "RJ-LOG") continue;
        LogReply rep;
        if (l->word != "ok") {
            rep.error = l->str("msg");
            rep.bad_pattern = l->str("kind") == "pattern";
            if (rep.error.empty()) rep.error = "cannot read the log on the host";
            return rep;
        }
        rep.ok = true;
        rep.offset = l->num("offset");
        rep.size = l->num("size");
        rep.running = l->flag("running");
        rep.more = l->flag("more");
        rep.reset = l->flag("reset");
        rep.truncated = l->flag("truncated");
        rep.text = r.take(l->num("bytes", -1), "log");
        return rep;
    }
    no_reply("log", out);
}

// ---- host info ----

std::optional<GpuInfo> parse_gpu_line(const std::string& line) {
    auto trim = [](std::string p) {
        size_t a = p.find_first_not_of(" \t\r");
        size_t b = p.find_last_not_of(" \t\r");
        return a == std::string::npos ? std::string() : p.substr(a, b - a + 1);
    };
    std::vector<size_t> commas;
    for (size_t i = 0; i < line.size(); ++i)
        if (line[i] == ',') commas.push_back(i);
    if (commas.size() < 4) return std::nullopt;
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t c : commas) {
        parts.push_back(trim(line.substr(start, c - start)));
        start = c + 1;
    }
    parts.push_back(trim(line.substr(start)));
    GpuInfo g;
    // The index picks CUDA_VISIBLE_DEVICES for jobs: 0..1023 (as the wrapper's
    // gpus= lists), never an int that wrapped around.
    auto idx = to_int(parts[0]);
    if (!idx || *idx < 0 || *idx > 1023) return std::nullopt;
    g.index = static_cast<int>(*idx);
    size_t n = parts.size();
    // A name with commas in it spans several fields: the numbers are the last three.
    size_t name_end = commas[commas.size() - 3];
    g.name = trim(line.substr(commas[0] + 1, name_end - commas[0] - 1));
    // "[N/A]" / "[Not Supported]" become -1, and so do values no GPU reports
    // (a percentage over 100, negative MiB): not reported rather than wrong.
    auto in_range = [](std::optional<int64_t> v, int64_t max) -> int64_t {
        return v && *v >= 0 && *v <= max ? *v : -1;
    };
    g.util_pct = static_cast<int>(in_range(to_int(parts[n - 3]), 100));
    g.mem_used_mib = in_range(to_int(parts[n - 2]), int64_t{1} << 30);
    g.mem_total_mib = in_range(to_int(parts[n - 1]), int64_t{1} << 30);
    return g;
}

HostInfo parse_host_info(const std::string& out) {
    Reader r(out);
    HostInfo h;
    bool end = false, any = false;
    std::vector<Line> extras;  // per-GPU lines, applied once the GPUs are known
    while (auto l = r.next()) {
        if (l->tag == "RJ-END") {
            end = true;
            break;
        }
        if (l->tag == "RJ-GPU") {
            if (auto g = parse_gpu_line(l->rest); g && h.gpus.size() < 64) h.gpus.push_back(*g);
            continue;
        }
        if (l->tag == "RJ-GPUTEMP" || l->tag == "RJ-GPUJOB" || l->tag == "RJ-GPUOTHER") {
            extras.push_back(*l);
            continue;
        }
        if (l->tag != "RJ-INFO") continue;
        any = true;
        std::string key = l->rest.substr(0, l->rest.find(' '));
        std::string value =
            l->rest.size() > key.size() ? l->rest.substr(key.size() + 1) : std::string();
        if (key == "os") h.os = value;
        else if (key == "kernel") h.kernel = value;
        else if (key == "arch") h.arch = value;
        else if (key == "hostname") h.hostname = value;
        else if (key == "now") h.host_now = to_int(value).value_or(0);
        else if (key == "cpus") h.cpus = static_cast<int>(to_int(value).value_or(0));
        else if (key == "mem_total") h.mem_total_bytes = to_int(value).value_or(0);
        else if (key == "mem_available") h.mem_available_bytes = to_int(value).value_or(0);
        else if (key == "tmux") h.tmux_version = value;
        else if (key == "bash") h.bash_path = value;
        else if (key == "perl") h.perl_path = value;
        else if (key == "setsid") h.setsid_path = value;
        else if (key == "sbatch") h.sbatch_path = value;
        else if (key == "gpu_query") h.gpu_query = value;
        else if (key == "load") {
            std::string_view v = value;
            double loads[3];
            int got = 0;
            while (got < 3 && !v.empty()) {
                size_t a = v.find_first_not_of(' ');
                if (a == std::string_view::npos) break;
                v.remove_prefix(a);
                size_t b = v.find(' ');
                auto d = to_double(v.substr(0, b));
                if (!d) break;
                loads[got++] = *d;
                v = b == std::string_view::npos ? std::string_view() : v.substr(b);
            }
            if (got == 3) {
                h.load1 = loads[0];
                h.load5 = loads[1];
                h.load15 = loads[2];
                h.has_load = true;
            }
        }
    }
    if (!end || !any) no_reply("host info", out);
    // Only for GPUs the host listed; values bounded, ids positive, each job once per GPU.
    for (const Line& l : extras) {
        int64_t i = l.num("i", -1);
        GpuInfo* g = nullptr;
        for (auto& x : h.gpus)
            if (x.index == i) g = &x;
        if (!g) continue;
        if (l.tag == "RJ-GPUTEMP") {
            int64_t c = l.num("c", -1);
            if (c >= 0 && c < 200) g->temp_c = static_cast<int>(c);
        } else if (l.tag == "RJ-GPUJOB") {
            int64_t id = l.num("id", 0), mem = l.num("mem", 0);
            bool seen = false;
            for (const auto& [jid, m] : g->jobs) seen = seen || jid == id;
            if (id > 0 && !seen && g->jobs.size() < 64) g->jobs.emplace_back(id, mem >= 0 && mem < (int64_t{1} << 30) ? mem : 0);
        } else {
            int64_t n = l.num("procs", 0), mem = l.num("mem", 0);
            if (n > 0 && n < 100000) g->other_procs = static_cast<int>(n);
            if (mem > 0 && mem < (int64_t{1} << 30)) g->other_mem_mib = mem;
        }
    }
    for (auto& g : h.gpus) std::sort(g.jobs.begin(), g.jobs.end());
    return h;
}

HostFree parse_free(const std::string& out) {
    Reader r(out);
    HostFree h;
    bool end = false, any = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-END") {
            end = true;
            break;
        }
        if (l->tag == "RJ-FGPU") {
            // "INDEX BUSY UTIL MEMUSED MEMTOTAL NAME..."; a bounded number of GPUs.
            std::vector<std::string> w;
            size_t p = 0;
            const std::string& s = l->rest;
            while (w.size() < 5 && p < s.size()) {
                size_t q = s.find(' ', p);
                if (q == std::string::npos) q = s.size();
                w.push_back(s.substr(p, q - p));
                p = q + 1;
            }
            if (w.size() < 5 || h.gpus.size() >= 64) continue;
            auto idx = to_int(w[0]);
            if (!idx || *idx < 0 || *idx > 1023) continue;
            FreeGpu g;
            g.index = static_cast<int>(*idx);
            g.busy = w[1] != "0";
            g.utilization_pct = static_cast<int>(std::clamp<int64_t>(to_int(w[2]).value_or(0), 0, 100));
            g.memory_used_mib = to_int(w[3]).value_or(0);
            g.memory_total_mib = to_int(w[4]).value_or(0);
            g.name = p < s.size() ? s.substr(p, 128) : "";
            h.gpus.push_back(std::move(g));
            continue;
        }
        if (l->tag != "RJ-FREE") continue;
        any = true;
        const std::string& s = l->rest;
        std::string key = s.substr(0, s.find(' '));
        std::string value = s.size() > key.size() ? s.substr(key.size() + 1) : std::string();
        if (key == "cpus") h.cpus = static_cast<int>(std::min<int64_t>(to_int(value).value_or(0), 1 << 16));
        else if (key == "load") h.load1 = std::max(0.0, to_double(value).value_or(0));
        else if (key == "gpus") h.gpu_query = value.substr(0, 300);
        else if (key == "mem") {
            size_t sp = value.find(' ');
            h.mem_total = to_int(value.substr(0, sp)).value_or(0);
            if (sp != std::string::npos) h.mem_available = to_int(value.substr(sp + 1)).value_or(0);
        }
    }
    if (!end || !any) no_reply("free", out);
    return h;
}

// ---- cleanup ----

namespace {
std::vector<CleanupEntry> parse_entries(const std::string& out, const char* tag, const char* what) {
    Reader r(out);
    std::vector<CleanupEntry> v;
    bool end = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-END") {
            end = true;
            break;
        }
        if (l->tag != tag) continue;
        CleanupEntry e;
        e.id = l->num("id");
        e.action = l->str("action");
        e.reason = l->str("reason");
        e.time = l->num("time");
        v.push_back(std::move(e));
    }
    if (!end) no_reply(what, out);
    return v;
}
}  // namespace

std::vector<CleanupEntry> parse_cleanup(const std::string& out) {
    return parse_entries(out, "RJ-CLEAN", "cleanup");
}

std::vector<CleanupEntry> parse_remove(const std::string& out) {
    return parse_entries(out, "RJ-RM", "remove");
}

std::vector<JobUsage> parse_usage(const std::string& out) {
    Reader r(out);
    std::vector<JobUsage> v;
    bool end = false;
    while (auto l = r.next()) {
        if (l->tag == "RJ-END") {
            end = true;
            break;
        }
        if (l->tag != "RJ-USAGE") continue;
        JobUsage u;
        u.id = l->num("id");
        u.running = l->str("state") == "ok";
        if (u.running) {
            u.procs = static_cast<int>(l->num("procs"));
            u.cpu_pct = to_double(l->str("cpu")).value_or(0);
            u.rss_kib = l->num("rss_kib");
            u.gpu_mem_mib = l->num("gpu_mem_mib", -1);
        }
        v.push_back(u);
    }
    if (!end) no_reply("usage", out);
    return v;
}

}  // namespace remote
