// Runs the rj binary for the jobs integration tests; see rj_runner.h.
#include "config.h"

#include "integration/rj_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef RJ_BUILDDIR
#error "RJ_BUILDDIR must name the top build directory"
#endif

extern char** environ;

namespace testing_support {

namespace {

using Clock = std::chrono::steady_clock;

std::string clip(const std::string& s, size_t max = 2000) {
    if (s.size() <= max) return s;
    return s.substr(0, max / 2) + "\n[... " + std::to_string(s.size() - max) + " bytes ...]\n" +
           s.substr(s.size() - max / 2);
}

// The environment that `. FILE` leaves, read with `env -0` so any byte survives.
std::vector<std::string> environment_of(const std::string& env_file) {
    std::string out;
    int status = run_shell(". " + shell_quote(env_file) + " && exec env -0", &out);
    if (status != 0) throw std::runtime_error("cannot source " + env_file);
    std::vector<std::string> env;
    size_t start = 0;
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\0') {
            if (i > start) env.push_back(out.substr(start, i - start));
            start = i + 1;
        }
    }
    return env;
}

// Catch2 assertions belong to the test's own thread; reports found by a
// helper thread (batch_all run beside a UI) wait here for the next check on
// the test's thread.
const std::thread::id g_test_thread = std::this_thread::get_id();
std::mutex g_pending_mutex;
std::vector<std::string> g_pending_reports;

void fail_on_sanitizer_reports(const RjResult* r) {
    std::vector<std::string> reports;
    if (r && !r->sanitizer_report.empty())
        reports.push_back("pid " + std::to_string(r->pid) + ":\n" + r->sanitizer_report + "\n--- its stderr ---\n" +
                          clip(r->err, 8000));
    bool on_test_thread = std::this_thread::get_id() == g_test_thread;
    std::lock_guard<std::mutex> lock(g_pending_mutex);
    if (!on_test_thread) {
        g_pending_reports.insert(g_pending_reports.end(), reports.begin(), reports.end());
        return;
    }
    reports.insert(reports.begin(), g_pending_reports.begin(), g_pending_reports.end());
    g_pending_reports.clear();
    for (const auto& report : reports) FAIL_CHECK("rj printed a sanitizer report (see tests/sanitize/README.md)\n" << report);
}

}  // namespace

std::string sanitizer_report_in(const std::string& err) {
    std::string report;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);) {
        bool summary = line.find("SUMMARY: ") != std::string::npos && line.find("Sanitizer") != std::string::npos;
        bool error = line.find("ERROR: ") != std::string::npos && line.find("Sanitizer") != std::string::npos;
        if (summary || error || line.find(": runtime error: ") != std::string::npos) report += line + "\n";
    }
    return report;
}

std::string RjResult::describe() const {
    std::ostringstream s;
    if (!command.empty()) s << command << "\n";
    s << "status=" << status << (timed_out ? " (timed out)" : "") << " in " << seconds << "s\n--- stdout ---\n"
      << clip(out) << "\n--- stderr ---\n"
      << clip(err);
    if (!trace.empty()) s << "\n--- rj's ssh trace ---\n" << clip(trace, 6000);
    if (!host_logs.empty()) s << "\n" << host_logs;
    return s.str();
}

RjProcess::RjProcess(pid_t pid, int out_fd, int err_fd)
    : pid_(pid), out_fd_(out_fd), err_fd_(err_fd), started_(Clock::now()) {}

RjProcess::RjProcess(RjProcess&& other) noexcept
    : pid_(other.pid_), out_fd_(other.out_fd_), err_fd_(other.err_fd_), reaped_(other.reaped_),
      started_(other.started_), result_(std::move(other.result_)) {
    other.pid_ = -1;
    other.out_fd_ = other.err_fd_ = -1;
    other.reaped_ = true;
}

RjProcess::~RjProcess() {
    if (!reaped_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        int st;
        waitpid(pid_, &st, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
}

bool RjProcess::pump(Millis wait) {
    struct pollfd fds[2];
    int n = 0;
    if (out_fd_ >= 0) fds[n++] = {out_fd_, POLLIN, 0};
    if (err_fd_ >= 0) fds[n++] = {err_fd_, POLLIN, 0};
    if (n == 0) return false;
    int r = ::poll(fds, n, static_cast<int>(wait.count()));
    if (r < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    if (r <= 0) return true;
    for (int i = 0; i < n; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buf[65536];
        ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        bool is_out = fds[i].fd == out_fd_;
        if (got <= 0) {
            close(fds[i].fd);
            (is_out ? out_fd_ : err_fd_) = -1;
        } else {
            (is_out ? result_.out : result_.err).append(buf, static_cast<size_t>(got));
        }
    }
    return out_fd_ >= 0 || err_fd_ >= 0;
}

bool RjProcess::read_until(const std::function<bool(const std::string&, const std::string&)>& pred,
                           Millis timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (pred(result_.out, result_.err)) return true;
        auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        if (!pump(std::min(left, Millis(50)))) return pred(result_.out, result_.err);
    }
}

bool RjProcess::finished() const {
    if (reaped_) return true;
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
    return info.si_pid == pid_;
}

void RjProcess::signal(int sig) {
    if (!reaped_ && pid_ > 0) kill(pid_, sig);
}

RjResult RjProcess::wait(Millis timeout) {
    if (reaped_) return result_;
    auto deadline = Clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
        if (left.count() <= 0) {
            result_.timed_out = true;
            kill(pid_, SIGKILL);
            break;
        }
        if (!pump(std::min(left, Millis(100)))) break;
    }
    // Both pipes are closed (or we gave up): the process has exited or is about to.
    int st = 0;
    struct rusage usage {};
    while (wait4(pid_, &st, 0, &usage) < 0 && errno == EINTR) {
    }
    result_.max_rss_kib = usage.ru_maxrss;
    result_.pid = static_cast<int>(pid_);
    reaped_ = true;
    // Output written just before exit, if a pipe is still open.
    while (pump(Millis(0))) {
    }
    result_.status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    result_.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    result_.sanitizer_report = sanitizer_report_in(result_.err);
    fail_on_sanitizer_reports(&result_);
    return result_;
}

Rj::Rj(const TestHosts& hosts) : hosts_(&hosts), env_(environment_of(hosts.env_file())), db_(hosts.dir() + "/rj.db"), home_(hosts.home()) {
    set_env("RJ_DB", db_);
    set_env("RJ_TRACE_FILE", hosts.dir() + "/rj-trace.log");
}

std::string Rj::binary() {
    const char* bin = std::getenv("RJ_BIN");
    return bin && *bin ? bin : RJ_BUILDDIR "/rj";
}

void Rj::set_env(const std::string& name, const std::string& value) {
    std::string prefix = name + "=";
    for (auto& e : env_) {
        if (e.compare(0, prefix.size(), prefix) == 0) {
            e = prefix + value;
            return;
        }
    }
    env_.push_back(prefix + value);
}

RjProcess Rj::spawn(const std::vector<std::string>& args, const std::string& cwd) const {
    std::vector<std::string> argv_s{binary(), "-b"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env_) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    std::string dir = cwd.empty() ? home_ : cwd;

    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        if (chdir(dir.c_str()) != 0) _exit(126);
        signal(SIGPIPE, SIG_DFL);
        // A `make` elsewhere in the tree may be relinking rj right now
        // (busy, missing or half written): try again for a while.
        for (int tries = 0; tries < 100; ++tries) {
            execve(argv[0], argv.data(), envp.data());
            if (errno != ETXTBSY && errno != ENOENT && errno != ENOEXEC && errno != EACCES) break;
            usleep(100 * 1000);
        }
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    return RjProcess(pid, out[0], err[0]);
}

void Rj::annotate(const std::vector<std::string>& args, RjResult& r) const {
    r.command = "rj -b";
    for (const auto& a : args) r.command += " " + shell_quote(a);
    // Only where it can help: a failure (the tails cost a few file reads).
    if (r.status != 0) {
        r.host_logs = hosts_->sshd_log_tails();
        std::ifstream in(hosts_->dir() + "/rj-trace.log");
        std::string mine = "pid=" + std::to_string(r.pid) + " ";
        for (std::string line; std::getline(in, line);)
            if (line.compare(0, mine.size(), mine) == 0) r.trace += line + "\n";
    }
}

std::string Rj::trace_of(pid_t pid) const {
    std::ifstream in(hosts_->dir() + "/rj-trace.log");
    std::string mine = "pid=" + std::to_string(pid) + " ", lines;
    for (std::string line; std::getline(in, line);)
        if (line.compare(0, mine.size(), mine) == 0) lines += line + "\n";
    return lines;
}

RjResult Rj::batch(const std::vector<std::string>& args, Millis timeout, const std::string& cwd) const {
    RjProcess p = spawn(args, cwd);
    RjResult r = p.wait(timeout);
    annotate(args, r);
    UNSCOPED_INFO(r.describe());
    return r;
}

std::vector<RjResult> Rj::batch_all(const std::vector<std::vector<std::string>>& commands, size_t parallel,
                                    Millis timeout) const {
    std::vector<RjResult> results(commands.size());
    std::deque<std::pair<size_t, RjProcess>> running;
    size_t next = 0;
    while (next < commands.size() || !running.empty()) {
        while (next < commands.size() && running.size() < std::max<size_t>(parallel, 1)) {
            running.emplace_back(next, spawn(commands[next]));
            ++next;
        }
        // Drain the oldest; the others keep running meanwhile.
        results[running.front().first] = running.front().second.wait(timeout);
        running.pop_front();
    }
    for (size_t i = 0; i < commands.size(); ++i) {
        annotate(commands[i], results[i]);
        if (results[i].status != 0) UNSCOPED_INFO(results[i].describe());
    }
    return results;
}

// ---- JSON ----

namespace {

class JsonReader {
public:
    explicit JsonReader(std::string_view s) : s_(s) {}

    Json document() {
        Json v = value();
        space();
        if (i_ != s_.size()) fail("trailing characters");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw std::runtime_error("bad JSON at byte " + std::to_string(i_) + ": " + why + " in: " +
                                 clip(std::string(s_), 400));
    }
    void space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }
    char peek() {
        space();
        if (i_ >= s_.size()) fail("unexpected end");
        return s_[i_];
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++i_;
    }
    void literal(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) fail("bad literal");
        i_ += word.size();
    }
    Json value() {
        Json v;
        char c = peek();
        if (c == '{') {
            v.type = Json::Type::Object;
            ++i_;
            if (peek() == '}') {
                ++i_;
                return v;
            }
            for (;;) {
                if (peek() != '"') fail("expected a key");
                std::string key = string();
                expect(':');
                v.members.emplace_back(std::move(key), value());
                if (peek() == ',') {
                    ++i_;
                    continue;
                }
                expect('}');
                return v;
            }
        }
        if (c == '[') {
            v.type = Json::Type::Array;
            ++i_;
            if (peek() == ']') {
                ++i_;
                return v;
            }
            for (;;) {
                v.items.push_back(value());
                if (peek() == ',') {
                    ++i_;
                    continue;
                }
                expect(']');
                return v;
            }
        }
        if (c == '"') {
            v.type = Json::Type::String;
            v.text = string();
            return v;
        }
        if (c == 't' || c == 'f') {
            v.type = Json::Type::Bool;
            v.boolean = c == 't';
            literal(c == 't' ? "true" : "false");
            return v;
        }
        if (c == 'n') {
            literal("null");
            return v;
        }
        v.type = Json::Type::Number;
        size_t start = i_;
        if (s_[i_] == '-') ++i_;
        auto digits = [&] {
            size_t d = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            if (i_ == d) fail("expected digits");
        };
        if (i_ < s_.size() && s_[i_] == '0')
            ++i_;
        else
            digits();
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            digits();
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            digits();
        }
        v.text = std::string(s_.substr(start, i_ - start));
        return v;
    }
    unsigned hex4() {
        if (i_ + 4 > s_.size()) fail("short \\u escape");
        unsigned v = 0;
        for (int k = 0; k < 4; ++k) {
            char h = s_[i_++];
            v <<= 4;
            if (h >= '0' && h <= '9')
                v |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
                v |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                v |= static_cast<unsigned>(h - 'A' + 10);
            else
                fail("bad hex digit");
        }
        return v;
    }
    static void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    // Length of the well-formed UTF-8 sequence at i_ (RFC 3629), or 0.
    size_t utf8_at() const {
        auto b = [&](size_t k) { return i_ + k < s_.size() ? static_cast<unsigned char>(s_[i_ + k]) : 0u; };
        unsigned c = b(0);
        auto cont = [&](size_t k) { return (b(k) & 0xC0) == 0x80; };
        if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
        if (c >= 0xE0 && c <= 0xEF) {
            unsigned c1 = b(1);
            if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
            if (c == 0xED && c1 > 0x9F) return 0;  // surrogate
            return cont(1) && cont(2) ? 3 : 0;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            unsigned c1 = b(1);
            if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
            if (c == 0xF4 && c1 > 0x8F) return 0;  // above U+10FFFF
            return cont(1) && cont(2) && cont(3) ? 4 : 0;
        }
        return 0;
    }
    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) fail("unterminated string");
            unsigned char c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return out;
            }
            if (c < 0x20) fail("raw control character in string");
            if (c >= 0x80) {
                size_t n = utf8_at();
                if (n == 0) fail("invalid UTF-8 in string");
                out.append(s_.substr(i_, n));
                i_ += n;
                continue;
            }
            ++i_;
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (i_ >= s_.size()) fail("unterminated escape");
            char e = s_[i_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (s_.substr(i_, 2) != "\\u") fail("lone high surrogate");
                    i_ += 2;
                    unsigned lo = hex4();
                    if (lo < 0xDC00 || lo > 0xDFFF) fail("bad low surrogate");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail("lone low surrogate");
                }
                put_utf8(out, cp);
                break;
            }
            default: fail(std::string("bad escape \\") + e);
            }
        }
    }

    std::string_view s_;
    size_t i_ = 0;
};

}  // namespace

bool Json::has(const std::string& key) const {
    for (const auto& [k, v] : members)
        if (k == key) return true;
    return false;
}

const Json& Json::operator[](const std::string& key) const {
    if (type != Type::Object) throw std::runtime_error("JSON: not an object (looking up " + key + ")");
    for (const auto& [k, v] : members)
        if (k == key) return v;
    throw std::runtime_error("JSON: no key " + key);
}

const std::string& Json::str() const {
    if (type != Type::String) throw std::runtime_error("JSON: not a string");
    return text;
}

int64_t Json::integer() const {
    if (type != Type::Number || text.find_first_of(".eE") != std::string::npos)
        throw std::runtime_error("JSON: not an integer: " + text);
    return std::stoll(text);
}

double Json::number() const {
    if (type != Type::Number) throw std::runtime_error("JSON: not a number");
    return std::stod(text);
}

std::vector<std::string> Json::keys() const {
    std::vector<std::string> k;
    for (const auto& m : members) k.push_back(m.first);
    return k;
}

Json parse_json(std::string_view text) { return JsonReader(text).document(); }

std::vector<Json> parse_json_lines(std::string_view text) {
    std::vector<Json> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(start, nl - start);
        if (!line.empty()) out.push_back(parse_json(line));
        start = nl + 1;
    }
    return out;
}

// ---- helpers ----

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string error_form_problem(const std::string& err) {
    auto lines = split_lines(err);
    if (lines.empty()) return "stderr is empty";
    if (!starts_with(lines[0], "rj: ")) return "first stderr line does not start with 'rj: '";
    for (size_t i = 1; i < lines.size(); ++i)
        if (!starts_with(lines[i], " ")) return "stderr line " + std::to_string(i + 1) + " is neither 'rj: ' nor an indented hint";
    return "";
}

int64_t JobsFixture::run(const std::vector<std::string>& args, const std::string& cwd) {
    std::vector<std::string> full{"run"};
    full.insert(full.end(), args.begin(), args.end());
    RjResult r = rj.batch(full, Millis(60000), cwd);
    INFO(r.describe());
    REQUIRE(r.status == 0);
    auto lines = split_lines(r.out);
    REQUIRE(lines.size() >= 1);
    REQUIRE(!lines[0].empty());
    REQUIRE(lines[0].find_first_not_of("0123456789") == std::string::npos);
    return std::stoll(lines[0]);
}

Json JobsFixture::show(int64_t id) {
    RjResult r = rj.batch({"show", "--json", std::to_string(id)});
    INFO(r.describe());
    REQUIRE(r.status == 0);
    return parse_json(r.out);
}

std::vector<Json> JobsFixture::list(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"list", "--json", "--limit", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    // What the database holds: list's quick sync would change it (start a
    // pending job, record an end) under the test's feet.
    if (std::find(extra.begin(), extra.end(), "--sync") == extra.end()) args.push_back("--no-sync");
    RjResult r = rj.batch(args);
    INFO(r.describe());
    REQUIRE(r.status == 0);
    return parse_json_lines(r.out);
}

Json JobsFixture::await_end(int64_t id, Millis timeout) {
    Json job;
    RjResult last_sync;
    auto start = std::chrono::steady_clock::now();
    bool ended = eventually(
        [&] {
            last_sync = rj.batch({"sync", "-v"});
            job = show(id);
            const std::string& s = job["status"].str();
            return s != "starting" && s != "running" && s != "pending" && s != "queued";
        },
        timeout, Millis(200));
    if (!ended) {
        // What the caller's failing assertion should show: the job on its
        // host and the last sync.
        double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::string on_host_now;
        // The host user's processes with where they sleep (a wrapper stuck
        // waiting on a helper shows here).
        hosts.ssh(job["host"].str(), "cd " + job["remote_job_dir"].str() + " && ls -l && cat exit 2>/dev/null; "
                                     "tmux ls 2>&1; ps -u $(id -u) -o pid,ppid,stat,wchan:16,etimes,args | cut -c1-150",
                  &on_host_now);
        UNSCOPED_INFO("job " << id << " still " << job["status"].str() << " after " << waited << " s\n"
                             << "last sync: " << last_sync.describe() << "\n--- on the host ---\n" << on_host_now);
    }
    return job;
}

bool JobsFixture::await_status(int64_t id, const std::string& want, Millis timeout) {
    RjResult last_sync;
    std::string status;
    bool got = eventually(
        [&] {
            last_sync = rj.batch({"sync", "-v"});
            status = status_of(id);
            return status == want;
        },
        timeout, Millis(200));
    if (!got) UNSCOPED_INFO("job " << id << " is " << status << ", not " << want << "\nlast sync: " << last_sync.describe());
    return got;
}

std::string JobsFixture::on_host(const std::string& name, const std::string& cmd, bool may_fail) {
    std::string out;
    int status = hosts.ssh(name, cmd, &out);
    if (!may_fail) {
        INFO("on " << name << ": " << cmd << "\n" << out);
        REQUIRE(status == 0);
    }
    return out;
}

std::vector<std::string> JobsFixture::sessions(const std::string& name) {
    std::string out = on_host(name, "tmux ls -F '#{session_name}' 2>/dev/null; true");
    std::vector<std::string> names;
    for (auto& line : split_lines(out))
        if (starts_with(line, "rj-")) names.push_back(line);
    return names;
}

std::string JobsFixture::session_of(int64_t id) { return show(id)["session"].str(); }

std::string JobsFixture::job_dir_of(int64_t id) { return show(id)["remote_job_dir"].str(); }

int JobsFixture::starts_on_host(const std::string& name, int64_t id) {
    std::string out = on_host(name, "cat ~/.cache/rj/*/*/journal* ~/.cache/rj/journal* 2>/dev/null | awk '$2 == \"" +
                                        std::to_string(id) + "\" && $3 == \"start\"' | wc -l");
    return std::stoi(out);
}

std::vector<std::string> JobsFixture::job_dirs(const std::string& name) {
    // This test's client directory for the host, and the pre-client-id layout.
    std::string out = on_host(name, "for d in ~/.cache/rj/*/*/jobs/* ~/.cache/rj/jobs/*; do "
                                    "[ -d \"$d\" ] && echo \"${d##*/}\"; done; true");
    return split_lines(out);
}

}  // namespace testing_support
