#include "config.h"

#include "tui/help.h"

#include <curses.h>

#include <algorithm>

#include "tui/text.h"

namespace tui {

namespace {

constexpr int kKeysWidth = 18;

std::string where(unsigned contexts) {
    if ((contexts & Everywhere) == Everywhere) return "";
    std::vector<std::string> panes;
    if (contexts & InHosts) panes.emplace_back("Hosts");
    if (contexts & InQueues) panes.emplace_back("Queues");
    if (contexts & InJobs) panes.emplace_back("Jobs");
    if (contexts & InDetail) panes.emplace_back("detail");
    std::string s = " [";
    for (size_t i = 0; i < panes.size(); ++i) s += (i ? ", " : "") + panes[i];
    return s + "]";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> help_lines(int width) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string section;
    int text_w = std::max(20, width - kKeysWidth - 1);
    for (const Binding& b : bindings()) {
        if (section != b.section) {
            if (!section.empty()) out.emplace_back("", " ");
            section = b.section;
            out.emplace_back(section, "");
        }
        auto lines = wrap(std::string(b.help) + where(b.contexts), text_w);
        for (size_t i = 0; i < lines.size(); ++i) out.emplace_back(i == 0 ? b.names : "", lines[i]);
    }
    out.emplace_back("", " ");
    out.emplace_back("", "Mouse clicks select panes and rows when rj runs with --mouse (or mouse = true).");
    for (const auto& line : wrap("Jobs with a progress pattern (progress = ... in the config, or run --progress; RE2 syntax, see "
                                 "PATTERNS in the man page) show a "
                                 "PROGRESS bar with the time left; a running job whose log has been quiet for "
                                 "stall_after reads \"stalled\". With a GPU host selected in the Hosts pane, the detail "
                                 "pane shows its GPUs: use, memory, temperature and the rj jobs on each.",
                                 text_w))
        out.emplace_back("", line);
    return out;
}

bool HelpScreen::handle(Key key) {
    mark();
    int page = std::max(1, rows() - 4);
    if (key.fn) {
        switch (key.code) {
            case KEY_DOWN: ++scroll_; return false;
            case KEY_UP: --scroll_; return false;
            case KEY_NPAGE: scroll_ += page; return false;
            case KEY_PPAGE: scroll_ -= page; return false;
            case KEY_HOME: scroll_ = 0; return false;
            case KEY_END: scroll_ = 1 << 20; return false;
            default: return true;
        }
    }
    switch (key.code) {
        case 'j': ++scroll_; return false;
        case 'k': --scroll_; return false;
        case ' ': scroll_ += page; return false;
        default: return true;
    }
}

void HelpScreen::draw(const Model&) {
    WINDOW* w = win();
    wbkgdset(w, ' ' | Theme::attr(Role::Dialog));
    werase(w);
    frame("rj help — keys", true);
    auto lines = help_lines(cols() - 4);
    int h = rows() - 3;
    scroll_ = std::clamp(scroll_, 0, std::max(0, static_cast<int>(lines.size()) - h));
    for (int r = 0; r < h && scroll_ + r < static_cast<int>(lines.size()); ++r) {
        const auto& [keys, text] = lines[static_cast<size_t>(scroll_ + r)];
        if (text.empty()) {
            put(1 + r, 2, keys, cols() - 4, Role::Title);
            continue;
        }
        put(1 + r, 2, keys, kKeysWidth, Role::HelpKey);
        put(1 + r, 2 + kKeysWidth + 1, text, cols() - 5 - kKeysWidth, Role::Normal);
    }
    std::string foot = static_cast<int>(lines.size()) > h ? "Up/Down/PgDn scroll — any other key closes"
                                                          : "any key closes";
    put(rows() - 2, 2, foot, cols() - 4, Role::Dim);
}

}  // namespace tui
