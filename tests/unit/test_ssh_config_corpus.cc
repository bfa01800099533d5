// The corpus of real-world ssh configs (tests/data/ssh-configs), every name
// in each resolved by rj and by `ssh -G`, field by field (issue 28).
#include "config.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "precondition.h"
#include "ssh/ssh_config.h"
#include "test_support.h"

namespace fs = std::filesystem;
using ssh::HostConfig;
using ssh::SshConfig;

namespace {

std::string corpus_dir() {
    const char* src = std::getenv("RJ_SRCDIR");
    std::string top = src ? src : "";
    if (top.empty()) {
        top = __FILE__;
        top = top.substr(0, top.rfind("tests/unit/"));
        if (top.empty()) top = ".";
    }
    return top + "/tests/data/ssh-configs";
}

std::string run(const std::string& cmd, int* status) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    *status = pclose(p);
    return out;
}

std::string shell_word(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// Copies a corpus directory, with @DIR@ replaced by the copy's path.
void copy_tree(const fs::path& from, const fs::path& to, const std::string& dir) {
    for (const auto& e : fs::recursive_directory_iterator(from)) {
        fs::path target = to / fs::relative(e.path(), from);
        if (e.is_directory()) {
            fs::create_directories(target);
            continue;
        }
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        for (size_t at; (at = text.find("@DIR@")) != std::string::npos;) text.replace(at, 5, dir);
        std::ofstream(target) << text;
    }
}

// `ssh -G` output: the first value of each keyword, and every identityfile.
struct SshG {
    std::map<std::string, std::string> first;
    std::vector<std::string> identity_files;
};

SshG parse_g(const std::string& out) {
    SshG g;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        size_t sp = line.find(' ');
        if (sp == std::string::npos) continue;
        std::string key = line.substr(0, sp), value = line.substr(sp + 1);
        if (key == "identityfile") g.identity_files.push_back(value);
        g.first.emplace(key, value);
    }
    return g;
}

// ssh -G prints IdentityFile before ~ and %-expansion (ssh expands them when
// it loads the keys); expand them the way ssh will.
std::string expand_identity(const std::string& in, const HostConfig& h, const std::string& home,
                            const std::string& user, const std::string& original) {
    std::string out;
    size_t i = 0;
    if (in.rfind("~/", 0) == 0) {
        out = home;
        i = 1;
    }
    char host[256];
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    for (; i < in.size(); ++i) {
        if (in[i] != '%' || i + 1 >= in.size()) {
            out += in[i];
            continue;
        }
        char t = in[++i];
        switch (t) {
        case 'h': out += h.hostname; break;
        case 'r': out += h.user; break;
        case 'p': out += std::to_string(h.port); break;
        case 'n': out += original; break;
        case 'd': out += home; break;
        case 'u': out += user; break;
        case 'l': out += host; break;
        case '%': out += '%'; break;
        default: out += std::string("%") + t;
        }
    }
    return out;
}

// The host part of a destination, as %n sees it.
std::string original_host(const std::string& name) {
    std::string h = name;
    if (h.rfind("ssh://", 0) == 0) {
        h = h.substr(6);
        if (auto at = h.rfind('@'); at != std::string::npos) h = h.substr(at + 1);
        if (auto colon = h.find(':'); colon != std::string::npos) h = h.substr(0, colon);
        return h;
    }
    if (auto at = h.rfind('@'); at != std::string::npos) h = h.substr(at + 1);
    return h;
}

}  // namespace

TEST_CASE("every name in the ssh config corpus resolves as ssh -G resolves it", "[ssh_config][corpus]") {
    int rc = 0;
    run("command -v ssh >/dev/null 2>&1", &rc);
    if (!testing_support::precondition(rc == 0, "the ssh -G comparison needs OpenSSH's ssh")) return;
    // ssh takes ~ and %d from the password database, rj from $HOME: make
    // them one, and $USER the account's name.
    const passwd* pw = getpwuid(getuid());
    REQUIRE(pw != nullptr);
    const std::string home = pw->pw_dir, user = pw->pw_name;
    test_support::ScopedEnv home_env("HOME", home), user_env("USER", user);

    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(corpus_dir()))
        if (e.is_directory()) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    REQUIRE(dirs.size() >= 10);

    int compared = 0;
    for (const auto& src : dirs) {
        test_support::TempDir tmp;
        const std::string dir = tmp.path();
        copy_tree(src, dir, dir);
        const std::string config = dir + "/config";
        // The system-style file is read as the system-wide one, whose
        // relative Includes start from its own directory; ssh -G -F would
        // take them from ~/.ssh, so it gets a copy with them made absolute.
        const bool system_style = src.filename() == "12-system-style";
        std::string g_config = config;
        SshConfig cfg = system_style ? SshConfig::load(dir + "/no-user-config", config) : SshConfig::load(config);
        if (system_style) {
            g_config = dir + "/config-for-ssh-G";
            std::ifstream in(config);
            std::stringstream ss;
            ss << in.rdbuf();
            std::string text = ss.str();
            for (size_t at; (at = text.find("Include ssh_config.d")) != std::string::npos;)
                text.replace(at, 20, "Include " + dir + "/ssh_config.d");
            std::ofstream(g_config) << text;
        }

        std::vector<std::string> names = cfg.concrete_hosts();
        std::ifstream list(src / "names");
        for (std::string n; std::getline(list, n);)
            if (!n.empty()) names.push_back(n);
        REQUIRE(names.size() >= 3);

        for (const auto& name : names) {
            INFO("config " << src.filename().string() << ", name " << name);
            std::string out = run("ssh -G -F " + shell_word(g_config) + " " + shell_word(name) + " 2>/dev/null", &rc);
            REQUIRE(rc == 0);
            SshG g = parse_g(out);
            HostConfig h = cfg.resolve(name);
            CHECK(h.alias == name);
            CHECK(h.hostname == g.first["hostname"]);
            CHECK(h.user == g.first["user"]);
            CHECK(std::to_string(h.port) == g.first["port"]);
            CHECK(h.proxy_jump == (g.first.count("proxyjump") ? g.first["proxyjump"] : ""));
            // ssh -G prints ProxyCommand unexpanded: compare with the tokens
            // rj expands put back in.
            if (g.first.count("proxycommand")) {
                std::string expected = g.first["proxycommand"];
                for (auto [tok, value] : {std::pair<std::string, std::string>{"%h", h.hostname},
                                          {"%p", std::to_string(h.port)}, {"%r", h.user}})
                    for (size_t at; (at = expected.find(tok)) != std::string::npos;) expected.replace(at, 2, value);
                CHECK(h.proxy_command == expected);
            } else {
                CHECK(h.proxy_command.empty());
            }
            std::string timeout = g.first["connecttimeout"];
            CHECK(std::to_string(h.connect_timeout_s) == (timeout == "none" ? "0" : timeout));
            CHECK(std::to_string(h.server_alive_interval_s) == g.first["serveraliveinterval"]);
            CHECK(std::to_string(h.server_alive_count_max) == g.first["serveralivecountmax"]);
            // Identity files in order. With none configured ssh lists its
            // defaults; rj keeps those of them libssh2 can use, in ssh's order.
            std::vector<std::string> expected;
            for (const auto& f : g.identity_files) {
                std::string p = expand_identity(f, h, home, user, original_host(name));
                if (h.identity_files_are_defaults && p != home + "/.ssh/id_rsa" && p != home + "/.ssh/id_ecdsa" &&
                    p != home + "/.ssh/id_ed25519")
                    continue;
                expected.push_back(p);
            }
            CHECK(h.identity_files == expected);
            ++compared;
        }
    }
    CHECK(compared >= 50);
}
