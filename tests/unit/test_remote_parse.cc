#include "config.h"

// Parsers, decide() and script builders of the remote protocol, without a shell.

#include <catch2/catch.hpp>

#include "remote/protocol.h"
#include "remote/scripts.h"
#include "util/error.h"

using namespace remote;

TEST_CASE("parse_submit reads ok, pending, gpustaken and error replies past login noise", "[remote]") {
    auto ok = parse_submit("Welcome to the lab server!\nRJ-SUBMIT ok id=7 pid=4242 started=1700000000 "
                           "already=0 exited=0\n");
    CHECK(ok.status == SubmitReply::Status::Ok);
    CHECK(ok.id == 7);
    CHECK(ok.pid == 4242);
    CHECK(ok.started == 1700000000);
    CHECK_FALSE(ok.already);

    auto again = parse_submit("RJ-SUBMIT ok id=7 pid=4242 started=1700000000 already=1 exited=1\n");
    CHECK(again.already);
    CHECK(again.exited);

    auto pending = parse_submit("RJ-SUBMIT pending id=7 already=0\n");
    CHECK(pending.status == SubmitReply::Status::Pending);

    auto err = parse_submit("RJ-SUBMIT error id=7 msg=tmux not found on host: install tmux\n");
    CHECK(err.status == SubmitReply::Status::Error);
    CHECK(err.error == "tmux not found on host: install tmux");

    // A placement's GPUs went to another job first: its own status, so the job is placed again.
    auto taken = parse_submit("RJ-SUBMIT gpustaken id=7 msg=GPU 1 went to another job on the host after rj looked\n");
    CHECK(taken.status == SubmitReply::Status::GpusTaken);
    CHECK(taken.error == "GPU 1 went to another job on the host after rj looked");

    // A login script's last words without a newline: the reply starts on a new line.
    CHECK(parse_submit("Welcome!\nRJ-SUBMIT ok id=7 pid=1 started=2 already=0 exited=0\n").pid == 1);
    CHECK_THROWS_AS(parse_submit("sh: 1: syntax error\n"), ProtocolError);
    CHECK_THROWS_AS(parse_submit(""), ProtocolError);
}

TEST_CASE("parse_sync reads facts and only complete journal lines", "[remote]") {
    std::string journal = "1700000000 5 start pid=100 pgid=100\n"
                          "1700000009 5 exit rc=0 code=0 sig=0 started=1700000000 ended=1700000009 "
                          "user=1.5 sys=0.25\n"
                          "garbage line\n"
                          "1700000010 6 sta";  // a line still being written
    std::string out = "motd\nRJ-SYNC v=1 now=1700000011\nRJ-TMUX ok\nRJ-SESSION rj-6\n"
                      "RJ-SESSION rj-x\n"
                      "RJ-JOB id=5 dir=1 pid=100 pgid=100 alive=0 wpid=99 walive=0 "
                      "started=1700000000 created=1699999999 killreq=0\n"
                      "RJ-EXIT id=5 kind=exit rc=0 code=0 sig=0 started=1700000000 "
                      "ended=1700000009 user=1.5 sys=0.25\n"
                      "RJ-JOB id=6 dir=1 pid=0 pgid=0 alive=0 wpid=120 walive=1 started=0 "
                      "created=1700000010 killreq=0\n"
                      "RJ-JOB id=8 dir=0\n"
                      "RJ-JOURNAL offset=1000 size=" +
                      std::to_string(1000 + journal.size()) + " reset=0 more=0 bytes=" +
                      std::to_string(journal.size()) + "\n" + journal + "\nRJ-END\n";
    SyncReply r = parse_sync(out);
    CHECK(r.host_now == 1700000011);
    CHECK(r.tmux == TmuxState::Ok);
    CHECK(r.live_sessions == std::set<int64_t>{6});
    REQUIRE(r.jobs.size() == 3);
    CHECK(r.jobs[5].exit.has_value());
    CHECK(r.jobs[5].exit->user_s == Approx(1.5));
    CHECK(r.jobs[5].exit->ended == 1700000009);
    CHECK_FALSE(r.jobs[5].session_alive);
    CHECK(r.jobs[6].session_alive);
    CHECK(r.jobs[6].wrapper_alive);
    CHECK_FALSE(r.jobs[8].dir_exists);
    REQUIRE(r.events.size() == 2);
    CHECK(r.events[0].event == "start");
    CHECK(r.events[0].get_int("pid") == 100);
    CHECK(r.events[1].event == "exit");
    CHECK(r.events[1].get_double("sys") == Approx(0.25));
    CHECK(r.bad_lines == 1);
    // The partial line is left for the next sync.
    CHECK(r.new_offset == 1000 + static_cast<int64_t>(journal.rfind('\n')) + 1);
}

TEST_CASE("parse_sync refuses replies that were cut short or garbled", "[remote]") {
    std::string head = "RJ-SYNC v=1 now=1\nRJ-TMUX noserver\nRJ-JOURNAL offset=0 size=10 reset=0 more=0 bytes=10\n";
    CHECK_THROWS_AS(parse_sync(head + "12345"), ProtocolError);
    CHECK_THROWS_AS(parse_sync(head + "0123456789\nRJ-XYZ\n"), ProtocolError);
    CHECK_THROWS_AS(parse_sync("RJ-SYNC v=1 now=1\n"), ProtocolError);
    CHECK_NOTHROW(parse_sync(head + "0123456789\nRJ-END\n"));
}

TEST_CASE("parse_log keeps arbitrary bytes exactly", "[remote]") {
    std::string bytes("a\0b\nRJ-END\n\xff", 12);
    std::string out = "RJ-LOG ok id=3 mode=bytes offset=112 size=200 running=1 more=1 reset=0 "
                      "truncated=0 bytes=12\n" +
                      bytes + "\nRJ-END\n";
    LogReply r = parse_log(out);
    CHECK(r.ok);
    CHECK(r.text == bytes);
    CHECK(r.offset == 112);
    CHECK(r.size == 200);
    CHECK(r.running);
    CHECK(r.more);
    LogReply e = parse_log("RJ-LOG error id=3 msg=no such job on this host\n");
    CHECK_FALSE(e.ok);
    CHECK(e.error == "no such job on this host");
}

TEST_CASE("GPU lines from nvidia-smi parse, including N/A fields and commas in names", "[remote]") {
    auto g = parse_gpu_line("0, NVIDIA GeForce RTX 4090, 37, 10240, 24564");
    REQUIRE(g);
    CHECK(g->index == 0);
    CHECK(g->name == "NVIDIA GeForce RTX 4090");
    CHECK(g->util_pct == 37);
    CHECK(g->mem_used_mib == 10240);
    CHECK(g->mem_total_mib == 24564);
    auto na = parse_gpu_line("3, Tesla K80, [N/A], 0, 11441");
    REQUIRE(na);
    CHECK(na->util_pct == -1);
    auto comma = parse_gpu_line("1, Odd, Name, 5, 1, 2");
    REQUIRE(comma);
    CHECK(comma->name == "Odd, Name");
    CHECK(comma->util_pct == 5);
    CHECK_FALSE(parse_gpu_line("NVIDIA-SMI has failed because it couldn't communicate"));
}

// Seen reading the parser for tests/fuzz/fuzz_sync, confirmed by its
// new_offset invariants (corpus sync/found-*): a negative
// offset became the next sync's offset, and one near INT64_MAX overflowed
// offset + bytes read (undefined behaviour; UBSan stops there).
TEST_CASE("a sync reply with an impossible journal offset is a protocol error", "[remote]") {
    auto reply = [](const std::string& offset) {
        return "RJ-SYNC v=1 now=1\nRJ-TMUX ok\nRJ-JOURNAL offset=" + offset +
               " size=0 reset=0 more=0 rotated=0 bytes=2\na\n\nRJ-END\n";
    };
    CHECK_THROWS_AS(parse_sync(reply("-5")), ProtocolError);
    CHECK_THROWS_AS(parse_sync(reply("9223372036854775807")), ProtocolError);
    CHECK_THROWS_AS(parse_sync(reply("x")), ProtocolError);
    SyncReply ok = parse_sync(reply("1000"));
    CHECK(ok.journal_offset == 1000);
    CHECK(ok.new_offset == 1002);
}

// Found by tests/fuzz/fuzz_probe in its first seconds (corpus
// probe/found-gpu-util-105): a host could report a GPU index that wraps
// around an int or is negative (it becomes CUDA_VISIBLE_DEVICES), 105 %
// utilisation or negative memory.
TEST_CASE("GPU lines and free reports out of range are dropped or read as not reported", "[remote]") {
    auto util = parse_gpu_line("0, Tesla V100, 105, 5000, 16160");
    REQUIRE(util);
    CHECK(util->util_pct == -1);
    auto mem = parse_gpu_line("0, Tesla V100, 50, -5, 16160");
    REQUIRE(mem);
    CHECK(mem->mem_used_mib == -1);
    CHECK(mem->mem_total_mib == 16160);
    CHECK_FALSE(parse_gpu_line("-1, Tesla V100, 50, 1, 2"));
    CHECK_FALSE(parse_gpu_line("4294967296, Tesla V100, 50, 1, 2"));
    CHECK(parse_gpu_line("1023, Tesla V100, 50, 1, 2"));
    CHECK_FALSE(parse_gpu_line("1024, Tesla V100, 50, 1, 2"));

    HostFree f = parse_free("RJ-FREE cpus 4\nRJ-FGPU -3 0 10 1 2 GPU\nRJ-FGPU 2 0 -40 1 2 GPU\n"
                            "RJ-FGPU 1024 0 10 1 2 GPU\nRJ-END\n");
    REQUIRE(f.gpus.size() == 1);
    CHECK(f.gpus[0].index == 2);
    CHECK(f.gpus[0].utilization_pct == 0);
}

TEST_CASE("parse_host_info reads keys, load and GPUs", "[remote]") {
    HostInfo h = parse_host_info(
        "RJ-INFO os Darwin\nRJ-INFO arch arm64\nRJ-INFO cpus 12\nRJ-INFO mem_total 34359738368\n"
        "RJ-INFO load 1.50 2.25 3.00\nRJ-INFO tmux tmux 3.4\nRJ-INFO bash \nRJ-INFO gpu_query ok\n"
        "RJ-GPU 0, NVIDIA A100-SXM4-80GB, 0, 3, 81920\nRJ-END\n");
    CHECK(h.os == "Darwin");
    CHECK(h.cpus == 12);
    CHECK(h.mem_total_bytes == 34359738368LL);
    CHECK(h.has_load);
    CHECK(h.load15 == Approx(3.0));
    CHECK(h.tmux_version == "tmux 3.4");
    CHECK(h.bash_path.empty());
    REQUIRE(h.gpus.size() == 1);
    CHECK(h.gpus[0].mem_total_mib == 81920);
    CHECK_THROWS_AS(parse_host_info("RJ-INFO os Linux\n"), ProtocolError);
}

namespace {
JobFacts base(int64_t id = 1) {
    JobFacts f;
    f.id = id;
    f.dir_exists = true;
    f.pid = 100;
    f.started = 1700000000;
    return f;
}
ExitRecord rec(const std::string& kind, int rc, int code, int sig) {
    ExitRecord e;
    e.kind = parse_end_kind(kind);
    e.kind_word = kind;
    e.rc = rc;
    e.code = code;
    e.sig = sig;
    return e;
}
}  // namespace

TEST_CASE("decide maps host facts to a job's fate", "[remote]") {
    JobFacts f = base();
    f.exit = rec("exit", 0, 0, 0);
    CHECK(decide(f, false).fate == Fate::Completed);

    f.exit = rec("exit", 3, 3, 0);
    auto failed = decide(f, false);
    CHECK(failed.fate == Fate::Failed);
    CHECK(failed.exit_code == 3);

    f.exit = rec("signal", 137, -1, 9);
    auto sig = decide(f, false);
    CHECK(sig.fate == Fate::Failed);
    CHECK(sig.signal == 9);

    f.exit = rec("killed", 143, -1, 15);
    CHECK(decide(f, false).fate == Fate::Killed);
    f.exit = rec("timeout", 137, -1, 9);
    CHECK(decide(f, false).fate == Fate::Timeout);
    f.exit = rec("lost", 143, -1, 15);
    CHECK(decide(f, false).fate == Fate::Dead);
    f.exit = rec("error", 126, 126, 0);
    f.exit->err = "nodir";
    auto nodir = decide(f, false);
    CHECK(nodir.fate == Fate::Failed);
    CHECK(nodir.note == "could not enter the working directory");

    JobFacts running = base();
    running.pid_alive = true;
    running.session_alive = true;
    CHECK(decide(running, false).fate == Fate::Running);

    // The end record wins over a still-listed session (wrapper exiting).
    JobFacts ending = running;
    ending.pid_alive = false;
    CHECK(decide(ending, false).fate == Fate::Running);
    ending.exit = rec("exit", 0, 0, 0);
    CHECK(decide(ending, false).fate == Fate::Completed);

    JobFacts starting;
    starting.id = 1;
    starting.dir_exists = true;
    starting.session_alive = true;
    CHECK(decide(starting, true).fate == Fate::Starting);

    JobFacts gone = base();
    CHECK(decide(gone, false).fate == Fate::Dead);

    JobFacts nothing;
    nothing.id = 1;
    CHECK(decide(nothing, true).fate == Fate::NeverStarted);
    CHECK(decide(nothing, false).fate == Fate::Dead);

    JobFacts half;  // directory made, tmux never started
    half.id = 1;
    half.dir_exists = true;
    CHECK(decide(half, true).fate == Fate::NeverStarted);
    CHECK(decide(half, false).fate == Fate::Dead);

    JobFacts rebooted = base();
    rebooted.rebooted = true;
    rebooted.session_alive = true;  // a new session of that name would not be ours either
    CHECK(decide(rebooted, false).fate == Fate::Dead);

    JobFacts orphan = base();  // wrapper killed, job still there
    orphan.pid_alive = true;
    auto o = decide(orphan, false);
    CHECK(o.fate == Fate::Running);
    CHECK_FALSE(o.note.empty());
}

TEST_CASE("script builders refuse what cannot be passed safely", "[remote]") {
    JobSpec s;
    s.id = 1;
    s.command = "true";
    CHECK_NOTHROW(submit_script(s));
    JobSpec bad_env = s;
    bad_env.env = {{"1X", "v"}};
    CHECK_THROWS_AS(submit_script(bad_env), util::UsageError);
    bad_env.env = {{"A B", "v"}};
    CHECK_THROWS_AS(submit_script(bad_env), util::UsageError);
    JobSpec nul = s;
    nul.command = std::string("a\0b", 3);
    CHECK_THROWS_AS(submit_script(nul), util::UsageError);
    JobSpec empty = s;
    empty.command.clear();
    CHECK_THROWS_AS(submit_script(empty), util::UsageError);
    JobSpec shell = s;
    shell.wrapper_shell = "/bin/sh; rm -rf ~";
    CHECK_THROWS_AS(submit_script(shell), util::Error);
    JobSpec neg = s;
    neg.id = -1;
    CHECK_THROWS_AS(submit_script(neg), util::Error);
    LogQuery q;
    q.from_line = 10;
    q.to_line = 5;
    CHECK_THROWS_AS(log_script(kDefaultRjDir, 1, q), util::UsageError);
    CHECK_THROWS_AS(sync_script("", 0, {}), util::UsageError);
}

TEST_CASE("the wrapper's deployed name follows its content", "[remote]") {
    CHECK(sh::wrapper_hash().size() == 16);
    CHECK(sh::wrapper_text().rfind("#!/bin/sh\n", 0) == 0);
    JobSpec s;
    s.id = 1;
    s.command = "true";
    CHECK(submit_script(s).find("RJ_WHASH='" + sh::wrapper_hash() + "'") != std::string::npos);
    // Scripts end with the single call that runs them.
    std::string sync = sync_script(kDefaultRjDir, 0, {1, 2});
    std::string tail = "\nprintf '\\n'; rj_main </dev/null\nexit 0\n";
    CHECK(sync.substr(sync.size() - tail.size()) == tail);
}
