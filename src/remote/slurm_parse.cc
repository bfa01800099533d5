#include "config.h"

// Parsers of the SLURM replies (remote/slurm.h). Whatever the host sends is
// checked here: ids must look like SLURM's, states are upper-case words,
// numbers are numbers; the rest of a line is cut short.

#include <algorithm>
#include <charconv>
#include <string_view>

#include "remote/slurm.h"

namespace remote {
namespace {

struct Fields {
    std::string tag, word;
    std::map<std::string, std::string> kv;  // msg= runs to the end of the line
    std::string get(const std::string& k) const {
        auto it = kv.find(k);
        return it == kv.end() ? std::string() : it->second;
    }
    int64_t num(const std::string& k) const {
        std::string v = get(k);
        int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        return ec == std::errc() && p == v.data() + v.size() ? n : 0;
    }
};

std::optional<Fields> parse(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 3) != "RJ-") return std::nullopt;
    Fields f;
    size_t sp = line.find(' ');
    f.tag = std::string(line.substr(0, sp));
    size_t i = sp == std::string_view::npos ? line.size() : sp + 1;
    while (i < line.size()) {
        size_t end = line.find(' ', i);
        if (end == std::string_view::npos) end = line.size();
        std::string_view tok = line.substr(i, end - i);
        size_t eq = tok.find('=');
        if (eq == std::string_view::npos) {
            if (f.word.empty() && f.kv.empty()) f.word = std::string(tok);
        } else if (tok.substr(0, eq) == "msg") {
            f.kv["msg"] = std::string(line.substr(i + eq + 1).substr(0, 4096));
            break;
        } else {
            f.kv[std::string(tok.substr(0, eq))] = std::string(tok.substr(eq + 1).substr(0, 256));
        }
        i = end + 1;
    }
    return f;
}

template <class Fn>
void each_line(const std::string& out, Fn fn) {
    size_t pos = 0;
    while (pos < out.size()) {
        size_t nl = out.find('\n', pos);
        size_t end = nl == std::string::npos ? out.size() : nl;
        if (auto f = parse(std::string_view(out).substr(pos, end - pos))) fn(*f);
        pos = end + 1;
    }
}

bool upper_word(const std::string& s) {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
    return true;
}

}  // namespace

bool valid_slurm_id(const std::string& id) {
    if (id.empty() || id.size() > 40) return false;
    size_t us = id.find('_');
    auto digits = [](std::string_view s) {
        if (s.empty()) return false;
        for (char c : s)
            if (c < '0' || c > '9') return false;
        return true;
    };
    if (us == std::string::npos) return digits(id);
    return digits(std::string_view(id).substr(0, us)) && digits(std::string_view(id).substr(us + 1));
}

SlurmSubmitReply parse_slurm_submit(const std::string& out) {
    SlurmSubmitReply r;
    bool seen = false;
    each_line(out, [&](const Fields& f) {
        if (f.tag != "RJ-SBATCH" || seen) return;
        seen = true;
        if (f.word == "ok" && valid_slurm_id(f.get("sid")) && f.get("sid").find('_') == std::string::npos) {
            r.ok = true;
            r.slurm_id = f.get("sid");
            r.already = f.num("already") != 0;
        } else {
            r.error = f.get("msg");
            if (r.error.empty()) r.error = "the host's answer to sbatch made no sense";
        }
    });
    if (!seen) throw ProtocolError("unexpected reply from the host to a SLURM submit", "is sh available on the host?");
    return r;
}

SlurmQueueReply parse_slurm_queue(const std::string& out) {
    SlurmQueueReply r;
    struct Count {
        std::string part, state;
        int64_t n;
    };
    std::vector<Count> counts;
    bool seen = false;
    each_line(out, [&](const Fields& f) {
        if (f.tag == "RJ-SQUEUE" && !seen) {
            seen = true;
            r.ok = f.word == "ok";
            r.host_now = f.num("now");
            if (!r.ok) r.error = f.get("msg").empty() ? "squeue failed" : f.get("msg");
        } else if (f.tag == "RJ-SJOB" && r.ok && r.jobs.size() < 50000) {
            std::string sid = f.get("sid");
            std::string state = f.get("state");
            // squeue may say "COMPLETING" or add a '+' (CANCELLED+): keep the word.
            while (!state.empty() && state.back() == '+') state.pop_back();
            if (!valid_slurm_id(sid) || !upper_word(state)) return;
            SlurmJobState st;
            st.state = state;
            st.reason = f.get("msg").substr(0, 200);
            st.ended = f.num("ended");
            r.jobs[sid] = st;
        } else if (f.tag == "RJ-SAJOB" && r.ok && r.accounted.size() < 2000) {
            std::string sid = f.get("sid");
            std::string state = f.get("state");
            while (!state.empty() && state.back() == '+') state.pop_back();
            if (!valid_slurm_id(sid) || !upper_word(state)) return;
            SlurmJobState st;
            st.state = state;
            st.ended = f.num("ended");
            r.accounted[sid] = st;
        } else if (f.tag == "RJ-SCNT" && r.ok) {
            counts.push_back({f.get("part"), f.get("state"), f.num("n")});
        } else if (f.tag == "RJ-SPART" && r.ok && r.partitions.size() < 200) {
            SlurmQueueReply::Partition p;
            p.name = f.get("name").substr(0, 64);
            if (!p.name.empty() && p.name.back() == '*') {
                p.is_default = true;
                p.name.pop_back();
            }
            p.up = f.get("avail") == "up";
            std::string cpus = f.get("cpus");  // A/I/O/T
            size_t slash = cpus.rfind('/');
            if (slash != std::string::npos) {
                int64_t total = 0;
                std::string t = cpus.substr(slash + 1);
                auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), total);
                if (ec == std::errc() && total >= 0 && total < (1 << 24)) p.cpus = static_cast<int>(total);
            }
            if (!p.name.empty()) r.partitions.push_back(p);
        } else if (f.tag == "RJ-SID") {
            int64_t id = f.num("id");
            std::string sid = f.get("sid");
            if (id > 0 && valid_slurm_id(sid)) r.recorded[id] = sid;
        }
    });
    if (!seen) throw ProtocolError("unexpected reply from the host to a SLURM sync", "is sh available on the host?");
    // Each count and each sum stays within 2^24: a host repeating count lines
    // must not overflow an int (undefined behaviour), only read as "many".
    static constexpr int64_t kMaxCount = 1 << 24;
    auto add = [](int& sum, int64_t n) { sum = static_cast<int>(std::min<int64_t>(sum + n, kMaxCount)); };
    for (const auto& c : counts) {
        int64_t n = std::clamp<int64_t>(c.n, 0, kMaxCount);
        bool running = c.state == "RUNNING", pending = c.state == "PENDING";
        if (running) add(r.running, n);
        if (pending) add(r.pending, n);
        for (auto& p : r.partitions)
            if (p.name == c.part) {
                if (running) add(p.running, n);
                if (pending) add(p.pending, n);
            }
    }
    return r;
}

std::map<int64_t, std::string> parse_slurm_kill_errors(const std::string& out) {
    std::map<int64_t, std::string> errors;
    each_line(out, [&](const Fields& f) {
        if (f.tag == "RJ-KILL" && f.get("state") == "failed" && f.num("id") > 0)
            errors[f.num("id")] = f.get("msg").empty() ? "scancel failed" : f.get("msg");
    });
    return errors;
}

SlurmInfo parse_slurm_info(const std::string& out) {
    SlurmInfo info;
    bool seen = false;
    each_line(out, [&](const Fields& f) {
        if (f.tag == "RJ-SINFO" && !seen) {
            seen = true;
            info.ok = f.word == "ok";
            if (!info.ok) info.error = f.get("msg").empty() ? "sinfo failed" : f.get("msg");
        } else if (f.tag == "RJ-PART" && info.ok && info.partitions.size() < 200) {
            auto cut = [](std::string v) { return v.substr(0, 64); };
            info.partitions.push_back({cut(f.get("name")), cut(f.get("avail")), cut(f.get("nodes")), cut(f.get("ai")),
                                       cut(f.get("cpus")), cut(f.get("msg")), cut(f.get("timelimit"))});
        } else if (f.tag == "RJ-MINE" && info.ok) {
            info.running = f.num("running");
            info.pending = f.num("pending");
        }
    });
    if (!seen) throw ProtocolError("unexpected reply from the host to sinfo", "is sh available on the host?");
    return info;
}

std::vector<SlurmCtlResult> parse_slurm_ctl(const std::string& out) {
    std::vector<SlurmCtlResult> results;
    bool end = false;
    each_line(out, [&](const Fields& f) {
        if (f.tag == "RJ-END") end = true;
        if (f.tag != "RJ-SCTL" || f.num("id") <= 0) return;
        results.push_back({f.num("id"), f.get("result") == "ok", f.get("msg").substr(0, 300)});
    });
    if (!end) throw ProtocolError("unexpected reply from the host to scontrol", "is sh available on the host?");
    return results;
}

}  // namespace remote
