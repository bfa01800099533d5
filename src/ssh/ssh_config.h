// OpenSSH client configuration (~/.ssh/config): parsing, Include resolution
// and per-host resolution with OpenSSH's "first obtained value wins" rules,
// limited to the keywords rj's SSH layer acts on.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace ssh {

struct HostConfig {
    std::string alias;     // what the user typed (an alias, user@host, ssh://...)
    std::string hostname;  // HostName (%h expanded, lower-cased) or the alias
    std::string user;      // User, else the local user name
    int port = 22;
    // Expanded (~, ${VAR}, %-tokens), in config order, duplicates dropped.
    // "IdentityFile none" contributes nothing but still suppresses defaults.
    std::vector<std::string> identity_files;
    // True when no IdentityFile applied and identity_files holds the default
    // key paths: a missing default is then not an error, just skipped.
    bool identity_files_are_defaults = false;
    bool identities_only = false;
    std::string proxy_jump;     // "" = none ("none" in the file is normalised to "")
    std::string proxy_command;  // "" = none; %h %p %r %n already expanded
    int connect_timeout_s = 0;  // 0 = unset (caller picks a default)
    int server_alive_interval_s = 0;
    int server_alive_count_max = 3;
    enum class StrictHostKey { Yes, AcceptNew, No, Ask } strict_host_key = StrictHostKey::Ask;
    std::vector<std::string> user_known_hosts_files;    // expanded; "none" gives an empty list
    std::vector<std::string> global_known_hosts_files;  // expanded
    std::string host_key_alias;                         // HostKeyAlias, "" when unset
    bool hash_known_hosts = false;
    bool batch_mode = false;

    // The name and port host keys are filed under in known_hosts. OpenSSH
    // records a HostKeyAlias as is, without "[...]:port", so the alias
    // always uses the plain (port 22) form.
    const std::string& host_key_name() const {
        return host_key_alias.empty() ? hostname : host_key_alias;
    }
    int host_key_port() const { return host_key_alias.empty() ? port : 22; }
};

struct ConfigFile;  // parsed file tree, private to ssh_config.cc

class SshConfig {
public:
    // The user's file, then (unless "") the system-wide one, as ssh reads
    // ~/.ssh/config then /etc/ssh/ssh_config: the first value obtained from
    // either wins. A missing file is an empty config. An unreadable file, a
    // bad line, an unreadable Include or Include nesting past 16 levels
    // throws util::Error naming file:line.
    static SshConfig load(const std::string& path, const std::string& system_path = "");
    // Parses `text` as if read from `origin_path` (used in messages). Includes
    // are read from disk; relative ones are taken relative to $HOME/.ssh.
    static SshConfig parse(const std::string& text, const std::string& origin_path);

    // Options for `destination` (an alias, a name or address, user@host,
    // ssh://user@host:port) as `ssh destination` would see them: user and
    // port given there beat the files; Match host/originalhost/user/
    // localuser/all/canonical/final; CanonicalizeHostname (which looks names
    // up, blocking) and the second pass it brings. Throws util::UsageError
    // for a malformed destination, util::Error on an unknown %-token or
    // undefined ${VAR} in a value that gets expanded.
    HostConfig resolve(const std::string& destination) const;

    // Every Host name with no wildcard or negation, in file order, deduplicated.
    std::vector<std::string> concrete_hosts() const;

    // Things the parser ignored that a user may want to know about (e.g. a
    // Match criterion rj does not support, which disables that block).
    const std::vector<std::string>& warnings() const { return warnings_; }

private:
    std::vector<std::shared_ptr<const ConfigFile>> roots_;  // user, system; immutable: copies share them
    std::vector<std::string> warnings_;
};

// Which config file to read: the -F argument if given, else $RJ_SSH_CONFIG,
// else $HOME/.ssh/config.
// (-F and $RJ_SSH_CONFIG name the only file read, as `ssh -F` does.)
std::string default_ssh_config_path(const std::string& cli_override = "");

// The system-wide file read after the user's one when neither -F nor
// $RJ_SSH_CONFIG is given: $RJ_SSH_SYSTEM_CONFIG, else /etc/ssh/ssh_config.
std::string default_ssh_system_config_path();

}  // namespace ssh
