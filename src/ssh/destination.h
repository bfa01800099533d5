// What the user typed as a host, taken apart as `ssh` takes its destination
// argument: an alias or name, `user@host`, or `ssh://[user@]host[:port]`;
// and OpenSSH's CanonicalizeHostname lookup.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ssh {

struct Destination {
    std::string typed;  // verbatim: the job record and the connection keep this
    std::string host;   // what Host / Match originalhost see (%n)
    std::optional<std::string> user;  // from user@ or the URI; beats User in the config
    std::optional<int> port;          // from the URI; beats Port in the config
};

// Throws util::UsageError for what ssh would refuse: an empty host, a URI with
// a path, a bad port. `user@host` splits at the last '@', as ssh does. An
// address in brackets ("[::1]", "u@[fe80::1]") loses its brackets: ssh would
// look up "[::1]" literally and fail, and rj accepts the form on purpose.
Destination parse_destination(const std::string& typed);

// True when `host` is a numeric IPv4 or IPv6 address.
bool is_address(const std::string& host);

// True when getaddrinfo finds `host` (blocking: /etc/hosts, DNS, mDNS).
bool name_resolves(const std::string& host);

struct Canonicalization {
    std::vector<std::string> domains;  // CanonicalDomains
    int max_dots = 1;                  // CanonicalizeMaxDots
    bool fallback_local = true;        // CanonicalizeFallbackLocal
};

// OpenSSH's resolve_canonicalize: a name with at most max_dots dots that is
// not an address gets the first domain under which it resolves (a blocking
// getaddrinfo per domain). nullopt when none did (the caller then keeps the
// name, or refuses it when fallback_local is off). CNAMEs are not followed
// (CanonicalizePermittedCNAMEs is ignored).
std::optional<std::string> canonicalize(const std::string& host, const Canonicalization& c);

}  // namespace ssh
