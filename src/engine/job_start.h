// Starting a job that already has its local record (fresh submits, pending
// jobs whose host came back, and `starting` jobs the host never saw).
#pragma once

#include <functional>

#include "engine/engine.h"
#include "engine/jobs.h"
#include "store/job.h"

namespace engine {

// Sends the job to its host. On success the row becomes `running`. On
// failure the row is left as it was; the callback decides what to do.
void start_recorded_job(Engine& engine, const store::Job& job, std::function<void(SubmitResult, RemoteReply)> done);

}  // namespace engine
