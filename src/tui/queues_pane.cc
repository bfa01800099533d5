#include "config.h"

#include "tui/queues_pane.h"

#include "tui/hosts_pane.h"
#include "tui/model.h"
#include "tui/text.h"

namespace tui {

namespace {

// One display line of the pane: a host heading (item -1) or a selectable
// row (item 0 = all queues, i + 1 = the default queue of hosts[i]).
struct Line {
    int item;
    int host;  // index into hosts, -1 for "All queues"
    bool compact = false;  // "host/queue" on one line
};

// A tree (host heading, then its queues) when the pane is tall enough,
// otherwise one "host/queue" line per queue.
std::vector<Line> layout_lines(const Model& m, int height) {
    int n = static_cast<int>(m.hosts.size());
    bool tree = 1 + 2 * n <= height;
    std::vector<Line> v{{0, -1}};
    for (int i = 0; i < n; ++i) {
        if (tree) v.push_back({-1, i});
        v.push_back({i + 1, i, !tree});
    }
    return v;
}

int line_of(const std::vector<Line>& lines, int item) {
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].item == item) return static_cast<int>(i);
    return 0;
}

// Right-aligned in `width` - 1 columns, then a space.
std::string num(int64_t n, size_t width) {
    std::string s = std::to_string(n);
    return std::string(s.size() < width - 1 ? width - 1 - s.size() : 0, ' ') + s + " ";
}

}  // namespace

void QueuesPane::draw(const Model& m) {
    bool focused = m.focus == Focus::Queues;
    frame("Queues", focused);
    int h = rows() - 3, w = cols() - 2;
    if (h <= 0) return;
    constexpr int kWait = 5, kRun = 4;  // "WAIT " and "RUN "
    int name_w = w - kWait - kRun;
    put(1, 1, fit(" QUEUE", name_w) + "WAIT RUN ", w, Role::ColumnHeader);
    auto lines = layout_lines(m, h);
    int top = list_top(line_of(lines, m.queue_cursor), static_cast<int>(lines.size()), h);
    for (int r = 0; r < h && top + r < static_cast<int>(lines.size()); ++r) {
        const Line& line = lines[static_cast<size_t>(top + r)];
        int y = 2 + r;
        if (line.item < 0) {  // host heading
            const HostView& hv = m.hosts[static_cast<size_t>(line.host)];
            put(y, 1, " " + hv.name, w, hv.state == HostView::State::Offline ? Role::HostOffline : Role::HostName);
            continue;
        }
        bool sel = line.item == m.queue_cursor;
        attr_t row = Theme::attr(sel ? (focused ? Role::Selected : Role::SelectedUnfocus) : Role::Normal);
        if (line.item == 0) {
            int64_t wsum = 0, rsum = 0;
            for (const auto& hv : m.hosts) {
                wsum += hv.waiting;
                rsum += hv.running;
            }
            put(y, 1, fit(name_w >= 12 ? " All queues" : " All", name_w) + num(wsum, kWait) + num(rsum, kRun), w, row);
            continue;
        }
        const HostView& hv = m.hosts[static_cast<size_t>(line.host)];
        if (sel) put(y, 1, "", w, row);
        // No runner yet: ○. (▶ running and ■ stopped come with queues.)
        int indent = line.compact ? 1 : 2;  // under its host heading in the tree
        put(y, 1, std::string(static_cast<size_t>(indent), ' ') + glyph("○", "o"), indent + 1,
            sel ? row : Theme::attr(Role::Dim));
        int label_w = name_w - 1 - indent;
        std::string label = " default";
        if (line.compact) {
            // Short of room the host name matters more than the (only) queue's name.
            label = " " + hv.name + "/default";
            if (display_width(label) > label_w) label = " " + hv.name;
        }
        put(y, 2 + indent, label, label_w, row);
        put(y, 1 + name_w, num(hv.waiting, kWait), kWait, row);
        put(y, 1 + name_w + kWait, num(hv.running, kRun), kRun,
            sel ? row : Theme::attr(hv.running > 0 ? Role::RunnerActive : Role::Normal));
    }
}

int QueuesPane::row_at(int y, const Model& m) const {
    int h = rows() - 3;
    auto lines = layout_lines(m, h);
    int r = y - rect().y - 2;
    if (r < 0 || r >= h) return -1;
    int i = list_top(line_of(lines, m.queue_cursor), static_cast<int>(lines.size()), h) + r;
    if (i >= static_cast<int>(lines.size())) return -1;
    const Line& line = lines[static_cast<size_t>(i)];
    return line.item >= 0 ? line.item : line.host + 1;  // a heading selects its host's queue
}

}  // namespace tui
