// RAII around tests/harness/slurm-cluster; see slurm_cluster.h.
#include "config.h"

#include "harness/slurm_cluster.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "harness/test_hosts.h"

#ifndef RJ_SRCDIR
#error "RJ_SRCDIR must name the top source directory"
#endif

namespace testing_support {

std::string SlurmCluster::script() { return RJ_SRCDIR "/tests/harness/slurm-cluster"; }

SlurmCluster::SlurmCluster() {
    char tmpl[] = "/tmp/rj-slurm-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::string out;
    int status = command("up", &out);
    if (status == 0) {
        available_ = true;
    } else if (status == 77) {  // the script's "skipped": not root, or SLURM not installed
        why_ = out;
        while (!why_.empty() && why_.back() == '\n') why_.pop_back();
    } else {
        command("down");
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);  // the destructor will not run
        throw std::runtime_error("slurm-cluster up failed:\n" + out);
    }
}

SlurmCluster::~SlurmCluster() {
    std::string out;
    if (command("down", &out) != 0) std::fprintf(stderr, "slurm-cluster down: %s\n", out.c_str());
    if (std::getenv("RJ_KEEP_TESTHOSTS")) {
        std::fprintf(stderr, "slurm-cluster: kept %s\n", dir_.c_str());
        return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

int SlurmCluster::command(const std::string& sub, std::string* out) const {
    // With an owner, a later `up` brings this cluster down if this process dies without its destructor.
    std::string owner = sub == "up" ? "SLURM_CLUSTER_OWNER_PID=" + std::to_string(getpid()) + " " : "";
    return run_shell(owner + shell_quote(script()) + " " + sub + " " + shell_quote(dir_) + " 2>&1", out);
}

void SlurmCluster::stop_controller() {
    std::string out;
    if (command("stop-ctld", &out) != 0) throw std::runtime_error("slurm-cluster stop-ctld failed:\n" + out);
}

void SlurmCluster::start_controller() {
    std::string out;
    if (command("start-ctld", &out) != 0) throw std::runtime_error("slurm-cluster start-ctld failed:\n" + out);
}

int SlurmCluster::client(const std::string& cmd, std::string* out) const {
    return run_shell("SLURM_CONF=" + shell_quote(conf()) + " " + cmd + " 2>&1", out);
}

bool SlurmCluster::all_stopped() const { return command("check") == 0; }

std::string SlurmCluster::log_tails(size_t lines) const {
    std::string out;
    run_shell("tail -n " + std::to_string(lines) + " " + shell_quote(dir_ + "/slurmctld.log") + " " +
                  shell_quote(dir_ + "/slurmd.log") + " 2>&1",
              &out);
    return out;
}

}  // namespace testing_support
