// The batch command line of jobs through the real rj binary: bad input is
// refused before anything is recorded or sent, prune, host info with GPUs,
// and the man page covering every command and flag.
#include "config.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "integration/rj_runner.h"

#ifndef RJ_SRCDIR
#error "RJ_SRCDIR must name the top source directory"
#endif

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// Everything a user could see change: local history and the host's rj state.
struct Snapshot {
    std::string list;
    std::vector<std::string> sessions, dirs;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(JobsFixture& f) {
    RjResult l = f.rj.batch({"list", "--json", "--limit", "0"});
    return {l.out, f.sessions("alpha"), f.job_dirs("alpha")};
}

// `rj -b help CMD` lists 78 long flags over 15 commands (at 58f2176): the
// man-page flag test must have compared at least this many, or its parser
// read nothing (lower these when flags are removed on purpose).
constexpr size_t kMinFlags = 75;
constexpr size_t kMinCommandsWithFlags = 15;

// The man page's BATCH MODE section with roff escapes for '-' and fonts undone.
std::string man_batch_section() {
    std::ifstream in(RJ_SRCDIR "/man/rj.1");
    std::stringstream all;
    all << in.rdbuf();
    std::string text = all.str();
    auto start = text.find(".SH BATCH MODE");
    if (start == std::string::npos) return "";
    auto end = text.find("\n.SH ", start + 1);
    std::string s = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    s = std::regex_replace(s, std::regex(R"(\\f[BIRP])"), "");
    s = std::regex_replace(s, std::regex(R"(\\-)"), "-");
    return s;
}

// Command names from `rj -b help` ("host info" counts as "host").
std::vector<std::string> registered_commands(Rj& rj) {
    RjResult r = rj.batch({"help"});
    REQUIRE(r.status == 0);
    std::vector<std::string> names;
    bool in_list = false;
    for (const auto& line : split_lines(r.out)) {
        if (line == "Commands:") {
            in_list = true;
            continue;
        }
        if (in_list && line.empty()) break;
        if (in_list) {
            std::istringstream words(line);
            std::string name;
            if (words >> name) names.push_back(name);
        }
    }
    return names;
}

}  // namespace

TEST_CASE("bad input gets one rj: line on stderr, exit 2 or 1, and nothing is recorded or sent", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t done = f.run({"alpha", "true"});
    REQUIRE(f.await_end(done)["status"].str() == "completed");
    Snapshot before = snapshot(f);

    struct Bad {
        std::vector<std::string> args;
        int status;
    };
    std::vector<Bad> cases{
        {{"run", "nohost", "true"}, 2},
        {{"run", "--timeout", "5x", "alpha", "true"}, 2},
        {{"run", "--timeout", "", "alpha", "true"}, 2},
        {{"run", "--timeout", "-5s", "alpha", "true"}, 2},
        {{"run", "-e", "FOO", "alpha", "true"}, 2},
        {{"run", "--env", "=value", "alpha", "true"}, 2},
        {{"run", "-e", "BAD NAME=x", "alpha", "true"}, 2},
        {{"run", "alpha"}, 2},
        {{"run", "alpha", "  "}, 2},
        {{"run", "--from", "999", "alpha", "true"}, 1},
        {{"run", "--no-such-flag", "alpha", "true"}, 2},
        {{"log", "999"}, 1},
        {{"log", "abc"}, 2},
        {{"log", "--from", "5", "--to", "2", id_s(done)}, 2},
        {{"log", "-n", "-1", id_s(done)}, 2},
        {{"log", "--all", "-n", "5", id_s(done)}, 2},
        {{"queue", "remove", "alpha"}, 2},
        {{"queue", "remove", id_s(done)}, 2},
        {{"cleanup", "alpha", "--older-than", "99999999"}, 2},
        {{"kill", "999"}, 1},
        {{"show", "999"}, 1},
        {{"show", "--json", "999"}, 1},
        {{"describe", "999", "text"}, 1},
        {{"restart", "999"}, 1},
        {{"status"}, 2},
        {{"prune", "--older-than", "3q"}, 2},
        {{"cleanup", "nohost"}, 2},
        {{"host", "info", "nohost"}, 2},
        {{"list", "--limit", "many"}, 2},
        {{"frobnicate"}, 2},
    };
    for (const auto& c : cases) {
        RjResult r = f.rj.batch(c.args);
        std::string shown;
        for (const auto& a : c.args) shown += " '" + a + "'";
        INFO("rj -b" << shown << "\n" << r.describe());
        CHECK(r.status == c.status);
        CHECK(error_form_problem(r.err) == "");
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 3);  // a line and a short hint, not a dump
        CHECK(r.out.empty());
    }

    // status of an unknown id is an answer, not an error: exit 3.
    RjResult unknown = f.rj.batch({"status", "999"});
    CHECK(unknown.status == 3);
    CHECK(unknown.out == "999\tnot found\n");

    CHECK(snapshot(f) == before);
}

TEST_CASE("prune --dry-run deletes nothing; prune removes finished jobs and their directories, never running ones",
          "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t ok = f.run({"alpha", "true"});
    int64_t bad = f.run({"alpha", "exit 2"});
    int64_t dead = f.run({"alpha", "sleep 60"});
    int64_t running = f.run({"alpha", "sleep 60"});
    REQUIRE(f.await_status(dead, "running", 15s));
    f.on_host("alpha", "tmux kill-session -t " + f.session_of(dead));
    REQUIRE(f.await_end(ok)["status"].str() == "completed");
    REQUIRE(f.await_end(bad)["status"].str() == "failed");
    REQUIRE(f.await_end(dead)["status"].str() == "dead");
    REQUIRE(f.status_of(running) == "running");

    Snapshot before = snapshot(f);
    REQUIRE(before.dirs.size() == 4);
    RjResult dry = f.rj.batch({"prune", "--dry-run"});
    INFO(dry.describe());
    CHECK(dry.status == 0);
    // One line per job that would go, naming its id first.
    std::set<int64_t> listed;
    std::regex first_number(R"((\d+))");
    for (const auto& line : split_lines(dry.out)) {
        std::smatch m;
        if (std::regex_search(line, m, first_number)) listed.insert(std::stoll(m[1].str()));
    }
    CHECK(listed == std::set<int64_t>{ok, bad, dead});
    CHECK(snapshot(f) == before);

    // Jobs that ended a moment ago are not older than an hour.
    RjResult young = f.rj.batch({"prune", "--older-than", "1h"});
    INFO(young.describe());
    CHECK(young.status == 0);
    CHECK(snapshot(f).list == before.list);

    RjResult dead_only = f.rj.batch({"prune", "--dead-only"});
    INFO(dead_only.describe());
    CHECK(dead_only.status == 0);
    auto left = f.list();
    CHECK(left.size() == 3);
    for (const auto& j : left) CHECK(j["id"].integer() != dead);

    RjResult prune = f.rj.batch({"prune"});
    INFO(prune.describe());
    CHECK(prune.status == 0);
    left = f.list();
    REQUIRE(left.size() == 1);
    CHECK(left[0]["id"].integer() == running);
    CHECK(left[0]["status"].str() == "running");
    CHECK(f.job_dirs("alpha") == std::vector<std::string>{id_s(running)});
    CHECK(f.sessions("alpha") == std::vector<std::string>{f.session_of(running)});
    // The running job is still tracked to its end.
    RjResult k = f.rj.batch({"kill", id_s(running)});
    CHECK(k.status == 0);
    CHECK(f.status_of(running) == "killed");
}

TEST_CASE("cleanup notes a job that died without an end record, and removes it once DUR has passed since", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    int64_t dead = f.run({"alpha", "sleep 60"});
    REQUIRE(f.await_status(dead, "running", 15s));
    std::string dir = f.job_dir_of(dead);
    // The wrapper and the job killed outright: no end record is ever written.
    f.on_host("alpha", "kill -9 $(cat " + dir + "/wpid) -$(cat " + dir + "/pgid)");
    REQUIRE(f.await_end(dead)["status"].str() == "dead");
    REQUIRE(f.on_host("alpha", "test -f " + dir + "/exit && echo exit || echo none") == "none\n");

    // Its end has no time: the first cleanup only notes it, however old the job.
    RjResult first = f.rj.batch({"cleanup", "alpha", "--older-than", "1s"});
    INFO(first.describe());
    CHECK(first.status == 0);
    CHECK(contains(first.out, "noted job " + id_s(dead) + " (dead)"));
    CHECK(f.on_host("alpha", "test -d " + dir + " && echo there || echo gone") == "there\n");
    bool removed = eventually([&] {
        RjResult c = f.rj.batch({"cleanup", "alpha", "--older-than", "1s"});
        INFO(c.describe());
        REQUIRE(c.status == 0);
        return contains(c.out, "removed job " + id_s(dead) + " (dead)");
    }, 15000ms, 300ms);
    CHECK(removed);
    CHECK(f.on_host("alpha", "test -d " + dir + " && echo there || echo gone") == "gone\n");
}

TEST_CASE("host info lists the GPUs that nvidia-smi reports", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);

    RjResult plain = f.rj.batch({"host", "info", "alpha"});
    INFO(plain.describe());
    REQUIRE(plain.status == 0);
    CHECK(contains(plain.out, "gpus:     none"));

    // A stand-in for nvidia-smi in the host user's ~/bin, which rj puts on the
    // PATH of its remote scripts (non-interactive ssh reads no profile). It
    // answers --query-gpu like the real one, in the CSV format it documents.
    const std::string fake = R"SH(#!/bin/sh
query= format=
for a in "$@"; do
  case $a in
    --query-gpu=*) query=${a#*=} ;;
    --format=*) format=${a#*=} ;;
    *) echo "fake nvidia-smi: unsupported argument $a" >&2; exit 2 ;;
  esac
done
case ",$format," in *,csv,*) ;; *) echo 'fake nvidia-smi: needs --format=csv' >&2; exit 2 ;; esac
units=yes; case ",$format," in *,nounits,*) units=no ;; esac
field() {  # field gpu-index
  case $1 in
    index) echo "$2" ;;
    name) if [ "$2" = 0 ]; then echo "NVIDIA A100-SXM4-80GB"; else echo "NVIDIA GeForce RTX 4090"; fi ;;
    utilization.gpu) v=$([ "$2" = 0 ] && echo 37 || echo 0); [ $units = yes ] && v="$v %"; echo "$v" ;;
    memory.used) v=$([ "$2" = 0 ] && echo 1024 || echo 3); [ $units = yes ] && v="$v MiB"; echo "$v" ;;
    memory.total) v=$([ "$2" = 0 ] && echo 81920 || echo 24564); [ $units = yes ] && v="$v MiB"; echo "$v" ;;
    *) echo "Field \"$1\" is not a valid field to query." >&2; return 1 ;;
  esac
}
case ",$format," in
  *,noheader,*) ;;
  *) echo "$query" | sed 's/,/, /g' ;;
esac
for g in 0 1; do
  line= sep=
  for q in $(echo "$query" | tr ',' ' '); do
    v=$(field "$q" "$g") || exit 2
    line="$line$sep$v"; sep=', '
  done
  echo "$line"
done
)SH";
    f.on_host("alpha", "mkdir -p ~/bin && cat > ~/bin/nvidia-smi <<'EOF'\n" + fake + "EOF\nchmod +x ~/bin/nvidia-smi");
    // The stand-in itself behaves.
    CHECK(f.on_host("alpha", "~/bin/nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits") ==
          "0, NVIDIA A100-SXM4-80GB, 81920\n1, NVIDIA GeForce RTX 4090, 24564\n");

    RjResult info = f.rj.batch({"host", "info", "alpha"});
    INFO(info.describe());
    REQUIRE(info.status == 0);
    CHECK_FALSE(contains(info.out, "gpus:     none"));
    std::string gpu0, gpu1;
    for (const auto& line : split_lines(info.out)) {
        if (contains(line, "A100")) gpu0 = line;
        if (contains(line, "4090")) gpu1 = line;
    }
    CHECK(contains(gpu0, "NVIDIA A100-SXM4-80GB"));
    CHECK(contains(gpu0, "37%"));
    CHECK(contains(gpu0, "1024"));
    CHECK(contains(gpu0, "81920"));
    CHECK(contains(gpu1, "NVIDIA GeForce RTX 4090"));
    CHECK(contains(gpu1, "0%"));
    CHECK(contains(gpu1, "24564"));

    // An nvidia-smi without a driver behind it fails; host info still answers.
    f.on_host("alpha", "printf '#!/bin/sh\\necho \"NVIDIA-SMI has failed because it couldn'\"'\"'t communicate with the "
                       "NVIDIA driver.\"\\nexit 9\\n' > ~/bin/nvidia-smi");
    RjResult broken = f.rj.batch({"host", "info", "alpha"});
    INFO(broken.describe());
    CHECK(broken.status == 0);
    CHECK(contains(broken.out, "cpus:"));
    CHECK_FALSE(contains(broken.out, "A100"));
}

TEST_CASE("every registered batch command appears in the BATCH MODE section of man/rj.1", "[jobs]") {
    TestHosts hosts({"alpha"});
    Rj rj(hosts);
    auto names = registered_commands(rj);
    REQUIRE(names.size() >= 13);
    std::string man = man_batch_section();
    REQUIRE_FALSE(man.empty());
    for (const auto& name : names) {
        INFO("command " << name);
        CHECK(std::regex_search(man, std::regex("\n\\.SS \"?" + name + "( |\"|\n)")));
    }
}

TEST_CASE("every flag of every batch command appears in the BATCH MODE section of man/rj.1", "[jobs]") {
    TestHosts hosts({"alpha"});
    Rj rj(hosts);
    std::string man = man_batch_section();
    REQUIRE_FALSE(man.empty());
    std::regex long_flag(R"((--[a-z][a-z0-9-]*))");
    // How many flags were compared, and of how many commands: a help format
    // this parser no longer reads would otherwise compare nothing and pass.
    size_t flags_checked = 0;
    std::set<std::string> commands_with_flags;
    for (const auto& name : registered_commands(rj)) {
        RjResult help = rj.batch({"help", name});
        REQUIRE(help.status == 0);
        bool in_options = false;
        for (const auto& line : split_lines(help.out)) {
            if (line == "Options:") in_options = true;
            if (!in_options || !starts_with(line, "  -")) continue;
            // Only the flag column, not the description.
            std::string flags = line.substr(0, line.find("  ", 2));
            for (std::sregex_iterator it(flags.begin(), flags.end(), long_flag), end; it != end; ++it) {
                INFO("rj -b " << name << " " << it->str());
                CHECK(contains(man, it->str()));
                ++flags_checked;
                commands_with_flags.insert(name);
            }
        }
    }
    INFO(flags_checked << " flags of " << commands_with_flags.size() << " commands compared");
    CHECK(commands_with_flags.size() >= kMinCommandsWithFlags);
    CHECK(flags_checked >= kMinFlags);
}
