// A rectangle of the screen with its own curses window. Panes draw the model
// when marked dirty; the app then calls wnoutrefresh for each and one doupdate.
#pragma once

#include <curses.h>

#include <string>
#include <string_view>

#include "tui/layout.h"
#include "tui/theme.h"

namespace tui {

struct Model;

class Pane {
public:
    Pane() = default;
    virtual ~Pane();
    Pane(const Pane&) = delete;
    Pane& operator=(const Pane&) = delete;

    // (Re)creates the window for a new layout and marks the pane dirty.
    void place(const Rect& r);
    const Rect& rect() const { return rect_; }
    WINDOW* win() const { return win_; }
    void mark() { dirty_ = true; }
    bool dirty() const { return dirty_; }
    // Draws if dirty (or `force`) and stages the window for the next doupdate.
    void render(const Model& m, bool force = false);

protected:
    virtual void draw(const Model& m) = 0;
    // A box with a title; the focused pane's border stands out.
    void frame(std::string_view title, bool focused);
    // Text cut/padded to `width` columns at (y, x) in `role`.
    void put(int y, int x, std::string_view text, int width, Role role) const;
    void put(int y, int x, std::string_view text, int width, attr_t attr) const;
    int rows() const { return rect_.h; }
    int cols() const { return rect_.w; }

private:
    Rect rect_;
    WINDOW* win_ = nullptr;
    bool dirty_ = true;
};

}  // namespace tui
