#include "config.h"

#include "tui/layout.h"

#include <algorithm>

namespace tui {

Layout compute_layout(int rows, int cols, int hosts) {
    Layout l;
    if (rows < kMinRows || cols < kMinCols) {
        l.too_small = true;  // every rect stays empty
        return l;
    }
    // Header: one meter line per host, up to a sixth of the screen.
    int header_h = std::clamp(hosts, 1, std::max(1, rows / 6));
    l.header = {0, 0, header_h, cols};
    l.fbar = {rows - 1, 0, 1, cols};
    l.message = {rows - 2, 0, 1, cols};
    int body_y = header_h;
    int body_h = rows - header_h - 2;
    // The lists get a bit more than half; the detail pane the rest, at least 5 rows.
    int top_h = std::max(6, body_h * 11 / 20);
    int detail_h = body_h - top_h;
    if (detail_h < 5) {
        detail_h = std::min(5, body_h - 6);
        top_h = body_h - detail_h;
    }
    int left_w = std::clamp(cols / 4, 22, 30);
    // Hosts gets a row per host (plus "All hosts"), up to half; Queues the rest.
    int hosts_h = std::clamp(hosts + 3, 4, std::max(4, top_h / 2));
    l.hosts = {body_y, 0, hosts_h, left_w};
    l.queues = {body_y + hosts_h, 0, top_h - hosts_h, left_w};
    l.jobs = {body_y, left_w, top_h, cols - left_w};
    l.detail = {body_y + top_h, 0, detail_h, cols};
    return l;
}

}  // namespace tui
