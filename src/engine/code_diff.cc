// `rj -b diff`: two jobs' records side by side, and from their host what
// changed in the code between them.
#include "config.h"

#include "engine/job_state.h"
#include "engine/jobs.h"
#include "remote/protocol.h"
#include "store/job_repo.h"
#include "util/error.h"

namespace engine {

void diff_jobs(Engine& engine, int64_t a, int64_t b, std::function<void(JobDiff)> done) {
    JobDiff d;
    d.a = get_job(engine, a);
    d.b = get_job(engine, b);
    d.same_host = d.a.host == d.b.host && remote_dir_of(engine, d.a) == remote_dir_of(engine, d.b);
    if (!d.same_host || (!d.a.has_code() && !d.b.has_code())) {
        if (!d.same_host && (d.a.has_code() || d.b.has_code()))
            d.hint = "the jobs ran on different hosts: their changes are compared by hash only";
        return done(std::move(d));
    }
    // One repository: commits between them too; else only the patches.
    bool one_repo = d.a.has_code() && d.b.has_code() && d.a.code.root == d.b.code.root;
    std::string script = remote::diff_script(remote_dir_of(engine, d.a), a, b, one_repo ? d.a.code.root : "",
                                             d.a.code.commit, d.b.code.commit);
    std::string host = d.a.host;
    engine.run_script(host, std::move(script), std::chrono::seconds(60),
                      [d = std::move(d), done = std::move(done)](RemoteReply reply) mutable {
        if (!reply.ok()) {
            d.fail(reply);
            return done(std::move(d));
        }
        try {
            d.blocks = remote::parse_diff(reply.out);
            d.fetched = true;
        } catch (const util::Error& e) {
            d.fail(e);
        }
        done(std::move(d));
    });
}

}  // namespace engine
