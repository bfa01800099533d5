// Fuzz target: the ssh_config reader (ssh::SshConfig::parse and resolve).
// A bad file may only throw util::Error. Inputs naming Include are skipped:
// Include reads the machine's files (globs included), which would make runs
// depend on this machine and could walk large trees; Include itself is
// covered by tests/unit/test_ssh_config.cc.
#include "config.h"

#include <algorithm>
#include <cctype>

#include "fuzz_support.h"
#include "ssh/ssh_config.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text = fuzz::bytes(data, size);
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find("include") != std::string::npos) return 0;
    ssh::SshConfig cfg;
    try {
        cfg = ssh::SshConfig::parse(text, "fuzz_config");
    } catch (const util::Error&) {
        return 0;
    }
    std::vector<std::string> aliases = cfg.concrete_hosts();
    if (aliases.size() > 4) aliases.resize(4);
    aliases.push_back("fuzzhost");
    for (const auto& alias : aliases) {
        FUZZ_CHECK(!alias.empty());
        try {
            ssh::HostConfig h = cfg.resolve(alias);
            FUZZ_CHECK(h.alias == alias);
            FUZZ_CHECK(h.port >= 1 && h.port <= 65535);
            FUZZ_CHECK(!h.hostname.empty());
            FUZZ_CHECK(h.connect_timeout_s >= 0 && h.server_alive_interval_s >= 0 && h.server_alive_count_max >= 0);
            // Duplicates dropped, as the header promises.
            auto ids = h.identity_files;
            std::sort(ids.begin(), ids.end());
            FUZZ_CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
            (void)h.host_key_name();
        } catch (const util::Error&) {
        }
    }
    return 0;
}
