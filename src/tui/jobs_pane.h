// The Jobs pane: ID, HOST, STATUS (symbol and colour), TIME (elapsed, or when
// it ended) and the description or command, newest first. Rows come from the
// virtualised JobList; its title shows the filter, search and counts.
#pragma once

#include "tui/pane.h"

namespace tui {

class JobsPane : public Pane {
public:
    // Rows of jobs the pane shows at once.
    int list_height() const { return rows() - 3; }
    // List index of the row at screen line `y`, or -1.
    long row_at(int y, const Model& m) const;

protected:
    void draw(const Model& m) override;
};

}  // namespace tui
