// Public-key authentication as a nonblocking step function: ssh-agent
// identities first, then the IdentityFile keys in order (OpenSSH's order).
// An encrypted key's passphrase is asked through SessionOptions and waited
// for without blocking: step() stays Pending until the answer has come.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ssh/session.h"

typedef struct _LIBSSH2_AGENT LIBSSH2_AGENT;
struct libssh2_agent_publickey;

namespace ssh {

class Authenticator {
public:
    Authenticator(LIBSSH2_SESSION* session, const HostConfig& host, const SessionOptions& options);
    ~Authenticator();
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    enum class Result { Pending, Done, Failed };
    // Advance; Pending means "call again when the socket is ready".
    Result step();
    const std::string& error() const { return error_; }
    const std::string& hint() const { return hint_; }

    // A passphrase was asked for and no answer has come yet: nothing to do
    // (and nothing to watch) until it does.
    bool waiting_for_passphrase() const;
    // The answer has come: step() has work to do now.
    bool passphrase_answered() const;

private:
    enum class Stage { List, AgentStart, AgentNext, AgentTry, KeyNext, AwaitPassphrase, KeyTry, Done };
    // Where the answer to a passphrase question lands. The question holds it
    // weakly, so an answer after this Authenticator is gone is dropped.
    struct PassphraseSlot {
        bool answered = false;
        std::optional<std::string> passphrase;
    };
    void ask_passphrase();
    void skip_encrypted_key();
    void use_key();
    Result fail_all();

    LIBSSH2_SESSION* session_;
    const HostConfig& host_;
    const SessionOptions& options_;
    Stage stage_ = Stage::List;
    std::string methods_;
    LIBSSH2_AGENT* agent_ = nullptr;
    libssh2_agent_publickey* agent_key_ = nullptr;
    size_t key_index_ = 0;
    std::string key_path_;
    bool key_is_rsa_ = false;
    std::shared_ptr<PassphraseSlot> question_;
    std::string passphrase_;
    std::vector<std::string> tried_;
    bool tried_rsa_ = false;
    bool skipped_encrypted_ = false;
    std::string error_;
    std::string hint_;
};

}  // namespace ssh
