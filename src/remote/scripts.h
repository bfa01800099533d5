// The POSIX sh texts rj sends to hosts, kept apart from the C++ that fills in their data.
// Internal to src/remote: callers use the builders in remote/protocol.h.
#pragma once

#include <string>
#include <string_view>

namespace remote::sh {

// Shell functions every script (and the wrapper) starts with: ~ expansion,
// exact file reads, pid checks, process-group signals, tmux session listing.
extern const std::string_view prelude;

// The job wrapper deployed as RJ_DIR/bin/wrapper-<hash>.sh (prelude included
// by wrapper_text()).
extern const std::string_view wrapper_body;
extern const std::string_view snapshot_body;  // the wrapper's code snapshot
extern const std::string_view sampler_body;   // the wrapper's host sampler

// Bodies of the one-shot scripts; each defines rj_main and expects the
// variables its builder assigns (RJ_DIR_ARG always, the rest per script).
extern const std::string_view submit_body;
extern const std::string_view facts_body;  // rj_facts / rj_print_sessions, for sync and kill
extern const std::string_view sync_body;
extern const std::string_view kill_body;
extern const std::string_view log_body;
extern const std::string_view foreign_body;  // jobs remote-jobs started (rj -b import remote-jobs)
extern const std::string_view host_info_body;
extern const std::string_view hostfacts_lib_body;
extern const std::string_view free_body;
extern const std::string_view cleanup_body;
extern const std::string_view remove_body;
extern const std::string_view usage_body;
extern const std::string_view queue_lib_body;  // shared by the runner and the queue scripts
extern const std::string_view runner_body;
extern const std::string_view enqueue_body;
extern const std::string_view queue_ctl_body;
extern const std::string_view diff_body;
// SLURM login nodes (remote/slurm.h).
extern const std::string_view slurm_submit_body;
extern const std::string_view slurm_sync_body;  // before sync_body's rj_main: squeue
extern const std::string_view slurm_kill_body;
extern const std::string_view slurm_ctl_body;
extern const std::string_view slurm_info_body;  // before host_info_body's rj_main: sinfo

// The complete wrapper file and the hash in its deployed name (16 hex digits
// of FNV-1a over the text, so a changed wrapper gets a new file and running
// jobs keep the old one).
const std::string& wrapper_text();
const std::string& wrapper_hash();
// The queue runner deployed as RJ_DIR/bin/runner-<hash>.sh, named the same way.
const std::string& runner_text();
const std::string& runner_hash();

}  // namespace remote::sh
