#include "config.h"

#include "tui/job_form.h"

#include "util/duration.h"
#include "util/error.h"
#include "util/shell_quote.h"
#include "util/strings.h"

namespace tui {

std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(cur);
            cur.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\' && i + 1 < text.size()) {
            cur += text[++i];
        } else if (c == '\'') {
            size_t end = text.find('\'', i + 1);
            if (end == std::string::npos) throw util::UsageError("unclosed ' in the environment");
            cur += text.substr(i + 1, end - i - 1);
            i = end;
        } else if (c == '"') {
            size_t j = i + 1;
            for (; j < text.size() && text[j] != '"'; ++j) {
                if (text[j] == '\\' && j + 1 < text.size() && (text[j + 1] == '"' || text[j + 1] == '\\')) ++j;
                cur += text[j];
            }
            if (j >= text.size()) throw util::UsageError("unclosed \" in the environment");
            i = j;
        } else {
            cur += c;
        }
    }
    if (in_word) words.push_back(cur);
    return words;
}

std::string join_env(const std::vector<std::pair<std::string, std::string>>& env) {
    std::string out;
    for (const auto& [k, v] : env) {
        if (!out.empty()) out += ' ';
        out += k + "=" + util::shell_quote_if_needed(v);
    }
    return out;
}

std::vector<Field> job_form_fields(const engine::SubmitRequest& r, const std::vector<std::string>& hosts) {
    std::vector<Field> f(FCount_);
    f[FHost].label = "Host";
    f[FHost].value = r.host;
    f[FHost].candidates = hosts;
    f[FDir].label = "Directory";
    f[FDir].value = r.workdir;
    f[FDir].hint = "on the host; empty means ~ (its home)";
    f[FCommand].label = "Command";
    f[FCommand].value = r.command;
    f[FCommand].hint = "a shell command line, run exactly as typed";
    f[FDescription].label = "Description";
    f[FDescription].value = r.description;
    f[FDescription].hint = "optional; shown instead of the command in the list";
    f[FEnv].label = "Environment";
    f[FEnv].value = join_env(r.env);
    f[FEnv].hint = "optional: NAME=VALUE ..., quote values with spaces";
    f[FTimeout].label = "Timeout";
    if (r.timeout_s > 0) f[FTimeout].value = util::format_duration(util::Seconds(r.timeout_s));
    f[FTimeout].hint = "optional: 90s, 30m, 2h, 1h30m, 7d";
    f[FQueue].label = "Queue";
    if (r.queue.enabled) f[FQueue].value = r.queue.name;
    f[FQueue].hint = "optional: wait in this queue on the host (e.g. default); empty runs it now";
    if (r.queue.enabled && (!r.queue.array.empty() || r.queue.priority != 0)) {
        // The form has no fields for these: say that they are kept.
        std::string kept;
        if (!r.queue.array.empty()) kept = "array " + r.queue.array;
        if (r.queue.priority != 0) kept += (kept.empty() ? "" : ", ") + std::string("priority ") + std::to_string(r.queue.priority);
        f[FQueue].hint = "the queue to wait in; " + kept + " kept; empty runs it now";
    }
    f[FGpus].label = "GPUs";
    if (r.queue.enabled && r.queue.gpus > 0) f[FGpus].value = std::to_string(r.queue.gpus);
    f[FGpus].hint = "optional, with a queue: wait for this many free GPUs (CUDA_VISIBLE_DEVICES)";
    f[FIfOffline].label = "If offline";
    f[FIfOffline].kind = Field::Kind::Toggle;
    f[FIfOffline].value = r.queue_on_fail ? "yes" : "";
    f[FIfOffline].hint = "Space: queue the job and start it when the host is back";
    for (auto& field : f) field.cursor = field.value.size();
    return f;
}

std::string queue_name_problem(const std::string& name) {
    // The rules of the host side (remote::check_queue_name), which the UI
    // may not include: checked here so the error shows under the field.
    if (name.empty() || name.size() > 32) return "a queue name is 1 to 32 characters";
    for (char c : name) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return "a queue name has only letters, digits, _ and -";
    }
    return "";
}

std::optional<engine::SubmitRequest> job_form_request(std::vector<Field>& f, engine::Engine& engine,
                                                      const engine::SubmitRequest& opened_with) {
    engine::SubmitRequest r;
    r.idle_timeout_s = opened_with.idle_timeout_s;
    bool ok = true;
    auto fail = [&](JobField i, const std::string& why) {
        f[i].error = why;
        ok = false;
    };
    for (auto& field : f) field.error.clear();

    r.host = util::trim(f[FHost].value);
    if (r.host.empty()) {
        fail(FHost, "which host? (Tab completes; @POOL lets rj place it)");
    } else if (r.host[0] == '@') {
        // A pool: rj places the job (the engine checks the pool exists).
        if (!engine.config().pools.count(r.host.substr(1)))
            fail(FHost, "there is no pool '" + r.host.substr(1) + "' in the config ([pool NAME] with hosts = ...)");
    } else {
        try {
            engine.require_known_host(r.host);
        } catch (const util::Error& e) {
            fail(FHost, std::string(e.what()) + (e.hint().empty() ? "" : " — " + e.hint()));
        }
    }
    r.workdir = util::trim(f[FDir].value);
    r.command = f[FCommand].value;
    if (util::trim(r.command).empty()) fail(FCommand, "a command is needed");
    r.description = f[FDescription].value;
    try {
        for (const auto& word : split_words(f[FEnv].value)) r.env.push_back(engine::parse_env_assignment(word));
    } catch (const util::Error& e) {
        fail(FEnv, std::string(e.what()) + " (NAME=VALUE ...)");
    }
    std::string timeout = util::trim(f[FTimeout].value);
    if (!timeout.empty()) {
        auto d = util::parse_duration(timeout);
        if (!d || d->count() <= 0) fail(FTimeout, "not a duration: use 90s, 30m, 2h, 1h30m or 7d");
        else r.timeout_s = d->count();
    }
    std::string queue = util::trim(f[FQueue].value);
    if (!queue.empty()) {
        if (std::string why = queue_name_problem(queue); !why.empty()) fail(FQueue, why);
        r.queue.enabled = true;
        r.queue.name = queue;
        if (opened_with.queue.enabled) {
            r.queue.priority = opened_with.queue.priority;
            r.queue.array = opened_with.queue.array;
        }
    }
    std::string gpus = util::trim(f[FGpus].value);
    if (!gpus.empty()) {
        int n = -1;
        if (gpus.size() <= 2 && gpus.find_first_not_of("0123456789") == std::string::npos) n = std::stoi(gpus);
        if (n < 0 || n > 64) fail(FGpus, "a number of GPUs, 0 to 64");
        else if (n > 0 && queue.empty()) fail(FGpus, "GPUs are given out by a queue: fill in Queue (e.g. default)");
        else r.queue.gpus = n;
    }
    r.queue_on_fail = f[FIfOffline].on();
    if (!ok) return std::nullopt;
    return r;
}

std::string form_error_text(const util::Error& e) {
    static const std::pair<const char*, const char*> kLabels[] = {
        {"env", "Environment"}, {"gpus", "GPUs"}, {"command", "Command"}, {"array", "Array"},
        {"slots", "Slots"},     {"after", "After"}, {"after-any", "After any"}, {"after-fail", "After a failure"}, {"notify", "Notify"},
    };
    std::string text = e.what();
    for (const auto& [field, label] : kLabels)
        if (e.field() == field) text = std::string(label) + ": " + text;
    if (!e.field().empty() && text == e.what()) text = e.field() + ": " + text;
    return text + (e.hint().empty() ? "" : " — " + e.hint());
}

}  // namespace tui
