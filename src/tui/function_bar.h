// The bottom line: the keys that work in the focused pane, generated from the
// keymap (or the keys of the open form or dialog), htop style "F1Help".
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tui/keymap.h"
#include "tui/pane.h"

namespace tui {

using KeyHints = std::vector<std::pair<std::string, std::string>>;

// The hints for the pane in `context`, in keymap order.
KeyHints hints_for(Context context);

class FunctionBar : public Pane {
public:
    // Shown instead of the pane's keys while a form, dialog or help is open.
    void set_override(KeyHints hints) {
        override_ = std::move(hints);
        mark();
    }

protected:
    void draw(const Model& m) override;

private:
    KeyHints override_;
};

// The message line above it: the search prompt, progress, or the last message.
class MessageLine : public Pane {
protected:
    void draw(const Model& m) override;
};

Context context_of(int focus);

}  // namespace tui
