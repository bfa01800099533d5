// The help screen (? or F1): every binding of the keymap table, by section,
// with the panes it works in. Generated, never written by hand.
#pragma once

#include <string>
#include <vector>

#include "tui/keymap.h"
#include "tui/pane.h"

namespace tui {

// The help text as lines for `width` columns: each is (keys, text) where
// keys is empty on continuation lines and section headings have text "".
std::vector<std::pair<std::string, std::string>> help_lines(int width);

class HelpScreen : public Pane {
public:
    // True when the key closes the help.
    bool handle(Key key);

protected:
    void draw(const Model& m) override;

private:
    int scroll_ = 0;
};

}  // namespace tui
