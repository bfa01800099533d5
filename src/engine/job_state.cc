#include "config.h"

#include "engine/job_state.h"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "store/journal_repo.h"
#include "util/terminal_text.h"

namespace engine {

int64_t now_epoch() { return static_cast<int64_t>(std::time(nullptr)); }

remote::RemoteDir remote_dir_of(const Engine& engine, const store::Job& job) {
    return {job.remote_dir.empty() ? engine.config().remote_dir_for(job.host) : job.remote_dir,
            job.session_prefix.empty() ? remote::kLegacySessionPrefix : job.session_prefix};
}

remote::RemoteDir new_job_dir(Engine& engine, const std::string& host) {
    std::string client = store::client_id(engine.db());
    // The alias as one safe path component: other bytes (and a leading dot) as _XX.
    std::string part;
    for (unsigned char c : host) {
        bool plain = std::isalnum(c) || c == '-' || c == '_' || (c == '.' && !part.empty());
        if (plain) {
            part += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "_%02x", c);
            part += hex;
        }
    }
    std::string base = engine.config().remote_dir_for(host);
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    return {base + "/" + client + "/" + part, "rj-" + client + "-"};
}

namespace {

// The one mapping from a host's end record (exit record or journal line) to
// a job's end; which status the job then takes is engine/lifecycle.cc's.
store::JobEnd make_end(remote::EndKind kind, int code, int sig, int64_t ended, double user, double sys,
                       const remote::MeasuredUsage& usage) {
    using remote::EndKind;
    store::JobEnd end;
    end.usage.peak_rss_kib = usage.rss_kib;
    end.usage.gpus = usage.gpus;
    end.usage.gpu_mem_peak_mib = usage.gpu_mem_mib;
    end.usage.gpu_util_mean = usage.gpu_util;
    end.ended_at = ended > 0 ? ended : now_epoch();
    if (user > 0 || sys > 0 || kind == EndKind::Exit || kind == EndKind::Signal) {
        end.cpu_user_s = user;
        end.cpu_sys_s = sys;
    }
    switch (kind) {
    case EndKind::Exit:
        end.status = code == 0 ? store::status::completed : store::status::failed;
        end.exit_code = code;
        break;
    case EndKind::Signal:
        end.status = store::status::failed;
        if (sig > 0) end.exit_signal = sig;
        break;
    case EndKind::Killed:
        end.status = store::status::killed;
        if (sig > 0) end.exit_signal = sig;
        break;
    case EndKind::Timeout:
    case EndKind::Idle:
        end.status = store::status::timeout;
        if (sig > 0) end.exit_signal = sig;
        break;
    case EndKind::Cancelled: end.status = store::status::cancelled; break;
    case EndKind::Lost: end.status = store::status::dead; break;
    case EndKind::Error:    // could not start
    case EndKind::Unknown:  // a record we cannot read still ends the job
        end.status = store::status::failed;
        break;
    }
    return end;
}

}  // namespace

store::JobEnd end_from_record(const remote::ExitRecord& r) {
    return make_end(r.kind, r.code, r.sig, r.ended, r.user_s, r.sys_s, r.usage);
}

std::optional<store::JobEnd> end_from_event(const remote::JournalEvent& e) {
    remote::EndKind kind = remote::parse_end_kind(e.event);
    if (kind == remote::EndKind::Unknown) return std::nullopt;  // "start", "gpus", ...
    return make_end(kind, static_cast<int>(e.get_int("code", -1)), static_cast<int>(e.get_int("sig", 0)),
                    e.get_int("ended", e.time), e.get_double("user"), e.get_double("sys"),
                    remote::parse_measured_usage(e.fields));
}

std::string end_note(const remote::JournalEvent& e) {
    if (e.event == "cancelled") return remote::cancel_reason(e.get("err"));
    if (e.event == "idle") return "idle-timeout: its log did not grow for its idle timeout";
    return e.get("err");
}

Verdict verdict_from_facts(const remote::JobFacts& facts, bool was_starting, int64_t now) {
    Verdict v;
    remote::JobFate fate = remote::decide(facts, was_starting);
    v.note = fate.note;
    switch (fate.fate) {
    case remote::Fate::Starting: v.kind = Verdict::Kind::Wait; break;
    case remote::Fate::Queued: v.kind = Verdict::Kind::Queued; break;
    case remote::Fate::Running:
        v.kind = Verdict::Kind::Start;
        if (facts.pid > 0) v.pid = facts.pid;
        v.started_at = facts.started;
        break;
    case remote::Fate::NeverStarted: v.kind = Verdict::Kind::Resubmit; break;
    case remote::Fate::Dead:
        v.kind = Verdict::Kind::End;
        v.end.ended_at = now;
        if (facts.exit) v.end = end_from_record(*facts.exit);  // its times and CPU, still dead
        v.end.status = store::status::dead;
        break;
    default:
        v.kind = Verdict::Kind::End;
        if (facts.exit) {
            v.end = end_from_record(*facts.exit);
        } else {
            v.end.ended_at = now;
            v.end.status = fate.fate == remote::Fate::Completed ? store::status::completed
                           : fate.fate == remote::Fate::Killed  ? store::status::killed
                           : fate.fate == remote::Fate::Timeout ? store::status::timeout
                           : fate.fate == remote::Fate::Cancelled ? store::status::cancelled
                                                                 : store::status::failed;
            if (fate.exit_code >= 0) v.end.exit_code = fate.exit_code;
            if (fate.signal > 0) v.end.exit_signal = fate.signal;
        }
        break;
    }
    return v;
}

Verdict verdict_after_kill(const remote::KillResult& r, int64_t now) {
    Verdict v;
    v.kind = Verdict::Kind::End;
    v.end.ended_at = now;
    if (r.facts.exit) {
        v.end = end_from_record(*r.facts.exit);
    } else if (r.state == "signalled" || r.state == "pending" || r.state == "orphan" || r.state == "stopped") {
        // Signalled, or stopped by the killed flag before it ran; the wrapper
        // writes its end record a moment later.
        v.end.status = store::status::killed;
    } else if (r.state == "missing") {
        v.end.status = store::status::dead;
        v.note = "no trace of it on the host";
    } else {
        v.end.status = store::status::dead;
        v.note = "gone without an exit record";
    }
    return v;
}

bool record_code(store::JobRepo& jobs, int64_t id, const remote::JobFacts& facts) {
    store::Job::Code c;
    if (facts.code) {
        const auto& r = *facts.code;
        bool hex = !r.commit.empty() && r.commit.size() <= 64;
        for (char ch : r.commit) hex = hex && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
        if (hex) {
            c.commit = r.commit;
            c.branch = util::visible(r.branch).substr(0, 200);
            c.root = r.root.substr(0, 4096);
            c.subdir = r.subdir.substr(0, 4096);
            c.patch_hash = util::visible(r.patch_hash).substr(0, 64);
            c.patch_bytes = r.patch_bytes < 0 ? 0 : r.patch_bytes;
            c.truncated = r.truncated;
            c.files = r.files < 0 ? 0 : r.files;
            c.untracked = r.untracked < 0 ? 0 : r.untracked;
        }
    }
    auto job = jobs.get(id);
    if (!job) return false;
    if (c.commit.empty()) c = job->code;  // nothing (valid) reported: keep what we have
    std::string models = facts.gpu_models.empty() ? job->gpu_models : util::visible(facts.gpu_models).substr(0, 512);
    if (c == job->code && models == job->gpu_models) return false;
    return jobs.set_code(id, c, models);
}

}  // namespace engine
