// Starting a job that already has its local record (fresh submits, pending
// jobs whose host came back, and `starting` jobs the host never saw).
#pragma once

#include <functional>

#include "engine/engine.h"
#include "engine/jobs.h"
#include "remote/protocol.h"
#include "store/job.h"

namespace engine {

// The command a host runs for `job`: its prelude (config of its host or
// pool) first, in the same shell; a failing prelude fails the job.
std::string command_with_prelude(const std::string& prelude, const std::string& command);
// The record of a new job as `request` asks for it (status starting, in the
// new-job directory of its host): every submit path starts from this.
store::Job job_from_request(Engine& engine, const SubmitRequest& request);
// What the host is sent for `job` (submit and enqueue).
remote::JobSpec spec_of(Engine& engine, const store::Job& job);

// Sends the job to its host. On success the row becomes `running`. On
// failure the row is left as it was; the callback decides what to do.
// A queued job goes into its queue instead (enqueue_recorded_jobs).
void start_recorded_job(Engine& engine, const store::Job& job, std::function<void(SubmitResult, RemoteReply)> done);

// Puts recorded jobs (one spec: a job, or the tasks of one array, all on one
// host) into their queue; queued rows become `queued`. `request` carries
// --no-start and --slots for a fresh submit (nullptr: a resend).
void enqueue_recorded_jobs(Engine& engine, const std::vector<store::Job>& batch, const QueueRequest* request,
                           std::function<void(SubmitResult, RemoteReply)> done);
// Command, directory, description, environment and timeouts (not the host):
// throws util::UsageError.
void validate_job_fields(const SubmitRequest& request);
// Pools, --require and dependencies on other hosts' jobs: the laptop decides
// when and where (engine/laptop_submit.cc).
bool needs_laptop(Engine& engine, const SubmitRequest& request);
void submit_laptop_held(Engine& engine, SubmitRequest request, std::function<void(SubmitResult)> done);
// Records and queues a `run --queue` (validated by submit()).
void submit_to_queue(Engine& engine, SubmitRequest request, std::function<void(SubmitResult)> done);

}  // namespace engine
