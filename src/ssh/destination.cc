#include "config.h"

#include "ssh/destination.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include "ssh/host_pattern.h"
#include "util/error.h"

namespace ssh {

namespace {

const char* const kForms = "write HOST as an alias, user@host, or ssh://user@host:port";

[[noreturn]] void bad(const std::string& typed, const std::string& why) {
    throw util::UsageError("bad host '" + typed + "': " + why, kForms);
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A URI's user part is percent-encoded (RFC 3986), as ssh decodes it.
std::string percent_decode(const std::string& typed, const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        int hi = i + 2 < s.size() ? hex(s[i + 1]) : -1, lo = i + 2 < s.size() ? hex(s[i + 2]) : -1;
        if (hi < 0 || lo < 0) bad(typed, "bad %-escape in the user name");
        char c = char(hi * 16 + lo);
        if (c == '\0') bad(typed, "a NUL in the user name");
        out += c;
        i += 2;
    }
    return out;
}

// "[addr]" → "addr"; anything else unchanged.
std::string unbracket(const std::string& h) {
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') return h.substr(1, h.size() - 2);
    return h;
}

void check_host(const std::string& typed, const std::string& host) {
    if (host.empty()) bad(typed, "no host name");
    // ssh takes a leading '-' as an option; control characters and blanks
    // never name a host and would reach messages and command lines.
    if (host[0] == '-') bad(typed, "a host name cannot start with '-'");
    for (unsigned char c : host)
        if (c <= ' ' || c == 0x7f) bad(typed, "blank or control character in the host name");
}

}  // namespace

Destination parse_destination(const std::string& typed) {
    Destination d;
    d.typed = typed;
    static const std::string scheme = "ssh://";
    if (typed.size() >= scheme.size() && ascii_lower(typed.substr(0, scheme.size())) == scheme) {
        std::string rest = typed.substr(scheme.size());
        if (!rest.empty() && rest.back() == '/') rest.pop_back();
        if (rest.find('/') != std::string::npos) bad(typed, "an ssh:// URI cannot have a path");
        if (auto at = rest.rfind('@'); at != std::string::npos) {
            std::string user = rest.substr(0, at);
            if (user.empty()) bad(typed, "empty user name");
            if (user.find(';') != std::string::npos) bad(typed, "ssh:// URI parameters (';') are not supported");
            d.user = percent_decode(typed, user);
            rest = rest.substr(at + 1);
        }
        std::string host = rest, port;
        if (!rest.empty() && rest[0] == '[') {
            auto close = rest.find(']');
            if (close == std::string::npos) bad(typed, "unclosed '['");
            host = rest.substr(1, close - 1);
            std::string after = rest.substr(close + 1);
            if (!after.empty() && after[0] != ':') bad(typed, "junk after ']'");
            if (!after.empty()) port = after.substr(1);
            if (after == ":") bad(typed, "empty port");
        } else if (auto colon = rest.find(':'); colon != std::string::npos) {
            host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
            if (port.empty()) bad(typed, "empty port");
        }
        if (!port.empty()) {
            bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
            int n = digits ? std::stoi(port) : 0;
            if (n < 1 || n > 65535) bad(typed, "port '" + port + "' is not a number from 1 to 65535");
            d.port = n;
        }
        check_host(typed, host);
        d.host = host;
        return d;
    }
    std::string host = typed;
    if (auto at = typed.rfind('@'); at != std::string::npos) {
        if (at == 0) bad(typed, "empty user name");
        d.user = typed.substr(0, at);
        host = typed.substr(at + 1);
    }
    host = unbracket(host);
    check_host(typed, host);
    d.host = host;
    return d;
}

bool is_address(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool name_resolves(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return false;
    freeaddrinfo(res);
    return true;
}

std::optional<std::string> canonicalize(const std::string& host, const Canonicalization& c) {
    if (is_address(host)) return std::nullopt;
    if (std::count(host.begin(), host.end(), '.') > c.max_dots) return std::nullopt;
    for (const auto& domain : c.domains) {
        if (ascii_lower(domain) == "none") break;
        // The trailing dot keeps the resolver's own search list out of it.
        std::string full = host + "." + domain;
        if (name_resolves(full + ".")) return ascii_lower(full);
    }
    return std::nullopt;
}

}  // namespace ssh
