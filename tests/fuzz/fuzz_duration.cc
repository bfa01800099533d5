// Fuzz target: the duration parser (util::parse_duration) and its printed
// form. Properties: a parsed duration is 0..INT_MAX seconds; a bare number
// means seconds; format_duration's output parses back to the same value
// below an hour and to at most one unit less above it.
#include "config.h"

#include <climits>

#include "fuzz_support.h"
#include "util/duration.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text = fuzz::bytes(data, size);
    auto d = util::parse_duration(text);
    if (!d) {
        try {
            (void)util::parse_duration_or_throw(text, "--fuzz");
            FUZZ_CHECK(!"parse_duration_or_throw accepted what parse_duration refused");
        } catch (const util::UsageError&) {
        }
        return 0;
    }
    const long long s = d->count();
    FUZZ_CHECK(s >= 0 && s <= INT_MAX);
    FUZZ_CHECK(!text.empty() && text[0] >= '0' && text[0] <= '9');
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        // A bare number: seconds, leading zeros allowed.
        FUZZ_CHECK(std::stoll(text) == s);
    }
    std::string shown = util::format_duration(*d);
    auto back = util::parse_duration(shown);
    FUZZ_CHECK(back.has_value());
    long long unit = s < 3600 ? 1 : s < 86400 ? 60 : 3600;
    FUZZ_CHECK(back->count() <= s && s - back->count() < unit);
    return 0;
}
