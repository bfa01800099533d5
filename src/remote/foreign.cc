#include "config.h"

#include "remote/foreign.h"

#include <charconv>
#include <map>
#include <sstream>

#include "remote/build_support.h"
#include "remote/scripts.h"
#include "util/error.h"

namespace remote {

namespace {

void check(const ForeignJob& j) {
    if (j.id <= 0 || j.old_id <= 0) throw util::Error("invalid imported job " + std::to_string(j.id));
}

// "TAG k=v k=v" lines of the reply: the words of each line with `tag`.
std::vector<std::map<std::string, std::string>> lines_of(const std::string& out, const std::string& tag,
                                                         const char* what) {
    std::vector<std::map<std::string, std::string>> found;
    bool ended = false;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        if (line == "RJ-END") {
            ended = true;
            break;
        }
        if (line.rfind(tag + " ", 0) != 0) continue;
        std::map<std::string, std::string> words;
        std::istringstream ws(line.substr(tag.size() + 1));
        for (std::string w; ws >> w;) {
            auto eq = w.find('=');
            if (eq == std::string::npos) throw util::Error(std::string(what) + ": malformed reply line from the host");
            words[w.substr(0, eq)] = w.substr(eq + 1);
        }
        found.push_back(std::move(words));
    }
    if (!ended) throw util::Error(std::string(what) + ": the host's reply ended early");
    return found;
}

// A number the host sent, bounded: anything else is a malformed reply.
int64_t number(const std::map<std::string, std::string>& w, const char* key, const char* what) {
    auto it = w.find(key);
    int64_t v = 0;
    if (it != w.end()) {
        const std::string& s = it->second;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc() && p == s.data() + s.size() && v >= 0) return v;
    }
    throw util::Error(std::string(what) + ": malformed " + key + " in the host's reply");
}

// .status holds the code: 0..255 (a number past that is not an exit code).
std::optional<int> exit_code(const std::map<std::string, std::string>& w, const char* what) {
    auto it = w.find("exit");
    if (it == w.end() || it->second == "-") return std::nullopt;
    int64_t v = number(w, "exit", what);
    if (v > 255) return 255;
    return static_cast<int>(v);
}

}  // namespace

std::string foreign_sync_script(const std::vector<ForeignJob>& jobs) {
    std::string pairs;
    for (const auto& j : jobs) {
        check(j);
        pairs += (pairs.empty() ? "" : " ") + std::to_string(j.id) + ":" + std::to_string(j.old_id);
    }
    std::string s = detail::begin("sync of imported remote-jobs jobs", RemoteDir());
    detail::assign(s, "RJ_XJOBS", pairs);
    return detail::finish(std::move(s), {sh::foreign_body}, "rj_xsync");
}

ForeignSync parse_foreign_sync(const std::string& out) {
    const char* what = "sync of imported jobs";
    ForeignSync r;
    auto head = lines_of(out, "RJ-XSYNC", what);
    if (head.empty()) throw util::Error(std::string(what) + ": no reply from the host's shell");
    r.now = number(head[0], "now", what);
    for (const auto& w : lines_of(out, "RJ-XJOB", what)) {
        ForeignState st;
        st.id = number(w, "id", what);
        st.alive = number(w, "alive", what) == 1;
        st.exit_code = exit_code(w, what);
        r.jobs.push_back(st);
    }
    return r;
}

std::string foreign_kill_script(const ForeignJob& job) {
    check(job);
    std::string s = detail::begin("kill of an imported remote-jobs job", RemoteDir());
    detail::assign_num(s, "RJ_ID", job.id);
    detail::assign_num(s, "RJ_XOLD", job.old_id);
    return detail::finish(std::move(s), {sh::foreign_body}, "rj_xkill");
}

ForeignKill parse_foreign_kill(const std::string& out) {
    const char* what = "kill of an imported job";
    auto lines = lines_of(out, "RJ-XKILL", what);
    if (lines.empty()) throw util::Error(std::string(what) + ": no reply from the host's shell");
    ForeignKill k;
    k.was_running = number(lines[0], "was_running", what) == 1;
    k.exit_code = exit_code(lines[0], what);
    return k;
}

std::string foreign_log_script(const ForeignJob& job, const LogQuery& q) {
    check(job);
    // log.sh's script as it is, with foreign.sh's rj_where and rj_running
    // defined after its own (the later definition is the one sh calls), and
    // before the one call that runs it.
    std::string s = log_script(RemoteDir(), job.id, q);
    const std::string call = "\nprintf '\\n'; rj_main";
    size_t at = s.rfind(call);
    if (at == std::string::npos) throw util::Error("internal: the log script has no entry call");
    std::string extra = "\nRJ_XOLD=" + std::to_string(job.old_id) + "\n";
    extra += sh::foreign_body;
    s.insert(at, extra);
    return s;
}

}  // namespace remote
