// Reproducible runs end to end: which code a job ran (git commit, branch,
// uncommitted changes), restart --exact on that code, diff of two jobs.
// Real git repositories in the harness hosts' homes, real sshd, real tmux.
#include "config.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

const char* kGit = "git -c user.name=test -c user.email=test@example.org";

// ~/repo on the host: sub/data.txt committed as v1.
void make_repo(JobsFixture& f, const std::string& host) {
    f.on_host(host, std::string("rm -rf ~/repo && mkdir -p ~/repo/sub && cd ~/repo && git init -q && "
                                "echo v1 > sub/data.txt && git add . && ") +
                        kGit + " commit -qm first");
}

std::string head_of(JobsFixture& f, const std::string& host) {
    std::string h = f.on_host(host, "git -C ~/repo rev-parse HEAD");
    return h.substr(0, h.find('\n'));
}

}  // namespace

TEST_CASE("a job in a repository records its commit and uncommitted changes; restart --exact runs that code; diff shows what changed", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    std::string first = head_of(f, "alpha");
    // An uncommitted change and an untracked file.
    f.on_host("alpha", "cd ~/repo && echo local-edit >> sub/data.txt && echo fresh > notes.txt");

    int64_t a = f.run({"-C", "~/repo/sub", "alpha", "cat data.txt"});
    Json ja = f.await_end(a);
    REQUIRE(ja["status"].str() == "completed");
    CHECK(ja["code_commit"].str() == first);
    CHECK(ja["code_branch"].str() != "");
    CHECK(contains(ja["code_summary"].str(), first.substr(0, 7)));
    CHECK(contains(ja["code_summary"].str(), "1 file changed, 1 untracked"));
    CHECK(ja["code_patch_bytes"].integer() > 0);
    CHECK_FALSE(ja["code_truncated"].boolean);
    CHECK(f.rj.batch({"log", id_s(a)}).out == "v1\nlocal-edit\n");
    std::string patch = f.on_host("alpha", "cat " + f.job_dir_of(a) + "/code.patch");
    CHECK(contains(patch, "+local-edit"));
    CHECK(contains(patch, "notes.txt"));
    RjResult show = f.rj.batch({"show", id_s(a)});
    CHECK(contains(show.out, "code:"));
    CHECK(contains(show.out, first));

    // The file changes again and is committed; the working tree is clean.
    f.on_host("alpha", std::string("cd ~/repo && rm notes.txt && git checkout -q sub/data.txt && echo v2 > sub/data.txt && ") +
                           kGit + " commit -qam second");
    std::string second = head_of(f, "alpha");
    int64_t b = f.run({"-C", "~/repo/sub", "alpha", "cat data.txt"});
    Json jb = f.await_end(b);
    CHECK(f.rj.batch({"log", id_s(b)}).out == "v2\n");
    CHECK(jb["code_commit"].str() == second);
    CHECK(contains(jb["code_summary"].str(), "clean"));

    // restart --exact: the old commit with the old uncommitted change.
    RjResult re = f.rj.batch({"restart", "--exact", id_s(a)});
    INFO(re.describe());
    REQUIRE(re.status == 0);
    int64_t c = std::stoll(re.out);
    Json jc = f.await_end(c);
    CHECK(jc["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(c)}).out == "v1\nlocal-edit\n");
    CHECK(jc["code_commit"].str() == first);
    CHECK(jc["code_patch_hash"].str() == ja["code_patch_hash"].str());
    CHECK(jc["exact"].boolean);
    // The user's own working tree is untouched.
    CHECK(f.on_host("alpha", "cat ~/repo/sub/data.txt") == "v2\n");

    // diff: the changed file, the commit range, the patches.
    RjResult d = f.rj.batch({"diff", id_s(a), id_s(b)});
    INFO(d.describe());
    CHECK(d.status == 1);
    CHECK(contains(d.out, "sub/data.txt"));
    CHECK(contains(d.out, second.substr(0, 7) + " second"));
    CHECK(contains(d.out, "-+local-edit"));
    RjResult same = f.rj.batch({"diff", id_s(a), id_s(c)});
    CHECK(contains(same.out, "commit:     same"));

    // Pruning the exact job removes its worktree from the repository's list.
    CHECK(contains(f.on_host("alpha", "git -C ~/repo worktree list"), "/jobs/" + id_s(c) + "/src"));
    RjResult prune = f.rj.batch({"prune"});
    INFO(prune.describe());
    CHECK(prune.status == 0);
    CHECK_FALSE(contains(f.on_host("alpha", "git -C ~/repo worktree list"), "/jobs/" + id_s(c) + "/src"));
}

TEST_CASE("restart --exact of a commit that is gone from the repository says so and runs nothing", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    int64_t id = f.run({"-C", "~/repo/sub", "alpha", "cat data.txt"});
    REQUIRE(f.await_end(id)["code_commit"].str() != "");
    // The repository is made anew: the recorded commit exists no more.
    f.on_host("alpha", std::string("rm -rf ~/repo && mkdir -p ~/repo/sub && cd ~/repo && git init -q && "
                                   "echo other > sub/data.txt && git add . && ") +
                           kGit + " commit -qm unrelated");
    size_t before = f.list().size();
    RjResult r = f.rj.batch({"restart", "--exact", id_s(id)});
    INFO(r.describe());
    CHECK(r.status == 1);
    CHECK(contains(r.err, "no longer in the repository"));
    CHECK(f.list().size() == before);  // nothing ran, nothing recorded
}

TEST_CASE("a job outside any repository records no code and runs normally; restart --exact refuses it", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t id = f.run({"-C", "/tmp", "alpha", "echo plain"});
    Json j = f.await_end(id);
    CHECK(j["status"].str() == "completed");
    CHECK(j["code_commit"].str() == "");
    CHECK(j["code_summary"].str() == "");
    RjResult r = f.rj.batch({"restart", "--exact", id_s(id)});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "recorded no code"));
    CHECK(error_form_problem(r.err).empty());
}

TEST_CASE("a patch over the snapshot limit is marked truncated and restart --exact refuses it with that reason", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    std::string cfg = hosts.dir() + "/rj.config";
    std::ofstream(cfg) << "snapshot_limit = 1K\n";
    f.rj.set_env("RJ_CONFIG", cfg);
    // A tracked file's change over the limit: the patch is cut there.
    f.on_host("alpha", "cd ~/repo && seq 1 2000 > sub/data.txt");
    int64_t id = f.run({"-C", "~/repo", "alpha", "wc -l < sub/data.txt"});
    Json j = f.await_end(id);
    CHECK(j["status"].str() == "completed");
    CHECK(j["code_truncated"].boolean);
    CHECK(j["code_patch_bytes"].integer() == 1024);
    CHECK(contains(j["code_summary"].str(), "truncated"));
    RjResult r = f.rj.batch({"restart", "--exact", id_s(id)});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "truncated"));

    // snapshot = off: nothing recorded at all.
    std::ofstream(cfg) << "snapshot = off\n";
    int64_t off = f.run({"-C", "~/repo", "alpha", "true"});
    CHECK(f.await_end(off)["code_commit"].str() == "");
}

TEST_CASE("on a host without git nothing is recorded and nothing fails", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    // The host's sshd gives its sessions a PATH of every tool but git (sshd's
    // SetEnv, as an admin would; the tmux server and the wrapper inherit it).
    f.on_host("alpha",
              "mkdir -p ~/nogit && for f in /usr/local/bin/* /usr/bin/* /bin/*; do n=${f##*/}; "
              "[ \"$n\" = git ] || [ -e ~/nogit/$n ] || ln -s \"$f\" ~/nogit/$n; done");
    std::string home = f.on_host("alpha", "echo $HOME");
    home = home.substr(0, home.find('\n'));
    hosts.stop("alpha");
    std::string cfg = hosts.dir() + "/hosts/alpha/sshd_config";
    REQUIRE(std::system(("sed -i 's|^SetEnv .*|& PATH=" + home + "/nogit|' '" + cfg + "'").c_str()) == 0);
    hosts.start("alpha");
    REQUIRE(f.on_host("alpha", "command -v git || echo none") == "none\n");
    int64_t id = f.run({"-C", "~/repo/sub", "alpha", "command -v git || echo no-git; cat data.txt"});
    Json j = f.await_end(id);
    CHECK(j["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(id)}).out == "no-git\nv1\n");
    CHECK(j["code_commit"].str() == "");
    CHECK(f.on_host("alpha", "ls " + f.job_dir_of(id) + "/code 2>/dev/null || echo none") == "none\n");
}

TEST_CASE("an untracked file bigger than the snapshot limit is never read: recorded by name and size, and restart --exact refuses", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    // 400 MB, sparse: reading it would cost seconds and memory; its size costs nothing.
    f.on_host("alpha", "cd ~/repo && truncate -s 400M big.bin && echo small > small.txt");
    int64_t id = f.run({"-C", "~/repo", "alpha", "echo ran"});
    Json j = f.await_end(id);
    REQUIRE(j["status"].str() == "completed");
    CHECK(j["code_truncated"].boolean);
    CHECK(j["code_patch_bytes"].integer() < 4096);
    std::string dir = f.job_dir_of(id);
    CHECK(f.on_host("alpha", "cat " + dir + "/code.left_out") == "419430400 big.bin\n");
    std::string patch = f.on_host("alpha", "cat " + dir + "/code.patch");
    CHECK(contains(patch, "small.txt"));
    CHECK_FALSE(contains(patch, "big.bin"));
    std::string log = f.rj.batch({"log", id_s(id)}).out;
    CHECK(contains(log, "were not read (names and sizes in code.left_out): big.bin"));
    CHECK(contains(log, "ran\n"));
    RjResult r = f.rj.batch({"restart", "--exact", id_s(id)});
    CHECK(r.status == 2);
    CHECK(contains(r.err, "truncated"));
    CHECK(contains(r.err, "code.left_out"));
}

TEST_CASE("untracked files with any bytes in their names are captured and restart --exact reproduces them", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    // Names git quotes without -z: non-ASCII, a newline, a leading dash, glob characters.
    f.on_host("alpha", "cd ~/repo && printf 'accent\\n' > 'modèle.txt' && printf 'nl\\n' > \"$(printf 'two\\nlines')\" && "
                       "printf 'dash\\n' > ./-x && printf 'glob\\n' > 'st*r[1]'");
    std::string cmd = "cat modèle.txt \"$(printf 'two\\nlines')\" ./-x 'st*r[1]'";
    int64_t id = f.run({"-C", "~/repo", "alpha", cmd});
    Json j = f.await_end(id);
    REQUIRE(j["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(id)}).out == "accent\nnl\ndash\nglob\n");
    CHECK_FALSE(j["code_truncated"].boolean);
    CHECK(contains(j["code_summary"].str(), "4 untracked"));
    // The files go from the working tree; restart --exact brings them back.
    f.on_host("alpha", "cd ~/repo && git clean -qfx");
    RjResult re = f.rj.batch({"restart", "--exact", id_s(id)});
    INFO(re.describe());
    REQUIRE(re.status == 0);
    int64_t again = std::stoll(re.out);
    Json ja = f.await_end(again);
    CHECK(ja["status"].str() == "completed");
    CHECK(f.rj.batch({"log", id_s(again)}).out == "accent\nnl\ndash\nglob\n");
    CHECK(ja["code_patch_hash"].str() == j["code_patch_hash"].str());
}

TEST_CASE("files matching snapshot_exclude are never captured and are listed as excluded", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    std::string cfg = hosts.dir() + "/rj.config";
    std::ofstream(cfg) << "snapshot_exclude = *.ckpt\n";  // added to the built-in secrets
    f.rj.set_env("RJ_CONFIG", cfg);
    // A tracked key file, then changed; untracked secrets beside ordinary files.
    f.on_host("alpha", std::string("cd ~/repo && echo old > sub/id_rsa && git add sub/id_rsa && ") + kGit +
                           " commit -qm key && echo SECRET-TRACKED > sub/id_rsa && echo SECRET-ENV > .env && "
                           "echo SECRET-LOCAL > sub/.env.local && echo SECRET-PEM > key.pem && "
                           "echo SECRET-NETRC > .netrc && echo SECRET-CKPT > model.ckpt && echo fine > notes.txt");
    int64_t id = f.run({"-C", "~/repo", "alpha", "echo ran"});
    Json j = f.await_end(id);
    REQUIRE(j["status"].str() == "completed");
    std::string dir = f.job_dir_of(id);
    std::string patch = f.on_host("alpha", "cat " + dir + "/code.patch");
    CHECK(contains(patch, "notes.txt"));
    CHECK_FALSE(contains(patch, "SECRET"));
    std::string excluded = f.on_host("alpha", "sort " + dir + "/code.excluded");
    CHECK(excluded == ".env\n.netrc\nkey.pem\nmodel.ckpt\nsub/.env.local\nsub/id_rsa\n");
    CHECK(contains(f.rj.batch({"log", id_s(id)}).out, "6 file(s) matching snapshot_exclude were not captured"));
    // A pattern that would take a default back is refused.
    std::ofstream(cfg) << "snapshot_exclude = !.env\n";
    RjResult bad = f.rj.batch({"run", "-C", "~/repo", "alpha", "true"});
    CHECK(bad.status == 1);  // a config error, as every bad config line
    CHECK(contains(bad.err, "snapshot_exclude: '!.env' cannot start with ! or #"));
}

TEST_CASE("a code snapshot stops at snapshot_timeout and is recorded as truncated; the job still runs", "[code]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    make_repo(f, "alpha");
    // A git that takes 60 s to list untracked files, first on the sessions' PATH.
    f.on_host("alpha", "mkdir -p ~/slowgit && printf '#!/bin/sh\\ncase \" $* \" in *\" ls-files \"*) sleep 60 ;; esac\\n"
                       "exec /usr/bin/git \"$@\"\\n' > ~/slowgit/git && chmod +x ~/slowgit/git && echo x > ~/repo/new.txt");
    std::string home = f.on_host("alpha", "echo $HOME");
    home = home.substr(0, home.find('\n'));
    hosts.setenv("alpha", "PATH=" + home + "/slowgit:/usr/local/bin:/usr/bin:/bin");
    std::string cfg = hosts.dir() + "/rj.config";
    std::ofstream(cfg) << "snapshot_timeout = 2s\n";
    f.rj.set_env("RJ_CONFIG", cfg);
    int64_t id = f.run({"-C", "~/repo", "alpha", "echo ran"});
    Json j = f.await_end(id, 45000ms);
    REQUIRE(j["status"].str() == "completed");
    CHECK(j["code_truncated"].boolean);
    std::string log = f.rj.batch({"log", id_s(id)}).out;
    CHECK(contains(log, "code snapshot: stopped at its time bound (2 s); recorded as truncated"));
    CHECK(contains(log, "ran\n"));
}
