// Colour roles (after htop's CRT.h): code names what a thing is, the scheme
// decides how it looks. Two schemes: colour, and monochrome attributes for
// NO_COLOR, `color = never` and terminals without colours.
#pragma once

#include <curses.h>

#include <string>

namespace tui {

enum class Role {
    Normal,
    Dim,
    Title,
    Border,
    BorderFocus,
    Selected,         // cursor row in the focused pane
    SelectedUnfocus,  // cursor row in another pane
    ColumnHeader,
    HostName,
    MeterCpu,
    MeterMem,
    MeterGpu,
    MeterGpuMem,
    MeterFrame,
    Spark,
    HostOnline,
    HostConnecting,
    HostOffline,
    HostError,
    JobPending,
    JobStarting,
    JobRunning,
    JobCompleted,
    JobFailed,
    JobKilled,
    JobTimeout,
    JobDead,
    RunnerActive,
    FKey,
    FLabel,
    Message,
    Progress,
    Error,
    Input,
    Label,
    HelpKey,
    Dialog,
    Count_
};

class Theme {
public:
    // Picks the scheme: `setting` is the config's color (auto, always, never);
    // NO_COLOR in the environment or a terminal without colours means monochrome.
    // Call after initscr.
    static void setup(const std::string& setting);
    static attr_t attr(Role role);
};

// Whether NO_COLOR asks for no colour (set and non-empty, per no-color.org).
bool no_color_requested();

}  // namespace tui
