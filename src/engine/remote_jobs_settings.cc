// remote-jobs' settings mapped to rj's config (engine/remote_jobs.h).
#include "config.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "engine/remote_jobs.h"
#include "store/config_file.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace engine {

namespace {

bool file_exists(const std::string& p) {
    struct stat sb {};
    return stat(p.c_str(), &sb) == 0 && S_ISREG(sb.st_mode);
}

std::string read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string trim(const std::string& s) {
    size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return "";
    return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

// "section.key" of every key rj's config sets (section "" for the top
// level, which is [defaults]).
std::set<std::string> keys_set(const std::string& text) {
    std::set<std::string> keys;
    std::string section = "defaults";
    std::istringstream in(text);
    for (std::string raw; std::getline(in, raw);) {
        std::string s = trim(raw.substr(0, raw.find('#')));
        if (s.empty()) continue;
        if (s.front() == '[') {
            section = trim(s.substr(1, s.size() >= 2 ? s.size() - 2 : 0));
            continue;
        }
        auto eq = s.find('=');
        if (eq != std::string::npos) keys.insert(section + "." + trim(s.substr(0, eq)));
    }
    return keys;
}

// A whole number of seconds, 1 s to a day: a remote-jobs interval.
std::optional<long> seconds(const std::string& v) {
    if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    long n = std::stol(v);
    if (n < 1 || n > 86400) return std::nullopt;
    return n;
}

}  // namespace

SettingsImport plan_settings_import(Engine& engine, const std::string& dir,
                                    const std::vector<std::pair<std::string, std::string>>& env) {
    SettingsImport plan;
    plan.config_path = engine.options().config_path;
    std::string existing = file_exists(plan.config_path) ? read_file(plan.config_path) : "";
    std::set<std::string> have = keys_set(existing);
    std::vector<std::string> defaults, notify;
    // One mapped setting: kept when rj's config has it, else added.
    auto map_key = [&](const std::string& from, const std::string& section, const std::string& key,
                       const std::string& value, bool secret) {
        std::string shown = secret ? "(the URL)" : value;
        std::string where = section == "defaults" ? key : "[" + section + "] " + key;
        if (have.count(section + "." + key)) {
            plan.said.push_back(from + ": kept rj's own " + where + " (already set in " + plan.config_path + ")");
            return;
        }
        (section == "defaults" ? defaults : notify).push_back(key + " = " + value);
        plan.said.push_back(from + " -> " + where + " = " + shown);
    };

    std::string yaml_path = dir + "/config.yaml";
    if (file_exists(yaml_path)) {
        YAML::Node root;
        try {
            root = YAML::LoadFile(yaml_path);
        } catch (const YAML::Exception& e) {
            throw util::Error(yaml_path + " is not remote-jobs' config.yaml (" + e.msg + ")",
                              "fix it, or move it aside to import without it; nothing was imported");
        }
        if (!root.IsNull() && !root.IsMap())
            throw util::Error(yaml_path + " is not remote-jobs' config.yaml (not a mapping of settings)",
                              "fix it, or move it aside to import without it; nothing was imported");
        const std::pair<const char*, const char*> intervals[] = {
            {"sync_interval", "sync_interval"}, {"log_refresh_interval", "log_interval"},
            {"host_refresh_interval", "meter_interval"}};
        for (const auto& [from, to] : intervals) {
            if (!root[from]) continue;
            std::string v = root[from].IsScalar() ? root[from].Scalar() : "";
            auto n = seconds(v);
            if (!n)
                throw util::Error(yaml_path + ": " + from + " '" + util::visible(v.substr(0, 40)) +
                                      "' is not a number of seconds (1 to 86400)",
                                  "fix it in remote-jobs' config.yaml; nothing was imported");
            map_key(std::string("config.yaml ") + from + ": " + v, "defaults", to, std::to_string(*n) + "s", false);
        }
        if (root["enable_mouse"]) {
            std::string v = root["enable_mouse"].IsScalar() ? root["enable_mouse"].Scalar() : "";
            if (v != "true" && v != "false")
                throw util::Error(yaml_path + ": enable_mouse '" + util::visible(v.substr(0, 40)) + "' is not true or false",
                                  "fix it in remote-jobs' config.yaml; nothing was imported");
            map_key("config.yaml enable_mouse: " + v, "defaults", "mouse", v == "true" ? "on" : "off", false);
        }
        if (root["default_command"])
            plan.said.push_back("config.yaml default_command: not mapped (rj's new-job form has no default command)");
    }

    // Slack: the variables first, as remote-jobs reads them; the webhook also
    // from SLACK_WEBHOOK= in its `config` file.
    std::map<std::string, std::string> vars(env.begin(), env.end());
    std::string webhook_from = "REMOTE_JOBS_SLACK_WEBHOOK";
    std::string webhook = vars.count("REMOTE_JOBS_SLACK_WEBHOOK") ? vars["REMOTE_JOBS_SLACK_WEBHOOK"] : "";
    std::string legacy = dir + "/config";
    if (webhook.empty() && file_exists(legacy)) {
        std::istringstream in(read_file(legacy));
        for (std::string line; std::getline(in, line);) {
            line = trim(line);
            if (line.rfind("SLACK_WEBHOOK=", 0) == 0) {
                webhook = trim(line.substr(14));
                if (webhook.size() >= 2 && (webhook.front() == '"' || webhook.front() == '\'') && webhook.back() == webhook.front())
                    webhook = webhook.substr(1, webhook.size() - 2);
                webhook_from = legacy + " SLACK_WEBHOOK";
            }
        }
    }
    if (!webhook.empty()) {
        if (webhook.rfind("https://", 0) != 0 || webhook.size() > 2048 ||
            webhook.find_first_of(" \t\r\n#\"'\\") != std::string::npos)
            throw util::Error(webhook_from + " is not a webhook URL (https://..., no spaces or quotes)",
                              "fix it, or unset it to import without it; nothing was imported");
        map_key(webhook_from, "notify", "slack_webhook", webhook, true);
    }
    if (vars.count("REMOTE_JOBS_SLACK_NOTIFY")) {
        std::string v = vars["REMOTE_JOBS_SLACK_NOTIFY"];
        if (v != "all" && v != "failures" && v != "none")
            throw util::Error("REMOTE_JOBS_SLACK_NOTIFY '" + util::visible(v.substr(0, 40)) + "' is not all, failures or none",
                              "fix or unset it; nothing was imported");
        map_key("REMOTE_JOBS_SLACK_NOTIFY=" + v, "notify", "notify", v, false);
    }
    if (vars.count("REMOTE_JOBS_SLACK_MIN_DURATION")) {
        std::string v = vars["REMOTE_JOBS_SLACK_MIN_DURATION"];
        auto n = v == "0" ? std::optional<long>(0) : seconds(v);
        if (!n)
            throw util::Error("REMOTE_JOBS_SLACK_MIN_DURATION '" + util::visible(v.substr(0, 40)) +
                                  "' is not a number of seconds",
                              "fix or unset it; nothing was imported");
        map_key("REMOTE_JOBS_SLACK_MIN_DURATION=" + v, "notify", "min_duration", std::to_string(*n) + "s", false);
    }
    if (vars.count("REMOTE_JOBS_SLACK_VERBOSE"))
        map_key("REMOTE_JOBS_SLACK_VERBOSE=" + util::visible(vars["REMOTE_JOBS_SLACK_VERBOSE"].substr(0, 10)), "notify",
                "verbose", vars["REMOTE_JOBS_SLACK_VERBOSE"] == "1" ? "on" : "off", false);

    if (!defaults.empty() || !notify.empty()) {
        std::string& a = plan.append;
        if (!existing.empty() && existing.back() != '\n') a += "\n";
        a += "\n# From remote-jobs' settings (rj -b import remote-jobs)\n";
        if (!defaults.empty()) {
            a += "[defaults]\n";
            for (const auto& l : defaults) a += l + "\n";
        }
        if (!notify.empty()) {
            a += "[notify]\n";
            for (const auto& l : notify) a += l + "\n";
        }
    }
    return plan;
}

void write_settings_import(const SettingsImport& plan) {
    if (plan.append.empty()) return;
    bool existed = file_exists(plan.config_path);
    std::string before = existed ? read_file(plan.config_path) : "";
    if (!existed) {
        // Its directory, as rj makes it; the file 0600: it holds a webhook URL.
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(plan.config_path).parent_path(), ec);
    }
    {
        std::ofstream out(plan.config_path, std::ios::binary | std::ios::app);
        out << plan.append;
        if (!out) throw util::Error("cannot write " + plan.config_path, "check its directory and permissions");
    }
    if (!existed) chmod(plan.config_path.c_str(), 0600);
    try {
        (void)store::Config::load(plan.config_path);
    } catch (const util::Error&) {
        if (existed) {
            std::ofstream(plan.config_path, std::ios::binary | std::ios::trunc) << before;
        } else {
            std::remove(plan.config_path.c_str());
        }
        throw;
    }
}

}  // namespace engine
