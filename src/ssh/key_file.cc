#include "config.h"

#include "ssh/key_file.h"

#include <cstdint>
#include <fstream>
#include <sstream>

#include "util/base64.h"

namespace ssh {

namespace {

// Reads one SSH wire-format string (uint32 length + bytes) at `pos`.
bool read_string(const std::string& blob, size_t& pos, std::string& out) {
    if (pos + 4 > blob.size()) return false;
    uint32_t len = (uint32_t(uint8_t(blob[pos])) << 24) | (uint32_t(uint8_t(blob[pos + 1])) << 16) |
                   (uint32_t(uint8_t(blob[pos + 2])) << 8) | uint32_t(uint8_t(blob[pos + 3]));
    pos += 4;
    if (pos + len > blob.size()) return false;
    out = blob.substr(pos, len);
    pos += len;
    return true;
}

}  // namespace

KeyFileInfo inspect_key_file(const std::string& path) {
    KeyFileInfo info;
    std::ifstream in(path);
    if (!in) return info;
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    info.readable = true;
    if (text.find("BEGIN RSA PRIVATE KEY") != std::string::npos) info.type = "ssh-rsa";
    if (text.find("BEGIN EC PRIVATE KEY") != std::string::npos) info.type = "ecdsa-sha2-nistp256";
    if (text.find("Proc-Type: 4,ENCRYPTED") != std::string::npos ||
        text.find("BEGIN ENCRYPTED PRIVATE KEY") != std::string::npos)
        info.encrypted = true;
    const std::string begin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    auto b = text.find(begin);
    auto e = text.find("-----END OPENSSH PRIVATE KEY-----");
    if (b == std::string::npos || e == std::string::npos || e < b) return info;
    std::string body;
    for (char c : text.substr(b + begin.size(), e - b - begin.size()))
        if (c != '\n' && c != '\r' && c != ' ') body += c;
    auto blob = util::base64_decode(body);
    const std::string magic("openssh-key-v1\0", 15);
    if (!blob || blob->compare(0, magic.size(), magic) != 0) return info;
    // openssh-key-v1: cipher, kdf, kdf options, key count, then the public
    // key blob (whose first field is the key type) — all unencrypted.
    size_t pos = magic.size();
    std::string cipher, kdf, kdfopts, pub, type;
    if (!read_string(*blob, pos, cipher) || !read_string(*blob, pos, kdf) || !read_string(*blob, pos, kdfopts))
        return info;
    info.encrypted = cipher != "none";
    pos += 4;  // number of keys
    size_t ppos = 0;
    if (read_string(*blob, pos, pub) && read_string(pub, ppos, type)) info.type = type;
    return info;
}

}  // namespace ssh
