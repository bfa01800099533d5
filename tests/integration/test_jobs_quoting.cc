// User bytes through the real rj binary and a real host: commands, env
// values, descriptions and working directories with every kind of shell
// syntax, control bytes, non-ASCII and 100 kB must arrive exactly as typed.
#include "config.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "integration/rj_runner.h"

using namespace testing_support;
using namespace std::chrono_literals;

namespace {

std::string id_s(int64_t id) { return std::to_string(id); }

// The oracle for what `--json` must show, independent of rj's util/json.cc:
// Python's strict UTF-8 decoder (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF) with the documented "bytes that are not valid UTF-8
// appear as U+FFFD", one per byte, and Python's json module reading rj's
// output. Each record is the bytes rj was given, rj's `show --json` output
// and what to compare ("env": description and the env value; "cmd": the
// command). Returns one line per record: "ok", or what differs.
const char* kJsonOracle = R"PY(
import codecs, json, sys
codecs.register_error("rj_per_byte", lambda e: ("\ufffd" * (e.end - e.start), e.end))
for line in open(sys.argv[1]):
    given, shown, kind = line.rstrip("\n").split("\t")
    want = bytes.fromhex(given).decode("utf-8", "rj_per_byte")
    try:
        job = json.loads(bytes.fromhex(shown).decode("utf-8"))
    except ValueError as e:
        print("not JSON to Python: %s" % e)
        continue
    got = [job["description"], job["env"][0]["value"]] if kind == "env" else [job["command"]]
    bad = [g for g in got if g != want]
    print("ok" if not bad else "want %r, got %r" % (want, bad[0]))
)PY";

struct OracleCase {
    std::string given, shown, kind;
};

std::string hex(const std::string& s) {
    static const char* digits = "0123456789abcdef";
    std::string h;
    for (unsigned char c : s) {
        h += digits[c >> 4];
        h += digits[c & 15];
    }
    return h;
}

std::vector<std::string> python_json_oracle(const TestHosts& hosts, const std::vector<OracleCase>& cases) {
    std::string script = hosts.dir() + "/json_oracle.py", input = hosts.dir() + "/json_oracle.in";
    std::ofstream(script) << kJsonOracle;
    {
        std::ofstream in(input);
        for (const auto& c : cases) in << hex(c.given) << '\t' << hex(c.shown) << '\t' << c.kind << '\n';
    }
    std::string out;
    int status = run_shell("python3 " + shell_quote(script) + " " + shell_quote(input) + " 2>&1", &out);
    INFO(out);
    REQUIRE(status == 0);
    auto lines = split_lines(out);
    REQUIRE(lines.size() == cases.size());
    return lines;
}

// Random strings of the bytes and fragments that break naive quoting.
std::string nasty_string(std::mt19937& rng) {
    static const std::vector<std::string> pieces{
        "'",    "\"",     "$",     "$(id)", "`id`",   ";",      "|",        "&",     "&&",    "\t",
        "\n",   "\\",     "\\n",   " ",     "*",      "?",      "~",        "#",     "!",     "!!",
        "{",    "}",      "[",     "]",     "<",      ">",      "%s",       "%",     "\r",    "\x1b[31m",
        "\x7f", "${HOME}", "'\"'", "\"'\"", "$'\\x41'", "-e",   "--",       "é",     "日本語", "🚀",
        "\xC3", "\xFF",   "\x80",  "\x01",  "=",      "a=b",    "RJ-END\n", "\n\n",  "  ",    "\\\\'"};
    std::uniform_int_distribution<int> len(0, 40), kind(0, 3), piece(0, static_cast<int>(pieces.size()) - 1),
        byte(1, 255), ascii(32, 126);
    std::string s;
    int n = len(rng);
    for (int i = 0; i < n; ++i) {
        switch (kind(rng)) {
        case 0: s += pieces[static_cast<size_t>(piece(rng))]; break;
        case 1: s += static_cast<char>(byte(rng)); break;
        default: s += static_cast<char>(ascii(rng)); break;
        }
    }
    return s;
}

unsigned test_seed() {
    const char* env = std::getenv("RJ_TEST_SEED");
    return env && *env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : 20261125u;
}

std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s.substr(0, 300)) {
        if (c >= 32 && c < 127 && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out + (s.size() > 300 ? "...(" + std::to_string(s.size()) + " bytes)" : "");
}

}  // namespace

TEST_CASE("random nasty strings round-trip byte for byte as command, env value and description", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    unsigned seed = test_seed();
    INFO("seed " << seed << " (set RJ_TEST_SEED to change)");
    std::mt19937 rng(seed);

    std::vector<std::string> strings;
    for (int i = 0; i < 50; ++i) strings.push_back(nasty_string(rng));
    std::string big;
    while (big.size() < 100 * 1024) big += nasty_string(rng);
    big.resize(100 * 1024);
    if (big.back() == '\\') big.back() = 'x';
    strings.push_back(big);

    // Two jobs per string: the string as an env value and description, and
    // the string inside the command itself.
    // -e splits at commas (-e A=1,B=2, as remote-jobs): every comma of a
    // value is written \, so that the value arrives byte for byte.
    auto env_escaped = [](const std::string& v) {
        std::string e;
        for (char c : v) e += c == ',' ? std::string("\\,") : std::string(1, c);
        return e;
    };
    std::vector<std::vector<std::string>> runs;
    for (const auto& s : strings) {
        runs.push_back({"run", "--env=X=" + env_escaped(s), "--description=" + s, "alpha", "printf %s \"$X\""});
        runs.push_back({"run", "alpha", "printf '%s' " + shell_quote(s)});
    }
    auto started = f.rj.batch_all(runs, 4);
    std::vector<int64_t> ids;
    for (size_t i = 0; i < started.size(); ++i) {
        INFO("string " << i / 2 << ": " << printable(strings[i / 2]) << "\n" << started[i].describe());
        REQUIRE(started[i].status == 0);
        ids.push_back(std::stoll(started[i].out));
    }

    REQUIRE(eventually(
        [&] {
            f.rj.batch({"sync"});
            for (const auto& j : f.list({"--running"}))
                if (j["status"].str() == "running" || j["status"].str() == "starting") return false;
            return true;
        },
        60s, 300ms));

    std::vector<std::vector<std::string>> logs, shows;
    for (auto id : ids) {
        logs.push_back({"log", "--all", id_s(id)});
        shows.push_back({"show", "--json", id_s(id)});
    }
    auto log_results = f.rj.batch_all(logs, 4);
    auto show_results = f.rj.batch_all(shows, 8);
    std::vector<OracleCase> oracle_cases;
    std::vector<size_t> oracle_jobs;  // the job index of each oracle case

    for (size_t i = 0; i < ids.size(); ++i) {
        const std::string& s = strings[i / 2];
        bool in_env = i % 2 == 0;
        INFO("job " << ids[i] << ", string " << i / 2 << (in_env ? " as env/description" : " in the command") << ": "
                    << printable(s));
        INFO(log_results[i].describe());
        CHECK(log_results[i].status == 0);
        INFO("log: " << printable(log_results[i].out));
        CHECK(log_results[i].out == s);
        Json job;
        try {
            job = parse_json(show_results[i].out);
        } catch (const std::exception& e) {
            FAIL_CHECK("show --json is not valid JSON: " << e.what() << "\n" << show_results[i].describe());
            continue;
        }
        CHECK(job["status"].str() == "completed");
        if (in_env) {
            REQUIRE(job["env"].items.size() == 1);
            CHECK(job["env"].items[0]["name"].str() == "X");
            oracle_cases.push_back({s, show_results[i].out, "env"});
        } else {
            oracle_cases.push_back({"printf '%s' " + shell_quote(s), show_results[i].out, "cmd"});
        }
        oracle_jobs.push_back(i);
    }
    // What --json shows, by Python's decoder and json module.
    auto verdicts = python_json_oracle(hosts, oracle_cases);
    for (size_t k = 0; k < verdicts.size(); ++k) {
        size_t i = oracle_jobs[k];
        INFO("job " << ids[i] << ", string " << i / 2 << ": " << printable(strings[i / 2]) << "\n"
                    << show_results[i].describe());
        CHECK(verdicts[k] == "ok");
    }
}

TEST_CASE("show --json turns overlong, surrogate, out-of-range and cut-short UTF-8 into U+FFFD, one per byte, and keeps valid UTF-8", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    // Each is invalid UTF-8 that a lead-byte-and-continuation check lets
    // through; what --json must show, written out by hand (one U+FFFD per
    // byte, as documented).
    const std::string fffd = "\xEF\xBF\xBD";
    std::vector<std::pair<std::string, std::string>> invalid{
        {"overlong \xC0\xAF /", "overlong " + fffd + fffd + " /"},
        {"overlong \xE0\x80\xAF /", "overlong " + fffd + fffd + fffd + " /"},
        {"surrogate \xED\xA0\x80 !", "surrogate " + fffd + fffd + fffd + " !"},
        {"too big \xF4\x90\x80\x80 !", "too big " + fffd + fffd + fffd + fffd + " !"},
        {"no such lead \xF5\x80\x80\x80 !", "no such lead " + fffd + fffd + fffd + fffd + " !"},
        {"cut short \xE6\x97 and \xF0\x9F\x9A .", "cut short " + fffd + fffd + " and " + fffd + fffd + fffd + " ."},
        {"valid \xE6\x97\xA5 \xF0\x9F\x9A\x80 \xC3\xA9", "valid \xE6\x97\xA5 \xF0\x9F\x9A\x80 \xC3\xA9"}};
    for (const auto& [s, shown] : invalid) {
        int64_t id = f.run({"--description=" + s, "alpha", "true"});
        RjResult r = f.rj.batch({"show", "--json", id_s(id)});
        INFO(printable(s) << " -> " << printable(r.out));
        REQUIRE(r.status == 0);
        try {
            CHECK(parse_json(r.out)["description"].str() == shown);
        } catch (const std::exception& e) {
            FAIL_CHECK("show --json is not valid JSON: " << e.what());
        }
    }
}

TEST_CASE("a working directory with spaces, quotes and UTF-8 is used as given (-C)", "[jobs]") {
    TestHosts hosts({"alpha"});
    JobsFixture f(hosts);
    std::string home = f.on_host("alpha", "printf %s \"$HOME\"");
    std::string name = "dir with spaces 'single' \"double\" $(touch pwned) `x` ; é 日本";
    f.on_host("alpha", "mkdir -p ~/" + shell_quote(name));

    int64_t tilde = f.run({"-C", "~/" + name, "alpha", "pwd"});
    int64_t absolute = f.run({"--directory", home + "/" + name, "alpha", "pwd; ls -A"});
    REQUIRE(f.await_end(tilde)["status"].str() == "completed");
    REQUIRE(f.await_end(absolute)["status"].str() == "completed");

    CHECK(f.rj.batch({"log", id_s(tilde)}).out == home + "/" + name + "\n");
    CHECK(f.rj.batch({"log", id_s(absolute)}).out == home + "/" + name + "\n");  // and an empty directory
    CHECK(f.show(tilde)["workdir"].str() == "~/" + name);
    CHECK(f.show(absolute)["workdir"].str() == home + "/" + name);
    // Nothing in the name was run.
    CHECK(f.on_host("alpha", "find ~ -name pwned").empty());

    // A directory that does not exist: refused with the reason; the command
    // runs nowhere else and no job is left behind.
    auto before = f.list().size();
    RjResult missing = f.rj.batch({"run", "-C", "~/no such dir", "alpha", "touch ~/ran-anyway"});
    INFO(missing.describe());
    CHECK(missing.status == 1);
    CHECK(error_form_problem(missing.err) == "");
    CHECK(contains(missing.err, "no such dir"));
    CHECK(f.list().size() == before);
    CHECK(f.on_host("alpha", "ls ~/ran-anyway 2>/dev/null; true").empty());
}
