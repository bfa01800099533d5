// rj -b run [-C DIR] [-d TEXT] [-e K=V]... [--timeout DUR] [--from ID] [--queue-on-fail] [-f] HOST CMD...
#include "config.h"

#include <unistd.h>

#include <algorithm>
#include <climits>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "cli/dropin.h"
#include "engine/jobs.h"
#include "engine/progress.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/strings.h"

namespace cli {

namespace {

void declare(po::options_description& opts, po::options_description& hidden, po::positional_options_description& pos) {
    opts.add_options()
        ("directory,C", po::value<std::string>()->value_name("DIR"),
         "working directory on the host (default: the current directory, with $HOME written as ~)")
        ("description,d", po::value<std::string>()->value_name("TEXT"), "a description shown instead of the command")
        ("env,e", po::value<std::vector<std::string>>()->value_name("K=V"), "set environment variables: -e A=1,B=2 or repeated (\\, is a comma in a value)")
        ("timeout", po::value<std::string>()->value_name("DUR"), "stop the job after DUR (90s, 30m, 2h, 1h30m, 7d)")
        ("from", po::value<std::string>()->value_name("ID"),
         "copy the settings of job ID (options override them); HOST and COMMAND may then be left out")
        ("queue-on-fail", "if the host is unreachable, record the job as pending and start it at the next sync")
        ("follow,f", "stream the log until the job ends and exit with its exit code")
        ("allow", "remote-jobs' name for -f: stream the log, attached until the job ends or Ctrl-C (the job keeps running)")
        ("notify", po::value<std::string>()->value_name("WHEN"),
         "message its end to the [notify] channels: all, failures or none (default: the config's notify)")
        ("idle-timeout", po::value<std::string>()->value_name("DUR"),
         "kill the job when its log has not grown for DUR (recorded as timeout, idle-timeout)")
        ("queue", po::value<std::string>()->implicit_value("default")->value_name("NAME"),
         "put the job in queue NAME (default: default) on the host; its runner starts it when it may")
        ("no-start", "with --queue: leave the queue's runner alone (do not start it)")
        ("slots", po::value<int>()->value_name("N"), "with --queue: let N jobs of the queue run at once (default 1)")
        ("priority", po::value<int64_t>()->value_name("N"), "with --queue: higher runs first (default 0); FIFO within one")
        ("gpus", po::value<int>()->value_name("N"),
         "with --queue: wait for N free GPUs and run with CUDA_VISIBLE_DEVICES set to them")
        ("after", po::value<std::vector<std::string>>()->value_name("ID,..."),
         "with --queue: start once all these jobs succeeded (cancelled if one does not)")
        ("after-any", po::value<std::vector<std::string>>()->value_name("ID,..."),
         "with --queue: start once all these jobs ended, however")
        ("after-fail", po::value<std::vector<std::string>>()->value_name("ID,..."),
         "with --queue: start once one of these jobs failed (cancelled if none does)")
        ("array", po::value<std::string>()->value_name("SPEC"),
         "with --queue: one task per number of 1-100, 1-100%10 (10 at once: the queue may then run up to "
         "max(slots, 10) jobs) or 1,3,7-9; each task gets RJ_ARRAY_TASK_ID and TASK_ID")
        ("hold", "with --queue: queue it held ('rj -b release ID' lets it start)")
        ("pool", po::value<std::string>()->value_name("NAME"),
         "let rj place it on the host of pool NAME with the most free capacity (HOST may then be left out, "
         "or written @NAME)")
        ("require", po::value<std::string>()->value_name("SPEC"),
         "what it needs free: gpu:N,mem:SIZE,cpu:N (with --pool, or on HOST); it waits, pending, until a host has it");
    // Accounting and progress (issue 10).
    opts.add_options()
        ("tag", po::value<std::vector<std::string>>()->value_name("T"),
         "tag the job (repeatable); list, acct and kill take --tag T")
        ("progress", po::value<std::string>()->value_name("PATTERN"),
         "read its progress from log lines: 'Epoch (\\d+)/(\\d+)' (done/total), '(\\d+)% done' or percent "
         "(RE2 syntax: no backreferences or lookaround); none: no progress (default: the config's progress)");
    hidden.add_options()
        ("host", po::value<std::string>(), "host")
        ("command", po::value<std::vector<std::string>>(), "command");
    pos.add("host", 1).add("command", -1);
}

std::string current_dir() {
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) return "~";
    return util::tilde_home(buf);
}

std::vector<int64_t> id_list(const po::variables_map& vm, const char* flag) {
    std::vector<int64_t> ids;
    if (!vm.count(flag)) return ids;
    for (const auto& arg : vm[flag].as<std::vector<std::string>>())
        for (const auto& word : util::split_any(arg, ", "))
            if (!word.empty()) ids.push_back(parse_job_id(word));
    return ids;
}

// Any queue option means --queue: `--gpus 2` alone waits for two GPUs in
// the default queue rather than being an error.
void apply_queue_options(const po::variables_map& vm, engine::QueueRequest& q) {
    bool any = false;
    for (const char* o : {"queue", "no-start", "slots", "priority", "gpus", "after", "after-any", "after-fail", "array", "hold"})
        any = any || vm.count(o) > 0;
    if (!any) return;
    q.enabled = true;
    if (vm.count("queue")) q.name = vm["queue"].as<std::string>();
    q.no_start = vm.count("no-start") > 0;
    q.hold = vm.count("hold") > 0;
    if (vm.count("slots")) {
        q.slots = vm["slots"].as<int>();
        if (q.slots < 1) throw util::UsageError("--slots must be at least 1");
    }
    if (vm.count("priority")) q.priority = vm["priority"].as<int64_t>();
    if (vm.count("gpus")) {
        q.gpus = vm["gpus"].as<int>();
        if (q.gpus < 0) throw util::UsageError("--gpus cannot be negative");
    }
    q.after_ok = id_list(vm, "after");
    q.after_any = id_list(vm, "after-any");
    q.after_fail = id_list(vm, "after-fail");
    if (vm.count("array")) q.array = vm["array"].as<std::string>();
    q.explicit_queue = vm.count("queue") > 0;
}

bool is_known_host(Context& ctx, const std::string& word) {
    auto known = ctx.engine.known_hosts();
    return std::find(known.begin(), known.end(), word) != known.end();
}

int run(Context& ctx, const po::variables_map& vm) {
    engine::SubmitRequest req;
    if (vm.count("from")) {
        int64_t from = parse_job_id(vm["from"].as<std::string>());
        store::Job source = engine::get_job(ctx.engine, from);
        req = engine::request_from_job(source);
    } else {
        req.workdir = current_dir();
    }
    std::vector<std::string> words;
    if (vm.count("host")) words.push_back(vm["host"].as<std::string>());
    if (vm.count("command"))
        for (const auto& w : vm["command"].as<std::vector<std::string>>()) words.push_back(w);
    if (vm.count("pool")) {
        // `run --pool gpu CMD...`: no host word, unless it is @gpu.
        req.pool = vm["pool"].as<std::string>();
        if (!words.empty() && words.front() == "@" + req.pool) words.erase(words.begin());
        req.host.clear();
    } else if (!words.empty() && vm.count("from") && !is_known_host(ctx, words.front())) {
        // `run --from ID [HOST] [CMD]` (remote-jobs): without a host the
        // words are the command, run on the source job's host.
    } else if (!words.empty()) {
        req.host = words.front();
        words.erase(words.begin());
    }
    if (vm.count("require")) req.require = vm["require"].as<std::string>();
    if (!words.empty()) req.command = util::join(words, " ");  // (--from: the source's, unless given)
    if (req.host.empty() && req.pool.empty())
        throw util::UsageError("no host given", "usage: rj -b run [OPTIONS] HOST COMMAND...");
    if (req.command.empty()) throw util::UsageError("no command given", "usage: rj -b run [OPTIONS] HOST COMMAND...");
    if (vm.count("directory")) req.workdir = vm["directory"].as<std::string>();
    if (vm.count("description")) req.description = vm["description"].as<std::string>();
    if (vm.count("env")) {
        for (const auto& kv : split_env_words(vm["env"].as<std::vector<std::string>>())) {
            auto [name, value] = engine::parse_env_assignment(kv);
            bool replaced = false;
            for (auto& existing : req.env)
                if (existing.first == name) {
                    existing.second = value;
                    replaced = true;
                }
            if (!replaced) req.env.emplace_back(name, value);
        }
    }
    if (vm.count("timeout")) req.timeout_s = util::parse_duration_or_throw(vm["timeout"].as<std::string>(), "--timeout").count();
    else if (!vm.count("from")) req.timeout_s = ctx.engine.config().default_timeout.count();
    if (vm.count("queue-on-fail")) req.queue_on_fail = true;
    if (vm.count("notify")) req.notify = vm["notify"].as<std::string>();
    if (vm.count("idle-timeout"))
        req.idle_timeout_s = util::parse_duration_or_throw(vm["idle-timeout"].as<std::string>(), "--idle-timeout").count();
    apply_queue_options(vm, req.queue);
    // Accounting and progress (issue 10): --tag replaces the tags of --from.
    if (vm.count("tag")) req.tags = vm["tag"].as<std::vector<std::string>>();
    if (vm.count("progress")) {
        req.progress = vm["progress"].as<std::string>();
        // Refused where it is given, before any host is looked up.
        if (req.progress != "none") engine::check_progress_pattern(req.progress);
    }
    if (req.pool.empty() && req.host[0] != '@' && req.queue.enabled && vm.count("queue") && req.queue.name == "default") {
        // `--queue gpu HOST CMD`: the optional value must be attached.
        try {
            ctx.engine.require_known_host(req.host);
        } catch (const util::UsageError& e) {
            throw util::UsageError(e.what(), "to name the queue write --queue=" + req.host +
                                                 " (the value of --queue is optional, so it takes '=')");
        }
    }

    return submit_and_report(ctx, req, vm.count("follow") > 0 || vm.count("allow") > 0, !vm.count("from") && !vm.count("directory"));
}

}  // namespace

extern const Command kRunCommand = {
    .name = "run",
    .args = "HOST COMMAND...",
    .summary = "start COMMAND on HOST inside tmux; print the job id",
    .details = "HOST is anything ssh takes: an alias, user@host, ssh://user@host:port, a DNS name or an address, or a name only "
        "Match blocks configure (man rj: HOSTS); the job keeps it as typed. "
        "The job runs in tmux session rj-ID on HOST, so it survives this machine sleeping. Its output goes to a log "
        "on the host ('rj -b log ID'). The command words are joined with spaces and run by bash on the host exactly "
        "as typed; quote it as one argument when it has shell syntax of its own. Everything after HOST (or after --) "
        "belongs to the command, options included. On a SLURM cluster's login node (scheduler = slurm in its "
        "[host] section) the job is submitted with sbatch instead and SLURM schedules it; the options become SLURM's "
        "own (man rj: SLURM CLUSTERS) and those without a SLURM meaning are refused.",
    .declare = declare,
    .run = run,
    .verbatim_after = 1,
};

}  // namespace cli
