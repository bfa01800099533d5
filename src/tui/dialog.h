// A modal question or notice over the panes: kill confirmation, prune list,
// unknown host keys, a key's passphrase. Answers come back through `done`
// from the app's key routing, so the loop runs on while a dialog is open; a
// long text (prune's list) scrolls.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tui/function_bar.h"
#include "tui/keymap.h"
#include "tui/pane.h"

namespace tui {

class Dialog : public Pane {
public:
    enum class Kind { YesNo, Notice, Secret };

    Dialog(std::string title, std::vector<std::string> lines, Kind kind, std::function<void(bool)> done);
    // Kind::Secret: one line of typed text, shown as '*'. Enter answers it,
    // Esc answers nullopt.
    Dialog(std::string title, std::vector<std::string> lines, std::function<void(std::optional<std::string>)> done);

    // True when the dialog is finished (done has been called).
    bool handle(Key key);
    // Called when the dialog is dropped unanswered (the app quits): answers no.
    void abandon();
    Rect placement(int rows, int cols) const;
    // What the function bar shows while this dialog is in front.
    KeyHints key_hints() const;

protected:
    void draw(const Model& m) override;

private:
    void finish(bool yes);
    bool handle_secret(Key key);
    std::string title_;
    std::vector<std::string> lines_;
    Kind kind_;
    std::function<void(bool)> done_;
    int scroll_ = 0;
    std::string secret_;  // Kind::Secret: what has been typed
};

}  // namespace tui
