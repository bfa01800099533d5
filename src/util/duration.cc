#include "config.h"

#include "util/duration.h"

#include <cstdio>
#include <limits>

#include "util/error.h"

namespace util {

std::optional<Seconds> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    long long total = 0;
    size_t i = 0;
    bool any_unit = false;
    while (i < text.size()) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        long long n = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (n > std::numeric_limits<int>::max()) return std::nullopt;
            n = n * 10 + (text[i] - '0');
            ++i;
        }
        long long unit = 1;
        if (i < text.size()) {
            switch (text[i]) {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
            case 'w': unit = 7 * 86400; break;
            default: return std::nullopt;
            }
            ++i;
            any_unit = true;
        } else if (any_unit) {
            return std::nullopt;  // "1h30" is ambiguous: refuse it
        }
        total += n * unit;
        if (total > std::numeric_limits<int>::max()) return std::nullopt;
    }
    return Seconds(total);
}

Seconds parse_duration_or_throw(std::string_view text, std::string_view what) {
    if (auto d = parse_duration(text)) return *d;
    throw UsageError("invalid " + std::string(what) + " '" + std::string(text) + "'",
                     "durations look like 90s, 30m, 2h, 1h30m or 7d");
}

std::string format_duration(Seconds d) {
    long long s = d.count();
    if (s < 0) s = 0;
    char buf[32];
    if (s < 60) std::snprintf(buf, sizeof buf, "%llds", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400) std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
    else std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
    return buf;
}

}  // namespace util
