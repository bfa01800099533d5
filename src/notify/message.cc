#include "config.h"

#include "notify/message.h"

#include <vector>

#include "util/json.h"

namespace notify {

namespace {

// The text both chat channels show:
//   ✓ rj job 12 on gpu1 completed in 1m05s: train the model
//   ✗ rj job 13 on gpu1 failed with exit code 3 after 12s: make test
//   <last log lines>
std::string text_template(const JobInfo& job) {
    std::string what = job.description.empty() ? job.command : job.description;
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    std::string t = "@MARK@ rj job @ID@ on " + json_text(job.host) + " @OUTCOME@: " +
                    json_text(what);
    if (job.verbose) {
        std::string cmd = job.command.size() > 1000 ? job.command.substr(0, 1000) + "..." : job.command;
        t += "\\ndirectory: " + json_text(job.workdir.empty() ? "~" : job.workdir) + "\\ncommand: " + json_text(cmd);
    }
    return t + "@TAIL@";
}

std::string outcome(const EndInfo& e) {
    std::string after = e.seconds >= 0 ? " after " + duration_text(e.seconds) : "";
    if (e.status == "completed") return "completed" + (e.seconds >= 0 ? " in " + duration_text(e.seconds) : "");
    if (e.status == "failed") {
        if (e.signal > 0) return "failed: signal " + std::to_string(e.signal) + after;
        if (e.exit_code >= 0) return "failed with exit code " + std::to_string(e.exit_code) + after;
        return "failed" + after;
    }
    if (e.status == "killed") return "was killed" + after;
    if (e.status == "timeout") return "timed out" + after;
    if (e.status == "dead") return "is dead (gone without an exit record)";
    if (e.status == "cancelled") return "was cancelled";
    return json_text(e.status) + after;
}

}  // namespace

const char* to_string(Channel c) {
    switch (c) {
    case Channel::Slack: return "slack";
    case Channel::Discord: return "discord";
    case Channel::Webhook: return "webhook";
    }
    return "webhook";
}

std::string json_text(std::string_view s) {
    std::string q = util::json_quote(s);
    q = q.substr(1, q.size() - 2);
    std::string out;
    out.reserve(q.size());
    for (char c : q) {
        if (c == '@') out += "\\u0040";
        else out += c;
    }
    return out;
}

std::string payload_template(Channel channel, const JobInfo& job) {
    std::string text = text_template(job);
    switch (channel) {
    case Channel::Slack: return "{\"text\":\"" + text + "\"}";
    case Channel::Discord: return "{\"content\":\"" + text + "\"}";
    case Channel::Webhook: break;
    }
    return "{\"id\":@ID@,\"host\":\"" + json_text(job.host) +
           "\",\"status\":\"@STATUS@\",\"exit_code\":@CODE@,\"signal\":@SIG@,\"duration_s\":@SECS@"
           ",\"description\":\"" + json_text(job.description) + "\",\"command\":\"" + json_text(job.command) +
           "\",\"workdir\":\"" + json_text(job.workdir) + "\",\"log_tail\":\"@LINES@\",\"via\":\"@VIA@\",\"text\":\"" +
           text + "\"}";
}

std::string plain_text(const JobInfo& job, const EndInfo& end) {
    std::string what = job.description.empty() ? job.command : job.description;
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    return std::string(is_failure(end.status) ? "\u2717" : "\u2713") + " rj job " + std::to_string(end.id) + " on " +
           job.host + " " + outcome(end) + ": " + what;
}

std::string digest_text(const std::vector<DigestEntry>& entries) {
    static const char* const kOrder[] = {"completed", "failed", "timeout", "killed", "dead", "cancelled"};
    std::map<std::string, int> counts;
    for (const auto& e : entries) ++counts[e.end.status];
    std::string head;
    for (const char* st : kOrder) {
        auto it = counts.find(st);
        if (it == counts.end()) continue;
        head += (head.empty() ? "" : ", ") + std::to_string(it->second) + " " + st;
        counts.erase(it);
    }
    for (const auto& [st, n] : counts) head += (head.empty() ? "" : ", ") + std::to_string(n) + " " + st;
    std::string text = "rj digest: " + head;
    for (const auto& e : entries) {
        if (!is_failure(e.end.status)) continue;
        text += "\n" + plain_text(e.job, e.end);
        std::string tail = tail_lines(e.end.tail);
        size_t pos = 0;
        while (pos < tail.size()) {
            size_t nl = tail.find('\n', pos);
            if (nl == std::string::npos) nl = tail.size();
            text += "\n    " + tail.substr(pos, nl - pos);
            pos = nl + 1;
        }
    }
    return text;
}

std::string digest_payload(Channel channel, const std::vector<DigestEntry>& entries) {
    std::string text = digest_text(entries);
    switch (channel) {
    case Channel::Slack: return "{\"text\":\"" + json_text(text) + "\"}";
    case Channel::Discord: return "{\"content\":\"" + json_text(text.size() > 1900 ? text.substr(0, 1900) + "..." : text) + "\"}";
    case Channel::Webhook: break;
    }
    std::map<std::string, int> counts;
    std::string jobs;
    for (const auto& e : entries) {
        ++counts[e.end.status];
        jobs += std::string(jobs.empty() ? "" : ",") + "{\"id\":" + std::to_string(e.end.id) + ",\"host\":\"" +
                json_text(e.job.host) + "\",\"status\":\"" + json_text(e.end.status) + "\",\"exit_code\":" +
                (e.end.exit_code >= 0 ? std::to_string(e.end.exit_code) : "null") + ",\"log_tail\":\"" +
                json_text(e.end.tail) + "\"}";
    }
    std::string c;
    for (const auto& [st, n] : counts) c += std::string(c.empty() ? "" : ",") + "\"" + json_text(st) + "\":" + std::to_string(n);
    return "{\"event\":\"digest\",\"counts\":{" + c + "},\"jobs\":[" + jobs + "],\"text\":\"" + json_text(text) + "\"}";
}

namespace {
std::string counts_text(const std::map<std::string, int>& counts) {
    static const char* const kOrder[] = {"completed", "failed", "timeout", "killed", "dead", "cancelled"};
    std::map<std::string, int> rest = counts;
    std::string out;
    for (const char* st : kOrder) {
        auto it = rest.find(st);
        if (it == rest.end()) continue;
        out += (out.empty() ? "" : ", ") + std::to_string(it->second) + " " + st;
        rest.erase(it);
    }
    for (const auto& [st, n] : rest) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + st;
    return out;
}
}  // namespace

std::string array_text(const JobInfo& array, int64_t array_id, const std::vector<EndInfo>& tasks) {
    std::map<std::string, int> counts;
    std::string bad;
    int listed = 0;
    bool any_failure = false;
    for (const auto& t : tasks) {
        ++counts[t.status];
        if (!is_failure(t.status)) continue;
        any_failure = true;
        if (listed++ < 20) bad += (bad.empty() ? "" : ", ") + std::to_string(t.id);
        else if (listed == 21) bad += ", ...";
    }
    std::string what = array.description.empty() ? array.command : array.description;
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    return std::string(any_failure ? "\u2717" : "\u2713") + " rj array " + std::to_string(array_id) + " on " +
           array.host + ": " + counts_text(counts) + (bad.empty() ? "" : " (tasks " + bad + ")") + ": " + what;
}

std::string array_payload(Channel channel, const JobInfo& array, int64_t array_id, const std::vector<EndInfo>& tasks) {
    std::string text = json_text(array_text(array, array_id, tasks));
    switch (channel) {
    case Channel::Slack: return "{\"text\":\"" + text + "\"}";
    case Channel::Discord: return "{\"content\":\"" + text + "\"}";
    case Channel::Webhook: break;
    }
    std::map<std::string, int> counts;
    std::string failed;
    for (const auto& t : tasks) {
        ++counts[t.status];
        if (is_failure(t.status)) failed += (failed.empty() ? "" : ",") + std::to_string(t.id);
    }
    std::string c;
    for (const auto& [st, n] : counts) c += std::string(c.empty() ? "" : ",") + "\"" + json_text(st) + "\":" + std::to_string(n);
    return "{\"event\":\"array\",\"array_id\":" + std::to_string(array_id) + ",\"host\":\"" + json_text(array.host) +
           "\",\"counts\":{" + c + "},\"failed_tasks\":[" + failed + "],\"description\":\"" +
           json_text(array.description) + "\",\"command\":\"" + json_text(array.command) + "\",\"text\":\"" + text + "\"}";
}

std::string stall_payload(Channel channel, const JobInfo& job, int64_t id, int64_t quiet_s) {
    std::string what = job.description.empty() ? job.command : job.description;
    std::string text = "\\u26a0 rj job " + std::to_string(id) + " on " + json_text(job.host) +
                       " stalled: its log has not grown for " + duration_text(quiet_s) + ": " + json_text(what);
    switch (channel) {
    case Channel::Slack: return "{\"text\":\"" + text + "\"}";
    case Channel::Discord: return "{\"content\":\"" + text + "\"}";
    case Channel::Webhook: break;
    }
    return "{\"event\":\"stalled\",\"id\":" + std::to_string(id) + ",\"host\":\"" + json_text(job.host) +
           "\",\"quiet_s\":" + std::to_string(quiet_s) + ",\"description\":\"" + json_text(job.description) +
           "\",\"command\":\"" + json_text(job.command) + "\",\"text\":\"" + text + "\"}";
}

std::map<std::string, std::string> end_values(const EndInfo& e) {
    std::string lines = json_text(e.tail);
    return {
        {"ID", std::to_string(e.id)},
        {"MARK", is_failure(e.status) ? "\\u2717" : "\\u2713"},
        {"STATUS", json_text(e.status)},
        {"OUTCOME", outcome(e)},
        {"CODE", e.exit_code >= 0 ? std::to_string(e.exit_code) : "null"},
        {"SIG", std::to_string(e.signal > 0 ? e.signal : 0)},
        {"SECS", e.seconds >= 0 ? std::to_string(e.seconds) : "null"},
        {"LINES", lines},
        {"TAIL", lines.empty() ? "" : "\\n" + lines},
        {"VIA", json_text(e.via)},
    };
}

std::string fill(std::string tmpl, const std::map<std::string, std::string>& values) {
    std::string out;
    size_t pos = 0;
    while (pos < tmpl.size()) {
        size_t at = tmpl.find('@', pos);
        if (at == std::string::npos) break;
        size_t end = tmpl.find('@', at + 1);
        if (end == std::string::npos) break;
        auto it = values.find(tmpl.substr(at + 1, end - at - 1));
        if (it == values.end()) {  // not ours: keep the '@' and look on from the next one
            out.append(tmpl, pos, end - pos);
            pos = end;
            continue;
        }
        out.append(tmpl, pos, at - pos);
        out += it->second;
        pos = end + 1;
    }
    out.append(tmpl, pos, std::string::npos);
    return out;
}

std::string payload(Channel channel, const JobInfo& job, const EndInfo& end) {
    return fill(payload_template(channel, job), end_values(end));
}

std::string duration_text(int64_t s) {
    auto two = [](int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
    if (s < 60) return std::to_string(s) + "s";
    if (s < 3600) return std::to_string(s / 60) + "m" + two(s % 60) + "s";
    return std::to_string(s / 3600) + "h" + two(s % 3600 / 60) + "m";
}

std::string tail_lines(std::string_view log, int lines) {
    if (!log.empty() && log.back() == '\n') log.remove_suffix(1);
    if (log.empty() || lines <= 0) return {};
    size_t start = log.size();
    for (int n = 0; n < lines && start > 0; ++n) {
        size_t nl = log.rfind('\n', start - 1);
        if (nl == std::string_view::npos) {
            start = 0;
            break;
        }
        start = n + 1 < lines ? nl : nl + 1;
    }
    if (start < log.size() && log[start] == '\n') ++start;
    // As the wrapper's `tr -cd` then `cut -c1-300`: printable ASCII, 300 bytes a line.
    std::string out, line;
    bool leading = true;  // the wrapper's join drops empty lines before the first text
    for (size_t i = start; i <= log.size(); ++i) {
        if (i == log.size() || log[i] == '\n') {
            leading = leading && line.empty();
            if (!leading) out += (out.empty() ? "" : "\n") + line.substr(0, 300);
            line.clear();
        } else if (log[i] >= ' ' && log[i] < 0x7f) {
            line += log[i];
        }
    }
    return out;
}

bool is_failure(std::string_view status) { return status != "completed"; }

bool wants_message(std::string_view policy, std::string_view status, int64_t seconds,
                   std::chrono::seconds min_duration) {
    if (policy == "none" || policy.empty()) return false;
    if (is_failure(status)) return true;
    if (policy == "failures") return false;
    return seconds < 0 || seconds >= min_duration.count();
}

}  // namespace notify
