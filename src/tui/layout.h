// Where each part of the screen goes for a terminal size: header meters on
// top, Hosts and Queues on the left, Jobs on the right, the detail pane below,
// then the message line and the function-key bar.
#pragma once

namespace tui {

struct Rect {
    int y = 0, x = 0, h = 0, w = 0;
    bool contains(int py, int px) const { return py >= y && py < y + h && px >= x && px < x + w; }
    bool empty() const { return h <= 0 || w <= 0; }
};

struct Layout {
    Rect header, hosts, queues, jobs, detail, message, fbar;
    bool too_small = false;  // below what the panes need: only a notice is drawn
};

// `hosts` is how many hosts have a meter line (at least one line is kept).
Layout compute_layout(int rows, int cols, int hosts);

// The smallest terminal the layout is designed for (80x24 and up).
inline constexpr int kMinRows = 12;
inline constexpr int kMinCols = 40;

}  // namespace tui
