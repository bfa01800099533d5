// How jobs are shown: status symbols and colour roles, the TIME column and
// timestamps. Shared by the Jobs pane, the detail pane and the dialogs.
#pragma once

#include <cstdint>
#include <string>

#include "store/job.h"
#include "tui/theme.h"

namespace tui {

Role status_role(store::Status status);
// A one-column symbol: ▶ running, ✓ completed, ✗ failed... (ASCII without UTF-8).
const char* status_symbol(store::Status status);
// "▶ running"
std::string status_label(store::Status status);
// A job's row label: status_label, or "⚠ stalled" for a running job whose
// log has not grown for stall_after (as of the last sync).
std::string job_status_label(const store::Job& job);
Role job_status_role(const store::Job& job);
// "[#####-----] 50% 5m00s": the fraction done by its progress pattern and,
// while it runs, the time left at its pace; empty without a fraction. At
// most `width` columns (the bar shrinks first).
std::string job_progress(const store::Job& job, int64_t now, int width);

// The TIME column: elapsed for running jobs, the end time for finished ones,
// "queued" for pending ones, "waiting" or "held" for jobs in a queue.
std::string job_time(const store::Job& job, int64_t now);
// "14:02" today, "Nov 03" this year, "2025-11-03" before.
std::string short_time(int64_t epoch, int64_t now);
// The command line, or the description when there is one (as the Jobs pane shows it),
// after "[GPU 0,1 87%] " for a running job seen on GPUs at the last sync,
// after "[array 1-3] " on an array's row and "[2] " on its task 2.
std::string job_title(const store::Job& job);

}  // namespace tui
