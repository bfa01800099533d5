#include "config.h"

#include <cstdio>

// Builders of the SLURM scripts (remote/slurm.h), on the pieces of build.cc.

#include "remote/build_support.h"
#include "remote/scripts.h"
#include "remote/slurm.h"
#include "util/error.h"
#include "util/shell_quote.h"

namespace remote {

using detail::assign;
using detail::assign_num;

std::string slurm_submit_script(const JobSpec& spec, const SlurmSubmit& submit) {
    std::vector<int64_t> ids = submit.ids.empty() ? std::vector<int64_t>{spec.id} : submit.ids;
    if (ids.front() != spec.id) throw util::Error("the first id of a SLURM array must be the job's");
    if (!submit.tasks.empty() && submit.tasks.size() != ids.size())
        throw util::Error("array tasks and job ids differ in number");
    std::string sb;
    for (const auto& o : submit.options) {
        if (o.size() < 2 || o[0] != '-') throw util::Error("'" + o + "' is not an sbatch option");
        sb += (sb.empty() ? "" : " ") + util::shell_quote(o);
    }
    std::string s = detail::begin("slurm submit", RemoteDir(spec.rj_dir, spec.session_prefix));
    assign_num(s, "RJ_ID", spec.id);
    assign(s, "RJ_IDS", detail::id_list(ids));
    std::string tasks;
    for (int64_t t : submit.tasks) tasks += (tasks.empty() ? "" : " ") + std::to_string(t);
    assign(s, "RJ_TASKS", tasks);
    // One env file for all tasks: the wrapper sets RJ_JOB_ID from its directory.
    assign(s, "RJ_ENVTEXT", detail::env_file_text(submit.tasks.empty() ? spec.id : 0, spec.env));
    JobSpec job = spec;
    job.timeout_s = 0;  // SLURM's limit, not the wrapper's watchdog
    detail::assign_checked_job(s, job);
    assign_num(s, "RJ_LIMIT", submit.time_limit_s < 0 ? 0 : submit.time_limit_s);
    assign(s, "RJ_NAME", spec.session_prefix + std::to_string(spec.id));
    assign(s, "RJ_SB", sb);
    return detail::finish(std::move(s), {sh::slurm_submit_body});
}

std::string slurm_sync_script(const RemoteDir& dir, int64_t journal_offset, const std::vector<int64_t>& ids) {
    // sync_script's variables and bodies, entered through rj_slurm_main.
    std::string s = detail::begin("slurm sync", dir);
    assign_num(s, "RJ_ROTATE", 1 << 20);
    assign_num(s, "RJ_OFFSET", journal_offset < 0 ? 0 : journal_offset);
    assign_num(s, "RJ_MAXJ", 4 << 20);
    assign(s, "RJ_IDS", detail::id_list(ids));
    return detail::finish(std::move(s), {sh::queue_lib_body, sh::facts_body, sh::sync_body, sh::slurm_sync_body},
                          "rj_slurm_main");
}

std::string slurm_kill_script(const RemoteDir& dir, const std::vector<int64_t>& ids, int64_t wait_s) {
    std::string s = detail::begin("slurm kill", dir);
    assign(s, "RJ_IDS", detail::id_list(ids));
    assign_num(s, "RJ_WAIT", wait_s < 0 ? 0 : wait_s);
    return detail::finish(std::move(s), {sh::queue_lib_body, sh::facts_body, sh::slurm_kill_body});
}

std::string slurm_info_script() {
    std::string s = detail::begin("slurm info", kDefaultRjDir);
    assign(s, "RJ_PROC", "/proc");
    return detail::finish(std::move(s), {sh::hostfacts_lib_body, sh::host_info_body, sh::slurm_info_body}, "rj_slurm_info_main");
}

std::string slurm_time(int64_t s) {
    if (s < 0) s = 0;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600), static_cast<long long>(s % 3600 / 60),
                  static_cast<long long>(s % 60));
    return buf;
}

std::string slurm_ctl_script(const RemoteDir& dir, const SlurmCtl& c) {
    if (c.op != "hold" && c.op != "release" && c.op != "update") throw util::Error("unknown SLURM operation '" + c.op + "'");
    std::string s = detail::begin("slurm ctl", dir);
    assign(s, "RJ_OP", c.op);
    assign(s, "RJ_IDS", detail::id_list(c.ids));
    assign(s, "RJ_SET_TIMEOUT", c.timeout_s ? "1" : "0");
    assign_num(s, "RJ_TIMEOUT", c.timeout_s.value_or(0));
    assign(s, "RJ_TIMELIMIT", c.timeout_s && *c.timeout_s > 0 ? slurm_time(*c.timeout_s) : "UNLIMITED");
    assign(s, "RJ_SET_CMD", c.command ? "1" : "0");
    assign(s, "RJ_COMMAND", c.command.value_or(""));
    assign(s, "RJ_SET_ENV", c.env ? "1" : "0");
    assign(s, "RJ_ENVTEXT", c.env ? detail::env_file_text(0, *c.env) : "");
    return detail::finish(std::move(s), {sh::slurm_ctl_body});
}

}  // namespace remote
