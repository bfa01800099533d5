#include "config.h"

#include "unit/test_remote_support.h"
#include "precondition.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rjtest {
namespace {

bool executable(const std::string& p) { return ::access(p.c_str(), X_OK) == 0; }

std::string which(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/bin:/bin";
    size_t pos = 0;
    while (pos <= p.size()) {
        size_t c = p.find(':', pos);
        std::string dir = p.substr(pos, c == std::string::npos ? std::string::npos : c - pos);
        if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
        if (c == std::string::npos) break;
        pos = c + 1;
    }
    return {};
}

}  // namespace

double now_s() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

const std::vector<Shell>& shells() {
    static std::vector<std::string> missing;
    static const std::vector<Shell> list = [] {
        std::vector<Shell> v;
        for (const char* n : {"dash", "bash", "busybox"}) {
            std::string p = which(n);
            if (!p.empty()) v.push_back({n, p});
            else missing.push_back(n);
        }
        return v;
    }();
    // Portability is the point of these tests: a missing shell is not a pass.
    for (const auto& n : missing) testing_support::precondition(false, "the remote scripts are tested under " + n);
    return list;
}

const std::vector<Shell>& all_shells() {
    static const std::vector<Shell> list = [] {
        std::vector<Shell> v = shells();
        std::string bash = which("bash");
        if (!bash.empty()) v.push_back({"bash-not-posix", bash, "bash"});
        return v;
    }();
    return list;
}

bool pid_alive(int64_t pid) {
    if (pid <= 1) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0) return false;
    // A zombie counts as gone.
    std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(st, line);
    size_t rp = line.rfind(')');
    return !(rp != std::string::npos && rp + 2 < line.size() && line[rp + 2] == 'Z');
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& data) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << data;
}

void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

Sandbox::Sandbox(const Shell& shell) {
    // A script that exits before reading all of its stdin must not kill the tests.
    ::signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/rjt.XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    root = tmpl;
    home = root + "/ho me";  // a space, as in "/Users/Jane Doe"
    tmux_dir = root + "/tmux";
    bin = root + "/bin";
    for (const auto& d : {home, tmux_dir, bin}) ::mkdir(d.c_str(), 0700);
    sh_path = bin + "/" + shell.link;
    if (::symlink(shell.target.c_str(), sh_path.c_str()) != 0)
        throw std::runtime_error("symlink failed");
    const char* p = std::getenv("PATH");
    path = bin + ":" + (p ? p : "/usr/bin:/bin");
}

Sandbox::~Sandbox() {
    try {
        shutdown(5);
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    } catch (...) {
    }
}

std::vector<RunResult> Sandbox::run_many(const std::vector<std::string>& scripts,
                                        int parallel) const {
    std::vector<RunResult> results(scripts.size());
    std::atomic<size_t> next{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < parallel; ++w)
        workers.emplace_back([&] {
            for (size_t i = next++; i < scripts.size(); i = next++) results[i] = run(scripts[i]);
        });
    for (auto& t : workers) t.join();
    return results;
}

RunResult Sandbox::run(const std::string& script, double timeout_s) const {
    int in[2], out[2], err[2];
    if (::pipe(in) || ::pipe(out) || ::pipe(err)) throw std::runtime_error("pipe failed");
    std::vector<std::string> env = {"HOME=" + home, "TMUX_TMPDIR=" + tmux_dir, "PATH=" + path,
                                    "LANG=C.UTF-8", "USER=rjtest", "LOGNAME=rjtest"};
    for (const auto& [k, v] : extra_env) env.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string sh = sh_path;
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
        if (::chdir(home.c_str()) != 0) ::_exit(126);
        char* argv[] = {sh.data(), const_cast<char*>("-s"), nullptr};
        ::execve(sh.c_str(), argv, envp.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    ::fcntl(in[1], F_SETFL, O_NONBLOCK);
    RunResult r;
    size_t written = 0;
    int fds[3] = {in[1], out[0], err[0]};
    double deadline = now_s() + timeout_s;
    bool killed = false;
    if (script.empty()) {
        ::close(in[1]);
        fds[0] = -1;
    }
    while (fds[1] >= 0 || fds[2] >= 0) {
        pollfd pf[3];
        int n = 0;
        int map[3];
        if (fds[0] >= 0) { pf[n] = {fds[0], POLLOUT, 0}; map[n++] = 0; }
        if (fds[1] >= 0) { pf[n] = {fds[1], POLLIN, 0}; map[n++] = 1; }
        if (fds[2] >= 0) { pf[n] = {fds[2], POLLIN, 0}; map[n++] = 2; }
        double left = deadline - now_s();
        if (left <= 0) {
            if (!killed) ::kill(-pid, SIGKILL);
            killed = true;
            left = 1;
        }
        int rc = ::poll(pf, n, static_cast<int>(left * 1000) + 1);
        if (rc < 0 && errno == EINTR) continue;
        for (int i = 0; i < n; ++i) {
            if (!pf[i].revents) continue;
            int which_fd = map[i];
            if (which_fd == 0) {
                ssize_t w = ::write(fds[0], script.data() + written, script.size() - written);
                if (w > 0) written += static_cast<size_t>(w);
                if (w < 0 && errno != EAGAIN) written = script.size();
                if (written >= script.size()) {
                    ::close(fds[0]);
                    fds[0] = -1;
                }
            } else {
                char buf[65536];
                ssize_t got = ::read(fds[which_fd], buf, sizeof buf);
                if (got > 0) {
                    (which_fd == 1 ? r.out : r.err).append(buf, static_cast<size_t>(got));
                } else if (got == 0 || errno != EINTR) {
                    ::close(fds[which_fd]);
                    fds[which_fd] = -1;
                }
            }
        }
    }
    if (fds[0] >= 0) ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (killed) r.err += "\n[test harness: script timed out and was killed]";
    return r;
}

RunResult Sandbox::sh(const std::string& command_line) const { return run(command_line + "\n"); }

std::string Sandbox::job_dir(int64_t id) const {
    return home + "/.cache/rj/jobs/" + std::to_string(id);
}

remote::JobSpec Sandbox::spec(int64_t id, const std::string& command) const {
    remote::JobSpec s;
    s.id = id;
    s.command = command;
    s.workdir = "~";
    s.kill_grace_s = 1;
    s.wrapper_shell = sh_path;
    return s;
}

remote::SubmitReply Sandbox::submit(const remote::JobSpec& spec) const {
    RunResult r = run(remote::submit_script(spec));
    if (r.status != 0)
        throw std::runtime_error("submit script failed: " + r.err + r.out);
    return remote::parse_submit(r.out);
}

remote::SyncReply Sandbox::sync(const std::vector<int64_t>& ids, int64_t offset) const {
    RunResult r = run(remote::sync_script(remote::kDefaultRjDir, offset, ids));
    if (r.status != 0) throw std::runtime_error("sync script failed: " + r.err + r.out);
    return remote::parse_sync(r.out);
}

remote::JobFacts Sandbox::wait_end(int64_t id, double timeout_s, bool sync_after) const {
    double deadline = now_s() + timeout_s;
    while (true) {
        // The exit record appears when the job ended; cheaper than a sync.
        if (::access((job_dir(id) + "/exit").c_str(), F_OK) == 0 || now_s() > deadline)
            return sync_after ? sync({id}).jobs[id] : remote::JobFacts{};
        sleep_s(0.02);
    }
}

remote::JobFacts Sandbox::wait_started(int64_t id, double timeout_s) const {
    double deadline = now_s() + timeout_s;
    while (true) {
        if (::access((job_dir(id) + "/started").c_str(), F_OK) == 0 || now_s() > deadline)
            return sync({id}).jobs[id];
        sleep_s(0.02);
    }
}

std::vector<int> Sandbox::leftover_pids() const {
    std::vector<int> pids;
    std::string needle = "TMUX_TMPDIR=" + tmux_dir;
    needle.push_back('\0');
    DIR* d = ::opendir("/proc");
    if (!d) return pids;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (!end || *end || pid <= 1 || pid == ::getpid()) continue;
        std::string env = read_file("/proc/" + std::string(e->d_name) + "/environ");
        if (env.find(needle) != std::string::npos && pid_alive(pid)) pids.push_back(static_cast<int>(pid));
    }
    ::closedir(d);
    return pids;
}

bool Sandbox::shutdown(double timeout_s) {
    if (shut_) return true;
    shut_ = true;
    run("tmux kill-server >/dev/null 2>&1\n", 10);
    double deadline = now_s() + timeout_s;
    while (now_s() < deadline) {
        if (leftover_pids().empty()) return true;
        sleep_s(0.05);
    }
    for (int pid : leftover_pids()) ::kill(pid, SIGKILL);
    return false;
}

}  // namespace rjtest
