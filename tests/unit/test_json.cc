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

TEST_CASE("ill-formed UTF-8 never reaches JSON output", "[json]") {
    // Overlong '/', overlong 3-byte, a surrogate, above U+10FFFF, an F5 lead, a lone continuation.
    for (const char* bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\x80"}) {
        std::string q = util::json_quote(bad);
        INFO(q);
        CHECK(q.find("\\ufffd") != std::string::npos);
        for (unsigned char c : q) CHECK(c < 0x80);
    }
    CHECK(util::json_quote("\xF0\x9F\x98\x80") == "\"\xF0\x9F\x98\x80\"");  // U+1F600 passes through
    CHECK(util::json_quote("\xED\x9F\xBF") == "\"\xED\x9F\xBF\"");          // U+D7FF, just below the surrogates
}
