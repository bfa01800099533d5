// Host arguments as ssh takes them (user@host, ssh:// URIs, addresses) and
// the system-wide config read after the user's (issue 28).
#include "config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "ssh/destination.h"
#include "ssh/ssh_config.h"
#include "test_support.h"
#include "util/error.h"

using ssh::parse_destination;
using ssh::SshConfig;
using test_support::ScopedEnv;
using test_support::TempDir;

namespace {

void write_file(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("destinations: alias, user@host, ssh:// URIs, bracketed addresses", "[ssh_config][destination]") {
    auto d = parse_destination("gpu1");
    CHECK(d.host == "gpu1");
    CHECK_FALSE(d.user);
    CHECK_FALSE(d.port);

    d = parse_destination("rjh-h1@127.0.0.21");
    CHECK(d.typed == "rjh-h1@127.0.0.21");
    CHECK(d.host == "127.0.0.21");
    CHECK(d.user == std::optional<std::string>("rjh-h1"));

    d = parse_destination("alice@bob@box");  // ssh splits at the last '@'
    CHECK(d.user == std::optional<std::string>("alice@bob"));
    CHECK(d.host == "box");

    d = parse_destination("ssh://deploy@web.example.com:2222");
    CHECK(d.user == std::optional<std::string>("deploy"));
    CHECK(d.host == "web.example.com");
    CHECK(d.port == std::optional<int>(2222));

    d = parse_destination("ssh://b%41b@[2001:db8::1]:22/");
    CHECK(d.user == std::optional<std::string>("bAb"));
    CHECK(d.host == "2001:db8::1");
    CHECK(d.port == std::optional<int>(22));

    d = parse_destination("root@[::1]");
    CHECK(d.host == "::1");
    CHECK(parse_destination("::1").host == "::1");

    for (const char* bad : {"", "user@", "@host", "ssh://host/path", "ssh://host:0", "ssh://host:99999",
                            "ssh://host:", "ssh://a;x=y@host", "-oProxyCommand=x", "two words", "ssh://[::1"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_destination(bad), util::UsageError);
    }
}

TEST_CASE("user and port from the destination beat the config, and Match user sees them",
          "[ssh_config][destination]") {
    auto cfg = SshConfig::parse(
        "Host web\n  HostName web.example.com\n  User config-user\n  Port 2200\n"
        "Match user deploy\n  ConnectTimeout 7\n"
        "Host *\n  User star\n",
        "cfg");
    auto h = cfg.resolve("deploy@web");
    CHECK(h.alias == "deploy@web");
    CHECK(h.hostname == "web.example.com");
    CHECK(h.user == "deploy");
    CHECK(h.port == 2200);
    CHECK(h.connect_timeout_s == 7);

    h = cfg.resolve("ssh://web:2999");
    CHECK(h.user == "config-user");
    CHECK(h.port == 2999);
    CHECK(h.connect_timeout_s == 0);

    h = cfg.resolve("10.1.2.3");
    CHECK(h.hostname == "10.1.2.3");
    CHECK(h.user == "star");
    CHECK(h.port == 22);
}

TEST_CASE("the system-wide config is read after the user's; relative Includes from its directory",
          "[ssh_config][destination]") {
    TempDir home;
    ScopedEnv home_env("HOME", home.path());
    ScopedEnv user_env("USER", std::string("tester"));
    const std::string user = home.path() + "/.ssh/config";
    const std::string etc = home.path() + "/etc-ssh";
    write_file(user, "Host alpha\n  Port 2201\n");
    write_file(etc + "/ssh_config", "Include ssh_config.d/*.conf\nHost *\n  Port 9\n  User site\n");
    write_file(etc + "/ssh_config.d/10-site.conf", "Match originalhost c3\n  HostName 10.3.3.3\n  User c3-user\n");

    auto both = SshConfig::load(user, etc + "/ssh_config");
    auto a = both.resolve("alpha");
    CHECK(a.port == 2201);  // the user's file first: its value wins
    CHECK(a.user == "site");
    auto c3 = both.resolve("c3");
    CHECK(c3.hostname == "10.3.3.3");
    CHECK(c3.user == "c3-user");
    CHECK(c3.port == 9);

    // -F (no system path): the user's file alone, as ssh -F.
    auto alone = SshConfig::load(user);
    CHECK(alone.resolve("alpha").user == "tester");
    CHECK(alone.resolve("c3").hostname == "c3");

    {
        ScopedEnv sys("RJ_SSH_SYSTEM_CONFIG", etc + "/ssh_config");
        CHECK(ssh::default_ssh_system_config_path() == etc + "/ssh_config");
    }
    ScopedEnv sys("RJ_SSH_SYSTEM_CONFIG", std::nullopt);
    CHECK(ssh::default_ssh_system_config_path() == "/etc/ssh/ssh_config");
}

TEST_CASE("CanonicalizeHostname: fallback keeps the name, the second pass matches Host against it; "
          "FallbackLocal no refuses",
          "[ssh_config][destination]") {
    auto cfg = SshConfig::parse(
        "CanonicalizeHostname yes\nCanonicalDomains nonexistent.invalid\n"
        "Host short\n  HostName target.example.org\n"
        "Host target.example.org\n  Port 2302\n",
        "cfg");
    CHECK(cfg.resolve("short").port == 2302);  // matched on the second pass only

    auto strict = SshConfig::parse(
        "CanonicalizeHostname yes\nCanonicalDomains nonexistent.invalid\nCanonicalizeFallbackLocal no\n", "cfg");
    CHECK_THROWS_AS(strict.resolve("nosuchname"), util::Error);
    // Addresses and names with more dots than CanonicalizeMaxDots are left alone.
    CHECK(strict.resolve("10.0.0.1").hostname == "10.0.0.1");
    CHECK(strict.resolve("a.b.example").hostname == "a.b.example");
}
