// Test support for the remote protocol: runs the real scripts under a local
// shell (dash, bash as sh, busybox sh) with a private HOME and tmux server.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "remote/protocol.h"

namespace rjtest {

// A shell that plays /bin/sh on the pretend host.
struct Shell {
    std::string name;         // "dash", "bash", "busybox", "bash-not-posix"
    std::string target;       // the binary
    std::string link = "sh";  // started through a link of this name ("sh": bash in POSIX mode, like macOS)
};

// The shells found on this machine (dash and bash at least).
const std::vector<Shell>& shells();
// shells() plus bash started as `bash` (not POSIX mode), in case the SSH
// layer runs `bash -s`.
const std::vector<Shell>& all_shells();

struct RunResult {
    std::string out, err;
    int status = -1;  // exit status, or 128+signal
};

// A pretend host: a temp dir holding HOME (with a space in its path), a
// TMUX_TMPDIR (so a private tmux server is used) and bin/sh -> the shell
// (bin/<link>: it serves as `sh -s` for the scripts and as the wrapper's shell).
// The destructor kills that tmux server and every process carrying its
// TMUX_TMPDIR, then removes the directory.
class Sandbox {
public:
    explicit Sandbox(const Shell& shell);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    // Feeds `script` to `sh -s` (the sandbox's sh) in HOME, like the SSH layer does.
    RunResult run(const std::string& script, double timeout_s = 30) const;
    // run() for each script, `parallel` at a time; results in the same order.
    std::vector<RunResult> run_many(const std::vector<std::string>& scripts, int parallel) const;
    // Runs a plain command line with the sandbox environment (sh -c).
    RunResult sh(const std::string& command_line) const;

    std::string root, home, tmux_dir, bin, sh_path;
    std::string path;  // PATH given to the shells
    std::vector<std::pair<std::string, std::string>> extra_env;

    std::string job_dir(int64_t id) const;
    remote::JobSpec spec(int64_t id, const std::string& command) const;

    remote::SubmitReply submit(const remote::JobSpec& spec) const;
    remote::SyncReply sync(const std::vector<int64_t>& ids, int64_t offset = 0) const;
    // Polls until the job has an end record (or timeout_s passes), then syncs
    // for its facts (unless sync_after is false: then the facts are empty).
    remote::JobFacts wait_end(int64_t id, double timeout_s = 15, bool sync_after = true) const;
    // Polls until the job has recorded its pid.
    remote::JobFacts wait_started(int64_t id, double timeout_s = 10) const;

    // Pids of live processes started under this sandbox's tmux (by environment).
    std::vector<int> leftover_pids() const;
    // Kills the tmux server and waits up to timeout_s for all processes to go.
    // True when none was left (anything left is then SIGKILLed).
    bool shutdown(double timeout_s = 5);

private:
    bool shut_ = false;
};

bool pid_alive(int64_t pid);
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data);
void sleep_s(double s);
// Seconds on the monotonic clock, for deadlines.
double now_s();

}  // namespace rjtest
