// The interface's own options, judged by what the terminal receives (issue
// 29, item 6): NO_COLOR and the `color` setting (colour escapes on the
// screen or not), --mouse and `mouse = on` (whether rj turned mouse
// reporting on in the terminal), and --config / -F FILE read instead of the
// default files.
#include "config.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "harness/test_hosts.h"
#include "tui/tui_session.h"

using testing_support::TestHosts;
using testing_support::TuiSession;

namespace {

const char* kFastConfig = "sync_interval = 1s\nlog_interval = 1s\nmeter_interval = 2s\n";

// Colour escapes (SGR 30-38, 40-48, 90-97, 100-107) as tmux's capture-pane -e writes them.
int colour_escapes(const std::string& screen) {
    static const std::regex sgr("\x1b\\[([0-9;]*)m");
    static const std::regex colour_param("(^|;)(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;|$)");
    int n = 0;
    for (std::sregex_iterator it(screen.begin(), screen.end(), sgr), end; it != end; ++it)
        if (std::regex_search((*it)[1].str(), colour_param)) ++n;
    return n;
}

// Starts the UI, waits for its function bar, returns the colour escapes on
// its screen, quits it with q and requires exit status 0.
int colours_of(const TestHosts& hosts, const std::string& args, const std::string& env) {
    TuiSession ui(hosts, args, 100, 30, env);
    INFO("rj " << args << " with " << env << "\n" << ui.last_screen());
    REQUIRE(ui.wait_for("F10Quit"));
    REQUIRE(ui.wait_for("Jobs 0"));
    int n = colour_escapes(ui.screen_with_attributes());
    ui.keys("q");
    REQUIRE(ui.wait_until([&](const std::string&) { return ui.exit_status() >= 0; }));
    CHECK(ui.exit_status() == 0);
    return n;
}

// Whether rj asked the terminal for mouse reports (any of the xterm modes).
bool mouse_reporting(const TuiSession& ui) {
    std::string flags = ui.pane_format("#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}");
    return flags.find('1') != std::string::npos;
}

}  // namespace

TEST_CASE("NO_COLOR turns the colours off, color = always outranks it, color = never and --config FILE turn them off",
          "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    CHECK(colours_of(hosts, "", "") > 0);
    CHECK(colours_of(hosts, "", "NO_COLOR=1") == 0);
    testing_support::write_rj_config(hosts, std::string(kFastConfig) + "color = always\n");
    CHECK(colours_of(hosts, "", "NO_COLOR=1") > 0);
    testing_support::write_rj_config(hosts, std::string(kFastConfig) + "color = never\n");
    CHECK(colours_of(hosts, "", "") == 0);
    // --config FILE is read instead of ~/.config/rj/config (which says never here).
    std::string other = hosts.dir() + "/colourful.config";
    std::ofstream(other) << kFastConfig << "color = always\n";
    CHECK(colours_of(hosts, "--config " + other, "") > 0);
}

TEST_CASE("mouse: --mouse and mouse = on turn on the terminal's mouse reporting; by default rj leaves it off", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    struct Case {
        std::string args, config;
        bool want;
    };
    for (const Case& c : {Case{"", "", false}, Case{"--mouse", "", true}, Case{"", "mouse = on\n", true}}) {
        testing_support::write_rj_config(hosts, kFastConfig + c.config);
        TuiSession ui(hosts, c.args);
        INFO("rj " << c.args << " with config " << c.config << "\n" << ui.last_screen());
        REQUIRE(ui.wait_for("F10Quit"));
        CHECK(mouse_reporting(ui) == c.want);
        ui.keys("q");
        REQUIRE(ui.wait_until([&](const std::string&) { return ui.exit_status() >= 0; }));
        CHECK(ui.exit_status() == 0);
    }
}

TEST_CASE("ssh config: -F FILE, the interface lists the hosts of that ssh config, not of $RJ_SSH_CONFIG", "[tui]") {
    TestHosts hosts({"alpha"});
    testing_support::write_rj_config(hosts, kFastConfig);
    std::ifstream in(hosts.ssh_config());
    std::stringstream cfg;
    cfg << in.rdbuf();
    std::string renamed = std::regex_replace(cfg.str(), std::regex("(^|\n)Host alpha\n"), "$1Host zeta\n");
    REQUIRE(renamed != cfg.str());
    std::string other = hosts.dir() + "/other_ssh_config";
    std::ofstream(other) << renamed;
    for (const std::string flag : {"-F", "--ssh-config"}) {
        TuiSession ui(hosts, flag + " " + other);
        INFO(flag << "\n" << ui.last_screen());
        REQUIRE(ui.wait_for("F10Quit"));
        // zeta answers (it is alpha's sshd): its meter line fills in.
        CHECK(ui.wait_until([](const std::string& s) { return s.rfind("zeta", 0) == 0 && s.find("CPU[") != std::string::npos; }));
        CHECK(ui.screen().find("alpha") == std::string::npos);
        ui.keys("q");
        REQUIRE(ui.wait_until([&](const std::string&) { return ui.exit_status() >= 0; }));
        CHECK(ui.exit_status() == 0);
    }
}
