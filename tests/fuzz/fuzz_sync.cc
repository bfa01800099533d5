// Fuzz target: the sync reply (remote::parse_sync), the reply rj reads most
// often from a host. Any bytes may come back; beyond "no crash", what the
// parser promises in remote/protocol.h is checked on every parsed reply.
#include "config.h"

#include "fuzz_support.h"
#include "remote/protocol.h"
#include "util/error.h"

namespace {

// The gpus= list as MeasuredUsage promises it: "", or 1..64 indexes
// 0..1023, ascending, each once, comma-separated.
void check_gpu_list(const std::string& gpus) {
    if (gpus.empty()) return;
    auto parts = fuzz::split(gpus, ',');
    FUZZ_CHECK(parts.size() <= 64);
    long prev = -1;
    for (const auto& p : parts) {
        FUZZ_CHECK(!p.empty() && p.size() <= 4);
        for (char c : p) FUZZ_CHECK(c >= '0' && c <= '9');
        long n = std::stol(p);
        FUZZ_CHECK(n > prev && n <= 1023);
        FUZZ_CHECK(std::to_string(n) == p);  // no leading zeros: written by rj
        prev = n;
    }
}

void check_usage(const remote::MeasuredUsage& u) {
    if (u.rss_kib) FUZZ_CHECK(*u.rss_kib >= 0 && *u.rss_kib <= (int64_t{1} << 40));
    if (u.gpu_mem_mib) FUZZ_CHECK(*u.gpu_mem_mib >= 0 && *u.gpu_mem_mib <= (int64_t{1} << 30));
    if (u.gpu_util) FUZZ_CHECK(*u.gpu_util >= 0 && *u.gpu_util <= 100);
    check_gpu_list(u.gpus);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string out = fuzz::bytes(data, size);
    remote::SyncReply rep;
    try {
        rep = remote::parse_sync(out);
    } catch (const remote::ProtocolError&) {
        return 0;  // the one clear error a bad reply may give
    }
    // Offsets: the next sync starts at new_offset, so it must be a place in a
    // file (never negative) and never before where these bytes started.
    FUZZ_CHECK(rep.journal_offset >= 0);
    FUZZ_CHECK(rep.new_offset >= 0);
    if (rep.journal_rotated) FUZZ_CHECK(rep.new_offset == 0);
    else FUZZ_CHECK(rep.new_offset >= rep.journal_offset);
    FUZZ_CHECK(rep.bad_lines >= 0);
    for (const auto& ev : rep.events) {
        FUZZ_CHECK(!ev.event.empty());
        FUZZ_CHECK(ev.event.find('\n') == std::string::npos);
        FUZZ_CHECK(ev.event.size() <= 1024);
        for (const auto& [k, v] : ev.fields) FUZZ_CHECK(k.find('\n') == std::string::npos && v.find('\n') == std::string::npos);
    }
    for (const auto& [id, f] : rep.jobs) {
        FUZZ_CHECK(f.id == id || f.id == 0);
        FUZZ_CHECK(f.session_alive == (rep.live_sessions.count(id) != 0));
        FUZZ_CHECK(f.queue_state == 'w' || f.queue_state == 'c' || f.queue_state == '-');
        if (f.exit) check_usage(f.exit->usage);
    }
    // Log states: only for jobs asked about, only with a growth time; the
    // tail is at most 5 lines of at most 300 bytes.
    for (const auto& [id, ls] : rep.logs) {
        FUZZ_CHECK(id > 0);
        FUZZ_CHECK(rep.jobs.count(id) == 1);
        FUZZ_CHECK(ls.grew > 0 && ls.bytes >= 0);
        FUZZ_CHECK(ls.tail.size() <= 5);
        for (const auto& t : ls.tail) FUZZ_CHECK(t.size() <= 300 && t.find('\n') == std::string::npos);
        check_gpu_list(ls.gpus);
        if (ls.gpu_util) FUZZ_CHECK(*ls.gpu_util >= 0 && *ls.gpu_util <= 100);
    }
    return 0;
}
