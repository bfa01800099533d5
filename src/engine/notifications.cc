// Job-end notifications, the engine's part: see notifications.h.
#include "config.h"

#include "engine/notifications.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "engine/job_state.h"
#include "engine/jobs.h"
#include "notify/message.h"
#include "notify/sender.h"
#include "store/database.h"
#include "store/job_repo.h"
#include "util/error.h"
#include "util/saturating.h"
#include "util/strings.h"
#include "util/terminal_text.h"

extern char** environ;

namespace engine {

namespace {

// A job ended without the host's word on its message (killed from here: the
// wrapper writes its record after it POSTed, up to ~20 s later; or the
// wrapper itself was killed). After this long the laptop decides alone.
constexpr int64_t kHostWordGraceS = 120;
// How soon a delivery's record is written again after the database was busy.
constexpr auto kRecordRetry = std::chrono::seconds(1);
// How long a [notify] command may run (notify-send takes milliseconds).
constexpr auto kCommandTimeout = std::chrono::seconds(10);

struct Target {
    notify::Channel channel;
    std::string url;
};

std::vector<Target> targets(const store::NotifySettings& n) {
    std::vector<Target> out;
    if (!n.slack_webhook.empty()) out.push_back({notify::Channel::Slack, n.slack_webhook});
    if (!n.discord_webhook.empty()) out.push_back({notify::Channel::Discord, n.discord_webhook});
    if (!n.webhook.empty()) out.push_back({notify::Channel::Webhook, n.webhook});
    return out;
}

notify::JobInfo job_info(const Engine& engine, const store::Job& j) {
    notify::JobInfo info;
    info.host = j.host;
    info.description = j.description;
    info.command = j.command;
    info.workdir = j.workdir;
    info.verbose = engine.config().notify.verbose;
    return info;
}

int64_t seconds_run(const store::Job& j) {
    return j.started_at && j.ended_at && *j.ended_at >= *j.started_at ? util::sat_sub(*j.ended_at, *j.started_at) : -1;
}

notify::EndInfo end_info(Engine& engine, const store::Job& j) {
    notify::EndInfo e;
    e.id = j.id;
    e.status = store::to_string(j.status);
    e.exit_code = j.exit_code.value_or(-1);
    e.signal = j.exit_signal.value_or(0);
    e.seconds = seconds_run(j);
    e.via = "laptop";
    // The laptop has no log of its own: the tail last fetched, if any.
    if (notify::is_failure(e.status))
        if (auto cached = store::JobRepo(engine.db()).cached_log(j.id)) e.tail = notify::tail_lines(cached->first);
    return e;
}

void decide_by_policy(Engine& engine, store::NotifyRepo& repo, int64_t id, int64_t now) {
    auto job = store::JobRepo(engine.db()).get(id);
    if (!job || !job->terminal()) return;
    bool want = notify::wants_message(job->notify, store::to_string(job->status), seconds_run(*job),
                                      engine.config().notify.min_duration);
    repo.decide(id, want ? "due" : "none", now);
}

void record_deliveries(Engine& engine, std::vector<int64_t> ids, std::string errors, bool told = false);

void send(Engine& engine, const store::Job& job) {
    std::vector<Target> to = targets(engine.config().notify);
    store::NotifyRepo repo(engine.db());
    if (to.empty()) {
        // No webhook: the local command (if any) is this machine's channel.
        if (!engine.config().notify.command.empty()) repo.finish(job.id, "laptop", now_epoch(), "");
        else repo.finish(job.id, "failed", now_epoch(), "no notification channel is configured any more");
        return;
    }
    struct State {
        size_t left;
        std::string errors;
    };
    auto state = std::make_shared<State>(State{to.size(), {}});
    notify::JobInfo info = job_info(engine, job);
    notify::EndInfo end = end_info(engine, job);
    engine.notifying().insert(job.id);
    for (const Target& t : to) {
        std::string label = notify::to_string(t.channel);
        engine.notifier().post(t.url, notify::payload(t.channel, info, end),
                               [&engine, id = job.id, state, label](notify::DeliveryResult r) {
            if (!r.ok)
                state->errors += (state->errors.empty() ? "" : "; ") + label + ": " + r.error + " (" +
                                 std::to_string(r.attempts) + " tries)";
            if (--state->left > 0) return;
            record_deliveries(engine, {id}, state->errors);
        });
    }
}

// The POSTs for `ids` are over: records how they went. Only the write is
// left, so a busy database (another rj holds its write lock) must not lose
// it, nor end the interface: the ids stay "being delivered" here and the
// write is tried again shortly, for as long as this process runs (the
// message went out: giving up would let another process send it again).
// The interface says so in its status line, once.
void record_deliveries(Engine& engine, std::vector<int64_t> ids, std::string errors, bool told) {
    const std::string via = errors.empty() ? "laptop" : "failed";
    try {
        store::NotifyRepo repo(engine.db());
        store::Transaction tx(engine.db());
        for (int64_t id : ids) repo.finish(id, via, now_epoch(), errors);
        tx.commit();
    } catch (const util::Error& e) {
        if (!is_database_busy(e.what())) {
            for (int64_t id : ids) engine.notifying().erase(id);
            throw;
        }
        if (!told)
            engine.report_callback_error("database busy (another rj is writing): the end message of job " +
                                             std::to_string(ids.front()) + " was sent; recording it again shortly",
                                         "");
        engine.loop().after(kRecordRetry, [&engine, ids = std::move(ids), errors = std::move(errors)]() mutable {
            record_deliveries(engine, std::move(ids), std::move(errors), true);
        });
        return;
    }
    for (int64_t id : ids) engine.notifying().erase(id);
    if (!errors.empty()) engine.notify_failed(ids.front(), errors);
}

}  // namespace

// Runs the local command for one message: argv is the command's words plus
// `text`, no shell; stdin and stdout are /dev/null; RJ_JOB_ID, RJ_JOB_HOST
// and RJ_JOB_STATUS describe the job. Reaped from the loop; its process
// group is killed after kCommandTimeout (or when rj stops waiting for it).
void spawn_command(Engine& engine, const std::vector<std::string>& words, const std::string& text,
                   const store::Job* job) {
    std::vector<std::string> args = words;
    args.push_back(text);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        std::string_view v(*e);
        if (v.rfind("RJ_JOB_", 0) != 0) env_strings.emplace_back(v);
    }
    if (job) {
        env_strings.push_back("RJ_JOB_ID=" + std::to_string(job->id));
        env_strings.push_back("RJ_JOB_HOST=" + job->host);
        env_strings.push_back("RJ_JOB_STATUS=" + std::string(store::to_string(job->status)));
    }
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    // A fresh start: no signal blocked or ignored (rj's loop blocks the ones
    // it handles), and its own process group, so that the timeout reaches
    // whatever the command started too.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        engine.notify_failed(job ? job->id : 0, "[notify] command " + words[0] + ": " + std::strerror(rc));
        return;
    }
    ++engine.notices_in_flight();
    engine.command_groups().insert(pid);
    auto deadline = std::make_shared<event::TimePoint>(event::Clock::now() + kCommandTimeout);
    auto reap = std::make_shared<std::function<void()>>();
    *reap = [&engine, pid, deadline, reap] {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            --engine.notices_in_flight();
            engine.command_groups().erase(pid);
            *reap = nullptr;  // break the cycle
            return;
        }
        if (event::Clock::now() >= *deadline) kill(-pid, SIGKILL);  // the whole group
        engine.loop().after(std::chrono::milliseconds(50), [reap] { if (*reap) (*reap)(); });
    };
    engine.loop().after(std::chrono::milliseconds(10), [reap] { if (*reap) (*reap)(); });
}

void notify_stalled(Engine& engine, int64_t id) {
    auto job = store::JobRepo(engine.db()).get(id);
    if (!job || job->notify.empty() || !job->live.stalled_since || !job->live.quiet_since) return;
    std::vector<Target> to = targets(engine.config().notify);
    if (to.empty() || !store::JobRepo(engine.db()).claim_stall_notice(id)) return;
    int64_t quiet = util::sat_sub(now_epoch(), *job->live.quiet_since);
    notify::JobInfo info = job_info(engine, *job);
    for (const Target& t : to) {
        ++engine.notices_in_flight();
        engine.notifier().post(t.url, notify::stall_payload(t.channel, info, id, quiet < 0 ? 0 : quiet),
                               [&engine](notify::DeliveryResult) { --engine.notices_in_flight(); });
    }
}

std::string notify_policy_for_job(const Engine& engine, const std::string& host, const std::string& requested) {
    std::string p = requested.empty() ? engine.config().notify_policy_for(host) : util::to_lower(requested);
    if (p != "all" && p != "failures" && p != "none")
        throw util::UsageError::in("notify", requested + ": expected all, failures or none");
    if (p == "none" || !engine.config().notify.any_channel()) return "";
    return p;
}

remote::JobSpec::Notify host_notify_spec(const Engine& engine, const store::Job& job) {
    remote::JobSpec::Notify n;
    // Only webhooks travel; a local command runs here (run_notify_commands),
    // with a digest the hosts stay quiet (send_digest), and an array's tasks
    // too: the laptop sends one message for the array (send_array). A host
    // whose jobs' policy is none never holds a URL: a job there that asked
    // for a message anyway (run --notify, a pool's placement) gets it from here.
    if (job.notify.empty() || job.notify == "none" || targets(engine.config().notify).empty() ||
        engine.config().notify.digest || job.array_id || engine.config().notify_policy_for(job.host) == "none")
        return n;
    n.policy_line = job.notify + " " + std::to_string(engine.config().notify.min_duration.count());
    notify::JobInfo info = job_info(engine, job);
    // The URLs were checked when the config was read: no quote, backslash or
    // space, so they need no escaping inside curl's quotes.
    for (const Target& t : targets(engine.config().notify))
        n.channels.emplace_back("url = \"" + t.url + "\"", notify::payload_template(t.channel, info));
    return n;
}

void note_end_for_notify(Engine& engine, store::NotifyRepo& repo, const store::Job& job,
                         const std::optional<remote::ExitRecord>& record, int64_t now) {
    if (job.notify.empty()) return;
    if (record && !record->notify.empty()) {
        const std::string& w = record->notify;
        if (w == "sent") repo.decide(job.id, "host", now);
        else if (w == "quiet") repo.decide(job.id, "none", now);
        else if (w == "failed")
            repo.decide(job.id, "due", now, "the host could not send it (" + util::visible(record->notify_detail).substr(0, 40) + ")");
        else repo.decide(job.id, "due", now);  // nocurl, or a word of a newer wrapper
        return;
    }
    decide_by_policy(engine, repo, job.id, now);
}

void note_end_event_for_notify(Engine& engine, store::NotifyRepo& repo, const store::Job& job,
                               const remote::JournalEvent& event, int64_t now) {
    remote::ExitRecord r;
    r.notify = event.get("notify");
    r.notify_detail = event.get("notify_detail");
    note_end_for_notify(engine, repo, job, r, now);
}

// The open jobs whose message is due now (deciding those whose host's word
// is overdue), claimed by this process.
// An array's tasks are claimed only once `array_ready(array id)` (all its
// tasks ended); without the test, as they come (the digest).
std::vector<store::Job> claim_due(Engine& engine, const std::function<bool(int64_t)>& array_ready = {}) {
    store::NotifyRepo repo(engine.db());
    store::JobRepo jobs(engine.db());
    int64_t now = now_epoch();
    std::vector<store::Job> claimed;
    for (int64_t id : repo.open_ids()) {
        if (engine.notifying().count(id)) continue;
        auto job = jobs.get(id);
        if (!job || !job->terminal()) continue;
        if (job->notified_via.empty()) {
            if (util::sat_sub(now, job->ended_at.value_or(now)) < kHostWordGraceS) continue;
            decide_by_policy(engine, repo, id, now);
        }
        if (array_ready && job->array_id && !array_ready(*job->array_id)) continue;
        if (repo.claim(id, now)) claimed.push_back(*jobs.get(id));
    }
    return claimed;
}

// One message for a whole array (its tasks' messages, all claimed by this
// process), to every channel and the command.
void send_array(Engine& engine, int64_t array_id, const std::vector<store::Job>& claimed) {
    store::JobRepo jobs(engine.db());
    store::NotifyRepo repo(engine.db());
    auto array = jobs.get(array_id);
    std::vector<notify::EndInfo> ends;
    for (const auto& t : jobs.array_tasks(array_id)) {
        notify::EndInfo e = end_info(engine, t);
        e.id = t.array_task.value_or(t.id);
        ends.push_back(e);
    }
    notify::JobInfo info = job_info(engine, array ? *array : claimed.front());
    const auto& words = engine.config().notify.command;
    if (!words.empty()) spawn_command(engine, words, util::visible(notify::array_text(info, array_id, ends)), nullptr);
    std::vector<Target> to = targets(engine.config().notify);
    std::vector<int64_t> ids;
    for (const auto& t : claimed) ids.push_back(t.id);
    if (to.empty()) {
        for (int64_t id : ids) repo.finish(id, words.empty() ? "failed" : "laptop", now_epoch(),
                                           words.empty() ? "no notification channel is configured any more" : "");
        return;
    }
    struct State {
        size_t left;
        std::string errors;
    };
    auto state = std::make_shared<State>(State{to.size(), {}});
    for (int64_t id : ids) engine.notifying().insert(id);
    for (const Target& t : to) {
        std::string label = notify::to_string(t.channel);
        engine.notifier().post(t.url, notify::array_payload(t.channel, info, array_id, ends),
                               [&engine, ids, state, label](notify::DeliveryResult r) {
            if (!r.ok) state->errors += (state->errors.empty() ? "" : "; ") + label + ": " + r.error;
            if (--state->left > 0) return;
            record_deliveries(engine, ids, state->errors);
        });
    }
}

// An array task's message waits until every task of its array has ended.
bool array_finished(Engine& engine, int64_t array_id) {
    for (const auto& t : store::JobRepo(engine.db()).array_tasks(array_id))
        if (!t.terminal()) return false;
    return true;
}

void deliver_notifications(Engine& engine) {
    // With a digest, ends wait for it (send_digest, from `rj -b sync`).
    if (engine.config().notify.digest) return;
    std::map<int64_t, std::vector<store::Job>> arrays;
    std::map<int64_t, bool> finished;
    auto ready = [&](int64_t array_id) {
        auto it = finished.find(array_id);
        if (it == finished.end()) it = finished.emplace(array_id, array_finished(engine, array_id)).first;
        return it->second;
    };
    for (const auto& job : claim_due(engine, ready)) {
        if (job.array_id) arrays[*job.array_id].push_back(job);
        else send(engine, job);
    }
    for (const auto& [array_id, tasks] : arrays) send_array(engine, array_id, tasks);
}

std::vector<int64_t> send_digest(Engine& engine) {
    if (!engine.config().notify.digest) return {};
    std::vector<store::Job> due = claim_due(engine);
    if (due.empty()) return {};
    std::vector<notify::DigestEntry> entries;
    store::NotifyRepo repo(engine.db());
    for (const auto& job : due) {
        entries.push_back({job_info(engine, job), end_info(engine, job)});
        repo.claim_command(job.id);  // the digest stands for it on every channel
    }
    const auto& words = engine.config().notify.command;
    if (!words.empty()) spawn_command(engine, words, util::visible(notify::digest_text(entries)), nullptr);
    std::vector<Target> to = targets(engine.config().notify);
    std::vector<int64_t> ids;
    for (const auto& job : due) ids.push_back(job.id);
    if (to.empty()) {
        for (int64_t id : ids) repo.finish(id, words.empty() ? "failed" : "laptop", now_epoch(),
                                           words.empty() ? "no notification channel is configured any more" : "");
        return ids;
    }
    struct State {
        size_t left;
        std::string errors;
    };
    auto state = std::make_shared<State>(State{to.size(), {}});
    for (int64_t id : ids) engine.notifying().insert(id);
    for (const Target& t : to) {
        std::string label = notify::to_string(t.channel);
        engine.notifier().post(t.url, notify::digest_payload(t.channel, entries),
                               [&engine, ids, state, label](notify::DeliveryResult r) {
            if (!r.ok) state->errors += (state->errors.empty() ? "" : "; ") + label + ": " + r.error;
            if (--state->left > 0) return;
            record_deliveries(engine, ids, state->errors);
        });
    }
    return ids;
}

void run_notify_commands(Engine& engine) {
    const auto& words = engine.config().notify.command;
    if (words.empty() || engine.config().notify.digest) return;
    store::NotifyRepo repo(engine.db());
    store::JobRepo jobs(engine.db());
    // A day back at most: a command added to the config later does not
    // replay old ends.
    for (int64_t id : repo.command_open(now_epoch() - 86400)) {
        auto job = jobs.get(id);
        if (!job || !job->terminal()) continue;
        bool want = notify::wants_message(job->notify, store::to_string(job->status), seconds_run(*job),
                                          engine.config().notify.min_duration);
        // An array's tasks: the array's one message runs the command (send_array).
        if (!repo.claim_command(id) || !want || job->array_id) continue;
        notify::EndInfo end = end_info(engine, *job);
        spawn_command(engine, words, util::visible(notify::plain_text(job_info(engine, *job), end)), &*job);
    }
}

void finish_notifications(Engine& engine, event::Duration limit) {
    auto done = [&] { return engine.notifying().empty() && engine.notices_in_flight() == 0; };
    if (done()) return;
    engine.loop().run_until(done, event::Clock::now() + limit);
    // rj is leaving: a [notify] command still running would outlive its timeout.
    for (pid_t group : engine.command_groups()) {
        kill(-group, SIGKILL);
        waitpid(group, nullptr, 0);
    }
    engine.command_groups().clear();
    store::NotifyRepo repo(engine.db());
    for (int64_t id : engine.notifying())
        repo.release(id, "rj exited while it was still trying to deliver it; the next sync tries again");
}

}  // namespace engine
