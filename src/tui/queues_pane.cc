#include "config.h"

#include "tui/queues_pane.h"

#include "tui/hosts_pane.h"
#include "tui/model.h"
#include "tui/text.h"

namespace tui {

void QueuesPane::draw(const Model& m) {
    bool focused = m.focus == Focus::Queues;
    frame("Queues", focused);
    int h = rows() - 3, w = cols() - 2;
    if (h < 0) return;
    constexpr int kNum = 5;
    int name_w = w - 2 * kNum;
    auto num = [](int64_t n) {
        std::string s = std::to_string(n);
        return std::string(s.size() < kNum - 1 ? kNum - 1 - s.size() : 0, ' ') + s + " ";
    };
    put(1, 1, fit(" QUEUE", name_w) + " WAIT  RUN ", w, Role::ColumnHeader);
    int count = static_cast<int>(m.hosts.size()) + 1;
    int top = list_top(m.queue_cursor, count, h);
    for (int r = 0; r < h && top + r < count; ++r) {
        int i = top + r;
        bool sel = i == m.queue_cursor;
        attr_t row = Theme::attr(sel ? (focused ? Role::Selected : Role::SelectedUnfocus) : Role::Normal);
        int y = 2 + r;
        if (i == 0) {
            int64_t wsum = 0, rsum = 0;
            for (const auto& hv : m.hosts) {
                wsum += hv.waiting;
                rsum += hv.running;
            }
            put(y, 1, fit(" All queues", name_w) + num(wsum) + num(rsum), w, row);
            continue;
        }
        const HostView& hv = m.hosts[static_cast<size_t>(i - 1)];
        if (sel) put(y, 1, "", w, row);
        // No runner yet: ○. (▶ running and ■ stopped come with queues.)
        put(y, 1, std::string(" ") + glyph("○", "o"), 2, sel ? row : Theme::attr(Role::Dim));
        put(y, 3, " " + hv.name + "/default", name_w - 2, row);
        put(y, 1 + name_w, num(hv.waiting), kNum, row);
        put(y, 1 + name_w + kNum, num(hv.running), kNum,
            sel ? row : Theme::attr(hv.running > 0 ? Role::RunnerActive : Role::Normal));
    }
}

int QueuesPane::row_at(int y, const Model& m) const {
    int h = rows() - 3;
    int count = static_cast<int>(m.hosts.size()) + 1;
    int r = y - rect().y - 2;
    if (r < 0 || r >= h) return -1;
    int i = list_top(m.queue_cursor, count, h) + r;
    return i < count ? i : -1;
}

}  // namespace tui
