#include "config.h"

#include "tui/hosts_pane.h"

#include <algorithm>

#include "tui/model.h"
#include "tui/text.h"

namespace tui {

int list_top(int cursor, int count, int height) {
    if (height <= 0 || count <= height || cursor < height) return 0;
    return std::min(cursor - height + 1, count - height);
}

namespace {

Role state_role(HostView::State s) {
    switch (s) {
        case HostView::State::Online: return Role::HostOnline;
        case HostView::State::Offline: return Role::HostOffline;
        case HostView::State::Error: return Role::HostError;
        default: return Role::HostConnecting;
    }
}

const char* state_symbol(HostView::State s) {
    switch (s) {
        case HostView::State::Online: return glyph("●", "*");
        case HostView::State::Offline: return glyph("○", "-");
        case HostView::State::Error: return glyph("✗", "x");
        default: return glyph("◌", "o");
    }
}

}  // namespace

void HostsPane::draw(const Model& m) {
    bool focused = m.focus == Focus::Hosts;
    frame("Hosts", focused);
    int h = rows() - 2, w = cols() - 2;
    int count = static_cast<int>(m.hosts.size()) + 1;
    int top = list_top(m.host_cursor, count, h);
    for (int r = 0; r < h && top + r < count; ++r) {
        int i = top + r;
        bool sel = i == m.host_cursor;
        attr_t row_role = Theme::attr(sel ? (focused ? Role::Selected : Role::SelectedUnfocus) : Role::Normal);
        if (i == 0) {
            put(1 + r, 1, " All hosts", w, row_role);
            continue;
        }
        const HostView& hv = m.hosts[static_cast<size_t>(i - 1)];
        std::string state = hv.state == HostView::State::Online ? "" : state_text(hv.state);
        int sw = state.empty() ? 0 : std::min(display_width(state), std::max(0, w - 10));
        if (sel) put(1 + r, 1, "", w, row_role);  // the whole row highlighted
        put(1 + r, 1, std::string(" ") + state_symbol(hv.state), 2, sel ? row_role : Theme::attr(state_role(hv.state)));
        put(1 + r, 3, " " + hv.name, w - 2 - sw, sel ? row_role : Theme::attr(hv.state == HostView::State::Offline ? Role::HostOffline : Role::Normal));
        // The description, dimmed, in what room the name and state leave;
        // a SLURM cluster first says so: its partitions and the user's jobs.
        int used = 4 + display_width(hv.name);
        std::string note = hv.description;
        if (hv.slurm) {
            std::string parts;
            for (const auto& q : hv.queues) parts += (parts.empty() ? "" : ",") + q.name;
            // The counts first: the pane is narrow, and they change.
            note = "SLURM " + std::to_string(hv.slurm_running) + "R " + std::to_string(hv.slurm_pending) + "PD " + parts +
                   (note.empty() ? "" : " " + note);
        }
        if (!note.empty() && w - sw - used > 4)
            put(1 + r, 1 + used, " " + sanitize(note), w - sw - used, sel ? row_role : Theme::attr(Role::Dim));
        if (sw > 0) put(1 + r, 1 + w - sw, state, sw, sel ? row_role : Theme::attr(state_role(hv.state)));
    }
}

int HostsPane::row_at(int y, const Model& m) const {
    int h = rows() - 2;
    int count = static_cast<int>(m.hosts.size()) + 1;
    int r = y - rect().y - 1;
    if (r < 0 || r >= h) return -1;
    int i = list_top(m.host_cursor, count, h) + r;
    return i < count ? i : -1;
}

}  // namespace tui
