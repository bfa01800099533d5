// SLURM clusters as hosts (issue 12), without a cluster: the squeue reply
// read as untrusted input, and the one mapping from SLURM states to rj's.
#include "config.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>

#include "engine/slurm.h"
#include "remote/slurm.h"
#include "unit/test_remote_support.h"
#include "util/error.h"

using engine::Verdict;

namespace {

constexpr int64_t kNow = 1700000100;

store::Job slurm_job(const std::string& sid = "4711") {
    store::Job j;
    j.id = 7;
    j.host = "cluster";
    j.status = store::status::queued;
    j.created_at = kNow - 100;
    j.slurm_id = sid;
    return j;
}

remote::JobFacts facts() {
    remote::JobFacts f;
    f.id = 7;
    f.dir_exists = true;
    return f;
}

remote::SlurmQueueReply cluster(const std::string& lines) {
    return remote::parse_slurm_queue("noise from .bashrc\nRJ-SQUEUE ok now=" + std::to_string(kNow) + "\n" + lines);
}

}  // namespace

TEST_CASE("squeue lines are checked: forged ids and states are dropped, reasons kept as data", "[slurm]") {
    auto c = cluster(
        "RJ-SJOB sid=4711 state=PENDING ended=0 msg=Resources\n"
        "RJ-SJOB sid=4712_3 state=CANCELLED+ ended=1700000000 msg=None\n"
        "RJ-SJOB sid=12;rm state=RUNNING ended=0 msg=x\n"
        "RJ-SJOB sid=1_2_3 state=RUNNING ended=0 msg=x\n"
        "RJ-SJOB sid=99 state=running ended=0 msg=x\n"
        "RJ-SJOB sid=98 state=RUNNING\x1b[2J ended=0 msg=x\n"
        "RJ-SID id=7 sid=4711\n"
        "RJ-SID id=8 sid=../etc\n");
    REQUIRE(c.ok);
    CHECK(c.jobs.size() == 2);
    CHECK(c.jobs.at("4711").state == "PENDING");
    CHECK(c.jobs.at("4711").reason == "Resources");
    CHECK(c.jobs.at("4712_3").state == "CANCELLED");
    CHECK(c.jobs.at("4712_3").ended == 1700000000);
    CHECK(c.recorded.size() == 1);
    CHECK(c.recorded.at(7) == "4711");

    auto down = remote::parse_slurm_queue(
        "RJ-SQUEUE error msg=slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"
        "RJ-SJOB sid=1 state=RUNNING ended=0 msg=forged after the error\n");
    CHECK_FALSE(down.ok);
    CHECK(down.error.find("Unable to contact slurm controller") != std::string::npos);
    CHECK(down.jobs.empty());

    CHECK_THROWS_AS(remote::parse_slurm_queue("bash: sh: not found\n"), remote::ProtocolError);
}

// Seen reading the parser for tests/fuzz/fuzz_slurm, confirmed by it under
// UBSan (corpus slurm/found-count-overflow): 130 count lines of 2^24 jobs
// overflowed the int sums.
TEST_CASE("repeated squeue count lines saturate instead of overflowing", "[slurm]") {
    std::string lines = "RJ-SPART name=gpu avail=up cpus=0/0/0/8\n";
    for (int i = 0; i < 130; ++i) lines += "RJ-SCNT part=gpu state=RUNNING n=16777216\nRJ-SCNT part=gpu state=PENDING n=-7\n";
    auto c = cluster(lines);
    CHECK(c.running == 1 << 24);
    CHECK(c.pending == 0);
    REQUIRE(c.partitions.size() == 1);
    CHECK(c.partitions[0].running == 1 << 24);
    CHECK(cluster("RJ-SCNT part=gpu state=RUNNING n=3\nRJ-SCNT part=cpu state=RUNNING n=4\n").running == 7);
}

TEST_CASE("SLURM states become rj's: pending with its reason, running, ended by SLURM's word", "[slurm]") {
    Verdict v = engine::slurm_verdict(slurm_job(), facts(), cluster("RJ-SJOB sid=4711 state=PENDING ended=0 msg=Resources\n"), kNow);
    CHECK(v.kind == Verdict::Kind::Queued);
    CHECK(v.note == "PENDING (Resources)");
    CHECK_FALSE(v.held);

    v = engine::slurm_verdict(slurm_job(), facts(), cluster("RJ-SJOB sid=4711 state=PENDING ended=0 msg=JobHeldUser\n"), kNow);
    CHECK(v.held);

    // A reason with control bytes is shown, not obeyed.
    v = engine::slurm_verdict(slurm_job(), facts(), cluster("RJ-SJOB sid=4711 state=PENDING ended=0 msg=a\x1b]0;x\x07\n"), kNow);
    CHECK(v.note.find('\x1b') == std::string::npos);

    auto f = facts();
    f.started = kNow - 5;
    v = engine::slurm_verdict(slurm_job(), f, cluster("RJ-SJOB sid=4711 state=RUNNING ended=0 msg=None\n"), kNow);
    CHECK(v.kind == Verdict::Kind::Start);
    CHECK(v.started_at == kNow - 5);

    // Ended in SLURM's eyes without a record: a grace for the wrapper's record, then SLURM's word.
    v = engine::slurm_verdict(slurm_job(), f, cluster("RJ-SJOB sid=4711 state=TIMEOUT ended=" + std::to_string(kNow - 5) + " msg=TimeLimit\n"), kNow);
    CHECK(v.kind == Verdict::Kind::Wait);
    v = engine::slurm_verdict(slurm_job(), f, cluster("RJ-SJOB sid=4711 state=TIMEOUT ended=" + std::to_string(kNow - 60) + " msg=TimeLimit\n"), kNow);
    CHECK(v.kind == Verdict::Kind::End);
    CHECK(v.end.status == store::status::timeout);
    v = engine::slurm_verdict(slurm_job(), f, cluster("RJ-SJOB sid=4711 state=NODE_FAIL ended=1 msg=None\n"), kNow);
    CHECK(v.end.status == store::status::failed);
    CHECK(v.note == "SLURM: NODE_FAIL");
    v = engine::slurm_verdict(slurm_job(), facts(), cluster("RJ-SJOB sid=4711 state=CANCELLED ended=1 msg=None\n"), kNow);
    CHECK(v.end.status == store::status::cancelled);  // never started

    // Forgotten by squeue, still known to accounting (sacct): its word.
    v = engine::slurm_verdict(slurm_job(), f,
                              cluster("RJ-SACCT ok\nRJ-SAJOB sid=4711 state=OUT_OF_MEMORY ended=1 \n"
                                      "RJ-SAJOB sid=4711;x state=RUNNING ended=1\n"),
                              kNow);
    CHECK(v.kind == Verdict::Kind::End);
    CHECK(v.end.status == store::status::failed);
    CHECK(v.note == "SLURM: OUT_OF_MEMORY");

    // Not listed any more, no record: dead.
    v = engine::slurm_verdict(slurm_job(), f, cluster(""), kNow);
    CHECK(v.kind == Verdict::Kind::End);
    CHECK(v.end.status == store::status::dead);

    // The wrapper's record wins over everything SLURM says.
    f.exit = remote::ExitRecord{};
    f.exit->kind = remote::EndKind::Exit;
    f.exit->code = 3;
    f.exit->ended = kNow - 1;
    v = engine::slurm_verdict(slurm_job(), f, cluster("RJ-SJOB sid=4711 state=RUNNING ended=0 msg=None\n"), kNow);
    CHECK(v.kind == Verdict::Kind::End);
    CHECK(v.end.status == store::status::failed);
    CHECK(v.end.exit_code == 3);
}

TEST_CASE("a job SLURM never accepted is sent again after the grace; one it has is not", "[slurm]") {
    auto starting = slurm_job("");
    starting.status = store::status::starting;
    auto none = cluster("");
    starting.created_at = kNow - 3;
    CHECK(engine::slurm_verdict(starting, facts(), none, kNow).kind == Verdict::Kind::Wait);
    starting.created_at = kNow - 60;
    CHECK(engine::slurm_verdict(starting, facts(), none, kNow).kind == Verdict::Kind::Resubmit);
    // The host wrote its SLURM id (the answer to sbatch was lost): no resend.
    auto recorded = cluster("RJ-SJOB sid=4711 state=PENDING ended=0 msg=Priority\nRJ-SID id=7 sid=4711\n");
    Verdict v = engine::slurm_verdict(starting, facts(), recorded, kNow);
    CHECK(v.kind == Verdict::Kind::Queued);
    CHECK(v.note == "PENDING (Priority)");
}

TEST_CASE("an unreachable slurmctld concludes nothing", "[slurm]") {
    auto down = remote::parse_slurm_queue("RJ-SQUEUE error msg=Unable to contact slurm controller\n");
    auto f = facts();
    f.started = kNow - 50;
    auto running = slurm_job();
    running.status = store::status::running;
    CHECK(engine::slurm_verdict(running, f, down, kNow).kind == Verdict::Kind::Wait);
    CHECK(engine::slurm_verdict(slurm_job(), facts(), down, kNow).kind == Verdict::Kind::Wait);
}

TEST_CASE("sbatch options reach the host one quoted word each", "[slurm]") {
    remote::JobSpec spec;
    spec.id = 5;
    spec.command = "true";
    spec.session_prefix = "rj-abc-";
    remote::SlurmSubmit sub;
    sub.options = {"--partition=gpu", "--comment=it's; rm -rf ~"};
    std::string s = remote::slurm_submit_script(spec, sub);
    // The assignment, split as the script splits it, by a real sh.
    size_t at = s.find("\nRJ_SB=");
    REQUIRE(at != std::string::npos);
    std::string line = s.substr(at + 1, s.find('\n', at + 1) - at - 1);
    std::string prog = line + "\neval \"set -- $RJ_SB\"; printf '<%s>\\n' \"$@\"\n";
    char path[] = "/tmp/rj-slurm-unit-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, prog.data(), prog.size()) == static_cast<ssize_t>(prog.size()));
    close(fd);
    FILE* p = popen((std::string("sh ") + path).c_str(), "r");
    std::string out;
    char buf[256];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    unlink(path);
    CHECK(out == "<--partition=gpu>\n<--comment=it's; rm -rf ~>\n");
    CHECK(s.find("rj_main </dev/null") != std::string::npos);
    sub.options = {"partition=gpu"};
    CHECK_THROWS_AS(remote::slurm_submit_script(spec, sub), util::Error);
}

TEST_CASE("cleanup and remove keep a SLURM job's files until it has ended", "[slurm]") {
    for (const auto& shell : rjtest::shells()) {
        DYNAMIC_SECTION(shell.name) {
            rjtest::Sandbox sb(shell);
            // A job SLURM accepted long ago, waiting or running on a compute node:
            // no pid of this machine speaks for it.
            std::string j = sb.job_dir(5);
            sb.sh("mkdir -p '" + j + "' && echo 4711 > '" + j + "/slurm_id' && echo 1000 > '" + j + "/created'");
            auto kept = remote::parse_cleanup(sb.run(remote::cleanup_script(remote::kDefaultRjDir, 0, false)).out);
            CHECK(kept.empty());
            auto rm = remote::parse_remove(sb.run(remote::remove_job_files_script(remote::kDefaultRjDir, {5})).out);
            REQUIRE(rm.size() == 1);
            CHECK(rm[0].action == "running");
            // Ended: its files go like any job's.
            rjtest::write_file(j + "/exit", "kind=exit rc=0 code=0 sig=0 started=1000 ended=1001 user=0 sys=0\n");
            auto gone = remote::parse_cleanup(sb.run(remote::cleanup_script(remote::kDefaultRjDir, 0, false)).out);
            REQUIRE(gone.size() == 1);
            CHECK(gone[0].action == "removed");
        }
    }
}
