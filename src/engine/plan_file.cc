// Reading a plan (engine/plan.h) with yaml-cpp. Everything is checked here,
// with the line and column of the offending node, before anything runs.
#include "config.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "engine/jobs.h"
#include "engine/placement.h"
#include "engine/plan.h"
#include "util/error.h"
#include "util/strings.h"

namespace engine {

namespace {

constexpr double kMaxNumber = 1e9;
const char* const kFormatHint = "see PLANS in the man page (the plan format of remote-jobs, version 1)";

class Reader {
public:
    explicit Reader(std::string origin) : origin_(std::move(origin)) {}

    [[noreturn]] void fail(const YAML::Node& at, const std::string& path, const std::string& what,
                           const std::string& hint = kFormatHint) const {
        std::string where = origin_;
        if (at.IsDefined() && !at.Mark().is_null())
            where += ":" + std::to_string(at.Mark().line + 1) + ":" + std::to_string(at.Mark().column + 1);
        throw util::UsageError(where + ": " + (path.empty() ? "" : path + ": ") + what, hint);
    }

    void only_keys(const YAML::Node& map, const std::string& path, const std::set<std::string>& allowed) const {
        for (const auto& kv : map) {
            std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
            if (!allowed.count(key)) {
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                fail(kv.first, path, "unknown key '" + key + "'", "allowed here: " + list);
            }
        }
    }

    std::string text(const YAML::Node& n, const std::string& path) const {
        if (!n.IsDefined() || n.IsNull()) return "";
        if (!n.IsScalar()) fail(n, path, "must be a single value (text), not a list or a map");
        std::string s = n.Scalar();
        if (s.find('\0') != std::string::npos) fail(n, path, "contains a NUL byte");
        return s;
    }

    bool boolean(const YAML::Node& n, const std::string& path) const {
        std::string s = util::to_lower(text(n, path));
        if (s == "true" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "no" || s == "off" || s.empty()) return false;
        fail(n, path, "must be true or false, not '" + s + "'");
    }

    double number(const YAML::Node& n, const std::string& path) const {
        std::string s = text(n, path);
        try {
            size_t used = 0;
            double v = std::stod(s, &used);
            // Bounded (and so finite: stod reads "inf"): gigabytes become
            // int64 bytes, where a larger value would not fit.
            if (used == s.size() && v >= 0 && v <= kMaxNumber) return v;
        } catch (const std::exception&) {
        }
        fail(n, path, "must be a number from 0 to 1000000000, not '" + s + "'");
    }

    int64_t job_id(const YAML::Node& n, const std::string& path) const {
        std::string s = text(n, path);
        if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos || s == "0")
            fail(n, path, "must be a job id (a positive number), not '" + s + "'");
        return std::stoll(s);
    }

    std::vector<std::pair<std::string, std::string>> env(const YAML::Node& n, const std::string& path) const {
        std::vector<std::pair<std::string, std::string>> out;
        if (!n.IsDefined() || n.IsNull()) return out;
        if (!n.IsMap()) fail(n, path, "must be a map of NAME: value");
        for (const auto& kv : n) {
            std::string name = text(kv.first, path);
            std::string value = text(kv.second, path + "." + name);
            try {
                parse_env_assignment(name + "=" + value);
            } catch (const util::Error& e) {
                fail(kv.first, path, e.what());
            }
            out.emplace_back(name, value);
        }
        return out;
    }

    // `when:` as requirement parts (rj honours it as a placement condition).
    void when(const YAML::Node& n, const std::string& path, Requirement& r) const {
        if (!n.IsMap()) fail(n, path, "must be a map (cpu_below, ram_free_gb, gpu)");
        only_keys(n, path, {"cpu_below", "ram_free_gb", "gpu"});
        if (n["cpu_below"]) {
            double v = number(n["cpu_below"], path + ".cpu_below");
            if (v > 100) fail(n["cpu_below"], path + ".cpu_below", "is a percentage (0 to 100)");
            r.cpu_below = v;
        }
        if (n["ram_free_gb"]) r.mem_bytes = static_cast<int64_t>(number(n["ram_free_gb"], path + ".ram_free_gb") * (1 << 30));
        if (const YAML::Node g = n["gpu"]) {
            std::string gp = path + ".gpu";
            if (!g.IsMap()) fail(g, gp, "must be a map (device, util_below, memory_free_gb)");
            only_keys(g, gp, {"device", "util_below", "memory_free_gb"});
            r.gpu_when = true;
            if (g["device"]) {
                std::string d = util::to_lower(text(g["device"], gp + ".device"));
                if (d != "any") {
                    if (d.empty() || d.size() > 4 || d.find_first_not_of("0123456789") != std::string::npos)
                        fail(g["device"], gp + ".device", "must be any or a GPU index, not '" + d + "'");
                    r.gpu_device = std::stoi(d);
                }
            }
            if (g["util_below"]) {
                double v = number(g["util_below"], gp + ".util_below");
                if (v > 100) fail(g["util_below"], gp + ".util_below", "is a percentage (0 to 100)");
                r.gpu_util_below = v;
            }
            if (g["memory_free_gb"])
                r.gpu_mem_free_mib = static_cast<int64_t>(number(g["memory_free_gb"], gp + ".memory_free_gb") * 1024);
        }
    }

    PlanJob job(const YAML::Node& n, const std::string& path, const std::string& dir,
                const std::vector<std::pair<std::string, std::string>>& env_defaults) const {
        if (!n.IsMap()) fail(n, path, "must be a map with at least host and command");
        only_keys(n, path, {"name", "host", "command", "dir", "description", "env", "queue", "queue_only", "when",
                            "pool", "require", "array", "after"});
        PlanJob j;
        j.path = path;
        j.line = n.Mark().is_null() ? 0 : n.Mark().line + 1;
        j.name = text(n["name"], path + ".name");
        j.host = text(n["host"], path + ".host");
        j.command = text(n["command"], path + ".command");
        j.dir = n["dir"] ? text(n["dir"], path + ".dir") : dir;
        j.description = text(n["description"], path + ".description");
        j.queue = text(n["queue"], path + ".queue");
        j.queue_only = n["queue_only"] ? boolean(n["queue_only"], path + ".queue_only") : false;
        j.pool = text(n["pool"], path + ".pool");
        j.array = text(n["array"], path + ".array");
        j.env = env_defaults;
        for (auto& [name, value] : env(n["env"], path + ".env")) {
            bool replaced = false;
            for (auto& e : j.env)
                if (e.first == name) e.second = value, replaced = true;
            if (!replaced) j.env.emplace_back(name, value);
        }
        if (const YAML::Node a = n["after"]) {
            if (a.IsSequence())
                for (const auto& x : a) j.after.push_back(text(x, path + ".after"));
            else
                j.after.push_back(text(a, path + ".after"));
        }
        Requirement req;
        if (n["require"]) {
            try {
                req = Requirement::parse(text(n["require"], path + ".require"));
            } catch (const util::Error& e) {
                fail(n["require"], path + ".require", e.what(), e.hint());
            }
        }
        if (n["when"]) when(n["when"], path + ".when", req);
        j.require = req.text();
        if (j.command.find_first_not_of(" \t\n") == std::string::npos) fail(n, path, "missing command");
        if (!j.array.empty()) {
            try {
                parse_array_spec(j.array);
            } catch (const util::Error& e) {
                fail(n["array"], path + ".array", e.what(), e.hint());
            }
        }
        return j;
    }

private:
    std::string origin_;
};

}  // namespace

Plan parse_plan(const std::string& text, const std::string& origin, const std::string& default_host) {
    Reader rd(origin);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw util::UsageError(origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                                   ": not valid YAML: " + e.msg,
                               kFormatHint);
    }
    if (!root.IsMap()) rd.fail(root, "", "a plan is a map with version and jobs");
    rd.only_keys(root, "", {"version", "kill", "jobs"});
    if (!root["version"]) rd.fail(root, "", "plan file missing required version: set version: 1");
    if (rd.text(root["version"], "version") != "1")
        rd.fail(root["version"], "version", "unsupported plan version '" + rd.text(root["version"], "version") + "'",
                "this rj reads version 1");
    Plan plan;
    if (const YAML::Node k = root["kill"]) {
        if (!k.IsSequence()) rd.fail(k, "kill", "must be a list of job ids");
        for (size_t i = 0; i < k.size(); ++i) plan.kill.push_back(rd.job_id(k[i], "kill[" + std::to_string(i) + "]"));
    }
    const YAML::Node jobs = root["jobs"];
    if (!jobs || !jobs.IsSequence() || jobs.size() == 0)
        rd.fail(jobs ? jobs : root, "jobs", "plan must contain at least one job entry");
    for (size_t i = 0; i < jobs.size(); ++i) {
        std::string path = "jobs[" + std::to_string(i) + "]";
        const YAML::Node e = jobs[i];
        if (!e.IsMap()) rd.fail(e, path, "must contain job, parallel, or series");
        int kinds = (e["job"] ? 1 : 0) + (e["parallel"] ? 1 : 0) + (e["series"] ? 1 : 0);
        rd.only_keys(e, path, {"job", "parallel", "series"});
        if (kinds == 0) rd.fail(e, path, "must contain job, parallel, or series");
        if (kinds > 1) rd.fail(e, path, "cannot contain more than one of job/parallel/series");
        if (e["job"]) {
            plan.jobs.push_back(rd.job(e["job"], path + ".job", "", {}));
            continue;
        }
        bool series = static_cast<bool>(e["series"]);
        std::string bpath = path + (series ? ".series" : ".parallel");
        const YAML::Node b = series ? e["series"] : e["parallel"];
        if (!b.IsMap()) rd.fail(b, bpath, "must be a map with jobs");
        if (series) rd.only_keys(b, bpath, {"name", "dir", "env", "queue", "wait", "jobs"});
        else rd.only_keys(b, bpath, {"name", "dir", "env", "jobs"});
        std::string name = rd.text(b["name"], bpath + ".name");
        std::string dir = rd.text(b["dir"], bpath + ".dir");
        auto env = rd.env(b["env"], bpath + ".env");
        std::string wait = series ? rd.text(b["wait"], bpath + ".wait") : "";
        if (wait != "" && wait != "success" && wait != "any")
            rd.fail(b["wait"], bpath + ".wait", "must be 'success' or 'any'");
        std::string queue = series ? rd.text(b["queue"], bpath + ".queue") : "";
        const YAML::Node list = b["jobs"];
        if (!list || !list.IsSequence() || list.size() == 0) rd.fail(list ? list : b, bpath, "must contain at least one job");
        int prev = -1;
        for (size_t k = 0; k < list.size(); ++k) {
            PlanJob j = rd.job(list[k], bpath + ".jobs[" + std::to_string(k) + "]", dir, env);
            j.block = name;
            if (series) {
                j.in_series = true;
                j.series_any = wait == "any";
                j.series_prev = prev;
                if (j.queue.empty()) j.queue = queue.empty() ? "default" : queue;
                prev = static_cast<int>(plan.jobs.size());
            }
            plan.jobs.push_back(std::move(j));
        }
    }
    // Hosts, names, and what refers to what.
    std::map<std::string, size_t> names;
    for (size_t i = 0; i < plan.jobs.size(); ++i) {
        PlanJob& j = plan.jobs[i];
        auto at = [&](const std::string& what, const std::string& hint = kFormatHint) {
            throw util::UsageError(origin + ":" + std::to_string(j.line) + ": " + j.path + ": " + what, hint);
        };
        if (j.host.empty() && j.pool.empty()) {
            if (default_host.empty()) at("host missing", "provide --host or set host in the plan");
            j.host = default_host;
        }
        if (!j.host.empty() && j.host[0] == '@') {
            j.pool = j.host.substr(1);
            j.host.clear();
        }
        if (j.in_series && j.series_prev >= 0) {
            const PlanJob& p = plan.jobs[static_cast<size_t>(j.series_prev)];
            if (p.host != j.host || !p.pool.empty() || !j.pool.empty())
                at("series block jobs must target the same host (found " + (p.host.empty() ? "@" + p.pool : p.host) +
                   " and " + (j.host.empty() ? "@" + j.pool : j.host) + ")");
        }
        if (!j.name.empty()) {
            if (names.count(j.name)) at("the name '" + j.name + "' is used twice", "names must be unique in a plan");
            names[j.name] = i;
        }
        for (const auto& a : j.after)
            if (!names.count(a) || names[a] >= i)
                at("after: '" + a + "' names no earlier job of the plan", "after: takes the name of a job listed before it");
    }
    return plan;
}

}  // namespace engine
