// store::Config: rj's INI-style settings file.
#include "config.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>

#include "store/config_file.h"
#include "test_support.h"
#include "util/error.h"

using store::Config;
using std::chrono::seconds;

namespace {

// The message of the util::Error that parsing `text` throws ("" if none).
std::string parse_error(const std::string& text, std::string* hint = nullptr) {
    try {
        Config::parse(text, "config");
    } catch (const util::Error& e) {
        if (hint) *hint = e.hint();
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("an empty config gives the defaults", "[config]") {
    Config c = Config::parse("", "config");
    CHECK(c.sync_interval == seconds(15));
    CHECK(c.log_interval == seconds(2));
    CHECK(c.meter_interval == seconds(10));
    CHECK(c.remote_dir == "~/.cache/rj");
    CHECK_FALSE(c.mouse);
    CHECK(c.color == "auto");
    CHECK(c.default_timeout == seconds(0));
    CHECK_FALSE(c.accept_new_host_keys);
    CHECK(c.hosts.empty());
    CHECK(c.pools.empty());
    CHECK(c.warnings.empty());
}

TEST_CASE("a full config sets defaults, hosts and pools", "[config]") {
    Config c = Config::parse(
        "# rj settings\n"
        "sync_interval = 30s\n"
        "mouse = yes\r\n"
        "[defaults]\n"
        "  log_interval=1s   # fast logs\n"
        "meter_interval = 1m\n"
        "remote_dir = ~/.rj\n"
        "color = never\n"
        "timeout = 2h30m\n"
        "accept_new_host_keys = true\n"
        "\n"
        "[host gpu1]\n"
        "max_sessions = 4\n"
        "description = the big box\n"
        "remote_dir = /scratch/me/rj\n"
        "[host mac]\n"
        "[  pool   gpus ]\n"
        "hosts = gpu1, gpu2  gpu3\n",
        "config");
    CHECK(c.warnings.empty());
    CHECK(c.sync_interval == seconds(30));
    CHECK(c.log_interval == seconds(1));
    CHECK(c.meter_interval == seconds(60));
    CHECK(c.remote_dir == "~/.rj");
    CHECK(c.mouse);
    CHECK(c.color == "never");
    CHECK(c.default_timeout == seconds(9000));
    CHECK(c.accept_new_host_keys);
    REQUIRE(c.hosts.size() == 2);
    CHECK(c.hosts.at("gpu1").name == "gpu1");
    CHECK(c.hosts.at("gpu1").max_sessions == 4);
    CHECK(c.hosts.at("gpu1").description == "the big box");
    CHECK(c.hosts.at("mac").name == "mac");
    CHECK(c.hosts.at("mac").max_sessions == 8);
    REQUIRE(c.pools.count("gpus"));
    CHECK(c.pools.at("gpus").hosts == std::vector<std::string>{"gpu1", "gpu2", "gpu3"});
    CHECK(c.remote_dir_for("gpu1") == "/scratch/me/rj");
    CHECK(c.remote_dir_for("mac") == "~/.rj");
    CHECK(c.remote_dir_for("never-configured") == "~/.rj");
    CHECK(c.max_sessions_for("gpu1") == 4);
    CHECK(c.max_sessions_for("other") == 8);
}

TEST_CASE("color accepts auto, always, never and booleans", "[config]") {
    CHECK(Config::parse("color = ALWAYS", "c").color == "always");
    CHECK(Config::parse("color = off", "c").color == "never");
    CHECK(Config::parse("color = 1", "c").color == "always");
    CHECK_THAT(parse_error("color = rainbow"), Catch::Contains("config:1:"));
}

TEST_CASE("unknown keys and sections are warnings with their line numbers", "[config]") {
    Config c = Config::parse(
        "sync_interval = 5s\n"
        "frobnicate = 1\n"
        "\n"
        "[host x]\n"
        "# comment\n"
        "max_sessions = 2\n"
        "foo = bar\n"
        "[pool p]\n"
        "hosts = x\n"
        "weight = 3\n"
        "[remote y]\n"
        "anything = goes\n",
        "config");
    REQUIRE(c.warnings.size() == 4);
    CHECK(c.warnings[0] == "config:2: unknown key 'frobnicate' in [defaults]");
    CHECK(c.warnings[1] == "config:7: unknown key 'foo' in [host x]");
    CHECK(c.warnings[2] == "config:10: unknown key 'weight' in [pool p]");
    CHECK_THAT(c.warnings[3], Catch::StartsWith("config:11: unknown section [remote y]"));
    // The known keys around them still apply.
    CHECK(c.sync_interval == seconds(5));
    CHECK(c.hosts.at("x").max_sessions == 2);
}

TEST_CASE("a malformed line is an error naming its line", "[config]") {
    std::string hint;
    std::string err = parse_error("sync_interval = 5s\n\n[host a]\ngarbage without equals\n", &hint);
    CHECK_THAT(err, Catch::StartsWith("config:4: "));
    CHECK_THAT(err, Catch::Contains("garbage without equals"));
    CHECK_FALSE(hint.empty());
    CHECK_THAT(parse_error("[host a\nk = v\n"), Catch::StartsWith("config:1: bad section header"));
    CHECK_THAT(parse_error("\n[host]\n"), Catch::StartsWith("config:2: "));
    CHECK_THAT(parse_error("\n\n[host a b]\n"), Catch::StartsWith("config:3: "));
    CHECK_THAT(parse_error("[]\n"), Catch::StartsWith("config:1: "));
    CHECK_THAT(parse_error("x = 1\n = value\n"), Catch::StartsWith("config:2: missing key"));
}

TEST_CASE("bad values are errors naming their line", "[config]") {
    std::string hint;
    std::string err = parse_error("mouse = no\nsync_interval = soon\n", &hint);
    CHECK_THAT(err, Catch::StartsWith("config:2: sync_interval: 'soon' is not a duration"));
    CHECK_THAT(hint, Catch::Contains("1h30m"));
    CHECK_THAT(parse_error("timeout = 1h30\n"), Catch::StartsWith("config:1: "));
    CHECK_THAT(parse_error("log_interval = 0s\n"), Catch::StartsWith("config:1: log_interval must be longer"));
    CHECK_THAT(parse_error("[host a]\nmax_sessions = many\n"), Catch::StartsWith("config:2: max_sessions"));
    CHECK_THAT(parse_error("[host a]\nmax_sessions = 0\n"), Catch::StartsWith("config:2: "));
    CHECK_THAT(parse_error("[host a]\nmax_sessions = -3\n"), Catch::StartsWith("config:2: "));
    CHECK_THAT(parse_error("mouse = maybe\n"), Catch::StartsWith("config:1: mouse"));
    CHECK_THAT(parse_error("[pool p]\nhosts = , ,\n"), Catch::StartsWith("config:2: "));
    CHECK_THAT(parse_error("remote_dir =\n"), Catch::StartsWith("config:1: remote_dir is empty"));
    CHECK(Config::parse("timeout = 0", "c").default_timeout == seconds(0));
}

TEST_CASE("load reads a file, and a missing file gives the defaults", "[config]") {
    test_support::TempDir tmp;
    Config missing = Config::load(tmp / "nope/config");
    CHECK(missing.sync_interval == seconds(15));
    CHECK(missing.warnings.empty());

    std::string path = tmp / "config";
    std::ofstream(path) << "meter_interval = 3s\nbogus = 1\n";
    Config c = Config::load(path);
    CHECK(c.meter_interval == seconds(3));
    REQUIRE(c.warnings.size() == 1);
    CHECK(c.warnings[0] == path + ":2: unknown key 'bogus' in [defaults]");

    std::ofstream(path) << "sync_interval = later\n";
    try {
        Config::load(path);
        FAIL("a bad value should throw");
    } catch (const util::Error& e) {
        CHECK_THAT(e.what(), Catch::StartsWith(path + ":1: "));
    }
    CHECK_THROWS_AS(Config::load(tmp.path()), util::Error);  // a directory is not a config file
}
