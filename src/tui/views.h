// What the parts of the interface that do not draw (the host controller, the
// actions) tell the one that does: which part of the model changed. Rendering
// implements it; a test can count the marks instead. No curses here, so the
// controller stays testable without a terminal.
#pragma once

namespace tui {

// One per pane the model feeds.
enum class View { Header, Hosts, Queues, Jobs, Detail, Message, Bar };

class Views {
public:
    virtual ~Views() = default;
    // `view` shows something that changed: draw it again in this loop iteration.
    virtual void mark(View view) = 0;
    // Everything: focus moved, an overlay closed.
    virtual void mark_all() = 0;
    // The number of host meter lines changed: the layout follows (no-op while
    // the screen is off).
    virtual void relayout() = 0;
    // The terminal bell (a job ended and the config asks for it).
    virtual void bell() = 0;
};

}  // namespace tui
