// What a SLURM cluster's word means for a job's record: the one mapping
// from SLURM states to rj's, used by sync.
#include "config.h"

#include "engine/slurm.h"
#include "util/saturating.h"
#include "util/terminal_text.h"

namespace engine {

namespace {

// A job SLURM reports ended but whose exit record is not there yet: the
// wrapper writes it within SLURM's KillWait of the end (over NFS, a moment
// later still). Until then the record, with its code and CPU time, may come.
constexpr int64_t kRecordGraceS = 30;
// A job just sent: SLURM lists it from the moment sbatch answered, but the
// answer may still be on its way to the row.
constexpr int64_t kStartingGraceS = 10;

bool running_state(const std::string& s) {
    for (const char* w : {"RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "STOPPED", "RESIZING", "SIGNALING",
                          "STAGE_OUT", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "SPECIAL_EXIT"})
        if (s == w) return true;
    return false;
}

Verdict ended(store::Status status, int64_t at, std::string note) {
    Verdict v;
    v.kind = Verdict::Kind::End;
    v.end.status = status;
    v.end.ended_at = at;
    v.note = std::move(note);
    return v;
}

}  // namespace

Verdict slurm_verdict(const store::Job& job, const remote::JobFacts& facts, const remote::SlurmQueueReply& cluster,
                      int64_t now) {
    // The wrapper's own record says it all, as on any host.
    if (facts.exit) return verdict_from_facts(facts, false, now);
    std::string sid = job.slurm_id;
    if (sid.empty()) {
        auto it = cluster.recorded.find(job.id);
        if (it != cluster.recorded.end()) sid = it->second;
    }
    Verdict wait;
    if (sid.empty()) {
        // Never accepted by SLURM (or the answer is still on its way): sent
        // again after the grace. The host writes the id only once sbatch
        // accepted the job and answers `already` from it, so a job SLURM
        // has is never submitted twice; a half-written directory is rewritten.
        if (job.status == store::status::starting && now - job.created_at >= kStartingGraceS)
            wait.kind = Verdict::Kind::Resubmit;
        return wait;
    }
    // slurmctld unreachable: nothing is known, nothing is concluded.
    if (!cluster.ok) return wait;
    const remote::SlurmJobState* found = nullptr;
    if (auto it = cluster.jobs.find(sid); it != cluster.jobs.end()) found = &it->second;
    else if (auto ac = cluster.accounted.find(sid); ac != cluster.accounted.end()) found = &ac->second;  // squeue forgot it
    if (!found) {
        if (now - job.created_at < kStartingGraceS) return wait;
        return ended(store::status::dead, now,
                     "SLURM no longer lists job " + sid + " and it left no exit record (accounting, if any, may know why)");
    }
    const remote::SlurmJobState& st = *found;
    std::string reason = util::visible(st.reason).substr(0, 100);
    if (st.state == "PENDING") {
        Verdict v;
        v.kind = Verdict::Kind::Queued;
        v.note = "PENDING" + (reason.empty() || reason == "None" ? "" : " (" + reason + ")");
        v.held = reason.rfind("JobHeld", 0) == 0;
        return v;
    }
    if (running_state(st.state)) {
        if (st.state == "COMPLETING") return wait;  // the record is being written
        Verdict v;
        v.kind = Verdict::Kind::Start;
        v.started_at = facts.started > 0 ? facts.started : now;
        return v;
    }
    // Ended in SLURM's eyes, without the wrapper's record (killed before
    // it could write one, or it never started).
    int64_t host_now = cluster.host_now > 0 ? cluster.host_now : now;
    if (st.ended > 0 && util::sat_sub(host_now, st.ended) < kRecordGraceS) return wait;
    std::string note = "SLURM: " + st.state + (reason.empty() || reason == "None" ? "" : " (" + reason + ")");
    if (st.state == "TIMEOUT" || st.state == "DEADLINE") return ended(store::status::timeout, now, note);
    if (st.state == "CANCELLED")
        return ended(facts.started > 0 ? store::status::killed : store::status::cancelled, now, note);
    if (st.state == "COMPLETED") return ended(store::status::dead, now, note + " but the job left no exit record");
    return ended(store::status::failed, now, note);  // FAILED, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, PREEMPTED
}

void add_slurm_view(SyncReport& report, const std::string& host, const remote::SlurmQueueReply& cluster) {
    report.slurm = true;
    report.slurm_ok = cluster.ok;
    if (!cluster.ok) return;
    report.slurm_running = cluster.running;
    report.slurm_pending = cluster.pending;
    for (const auto& p : cluster.partitions) {
        QueueState q;
        q.host = host;
        q.name = util::visible(p.name) + (p.is_default ? "*" : "");
        q.state = p.up ? "running" : "stopped";
        q.slots = p.cpus;
        q.waiting = p.pending;
        q.running = p.running;
        report.queues.push_back(std::move(q));
    }
}

int record_slurm_ids(store::JobRepo& jobs, const std::vector<store::Job>& asked, const remote::SlurmQueueReply& cluster) {
    int changed = 0;
    for (const auto& j : asked) {
        if (!j.slurm_id.empty()) continue;
        auto it = cluster.recorded.find(j.id);
        if (it == cluster.recorded.end() || !remote::valid_slurm_id(it->second)) continue;
        // A task's id names its task; a plain job's has none.
        bool task_id = it->second.find('_') != std::string::npos;
        if (task_id != j.array_id.has_value()) continue;
        if (j.array_task && it->second.substr(it->second.find('_') + 1) != std::to_string(*j.array_task)) continue;
        if (jobs.set_slurm_id(j.id, it->second)) ++changed;
    }
    return changed;
}

}  // namespace engine
