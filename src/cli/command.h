// A batch command as a declared spec (after tmux's cmd_entry): its name,
// usage, options and run function live together in one cmd_*.cc file, and
// commands.cc lists them all in one table.
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace cli {

namespace po = boost::program_options;

struct Context {
    engine::Engine& engine;
    std::ostream& out;
    std::ostream& err;
    bool out_is_tty = false;
    int width = 80;  // terminal width for tables
    bool raw_log = false;  // log --raw: a job's bytes to the terminal unfiltered
    util::TerminalLogFilter log_filter;
    // A job's output: unchanged into a pipe or file (or with --raw); on a
    // terminal only text, newlines, tabs and colours pass (a job, or a
    // hostile host, cannot drive the user's terminal).
    void write_log(std::string_view text);
    // Run the loop until the engine has nothing in flight (or deadline).
    void wait_idle(event::TimePoint deadline = event::TimePoint::max());
};

struct Command {
    const char* name;
    const char* args;     // "HOST CMD..." for usage lines
    const char* summary;  // one line for `rj -b help`
    const char* details;  // paragraph for `rj -b help NAME` (may be "")
    // Declare the options and positionals of this command.
    void (*declare)(po::options_description& opts, po::options_description& hidden,
                    po::positional_options_description& positional);
    // Run; returns the exit status.
    int (*run)(Context& ctx, const po::variables_map& vm);
    // After this many positionals every remaining word is taken verbatim
    // (so `rj -b run HOST ls -la` passes -la to ls). 0: no such cut.
    int verbatim_after = 0;
};

// How long a batch command waits for one engine operation. Each operation
// has its own limits (ConnectTimeout, every script's timeout); this is the
// backstop that turns a lost answer into an error instead of a hang.
inline constexpr event::Duration kAwaitDeadline = std::chrono::minutes(10);

// Runs the loop until `done` (answers counted by the caller's callbacks);
// util::Error naming `what` when the deadline passes first. The callbacks
// must not outlive the command: batch mode never runs the loop after a
// command threw.
void wait_for(Context& ctx, const std::string& what, const std::function<bool()>& done,
              event::Duration deadline = kAwaitDeadline);

// Starts an asynchronous engine operation (`start` receives the callback)
// and runs the loop until it answers; util::Error naming `what` when the
// deadline passes first. The answer may still arrive later: it then lands
// in shared state, never in this returned frame.
template <typename Result, typename Start>
Result await(Context& ctx, const std::string& what, Start start, event::Duration deadline = kAwaitDeadline) {
    auto answer = std::make_shared<std::optional<Result>>();
    start([answer](Result r) { *answer = std::move(r); });
    wait_for(ctx, what, [&] { return answer->has_value(); }, deadline);
    return std::move(**answer);
}

const std::vector<Command>& commands();
const Command* find_command(const std::string& name);

// Print "rj: MESSAGE" and an indented hint to stderr.
void print_error(std::ostream& err, const std::string& message, const std::string& hint = {});

}  // namespace cli
