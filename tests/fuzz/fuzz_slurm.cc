// Fuzz target: the SLURM login node's replies (remote/slurm.h). First byte
// picks the parser. slurm_parse.cc promises checked ids, upper-case states,
// bounded strings and lists; those promises are asserted here.
#include "config.h"

#include "fuzz_support.h"
#include "remote/slurm.h"
#include "util/error.h"

namespace {

bool upper_word(const std::string& s) {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
    return true;
}

void check_queue(const std::string& out) {
    auto r = remote::parse_slurm_queue(out);
    if (!r.ok) FUZZ_CHECK(!r.error.empty());
    FUZZ_CHECK(r.jobs.size() <= 50000 && r.accounted.size() <= 2000 && r.partitions.size() <= 200);
    for (const auto& [sid, st] : r.jobs) {
        FUZZ_CHECK(remote::valid_slurm_id(sid));
        FUZZ_CHECK(upper_word(st.state));
        FUZZ_CHECK(st.reason.size() <= 200);
    }
    for (const auto& [sid, st] : r.accounted) FUZZ_CHECK(remote::valid_slurm_id(sid) && upper_word(st.state));
    for (const auto& [id, sid] : r.recorded) FUZZ_CHECK(id > 0 && remote::valid_slurm_id(sid));
    // Counts of the user's jobs: never negative, whatever the host adds up to.
    FUZZ_CHECK(r.running >= 0 && r.pending >= 0);
    for (const auto& p : r.partitions) {
        FUZZ_CHECK(!p.name.empty() && p.name.size() <= 64);
        FUZZ_CHECK(p.cpus >= 0 && p.running >= 0 && p.pending >= 0);
    }
}

void check_submit(const std::string& out) {
    auto r = remote::parse_slurm_submit(out);
    if (r.ok) {
        FUZZ_CHECK(remote::valid_slurm_id(r.slurm_id) && r.slurm_id.find('_') == std::string::npos);
    } else {
        FUZZ_CHECK(!r.error.empty());
    }
}

void check_info(const std::string& out) {
    auto r = remote::parse_slurm_info(out);
    FUZZ_CHECK(r.partitions.size() <= 200);
    for (const auto& p : r.partitions)
        for (const auto* s : {&p.name, &p.avail, &p.nodes, &p.alloc_idle, &p.cpus, &p.gres, &p.timelimit})
            FUZZ_CHECK(s->size() <= 64);
}

void check_ctl(const std::string& out) {
    for (const auto& c : remote::parse_slurm_ctl(out)) FUZZ_CHECK(c.id > 0 && c.message.size() <= 300);
}

void check_kill_errors(const std::string& out) {
    for (const auto& [id, msg] : remote::parse_slurm_kill_errors(out)) FUZZ_CHECK(id > 0 && !msg.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string out = fuzz::bytes(data + 1, size - 1);
    try {
        switch (data[0] % 6) {
        case 0: check_queue(out); break;
        case 1: check_submit(out); break;
        case 2: check_info(out); break;
        case 3: check_ctl(out); break;
        case 4: check_kill_errors(out); break;
        case 5: {
            bool ok = remote::valid_slurm_id(out);
            if (ok) FUZZ_CHECK(!out.empty() && out.size() <= 40 && out.find_first_not_of("0123456789_") == std::string::npos);
            break;
        }
        }
    } catch (const remote::ProtocolError&) {
    }
    return 0;
}
