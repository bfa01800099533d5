// The Queues pane: per host its queues as the host last reported them, with
// the runner's state (▶ running, ■ stopped, ◌ draining), how many jobs wait
// (held ones included) and how many run out of the queue's slots ("2/4").
// A host that has reported no queue keeps one dim implicit "default" row
// with its local job counts.
#pragma once

#include "tui/pane.h"

namespace tui {

class QueuesPane : public Pane {
public:
    // The queue row (an index into queue_rows()) at screen line y, or -1.
    int row_at(int y, const Model& m) const;

protected:
    void draw(const Model& m) override;
};

// The runner state's symbol (ASCII where the locale is not UTF-8).
const char* runner_symbol(const std::string& state);

}  // namespace tui
