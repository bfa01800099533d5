// rj -b diff ID1 ID2: what differs between two jobs — command, environment,
// host, GPUs, commit (and the commits between), uncommitted changes.
#include "config.h"

#include "cli/batch_ops.h"
#include "cli/command.h"
#include "engine/jobs.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace cli {

namespace {

void declare(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("a", po::value<std::string>(), "a")("b", po::value<std::string>(), "b");
    pos.add("a", 1).add("b", 1);
}

std::string env_text(const store::Job& j) {
    std::string s;
    for (const auto& [k, v] : j.env) s += (s.empty() ? "" : " ") + k + "=" + v;
    return s.empty() ? "(none)" : s;
}

std::string commit_text(const store::Job& j) {
    if (!j.has_code()) return "(no code recorded)";
    return j.code.commit.substr(0, 12);
}

std::string changes_text(const store::Job& j) {
    if (!j.has_code()) return "-";
    if (j.code.patch_bytes == 0) return "none";
    return std::to_string(j.code.patch_bytes) + " bytes, hash " + j.code.patch_hash.substr(0, 12) +
           (j.code.truncated ? " (truncated)" : "");
}

// Indented, sanitised lines of a block.
void print_block(Context& ctx, const std::string& text) {
    std::string line;
    for (char c : text) {
        if (c == '\n') {
            ctx.out << "    " << util::visible(line) << "\n";
            line.clear();
        } else {
            line += c;
        }
    }
    if (!line.empty()) ctx.out << "    " << util::visible(line) << "\n";
}

int run(Context& ctx, const po::variables_map& vm) {
    if (!vm.count("a") || !vm.count("b")) throw util::UsageError("give two job ids", "usage: rj -b diff ID1 ID2");
    int64_t a = parse_job_id(vm["a"].as<std::string>()), b = parse_job_id(vm["b"].as<std::string>());
    engine::JobDiff d;
    d = await<engine::JobDiff>(ctx, "diff", [&](auto done) { engine::diff_jobs(ctx.engine, a, b, done); });
    int differences = 0;
    auto field = [&](const char* name, const std::string& x, const std::string& y) {
        if (x == y) {
            ctx.out << name << std::string(12 - std::string(name).size(), ' ') << "same: " << util::visible(x) << "\n";
            return;
        }
        ++differences;
        ctx.out << name << "\n    - " << util::visible(x) << "\n    + " << util::visible(y) << "\n";
    };
    ctx.out << "--- job " << a << "\n+++ job " << b << "\n";
    field("command:", d.a.command, d.b.command);
    field("directory:", d.a.workdir, d.b.workdir);
    field("env:", env_text(d.a), env_text(d.b));
    field("host:", d.a.host, d.b.host);
    field("gpus:", d.a.gpu_models.empty() ? d.a.gpu_alloc : d.a.gpu_models,
          d.b.gpu_models.empty() ? d.b.gpu_alloc : d.b.gpu_models);
    field("commit:", commit_text(d.a), commit_text(d.b));
    if (d.a.has_code() && d.b.has_code()) field("branch:", d.a.code.branch, d.b.code.branch);
    field("changes:", changes_text(d.a), changes_text(d.b));
    auto block = [&](const char* name) -> const std::string* {
        auto it = d.blocks.find(name);
        return it == d.blocks.end() || it->second.empty() ? nullptr : &it->second;
    };
    if (const std::string* log = block("log")) {
        ctx.out << "commits from " << d.a.code.commit.substr(0, 7) << " to " << d.b.code.commit.substr(0, 7) << ":\n";
        print_block(ctx, *log);
    }
    if (const std::string* back = block("back")) {
        ctx.out << "commits in " << d.a.code.commit.substr(0, 7) << " and not in " << d.b.code.commit.substr(0, 7)
                << ":\n";
        print_block(ctx, *back);
    }
    if (const std::string* stat = block("stat")) {
        ctx.out << "files changed between the commits:\n";
        print_block(ctx, *stat);
    }
    if (const std::string* patch = block("patch")) {
        ctx.out << "difference between their uncommitted changes (diff -u of the two patches):\n";
        print_block(ctx, *patch);
    }
    if (!d.error.empty()) print_error(ctx.err, "could not ask " + d.a.host + " about their code: " + d.error, d.hint);
    else if (!d.hint.empty()) ctx.err << "rj: " << d.hint << "\n";
    return differences > 0 ? 1 : 0;
}

}  // namespace

extern const Command kDiffCommand = {
    .name = "diff",
    .args = "ID1 ID2",
    .summary = "what differs between two jobs: command, env, host, GPUs, code",
    .details = "Compares the two records (command, directory, environment, host, GPUs, commit and uncommitted changes) and, "
        "when both ran on one host, asks it for the commits between them (git log), the files those change (git diff "
        "--stat) and the difference between their recorded patches. Exit status 0 when nothing differs, 1 when "
        "something does (like diff(1)).",
    .declare = declare,
    .run = run,
};

}  // namespace cli
