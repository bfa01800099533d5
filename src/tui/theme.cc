#include "config.h"

#include "tui/theme.h"

#include <array>
#include <cstdlib>

namespace tui {

namespace {

struct Style {
    short fg, bg;     // -1: the terminal's default
    attr_t colour;    // extra attributes in the colour scheme
    attr_t mono;      // attributes in the monochrome scheme
};

// One row per Role, in enum order.
constexpr std::array<Style, static_cast<size_t>(Role::Count_)> kScheme = {{
    {-1, -1, A_NORMAL, A_NORMAL},               // Normal
    {COLOR_BLACK, -1, A_BOLD, A_DIM},           // Dim (bold black = grey)
    {COLOR_CYAN, -1, A_BOLD, A_BOLD},           // Title
    {COLOR_BLUE, -1, A_NORMAL, A_NORMAL},       // Border
    {COLOR_CYAN, -1, A_BOLD, A_BOLD},           // BorderFocus
    {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},  // Selected
    {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_UNDERLINE},  // SelectedUnfocus
    {COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE},   // ColumnHeader
    {COLOR_CYAN, -1, A_BOLD, A_BOLD},           // HostName
    {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},      // MeterCpu
    {COLOR_YELLOW, -1, A_NORMAL, A_NORMAL},     // MeterMem
    {COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL},    // MeterGpu
    {COLOR_BLUE, -1, A_BOLD, A_NORMAL},         // MeterGpuMem
    {-1, -1, A_BOLD, A_BOLD},                   // MeterFrame
    {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},       // Spark
    {COLOR_GREEN, -1, A_BOLD, A_BOLD},          // HostOnline
    {COLOR_YELLOW, -1, A_NORMAL, A_NORMAL},     // HostConnecting
    {COLOR_BLACK, -1, A_BOLD, A_DIM},           // HostOffline
    {COLOR_RED, -1, A_BOLD, A_BOLD},            // HostError
    {COLOR_BLUE, -1, A_BOLD, A_DIM},            // JobPending
    {COLOR_YELLOW, -1, A_NORMAL, A_NORMAL},     // JobStarting
    {COLOR_GREEN, -1, A_BOLD, A_BOLD},          // JobRunning
    {-1, -1, A_NORMAL, A_NORMAL},               // JobCompleted
    {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},  // JobFailed
    {COLOR_MAGENTA, -1, A_NORMAL, A_UNDERLINE}, // JobKilled
    {COLOR_RED, -1, A_NORMAL, A_UNDERLINE},     // JobTimeout
    {COLOR_BLACK, -1, A_BOLD, A_DIM | A_UNDERLINE},  // JobDead
    {COLOR_GREEN, -1, A_BOLD, A_BOLD},          // RunnerActive
    {-1, -1, A_BOLD, A_BOLD},                   // FKey
    {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},  // FLabel
    {-1, -1, A_NORMAL, A_NORMAL},               // Message
    {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},       // Progress
    {COLOR_RED, -1, A_BOLD, A_BOLD},            // Error
    {-1, -1, A_UNDERLINE, A_UNDERLINE},         // Input
    {COLOR_CYAN, -1, A_BOLD, A_BOLD},           // Label
    {COLOR_CYAN, -1, A_BOLD, A_BOLD},           // HelpKey
    {-1, -1, A_NORMAL, A_NORMAL},               // Dialog
}};

bool g_colour = false;

}  // namespace

bool no_color_requested() {
    const char* nc = std::getenv("NO_COLOR");
    return nc && *nc;
}

void Theme::setup(const std::string& setting) {
    // An explicit `color = always` in the config outranks NO_COLOR (as no-color.org allows).
    g_colour = has_colors() && (setting == "always" || (setting != "never" && !no_color_requested()));
    if (!g_colour) return;
    start_color();
    use_default_colors();
    for (size_t i = 0; i < kScheme.size(); ++i)
        init_pair(static_cast<short>(i + 1), kScheme[i].fg, kScheme[i].bg);
}

attr_t Theme::attr(Role role) {
    const Style& s = kScheme[static_cast<size_t>(role)];
    if (!g_colour) return s.mono;
    return static_cast<attr_t>(COLOR_PAIR(static_cast<int>(role) + 1)) | s.colour;
}

}  // namespace tui
