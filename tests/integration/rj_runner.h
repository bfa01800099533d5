// Drives the real rj binary from the outside, as a user would, for the jobs
// integration tests: each argument reaches rj byte for byte (fork/execve, no
// shell), with the test hosts' environment and a database of the test's own;
// stdout, stderr and the exit status come back separately. Also a small strict
// JSON reader for `--json` output and polling helpers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "harness/test_hosts.h"

namespace testing_support {

using Millis = std::chrono::milliseconds;

struct RjResult {
    int status = -1;  // exit code, or 128+N when killed by signal N
    std::string out, err;
    bool timed_out = false;  // killed by us after the deadline
    double seconds = 0;      // wall time
    long max_rss_kib = 0;    // peak resident memory of rj (getrusage)
    std::string command;     // "rj -b ARGS", when run through Rj
    std::string host_logs;   // the hosts' sshd log tails right after it ended
    std::string trace;       // its RJ_TRACE_FILE lines (connection states, exec stages)
    int pid = 0;
    // The sanitizer report lines in `err` (UBSan's "runtime error:", ASan's and
    // LSan's "ERROR: ...Sanitizer", any "SUMMARY: ...Sanitizer"), or "".
    std::string sanitizer_report;
    // The command, "status=N", stdout, stderr and the sshd log tails, for INFO().
    std::string describe() const;
};

// An `rj -b ...` started in the background; killed and reaped when destroyed.
class RjProcess {
public:
    RjProcess(pid_t pid, int out_fd, int err_fd);
    RjProcess(RjProcess&& other) noexcept;
    RjProcess& operator=(RjProcess&&) = delete;
    RjProcess(const RjProcess&) = delete;
    ~RjProcess();

    pid_t pid() const { return pid_; }
    // Collects output until `pred(stdout, stderr)` holds or `timeout` passes;
    // returns the predicate's last value.
    bool read_until(const std::function<bool(const std::string&, const std::string&)>& pred, Millis timeout);
    void signal(int sig);
    // Reads everything and reaps the process; SIGKILLs it after `timeout`.
    RjResult wait(Millis timeout);
    bool exited() const { return reaped_; }
    // Whether the process has exited, without reaping it.
    bool finished() const;
    const std::string& out() const { return result_.out; }
    const std::string& err() const { return result_.err; }

private:
    // Reads what is there, waiting at most `wait`; false once both pipes closed.
    bool pump(Millis wait);

    pid_t pid_ = -1;
    int out_fd_ = -1, err_fd_ = -1;
    bool reaped_ = false;
    std::chrono::steady_clock::time_point started_;
    RjResult result_;
};

class Rj {
public:
    // The environment of hosts.env_file() plus RJ_DB=hosts.dir()/rj.db.
    explicit Rj(const TestHosts& hosts);

    // $RJ_BIN if set, else RJ_BUILDDIR "/rj".
    static std::string binary();
    const std::string& db() const { return db_; }
    void set_env(const std::string& name, const std::string& value);

    // Runs `rj -b ARGS...` in `cwd` (default: the client's HOME) with stdin from /dev/null.
    // r.describe() (also given to the next Catch2 assertion as UNSCOPED_INFO)
    // holds the command, status, stdout, stderr and, on failure, sshd log tails.
    RjResult batch(const std::vector<std::string>& args, Millis timeout = Millis(60000),
                   const std::string& cwd = "") const;
    RjProcess spawn(const std::vector<std::string>& args, const std::string& cwd = "") const;
    // Runs each `rj -b ARGS...` of `commands`, at most `parallel` at a time
    // (few: every one opens its own SSH connection); results in order.
    std::vector<RjResult> batch_all(const std::vector<std::vector<std::string>>& commands, size_t parallel = 4,
                                    Millis timeout = Millis(60000)) const;

    // Records the command in `r` and, when it failed, the sshd log tails,
    // so that r.describe() says all a failing assertion should show.
    void annotate(const std::vector<std::string>& args, RjResult& r) const;

    // The RJ_TRACE_FILE lines process `pid` wrote so far (connection states,
    // exec stages): lets a test act at a known point of an rj run.
    std::string trace_of(pid_t pid) const;

private:
    const TestHosts* hosts_;
    std::vector<std::string> env_;
    std::string db_;
    std::string home_;
};

// A strict JSON reader (RFC 8259): malformed input, raw control characters in
// strings, invalid UTF-8 and trailing garbage all throw std::runtime_error.
struct Json {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    std::string text;  // a string's value, or a number's literal
    std::vector<Json> items;
    std::vector<std::pair<std::string, Json>> members;  // in document order

    bool is_null() const { return type == Type::Null; }
    bool has(const std::string& key) const;
    const Json& operator[](const std::string& key) const;  // throws when missing
    const std::string& str() const;                        // throws unless a string
    int64_t integer() const;                               // throws unless an integer
    double number() const;
    std::vector<std::string> keys() const;
};
Json parse_json(std::string_view text);
// One object per non-empty line, as `list --json` prints.
std::vector<Json> parse_json_lines(std::string_view text);

// Calls `pred` every `interval` until it returns true or `timeout` passes.
template <typename Pred>
bool eventually(Pred pred, Millis timeout, Millis interval = Millis(100)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);
    }
}

// Helpers over a Rj and its hosts that most jobs tests need.
class JobsFixture {
public:
    explicit JobsFixture(const TestHosts& h) : hosts(h), rj(h) {}

    // `rj -b run ARGS...`: REQUIREs exit 0 and one id on stdout; returns it.
    int64_t run(const std::vector<std::string>& args, const std::string& cwd = "");
    // `rj -b show --json ID`, parsed (REQUIREs exit 0).
    Json show(int64_t id);
    // `rj -b list --json --limit 0 EXTRA... --no-sync` (the history, asking no host; no
    // --no-sync when EXTRA has --sync), parsed (REQUIREs exit 0).
    std::vector<Json> list(const std::vector<std::string>& extra = {});
    std::string status_of(int64_t id) { return show(id)["status"].str(); }
    // Syncs until job `id` leaves starting/running/pending/queued or `timeout` passes;
    // returns its `show --json` object either way.
    Json await_end(int64_t id, Millis timeout = Millis(30000));
    // Syncs until job `id` has status `want`; returns whether it got there.
    bool await_status(int64_t id, const std::string& want, Millis timeout = Millis(30000));
    // Runs `cmd` on host `name` as its user (system ssh); REQUIREs exit 0 unless `may_fail`.
    std::string on_host(const std::string& name, const std::string& cmd, bool may_fail = false);
    // Names of the rj-* tmux sessions of the host user.
    std::vector<std::string> sessions(const std::string& name);
    // The job's tmux session and its directory on its host (from `show --json`).
    std::string session_of(int64_t id);
    std::string job_dir_of(int64_t id);
    // How often job `id` was started on host `name`: the "start" lines for it
    // in the host's journals (rotated ones too).
    int starts_on_host(const std::string& name, int64_t id);
    // Job directory names (ids) on the host, in any client's directory.
    std::vector<std::string> job_dirs(const std::string& name);

    const TestHosts& hosts;
    Rj rj;
};

// The lines of `err` that are a sanitizer's report ("" when none). Every rj
// process the runner reaps is checked with it: a report fails the running
// test (FAIL_CHECK) whatever the test asserts about rj's status, so an
// -fsanitize build (tests/sanitize/run-sanitized) cannot pass over one.
std::string sanitizer_report_in(const std::string& err);

bool starts_with(std::string_view s, std::string_view prefix);
bool contains(std::string_view haystack, std::string_view needle);
std::vector<std::string> split_lines(const std::string& s);
// Asserts the batch-mode error form: stderr's first line starts with "rj: ",
// any further lines are indented hints; returns an empty string or what is wrong.
std::string error_form_problem(const std::string& err);

}  // namespace testing_support
