// Fuzz target: the known_hosts reader (ssh::KnownHosts::parse) and the
// lookups made with it. Bad lines are skipped with a warning, never thrown;
// a lookup answers for the host it was asked about.
#include "config.h"

#include "fuzz_support.h"
#include "ssh/known_hosts.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text = fuzz::bytes(data, size);
    ssh::KnownHosts kh = ssh::KnownHosts::parse(text, "fuzz_known_hosts");
    // The host of the first line (as a user's file names it) and a fixed one.
    std::string first = text.substr(0, text.find_first_of(" \n"));
    first = first.substr(0, first.find(','));
    const std::string blob = std::string("\0\0\0\x0bssh-ed25519\0\0\0\x20", 19) + std::string(32, 'k');
    for (const std::string& host : {first, std::string("example.org")}) {
        for (int port : {22, 2222}) {
            auto check = kh.check(host, port, ssh::KeyType::Ed25519, blob);
            if (check.status == ssh::HostKeyStatus::Unknown) FUZZ_CHECK(check.known_line == 0);
            else FUZZ_CHECK(check.known_line >= 1 && check.known_file == "fuzz_known_hosts");
            auto types = kh.known_types(host, port);
            auto prints = kh.known_fingerprints(host, port);
            for (const auto& p : prints) FUZZ_CHECK(p.find("SHA256:") != std::string::npos);
        }
    }
    (void)ssh::key_type_from_blob(text);
    (void)ssh::key_type_from_name(text);
    FUZZ_CHECK(ssh::fingerprint_sha256(text).rfind("SHA256:", 0) == 0);
    return 0;
}
