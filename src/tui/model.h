// The state the panes draw. Key handlers and engine callbacks change it and
// mark panes dirty; panes only read it (they never read input themselves).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/jobs.h"
#include "store/job.h"
#include "tui/host_view.h"
#include "tui/job_list.h"
#include "tui/log_view.h"

namespace tui {

enum class Focus { Hosts, Queues, Jobs, Detail };
enum class StatusFilter { All, Active, Succeeded, Failed };
enum class DetailMode { Details, Log };

const char* filter_name(StatusFilter f);
std::vector<std::string> filter_statuses(StatusFilter f);

struct Model {
    std::vector<HostView> hosts;
    int host_cursor = 0;   // 0: all hosts; i + 1: hosts[i]
    int queue_cursor = 0;  // 0: all queues; i + 1: the default queue of hosts[i]
    std::string host_filter;  // the host the job list is narrowed to ("" for all)
    Focus focus = Focus::Jobs;
    StatusFilter status_filter = StatusFilter::All;
    std::string search;
    bool search_editing = false;
    std::unique_ptr<JobList> jobs;

    DetailMode detail_mode = DetailMode::Details;
    std::optional<store::Job> detail_job;  // what the detail pane shows
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

}  // namespace tui
