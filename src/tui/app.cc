#include "config.h"

#include "tui/app.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <clocale>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "engine/engine.h"
#include "event/loop.h"
#include "tui/ui.h"
#include "util/error.h"
#include "util/terminal_text.h"

namespace po = boost::program_options;

namespace tui {

namespace {

struct Args {
    bool mouse = false;
    std::string ssh_config, config;
    bool accept_new_host_keys = false;
    bool help = false;
};

po::options_description describe(Args& a) {
    po::options_description d("Options");
    d.add_options()
        ("mouse", po::bool_switch(&a.mouse), "click to select panes and rows (off by default, so the terminal's "
                                             "own selection works; config: mouse = true)")
        ("ssh-config,F", po::value<std::string>(&a.ssh_config)->value_name("FILE"),
         "ssh config file, read alone as ssh -F does (default: $RJ_SSH_CONFIG, else ~/.ssh/config then /etc/ssh/ssh_config)")
        ("config", po::value<std::string>(&a.config)->value_name("FILE"),
         "rj config file (default: $RJ_CONFIG or ~/.config/rj/config)")
        ("accept-new-host-keys", po::bool_switch(&a.accept_new_host_keys),
         "trust and record host keys seen for the first time without asking")
        ("help,h", po::bool_switch(&a.help), "show this help");
    return d;
}

bool env_flag(const char* name) {
    const char* v = std::getenv(name);
    return v && *v && std::string(v) != "0";
}

}  // namespace

std::string usage() {
    Args a;
    std::ostringstream s;
    s << "usage: rj [OPTIONS]             full-screen interface (press ? inside for the keys)\n"
         "       rj -b COMMAND [ARGS]     batch mode (rj -b help)\n\n"
      << describe(a);
    return s.str();
}

int run_ui(const std::vector<std::string>& args) {
    Args a;
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(args).options(describe(a)).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "rj: " << e.what() << "\n    run 'rj --help' for the options\n";
        return 2;
    }
    if (a.help) {
        std::cout << usage();
        return 0;
    }
    std::setlocale(LC_ALL, "");
    if (!isatty(0) || !isatty(1)) {
        std::cerr << "rj: the full-screen interface needs a terminal\n"
                     "    use the batch mode from scripts: rj -b help\n";
        return 2;
    }
    try {
        engine::EngineOptions eo = engine::default_options();
        if (!a.ssh_config.empty()) {
            eo.ssh_config_path = a.ssh_config;
            eo.ssh_system_config_path.clear();  // as ssh -F: that file alone
        }
        if (!a.config.empty()) eo.config_path = a.config;
        eo.accept_new_host_keys = a.accept_new_host_keys;
        // Another rj writing (cron's sync, a batch run) must not freeze the
        // screen: a write waits at most this long, then the UI tries again.
        eo.db_busy_timeout_ms = kUiDbBusyTimeoutMs;
        event::Loop loop;
        engine::Engine engine(loop, eo);
        engine.open_database();  // now: a broken database is reported before the screen starts
        UiOptions uo;
        uo.mouse = a.mouse || engine.config().mouse;
        uo.color = engine.config().color;
        uo.exit_after_first_frame = env_flag("RJ_EXIT_AFTER_FIRST_FRAME");
        int status;
        {
            Ui ui(engine, uo);
            status = ui.run();
        }
        for (const auto& w : engine.config().warnings) std::cerr << "rj: warning: " << w << "\n";
        return status;
    } catch (const util::Error& e) {
        // The Ui is gone by now: the terminal is restored before we print.
        std::cerr << "rj: " << util::visible(e.what()) << "\n";
        if (!e.hint().empty()) std::cerr << "    " << util::visible(e.hint()) << "\n";
        return e.exit_status();
    } catch (const std::exception& e) {
        std::cerr << "rj: internal error: " << util::visible(e.what()) << "\n"
                  << "    please report it with what you were doing; your jobs keep running on their hosts\n";
        return 1;
    }
}

}  // namespace tui
