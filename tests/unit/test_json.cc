#include "config.h"

#include <catch2/catch.hpp>

#include "util/json.h"

TEST_CASE("json strings are escaped and invalid UTF-8 replaced", "[json]") {
    CHECK(util::json_quote("a\"b\\c\n\t") == "\"a\\\"b\\\\c\\n\\t\"");
    CHECK(util::json_quote(std::string("\x01", 1)) == "\"\\u0001\"");
    CHECK(util::json_quote("h\xC3\xA9") == "\"h\xC3\xA9\"");
    CHECK(util::json_quote("\xFF") == "\"\\ufffd\"");
}

TEST_CASE("json objects keep insertion order and render null for empty optionals", "[json]") {
    util::JsonObject o;
    o.add("id", int64_t{7}).add("ok", true).add("code", std::optional<int>{}).add("name", "x");
    CHECK(o.str() == "{\"id\":7,\"ok\":true,\"code\":null,\"name\":\"x\"}");
}
