// Fuzz target: the other replies a host sends (kill, submit, enqueue,
// queue control, log, diff, cleanup, remove). First byte picks the parser;
// the rest is the reply. A bad reply may only throw remote::ProtocolError.
#include "config.h"

#include "fuzz_support.h"
#include "remote/protocol.h"
#include "util/error.h"

namespace {

void check_kill(const std::string& out) {
    for (const auto& k : remote::parse_kill(out)) {
        FUZZ_CHECK(k.facts.id == k.id);  // the facts are of the job the line names
        if (k.facts.exit) {
            const auto& u = k.facts.exit->usage;
            if (u.rss_kib) FUZZ_CHECK(*u.rss_kib >= 0);
            if (u.gpu_util) FUZZ_CHECK(*u.gpu_util >= 0 && *u.gpu_util <= 100);
        }
    }
}

void check_submit(const std::string& out) {
    auto r = remote::parse_submit(out);
    if (r.status == remote::SubmitReply::Status::Error) FUZZ_CHECK(!r.error.empty());
    FUZZ_CHECK(r.error.find('\n') == std::string::npos);
}

void check_enqueue(const std::string& out) {
    auto r = remote::parse_enqueue(out);
    FUZZ_CHECK(r.error.find('\n') == std::string::npos);
    FUZZ_CHECK(r.runner.find('\n') == std::string::npos);
}

void check_queue_ctl(const std::string& out) {
    auto r = remote::parse_queue_ctl(out);
    for (const auto& q : r.queues) FUZZ_CHECK(q.name.find('\n') == std::string::npos);
    for (const auto& j : r.jobs) FUZZ_CHECK(j.why.find('\n') == std::string::npos);
}

void check_log(const std::string& out) {
    auto r = remote::parse_log(out);
    if (!r.ok) {
        FUZZ_CHECK(!r.error.empty() && r.text.empty());
        return;
    }
    // The raw bytes are a slice of the reply, never more than it held.
    FUZZ_CHECK(r.text.size() <= out.size());
    FUZZ_CHECK(out.find(r.text) != std::string::npos);
}

void check_diff(const std::string& out) {
    size_t total = 0;
    for (const auto& [name, text] : remote::parse_diff(out)) total += text.size();
    FUZZ_CHECK(total <= out.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string out = fuzz::bytes(data + 1, size - 1);
    try {
        switch (data[0] % 8) {
        case 0: check_kill(out); break;
        case 1: check_submit(out); break;
        case 2: check_enqueue(out); break;
        case 3: check_queue_ctl(out); break;
        case 4: check_log(out); break;
        case 5: check_diff(out); break;
        case 6: (void)remote::parse_cleanup(out); break;
        case 7: (void)remote::parse_remove(out); break;
        }
    } catch (const remote::ProtocolError&) {
    }
    return 0;
}
