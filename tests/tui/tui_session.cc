#include "config.h"

#include "tui/tui_session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testing_support {

namespace {

std::atomic<int> g_sessions{0};

// Runs tmux with a UTF-8 locale so capture-pane keeps box drawing and symbols.
const char* kTmuxEnv = "LC_ALL=C.UTF-8 ";

}  // namespace

std::string TuiSession::rj_binary() {
    if (const char* b = std::getenv("RJ_BIN"); b && *b) return b;
#ifdef RJ_BUILDDIR
    return RJ_BUILDDIR "/rj";
#else
    return "./rj";
#endif
}

std::string rj_db_path(const TestHosts& hosts) { return hosts.home() + "/.local/share/rj/rj.db"; }
std::string rj_config_path(const TestHosts& hosts) { return hosts.home() + "/.config/rj/config"; }

void write_rj_config(const TestHosts& hosts, const std::string& text) {
    run_shell("mkdir -p " + shell_quote(hosts.home() + "/.config/rj"));
    std::ofstream(rj_config_path(hosts)) << text;
}

TuiSession::TuiSession(const TestHosts& hosts, const std::string& args, int cols, int rows, const std::string& env) {
    socket_ = "rj-tui-" + std::to_string(getpid()) + "-" + std::to_string(g_sessions++);
    target_ = "rj";
    // No status line: the pane gets the whole window, as a terminal would.
    std::string conf = hosts.dir() + "/tmux-" + socket_ + ".conf";
    std::ofstream(conf) << "set -g status off\nset -g default-terminal screen\nset -g escape-time 10\n";
    std::string inner = ". " + shell_quote(hosts.env_file()) + " && export LC_ALL=C.UTF-8 && " + env + " " +
                        shell_quote(rj_binary()) + " " + args + "; echo \"[rj exited $?]\"; sleep 3600";
    std::string cmd = std::string(kTmuxEnv) + "tmux -L " + socket_ + " -f " + shell_quote(conf) +
                      " new-session -d -s " + target_ + " -x " + std::to_string(cols) + " -y " +
                      std::to_string(rows) + " " + shell_quote("sh -c " + shell_quote(inner));
    std::string out;
    if (run_shell(cmd + " 2>&1", &out) != 0) throw std::runtime_error("cannot start tmux: " + out);
}

int TuiSession::rj_pid() const {
    std::string pane;
    if (tmux("list-panes -t " + target_ + " -F '#{pane_pid}'", &pane) != 0 || pane.empty()) return -1;
    std::string out;
    // The pane runs `sh -c '... rj ARGS; echo ...'`: rj is its only child.
    if (run_shell("pgrep -P " + std::to_string(std::stoi(pane)) + " -x rj", &out) != 0 || out.empty()) return -1;
    return std::stoi(out);
}

TuiSession::~TuiSession() { tmux("kill-server"); }

int TuiSession::tmux(const std::string& args, std::string* out) const {
    return run_shell(std::string(kTmuxEnv) + "tmux -u -L " + socket_ + " " + args + " 2>/dev/null", out);
}

std::string TuiSession::screen() const {
    std::string out;
    tmux("capture-pane -p -t " + target_, &out);
    last_ = out;
    return out;
}

std::string TuiSession::screen_with_attributes() const {
    std::string out;
    tmux("capture-pane -e -p -t " + target_, &out);
    return out;
}

std::string TuiSession::pane_format(const std::string& format) const {
    std::string out;
    tmux("display-message -p -t " + target_ + " " + shell_quote(format), &out);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::vector<std::string> TuiSession::lines() const {
    std::vector<std::string> v;
    std::istringstream in(screen());
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

bool TuiSession::wait_until(const std::function<bool(const std::string&)>& pred, double seconds) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        if (pred(screen())) return true;
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

bool TuiSession::wait_for(const std::string& text, double seconds) const {
    return wait_until([&](const std::string& s) { return s.find(text) != std::string::npos; }, seconds);
}

void TuiSession::keys(const std::string& names) const { tmux("send-keys -t " + target_ + " " + names); }

void TuiSession::type(const std::string& text) const { tmux("send-keys -t " + target_ + " -l " + shell_quote(text)); }

void TuiSession::resize(int cols, int rows) const {
    tmux("resize-window -t " + target_ + " -x " + std::to_string(cols) + " -y " + std::to_string(rows));
}

int TuiSession::exit_status() const {
    std::string s = screen();
    auto p = s.find("[rj exited ");
    if (p == std::string::npos) return -1;
    return std::atoi(s.c_str() + p + 11);
}

bool TuiSession::bell_rang() const {
    std::string out;
    if (tmux("display-message -p -t " + target_ + " '#{window_bell_flag}'", &out) != 0) return false;
    return out.rfind("1", 0) == 0;
}

int TuiSession::quit(double seconds) const {
    if (int status = exit_status(); status >= 0) return status;
    auto exited = [&](const std::string&) { return exit_status() >= 0; };
    // Up to three rounds: each Escape closes one overlay (a dialog may sit
    // behind another), then the quit key.
    for (int round = 0; round < 3; ++round) {
        keys("Escape");
        keys("F10");
        if (wait_until(exited, seconds / 3)) return exit_status();
    }
    return -1;
}

std::string screen_line(const std::string& screen, const std::string& needle) {
    std::istringstream in(screen);
    for (std::string l; std::getline(in, l);)
        if (l.find(needle) != std::string::npos) return l;
    return "";
}

size_t columns(const std::string& line) {
    size_t n = 0;
    for (unsigned char c : line)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::vector<std::string> man_interactive_keys(const std::string& man_path) {
    std::ifstream in(man_path);
    if (!in) throw std::runtime_error("cannot read " + man_path);
    std::vector<std::string> keys;
    bool inside = false, after_tp = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(".\\\" BEGIN INTERACTIVE", 0) == 0) inside = true;
        else if (line.rfind(".\\\" END INTERACTIVE", 0) == 0) break;
        if (!inside) continue;
        if (line == ".TP") {
            after_tp = true;
            continue;
        }
        if (after_tp && line.rfind(".B ", 0) == 0) {
            std::string k = line.substr(3);
            if (k.size() >= 2 && k.front() == '"' && k.back() == '"') k = k.substr(1, k.size() - 2);
            keys.push_back(k);
        }
        after_tp = false;
    }
    return keys;
}

}  // namespace testing_support
