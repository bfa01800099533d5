#include "config.h"

#include "tui/header_pane.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tui/host_view.h"
#include "tui/job_format.h"
#include "tui/model.h"
#include "tui/text.h"

namespace tui {

namespace {

constexpr int kNameWidth = 10;

std::string gib(int64_t kib) {
    char buf[32];
    double g = static_cast<double>(kib) / (1024.0 * 1024.0);
    std::snprintf(buf, sizeof buf, g >= 100 ? "%.0fG" : "%.1fG", g);
    return buf;
}

std::string percent(double f) { return std::to_string(static_cast<int>(std::lround(f * 100))) + "%"; }

}  // namespace

void HeaderPane::draw(const Model& m) {
    if (m.hosts.empty()) {
        put(0, 0, "No hosts yet: add Host blocks to ~/.ssh/config, or press n to start a job.", cols(), Role::Dim);
        return;
    }
    int lines = rows();
    int shown = std::min<int>(lines, static_cast<int>(m.hosts.size()));
    for (int i = 0; i < shown; ++i) draw_host(i, m.hosts[static_cast<size_t>(i)], m.now);
    int hidden = static_cast<int>(m.hosts.size()) - shown;
    if (hidden > 0) {
        std::string more = " +" + std::to_string(hidden) + " more ";
        put(lines - 1, cols() - display_width(more), more, display_width(more), Role::Title);
    }
}

void HeaderPane::draw_host(int y, const HostView& h, int64_t now) {
    using S = HostView::State;
    Role name_role = h.state == S::Online ? Role::HostName : h.state == S::Offline ? Role::HostOffline : Role::HostName;
    put(y, 0, h.name, kNameWidth, name_role);
    int x = kNameWidth + 1;
    int rest = cols() - x;
    if (rest <= 0) return;
    switch (h.state) {
        case S::Unknown:
        case S::Connecting:
            put(y, x, std::string(glyph("◌", "o")) + " connecting…", rest, Role::HostConnecting);
            return;
        case S::Offline: {
            std::string t = std::string(glyph("○", "-")) + " offline since " + short_time(h.offline_since, now);
            if (!h.error.empty()) t += " — " + sanitize(h.error);
            put(y, x, t, rest, Role::HostOffline);
            return;
        }
        case S::Error:
            put(y, x, std::string(glyph("✗", "x")) + " " + sanitize(h.error), rest, Role::HostError);
            return;
        case S::Online: break;
    }
    if (!h.have_info) {
        put(y, x, std::string(glyph("●", "*")) + " online", rest, Role::HostOnline);
        return;
    }
    bool gpus = !h.info.gpus.empty();
    int spark = std::min<int>(static_cast<int>(kHistory), std::max(0, rest / 7));
    int bars_w = rest - (spark > 0 ? spark + 1 : 0);
    int nbars = gpus ? 4 : 2;
    int bw = bars_w / nbars;
    char load[32];
    std::snprintf(load, sizeof load, "%.1f/%d", h.info.load1, h.info.cpus);
    int bx = x;
    bx += draw_bar(y, bx, bw, "CPU", h.cpu(), bw >= 24 ? std::string(load) : percent(std::max(0.0, h.cpu())),
                   Role::MeterCpu);
    std::string mem = gib(h.info.mem_total_kib - h.info.mem_available_kib) + "/" + gib(h.info.mem_total_kib);
    bx += draw_bar(y, bx, bw, "MEM", h.mem(), bw >= 22 ? mem : percent(std::max(0.0, h.mem())), Role::MeterMem);
    if (gpus) {
        std::string label = h.info.gpus.size() > 1 ? "GPU" + std::to_string(h.info.gpus.size()) : "GPU";
        bx += draw_bar(y, bx, bw, label.c_str(), h.gpu(), percent(std::max(0.0, h.gpu())), Role::MeterGpu);
        bx += draw_bar(y, bx, bw, "GMEM", h.gpu_mem(), percent(std::max(0.0, h.gpu_mem())), Role::MeterGpuMem);
    }
    if (spark > 0) draw_spark(y, x + bars_w + 1, spark, h);
}

int HeaderPane::draw_bar(int y, int x, int width, const char* label, double fraction, const std::string& text,
                         Role role) {
    int lw = static_cast<int>(std::string_view(label).size());
    int inner = width - lw - 3;  // label, '[', ']', one space after
    if (inner < 4) return 0;
    WINDOW* w = win();
    wattrset(w, Theme::attr(Role::MeterFrame));
    mvwaddstr(w, y, x, label);
    waddch(w, '[');
    int filled = fraction > 0 ? static_cast<int>(std::lround(fraction * inner)) : 0;
    int tw = std::min(inner, static_cast<int>(text.size()));
    for (int i = 0; i < inner; ++i) {
        int ti = i - (inner - tw);
        if (ti >= 0) {
            wattrset(w, Theme::attr(Role::Dim));
            waddch(w, static_cast<unsigned char>(text[static_cast<size_t>(ti)]));
        } else if (i < filled) {
            wattrset(w, Theme::attr(role));
            waddch(w, '|');
        } else {
            waddch(w, ' ');
        }
    }
    wattrset(w, Theme::attr(Role::MeterFrame));
    waddch(w, ']');
    wattrset(w, A_NORMAL);
    return width;
}

void HeaderPane::draw_spark(int y, int x, int width, const HostView& h) {
    // The stored history (a point a minute, kept across restarts) when there
    // is one; this run's probes otherwise. GPU boxes show their GPUs' use.
    std::vector<double> values;
    if (!h.probes.empty()) {
        for (const auto& p : h.probes) values.push_back(p.gpu >= 0 ? std::max(p.gpu, p.load) : p.load);
    } else {
        for (float v : h.history) values.push_back(v);
    }
    put(y, x, sparkline(values, width, utf8_locale()), width, Role::Spark);
}

}  // namespace tui
