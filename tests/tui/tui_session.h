// Drives the real rj binary inside a private tmux server for the TUI tests:
// keys go in with send-keys, the screen comes back with capture-pane, and
// expectations are polled with a timeout (never a fixed sleep).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/test_hosts.h"

namespace testing_support {

class TuiSession {
public:
    // Starts `rj ARGS` in a cols x rows tmux window with the hosts' HOME and
    // ssh config; `env` is prepended to the command (e.g. "NO_COLOR=1").
    TuiSession(const TestHosts& hosts, const std::string& args = "", int cols = 100, int rows = 30,
               const std::string& env = "");
    ~TuiSession();
    TuiSession(const TuiSession&) = delete;
    TuiSession& operator=(const TuiSession&) = delete;

    // The screen as text, one line per row (trailing blanks trimmed by tmux).
    std::string screen() const;
    std::vector<std::string> lines() const;
    // The screen with tmux's escape sequences for colours and attributes
    // (capture-pane -e): what NO_COLOR and `color` change.
    std::string screen_with_attributes() const;
    // A tmux format expanded for the pane ("#{mouse_any_flag}": whether the
    // program turned mouse reporting on).
    std::string pane_format(const std::string& format) const;
    // Polls the screen until `text` is on it; false after `seconds`.
    bool wait_for(const std::string& text, double seconds = 15) const;
    bool wait_until(const std::function<bool(const std::string&)>& pred, double seconds = 15) const;
    // tmux key names ("Enter", "Tab", "F9", "Escape", "BTab") or single characters.
    void keys(const std::string& names) const;
    // Literal text.
    void type(const std::string& text) const;
    void resize(int cols, int rows) const;
    // The pid of the rj process in the window (the pane's shell's child),
    // or -1 when it is not running.
    int rj_pid() const;
    // rj's exit status once it has exited, else -1.
    int exit_status() const;
    // Whether rj rang the terminal bell since the session started (tmux's
    // bell flag of the window, set because no client is attached).
    bool bell_rang() const;
    // Quits rj with its key, as a user would (Escape closes a dialog, form,
    // search or help; then F10), and returns its exit status: 0 for a clean
    // quit; a sanitizer's report makes it non-zero (tests/sanitize/README.md);
    // -1 when rj did not exit within `seconds`. Every TUI test ends with
    // CHECK(ui.quit() == 0).
    int quit(double seconds = 20) const;

    // The last screen polled (for failure messages).
    const std::string& last_screen() const { return last_; }

    static std::string rj_binary();

private:
    int tmux(const std::string& args, std::string* out = nullptr) const;
    std::string socket_;
    std::string target_;
    mutable std::string last_;
};

// The first line of a captured screen that contains `needle` ("" when none).
std::string screen_line(const std::string& screen, const std::string& needle);

// Display columns of a UTF-8 line (every code point counts one: the UI draws
// no wide characters).
size_t columns(const std::string& line);

// The keys the man page's INTERACTIVE COMMANDS section lists, one entry per
// .TP item, as written there ("k, F9").
std::vector<std::string> man_interactive_keys(const std::string& man_path);

// rj's database and config file under the test HOME.
std::string rj_db_path(const TestHosts& hosts);
std::string rj_config_path(const TestHosts& hosts);
// Writes rj's config file (short intervals keep the tests quick).
void write_rj_config(const TestHosts& hosts, const std::string& text);

}  // namespace testing_support
