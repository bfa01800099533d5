// known_hosts verification as OpenSSH does it: plain, wildcard/negated and
// hashed (|1|salt|hmac) host fields, [host]:port for non-22 ports, @revoked
// and @cert-authority markers, key-type aware matching. Plus key type names
// and SHA256 fingerprints. Never rewrites a user's file: only appends.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ssh {

enum class KeyType { Ed25519, EcdsaP256, EcdsaP384, EcdsaP521, Rsa, Dss, Unknown };

// "ssh-ed25519", "ecdsa-sha2-nistp256/384/521", "ssh-rsa" (also its
// rsa-sha2-256/512 signature names), "ssh-dss"; anything else is Unknown.
KeyType key_type_from_name(std::string_view name);
// The name used in known_hosts and key blobs; "unknown" for Unknown.
std::string key_type_name(KeyType type);
// The type named inside an SSH public key blob (its first string field).
KeyType key_type_from_blob(const std::string& key_blob);

// "SHA256:<base64 without padding>", as `ssh-keygen -l` prints it.
std::string fingerprint_sha256(const std::string& key_blob);

enum class HostKeyStatus { Match, Unknown, Changed, Revoked };

struct HostKeyCheck {
    HostKeyStatus status = HostKeyStatus::Unknown;
    // The line that decided it: the matching key (Match), the old key of the
    // same type (Changed) or the @revoked line (Revoked). Empty/0 for Unknown.
    std::string known_file;
    int known_line = 0;
};

// One usable line of a known_hosts file (@cert-authority lines are dropped).
struct KnownHostEntry {
    bool revoked = false;    // @revoked marker
    std::string patterns;    // comma-separated host patterns; empty when hashed
    std::string salt, hmac;  // decoded |1|salt|hmac fields when hashed
    std::string type_name;   // as written, e.g. "ssh-ed25519"
    std::string blob;        // decoded key
    std::string file;
    int line = 0;
};

class KnownHosts {
public:
    // Missing files are fine. Lines that cannot be parsed are skipped and
    // noted in warnings(); the lines after them still count (unlike
    // libssh2_knownhost_readfile, which stops at the first bad line).
    static KnownHosts load(const std::vector<std::string>& files);
    static KnownHosts parse(const std::string& text, const std::string& origin);

    // `host` is the HostName (or HostKeyAlias); port 22 (or <= 0) looks up the
    // plain "host" form, any other port "[host]:port". Entries of another key
    // type are not a mismatch. Host names compare case-insensitively.
    HostKeyCheck check(const std::string& host, int port, KeyType type, const std::string& key_blob) const;

    // Key types on file for the host (no @revoked/@cert-authority lines), in
    // file order without repeats: the host-key algorithms to prefer.
    std::vector<KeyType> known_types(const std::string& host, int port) const;
    // "TYPE SHA256:..." for each key on file for the host (as known_types).
    std::vector<std::string> known_fingerprints(const std::string& host, int port) const;

    // Appends one line ("|1|salt|hmac" hashed host field when `hash`) with
    // O_APPEND, creating the file (0600) and missing parent directories
    // (0700) as needed. Throws util::Error when it cannot.
    static void append(const std::string& file, const std::string& host, int port, KeyType type,
                       const std::string& key_blob, bool hash);

    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    void parse_into(const std::string& text, const std::string& origin);

    std::vector<KnownHostEntry> entries_;
    std::vector<std::string> warnings_;
};

// The host field known_hosts uses for host:port: "host" for port 22 (or <= 0),
// else "[host]:port"; lower-cased as OpenSSH does.
std::string known_hosts_host_form(const std::string& host, int port);

}  // namespace ssh
