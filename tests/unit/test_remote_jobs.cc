#include "config.h"

// Submit, sync, kill, timeout and lost sessions with the real scripts, a real
// (private) tmux server and dash / bash / busybox sh playing the host's /bin/sh.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "remote/protocol.h"
#include "unit/test_remote_support.h"

using namespace remote;
using rjtest::read_file;
using rjtest::Sandbox;

namespace {

int count_events(const SyncReply& s, int64_t id, const std::string& event) {
    int n = 0;
    for (const auto& e : s.events)
        if (e.id == id && e.event == event) ++n;
    return n;
}

std::vector<int64_t> read_pids(const std::string& text) {
    std::vector<int64_t> v;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!line.empty()) v.push_back(std::atoll(line.c_str()));
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return v;
}

// Polls until `pred` holds (true) or `timeout_s` passes (false).
template <class F>
bool eventually(F pred, double timeout_s = 5) {
    for (int i = 0; i < static_cast<int>(timeout_s * 50); ++i) {
        if (pred()) return true;
        rjtest::sleep_s(0.02);
    }
    return pred();
}

}  // namespace

TEST_CASE("a submitted job runs in tmux and sync reports its exit and journal lines", "[remote]") {
    for (const auto& shell : rjtest::all_shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            auto rep = sb.submit(sb.spec(1, "echo out; echo err >&2; echo \"id=$RJ_JOB_ID\""));
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            CHECK(rep.id == 1);
            CHECK(rep.pid > 1);
            CHECK(rep.started > 1600000000);
            CHECK_FALSE(rep.already);

            JobFacts f = sb.wait_end(1);
            REQUIRE(f.exit);
            CHECK(f.exit->kind == remote::EndKind::Exit);
            CHECK(f.exit->code == 0);
            CHECK(f.exit->started == rep.started);
            CHECK(f.exit->ended >= rep.started);
            CHECK(f.pid == rep.pid);
            CHECK(decide(f, false).fate == Fate::Completed);
            CHECK(read_file(sb.job_dir(1) + "/log") == "out\nerr\nid=1\n");

            SyncReply s = sb.sync({1});
            CHECK(s.host_now >= rep.started);
            CHECK(count_events(s, 1, "start") == 1);
            CHECK(count_events(s, 1, "exit") == 1);
            REQUIRE(s.events.size() == 2);
            CHECK(s.events[0].get_int("pid") == rep.pid);
            CHECK(s.events[1].get_int("code", -1) == 0);
            CHECK(s.new_offset == s.journal_size);
            CHECK_FALSE(s.journal_reset);

            // From the returned offset nothing is new: no event is counted twice.
            SyncReply s2 = sb.sync({1}, s.new_offset);
            CHECK(s2.events.empty());
            CHECK(s2.new_offset == s.new_offset);

            // The tmux session ends with the job.
            CHECK(eventually([&] { return sb.sync({1}).live_sessions.count(1) == 0; }));

            struct stat st {};
            REQUIRE(::stat((sb.home + "/.cache/rj").c_str(), &st) == 0);
            CHECK((st.st_mode & 0777) == 0700);
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("non-zero exits and signals are recorded as failures", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            REQUIRE(sb.submit(sb.spec(1, "echo failing; exit 3")).status == SubmitReply::Status::Ok);
            REQUIRE(sb.submit(sb.spec(2, "kill -9 $$")).status == SubmitReply::Status::Ok);
            JobFacts f1 = sb.wait_end(1);
            JobFacts f2 = sb.wait_end(2);
            REQUIRE(f1.exit);
            REQUIRE(f2.exit);
            JobFate d1 = decide(f1, false);
            CHECK(d1.fate == Fate::Failed);
            CHECK(d1.exit_code == 3);
            CHECK(f2.exit->kind == remote::EndKind::Signal);
            JobFate d2 = decide(f2, false);
            CHECK(d2.fate == Fate::Failed);
            CHECK(d2.signal == 9);
            SyncReply s = sb.sync({1, 2});
            CHECK(count_events(s, 1, "exit") == 1);
            CHECK(count_events(s, 2, "signal") == 1);
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("kill stops the job and all its descendants and is recorded as killed", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            auto rep = sb.submit(sb.spec(1, "sleep 300 & echo $! > kids; sleep 301; wait"));
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            REQUIRE(eventually([&] { return !read_file(sb.home + "/kids").empty(); }));
            int64_t kid = read_pids(read_file(sb.home + "/kids")).at(0);
            CHECK(rjtest::pid_alive(kid));
            CHECK(rjtest::pid_alive(rep.pid));

            auto res = parse_kill(sb.run(kill_script(kDefaultRjDir, {1, 99}, 1, 5)).out);
            REQUIRE(res.size() == 2);
            CHECK(res[0].id == 1);
            CHECK(res[0].state == "signalled");
            CHECK(res[0].was_running);
            REQUIRE(res[0].facts.exit);
            CHECK(res[0].facts.exit->kind == remote::EndKind::Killed);
            CHECK(decide(res[0].facts, false).fate == Fate::Killed);
            CHECK(res[1].state == "missing");
            CHECK_FALSE(res[1].was_running);

            CHECK(eventually([&] { return !rjtest::pid_alive(kid) && !rjtest::pid_alive(rep.pid); }));
            SyncReply s = sb.sync({1});
            CHECK(count_events(s, 1, "killed") == 1);

            // Killing it again says it had already ended.
            auto again = parse_kill(sb.run(kill_script(kDefaultRjDir, {1}, 1, 1)).out);
            REQUIRE(again.size() == 1);
            CHECK(again[0].state == "ended");
            CHECK_FALSE(again[0].was_running);
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("a job over its time limit gets TERM, then KILL after the grace period", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            JobSpec spec = sb.spec(1, "trap '' TERM; echo stubborn; sleep 300");
            spec.timeout_s = 1;
            spec.kill_grace_s = 1;
            auto rep = sb.submit(spec);
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            JobFacts f = sb.wait_end(1, 10);
            REQUIRE(f.exit);
            CHECK(f.exit->kind == remote::EndKind::Timeout);
            CHECK(f.exit->sig == 9);  // TERM was ignored
            CHECK(f.exit->ended - f.exit->started >= 2);
            CHECK(f.exit->ended - f.exit->started <= 5);
            CHECK(decide(f, false).fate == Fate::Timeout);
            CHECK_FALSE(rjtest::pid_alive(rep.pid));
            CHECK(count_events(sb.sync({1}), 1, "timeout") == 1);

            // A job that ends in time is not touched by the timer.
            JobSpec quick = sb.spec(2, "sleep 0.2; echo done");
            quick.timeout_s = 5;
            REQUIRE(sb.submit(quick).status == SubmitReply::Status::Ok);
            JobFacts q = sb.wait_end(2);
            REQUIRE(q.exit);
            CHECK(q.exit->kind == remote::EndKind::Exit);
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("a job whose tmux session is killed behind rj's back ends up dead", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            auto rep = sb.submit(sb.spec(1, "sleep 300"));
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            SyncReply before = sb.sync({1});
            CHECK(before.live_sessions.count(1) == 1);
            CHECK(decide(before.jobs[1], false).fate == Fate::Running);

            sb.sh("tmux kill-session -t rj-1");
            JobFacts f = sb.wait_end(1, 10);
            REQUIRE(f.exit);
            CHECK(f.exit->kind == remote::EndKind::Lost);
            CHECK(decide(f, false).fate == Fate::Dead);
            CHECK_FALSE(f.session_alive);
            CHECK(eventually([&] { return !rjtest::pid_alive(rep.pid); }));
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("a job whose wrapper was SIGKILLed is still found and can be killed", "[remote]") {
    Sandbox sb(rjtest::shells().front());
    auto rep = sb.submit(sb.spec(1, "sleep 300"));
    REQUIRE(rep.status == SubmitReply::Status::Ok);
    JobFacts f = sb.wait_started(1);
    REQUIRE(f.wrapper_pid > 1);
    // Until the launcher has made its own session the job would go down with the pane.
    REQUIRE(eventually([&] { return ::getsid(static_cast<pid_t>(rep.pid)) == rep.pid; }));
    ::kill(static_cast<pid_t>(f.wrapper_pid), SIGKILL);
    REQUIRE(eventually([&] { return !rjtest::pid_alive(f.wrapper_pid); }));

    JobFacts orphan = sb.sync({1}).jobs[1];
    CHECK(orphan.pid_alive);
    JobFate d = decide(orphan, false);
    CHECK(d.fate == Fate::Running);
    CHECK_FALSE(d.note.empty());

    auto res = parse_kill(sb.run(kill_script(kDefaultRjDir, {1}, 1, 0)).out);
    REQUIRE(res.size() == 1);
    CHECK(res[0].state == "orphan");
    CHECK(res[0].was_running);
    CHECK(eventually([&] { return !rjtest::pid_alive(rep.pid); }));
    CHECK(decide(sb.sync({1}).jobs[1], false).fate == Fate::Dead);
    CHECK(sb.shutdown());
}

TEST_CASE("resubmitting a job that already started does not start it twice", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            JobSpec spec = sb.spec(1, "echo run >> runs; sleep 0.5");
            auto first = sb.submit(spec);
            REQUIRE(first.status == SubmitReply::Status::Ok);
            CHECK_FALSE(first.already);
            auto second = sb.submit(spec);
            REQUIRE(second.status == SubmitReply::Status::Ok);
            CHECK(second.already);
            CHECK(second.pid == first.pid);
            CHECK(second.started == first.started);
            REQUIRE(sb.wait_end(1).exit);
            auto third = sb.submit(spec);
            CHECK(third.already);
            CHECK(third.exited);
            CHECK(read_file(sb.home + "/runs") == "run\n");
            CHECK(count_events(sb.sync({1}), 1, "start") == 1);
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("submit explains a missing tmux and a missing working directory", "[remote]") {
    Sandbox sb(rjtest::shells().front());
    auto rep = sb.submit([&] {
        JobSpec s = sb.spec(1, "true");
        s.workdir = "~/no such dir";
        return s;
    }());
    CHECK(rep.status == SubmitReply::Status::Error);
    CHECK(rep.error == "no such directory: " + sb.home + "/no such dir");

    // A host without tmux: only the basic tools on PATH.
    std::string tools = sb.root + "/tools";
    std::filesystem::create_directory(tools);
    for (const char* t : {"mkdir", "chmod", "cat", "date", "tr", "mv", "rm", "sleep"}) {
        std::string target = "/bin/" + std::string(t);
        if (::access(target.c_str(), X_OK) != 0) target = "/usr/bin/" + std::string(t);
        std::filesystem::create_symlink(target, tools + "/" + t);
    }
    sb.path = tools;
    auto no_tmux = sb.submit(sb.spec(2, "true"));
    CHECK(no_tmux.status == SubmitReply::Status::Error);
    CHECK(no_tmux.error == "tmux not found on host: install tmux");
    CHECK(sb.shutdown());
}

TEST_CASE("sync copes with no journal, no tmux server and a truncated journal", "[remote]") {
    Sandbox sb(rjtest::shells().front());
    SyncReply empty = sb.sync({42}, 0);
    CHECK(empty.tmux == TmuxState::NoServer);
    CHECK(empty.events.empty());
    CHECK(empty.new_offset == 0);
    CHECK_FALSE(empty.jobs[42].dir_exists);
    CHECK(decide(empty.jobs[42], true).fate == Fate::NeverStarted);

    REQUIRE(sb.submit(sb.spec(1, "true")).status == SubmitReply::Status::Ok);
    REQUIRE(sb.wait_end(1).exit);
    SyncReply s = sb.sync({}, 0);
    REQUIRE(s.events.size() == 2);
    // An offset past the end (journal replaced): start over from 0 and say so.
    SyncReply reset = sb.sync({}, s.journal_size + 1000);
    CHECK(reset.journal_reset);
    CHECK(reset.journal_offset == 0);
    CHECK(reset.events.size() == 2);
    CHECK(reset.new_offset == s.new_offset);
    CHECK(sb.shutdown());
}

TEST_CASE("the job runs in its own process group with every launcher", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        for (const char* method : {"perl", "setsid", "jobctl"}) {
            DYNAMIC_SECTION(shell.name << " " << method) {
                Sandbox sb(shell);
                sb.extra_env = {{"RJ_PGRP_METHOD", method}};
                auto rep = sb.submit(sb.spec(
                    1, "grep SigIgn /proc/self/status > sigs; sleep 300 & echo $! > kids; sleep 301"));
                REQUIRE(rep.status == SubmitReply::Status::Ok);
                REQUIRE(eventually([&] { return !read_file(sb.home + "/kids").empty(); }));
                int64_t kid = read_pids(read_file(sb.home + "/kids")).at(0);
                JobFacts f = sb.wait_started(1);
                CHECK(f.pgid == f.pid);
                CHECK(::getpgid(static_cast<pid_t>(kid)) == f.pid);
                CHECK(::getpgid(static_cast<pid_t>(f.wrapper_pid)) != f.pid);
                if (std::string(method) != "setsid") {
                    // SIGINT (bit 2) must not stay ignored for the job.
                    std::string sigs = read_file(sb.home + "/sigs");
                    REQUIRE(sigs.rfind("SigIgn:", 0) == 0);
                    unsigned long long mask = std::strtoull(sigs.c_str() + 7, nullptr, 16);
                    CHECK((mask & 2ULL) == 0);
                }
                auto res = parse_kill(sb.run(kill_script(kDefaultRjDir, {1}, 1, 5)).out);
                REQUIRE(res.size() == 1);
                REQUIRE(res[0].facts.exit);
                CHECK(res[0].facts.exit->kind == remote::EndKind::Killed);
                CHECK(eventually([&] { return !rjtest::pid_alive(kid); }));
                CHECK(sb.shutdown());
            }
        }
    }
}

TEST_CASE("jobs behave the same when the tmux default shell does not exec (like fish)",
          "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            // tmux runs `$SHELL -c CMD`; this one keeps itself around as the pane's
            // session leader and runs the wrapper as its child, as fish does.
            std::string fake = sb.root + "/fakefish";
            rjtest::write_file(fake, "#!/bin/sh\neval \"$2\"\nexit $?\n");
            ::chmod(fake.c_str(), 0755);
            sb.extra_env = {{"SHELL", fake}};
            auto rep = sb.submit(sb.spec(1, "echo fine"));
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            JobFacts f = sb.wait_end(1);
            CHECK(decide(f, false).fate == Fate::Completed);
            CHECK(read_file(sb.job_dir(1) + "/log") == "fine\n");

            auto slow = sb.submit(sb.spec(2, "sleep 300"));
            REQUIRE(slow.status == SubmitReply::Status::Ok);
            REQUIRE(sb.wait_started(2).pid_alive);
            sb.sh("tmux kill-session -t rj-2");
            JobFacts lost = sb.wait_end(2, 10);
            REQUIRE(lost.exit);
            CHECK(lost.exit->kind == remote::EndKind::Lost);
            CHECK(decide(lost, false).fate == Fate::Dead);
            CHECK(eventually([&] { return !rjtest::pid_alive(slow.pid); }));
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("a job killed before its wrapper started it never runs", "[remote]") {
    Sandbox sb(rjtest::shells().front());
    // rj kill reached the host while the submit was still on its way.
    std::filesystem::create_directories(sb.job_dir(1));
    rjtest::write_file(sb.job_dir(1) + "/killed", "");
    auto rep = sb.submit(sb.spec(1, "touch ran"));
    CHECK(rep.status == SubmitReply::Status::Ok);
    JobFacts f = sb.wait_end(1);
    REQUIRE(f.exit);
    CHECK(f.exit->kind == remote::EndKind::Killed);
    CHECK(f.exit->rc == -1);
    CHECK(f.pid == 0);
    CHECK(decide(f, false).fate == Fate::Killed);
    CHECK_FALSE(std::filesystem::exists(sb.home + "/ran"));
    CHECK(sb.shutdown());
}

TEST_CASE("pids recorded before a reboot are neither trusted nor signalled", "[remote]") {
    Sandbox sb(rjtest::shells().front());
    auto rep = sb.submit(sb.spec(1, "sleep 300"));
    REQUIRE(rep.status == SubmitReply::Status::Ok);
    JobFacts before = sb.wait_started(1);
    CHECK(before.pid_alive);
    CHECK_FALSE(before.rebooted);
    // As if the job had started in an earlier boot and its pid were reused now.
    rjtest::write_file(sb.job_dir(1) + "/boot", "an-earlier-boot\n");
    JobFacts after = sb.sync({1}).jobs[1];
    CHECK(after.rebooted);
    CHECK_FALSE(after.pid_alive);
    JobFate d = decide(after, false);
    CHECK(d.fate == Fate::Dead);
    CHECK(d.note == "the host rebooted while it ran");
    auto res = parse_kill(sb.run(kill_script(kDefaultRjDir, {1}, 1, 0)).out);
    REQUIRE(res.size() == 1);
    CHECK(res[0].state == "dead");
    rjtest::sleep_s(0.3);
    CHECK(rjtest::pid_alive(rep.pid));  // not ours any more: left alone
    CHECK(sb.shutdown());
}

TEST_CASE("Ctrl-Z in an attached pane is ignored and Ctrl-C kills the job", "[remote]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            // A default shell with job control, as fish is: the wrapper then runs
            // as its foreground job, where Ctrl-Z would stop it. (Exec'd by the
            // pane's shell, its group is orphaned and the kernel drops the stop.)
            std::string fake = sb.root + "/jobshell";
            rjtest::write_file(fake, "#!/bin/sh\nset -m\neval \"$2\"\nexit $?\n");
            ::chmod(fake.c_str(), 0755);
            sb.extra_env = {{"SHELL", fake}};
            JobSpec spec = sb.spec(1, "sleep 300");
            spec.timeout_s = 100;  // a watchdog in the pane's process group too
            auto rep = sb.submit(spec);
            REQUIRE(rep.status == SubmitReply::Status::Ok);
            JobFacts f = sb.wait_started(1);
            sb.sh("tmux send-keys -t rj-1 C-z");
            rjtest::sleep_s(0.3);
            std::string stat = read_file("/proc/" + std::to_string(f.wrapper_pid) + "/stat");
            REQUIRE(stat.rfind(')') != std::string::npos);
            CHECK(stat.substr(stat.rfind(')') + 2, 1) != "T");
            CHECK(sb.sync({1}).jobs[1].pid_alive);

            sb.sh("tmux send-keys -t rj-1 C-c");
            JobFacts end = sb.wait_end(1);
            REQUIRE(end.exit);
            CHECK(end.exit->kind == remote::EndKind::Killed);
            CHECK(eventually([&] { return !rjtest::pid_alive(rep.pid); }));
            CHECK(sb.shutdown());
        }
    }
}

TEST_CASE("replies parse when a login script printed something first", "[remote]") {
    Sandbox sb(rjtest::shells().front());
    // What a chatty .bashrc of the login shell running `sh -s` would leave.
    std::string noise = "printf 'Welcome to the cluster, RJ-fans'\n";
    auto sub = parse_submit(sb.run(noise + submit_script(sb.spec(1, "true"))).out);
    CHECK(sub.status == SubmitReply::Status::Ok);
    REQUIRE(sb.wait_end(1).exit);
    SyncReply s = parse_sync(sb.run(noise + sync_script(kDefaultRjDir, 0, {1})).out);
    CHECK(s.events.size() == 2);
    CHECK(s.jobs[1].exit);
    CHECK(sb.shutdown());
}

TEST_CASE("two clients' jobs with the same id live apart: own directory, session and journal", "[remote][identity]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            RemoteDir a("~/.cache/rj/aaaa000001/host", "rj-aaaa000001-");
            RemoteDir b("~/.cache/rj/bbbb000002/host", "rj-bbbb000002-");
            auto spec_in = [&](const RemoteDir& d, const std::string& cmd) {
                JobSpec s = sb.spec(7, cmd);
                s.rj_dir = d.path;
                s.session_prefix = d.session_prefix;
                return s;
            };
            // Same id 7 from both clients, at the same time: both run.
            auto ra = sb.submit(spec_in(a, "sleep 1; exit 3"));
            auto rb = sb.submit(spec_in(b, "sleep 1; exit 5"));
            REQUIRE(ra.status == SubmitReply::Status::Ok);
            REQUIRE(rb.status == SubmitReply::Status::Ok);
            CHECK_FALSE(ra.already);
            CHECK_FALSE(rb.already);
            // Each sees only its own session, named for the protocol as rj-7.
            auto sa = parse_sync(sb.run(sync_script(a, 0, {7})).out);
            CHECK(sa.live_sessions == std::set<int64_t>{7});
            auto legacy = parse_sync(sb.run(sync_script(RemoteDir("~/.cache/rj"), 0, {7})).out);
            CHECK(legacy.live_sessions.empty());  // "rj-aaaa000001-7" is not the old "rj-7"
            CHECK_FALSE(legacy.jobs[7].dir_exists);
            // Each journal carries its own job's end only.
            SyncReply ea, eb;
            REQUIRE(eventually(
                [&] {
                    ea = parse_sync(sb.run(sync_script(a, 0, {7})).out);
                    eb = parse_sync(sb.run(sync_script(b, 0, {7})).out);
                    // The wrapper writes the exit record, then its journal
                    // line: wait for both (a loaded machine shows the gap).
                    return ea.jobs[7].exit && eb.jobs[7].exit && count_events(ea, 7, "exit") > 0 &&
                           count_events(eb, 7, "exit") > 0;
                },
                15));
            CHECK(ea.jobs[7].exit->code == 3);
            CHECK(eb.jobs[7].exit->code == 5);
            CHECK(count_events(ea, 7, "exit") == 1);
            CHECK(count_events(eb, 7, "exit") == 1);
            for (const auto& ev : ea.events)
                if (ev.event == "exit") CHECK(ev.get_int("code") == 3);
            // Submitting id 7 again into one client's directory starts nothing.
            auto ka = sb.submit(spec_in(a, "sleep 30"));  // already ended: not started again
            CHECK(ka.already);
        }
    }
}

TEST_CASE("a session prefix that is not a plain rj- word is refused before anything is built", "[remote][identity]") {
    CHECK_THROWS(sync_script(RemoteDir("~/.cache/rj", "x-"), 0, {1}));
    CHECK_THROWS(sync_script(RemoteDir("~/.cache/rj", "rj-$(reboot)-"), 0, {1}));
    CHECK_THROWS(kill_script(RemoteDir("~/.cache/rj", "rj-A B"), {1}));
    CHECK_NOTHROW(sync_script(RemoteDir("~/.cache/rj", "rj-0123456789-"), 0, {1}));
}

TEST_CASE("a recorded pid that now belongs to another process is neither running nor signalled", "[remote][pids]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            // A stranger holding the pid a long-gone job recorded.
            auto stranger = sb.sh("sleep 60 >/dev/null 2>&1 & echo $!");
            int64_t pid = std::atoll(stranger.out.c_str());
            REQUIRE(pid > 1);
            REQUIRE(rjtest::pid_alive(pid));
            std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
            std::string rest = stat.substr(stat.rfind(") ") + 2);
            std::istringstream fields(rest);
            std::string field, start;
            for (int i = 0; i < 20 && fields >> field; ++i) start = field;  // field 22 overall
            REQUIRE(!start.empty());

            std::string dir = sb.job_dir(5);
            sb.sh("mkdir -p '" + dir + "' && cd '" + dir + "' && echo " + std::to_string(pid) +
                  " > pid && echo 0 > pgid && echo " + std::to_string(pid) + " > wpid && date +%s > started");
            // Recorded with its real start time, the pid is the job's: alive.
            rjtest::write_file(dir + "/pstart", start + "\n");
            rjtest::write_file(dir + "/wstart", start + "\n");
            auto same = parse_sync(sb.run(sync_script(kDefaultRjDir, 0, {5})).out);
            CHECK(same.jobs[5].pid_alive);
            // Recorded with another start time: a reused pid, not the job.
            rjtest::write_file(dir + "/pstart", "1\n");
            rjtest::write_file(dir + "/wstart", "1\n");
            auto reused = parse_sync(sb.run(sync_script(kDefaultRjDir, 0, {5})).out);
            CHECK_FALSE(reused.jobs[5].pid_alive);
            CHECK_FALSE(reused.jobs[5].wrapper_alive);
            CHECK(decide(reused.jobs[5], false).fate == Fate::Dead);
            auto kill = parse_kill(sb.run(kill_script(kDefaultRjDir, {5}, 1, 1)).out);
            REQUIRE(kill.size() == 1);
            CHECK(kill[0].state == "dead");
            CHECK_FALSE(kill[0].was_running);
            rjtest::sleep_s(0.2);
            CHECK(rjtest::pid_alive(pid));  // the stranger was left alone
            ::kill(static_cast<pid_t>(pid), SIGKILL);
        }
    }
}

TEST_CASE("submit refuses a remote directory other users can write to, and rewrites a tampered wrapper",
          "[remote][dirsafety]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            REQUIRE(sb.submit(sb.spec(1, "true")).status == SubmitReply::Status::Ok);
            std::string rj = sb.home + "/.cache/rj";
            // Another user planting a wrapper: rj takes the directory back to 0700 first...
            REQUIRE(::chmod((rj + "/bin").c_str(), 0777) == 0);
            auto again = sb.submit(sb.spec(2, "true"));
            CHECK(again.status == SubmitReply::Status::Ok);
            struct stat st {};
            REQUIRE(::stat((rj + "/bin").c_str(), &st) == 0);
            CHECK((st.st_mode & 0777) == 0700);
            // ...and trusts the wrapper by content, not by its name.
            std::string wrapper;
            for (const auto& e : std::filesystem::directory_iterator(rj + "/bin")) wrapper = e.path().string();
            REQUIRE(!wrapper.empty());
            std::string good = read_file(wrapper);
            rjtest::write_file(wrapper, "#!/bin/sh\ntouch \"$HOME/planted\"\n");
            REQUIRE(sb.submit(sb.spec(3, "echo three")).status == SubmitReply::Status::Ok);
            REQUIRE(sb.wait_end(3).exit);
            CHECK(read_file(wrapper) == good);
            CHECK(read_file(sb.job_dir(3) + "/log") == "three\n");  // the real wrapper ran it
            CHECK_FALSE(std::filesystem::exists(sb.home + "/planted"));
            // A directory that is not ours (here: a symlink to elsewhere) is refused.
            std::filesystem::remove_all(rj + "/jobs");
            std::filesystem::create_directories(sb.root + "/elsewhere");
            std::filesystem::create_directory_symlink(sb.root + "/elsewhere", rj + "/jobs");
            auto refused = sb.submit(sb.spec(4, "true"));
            CHECK(refused.status == SubmitReply::Status::Error);
            CHECK_THAT(refused.error, Catch::Contains("refusing to use") || Catch::Contains("cannot make"));
            CHECK_FALSE(std::filesystem::exists(sb.root + "/elsewhere/4"));
        }
    }
}

TEST_CASE("a journal the laptop has read to its end is rotated past its size limit without losing a record",
          "[remote][journal]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            Sandbox sb(shell);
            std::string journal = sb.home + "/.cache/rj/journal";
            // The end's journal line comes just after its exit file.
            auto ended_in_journal = [&](int64_t id) {
                return eventually([&] { return read_file(journal).find(" " + std::to_string(id) + " exit ") != std::string::npos; }, 15);
            };
            REQUIRE(sb.submit(sb.spec(1, "exit 4")).status == SubmitReply::Status::Ok);
            REQUIRE(ended_in_journal(1));
            auto sync_at = [&](int64_t offset) {
                return parse_sync(sb.run(sync_script(kDefaultRjDir, offset, {}, 4 << 20, 10)).out);
            };
            // Not read to the end yet: everything comes, nothing rotates.
            SyncReply first = sync_at(0);
            CHECK_FALSE(first.journal_rotated);
            CHECK(count_events(first, 1, "exit") == 1);
            REQUIRE(first.new_offset > 10);
            // Read to the end and past the limit: rotated, the laptop starts over at 0.
            SyncReply rot = sync_at(first.new_offset);
            CHECK(rot.journal_rotated);
            CHECK(rot.new_offset == 0);
            CHECK(rot.events.empty());
            CHECK_FALSE(std::filesystem::exists(sb.home + "/.cache/rj/journal.old"));
            // The new journal holds the next job's lines, once each.
            REQUIRE(sb.submit(sb.spec(2, "exit 5")).status == SubmitReply::Status::Ok);
            REQUIRE(ended_in_journal(2));
            SyncReply next = sync_at(rot.new_offset);
            CHECK(count_events(next, 2, "start") == 1);
            CHECK(count_events(next, 2, "exit") == 1);
            CHECK(count_events(next, 1, "exit") == 0);
        }
    }
}

TEST_CASE("overlong or malformed journal lines are skipped and counted, the rest applies", "[remote][journal]") {
    std::string longline = "1700000000 3 exit rc=0 code=0 " + std::string(5000, 'x');
    std::string journal = "1700000000 3 start pid=10 pgid=10\n" + longline + "\ngarbage\n1700000001 3 exit rc=0 code=0 sig=0\n";
    std::string reply = "RJ-SYNC v=1 now=1700000002\nRJ-TMUX ok\nRJ-JOURNAL offset=0 size=" +
                        std::to_string(journal.size()) + " reset=0 more=0 rotated=0 bytes=" +
                        std::to_string(journal.size()) + "\n" + journal + "\nRJ-END\n";
    SyncReply s = parse_sync(reply);
    CHECK(s.bad_lines == 2);
    CHECK(count_events(s, 3, "start") == 1);
    CHECK(count_events(s, 3, "exit") == 1);
    CHECK(s.new_offset == static_cast<int64_t>(journal.size()));
}
