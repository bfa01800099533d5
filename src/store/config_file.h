// rj's own settings file (util::default_config_path()), INI style:
//
//   sync_interval = 15s          # top level, same as [defaults]
//   [host gpu1]
//   max_sessions = 6
//   [pool gpus]
//   hosts = gpu1, gpu2
//   [notify]
//   slack_webhook = https://hooks.slack.com/services/...
//
// Unknown keys are warnings (a newer rj's file still loads); malformed lines
// and bad values are errors naming FILE:LINE. `#` starts a comment anywhere.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace store {

// `scheduler = slurm`: the host is a SLURM cluster's login node; jobs go
// through sbatch with these options (empty: SLURM's defaults).
struct SlurmSettings {
    bool enabled = false;
    std::string partition, account, qos;
    std::vector<std::string> extra;  // sbatch_options, one option per word
};

struct HostSettings {
    std::string name;
    std::string remote_dir;  // empty: the global remote_dir
    int max_sessions = 8;    // exec channels at once; stay below sshd's MaxSessions (10)
    std::string description;
    int gpu_free_mib = 1024;  // a GPU using less memory than this (and no process) is free for --gpus
    int snapshot = -1;        // code snapshots: -1 as the global setting, 0 off, 1 on
    std::string notify;       // all | failures | none; empty: as [notify] says
    std::string prelude;      // shell run in the job's shell before its command (module load ...)
    std::string progress;     // progress pattern; empty: the global one
    std::chrono::seconds stall_after{-1};  // -1: the global setting; 0: off
    SlurmSettings slurm;
};

// [notify]: where job-end messages go and which ends deserve one. The
// webhook URLs are secrets: they reach a host only inside a 0600 file.
struct NotifySettings {
    std::string slack_webhook, discord_webhook, webhook;  // webhook: generic JSON
    std::string policy = "all";  // all | failures | none
    std::chrono::seconds min_duration{15};  // shorter successes stay quiet; failures always speak
    bool verbose = false;    // add the directory and the command
    bool bell = false;       // the interface rings the terminal bell when it sees a job end
    // A program run on this machine for each message (notify-send): its
    // words, split at spaces (no shell); the message is its last argument.
    std::vector<std::string> command;
    // One message per `rj -b sync` for every end since the last one instead
    // of one per job; hosts then send nothing themselves.
    bool digest = false;
    bool any_webhook() const { return !slack_webhook.empty() || !discord_webhook.empty() || !webhook.empty(); }
    bool any_channel() const { return any_webhook() || !command.empty(); }
};

struct PoolSettings {
    std::string name;
    std::vector<std::string> hosts;
    std::string prelude;  // for its jobs; a host's own prelude runs first
};

// Files a code snapshot never captures, whatever the config says.
inline const std::vector<std::string> kSnapshotExcludeDefaults = {".env", ".env.*", "*.pem", "*.key",
                                                                  "id_rsa*", "id_ed25519*", ".netrc"};

struct Config {
    std::chrono::seconds sync_interval{15}, log_interval{2}, meter_interval{10};
    std::string remote_dir = "~/.cache/rj";
    bool mouse = false;
    std::string color = "auto";  // auto, always or never
    std::chrono::seconds default_timeout{0};  // 0: jobs run without a time limit
    bool accept_new_host_keys = false;
    bool snapshot = true;                  // record the code each job runs (git commit + patch)
    int64_t snapshot_limit = 2 << 20;      // most bytes of uncommitted changes kept per job
    std::chrono::seconds snapshot_timeout{30};  // past it a snapshot stops, recorded as truncated
    // Patterns (gitignore rules) of files never captured, added to
    // kSnapshotExcludeDefaults (secrets).
    std::vector<std::string> snapshot_exclude;
    // A running job's log lines turned into a fraction (util/progress.h);
    // empty: none unless `run --progress` gives one.
    std::string progress;
    // A running job whose log has not grown for this long is flagged stalled
    // (and notified once); 0: never.
    std::chrono::seconds stall_after{0};
    // ssh config aliases that are not job hosts (github.com, a jump host):
    // OpenSSH-style patterns, left out of the fleet unless rj's config names
    // them or they have had jobs.
    std::vector<std::string> ignore_hosts;
    std::map<std::string, HostSettings> hosts;
    std::map<std::string, PoolSettings> pools;
    NotifySettings notify;
    std::vector<std::string> warnings;  // "FILE:LINE: ..." for things ignored

    // Reads the file; a missing file gives the defaults. Throws util::Error.
    static Config load(const std::string& path);
    // Parses `text`; `origin` names it in messages. Throws util::Error.
    static Config parse(const std::string& text, const std::string& origin);

    std::string remote_dir_for(const std::string& host) const;
    int max_sessions_for(const std::string& host) const;
    int gpu_free_mib_for(const std::string& host) const;
    // The host's SLURM settings, or nullptr when it runs jobs in tmux.
    const SlurmSettings* slurm_for(const std::string& host) const;
    // Bytes of code snapshot for a job on `host` (0: snapshots off there).
    int64_t snapshot_bytes_for(const std::string& host) const;
    // The built-in secret patterns, then the config's snapshot_exclude.
    std::vector<std::string> snapshot_exclude_patterns() const;
    // The notify policy for jobs on `host` (its [host] notify, else [notify]'s).
    std::string notify_policy_for(const std::string& host) const;
    // What runs before a job's command on `host` (placed from `pool` when
    // not empty): the host's prelude, then the pool's, one per line.
    std::string prelude_for(const std::string& host, const std::string& pool = "") const;
    std::string progress_for(const std::string& host) const;
    std::chrono::seconds stall_after_for(const std::string& host) const;
    // RJ_SLACK_WEBHOOK, RJ_DISCORD_WEBHOOK, RJ_WEBHOOK and RJ_NOTIFY (the policy) win over the file. Throws util::Error for a bad value.
    void apply_notify_environment();
};

}  // namespace store
