// The Hosts pane: "All hosts", then each host with its state. The selected
// row narrows the job list to that host.
#pragma once

#include "tui/pane.h"

namespace tui {

class HostsPane : public Pane {
public:
    // Row (0 = "All hosts") at screen line `y`, or -1.
    int row_at(int y, const Model& m) const;

protected:
    void draw(const Model& m) override;
};

// First row shown in a list `height` rows tall so that `cursor` is visible.
int list_top(int cursor, int count, int height);

}  // namespace tui
