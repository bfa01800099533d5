// SLURM clusters as hosts (issue 12): a host whose [host] section says
// `scheduler = slurm` is a cluster's login node. Jobs go through sbatch
// there with rj's wrapper inside the batch job; SLURM, not rj, schedules.
// Internal to the engine: submit, sync and kill call in here for such hosts.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/job_state.h"
#include "engine/jobs.h"
#include "remote/slurm.h"
#include "store/job.h"
#include "store/job_repo.h"

namespace engine {

bool is_slurm_host(const Engine& engine, const std::string& host);

// submit() for a SLURM host: refuses what has no SLURM meaning, records the
// job (an array: its row and one job per task), then one sbatch. A refusal
// by SLURM leaves no record.
void submit_to_slurm(Engine& engine, SubmitRequest request, std::function<void(SubmitResult)> done);
// start_recorded_job() for a SLURM host (a pending job whose host came back,
// a `starting` job the cluster never saw).
void start_recorded_slurm_job(Engine& engine, const store::Job& job,
                              std::function<void(SubmitResult, RemoteReply)> done);

// What squeue and the job's files say about a job of a SLURM host, as a
// Verdict: the SLURM reader beside verdict_from_facts (job_state.h), and the
// only code that maps SLURM states to rj's. Pure; engine/lifecycle.cc
// applies what it decides.
Verdict slurm_verdict(const store::Job& job, const remote::JobFacts& facts, const remote::SlurmQueueReply& cluster,
                      int64_t now);
// Records the SLURM ids the host wrote for jobs whose sbatch answer was
// lost (only those asked about, only well-formed ids). Returns rows changed.
int record_slurm_ids(store::JobRepo& jobs, const std::vector<store::Job>& asked,
                     const remote::SlurmQueueReply& cluster);

// A SLURM host's partitions and the user's job counts into its sync report.
void add_slurm_view(SyncReport& report, const std::string& host, const remote::SlurmQueueReply& cluster);

// kill_jobs() for the jobs of one SLURM host directory: scancel.
void kill_slurm_jobs(Engine& engine, const std::string& host, const remote::RemoteDir& dir,
                     const std::vector<int64_t>& ids, std::function<void(KillResult)> each);

// hold | release | update (time limit, command, environment) of jobs SLURM
// still holds back, with scontrol; each id answers once.
void slurm_job_ctl(Engine& engine, remote::SlurmCtl ctl, std::function<void(QueuedJobResult)> each);

}  // namespace engine
