// The one table of key bindings. The help screen and the function-key bar are
// generated from it, and a test checks the man page's INTERACTIVE COMMANDS
// section against it, so the three can never drift apart.
#pragma once

#include <string>
#include <vector>

namespace tui {

// A key as get_wch() reports it: a character, or a KEY_* code (fn = true).
struct Key {
    int code = 0;
    bool fn = false;
    bool operator==(const Key&) const = default;
};

enum class Action {
    Down, Up, PageDown, PageUp, Home, End, NextPane, PrevPane,
    Search, Filter, Details, Log, Help, Quit, Suspend,
    New, Restart, EditRestart, Kill, Sync, Forget, Prune, Attach,
    QueueStart, QueueStop, StartNow, HoldToggle, Move, Plan,
};

// Where a binding works: the focused pane.
enum Context : unsigned {
    InHosts = 1,
    InQueues = 2,
    InJobs = 4,
    InDetail = 8,
    Everywhere = 15,
};

struct Binding {
    Action action;
    std::vector<Key> keys;
    const char* names;  // the keys as the help screen and the man page write them: "k, F9"
    const char* label;  // function-bar label ("" = not on the bar)
    unsigned contexts;
    const char* section;  // "Navigation" or "Actions"
    const char* help;
};

const std::vector<Binding>& bindings();

// The binding of `key` in the pane `context`, or nullptr.
const Binding* find_binding(Key key, Context context);

// "k, F9" -> {"k", "F9"}.
std::vector<std::string> key_names(const Binding& b);

}  // namespace tui
