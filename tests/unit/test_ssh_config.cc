// ssh_config parsing and resolution, checked against OpenSSH's documented
// behaviour and, where `ssh` is installed, against `ssh -G` itself.
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ssh/host_pattern.h"
#include "ssh/ssh_config.h"
#include "util/error.h"
#include "test_support.h"
#include "precondition.h"

using ssh::HostConfig;
using ssh::SshConfig;
using Strict = HostConfig::StrictHostKey;

namespace {

using test_support::TempDir;

// Sets (or unsets, with nullptr) an environment variable for one scope.
class EnvVar {
public:
    EnvVar(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) setenv(name, value, 1);
        else unsetenv(name);
    }
    ~EnvVar() {
        if (old_) setenv(name_.c_str(), old_->c_str(), 1);
        else unsetenv(name_.c_str());
    }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

void write_file(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
}

// A temporary $HOME with an empty ~/.ssh, and a fixed $USER.
struct FakeHome {
    TempDir dir;
    EnvVar home{"HOME", dir.path().c_str()};
    EnvVar user{"USER", "tester"};
    FakeHome() { std::filesystem::create_directories(dir.path() + "/.ssh"); }
    std::string ssh_dir() const { return dir.path() + "/.ssh"; }
};

std::string this_host() {
    char buf[256];
    gethostname(buf, sizeof buf);
    buf[sizeof buf - 1] = '\0';
    return buf;
}

std::string capture(const std::string& cmd, int* status = nullptr) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int rc = pclose(p);
    if (status) *status = rc;
    return out;
}

}  // namespace

TEST_CASE("host pattern lists follow OpenSSH match_hostname", "[ssh_config]") {
    using ssh::match_host_pattern_list;
    CHECK(match_host_pattern_list("gpu1.lab", "*.lab"));
    CHECK(match_host_pattern_list("gpu1.lab", "gpu?.lab"));
    CHECK_FALSE(match_host_pattern_list("gpu12.lab", "gpu?.lab"));
    CHECK(match_host_pattern_list("GPU1.Lab", "gpu1.LAB"));  // host names fold case
    CHECK(match_host_pattern_list("b", "a,b,c"));
    CHECK_FALSE(match_host_pattern_list("secret.lab", "*.lab,!secret.lab"));
    CHECK_FALSE(match_host_pattern_list("secret.lab", "!secret.lab,*.lab"));  // order does not matter
    CHECK_FALSE(match_host_pattern_list("other", "!secret.lab"));  // negation alone matches nothing
    CHECK(match_host_pattern_list("[h]:2222", "[h]:2222"));          // brackets are literal
    CHECK(match_host_pattern_list("aXbXc", "a*b*c"));
    CHECK_FALSE(match_host_pattern_list("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*c"));
}

TEST_CASE("Host lines: wildcards, ? and !negation, whitespace lists, case-sensitive", "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "Host *.lab !secret.lab\n"
        "  User labuser\n"
        "Host gpu?\n"
        "  Port 2201\n"
        "Host alpha beta\n"
        "  Port 2300\n"
        "Host *\n"
        "  User fallback\n",
        "test-config");
    CHECK(cfg.resolve("a.lab").user == "labuser");
    CHECK(cfg.resolve("secret.lab").user == "fallback");
    CHECK(cfg.resolve("A.LAB").user == "fallback");  // OpenSSH matches Host against the alias as typed
    CHECK(cfg.resolve("gpu1").port == 2201);
    CHECK(cfg.resolve("gpu12").port == 22);
    CHECK(cfg.resolve("alpha").port == 2300);
    CHECK(cfg.resolve("beta").port == 2300);
    CHECK(cfg.resolve("gamma").user == "fallback");
    CHECK(cfg.warnings().empty());
}

TEST_CASE("the first obtained value wins; IdentityFile accumulates", "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "Host web\n"
        "  Port 2222\n"
        "  User first\n"
        "Host web\n"
        "  User second\n"
        "  HostName second.example\n"
        "Host *\n"
        "  Port 9999\n"
        "  HostName star.example\n"
        "  IdentityFile ~/.ssh/a\n"
        "  IdentityFile ~/.ssh/a\n"
        "Host web\n"
        "  IdentityFile ~/.ssh/b\n",
        "test-config");
    HostConfig web = cfg.resolve("web");
    CHECK(web.alias == "web");
    CHECK(web.port == 2222);
    CHECK(web.user == "first");
    CHECK(web.hostname == "second.example");
    CHECK(web.identity_files ==
          std::vector<std::string>{home.ssh_dir() + "/a", home.ssh_dir() + "/b"});
    CHECK_FALSE(web.identity_files_are_defaults);

    HostConfig other = cfg.resolve("other");
    CHECK(other.port == 9999);
    CHECK(other.hostname == "star.example");
    CHECK(other.user == "tester");  // local user from $USER when no User applies
}

TEST_CASE("Keyword=value, quoting, comments and keyword case", "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "# a comment line\n"
        "\n"
        "Host q\n"
        "  user = \"john doe\"\n"
        "\tPORT=2022\n"
        "  IdentityFile \"~/my keys/id\" # trailing comment\n"
        "  HostName 'q.example'\n"
        "  UserKnownHostsFile ~/kh1 \"~/kh 2\"\n"
        "  SomeOptionRjIgnores yes please\n"
        "  HostKeyAlias = a\\\"b\n",
        "test-config");
    HostConfig q = cfg.resolve("q");
    CHECK(q.user == "john doe");
    CHECK(q.port == 2022);
    CHECK(q.identity_files == std::vector<std::string>{home.dir.path() + "/my keys/id"});
    CHECK(q.hostname == "q.example");
    CHECK(q.user_known_hosts_files ==
          std::vector<std::string>{home.dir.path() + "/kh1", home.dir.path() + "/kh 2"});
    CHECK(q.host_key_alias == "a\"b");
}

TEST_CASE("HostName expands %h and is lower-cased", "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "Host *.short\n"
        "  HostName %h.example.com\n"
        "Host big\n"
        "  HostName Big.Example\n"
        "Host pct\n"
        "  HostName 100%%.example\n"
        "Host bad\n"
        "  HostName %u.example\n",
        "test-config");
    CHECK(cfg.resolve("gpu.short").hostname == "gpu.short.example.com");
    CHECK(cfg.resolve("big").hostname == "big.example");
    CHECK(cfg.resolve("pct").hostname == "100%.example");
    CHECK(cfg.resolve("plain").hostname == "plain");
    CHECK_THROWS_AS(cfg.resolve("bad"), util::Error);  // HostName accepts only %h and %%
}

TEST_CASE("IdentityFile: ~, %-tokens, ${VAR}, defaults and none", "[ssh_config]") {
    FakeHome home;
    EnvVar keydir("RJ_TEST_KEYDIR", "/keys");
    auto cfg = SshConfig::parse(
        "Host tok\n"
        "  HostName Real.Host\n"
        "  User bob\n"
        "  Port 2200\n"
        "  IdentityFile ~/.ssh/id_%h_%r_%p\n"
        "  IdentityFile %d/x/%u/%n/%l/100%%\n"
        "  IdentityFile ${RJ_TEST_KEYDIR}/k\n"
        "Host nokeys\n"
        "  IdentityFile none\n"
        "Host badtok\n"
        "  IdentityFile ~/%Z\n"
        "Host badenv\n"
        "  IdentityFile ${RJ_TEST_SURELY_UNSET_VAR}/k\n",
        "test-config");
    HostConfig tok = cfg.resolve("tok");
    const std::string h = home.dir.path();
    CHECK(tok.identity_files == std::vector<std::string>{h + "/.ssh/id_real.host_bob_2200",
                                                         h + "/x/tester/tok/" + this_host() + "/100%",
                                                         "/keys/k"});
    CHECK_FALSE(tok.identity_files_are_defaults);

    HostConfig def = cfg.resolve("plain");
    CHECK(def.identity_files == std::vector<std::string>{h + "/.ssh/id_rsa", h + "/.ssh/id_ecdsa",
                                                         h + "/.ssh/id_ed25519"});
    CHECK(def.identity_files_are_defaults);

    HostConfig none = cfg.resolve("nokeys");
    CHECK(none.identity_files.empty());
    CHECK_FALSE(none.identity_files_are_defaults);

    CHECK_THROWS_AS(cfg.resolve("badtok"), util::Error);
    CHECK_THROWS_AS(cfg.resolve("badenv"), util::Error);
}

TEST_CASE("ProxyCommand expands %h %p %r %n; ProxyJump is kept; first of the two wins", "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "Host pc\n"
        "  HostName target.example\n"
        "  User alice\n"
        "  Port 2022\n"
        "  ProxyCommand ssh -W %h:%p -l %r gw # %n 100%%\n"
        "  ProxyJump ignored-because-command-came-first\n"
        "Host pj\n"
        "  ProxyJump bob@jump1:2222,jump2\n"
        "  ProxyCommand ignored-because-jump-came-first\n"
        "Host pcnone\n"
        "  ProxyCommand none\n"
        "  ProxyJump blocked\n"
        "Host pjnone\n"
        "  ProxyJump none\n"
        "  ProxyCommand nc %h %p\n"
        "Host *\n"
        "  ProxyJump default-jump\n",
        "test-config");
    HostConfig pc = cfg.resolve("pc");
    CHECK(pc.proxy_command == "ssh -W target.example:2022 -l alice gw # pc 100%");
    CHECK(pc.proxy_jump.empty());

    HostConfig pj = cfg.resolve("pj");
    CHECK(pj.proxy_jump == "bob@jump1:2222,jump2");
    CHECK(pj.proxy_command.empty());

    HostConfig pcnone = cfg.resolve("pcnone");
    CHECK(pcnone.proxy_command.empty());
    CHECK(pcnone.proxy_jump.empty());

    // Matches OpenSSH 9.2: "ProxyJump none" does not stop a later ProxyCommand.
    HostConfig pjnone = cfg.resolve("pjnone");
    CHECK(pjnone.proxy_jump.empty());
    CHECK(pjnone.proxy_command == "nc pjnone 22");

    CHECK(cfg.resolve("x").proxy_jump == "default-jump");
}

TEST_CASE("the other keywords rj uses, and their defaults", "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "Host full\n"
        "  ConnectTimeout 1m30s\n"
        "  ServerAliveInterval 15\n"
        "  ServerAliveCountMax 5\n"
        "  StrictHostKeyChecking accept-new\n"
        "  UserKnownHostsFile ~/.ssh/kh_%h /abs/kh\n"
        "  GlobalKnownHostsFile /etc/g1 ~/g2\n"
        "  HostKeyAlias MyAlias\n"
        "  HashKnownHosts yes\n"
        "  BatchMode yes\n"
        "  IdentitiesOnly true\n"
        "Host off\n"
        "  StrictHostKeyChecking off\n"
        "  UserKnownHostsFile none\n"
        "Host strict\n"
        "  StrictHostKeyChecking yes\n"
        "Host nostrict\n"
        "  StrictHostKeyChecking no\n"
        "Host ported full\n"
        "  Port 2222\n",
        "test-config");
    HostConfig f = cfg.resolve("full");
    CHECK(f.connect_timeout_s == 90);
    CHECK(f.server_alive_interval_s == 15);
    CHECK(f.server_alive_count_max == 5);
    CHECK(f.strict_host_key == Strict::AcceptNew);
    CHECK(f.user_known_hosts_files ==
          std::vector<std::string>{home.ssh_dir() + "/kh_full", "/abs/kh"});
    CHECK(f.global_known_hosts_files == std::vector<std::string>{"/etc/g1", "~/g2"});  // verbatim, as OpenSSH
    CHECK(f.host_key_alias == "myalias");
    CHECK(f.host_key_name() == "myalias");
    CHECK(f.host_key_port() == 22);
    CHECK(f.hash_known_hosts);
    CHECK(f.batch_mode);
    CHECK(f.identities_only);

    HostConfig o = cfg.resolve("off");
    CHECK(o.strict_host_key == Strict::No);
    CHECK(o.user_known_hosts_files.empty());
    CHECK(cfg.resolve("strict").strict_host_key == Strict::Yes);
    CHECK(cfg.resolve("nostrict").strict_host_key == Strict::No);

    HostConfig d = cfg.resolve("defaults");
    CHECK(d.port == 22);
    CHECK(d.connect_timeout_s == 0);
    CHECK(d.server_alive_interval_s == 0);
    CHECK(d.server_alive_count_max == 3);
    CHECK(d.strict_host_key == Strict::Ask);
    CHECK(d.user_known_hosts_files ==
          std::vector<std::string>{home.ssh_dir() + "/known_hosts", home.ssh_dir() + "/known_hosts2"});
    CHECK(d.global_known_hosts_files ==
          std::vector<std::string>{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"});
    CHECK(d.host_key_alias.empty());
    CHECK(d.host_key_name() == "defaults");
    CHECK(cfg.resolve("ported").host_key_port() == 2222);
    CHECK(cfg.resolve("ported").host_key_name() == "ported");
    CHECK_FALSE(d.hash_known_hosts);
    CHECK_FALSE(d.batch_mode);
    CHECK_FALSE(d.identities_only);
    CHECK(d.proxy_command.empty());
    CHECK(d.proxy_jump.empty());
}

TEST_CASE("Match all, host, originalhost, user; unsupported criteria skip the block with a warning",
          "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "Host short\n"
        "  HostName box.internal\n"
        "Match host *.internal\n"
        "  Port 4444\n"
        "Match originalhost short\n"
        "  ConnectTimeout 7\n"
        "Match !host *.internal user tester\n"
        "  ServerAliveInterval 9\n"
        "Match exec \"true\"\n"
        "  User from-exec\n"
        "Match all\n"
        "  User everyone\n",
        "test-config");
    REQUIRE(cfg.warnings().size() == 1);
    CHECK(cfg.warnings()[0].find("test-config:9") != std::string::npos);
    CHECK(cfg.warnings()[0].find("exec") != std::string::npos);

    HostConfig s = cfg.resolve("short");
    CHECK(s.port == 4444);              // Match host sees the HostName obtained so far
    CHECK(s.connect_timeout_s == 7);
    CHECK(s.server_alive_interval_s == 0);
    CHECK(s.user == "everyone");        // the exec block was skipped

    HostConfig d = cfg.resolve("direct.internal");
    CHECK(d.port == 4444);
    CHECK(d.connect_timeout_s == 0);

    HostConfig o = cfg.resolve("other");
    CHECK(o.port == 22);
    CHECK(o.server_alive_interval_s == 9);
    CHECK(o.user == "everyone");
}

TEST_CASE("Include: globs relative to ~/.ssh, nesting, ~, and Include inside a Host block",
          "[ssh_config]") {
    FakeHome home;
    const std::string s = home.ssh_dir();
    write_file(s + "/config.d/10-a.conf",
               "Host globbed\n"
               "  User from-a\n"
               "  Include ~/.ssh/nested.conf\n");
    write_file(s + "/config.d/20-b.conf",
               "Host globbed\n"
               "  User from-b\n"
               "  Port 2020\n");
    write_file(s + "/config.d/ignored.txt", "Host globbed\n  Port 1\n");
    write_file(s + "/nested.conf", "IdentityFile ~/.ssh/nested_key\nHost nested-host\n  Port 3030\n");
    write_file(s + "/special.conf",
               "User special-user\n"
               "Host other\n"
               "  User other-user\n");
    write_file(s + "/config",
               "Include config.d/*.conf does-not-exist.conf\n"
               "Host special\n"
               "  Include special.conf\n"
               "  Port 1234\n"
               "Host *\n"
               "  User default-user\n");

    auto cfg = SshConfig::load(s + "/config");
    CHECK(cfg.warnings().empty());

    HostConfig g = cfg.resolve("globbed");
    CHECK(g.user == "from-a");  // glob results are read in sorted order
    CHECK(g.port == 2020);
    CHECK(g.identity_files == std::vector<std::string>{s + "/nested_key"});

    // nested.conf is included from inside "Host globbed": for any other alias
    // its Host lines never match (ssh -G agrees).
    CHECK(cfg.resolve("nested-host").port == 22);

    HostConfig sp = cfg.resolve("special");
    CHECK(sp.user == "special-user");
    CHECK(sp.port == 1234);  // the included file's "Host other" does not leak out

    // Inside an inactive block, nothing in the included file may match.
    HostConfig other = cfg.resolve("other");
    CHECK(other.user == "default-user");
    CHECK(other.port == 22);

    auto hosts = cfg.concrete_hosts();
    CHECK(hosts == std::vector<std::string>{"globbed", "nested-host", "special", "other"});
}

TEST_CASE("Include loops stop at the depth limit with an error", "[ssh_config]") {
    FakeHome home;
    write_file(home.ssh_dir() + "/loop.conf", "Include loop.conf\n");
    try {
        SshConfig::parse("Include loop.conf\n", "test-config");
        FAIL("expected an error");
    } catch (const util::Error& e) {
        CHECK(std::string(e.what()).find("Include") != std::string::npos);
        CHECK(std::string(e.what()).find("loop.conf:1") != std::string::npos);
    }
}

TEST_CASE("concrete_hosts lists plain aliases in order, without patterns or repeats", "[ssh_config]") {
    FakeHome home;
    auto cfg = SshConfig::parse(
        "Host gpu1 gpu2 *.lab\n"
        "Host !bastion laptop\n"
        "Host gpu?\n"
        "Host gpu1 workstation\n"
        "Match host matched-only\n",
        "test-config");
    CHECK(cfg.concrete_hosts() == std::vector<std::string>{"gpu1", "gpu2", "laptop", "workstation"});
}

TEST_CASE("config path: -F beats $RJ_SSH_CONFIG beats ~/.ssh/config", "[ssh_config]") {
    FakeHome home;
    {
        EnvVar env("RJ_SSH_CONFIG", nullptr);
        CHECK(ssh::default_ssh_config_path() == home.ssh_dir() + "/config");
        CHECK(ssh::default_ssh_config_path("/cli/config") == "/cli/config");
    }
    {
        EnvVar env("RJ_SSH_CONFIG", "/env/config");
        CHECK(ssh::default_ssh_config_path() == "/env/config");
        CHECK(ssh::default_ssh_config_path("/cli/config") == "/cli/config");
    }
}

TEST_CASE("a missing config file is empty; garbage is an error naming file:line", "[ssh_config]") {
    FakeHome home;
    auto missing = SshConfig::load(home.ssh_dir() + "/no-such-config");
    CHECK(missing.concrete_hosts().empty());
    CHECK(missing.resolve("h").hostname == "h");

    // A directory where the file should be cannot be read.
    CHECK_THROWS_AS(SshConfig::load(home.ssh_dir()), util::Error);

    auto expect_error = [](const std::string& text, const std::string& where) {
        INFO(text);
        try {
            SshConfig::parse(text, "cfg");
            FAIL("expected an error");
        } catch (const util::Error& e) {
            CHECK(std::string(e.what()).find(where) != std::string::npos);
            CHECK_FALSE(e.hint().empty());
        }
    };
    expect_error("Host a\n{{{ not a line\n", "cfg:2");
    expect_error("Host a\n  Port abc\n", "cfg:2");
    expect_error("Host a\n  Port 70000\n", "cfg:2");
    expect_error("Port 22 23\n", "cfg:1");
    expect_error("\n\nUser \"unterminated\n", "cfg:3");
    expect_error("Host a\n  User\n", "cfg:2");
    expect_error("Host\n", "cfg:1");
    expect_error("Bogus\n", "cfg:1");  // even unknown keywords need a value
    expect_error("Host a\n  BatchMode maybe\n", "cfg:2");
    expect_error("Host a\n  StrictHostKeyChecking sometimes\n", "cfg:2");
    expect_error("Host a\n  ConnectTimeout soon\n", "cfg:2");
    expect_error("Match all host x\n", "cfg:1");
    expect_error("Match host\n", "cfg:1");

    // Unknown keywords with a value are fine: OpenSSH has hundreds.
    auto ok = SshConfig::parse("ForwardAgent yes\nControlMaster auto\nHost a\n  SendEnv LANG LC_*\n", "cfg");
    CHECK(ok.warnings().empty());
}

// The strongest check: ask OpenSSH itself. `ssh -G` prints the options ssh
// would use without connecting; -F keeps /etc/ssh/ssh_config out of it.
TEST_CASE("resolution agrees with ssh -G", "[ssh_config]") {
    int rc = 0;
    capture("command -v ssh >/dev/null 2>&1", &rc);
    if (!testing_support::precondition(rc == 0, "the ssh -G comparison needs OpenSSH's ssh")) return;
    FakeHome home;
    const std::string s = home.ssh_dir();
    write_file(s + "/inc.conf", "Host inc*\n  Port 2345\n  User inc-user\n");
    const std::string config = s + "/config";
    write_file(config,
               "Host gpu? !gpu9\n"
               "  HostName %h.Lab.Example\n"
               "  User gpu-user\n"
               "  ProxyJump bastion\n"
               "Host web\n"
               "  Port=8022\n"
               "  ProxyCommand nc -X connect %h %p\n"
               "  StrictHostKeyChecking accept-new\n"
               "  ConnectTimeout 2m\n"
               "Host special\n"
               "  Include inc.conf\n"
               "  HostKeyAlias Special-Alias\n"
               "  UserKnownHostsFile /tmp/kh_%h_%p /tmp/kh2\n"
               "Include inc.conf\n"
               "Match host *.lab.example\n"
               "  ServerAliveInterval 30\n"
               "  StrictHostKeyChecking no\n"
               "Match originalhost web,inc1\n"
               "  BatchMode yes\n"
               // Debian's ssh defaults ServerAliveInterval to 300 under
               // BatchMode (a distribution patch rj does not copy): pin it.
               "  ServerAliveInterval 45\n"
               "  ServerAliveCountMax 7\n"
               "Host *\n"
               "  User star-user\n"
               "  IdentitiesOnly yes\n"
               "  HashKnownHosts yes\n");
    auto cfg = SshConfig::load(config);

    for (std::string alias : {"gpu1", "gpu9", "web", "special", "inc1", "other"}) {
        INFO("alias " << alias);
        std::string out = capture("ssh -G -F '" + config + "' " + alias + " 2>/dev/null", &rc);
        REQUIRE(rc == 0);
        std::map<std::string, std::string> g;
        size_t pos = 0;
        while (pos < out.size()) {
            size_t nl = out.find('\n', pos);
            if (nl == std::string::npos) nl = out.size();
            std::string line = out.substr(pos, nl - pos);
            pos = nl + 1;
            size_t sp = line.find(' ');
            if (sp != std::string::npos && !g.count(line.substr(0, sp))) g[line.substr(0, sp)] = line.substr(sp + 1);
        }
        HostConfig h = cfg.resolve(alias);
        CHECK(h.hostname == g["hostname"]);
        CHECK(h.user == g["user"]);
        CHECK(std::to_string(h.port) == g["port"]);
        CHECK(h.proxy_jump == (g.count("proxyjump") ? g["proxyjump"] : ""));
        // ssh -G prints ProxyCommand before %-expansion.
        if (g.count("proxycommand")) CHECK_FALSE(h.proxy_command.empty());
        else CHECK(h.proxy_command.empty());
        CHECK(std::to_string(h.connect_timeout_s) == (g["connecttimeout"] == "none" ? "0" : g["connecttimeout"]));
        CHECK(std::to_string(h.server_alive_interval_s) == g["serveraliveinterval"]);
        CHECK(std::to_string(h.server_alive_count_max) == g["serveralivecountmax"]);
        const char* strict = h.strict_host_key == Strict::Yes         ? "true"
                             : h.strict_host_key == Strict::No        ? "false"
                             : h.strict_host_key == Strict::AcceptNew ? "accept-new"
                                                                      : "ask";
        CHECK(strict == g["stricthostkeychecking"]);
        CHECK(h.batch_mode == (g["batchmode"] == "yes"));
        CHECK(h.identities_only == (g["identitiesonly"] == "yes"));
        CHECK(h.hash_known_hosts == (g["hashknownhosts"] == "yes"));
        CHECK(h.host_key_alias == (g.count("hostkeyalias") ? g["hostkeyalias"] : ""));
        if (alias == "special") {
            std::string files;
            for (const auto& f : h.user_known_hosts_files) files += (files.empty() ? "" : " ") + f;
            CHECK(files == g["userknownhostsfile"]);
        }
    }
}
