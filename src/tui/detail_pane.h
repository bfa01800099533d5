// The detail pane below the lists: either the selected job's Details
// (command, directory, environment, times, exit status, resource use, and
// for a job in a queue its queue, priority, GPUs and why it waits) or its
// Log — a live tail while the job runs, with scrollback, marked as cached when
// the host is offline.
#pragma once

#include <string>
#include <vector>

#include "engine/jobs.h"
#include "engine/deferred.h"
#include "store/job.h"
#include "tui/pane.h"

namespace tui {

class DetailPane : public Pane {
public:
    int text_height() const { return rows() - 2; }
    int text_width() const { return cols() - 4; }

protected:
    void draw(const Model& m) override;

private:
    void draw_details(const Model& m, const store::Job& job);
    void draw_log(const Model& m);
};

// The Details view's lines for `job` at `width` columns: (label, text) pairs,
// the facts `rj -b show` prints (engine::job_facts), sanitised and wrapped.
// `usage`: the job's live resource use, when known (shown while it runs).
// `queue`: the state of the job's queue on its host, when known (a stopped
// runner is why a waiting job waits). `deferred`: operations kept for its
// unreachable host.
std::vector<std::pair<std::string, std::string>> detail_lines(const store::Job& job, int64_t now, int width,
                                                             const engine::JobUsage* usage = nullptr,
                                                             const engine::QueueState* queue = nullptr,
                                                             const std::vector<store::DeferredOp>* deferred = nullptr);

}  // namespace tui
