#include "config.h"

#include "store/config_file.h"

#include <algorithm>
#include <cctype>
#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "util/duration.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/strings.h"

namespace store {

namespace po = boost::program_options;

namespace {

const char* const kSyntaxHint =
    "lines are 'key = value', '[defaults]', '[host NAME]', '[pool NAME]', '[notify]' or '# comment'";

enum class Section { defaults, host, pool, notify, unknown };

// A webhook URL goes into a curl config file on hosts (inside double quotes)
// and into libcurl: only http(s) and printable ASCII without quotes,
// backslashes or spaces, so it can be written there without escaping.
std::string webhook_problem(const std::string& url) {
    if (!url.starts_with("https://") && !url.starts_with("http://")) return "does not start with https:// or http://";
    if (url.size() > 2048) return "is longer than 2048 characters";
    for (unsigned char c : url)
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\') return "has a space, a quote, a backslash or a control character";
    return {};
}

bool notify_policy_ok(const std::string& p) { return p == "all" || p == "failures" || p == "none"; }

// One `key = value` line as the pre-scan saw it. Boost's parser yields the
// same keys in the same order but without line numbers, so the two lists are
// zipped together.
struct KeyLine {
    int line;
    Section section;
    std::string name;   // host or pool name
    std::string label;  // section as shown in messages: "[host gpu1]"
    std::string key;
};

class Parser {
public:
    Parser(const std::string& origin, Config& cfg) : origin_(origin), cfg_(cfg) {}

    [[noreturn]] void fail(int line, const std::string& what, const std::string& hint) const {
        throw util::Error(origin_ + ":" + std::to_string(line) + ": " + what, hint);
    }

    void warn(int line, const std::string& what) {
        warnings_.emplace_back(line, origin_ + ":" + std::to_string(line) + ": " + what);
    }

    // Section warnings come from the pre-scan, key warnings later: sort by line.
    std::vector<std::string> warnings() {
        std::stable_sort(warnings_.begin(), warnings_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::string> out;
        for (auto& w : warnings_) out.push_back(std::move(w.second));
        return out;
    }

    // Checks the syntax of every line, like Boost's parser would read it, and
    // records where each key is.
    std::vector<KeyLine> prescan(const std::string& text) {
        std::vector<KeyLine> keys;
        Section section = Section::defaults;
        std::string name, label = "[defaults]";
        std::istringstream in(text);
        std::string raw;
        for (int line = 1; std::getline(in, raw); ++line) {
            std::string s = util::trim(raw.substr(0, raw.find('#')));
            if (s.empty()) continue;
            if (s.front() == '[') {
                if (s.size() < 2 || s.back() != ']')
                    fail(line, "bad section header '" + s + "'", kSyntaxHint);
                std::vector<std::string> words = util::split_any(s.substr(1, s.size() - 2), " \t");
                name.clear();
                if (words.empty()) fail(line, "empty section header '[]'", kSyntaxHint);
                if (words[0] == "host" || words[0] == "pool") {
                    if (words.size() != 2)
                        fail(line, "section '" + s + "' needs exactly one name", "write [" + words[0] + " NAME]");
                    section = words[0] == "host" ? Section::host : Section::pool;
                    name = words[1];
                    label = "[" + words[0] + " " + name + "]";
                    declare(section, name);
                } else if (words.size() == 1 && words[0] == "notify") {
                    section = Section::notify;
                    label = "[notify]";
                } else if (words.size() == 1 && words[0] == "defaults") {
                    section = Section::defaults;
                    label = "[defaults]";
                } else {
                    section = Section::unknown;
                    label = s;
                    warn(line, "unknown section " + s + "; its keys are ignored");
                }
                continue;
            }
            size_t eq = s.find('=');
            if (eq == std::string::npos) fail(line, "expected 'key = value', got '" + s + "'", kSyntaxHint);
            std::string key = util::trim(s.substr(0, eq));
            if (key.empty()) fail(line, "missing key before '='", kSyntaxHint);
            keys.push_back({line, section, name, label, key});
        }
        return keys;
    }

    void apply(const KeyLine& k, const std::string& value) {
        switch (k.section) {
        case Section::defaults: apply_default(k, value); break;
        case Section::host: apply_host(k, value); break;
        case Section::pool: apply_pool(k, value); break;
        case Section::notify: apply_notify(k, value); break;
        case Section::unknown: break;  // warned once at the header
        }
    }

private:
    void declare(Section section, const std::string& name) {
        if (section == Section::host) cfg_.hosts[name].name = name;
        else cfg_.pools[name].name = name;
    }

    std::chrono::seconds duration(const KeyLine& k, const std::string& v, bool allow_zero) {
        auto d = util::parse_duration(v);
        if (!d) fail(k.line, k.key + ": '" + v + "' is not a duration", "durations look like 90s, 30m, 2h, 1h30m or 7d");
        if (!allow_zero && d->count() == 0) fail(k.line, k.key + " must be longer than 0s", "for example 15s");
        return *d;
    }

    bool boolean(const KeyLine& k, const std::string& v) {
        std::string l = util::to_lower(v);
        if (l == "true" || l == "yes" || l == "on" || l == "1") return true;
        if (l == "false" || l == "no" || l == "off" || l == "0") return false;
        fail(k.line, k.key + ": '" + v + "' is not true or false", "write true or false (yes/no, on/off also work)");
    }

    int integer(const KeyLine& k, const std::string& v, int lo, int hi) {
        long n = 0;
        bool ok = !v.empty() && v.size() <= 9 && v.find_first_not_of("0123456789") == std::string::npos;
        if (ok) n = std::stol(v);
        if (!ok || n < lo || n > hi)
            fail(k.line, k.key + ": '" + v + "' is not a whole number from " + std::to_string(lo) + " to " +
                             std::to_string(hi),
                 "for example " + k.key + " = " + std::to_string(std::max(lo, 1)));
        return static_cast<int>(n);
    }

    // "2M", "512K", "1048576": bytes, up to 1 GiB.
    int64_t bytes(const KeyLine& k, const std::string& v) {
        std::string num = v;
        int64_t unit = 1;
        if (!num.empty() && (num.back() == 'K' || num.back() == 'k')) unit = 1 << 10;
        if (!num.empty() && (num.back() == 'M' || num.back() == 'm')) unit = 1 << 20;
        if (unit != 1) num.pop_back();
        bool ok = !num.empty() && num.size() <= 10 && num.find_first_not_of("0123456789") == std::string::npos;
        int64_t n = ok ? std::stoll(num) * unit : -1;
        if (!ok || n > (int64_t{1} << 30))
            fail(k.line, k.key + " must be a size like 2M, 512K or a number of bytes (at most 1G), not '" + v + "'",
                 "for example: " + k.key + " = 2M");
        return n;
    }

    // "*.ckpt, secrets/": gitignore patterns, added to the built-in ones
    // (which a pattern cannot take back: no "!").
    std::vector<std::string> exclude_patterns(const KeyLine& k, const std::string& v) {
        std::vector<std::string> out = util::split_any(v, ", \t");
        for (const auto& p : out)
            if (p[0] == '!' || p[0] == '#')
                fail(k.line, k.key + ": '" + p + "' cannot start with ! or #",
                     "list the files never to capture, for example: " + k.key + " = *.ckpt, secrets/");
        return out;
    }

    std::string nonempty(const KeyLine& k, const std::string& v) {
        if (v.empty()) fail(k.line, k.key + " is empty", "give it a value or delete the line");
        return v;
    }

    void unknown(const KeyLine& k) { warn(k.line, "unknown key '" + k.key + "' in " + k.label); }

    void apply_default(const KeyLine& k, const std::string& v) {
        if (k.key == "sync_interval") cfg_.sync_interval = duration(k, v, false);
        else if (k.key == "log_interval") cfg_.log_interval = duration(k, v, false);
        else if (k.key == "meter_interval") cfg_.meter_interval = duration(k, v, false);
        else if (k.key == "timeout") cfg_.default_timeout = duration(k, v, true);
        else if (k.key == "remote_dir") cfg_.remote_dir = nonempty(k, v);
        else if (k.key == "mouse") cfg_.mouse = boolean(k, v);
        else if (k.key == "accept_new_host_keys") cfg_.accept_new_host_keys = boolean(k, v);
        else if (k.key == "snapshot") cfg_.snapshot = boolean(k, v);
        else if (k.key == "snapshot_limit") cfg_.snapshot_limit = bytes(k, v);
        else if (k.key == "snapshot_timeout") cfg_.snapshot_timeout = duration(k, v, false);
        else if (k.key == "snapshot_exclude") cfg_.snapshot_exclude = exclude_patterns(k, v);
        else if (k.key == "progress") cfg_.progress = progress(k, v);
        else if (k.key == "stall_after") cfg_.stall_after = stall(k, v);
        else if (k.key == "ignore_hosts") cfg_.ignore_hosts = util::split_any(v, ", \t");
        else if (k.key == "color") {
            std::string l = util::to_lower(v);
            if (l == "auto" || l == "always" || l == "never") cfg_.color = l;
            else cfg_.color = boolean(k, v) ? "always" : "never";
        } else unknown(k);
    }

    void apply_host(const KeyLine& k, const std::string& v) {
        HostSettings& h = cfg_.hosts[k.name];
        if (k.key == "remote_dir") h.remote_dir = nonempty(k, v);
        else if (k.key == "max_sessions") h.max_sessions = integer(k, v, 1, 64);
        else if (k.key == "description") h.description = v;
        else if (k.key == "gpu_free_mib") h.gpu_free_mib = integer(k, v, 0, 1 << 30);
        else if (k.key == "snapshot") h.snapshot = boolean(k, v) ? 1 : 0;
        else if (k.key == "notify") h.notify = policy(k, v);
        else if (k.key == "prelude") h.prelude = v;
        else if (k.key == "progress") h.progress = progress(k, v);
        else if (k.key == "stall_after") h.stall_after = stall(k, v);
        else if (apply_slurm_key(h.slurm, k, v)) {
        } else unknown(k);
    }

    // A SLURM cluster's login node (issue 12): `scheduler = slurm` and what
    // every sbatch of it carries. Names are checked here, so a typo is a
    // FILE:LINE error and never reaches a command line on the host.
    bool apply_slurm_key(SlurmSettings& s, const KeyLine& k, const std::string& v) {
        auto name = [&](const char* example) {
            bool ok = !v.empty() && v.size() <= 64;
            for (char c : v) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ',');
            if (!ok) fail(k.line, k.key + ": '" + v + "' is not a SLURM name", std::string("letters, digits, _ - . and , only; for example: ") + example);
            return v;
        };
        if (k.key == "scheduler") {
            std::string l = util::to_lower(v);
            if (l != "slurm" && l != "tmux") fail(k.line, "scheduler: '" + v + "' is not slurm or tmux", "for a cluster's login node: scheduler = slurm");
            s.enabled = l == "slurm";
        } else if (k.key == "partition") s.partition = name("partition = gpu");
        else if (k.key == "account") s.account = name("account = mylab");
        else if (k.key == "qos") s.qos = name("qos = normal");
        else if (k.key == "sbatch_options") {
            s.extra.clear();
            for (const auto& w : util::split_any(v, " \t")) {
                if (w.size() < 2 || w[0] != '-' || w.size() > 200)
                    fail(k.line, "sbatch_options: '" + w + "' is not an sbatch option", "options separated by spaces, each one word: sbatch_options = --constraint=a100 --mail-type=END");
                s.extra.push_back(w);
            }
        } else return false;
        return true;
    }

    // A pattern may be quoted ('Epoch (\d+)/(\d+)'): one pair of quotes is dropped.
    std::string progress(const KeyLine& k, std::string v) {
        if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
        std::string problem;
        if (!util::compile_progress(v, &problem))
            fail(k.line, "progress '" + v + "' " + problem,
                 "for example: progress = 'Epoch (\\d+)/(\\d+)' or progress = percent");
        return v;
    }

    std::chrono::seconds stall(const KeyLine& k, const std::string& v) {
        std::string l = util::to_lower(v);
        if (l == "off" || l == "no" || l == "0") return std::chrono::seconds(0);
        return duration(k, v, false);
    }

    std::string policy(const KeyLine& k, const std::string& v) {
        std::string l = util::to_lower(v);
        if (!notify_policy_ok(l)) fail(k.line, k.key + ": '" + v + "' is not all, failures or none", "for example: notify = failures");
        return l;
    }

    std::string webhook(const KeyLine& k, const std::string& v) {
        if (v.empty()) return v;
        std::string problem = webhook_problem(v);
        if (!problem.empty()) fail(k.line, k.key + " " + problem, "paste the URL the service gave you, as it is");
        return v;
    }

    void apply_notify(const KeyLine& k, const std::string& v) {
        NotifySettings& n = cfg_.notify;
        if (k.key == "slack_webhook") n.slack_webhook = webhook(k, v);
        else if (k.key == "discord_webhook") n.discord_webhook = webhook(k, v);
        else if (k.key == "webhook") n.webhook = webhook(k, v);
        else if (k.key == "notify") n.policy = policy(k, v);
        else if (k.key == "min_duration") n.min_duration = duration(k, v, true);
        else if (k.key == "verbose") n.verbose = boolean(k, v);
        else if (k.key == "bell") n.bell = boolean(k, v);
        else if (k.key == "digest") n.digest = boolean(k, v);
        else if (k.key == "command") n.command = util::split_any(v, " \t");
        else unknown(k);
    }

    void apply_pool(const KeyLine& k, const std::string& v) {
        PoolSettings& p = cfg_.pools[k.name];
        if (k.key == "hosts") {
            p.hosts = util::split_any(v, ", \t");
            if (p.hosts.empty()) fail(k.line, k.label + " hosts is empty", "list host names: hosts = gpu1, gpu2");
        } else if (k.key == "prelude") p.prelude = v;
        else unknown(k);
    }

    const std::string& origin_;
    Config& cfg_;
    std::vector<std::pair<int, std::string>> warnings_;
};

}  // namespace

Config Config::parse(const std::string& text, const std::string& origin) {
    Config cfg;
    Parser parser(origin, cfg);
    std::vector<KeyLine> keys = parser.prescan(text);

    std::istringstream in(text);
    po::options_description none;  // every key is unregistered; we judge them ourselves, with line numbers
    po::parsed_options parsed(&none);
    try {
        parsed = po::parse_config_file(in, none, true);
    } catch (const po::error& e) {
        throw util::Error(origin + ": " + e.what(), kSyntaxHint);
    }
    if (parsed.options.size() != keys.size())
        throw util::Error(origin + ": could not match the settings to their lines", kSyntaxHint);
    for (size_t i = 0; i < keys.size(); ++i) {
        const po::option& opt = parsed.options[i];
        if (!opt.string_key.ends_with(keys[i].key))
            throw util::Error(origin + ":" + std::to_string(keys[i].line) + ": could not read key '" +
                                  keys[i].key + "'",
                              kSyntaxHint);
        parser.apply(keys[i], opt.value.empty() ? std::string() : opt.value.front());
    }
    cfg.warnings = parser.warnings();
    return cfg;
}

Config Config::load(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        if (errno == ENOENT) return Config{};
        throw util::Error("cannot read " + path + ": " + std::strerror(errno),
                          "check its permissions, or set RJ_CONFIG to another file");
    }
    std::string text;
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    bool failed = std::ferror(f);
    std::fclose(f);
    if (failed) throw util::Error("cannot read " + path, "check the file and the disk");
    return parse(text, path);
}

std::string Config::remote_dir_for(const std::string& host) const {
    auto it = hosts.find(host);
    return it != hosts.end() && !it->second.remote_dir.empty() ? it->second.remote_dir : remote_dir;
}

std::vector<std::string> Config::snapshot_exclude_patterns() const {
    std::vector<std::string> all = kSnapshotExcludeDefaults;
    all.insert(all.end(), snapshot_exclude.begin(), snapshot_exclude.end());
    return all;
}

int64_t Config::snapshot_bytes_for(const std::string& host) const {
    auto it = hosts.find(host);
    bool on = snapshot;
    if (it != hosts.end() && it->second.snapshot >= 0) on = it->second.snapshot == 1;
    return on ? snapshot_limit : 0;
}

std::string Config::progress_for(const std::string& host) const {
    auto it = hosts.find(host);
    return it != hosts.end() && !it->second.progress.empty() ? it->second.progress : progress;
}

std::chrono::seconds Config::stall_after_for(const std::string& host) const {
    auto it = hosts.find(host);
    return it != hosts.end() && it->second.stall_after.count() >= 0 ? it->second.stall_after : stall_after;
}

std::string Config::notify_policy_for(const std::string& host) const {
    auto it = hosts.find(host);
    return it != hosts.end() && !it->second.notify.empty() ? it->second.notify : notify.policy;
}

void Config::apply_notify_environment() {
    auto env = [](const char* name) {
        const char* v = std::getenv(name);
        return v ? std::string(v) : std::string();
    };
    struct Url {
        const char* name;
        std::string* slot;
    };
    for (Url u : {Url{"RJ_SLACK_WEBHOOK", &notify.slack_webhook}, Url{"RJ_DISCORD_WEBHOOK", &notify.discord_webhook},
                  Url{"RJ_WEBHOOK", &notify.webhook}}) {
        std::string v = env(u.name);
        if (v.empty()) continue;
        std::string problem = webhook_problem(v);
        if (!problem.empty()) throw util::Error(std::string(u.name) + " " + problem, "paste the URL the service gave you, as it is");
        *u.slot = v;
    }
    if (std::string p = util::to_lower(env("RJ_NOTIFY")); !p.empty()) {
        if (!notify_policy_ok(p)) throw util::Error("RJ_NOTIFY='" + p + "' is not all, failures or none");
        notify.policy = p;
    }
}

std::string Config::prelude_for(const std::string& host, const std::string& pool) const {
    std::string out;
    auto h = hosts.find(host);
    if (h != hosts.end() && !h->second.prelude.empty()) out = h->second.prelude;
    auto p = pools.find(pool);
    if (!pool.empty() && p != pools.end() && !p->second.prelude.empty())
        out += (out.empty() ? "" : "\n") + p->second.prelude;
    return out;
}

int Config::gpu_free_mib_for(const std::string& host) const {
    auto it = hosts.find(host);
    return it != hosts.end() ? it->second.gpu_free_mib : HostSettings{}.gpu_free_mib;
}

const SlurmSettings* Config::slurm_for(const std::string& host) const {
    auto it = hosts.find(host);
    return it != hosts.end() && it->second.slurm.enabled ? &it->second.slurm : nullptr;
}

int Config::max_sessions_for(const std::string& host) const {
    auto it = hosts.find(host);
    return it != hosts.end() ? it->second.max_sessions : HostSettings{}.max_sessions;
}

}  // namespace store
