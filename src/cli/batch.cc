#include "config.h"

#include "cli/batch.h"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/dropin.h"
#include "util/error.h"

namespace cli {

namespace {

// Passphrase prompt on the controlling terminal (batch mode with a tty).
// Batch mode has no screen to keep alive: it reads the terminal at once, as ssh does.
std::optional<std::string> ask_passphrase_on_tty(const std::string& key_path) {
    FILE* tty = std::fopen("/dev/tty", "r+");
    if (!tty) return std::nullopt;
    std::fprintf(tty, "Enter passphrase for key '%s': ", key_path.c_str());
    std::fflush(tty);
    termios old{}, noecho{};
    int fd = fileno(tty);
    tcgetattr(fd, &old);
    noecho = old;
    noecho.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSANOW, &noecho);
    char buf[1024];
    bool got = std::fgets(buf, sizeof buf, tty) != nullptr;
    tcsetattr(fd, TCSANOW, &old);
    std::fprintf(tty, "\n");
    std::fclose(tty);
    if (!got) return std::nullopt;
    std::string pass(buf);
    while (!pass.empty() && (pass.back() == '\n' || pass.back() == '\r')) pass.pop_back();
    return pass;
}

struct GlobalOptions {
    std::string ssh_config;
    std::string config;
    bool accept_new_host_keys = false;
};

void declare_globals(po::options_description& d, GlobalOptions& g) {
    d.add_options()
        ("ssh-config,F", po::value<std::string>(&g.ssh_config)->value_name("FILE"),
         "ssh config file, read alone as ssh -F does (default: $RJ_SSH_CONFIG, else ~/.ssh/config then /etc/ssh/ssh_config)")
        ("config", po::value<std::string>(&g.config)->value_name("FILE"),
         "rj config file (default: $RJ_CONFIG or ~/.config/rj/config)")
        // No target: a bool_switch writes its default (false) on notify, which
        // would undo the flag given before the command (run_batch ORs it in).
        ("accept-new-host-keys", po::bool_switch(),
         "trust and record host keys seen for the first time")
        ("help,h", "show help for this command");
}

int terminal_width() {
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    if (const char* c = std::getenv("COLUMNS")) {
        int n = std::atoi(c);
        if (n > 0) return n;
    }
    return 80;
}

// The implicit values of options whose value may be left out (Boost has no
// getter for them).
std::string implicit_value_of(const std::string& option) {
    if (option == "queue") return "default";
    return "";
}

// Split `args` so that words after the Nth positional are kept verbatim.
std::vector<std::string> cut_verbatim(const std::vector<std::string>& args, const po::options_description& desc,
                                      int n_positionals, std::vector<std::string>& verbatim,
                                      bool optional_values_take_next_word = false) {
    std::vector<std::string> head;
    int seen = 0;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            verbatim.assign(args.begin() + static_cast<long>(i) + 1, args.end());
            return head;
        }
        if (seen >= n_positionals) {
            verbatim.assign(args.begin() + static_cast<long>(i), args.end());
            return head;
        }
        head.push_back(a);
        if (a.size() > 1 && a[0] == '-') {
            // An option: if it takes a value in the next word, keep that too.
            bool is_long = a[1] == '-';
            if (a.find('=') != std::string::npos || (!is_long && a.size() > 2)) continue;  // value attached
            // Boost matches long options by bare name and short ones as "-x".
            const po::option_description* od = desc.find_nothrow(is_long ? a.substr(2) : a, false, false, false);
            if (od && od->semantic()->min_tokens() == 0 && od->semantic()->max_tokens() > 0 && optional_values_take_next_word &&
                i + 1 < args.size()) {
                head.back() = a + "=" + args[++i];  // `queue add --queue NAME HOST CMD`
                continue;
            }
            if (od && od->semantic()->min_tokens() == 0 && od->semantic()->max_tokens() > 0) {
                // A value that may be left out (`run --queue HOST CMD`): never
                // the next word, which Boost would take; its implicit value
                // written out instead.
                if (is_long) head.back() = a + "=" + implicit_value_of(a.substr(2));
                continue;
            }
            if (od && od->semantic()->max_tokens() > 0 && i + 1 < args.size()) head.push_back(args[++i]);
        } else {
            ++seen;
        }
    }
    return head;
}

std::string usage_line(const Command& c) {
    return std::string("usage: rj -b ") + c.name + " [OPTIONS]" + (*c.args ? std::string(" ") + c.args : "");
}

}  // namespace

void wait_for(Context& ctx, const std::string& what, const std::function<bool()>& done, event::Duration deadline) {
    ctx.engine.loop().run_until(done, event::Clock::now() + deadline);
    if (!done())
        throw util::Error(what + ": no answer within " +
                              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(deadline).count()) + " s",
                          "the host or the network stalled; try again, or 'rj -b hosts --check' to see which host");
}

void Context::wait_idle(event::TimePoint deadline) {
    engine.loop().run_until([this] { return engine.pending() == 0; }, deadline);
}

void Context::write_log(std::string_view text) {
    if (out_is_tty && !raw_log)
        out << log_filter.feed(text);
    else
        out << text;
    out << std::flush;
}

// Messages may carry a host's words (its stderr, an error it printed):
// control bytes are shown, never sent to the terminal.
void print_error(std::ostream& err, const std::string& message, const std::string& hint) {
    err << "rj: " << util::visible(message) << "\n";
    if (!hint.empty()) err << "    " << util::visible(hint) << "\n";
}

std::string help_text(const std::string& name) {
    std::ostringstream s;
    if (name.empty()) {
        s << "usage: rj -b COMMAND [OPTIONS] [ARGS]\n"
             "       rj -b            (no command: 'tick', the cron entry point)\n\nCommands:\n";
        for (const auto& c : commands()) {
            std::string left = std::string(c.name) + (*c.args ? std::string(" ") + c.args : "");
            s << "  " << left;
            if (left.size() < 28) s << std::string(28 - left.size(), ' ');
            else s << "\n" << std::string(30, ' ');
            s << c.summary << "\n";
        }
        s << "\nremote-jobs' command lines are read with their meaning: job CMD ..., logs ID, queue add HOST CMD,\n"
             "queue remove ID..., host jobs|load HOST, list --show ID|--cleanup DAYS|--no-sync,\n"
             "run HOST --kill ID, cleanup --sessions|--logs, version (man rj: COMING FROM REMOTE-JOBS).\n"
             "'import remote-jobs' brings remote-jobs' history and running jobs over.\n";
        GlobalOptions g;
        po::options_description globals("Options for every command");
        declare_globals(globals, g);
        s << "\n" << globals << "\nRun 'rj -b help COMMAND' for a command's options; 'man rj' for the manual.\n";
        return s.str();
    }
    const Command* c = find_command(name);
    if (!c) throw util::UsageError("unknown command '" + name + "'", "run 'rj -b help' for the list of commands");
    po::options_description opts("Options"), hidden;
    po::positional_options_description pos;
    c->declare(opts, hidden, pos);
    s << usage_line(*c) << "\n\n" << c->summary << "\n";
    if (*c->details) s << "\n" << c->details << "\n";
    if (!opts.options().empty()) s << "\n" << opts;
    return s.str();
}

int run_batch(const std::vector<std::string>& args) {
    GlobalOptions g;
    try {
        // Global options may come before the command name.
        size_t i = 0;
        while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
            const std::string& a = args[i];
            if ((a == "-F" || a == "--ssh-config" || a == "--config") && i + 1 < args.size()) {
                (a == "--config" ? g.config : g.ssh_config) = args[i + 1];
                i += 2;
            } else if (a.rfind("--ssh-config=", 0) == 0) {
                g.ssh_config = a.substr(13);
                ++i;
            } else if (a.rfind("--config=", 0) == 0) {
                g.config = a.substr(9);
                ++i;
            } else if (a == "--accept-new-host-keys") {
                g.accept_new_host_keys = true;
                ++i;
            } else if (a == "-h" || a == "--help") {
                std::cout << help_text();
                return 0;
            } else {
                throw util::UsageError("unknown option '" + a + "' before the command",
                                       "run 'rj -b help' for the list of commands and options");
            }
        }
        // No command: the cron entry point (`rj -b tick`).
        std::vector<std::string> line(args.begin() + static_cast<long>(i), args.end());
        if (line.empty()) line.push_back("tick");
        // remote-jobs' command lines that are rj commands under other words.
        line = rewrite_remote_jobs_words(std::move(line));
        std::string name = line.front();
        if (name == "version") {
            std::cout << "rj " PACKAGE_VERSION "\n";
            return 0;
        }
        // `queue add [OPTIONS] HOST CMD...` is `run --queue`, where --queue
        // NAME names the queue (run's bare --queue is followed by the host).
        bool queue_add = name == "queue" && line.size() > 1 && line[1] == "add";
        if (queue_add) {
            line.erase(line.begin() + 1);
            name = line.front() = "run";
        }
        const Command* cmd = find_command(name);
        if (!cmd)
            throw util::UsageError("unknown command '" + name + "'", "run 'rj -b help' for the list of commands");
        po::options_description opts, hidden, all;
        po::positional_options_description pos;
        cmd->declare(opts, hidden, pos);
        po::options_description globals;
        declare_globals(globals, g);
        all.add(opts).add(hidden).add(globals);
        std::vector<std::string> rest(line.begin() + 1, line.end());
        std::vector<std::string> verbatim;
        if (cmd->verbatim_after > 0) rest = cut_verbatim(rest, all, cmd->verbatim_after, verbatim, queue_add);
        if (queue_add && std::none_of(rest.begin(), rest.end(), [](const std::string& w) { return w == "--queue" || w.rfind("--queue=", 0) == 0; }))
            rest.insert(rest.begin(), "--queue=default");
        po::variables_map vm;
        try {
            po::store(po::command_line_parser(rest).options(all).positional(pos).run(), vm);
            if (!verbatim.empty()) {
                // The verbatim words extend the last positional (a vector<string>).
                std::string last = pos.name_for_position(static_cast<unsigned>(cmd->verbatim_after));
                std::vector<std::string> words;
                if (vm.count(last)) words = vm[last].as<std::vector<std::string>>();
                words.insert(words.end(), verbatim.begin(), verbatim.end());
                vm.erase(last);
                vm.insert({last, po::variable_value(boost::any(words), false)});
            }
            po::notify(vm);
            if (vm.count("accept-new-host-keys") && vm["accept-new-host-keys"].as<bool>()) g.accept_new_host_keys = true;
        } catch (const po::error& e) {
            throw util::UsageError(e.what(), usage_line(*cmd) + "  (see 'rj -b help " + name + "')");
        }
        if (vm.count("help")) {
            std::cout << help_text(name);
            return 0;
        }
        if (name == "help") {
            // Help works even when the configs are broken: no engine needed.
            std::cout << help_text(vm.count("topic") ? vm["topic"].as<std::string>() : "");
            return 0;
        }
        engine::EngineOptions eo = engine::default_options();
        if (!g.ssh_config.empty()) {
            eo.ssh_config_path = g.ssh_config;
            eo.ssh_system_config_path.clear();  // as ssh -F: that file alone
        }
        if (!g.config.empty()) eo.config_path = g.config;
        eo.accept_new_host_keys = g.accept_new_host_keys;
        event::Loop loop;
        engine::Engine engine(loop, eo);
        if (isatty(0) && isatty(2))  // a person is at a terminal: ask for passphrases there
            engine.set_prompts(nullptr, [](const std::string& key_path, engine::Engine::PassphraseAnswer answer) {
                answer(ask_passphrase_on_tty(key_path));
            });
        Context ctx{engine, std::cout, std::cerr, static_cast<bool>(isatty(1)), terminal_width(), false, {}};
        int rc = cmd->run(ctx, vm);
        std::cout.flush();
        return rc;
    } catch (const util::Error& e) {
        std::cout.flush();
        // The engine names the input; the flag is this face's word for it.
        print_error(std::cerr, e.field().empty() ? e.what() : "--" + e.field() + ": " + e.what(), e.hint());
        return e.exit_status();
    } catch (const std::exception& e) {
        std::cout.flush();
        print_error(std::cerr, e.what());
        return 1;
    }
}

}  // namespace cli
