#include "config.h"

#include "ssh/authenticator.h"

#include <libssh2.h>
#include <unistd.h>

#include <cstdlib>

#include "ssh/key_file.h"

namespace ssh {

namespace {
// libssh2 1.11 (Homebrew's, newer distributions') signs with an RSA key as
// rsa-sha2-256/512, which OpenSSH 8.8+ accepts; 1.10 only as ssh-rsa (SHA-1),
// which those servers refuse, so only then is an RSA key worth a hint.
constexpr bool kSignsRsaWithSha2 = LIBSSH2_VERSION_NUM >= 0x010b00;
}  // namespace

Authenticator::Authenticator(LIBSSH2_SESSION* session, const HostConfig& host, const SessionOptions& options)
    : session_(session), host_(host), options_(options) {}

Authenticator::~Authenticator() {
    if (agent_) {
        libssh2_agent_disconnect(agent_);
        libssh2_agent_free(agent_);
    }
}

Authenticator::Result Authenticator::step() {
    for (;;) {
        switch (stage_) {
        case Stage::List: {
            const char* list = libssh2_userauth_list(session_, host_.user.c_str(),
                                                     static_cast<unsigned>(host_.user.size()));
            if (!list) {
                if (libssh2_userauth_authenticated(session_)) return Result::Done;  // "none" auth accepted
                if (libssh2_session_last_errno(session_) == LIBSSH2_ERROR_EAGAIN) return Result::Pending;
                error_ = "the server closed the connection during authentication";
                return Result::Failed;
            }
            methods_ = list;
            if (methods_.find("publickey") == std::string::npos) {
                error_ = "the server does not accept public-key authentication (it offers: " + methods_ + ")";
                hint_ = "rj authenticates with keys only; enable PubkeyAuthentication on the host";
                return Result::Failed;
            }
            // IdentitiesOnly: OpenSSH would still use agent keys matching the
            // files; rj keeps it simple and goes straight to the files.
            const char* sock = std::getenv("SSH_AUTH_SOCK");
            stage_ = (!host_.identities_only && sock && *sock) ? Stage::AgentStart : Stage::KeyNext;
            break;
        }
        case Stage::AgentStart: {
            agent_ = libssh2_agent_init(session_);
            // The agent is a local socket: connect and list are quick.
            if (!agent_ || libssh2_agent_connect(agent_) != 0 || libssh2_agent_list_identities(agent_) != 0) {
                stage_ = Stage::KeyNext;
                break;
            }
            stage_ = Stage::AgentNext;
            break;
        }
        case Stage::AgentNext: {
            int rc = libssh2_agent_get_identity(agent_, &agent_key_, agent_key_);
            if (rc != 0) {
                stage_ = Stage::KeyNext;
                break;
            }
            stage_ = Stage::AgentTry;
            break;
        }
        case Stage::AgentTry: {
            int rc = libssh2_agent_userauth(agent_, host_.user.c_str(), agent_key_);
            if (rc == LIBSSH2_ERROR_EAGAIN) return Result::Pending;
            std::string comment = agent_key_->comment ? agent_key_->comment : "?";
            tried_.push_back("agent key " + comment);
            if (agent_key_->blob_len > 11 && std::string(reinterpret_cast<const char*>(agent_key_->blob) + 4, 7) == "ssh-rsa")
                tried_rsa_ = true;
            if (rc == 0) return Result::Done;
            stage_ = Stage::AgentNext;
            break;
        }
        case Stage::KeyNext: {
            if (key_index_ >= host_.identity_files.size()) return fail_all();
            key_path_ = host_.identity_files[key_index_++];
            if (access(key_path_.c_str(), R_OK) != 0) {
                // Missing default keys are normal; a key the config names is worth a mention.
                if (!host_.identity_files_are_defaults) tried_.push_back(key_path_ + " (not found)");
                break;
            }
            KeyFileInfo info = inspect_key_file(key_path_);
            passphrase_.clear();
            key_is_rsa_ = info.type == "ssh-rsa";
            if (!info.encrypted) {
                use_key();
            } else if (options_.ask_passphrase && !host_.batch_mode) {  // BatchMode: never ask, as OpenSSH
                ask_passphrase();
            } else {
                skip_encrypted_key();
            }
            break;
        }
        case Stage::AwaitPassphrase: {
            if (!question_->answered) return Result::Pending;  // the loop wakes us when it comes
            std::optional<std::string> pass = std::move(question_->passphrase);
            question_.reset();
            if (!pass) {
                skip_encrypted_key();
                break;
            }
            passphrase_ = std::move(*pass);
            use_key();
            break;
        }
        case Stage::KeyTry: {
            int rc = libssh2_userauth_publickey_fromfile_ex(
                session_, host_.user.c_str(), static_cast<unsigned>(host_.user.size()), nullptr,
                key_path_.c_str(), passphrase_.empty() ? nullptr : passphrase_.c_str());
            if (rc == LIBSSH2_ERROR_EAGAIN) return Result::Pending;
            passphrase_.clear();
            if (rc == 0) return Result::Done;
            if (rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
                rc == LIBSSH2_ERROR_SOCKET_RECV) {
                error_ = "the connection dropped during authentication";
                return Result::Failed;
            }
            std::string why = rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED
                                  ? " (cannot read this key format)"
                                  : (rc == -19 ? " (wrong passphrase?)" : "");
            tried_.push_back(key_path_ + why);
            stage_ = Stage::KeyNext;
            break;
        }
        case Stage::Done: return Result::Done;
        }
    }
}

void Authenticator::ask_passphrase() {
    stage_ = Stage::AwaitPassphrase;
    question_ = std::make_shared<PassphraseSlot>();
    // The answer may come at once (a terminal prompt) or much later (a
    // dialog), or never reach us: the slot is held weakly.
    options_.ask_passphrase(key_path_, [slot = std::weak_ptr<PassphraseSlot>(question_)](std::optional<std::string> pass) {
        auto answer = slot.lock();
        if (!answer || answer->answered) return;
        answer->answered = true;
        answer->passphrase = std::move(pass);
    });
}

bool Authenticator::waiting_for_passphrase() const {
    return stage_ == Stage::AwaitPassphrase && question_ && !question_->answered;
}

bool Authenticator::passphrase_answered() const {
    return stage_ == Stage::AwaitPassphrase && question_ && question_->answered;
}

void Authenticator::skip_encrypted_key() {
    skipped_encrypted_ = true;
    tried_.push_back(key_path_ + " (skipped: passphrase needed)");
    stage_ = Stage::KeyNext;
}

void Authenticator::use_key() {
    if (key_is_rsa_) tried_rsa_ = true;
    stage_ = Stage::KeyTry;
}

Authenticator::Result Authenticator::fail_all() {
    std::string who = host_.user + "@" + host_.alias;
    if (tried_.empty()) {
        error_ = "authentication failed for " + who + ": no usable key (no agent, no key files found)";
        hint_ = "create one with 'ssh-keygen -t ed25519' and add the .pub line to ~/.ssh/authorized_keys on the host";
        return Result::Failed;
    }
    std::string list;
    for (const auto& t : tried_) list += (list.empty() ? "" : ", ") + t;
    error_ = "authentication failed for " + who + " (tried: " + list + ")";
    if (tried_rsa_ && !kSignsRsaWithSha2) {
        hint_ = "RSA keys cannot be used: libssh2 1.10 signs only with ssh-rsa (SHA-1), which OpenSSH 8.8+ "
                "refuses. Create an ed25519 key with 'ssh-keygen -t ed25519', add its .pub line to "
                "~/.ssh/authorized_keys on the host, and name it with IdentityFile";
    } else if (skipped_encrypted_) {
        hint_ = "a key needs its passphrase: run rj from a terminal, or load the key into ssh-agent (ssh-add)";
    } else {
        hint_ = "check that the key's .pub line is in ~/.ssh/authorized_keys of " + who;
    }
    return Result::Failed;
}

}  // namespace ssh
