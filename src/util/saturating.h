// Saturating int64 arithmetic, for times a host sends (journal times,
// started=/ended=, now=, log growth) and the clock offsets derived from them:
// a host may send any 64-bit number, and a sum or difference past the int64
// range is undefined behaviour in C++. Here it sticks at INT64_MAX or
// INT64_MIN instead, which every caller reads as "absurdly far away".
#pragma once

#include <cstdint>
#include <limits>

namespace util {

inline constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// a + b, clamped to the int64 range.
constexpr int64_t sat_add(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kInt64Max : kInt64Min;
    return r;
}

// a - b, clamped to the int64 range.
constexpr int64_t sat_sub(int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kInt64Max : kInt64Min;
    return r;
}

}  // namespace util
