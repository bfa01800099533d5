// rj -b log ID [-f] [-n N | --all] [--from N] [--to N] [--grep PATTERN]
#include "config.h"

#include <ctime>

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/jobs.h"
#include "util/error.h"

namespace cli {

namespace {

constexpr int kDefaultTailLines = 50;

void declare(po::options_description& opts, po::options_description& hidden, po::positional_options_description& pos) {
    opts.add_options()
        ("follow,f", "keep printing new output until the job ends (Ctrl-C stops following, not the job)")
        ("lines,n", po::value<int>()->value_name("N"), "the last N lines (default 50, as remote-jobs; 0: all of it)")
        ("all", "the whole log (as -n 0)")
        ("from", po::value<int64_t>()->value_name("N"), "from line N (1-based)")
        ("to", po::value<int64_t>()->value_name("N"), "up to line N")
        ("grep", po::value<std::string>()->value_name("PATTERN"),
         "only lines matching PATTERN (POSIX extended syntax, as grep -E; on the host)")
        ("raw", "on a terminal too, write the log's bytes unchanged (escape sequences included)");
    hidden.add_options()("id", po::value<std::string>(), "id");
    pos.add("id", 1);
}

int run(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("id")) throw util::UsageError("no job id given", "usage: rj -b log ID [-f] [-n N | --all] [--grep PATTERN]");
    engine::LogRequest req;
    req.id = parse_job_id(vm["id"].as<std::string>());
    if (vm.count("lines")) {
        req.tail_lines = vm["lines"].as<int>();
        if (req.tail_lines < 0) throw util::UsageError("-n takes a number of lines (0: all of them)");
    }
    if (vm.count("all") && req.tail_lines > 0) throw util::UsageError("--all and -n N ask for different lines; give one");
    if (vm.count("from")) req.from_line = vm["from"].as<int64_t>();
    if (vm.count("to")) req.to_line = vm["to"].as<int64_t>();
    // remote-jobs' default: the last 50 lines, unless lines are chosen
    // another way (--from/--to, --grep, -n, --all).
    if (!vm.count("lines") && !vm.count("all") && !vm.count("from") && !vm.count("to") && !vm.count("grep"))
        req.tail_lines = kDefaultTailLines;
    if (req.from_line < 0 || req.to_line < 0 || (req.to_line && req.from_line > req.to_line))
        throw util::UsageError("--from and --to take line numbers, with --from not after --to");
    if (vm.count("grep")) {
        req.grep = vm["grep"].as<std::string>();
        // Checked here, before anything is sent: the host's grep -E and rj
        // (new lines under -f) must read it alike.
        if (!req.grep.empty()) check_grep_pattern(req.grep);
    }
    bool follow = vm.count("follow") > 0;
    ctx.raw_log = vm.count("raw") > 0;
    if (follow && (req.from_line || req.to_line))
        throw util::UsageError("-f cannot be combined with --from or --to", "use -n N to start from the last N lines");
    store::Job job = engine::get_job(ctx.engine, req.id);  // not found: exit 1 before contacting anyone
    // A job that has not started has no lines to skip: follow it from its first.
    bool not_started = job.status == store::status::queued || job.status == store::status::pending ||
                       job.status == store::status::starting;
    if (follow && not_started && !vm.count("lines") && req.grep.empty()) req.tail_lines = 0;
    if (follow && req.tail_lines == 0 && req.grep.empty()) return follow_log(ctx, req.id, 0);
    bool whole = req.tail_lines == 0 && req.grep.empty() && req.from_line == 0 && req.to_line == 0;
    if (whole) req.byte_offset = 0;  // the whole log: stream it in chunks by offset
    engine::LogResult result;
    for (;;) {
        result = await<engine::LogResult>(ctx, "log", [&](auto done) { engine::fetch_log(ctx.engine, req, done); });
        if (!whole || !result.ok() || result.cached || !result.more) break;
        ctx.write_log(result.text);
        req.byte_offset = result.next_offset;
    }
    if (!result.ok()) {
        print_error(ctx.err, result.error,
                    result.bad_pattern ? "--grep takes POSIX extended syntax (grep -E; see PATTERNS in the man page)" : result.hint);
        return result.bad_pattern ? 2 : 1;
    }
    if (result.cached) {
        std::time_t t = static_cast<std::time_t>(result.cached_at);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::localtime(&t));
        ctx.err << "rj: host offline (" << util::visible(result.cached_because) << "); showing the log cached at " << when << "\n";
    }
    ctx.write_log(result.text);
    if (result.truncated)
        ctx.err << "rj: output cut at " << (req.max_bytes >> 20)
                << " MiB; narrow it with -n, --from/--to or --grep\n";
    // -f --grep: the lines so far were filtered on the host; new lines are
    // matched here, line by line, in the same syntax.
    if (follow && !result.cached) return follow_log(ctx, req.id, result.next_offset, req.grep);
    return 0;
}

}  // namespace

extern const Command kLogCommand = {
    .name = "log",
    .args = "ID",
    .summary = "print the last 50 lines of a job's output (-n N, --all; filtered on the host)",
    .details = "Without -n, --all, --from/--to or --grep the last 50 lines are printed (remote-jobs' default); -n 0 or --all "
        "prints the whole log. Line selection (-n, --from/--to, --grep) happens on the host, so only the lines shown cross the network. "
        "When the host is offline, the last fetched tail is shown and marked as cached on stderr. Into a pipe or file "
        "the bytes are unchanged; on a terminal only text, newlines, tabs and colours pass (--raw: everything). "
        "--grep takes POSIX extended syntax (grep -E), read alike on the host and by rj for new lines under -f; "
        "extensions a grep reads its own way (\\d, \\<, \\1, (?:...)) and patterns RE2 cannot run are a usage "
        "error (exit 2), before anything is sent.",
    .declare = declare,
    .run = run,
};

}  // namespace cli
