#include "config.h"

#include "tui/function_bar.h"

#include "tui/model.h"
#include "tui/text.h"

namespace tui {

Context context_of(int focus) {
    switch (static_cast<Focus>(focus)) {
        case Focus::Hosts: return InHosts;
        case Focus::Queues: return InQueues;
        case Focus::Jobs: return InJobs;
        case Focus::Detail: return InDetail;
    }
    return InJobs;
}

KeyHints hints_for(Context context) {
    // Most useful first: a narrow terminal cuts from the end (Quit always stays).
    static const Action kOrder[] = {Action::Help, Action::New, Action::Details, Action::QueueStart,
                                    Action::QueueStop, Action::Log, Action::Kill, Action::Restart,
                                    Action::EditRestart, Action::Sync, Action::Filter, Action::Search,
                                    Action::StartNow, Action::HoldToggle, Action::Move, Action::Attach,
                                    Action::Forget, Action::Prune, Action::NextPane, Action::Quit};
    KeyHints out;
    for (Action a : kOrder) {
        for (const Binding& b : bindings()) {
            if (b.action != a || !*b.label || !(b.contexts & context)) continue;
            auto names = key_names(b);
            // Prefer the function key where there is one: that is what the bar is for.
            std::string key = names.front();
            for (const auto& n : names)
                if (n.size() >= 2 && n[0] == 'F' && n[1] >= '0' && n[1] <= '9') key = n;
            out.emplace_back(key, b.label);
            break;
        }
    }
    return out;
}

void FunctionBar::draw(const Model& m) {
    KeyHints hints = override_.empty() ? hints_for(context_of(static_cast<int>(m.focus))) : override_;
    auto width = [](const std::pair<std::string, std::string>& h) {
        return display_width(h.first) + display_width(h.second) + 1;
    };
    // The last hint (Quit) is kept whatever the width; the others fill what is left.
    int reserve = hints.empty() ? 0 : width(hints.back());
    int x = 0;
    auto draw_hint = [&](const std::pair<std::string, std::string>& h) {
        put(0, x, h.first, display_width(h.first), Role::FKey);
        x += display_width(h.first);
        put(0, x, h.second + " ", display_width(h.second) + 1, Role::FLabel);
        x += display_width(h.second) + 1;
    };
    for (size_t i = 0; i + 1 < hints.size(); ++i) {
        if (x + width(hints[i]) + reserve > cols()) break;
        draw_hint(hints[i]);
    }
    if (!hints.empty() && x + reserve <= cols()) draw_hint(hints.back());
    if (x < cols()) put(0, x, "", cols() - x, Role::FLabel);
}

void MessageLine::draw(const Model& m) {
    if (m.search_editing) {
        put(0, 0, "Search: " + sanitize(m.search), cols(), Role::Input);
        return;
    }
    std::string text;
    int x = 0;
    if (!m.progress.empty()) {
        std::string p = sanitize(m.progress);
        int pw = std::min(display_width(p) + 2, cols());
        put(0, 0, p, pw, Role::Progress);
        x = pw;
    }
    put(0, x, sanitize(m.message), cols() - x, m.message_is_error ? Role::Error : Role::Message);
}

}  // namespace tui
