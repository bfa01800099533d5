// What opens over the panes: dialogs (the first one answers keys; an answer
// may queue another behind it), the help screen and one form. The input part
// routes keys to them and closes them; the screen places and draws them.
#pragma once

#include <deque>
#include <functional>
#include <memory>

#include "tui/dialog.h"
#include "tui/form.h"
#include "tui/help.h"

namespace tui {

struct Overlays {
    std::deque<std::unique_ptr<Dialog>> dialogs;
    std::unique_ptr<HelpScreen> help;
    std::unique_ptr<Form> form;
    std::function<void()> form_submit;  // what Enter in the open form does

    // Every overlay, bottom to top (the order they are drawn in).
    template <class F>
    void each(F&& f) {
        if (help) f(static_cast<Pane&>(*help));
        if (form) f(static_cast<Pane&>(*form));
        for (auto& d : dialogs) f(static_cast<Pane&>(*d));
    }
};

}  // namespace tui
