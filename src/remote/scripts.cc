#include "config.h"

#include "remote/scripts.h"

#include <cstdint>
#include <cstdio>

// The deployed wrapper's text and name. The programs themselves are real
// shell files in src/remote/sh/, embedded at build time by contrib/embed-sh
// (sh_embedded.cc) and checked by shellcheck in `make check`. Everything
// must run under dash, busybox sh and bash 3.2 (macOS): no arrays, no
// `local`, no [[ ]], no GNU-only flags. Helper variables are prefixed rj_
// because POSIX functions share one variable namespace. The scripts are
// read by `sh -s` from the channel, so every command that could read stdin
// gets </dev/null via rj_main.

namespace remote::sh {

namespace {

std::string fnv_hex(const std::string& text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string(buf);
}

}  // namespace

const std::string& wrapper_text() {
    static const std::string text = [] {
        std::string t = "#!/bin/sh\n";
        t += prelude;
        t += snapshot_body;
        t += sampler_body;
        t += wrapper_body;
        return t;
    }();
    return text;
}

const std::string& wrapper_hash() {
    static const std::string hash = fnv_hex(wrapper_text());
    return hash;
}

const std::string& runner_text() {
    static const std::string text = [] {
        std::string t = "#!/bin/sh\n";
        t += prelude;
        t += queue_lib_body;
        t += runner_body;
        return t;
    }();
    return text;
}

const std::string& runner_hash() {
    static const std::string hash = fnv_hex(runner_text());
    return hash;
}

}  // namespace remote::sh
