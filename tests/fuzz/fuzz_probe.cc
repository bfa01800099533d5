// Fuzz target: what a host's probes print (remote/protocol.h "host info",
// free, usage): parse_host_info, parse_free, parse_gpu_line (one line of
// nvidia-smi's csv), parse_usage and parse_measured_usage. First byte picks
// the parser. Values reach placement and the interface, so the bounds the
// parsers promise are asserted.
#include "config.h"

#include "fuzz_support.h"
#include "remote/protocol.h"
#include "util/error.h"

namespace {

void check_gpu(const remote::GpuInfo& g) {
    FUZZ_CHECK(g.index >= 0 && g.index <= 1023);
    FUZZ_CHECK(g.util_pct >= -1 && g.util_pct <= 100);
    FUZZ_CHECK(g.mem_used_mib >= -1 && g.mem_total_mib >= -1);
}

void check_host_info(const std::string& out) {
    auto h = remote::parse_host_info(out);
    FUZZ_CHECK(h.gpus.size() <= 64);
    for (const auto& g : h.gpus) {
        check_gpu(g);
        FUZZ_CHECK(g.temp_c >= -1 && g.temp_c < 200);
        FUZZ_CHECK(g.jobs.size() <= 64);
        for (size_t i = 0; i < g.jobs.size(); ++i) {
            FUZZ_CHECK(g.jobs[i].first > 0);
            FUZZ_CHECK(g.jobs[i].second >= 0 && g.jobs[i].second < (int64_t{1} << 30));
            if (i) FUZZ_CHECK(g.jobs[i - 1].first < g.jobs[i].first);  // sorted, each job once
        }
        FUZZ_CHECK(g.other_procs >= 0 && g.other_procs < 100000);
        FUZZ_CHECK(g.other_mem_mib >= 0 && g.other_mem_mib < (int64_t{1} << 30));
    }
}

void check_free(const std::string& out) {
    auto h = remote::parse_free(out);
    FUZZ_CHECK(h.cpus <= (1 << 16));
    FUZZ_CHECK(h.load1 >= 0);
    FUZZ_CHECK(h.gpu_query.size() <= 300);
    FUZZ_CHECK(h.gpus.size() <= 64);
    for (const auto& g : h.gpus) {
        FUZZ_CHECK(g.index >= 0 && g.index <= 1023);
        FUZZ_CHECK(g.utilization_pct >= 0 && g.utilization_pct <= 100);
        FUZZ_CHECK(g.name.size() <= 128);
    }
}

void check_usage(const std::string& out) {
    for (const auto& u : remote::parse_usage(out)) {
        if (!u.running) FUZZ_CHECK(u.procs == 0 && u.rss_kib == 0 && u.gpu_mem_mib == -1);
    }
}

// k=v words (as the exit record carries them) -> parse_measured_usage.
void check_measured(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& w : fuzz::split(text, ' ')) {
        size_t eq = w.find('=');
        if (eq != std::string::npos) fields.emplace_back(w.substr(0, eq), w.substr(eq + 1));
    }
    auto u = remote::parse_measured_usage(fields);
    if (u.rss_kib) FUZZ_CHECK(*u.rss_kib >= 0 && *u.rss_kib <= (int64_t{1} << 40));
    if (u.gpu_mem_mib) FUZZ_CHECK(*u.gpu_mem_mib >= 0 && *u.gpu_mem_mib <= (int64_t{1} << 30));
    if (u.gpu_util) FUZZ_CHECK(*u.gpu_util >= 0 && *u.gpu_util <= 100);
    if (!u.gpus.empty()) {
        auto parts = fuzz::split(u.gpus, ',');
        FUZZ_CHECK(parts.size() <= 64);
        long prev = -1;
        for (const auto& p : parts) {
            FUZZ_CHECK(!p.empty() && p.find_first_not_of("0123456789") == std::string::npos && p.size() <= 4);
            long n = std::stol(p);
            FUZZ_CHECK(n > prev && n <= 1023);
            prev = n;
        }
    }
    // Parsing what it gave back gives the same again.
    std::vector<std::pair<std::string, std::string>> again;
    if (u.rss_kib) again.emplace_back("rss_kib", std::to_string(*u.rss_kib));
    if (u.gpu_mem_mib) again.emplace_back("gpu_mem_mib", std::to_string(*u.gpu_mem_mib));
    if (!u.gpus.empty()) again.emplace_back("gpus", u.gpus);
    auto v = remote::parse_measured_usage(again);
    FUZZ_CHECK(v.rss_kib == u.rss_kib && v.gpu_mem_mib == u.gpu_mem_mib && v.gpus == u.gpus);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string out = fuzz::bytes(data + 1, size - 1);
    try {
        switch (data[0] % 5) {
        case 0: check_host_info(out); break;
        case 1: check_free(out); break;
        case 2:
            if (auto g = remote::parse_gpu_line(out)) check_gpu(*g);
            break;
        case 3: check_usage(out); break;
        case 4: check_measured(out); break;
        }
    } catch (const remote::ProtocolError&) {
    }
    return 0;
}
