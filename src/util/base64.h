// Standard base64 (RFC 4648, "+/" alphabet, "=" padding), as used in
// known_hosts lines, public key files and SHA256 fingerprints.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace util {

// Encodes with padding.
std::string base64_encode(std::string_view data);

// Strict decoder: the input must be canonical padded base64 with no
// whitespace, no stray characters and zero unused trailing bits. Returns
// nullopt for anything else, so a corrupted key never decodes to a
// plausible-looking blob.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace util
