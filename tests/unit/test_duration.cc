#include "config.h"

#include <catch2/catch.hpp>

#include "util/duration.h"
#include "util/error.h"

using util::parse_duration;
using util::Seconds;

TEST_CASE("durations parse in every documented form", "[duration]") {
    CHECK(parse_duration("90s") == Seconds(90));
    CHECK(parse_duration("30m") == Seconds(1800));
    CHECK(parse_duration("2h") == Seconds(7200));
    CHECK(parse_duration("1h30m") == Seconds(5400));
    CHECK(parse_duration("7d") == Seconds(7 * 86400));
    CHECK(parse_duration("1w") == Seconds(7 * 86400));
    CHECK(parse_duration("45") == Seconds(45));
}

TEST_CASE("malformed durations are refused", "[duration]") {
    for (const char* bad : {"", "h", "1x", "-5m", "1h30", "1.5h", "m30", " 5m", "99999999999999h"})
        CHECK_FALSE(parse_duration(bad).has_value());
    CHECK_THROWS_AS(util::parse_duration_or_throw("soon", "--timeout"), util::UsageError);
}

TEST_CASE("durations format compactly", "[duration]") {
    CHECK(util::format_duration(Seconds(45)) == "45s");
    CHECK(util::format_duration(Seconds(723)) == "12m03s");
    CHECK(util::format_duration(Seconds(3 * 3600 + 7 * 60)) == "3h07m");
    CHECK(util::format_duration(Seconds(2 * 86400 + 4 * 3600)) == "2d04h");
}
