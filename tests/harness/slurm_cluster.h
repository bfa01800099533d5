// A real single-node SLURM for integration tests: RAII around
// tests/harness/slurm-cluster (munged, slurmctld and slurmd of Debian's
// slurm-wlm/munge on loopback, state in a fresh /tmp directory).
//
//   SlurmCluster cluster;
//   if (!precondition(cluster.available(), cluster.why())) return;
//   TestHosts hosts({"alpha"}, TestHosts::Mode::OwnUsers, cluster.setenv());
//
// The test host's user finds the cluster through SLURM_CONF (sshd's SetEnv),
// never through /etc/slurm, so concurrent runs and crashed ones leave nothing
// system-wide. The destructor stops every process of the cluster (daemons,
// slurmstepds, jobs) and says so on stderr when some would not die.
#pragma once

#include <string>

namespace testing_support {

class SlurmCluster {
public:
    SlurmCluster();   // starts it; available() says whether it could
    ~SlurmCluster();  // `slurm-cluster down`, directory removed (kept with RJ_KEEP_TESTHOSTS)
    SlurmCluster(const SlurmCluster&) = delete;
    SlurmCluster& operator=(const SlurmCluster&) = delete;

    bool available() const { return available_; }
    // What is missing when not available (for the SKIPPED/FAILED message).
    const std::string& why() const { return why_; }
    const std::string& dir() const { return dir_; }
    std::string conf() const { return dir_ + "/slurm.conf"; }
    std::string setenv() const { return "SLURM_CONF=" + conf(); }

    void stop_controller();   // slurmctld dies; slurmd and the jobs go on
    void start_controller();  // slurmctld again, recovering its saved state
    // Runs a SLURM client command (squeue, scontrol, ...) against this
    // cluster as root; returns its status, output (stdout and stderr) in `out`.
    int client(const std::string& cmd, std::string* out = nullptr) const;
    // Whether no process of the cluster is left (after the destructor's down).
    bool all_stopped() const;
    // The tails of slurmctld's and slurmd's logs, for failure messages.
    std::string log_tails(size_t lines = 30) const;

    static std::string script();  // path of tests/harness/slurm-cluster

private:
    int command(const std::string& sub, std::string* out = nullptr) const;
    std::string dir_;
    bool available_ = false;
    std::string why_;
};

}  // namespace testing_support
