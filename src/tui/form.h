// A small modal form: labelled one-line text fields and yes/no toggles, with
// inline errors under each field and completion from a list of candidates.
// The app routes keys to it (widgets never read input themselves).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tui/keymap.h"
#include "tui/pane.h"

namespace tui {

struct Field {
    enum class Kind { Text, Toggle };
    std::string label;
    std::string value;  // UTF-8; for a toggle "yes" or ""
    Kind kind = Kind::Text;
    std::string hint;   // shown dim under the field when there is no error
    std::string error;  // shown under the field
    std::vector<std::string> candidates;  // Tab completes from these
    size_t cursor = 0;  // byte offset in value
    size_t scroll = 0;  // first byte shown

    bool on() const { return !value.empty(); }
};

class Form : public Pane {
public:
    enum class Result { None, Submit, Cancel };

    // `submit_word`: what Enter does, for the footer and the function bar ("start", "move").
    Form(std::string title, std::vector<Field> fields, std::string submit_word = "start");

    Result handle(Key key);
    std::vector<Field>& fields() { return fields_; }
    Field& field(size_t i) { return fields_[i]; }
    size_t current() const { return current_; }
    void focus(size_t i);
    // A message for the whole form (e.g. the engine refused the request).
    void set_error(std::string e) {
        error_ = std::move(e);
        mark();
    }
    // "Start" for the function bar.
    std::string submit_label() const;
    // Where the terminal cursor goes (screen coordinates).
    std::pair<int, int> cursor_position() const;
    // The size the form wants for a terminal of rows x cols.
    Rect placement(int rows, int cols) const;

protected:
    void draw(const Model& m) override;

private:
    void edit(Key key);
    bool complete();
    std::vector<std::string> matches(const Field& f) const;
    int field_width() const;

    std::string title_;
    std::vector<Field> fields_;
    std::string submit_word_;
    size_t current_ = 0;
    std::string error_;
    mutable int cursor_y_ = 0, cursor_x_ = 0;
};

}  // namespace tui
