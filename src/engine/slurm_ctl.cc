// hold, release and update of jobs a SLURM cluster still holds back:
// scontrol on the login node, one exchange per host directory.
#include "config.h"

#include <map>
#include <memory>
#include <set>

#include "engine/slurm.h"
#include "engine/lifecycle.h"
#include "store/database.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace engine {

void slurm_job_ctl(Engine& engine, remote::SlurmCtl ctl, std::function<void(QueuedJobResult)> each) {
    store::JobRepo jobs(engine.db());
    std::map<std::pair<std::string, remote::RemoteDir>, std::vector<int64_t>> groups;
    auto cb = std::make_shared<std::function<void(QueuedJobResult)>>(std::move(each));
    for (int64_t id : ctl.ids) {
        auto job = jobs.get(id);
        QueuedJobResult r;
        r.id = id;
        if (!job || !job->on_slurm()) {
            r.fail(FailureKind::Refused, "job " + std::to_string(id) + " is not a SLURM job");
        } else if (job->status != store::status::queued) {
            r.fail(FailureKind::Refused, "job " + std::to_string(id) + " has " + (job->terminal() ? "ended" : "started") +
                                             " (" + to_string(job->status) + "); only a job that still waits can be changed");
        } else {
            groups[{job->host, remote_dir_of(engine, *job)}].push_back(id);
            continue;
        }
        engine.loop().after(event::Duration::zero(), [cb, r] { (*cb)(r); });
    }
    for (auto& [key, ids] : groups) {
        remote::SlurmCtl c = ctl;
        c.ids = ids;
        std::string host = key.first;
        engine.run_script(host, remote::slurm_ctl_script(key.second, c), std::chrono::seconds(60),
                          [&engine, c, host, cb](RemoteReply reply) {
            std::vector<remote::SlurmCtlResult> results;
            Outcome asked = reply;
            if (reply.ok()) {
                try {
                    results = remote::parse_slurm_ctl(reply.out);
                } catch (const util::Error& e) {
                    asked.fail(e);
                }
            }
            std::set<int64_t> unanswered(c.ids.begin(), c.ids.end());
            store::JobRepo repo(engine.db());
            for (const auto& res : results) {
                if (!asked.ok() || !unanswered.erase(res.id)) continue;
                QueuedJobResult r;
                r.id = res.id;
                if (!res.ok) {
                    r.fail(FailureKind::Remote, "SLURM on " + host + ": " + util::visible(res.message));
                    (*cb)(r);
                    continue;
                }
                auto cur = repo.get(res.id);
                if (cur) {
                    if (c.op == "hold") lifecycle::hold(repo, res.id, lifecycle::Event::Held, "PENDING (JobHeldUser)");
                    else if (c.op == "release") lifecycle::hold(repo, res.id, lifecycle::Event::Released, "PENDING");
                    else {
                        if (c.timeout_s) cur->timeout_s = *c.timeout_s;
                        if (c.command) cur->command = *c.command;
                        if (c.env) cur->env = *c.env;
                        repo.update(*cur);
                    }
                }
                r.message = c.op == "hold" ? "held (scontrol hold)" : c.op == "release" ? "released (scontrol release)"
                                                                                        : "updated";
                (*cb)(r);
            }
            for (int64_t id : unanswered) {
                QueuedJobResult r;
                r.id = id;
                if (!asked.ok()) r.fail(asked);
                else r.fail(FailureKind::Remote, "the host did not answer for this job; try again");
                (*cb)(r);
            }
        });
    }
}

}  // namespace engine
