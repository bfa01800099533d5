// Fuzz target: rj's own config reader (store::Config::parse) and the
// per-host lookups the engine makes with what it read. A bad file may only
// throw util::Error naming FILE:LINE.
#include "config.h"

#include "fuzz_support.h"
#include "store/config_file.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text = fuzz::bytes(data, size);
    store::Config cfg;
    try {
        cfg = store::Config::parse(text, "fuzz.conf");
    } catch (const util::Error& e) {
        FUZZ_CHECK(std::string(e.what()).find("fuzz.conf") != std::string::npos);
        return 0;
    }
    FUZZ_CHECK(cfg.sync_interval.count() >= 0 && cfg.log_interval.count() >= 0 && cfg.meter_interval.count() >= 0);
    FUZZ_CHECK(cfg.default_timeout.count() >= 0);
    FUZZ_CHECK(cfg.snapshot_limit >= 0);
    std::vector<std::string> hosts{"nohost"};
    for (const auto& [name, h] : cfg.hosts) hosts.push_back(name);
    for (const auto& host : hosts) {
        FUZZ_CHECK(cfg.max_sessions_for(host) >= 1);
        (void)cfg.remote_dir_for(host);
        (void)cfg.gpu_free_mib_for(host);
        (void)cfg.slurm_for(host);
        FUZZ_CHECK(cfg.snapshot_bytes_for(host) >= 0);
        (void)cfg.notify_policy_for(host);
        (void)cfg.progress_for(host);
        (void)cfg.stall_after_for(host);
        for (const auto& [pool, p] : cfg.pools) (void)cfg.prelude_for(host, pool);
        (void)cfg.prelude_for(host);
    }
    return 0;
}
