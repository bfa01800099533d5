// The Queues pane: per host its queues with the runner state (▶ running,
// ■ stopped, ○ none) and how many jobs wait and run. Until rj has queues,
// every host has one implicit "default" queue without a runner.
#pragma once

#include "tui/pane.h"

namespace tui {

class QueuesPane : public Pane {
public:
    int row_at(int y, const Model& m) const;

protected:
    void draw(const Model& m) override;
};

}  // namespace tui
