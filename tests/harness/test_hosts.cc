// RAII wrapper around tests/harness/testhosts; see test_hosts.h.
#include "config.h"

#include "harness/test_hosts.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#ifndef RJ_SRCDIR
#error "RJ_SRCDIR must name the top source directory"
#endif

namespace testing_support {

int run_shell(const std::string& cmd, std::string* out) {
    if (out)
        out->clear();
    // Flush our own buffered output first, or the child's lands before it.
    std::fflush(nullptr);
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe)
        throw std::runtime_error("popen failed for: " + cmd);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
        if (out)
            out->append(buf, n);
    int status = pclose(pipe);
    if (status == -1)
        return -1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

bool TestHosts::is_root() { return geteuid() == 0; }

std::string TestHosts::script() { return RJ_SRCDIR "/tests/harness/testhosts"; }

TestHosts::TestHosts(const std::vector<std::string>& names, Mode mode, const std::string& setenv) : names_(names) {
    char tmpl[] = "/tmp/rj-testhosts-XXXXXX";
    if (!mkdtemp(tmpl))
        throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;

    std::string args = mode == Mode::CurrentUser ? "up --self " : "up ";
    args += shell_quote(dir_);
    for (const auto& name : names)
        args += " " + shell_quote(name);
    // With an owner, a later run brings these hosts down if this process crashes.
    std::string out;
    std::string cmd = (setenv.empty() ? "" : "TESTHOSTS_SETENV=" + shell_quote(setenv) + " ") +
                      "TESTHOSTS_OWNER_PID=" + std::to_string(getpid()) + " " +
                      shell_quote(script()) + " " + args + " 2>&1";
    if (run_shell(cmd, &out) != 0) {
        command("down");
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        throw std::runtime_error("testhosts up failed:\n" + out);
    }

    // hosts.tsv: NAME ADDR PORT USER PID (the note printed in fallback mode is
    // mixed in above, so read the file rather than the output).
    std::string tsv;
    run_shell("cat " + shell_quote(dir_ + "/hosts.tsv"), &tsv);
    std::istringstream lines(tsv);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string name, pid;
        Host h;
        if (fields >> name >> h.address >> h.port >> h.user >> pid)
            hosts_[name] = h;
    }
    for (const auto& name : names)
        if (!hosts_.count(name))
            throw std::runtime_error("testhosts: host " + name + " missing from hosts.tsv");
}

TestHosts::~TestHosts() {
    command("down");
    if (std::getenv("RJ_KEEP_TESTHOSTS")) {
        std::fprintf(stderr, "testhosts: kept %s\n", dir_.c_str());
        return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

int TestHosts::command(const std::string& args, std::string* out) const {
    std::string cmd = shell_quote(script()) + " ";
    // Insert DIR after the subcommand: `testhosts SUB DIR REST...`.
    auto space = args.find(' ');
    std::string sub = args.substr(0, space);
    std::string rest = space == std::string::npos ? "" : args.substr(space);
    cmd += sub + " " + shell_quote(dir_) + rest + " 2>&1";
    return run_shell(cmd, out);
}

void TestHosts::command_or_throw(const std::string& args, std::string* out) const {
    std::string output;
    int status = command(args, &output);
    if (status != 0)
        throw std::runtime_error("testhosts " + args + " failed (" + std::to_string(status) +
                                 "):\n" + output);
    if (out)
        *out = output;
}

const TestHosts::Host& TestHosts::host(const std::string& name) const {
    auto it = hosts_.find(name);
    if (it == hosts_.end())
        throw std::out_of_range("no test host named " + name);
    return it->second;
}

const std::string& TestHosts::address(const std::string& name) const { return host(name).address; }
int TestHosts::port(const std::string& name) const { return host(name).port; }
const std::string& TestHosts::user(const std::string& name) const { return host(name).user; }

std::string TestHosts::sshd_log(const std::string& name) const {
    host(name);
    return dir_ + "/hosts/" + name + "/sshd.log";
}

std::string TestHosts::sshd_log_tails(size_t lines) const {
    std::string all;
    for (const auto& name : names_) {
        std::ifstream in(sshd_log(name));
        std::deque<std::string> tail;
        for (std::string line; std::getline(in, line);) {
            tail.push_back(line);
            if (tail.size() > lines) tail.pop_front();
        }
        all += "--- sshd log of " + name + " (last " + std::to_string(tail.size()) + " lines) ---\n";
        for (const auto& line : tail) all += line + "\n";
    }
    return all;
}

std::string TestHosts::with_env(const std::string& cmd) const {
    return ". " + shell_quote(env_file()) + " && " + cmd;
}

int TestHosts::ssh(const std::string& name, const std::string& remote_cmd, std::string* out,
                   const std::string& ssh_options) const {
    std::string cmd = "HOME=" + shell_quote(home()) + " /usr/bin/ssh -F " +
                      shell_quote(ssh_config()) + " -o BatchMode=yes " + ssh_options + " " +
                      shell_quote(name) + " " + shell_quote(remote_cmd) + " 2>&1 </dev/null";
    return run_shell(cmd, out);
}

void TestHosts::stop(const std::string& name) { command_or_throw("stop " + shell_quote(name)); }
void TestHosts::start(const std::string& name) { command_or_throw("start " + shell_quote(name)); }
void TestHosts::unblackhole(const std::string& name) {
    command_or_throw("unblackhole " + shell_quote(name));
}
void TestHosts::rekey(const std::string& name) { command_or_throw("rekey " + shell_quote(name)); }
void TestHosts::forget(const std::string& name) { command_or_throw("forget " + shell_quote(name)); }
void TestHosts::trust(const std::string& name) { command_or_throw("trust " + shell_quote(name)); }
void TestHosts::add_rsa_client() { command_or_throw("add-rsa-client"); }
std::string TestHosts::add_passphrase_client(const std::string& passphrase) {
    command_or_throw("add-passphrase-client " + shell_quote(passphrase));
    return home() + "/.ssh/id_pass";
}

bool TestHosts::blackhole(const std::string& name) {
    std::string out;
    int status = command("blackhole " + shell_quote(name), &out);
    if (status == 77)  // the script's "skipped": not root or no iptables
        return false;
    if (status != 0)
        throw std::runtime_error("testhosts blackhole " + name + " failed:\n" + out);
    return true;
}

void TestHosts::setenv(const std::string& name, const std::string& words) {
    // Split here so the script sees one argument per word.
    std::istringstream in(words);
    std::string args = "setenv " + shell_quote(name);
    for (std::string w; in >> w;) args += " " + shell_quote(w);
    command_or_throw(args);
}

void TestHosts::sshd_option(const std::string& name, const std::string& line) {
    command_or_throw("sshd-option " + shell_quote(name) + (line.empty() ? "" : " " + shell_quote(line)));
}

int TestHosts::proxy(const std::string& name, int delay_ms) {
    std::string out;
    command_or_throw("proxy " + shell_quote(name) + " " + std::to_string(delay_ms), &out);
    std::istringstream words(out);
    std::string address;
    int proxy_port = 0;
    if (!(words >> address >> proxy_port))
        throw std::runtime_error("testhosts proxy printed no port: " + out);
    return proxy_port;
}

}  // namespace testing_support
