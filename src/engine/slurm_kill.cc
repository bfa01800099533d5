// Killing jobs on a SLURM cluster: one scancel exchange per host
// directory. A job SLURM still held back ends here; a running one is ended
// by its wrapper (SLURM's TERM after rj's `killed` flag).
#include "config.h"

#include <set>

#include "engine/notifications.h"
#include "engine/slurm.h"
#include "engine/lifecycle.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace engine {

void kill_slurm_jobs(Engine& engine, const std::string& host, const remote::RemoteDir& dir,
                     const std::vector<int64_t>& ids, std::function<void(KillResult)> each) {
    std::string script = remote::slurm_kill_script(dir, ids);
    engine.run_script(host, std::move(script), std::chrono::seconds(60), [&engine, host, ids, each](RemoteReply reply) {
        auto fail_all = [&](const Outcome& why) {
            for (int64_t id : ids) {
                KillResult k;
                k.id = id;
                k.fail(why);
                each(k);
            }
        };
        if (!reply.ok()) return fail_all(reply);
        std::vector<remote::KillResult> results;
        std::map<int64_t, std::string> refused;
        try {
            results = remote::parse_kill(reply.out);
            refused = remote::parse_slurm_kill_errors(reply.out);
        } catch (const util::Error& e) {
            Outcome o;
            o.fail(e);
            return fail_all(o);
        }
        store::JobRepo repo(engine.db());
        std::set<int64_t> unanswered(ids.begin(), ids.end());
        for (const auto& r : results) {
            if (!unanswered.erase(r.id)) continue;
            KillResult k;
            k.id = r.id;
            if (r.state == "failed") {
                // scancel refused (slurmctld down?): the job keeps its state.
                auto it = refused.find(r.id);
                k.fail(FailureKind::Remote,
                       "SLURM on " + host + " did not cancel it: " +
                           util::visible(it == refused.end() ? std::string("scancel failed") : it->second).substr(0, 300),
                       "is slurmctld down? try again when it answers");
                each(k);
                continue;
            }
            Verdict v = verdict_after_kill(r, now_epoch());
            lifecycle::end(repo, r.id, v.end, v.note);
            auto j = repo.get(r.id);
            if (j && j->array_id) lifecycle::follow_tasks(repo, *j->array_id);
            if (j && (r.facts.exit || v.end.status == store::status::dead)) {
                store::NotifyRepo notes(engine.db());
                note_end_for_notify(engine, notes, *j, r.facts.exit, now_epoch());
            }
            bool was_waiting = r.facts.exit && r.facts.exit->kind == remote::EndKind::Killed && r.facts.exit->err == "waiting";
            k.message = was_waiting                               ? "killed (SLURM had not started it; scancel)"
                        : r.state == "signalled"                  ? "killed (scancel)"
                        : r.facts.exit                            ? "already ended (" + std::string(remote::to_string(r.facts.exit->kind)) + ")"
                        : r.state == "missing"                    ? "not found on the host; marked dead"
                                                                  : "was never accepted by SLURM; marked dead";
            each(k);
        }
        for (int64_t id : unanswered) {
            KillResult k;
            k.id = id;
            k.fail(FailureKind::Remote, "the host did not answer for this job; try again");
            each(k);
        }
    });
}

}  // namespace engine
