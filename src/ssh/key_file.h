// What rj needs to know about a private key file before offering it:
// its type (libssh2 1.10 cannot sign with RSA keys against OpenSSH >= 8.8)
// and whether it is protected by a passphrase.
#pragma once

#include <string>

namespace ssh {

struct KeyFileInfo {
    bool readable = false;
    bool encrypted = false;
    std::string type;  // "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "" if unknown
};

KeyFileInfo inspect_key_file(const std::string& path);

}  // namespace ssh
