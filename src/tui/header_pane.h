// The header: one meter line per host, htop style — CPU (load per core),
// memory, GPU utilisation and GPU memory as bars, the host's state, and a
// sparkline of recent load or GPU use.
#pragma once

#include "tui/pane.h"

namespace tui {

struct HostView;

class HeaderPane : public Pane {
protected:
    void draw(const Model& m) override;

private:
    void draw_host(int y, const HostView& h, int64_t now);
    // "CPU[|||||    35%]" in `width` columns; returns the columns used.
    int draw_bar(int y, int x, int width, const char* label, double fraction, const std::string& text, Role role);
    void draw_spark(int y, int x, int width, const HostView& h);
};

}  // namespace tui
