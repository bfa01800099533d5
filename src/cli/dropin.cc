#include "config.h"

#include "cli/dropin.h"

#include "util/duration.h"
#include "util/error.h"

namespace cli {

namespace {

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

// NAME= at the start of `piece`, NAME as a shell variable name.
bool starts_with_assignment(const std::string& piece) {
    size_t eq = piece.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    for (size_t i = 0; i < eq; ++i) {
        char c = piece[i];
        bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

}  // namespace

int64_t parse_age_seconds(const std::string& text, const std::string& flag) {
    if (all_digits(text)) {
        // Bounded before multiplying: more than 100 years is a typing error.
        if (text.size() > 6 || std::stoll(text) > 36500)
            throw util::UsageError(flag + " " + text + ": too many days", "give at most 36500 (days), or a duration like 2w");
        return std::stoll(text) * 86400;
    }
    return util::parse_duration_or_throw(text, flag).count();
}

std::vector<std::string> split_env_words(const std::vector<std::string>& words) {
    std::vector<std::string> out;
    for (const auto& word : words) {
        std::vector<std::string> pieces(1);
        for (size_t i = 0; i < word.size(); ++i) {
            if (word[i] == '\\' && i + 1 < word.size() && word[i + 1] == ',') {
                pieces.back() += ',';
                ++i;
            } else if (word[i] == ',') {
                pieces.emplace_back();
            } else {
                pieces.back() += word[i];
            }
        }
        bool first = true;
        for (auto& p : pieces) {
            if (!first && !starts_with_assignment(p)) out.back() += "," + p;
            else out.push_back(std::move(p));
            first = false;
        }
    }
    return out;
}

std::vector<std::string> rewrite_remote_jobs_words(std::vector<std::string> words) {
    if (words.empty()) return words;
    auto rest = [&](size_t from) { return std::vector<std::string>(words.begin() + static_cast<long>(from), words.end()); };
    auto with = [](std::vector<std::string> head, const std::vector<std::string>& tail) {
        head.insert(head.end(), tail.begin(), tail.end());
        return head;
    };
    auto days = [](const std::string& n) { return all_digits(n) ? n + "d" : n; };
    const std::string& name = words[0];
    if (name == "job" && words.size() > 1 && words[1] != "job") return rewrite_remote_jobs_words(rest(1));
    if (name == "logs") return with({"log"}, rest(1));
    if (name == "host" && words.size() > 1 && words[1] == "jobs") return with({"list", "--host"}, rest(2));
    if (name == "host" && words.size() > 1 && words[1] == "load") return with({"host", "info"}, rest(2));
    if (name == "list") {
        std::vector<std::string> out{"list"};
        for (size_t i = 1; i < words.size(); ++i) {
            const std::string& w = words[i];
            if (w == "--show" && i + 1 < words.size()) return with({"show"}, {words[i + 1]});
            if (w.rfind("--show=", 0) == 0) return {"show", w.substr(7)};
            // --cleanup DAYS: forget the jobs that ended more than DAYS ago.
            if (w == "--cleanup" && i + 1 < words.size()) return {"prune", "--older-than", days(words[i + 1])};
            if (w.rfind("--cleanup=", 0) == 0) return {"prune", "--older-than", days(w.substr(10))};
            out.push_back(w);
        }
        return out;
    }
    if (name == "cleanup") {
        // rj's cleanup removes a job's whole directory (its log with it), and
        // a job's tmux session ends with the job: both flags ask for that.
        std::vector<std::string> out;
        for (const auto& w : words)
            if (w != "--sessions" && w != "--logs") out.push_back(w);
        return out;
    }
    if (name == "run") {
        // `run HOST --kill ID` (or `run --kill ID`): kill that job.
        size_t n = words.size();
        if (n == 3 && words[1] == "--kill") return {"kill", words[2]};
        if (n == 4 && words[2] == "--kill" && words[1][0] != '-') return {"kill", words[3]};
        if (n == 4 && words[1] == "--kill" && words[3][0] != '-') return {"kill", words[2]};
    }
    return words;
}

}  // namespace cli
