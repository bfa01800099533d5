// A minimal JSON writer for `--json` output: objects and arrays built in
// order, strings escaped per RFC 8259 (invalid UTF-8 bytes become U+FFFD).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace util {

std::string json_quote(std::string_view s);

// Appends `"key": value` pairs; the caller writes the braces.
class JsonObject {
public:
    JsonObject& add(std::string_view key, std::string_view value);
    JsonObject& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
    JsonObject& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
    JsonObject& add(std::string_view key, int64_t value);
    JsonObject& add(std::string_view key, int value) { return add(key, static_cast<int64_t>(value)); }
    JsonObject& add(std::string_view key, double value);
    JsonObject& add(std::string_view key, bool value);
    template <typename T>
    JsonObject& add(std::string_view key, const std::optional<T>& value) {
        return value ? add(key, *value) : add_raw(key, "null");
    }
    JsonObject& add_raw(std::string_view key, std::string_view json);
    std::string str() const { return "{" + body_ + "}"; }

private:
    std::string body_;
};

}  // namespace util
