// util::xdg paths and util::strings helpers.
#include "config.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/xdg.h"

using test_support::ScopedEnv;
using test_support::TempDir;

TEST_CASE("XDG directories come from the XDG variables when they are absolute", "[xdg]") {
    ScopedEnv home("HOME", "/home/tester");
    ScopedEnv data("XDG_DATA_HOME", "/xd/data");
    ScopedEnv conf("XDG_CONFIG_HOME", "/xd/conf");
    ScopedEnv cache("XDG_CACHE_HOME", "/xd/cache");
    ScopedEnv db("RJ_DB", std::nullopt);
    ScopedEnv cfg("RJ_CONFIG", std::nullopt);
    CHECK(util::data_dir() == "/xd/data/rj");
    CHECK(util::config_dir() == "/xd/conf/rj");
    CHECK(util::cache_dir() == "/xd/cache/rj");
    CHECK(util::default_db_path() == "/xd/data/rj/rj.db");
    CHECK(util::default_config_path() == "/xd/conf/rj/config");
}

TEST_CASE("XDG directories fall back under HOME when unset or relative", "[xdg]") {
    ScopedEnv home("HOME", "/home/tester");
    ScopedEnv data("XDG_DATA_HOME", std::nullopt);
    ScopedEnv conf("XDG_CONFIG_HOME", "relative/conf");  // the spec says: ignore
    ScopedEnv cache("XDG_CACHE_HOME", "");
    ScopedEnv db("RJ_DB", std::nullopt);
    ScopedEnv cfg("RJ_CONFIG", std::nullopt);
    CHECK(util::home_dir() == "/home/tester");
    CHECK(util::data_dir() == "/home/tester/.local/share/rj");
    CHECK(util::config_dir() == "/home/tester/.config/rj");
    CHECK(util::cache_dir() == "/home/tester/.cache/rj");
    CHECK(util::default_db_path() == "/home/tester/.local/share/rj/rj.db");
    CHECK(util::default_config_path() == "/home/tester/.config/rj/config");
}

TEST_CASE("RJ_DB and RJ_CONFIG override the default paths", "[xdg]") {
    ScopedEnv db("RJ_DB", "/tmp/x/my.db");
    ScopedEnv cfg("RJ_CONFIG", "/tmp/x/my.conf");
    CHECK(util::default_db_path() == "/tmp/x/my.db");
    CHECK(util::default_config_path() == "/tmp/x/my.conf");
}

TEST_CASE("home_dir falls back to the password database without HOME", "[xdg]") {
    const passwd* pw = getpwuid(getuid());
    REQUIRE(pw);
    ScopedEnv home("HOME", std::nullopt);
    CHECK(util::home_dir() == std::string(pw->pw_dir));
}

TEST_CASE("make_dirs creates every missing level with the given mode", "[xdg]") {
    TempDir tmp;
    mode_t old = umask(022);
    std::string deep = tmp / "a/b/c";
    util::make_dirs(deep, 0700);
    umask(old);
    for (const std::string& p : {tmp / "a", tmp / "a/b", deep}) {
        struct stat st;
        REQUIRE(stat(p.c_str(), &st) == 0);
        CHECK(S_ISDIR(st.st_mode));
        CHECK((st.st_mode & 07777) == 0700);
    }
    CHECK_NOTHROW(util::make_dirs(deep, 0700));  // existing is fine
    CHECK_NOTHROW(util::make_dirs(deep + "/", 0700));

    std::ofstream(tmp / "file") << "x";
    CHECK_THROWS_AS(util::make_dirs(tmp / "file/sub", 0700), util::Error);
}

TEST_CASE("parent_dir takes the directory part", "[xdg]") {
    CHECK(util::parent_dir("/a/b/c.db") == "/a/b");
    CHECK(util::parent_dir("c.db") == ".");
    CHECK(util::parent_dir("/c.db") == "/");
    CHECK(util::parent_dir("a/b/") == "a");
    CHECK(util::parent_dir("a//b") == "a");
}

TEST_CASE("split keeps empty fields, split_any drops them", "[xdg]") {
    CHECK(util::split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
    CHECK(util::split("", ',') == std::vector<std::string>{""});
    CHECK(util::split("a,", ',') == std::vector<std::string>{"a", ""});
    CHECK(util::split_any(" gpu1, gpu2\tgpu3 ,", ", \t") == std::vector<std::string>{"gpu1", "gpu2", "gpu3"});
    CHECK(util::split_any(" , ", ", ").empty());
}

TEST_CASE("trim, join, prefixes and lowercase", "[xdg]") {
    CHECK(util::trim("  a b \t\r\n") == "a b");
    CHECK(util::trim("   ").empty());
    CHECK(util::join({"a", "b", "c"}, ", ") == "a, b, c");
    CHECK(util::join({}, ",").empty());
    CHECK(util::starts_with("rj-12", "rj-"));
    CHECK_FALSE(util::starts_with("r", "rj-"));
    CHECK(util::ends_with("x.db", ".db"));
    CHECK(util::to_lower("GPU-Box É") == "gpu-box É");
}

TEST_CASE("tilde_home abbreviates only a whole leading HOME component", "[xdg]") {
    ScopedEnv home("HOME", "/home/me");
    CHECK(util::tilde_home("/home/me/.local/share/rj/rj.db") == "~/.local/share/rj/rj.db");
    CHECK(util::tilde_home("/home/me") == "~");
    CHECK(util::tilde_home("/home/meadow/x") == "/home/meadow/x");
    CHECK(util::tilde_home("/srv/home/me/x") == "/srv/home/me/x");
    ScopedEnv slash("HOME", "/home/me/");
    CHECK(util::tilde_home("/home/me/x") == "~/x");
}

namespace {

bool valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

}  // namespace

TEST_CASE("shorten never cuts a multibyte character", "[xdg]") {
    const std::string text = "h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x9A\x80!";  // héllo wörld € 🚀!
    CHECK(util::utf8_length(text) == 16);
    CHECK(util::shorten(text, 16) == text);
    CHECK(util::shorten(text, 15) == "h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xE2\x80\xA6");
    CHECK(util::shorten(text, 100) == text);
    CHECK(util::shorten(text, 5) == "h\xC3\xA9ll\xE2\x80\xA6");
    CHECK(util::shorten(text, 0).empty());
    CHECK(util::shorten(text, 1) == "\xE2\x80\xA6");
    for (size_t w = 0; w <= 17; ++w) {
        std::string s = util::shorten(text, w);
        CHECK(valid_utf8(s));
        CHECK(util::utf8_length(s) <= w);
    }
    CHECK(util::shorten("abcdef", 4) == "abc\xE2\x80\xA6");
}
