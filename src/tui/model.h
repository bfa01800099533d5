// The state the panes draw. Key handlers and engine callbacks change it and
// mark panes dirty; panes only read it (they never read input themselves).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/jobs.h"
#include "engine/deferred.h"
#include "store/job.h"
#include "tui/host_view.h"
#include "tui/job_list.h"
#include "tui/log_view.h"

namespace tui {

enum class Focus { Hosts, Queues, Jobs, Detail };
enum class StatusFilter { All, Active, Succeeded, Failed };
enum class DetailMode { Details, Log };

const char* filter_name(StatusFilter f);
std::vector<store::Status> filter_statuses(StatusFilter f);

struct Model {
    std::vector<HostView> hosts;
    int host_cursor = 0;   // 0: all hosts; i + 1: hosts[i]
    int queue_cursor = 0;  // index into queue_rows(*this); 0: all queues
    std::string host_filter;  // the host the job list is narrowed to ("" for all)
    Focus focus = Focus::Jobs;
    StatusFilter status_filter = StatusFilter::All;
    std::string search;
    bool search_editing = false;
    std::unique_ptr<JobList> jobs;

    DetailMode detail_mode = DetailMode::Details;
    std::optional<store::Job> detail_job;  // what the detail pane shows
    std::vector<store::DeferredOp> detail_deferred;  // its operations waiting for an unreachable host
    int detail_scroll = 0;
    LogView log;
    // Live resource use of detail_job while it runs (refreshed every log_interval).
    std::optional<engine::JobUsage> usage;
    int64_t usage_job = 0;
    bool usage_in_flight = false;

    std::string message;  // the message line: results and errors
    bool message_is_error = false;
    std::string progress;  // long operations in flight ("syncing 2/3 hosts")

    int64_t now = 0;  // wall clock for this frame (unix seconds)
};

// The job an action acts on: the one in the detail pane while it has the
// focus, else the selected row of the list (nullptr when none).
const store::Job* selected_job(const Model& m);

// One selectable row of the Queues pane.
struct QueueRow {
    int host = -1;   // index into Model::hosts; -1: the "All queues" row
    int queue = -1;  // index into that host's queues; -1: its implicit "default" (none reported)

    // The queue's name ("" for the All row).
    std::string name(const Model& m) const;
    const engine::QueueState* state(const Model& m) const;
};

// The Queues pane's rows: All, then per host its reported queues (or one
// implicit "default" row while it has reported none).
std::vector<QueueRow> queue_rows(const Model& m);
// The row of `host`'s first queue (0 for host -1).
int first_queue_row(const Model& m, int host);
// The row under the queue cursor.
QueueRow selected_queue_row(const Model& m);
// The row of queue `name` of `host`, or -1.
int find_queue_row(const Model& m, int host, const std::string& name);

}  // namespace tui
