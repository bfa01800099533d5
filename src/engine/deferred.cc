#include "config.h"

#include "engine/deferred.h"

#include <memory>

#include "engine/jobs.h"
#include "util/error.h"

namespace engine {

int64_t defer_operation(Engine& engine, const std::string& host, int64_t id, const std::string& op,
                        const std::string& arg) {
    return store::DeferredRepo(engine.db()).add(host, id, op, arg);
}

std::string deferred_message(const std::string& op, const std::string& host, const std::string& why, int64_t deferred_id) {
    return op + " deferred: " + host + " is unreachable (" + why + "); rj carries it out at the next sync that reaches " +
           host + " ('rj -b deferred cancel " + std::to_string(deferred_id) + "' cancels it)";
}

std::vector<store::DeferredOp> waiting_deferred(Engine& engine) { return store::DeferredRepo(engine.db()).waiting(); }
std::vector<store::DeferredOp> deferred_for_job(Engine& engine, int64_t job_id) {
    return store::DeferredRepo(engine.db()).waiting_for_job(job_id);
}
std::vector<std::string> hosts_with_deferred(Engine& engine) { return store::DeferredRepo(engine.db()).hosts_waiting(); }

size_t deferred_for_host_count(Engine& engine, const std::string& host) {
    return store::DeferredRepo(engine.db()).waiting_on(host).size();
}

void cancel_deferred(Engine& engine, int64_t deferred_id) {
    store::DeferredRepo repo(engine.db());
    auto op = repo.get(deferred_id);
    if (!op) throw util::UsageError("there is no deferred operation " + std::to_string(deferred_id), "'rj -b deferred' lists them");
    if (!repo.finish(deferred_id, "cancelled", "cancelled by the user"))
        throw util::UsageError("deferred operation " + std::to_string(deferred_id) + " is no longer waiting (" + op->state +
                               (op->message.empty() ? "" : ": " + op->message) + ")");
}

void carry_out_deferred(Engine& engine, const std::string& host, std::function<void(std::vector<DeferredDone>)> done) {
    auto ops = store::DeferredRepo(engine.db()).waiting_on(host);
    struct State {
        std::vector<DeferredDone> results;
        size_t left = 0;
        std::function<void(std::vector<DeferredDone>)> done;
    };
    auto st = std::make_shared<State>();
    st->done = std::move(done);
    st->left = ops.size();
    if (ops.empty()) {
        engine.loop().after(event::Duration::zero(), [st] { st->done({}); });
        return;
    }
    auto finish = [&engine, st](const store::DeferredOp& op, bool ok, bool deferred_again, const std::string& msg) {
        DeferredDone d{op, ok, deferred_again, msg};
        if (!deferred_again) store::DeferredRepo(engine.db()).finish(op.id, ok ? "done" : "failed", msg);
        st->results.push_back(std::move(d));
        if (--st->left == 0) {
            auto cb = std::move(st->done);
            cb(std::move(st->results));
        }
    };
    for (const auto& op : ops) {
        try {
            if (op.op == "kill") {
                kill_jobs(engine, {op.job_id}, [finish, op](KillResult k) { finish(op, k.ok(), k.deferred, k.ok() ? k.message : k.error); });
            } else if (op.op == "hold" || op.op == "release") {
                queued_job_op(engine, op.op, {op.job_id}, [finish, op](QueuedJobResult r) {
                    finish(op, r.ok(), r.deferred, r.ok() ? (r.message.empty() ? op.op + " done" : r.message) : r.error);
                });
            } else if (op.op == "move") {
                move_queued_job(engine, op.job_id, op.arg, [finish, op](QueuedJobResult r) {
                    finish(op, r.ok(), r.deferred, r.ok() ? (r.message.empty() ? "moved to " + op.arg : r.message) : r.error);
                });
            } else {
                finish(op, false, false, "unknown operation " + op.op);
            }
        } catch (const util::Error& e) {
            finish(op, false, false, e.what());
        }
    }
}

}  // namespace engine
