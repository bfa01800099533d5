// rj -b run [-C DIR] [-d TEXT] [-e K=V]... [--timeout DUR] [--from ID] [--queue-on-fail] [-f] HOST CMD...
#include "config.h"

#include <unistd.h>

#include <climits>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/jobs.h"
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
        ("env,e", po::value<std::vector<std::string>>()->value_name("K=V"), "set an environment variable (repeatable)")
        ("timeout", po::value<std::string>()->value_name("DUR"), "stop the job after DUR (90s, 30m, 2h, 1h30m, 7d)")
        ("from", po::value<std::string>()->value_name("ID"), "copy the settings of job ID (options override them)")
        ("queue-on-fail", "if the host is unreachable, record the job as pending and start it at the next sync")
        ("follow,f", "stream the log until the job ends and exit with its exit code");
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

int run(Context& ctx, const po::variables_map& vm) {
    engine::SubmitRequest req;
    if (vm.count("from")) {
        int64_t from = parse_job_id(vm["from"].as<std::string>());
        store::Job source = engine::get_job(ctx.engine, from);
        req = engine::request_from_job(source);
    } else {
        req.workdir = current_dir();
    }
    if (vm.count("host")) req.host = vm["host"].as<std::string>();
    if (vm.count("command")) req.command = util::join(vm["command"].as<std::vector<std::string>>(), " ");
    if (req.host.empty()) throw util::UsageError("no host given", "usage: rj -b run [OPTIONS] HOST COMMAND...");
    if (req.command.empty()) throw util::UsageError("no command given", "usage: rj -b run [OPTIONS] HOST COMMAND...");
    if (vm.count("directory")) req.workdir = vm["directory"].as<std::string>();
    if (vm.count("description")) req.description = vm["description"].as<std::string>();
    if (vm.count("env")) {
        for (const auto& kv : vm["env"].as<std::vector<std::string>>()) {
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

    return submit_and_report(ctx, req, vm.count("follow") > 0, !vm.count("from") && !vm.count("directory"));
}

}  // namespace

extern const Command kRunCommand = {
    "run", "HOST COMMAND...", "start COMMAND on HOST inside tmux; print the job id",
    "The job runs in tmux session rj-ID on HOST, so it survives this machine sleeping. Its output goes to a log "
    "on the host ('rj -b log ID'). The command words are joined with spaces and run by bash on the host exactly "
    "as typed; quote it as one argument when it has shell syntax of its own. Everything after HOST (or after --) "
    "belongs to the command, options included.",
    declare, run, 1};

}  // namespace cli
