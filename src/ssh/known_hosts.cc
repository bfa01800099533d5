#include "config.h"

#include "ssh/known_hosts.h"

#include <algorithm>

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "ssh/host_pattern.h"
#include "util/base64.h"
#include "util/error.h"

namespace ssh {

namespace {

constexpr size_t kSha1Len = 20;

struct TypeName {
    KeyType type;
    const char* name;
};

constexpr TypeName kTypeNames[] = {
    {KeyType::Ed25519, "ssh-ed25519"},
    {KeyType::EcdsaP256, "ecdsa-sha2-nistp256"},
    {KeyType::EcdsaP384, "ecdsa-sha2-nistp384"},
    {KeyType::EcdsaP521, "ecdsa-sha2-nistp521"},
    {KeyType::Rsa, "ssh-rsa"},
    {KeyType::Dss, "ssh-dss"},
};

// The first SSH "string" of a key blob: uint32 big-endian length + bytes.
std::string blob_type_name(const std::string& blob) {
    if (blob.size() < 4) return {};
    uint32_t len = (uint32_t(uint8_t(blob[0])) << 24) | (uint32_t(uint8_t(blob[1])) << 16) |
                   (uint32_t(uint8_t(blob[2])) << 8) | uint32_t(uint8_t(blob[3]));
    if (len == 0 || len > 64 || blob.size() - 4 < len) return {};
    return blob.substr(4, len);
}

std::string hmac_sha1(const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int out_len = 0;
    if (HMAC(EVP_sha1(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), out, &out_len) == nullptr)
        throw util::Error("HMAC-SHA1 failed in libcrypto");
    return std::string(reinterpret_cast<const char*>(out), out_len);
}

bool entry_matches_host(const KnownHostEntry& e, const std::string& host_form) {
    if (!e.salt.empty()) return hmac_sha1(e.salt, host_form) == e.hmac;
    return match_host_pattern_list(host_form, e.patterns);
}

std::vector<std::string> split_fields(const std::string& line) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

// Creates missing directories of `dir` with mode 0700 (like ~/.ssh).
void make_dirs(const std::string& dir) {
    if (dir.empty()) return;
    for (size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/') continue;
        std::string part = dir.substr(0, pos);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            throw util::Error("cannot create directory " + part + ": " + std::strerror(errno));
    }
}

}  // namespace

KeyType key_type_from_name(std::string_view name) {
    for (const auto& t : kTypeNames)
        if (name == t.name) return t.type;
    // Signature algorithm names that servers and libraries use for RSA keys.
    if (name == "rsa-sha2-256" || name == "rsa-sha2-512") return KeyType::Rsa;
    return KeyType::Unknown;
}

std::string key_type_name(KeyType type) {
    for (const auto& t : kTypeNames)
        if (t.type == type) return t.name;
    return "unknown";
}

KeyType key_type_from_blob(const std::string& key_blob) {
    return key_type_from_name(blob_type_name(key_blob));
}

std::string fingerprint_sha256(const std::string& key_blob) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(key_blob.data(), key_blob.size(), md, &md_len, EVP_sha256(), nullptr) != 1)
        throw util::Error("SHA-256 failed in libcrypto");
    std::string b64 = util::base64_encode(std::string_view(reinterpret_cast<const char*>(md), md_len));
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return "SHA256:" + b64;
}

std::string known_hosts_host_form(const std::string& host, int port) {
    std::string h = ascii_lower(host);
    if (port <= 0 || port == 22) return h;
    return "[" + h + "]:" + std::to_string(port);
}

KnownHosts KnownHosts::parse(const std::string& text, const std::string& origin) {
    KnownHosts kh;
    kh.parse_into(text, origin);
    return kh;
}

KnownHosts KnownHosts::load(const std::vector<std::string>& files) {
    KnownHosts kh;
    for (const auto& path : files) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT && errno != ENOTDIR)
                kh.warnings_.push_back("cannot read " + path + ": " + std::strerror(errno));
            continue;
        }
        std::string text;
        char buf[8192];
        bool failed = false;
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                kh.warnings_.push_back("cannot read " + path + ": " + std::strerror(errno));
                failed = true;
                break;
            }
            if (n == 0) break;
            text.append(buf, size_t(n));
        }
        ::close(fd);
        if (!failed) kh.parse_into(text, path);
    }
    return kh;
}

void KnownHosts::parse_into(const std::string& text, const std::string& origin) {
    size_t pos = 0;
    int lineno = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++lineno;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#') continue;

        std::string where = origin + ":" + std::to_string(lineno);
        auto skip = [&](const std::string& why) { warnings_.push_back(where + ": " + why + "; line skipped"); };

        std::vector<std::string> f = split_fields(line);
        KnownHostEntry e;
        size_t i = 0;
        if (f[0][0] == '@') {
            if (f[0] == "@cert-authority") continue;  // CA keys verify certificates, which rj does not use
            if (f[0] != "@revoked") {
                skip("unknown marker " + f[0]);
                continue;
            }
            e.revoked = true;
            i = 1;
        }
        if (f.size() < i + 3) {
            skip("not a known_hosts entry (want: hosts key-type base64-key)");
            continue;
        }
        const std::string& hosts = f[i];
        if (hosts.compare(0, 1, "|") == 0) {
            // |1|base64(salt)|base64(HMAC-SHA1(salt, host))
            size_t p2 = hosts.find('|', 3);
            auto salt = p2 == std::string::npos ? std::nullopt : util::base64_decode(hosts.substr(3, p2 - 3));
            auto mac = p2 == std::string::npos ? std::nullopt : util::base64_decode(hosts.substr(p2 + 1));
            if (hosts.compare(0, 3, "|1|") != 0 || !salt || !mac || salt->size() != kSha1Len ||
                mac->size() != kSha1Len) {
                skip("malformed hashed host field");
                continue;
            }
            e.salt = *salt;
            e.hmac = *mac;
        } else {
            e.patterns = hosts;
        }
        e.type_name = f[i + 1];
        auto blob = util::base64_decode(f[i + 2]);
        if (!blob) {
            skip("key is not valid base64");
            continue;
        }
        if (blob_type_name(*blob) != e.type_name) {
            skip("key data is not a " + e.type_name + " key");
            continue;
        }
        e.blob = std::move(*blob);
        e.file = origin;
        e.line = lineno;
        entries_.push_back(std::move(e));
    }
}

HostKeyCheck KnownHosts::check(const std::string& host, int port, KeyType type,
                               const std::string& key_blob) const {
    const std::string form = known_hosts_host_form(host, port);
    const std::string type_name = type == KeyType::Unknown ? blob_type_name(key_blob) : key_type_name(type);
    const KnownHostEntry* match = nullptr;
    const KnownHostEntry* changed = nullptr;
    for (const auto& e : entries_) {
        if (!entry_matches_host(e, form)) continue;
        if (e.revoked) {
            // A revoked key is refused whatever else the files say about it.
            if (e.blob == key_blob) return {HostKeyStatus::Revoked, e.file, e.line};
            continue;
        }
        if (e.type_name != type_name) continue;
        if (e.blob == key_blob) {
            if (!match) match = &e;
        } else if (!changed) {
            changed = &e;
        }
    }
    if (match) return {HostKeyStatus::Match, match->file, match->line};
    if (changed) return {HostKeyStatus::Changed, changed->file, changed->line};
    return {HostKeyStatus::Unknown, {}, 0};
}

std::vector<KeyType> KnownHosts::known_types(const std::string& host, int port) const {
    const std::string form = known_hosts_host_form(host, port);
    std::vector<KeyType> out;
    for (const auto& e : entries_) {
        if (e.revoked || !entry_matches_host(e, form)) continue;
        KeyType t = key_type_from_name(e.type_name);
        if (t == KeyType::Unknown) continue;
        bool seen = false;
        for (KeyType o : out) seen = seen || o == t;
        if (!seen) out.push_back(t);
    }
    return out;
}

std::vector<std::string> KnownHosts::known_fingerprints(const std::string& host, int port) const {
    const std::string form = known_hosts_host_form(host, port);
    std::vector<std::string> out;
    for (const auto& e : entries_) {
        if (e.revoked || !entry_matches_host(e, form)) continue;
        std::string line = e.type_name + " " + fingerprint_sha256(e.blob);
        if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(line);
    }
    return out;
}

void KnownHosts::append(const std::string& file, const std::string& host, int port, KeyType type,
                        const std::string& key_blob, bool hash) {
    const std::string blob_name = blob_type_name(key_blob);
    const std::string type_name = type == KeyType::Unknown ? blob_name : key_type_name(type);
    if (type_name.empty() || blob_name != type_name)
        throw util::Error("refusing to record a host key for " + host + ": the key data is not a " +
                          (type_name.empty() ? std::string("recognisable") : type_name) + " key");

    const std::string form = known_hosts_host_form(host, port);
    std::string host_field = form;
    if (hash) {
        unsigned char salt[kSha1Len];
        if (RAND_bytes(salt, sizeof salt) != 1) throw util::Error("no random bytes from libcrypto for a hashed host name");
        std::string s(reinterpret_cast<const char*>(salt), sizeof salt);
        host_field = "|1|" + util::base64_encode(s) + "|" + util::base64_encode(hmac_sha1(s, form));
    }
    std::string line = host_field + " " + type_name + " " + util::base64_encode(key_blob) + "\n";

    size_t slash = file.rfind('/');
    if (slash != std::string::npos && slash > 0) make_dirs(file.substr(0, slash));

    const std::string hint = "check the permissions of " + file + " and its directory";
    // Read access only to look at the last byte; O_APPEND keeps concurrent
    // writers (two rj processes, ssh itself) from overwriting each other.
    bool can_read = true;
    int fd = ::open(file.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EACCES) {
        can_read = false;
        fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    }
    if (fd < 0) throw util::Error("cannot open " + file + " to add a host key: " + std::strerror(errno), hint);

    struct stat st {};
    if (can_read && fstat(fd, &st) == 0 && st.st_size > 0) {
        char last = '\n';
        if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') line.insert(0, "\n");
    }
    size_t done = 0;
    while (done < line.size()) {
        ssize_t n = ::write(fd, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            throw util::Error("cannot write to " + file + ": " + std::strerror(err), hint);
        }
        done += size_t(n);
    }
    if (::close(fd) != 0) throw util::Error("cannot write to " + file + ": " + std::strerror(errno), hint);
}

}  // namespace ssh
