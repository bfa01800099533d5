// A modal question or notice over the panes: kill confirmation, prune list,
// unknown host keys. Answers come back through `done` from the app's key
// routing; a long text (prune's list) scrolls.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tui/keymap.h"
#include "tui/pane.h"

namespace tui {

class Dialog : public Pane {
public:
    enum class Kind { YesNo, Notice };

    Dialog(std::string title, std::vector<std::string> lines, Kind kind, std::function<void(bool)> done);

    // True when the dialog is finished (done has been called).
    bool handle(Key key);
    // Called when the dialog is dropped unanswered (the app quits): answers no.
    void abandon();
    Rect placement(int rows, int cols) const;

protected:
    void draw(const Model& m) override;

private:
    void finish(bool yes);
    std::string title_;
    std::vector<std::string> lines_;
    Kind kind_;
    std::function<void(bool)> done_;
    int scroll_ = 0;
};

}  // namespace tui
