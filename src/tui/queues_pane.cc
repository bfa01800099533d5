#include "config.h"

#include "tui/queues_pane.h"

#include <algorithm>

#include "tui/hosts_pane.h"
#include "tui/model.h"
#include "tui/text.h"

namespace tui {

namespace {

// One display line of the pane: a host heading (row -1) or a selectable
// row (an index into queue_rows()).
struct Line {
    int row;
    int host;  // index into hosts, -1 for "All queues"
    bool compact = false;  // "host/queue" on one line
};

// A tree (host heading, then its queues) when the pane is tall enough,
// otherwise one "host/queue" line per queue.
std::vector<Line> layout_lines(const Model& m, int height) {
    auto rows = queue_rows(m);
    bool tree = static_cast<int>(rows.size() + m.hosts.size()) <= height;
    std::vector<Line> v;
    int last_host = -1;
    for (size_t i = 0; i < rows.size(); ++i) {
        int host = rows[i].host;
        if (tree && host >= 0 && host != last_host) v.push_back({-1, host});
        last_host = host;
        v.push_back({static_cast<int>(i), host, !tree && host >= 0});
    }
    return v;
}

int line_of(const std::vector<Line>& lines, int row) {
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].row == row) return static_cast<int>(i);
    return 0;
}

// Right-aligned in `width` - 1 columns, then a space.
std::string right(const std::string& s, size_t width) {
    return std::string(s.size() < width - 1 ? width - 1 - s.size() : 0, ' ') + s + " ";
}

// "host/queue" in `width` columns: the host is cut first, since the
// selection shows the host elsewhere (Hosts pane, Jobs title) and rows of one
// host differ only in the queue's name.
std::string compact_label(const std::string& host, const std::string& queue, int width) {
    std::string full = host + "/" + queue;
    if (display_width(full) <= width) return full;
    int host_room = width - display_width(queue) - 1;  // the "/" stays
    if (host_room >= 2) return fit(host, host_room, false) + "/" + queue;
    return queue;  // the row's own cut ends it in "…"
}

Role runner_role(const std::string& state) {
    if (state == "running") return Role::RunnerActive;
    if (state == "draining") return Role::JobPending;
    return Role::JobKilled;  // stopped: its jobs wait for nothing
}

}  // namespace

const char* runner_symbol(const std::string& state) {
    if (state == "running") return glyph("▶", ">");
    if (state == "draining") return glyph("◌", "~");
    if (state == "stopped") return glyph("■", "#");
    return glyph("○", "o");  // no runner known
}

void QueuesPane::draw(const Model& m) {
    bool focused = m.focus == Focus::Queues;
    frame("Queues", focused);
    int h = rows() - 3, w = cols() - 2;
    if (h <= 0) return;
    auto rows_of = queue_rows(m);
    // RUN is "running/slots", as wide as its widest value ("RUN " at least):
    // the narrow pane of an 80-column terminal keeps room for the names.
    constexpr int kWait = 5;  // "WAIT "
    int run_w = 4;
    for (const auto& hv : m.hosts)
        for (const auto& q : hv.queues)
            run_w = std::max(run_w, display_width(std::to_string(q.running) + "/" + std::to_string(q.slots)) + 1);
    int name_w = w - kWait - run_w;
    put(1, 1, fit(" QUEUE", name_w) + "WAIT " + right("RUN", static_cast<size_t>(run_w)), w, Role::ColumnHeader);
    auto lines = layout_lines(m, h);
    int top = list_top(line_of(lines, m.queue_cursor), static_cast<int>(lines.size()), h);
    for (int r = 0; r < h && top + r < static_cast<int>(lines.size()); ++r) {
        const Line& line = lines[static_cast<size_t>(top + r)];
        int y = 2 + r;
        if (line.row < 0) {  // host heading
            const HostView& hv = m.hosts[static_cast<size_t>(line.host)];
            put(y, 1, " " + hv.name, w, hv.state == HostView::State::Offline ? Role::HostOffline : Role::HostName);
            continue;
        }
        bool sel = line.row == m.queue_cursor;
        attr_t row = Theme::attr(sel ? (focused ? Role::Selected : Role::SelectedUnfocus) : Role::Normal);
        if (line.host < 0) {
            // Everything that waits and runs, as the rows below count it.
            int64_t wsum = 0, rsum = 0;
            for (const auto& hv : m.hosts) {
                if (hv.queues.empty()) {
                    wsum += hv.waiting;
                    rsum += hv.running;
                }
                for (const auto& q : hv.queues) {
                    wsum += q.waiting + q.held;
                    rsum += q.running;
                }
            }
            put(y, 1, fit(name_w >= 12 ? " All queues" : " All", name_w) + right(std::to_string(wsum), kWait) +
                          right(std::to_string(rsum), static_cast<size_t>(run_w)), w, row);
            continue;
        }
        const HostView& hv = m.hosts[static_cast<size_t>(line.host)];
        const QueueRow& qr = rows_of[static_cast<size_t>(line.row)];
        const engine::QueueState* q = qr.state(m);
        std::string name = qr.name(m);
        if (sel) put(y, 1, "", w, row);
        int indent = line.compact ? 1 : 2;  // under its host heading in the tree
        // No queue reported: the dim ○ of a queue without a runner.
        Role symbol_role = q ? runner_role(q->state) : Role::Dim;
        put(y, 1, std::string(static_cast<size_t>(indent), ' ') + runner_symbol(q ? q->state : ""), indent + 1,
            sel ? row : Theme::attr(symbol_role));
        int label_w = name_w - 1 - indent;
        std::string label = " " + sanitize(name);
        if (line.compact) {
            // Short of room, a host with only its implicit queue shows its name.
            label = " " + hv.name + "/" + sanitize(name);
            if (display_width(label) > label_w)
                label = " " + (q ? compact_label(hv.name, sanitize(name), label_w - 1) : hv.name);
        }
        put(y, 2 + indent, label, label_w, sel ? row : Theme::attr(q ? Role::Normal : Role::Dim));
        // Held jobs count as waiting; where there is room the label says how many.
        if (q && q->held > 0) {
            std::string held = " " + std::to_string(q->held) + " held";
            int used = display_width(label);
            if (used + display_width(held) <= label_w)
                put(y, 2 + indent + used, held, label_w - used, sel ? row : Theme::attr(Role::Dim));
        }
        int64_t waiting = q ? q->waiting + q->held : hv.waiting;
        std::string run = q ? std::to_string(q->running) + "/" + std::to_string(q->slots) : std::to_string(hv.running);
        bool busy = q ? q->running > 0 : hv.running > 0;
        put(y, 1 + name_w, right(std::to_string(waiting), kWait), kWait, row);
        put(y, 1 + name_w + kWait, right(run, static_cast<size_t>(run_w)), run_w,
            sel ? row : Theme::attr(busy ? Role::RunnerActive : Role::Normal));
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
    return line.row >= 0 ? line.row : first_queue_row(m, line.host);  // a heading selects its host's first queue
}

}  // namespace tui
