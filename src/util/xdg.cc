#include "config.h"

#include "util/xdg.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

namespace util {

namespace {

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

// The spec says a relative XDG_* value is invalid and must be ignored.
std::string xdg_base(const char* var, const char* fallback_under_home) {
    std::string v = env_or_empty(var);
    if (!v.empty() && v[0] == '/') return v;
    return home_dir() + "/" + fallback_under_home;
}

}  // namespace

std::string home_dir() {
    std::string home = env_or_empty("HOME");
    if (!home.empty()) return home;
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir && *pw->pw_dir)
        return pw->pw_dir;
    throw Error("cannot find your home directory", "set HOME");
}

std::string data_dir() { return xdg_base("XDG_DATA_HOME", ".local/share") + "/rj"; }
std::string config_dir() { return xdg_base("XDG_CONFIG_HOME", ".config") + "/rj"; }
std::string cache_dir() { return xdg_base("XDG_CACHE_HOME", ".cache") + "/rj"; }

std::string default_db_path() {
    std::string p = env_or_empty("RJ_DB");
    return p.empty() ? data_dir() + "/rj.db" : p;
}

std::string default_config_path() {
    std::string p = env_or_empty("RJ_CONFIG");
    return p.empty() ? config_dir() + "/config" : p;
}

std::string parent_dir(const std::string& path) {
    size_t end = path.size();
    while (end > 1 && path[end - 1] == '/') --end;  // "a/b/" names b
    size_t slash = path.rfind('/', end - 1);
    if (slash == std::string::npos) return ".";
    while (slash > 0 && path[slash - 1] == '/') --slash;
    return slash == 0 ? "/" : path.substr(0, slash);
}

void make_dirs(const std::string& path, mode_t mode) {
    if (path.empty()) return;
    // Walk the components from the root so each missing one is created with `mode`.
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        std::string prefix = path.substr(0, pos);
        if (prefix.empty() || prefix.back() == '/') continue;
        struct stat st;
        if (stat(prefix.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                throw Error("cannot create directory " + path + ": " + prefix +
                                " exists and is not a directory",
                            "move " + prefix + " aside");
            continue;
        }
        if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST)
            throw Error("cannot create directory " + prefix + ": " + std::strerror(errno),
                        "check the permissions of " + parent_dir(prefix));
    }
}

}  // namespace util
