// Real OpenSSH test hosts for integration tests: a RAII wrapper around
// tests/harness/testhosts. Each object owns a fresh state directory with one
// sshd per host on its own loopback address, a client HOME with a key, an ssh
// config and a known_hosts file; the destructor stops everything.
//
//   testing_support::TestHosts hosts({"alpha", "beta"});
//   hosts.ssh("alpha", "tmux ls", &out);    // the system ssh client
//   run_shell(hosts.with_env(rj + " -b sync"), &out);  // rj with the test HOME
#pragma once

#include <map>
#include <string>
#include <vector>

namespace testing_support {

// Runs `cmd` with /bin/sh; returns its exit status (128+N when killed by
// signal N). With `out`, stdout is captured there; stderr is not redirected.
int run_shell(const std::string& cmd, std::string* out = nullptr);

// Single-quotes `s` for /bin/sh.
std::string shell_quote(const std::string& s);

class TestHosts {
public:
    // Who the hosts log in as. OwnUsers needs root and falls back to
    // CurrentUser otherwise (each host then still gets its own $HOME and tmux
    // socket through sshd's SetEnv, but shares the Unix account).
    enum class Mode { OwnUsers, CurrentUser };

    // Starts the hosts; throws std::runtime_error (with the script's output) on failure.
    // `setenv`: "NAME=VALUE ..." that sshd sets in every session of every
    // host (SetEnv), e.g. SLURM_CONF of a SlurmCluster.
    explicit TestHosts(const std::vector<std::string>& names, Mode mode = Mode::OwnUsers,
                       const std::string& setenv = "");
    // Runs `testhosts down` and removes the directory (kept when the
    // environment has RJ_KEEP_TESTHOSTS set, for a look after a failure).
    ~TestHosts();
    TestHosts(const TestHosts&) = delete;
    TestHosts& operator=(const TestHosts&) = delete;

    const std::string& dir() const { return dir_; }
    std::string home() const { return dir_ + "/home"; }                 // the client's HOME
    std::string ssh_config() const { return home() + "/.ssh/config"; }  // Host NAME blocks
    std::string known_hosts() const { return home() + "/.ssh/known_hosts"; }
    std::string env_file() const { return dir_ + "/env"; }  // HOME, XDG_*, RJ_SSH_CONFIG
    std::string sshd_log(const std::string& name) const;
    // The last `lines` lines of every host's sshd log, each block headed by
    // the host's name: what a failing assertion on an rj run should show.
    std::string sshd_log_tails(size_t lines = 40) const;
    const std::vector<std::string>& names() const { return names_; }
    const std::string& address(const std::string& name) const;
    int port(const std::string& name) const;
    const std::string& user(const std::string& name) const;
    // The shell command `cmd` prefixed so it runs with the test HOME and env.
    std::string with_env(const std::string& cmd) const;

    // Runs `remote_cmd` on host `name` with /usr/bin/ssh (BatchMode, HOME set
    // to home()); `out` gets stdout and stderr together. Returns ssh's status.
    int ssh(const std::string& name, const std::string& remote_cmd, std::string* out = nullptr,
            const std::string& ssh_options = "") const;

    void stop(const std::string& name);   // sshd and its connections die; refused after
    void start(const std::string& name);  // same address, port and key as before
    // Drops packets to the host so connections time out. Returns false (and
    // does nothing) where that cannot be done: not root, or no iptables.
    bool blackhole(const std::string& name);
    void unblackhole(const std::string& name);
    void rekey(const std::string& name);   // new host key; known_hosts keeps the old
    void forget(const std::string& name);  // remove its known_hosts entries
    void trust(const std::string& name);   // record its current key in known_hosts
    void add_rsa_client();                 // home()/.ssh/id_rsa, authorized everywhere
    // An ed25519 key encrypted with `passphrase`, authorized everywhere; returns its path.
    std::string add_passphrase_client(const std::string& passphrase);
    // Starts a latency proxy in front of the host (Host NAME-slow in the ssh
    // config) adding `delay_ms` each way; returns the proxy's port on 127.0.0.1.
    int proxy(const std::string& name, int delay_ms);
    // SetEnv words ("NAME=VALUE ...", no spaces or quotes in a value) for
    // this host's sessions only, replacing earlier ones; restarts its sshd
    // (its connections die). E.g. a PATH without tmux.
    void setenv(const std::string& name, const std::string& words);
    // Appends one line to this host's sshd_config (e.g. "ForceCommand
    // /path/script"); an empty line drops all added ones. Restarts its sshd.
    void sshd_option(const std::string& name, const std::string& line);

    static bool is_root();
    static std::string script();  // path of tests/harness/testhosts

private:
    struct Host {
        std::string address;
        int port = 0;
        std::string user;
    };
    const Host& host(const std::string& name) const;
    // Runs a testhosts subcommand on this directory; returns its status.
    int command(const std::string& args, std::string* out = nullptr) const;
    void command_or_throw(const std::string& args, std::string* out = nullptr) const;

    std::string dir_;
    std::vector<std::string> names_;
    std::map<std::string, Host> hosts_;
};

}  // namespace testing_support
