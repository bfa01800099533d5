// rj -b completion bash|zsh|fish: a completion script made from the command
// table itself, so it names every command and flag this rj has.
#include "config.h"

#include <sstream>

#include "cli/command.h"
#include "util/error.h"

namespace cli {

namespace {

// remote-jobs' words that rj reads too (see dropin.cc), completed alongside.
const char* const kExtraWords = "job logs version";

std::string command_words() {
    std::string s;
    for (const auto& c : commands()) s += std::string(s.empty() ? "" : " ") + c.name;
    return s + " " + kExtraWords;
}

std::vector<std::string> flags_of(const Command& c) {
    po::options_description opts, hidden;
    po::positional_options_description pos;
    c.declare(opts, hidden, pos);
    std::vector<std::string> flags;
    for (const auto& o : opts.options())
        if (!o->long_name().empty()) flags.push_back(o->long_name());
    return flags;
}

std::string bash_script() {
    std::ostringstream s;
    s << "# bash completion for rj, made by 'rj -b completion bash'.\n"
         "_rj() {\n"
         "    local cur=${COMP_WORDS[COMP_CWORD]} cmd=\"\" flags=\"\" i\n"
         "    if [[ ${COMP_WORDS[1]} != -b ]]; then\n"
         "        COMPREPLY=($(compgen -W \"-b tui --mouse --version\" -- \"$cur\"))\n"
         "        return\n"
         "    fi\n"
         "    for ((i = 2; i < COMP_CWORD; i++)); do\n"
         "        case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n"
         "    done\n"
         "    if [[ -z $cmd ]]; then\n"
         "        COMPREPLY=($(compgen -W \"" << command_words() << "\" -- \"$cur\"))\n"
         "        return\n"
         "    fi\n"
         "    case $cmd in\n";
    for (const auto& c : commands()) {
        s << "        " << c.name << ") flags=\"";
        bool first = true;
        for (const auto& f : flags_of(c)) {
            s << (first ? "" : " ") << "--" << f;
            first = false;
        }
        s << "\" ;;\n";
    }
    s << "    esac\n"
         "    if [[ $cur == -* ]]; then\n"
         "        COMPREPLY=($(compgen -W \"$flags --help\" -- \"$cur\"))\n"
         "    else\n"
         "        COMPREPLY=($(compgen -W \"$(rj -b hosts 2>/dev/null | cut -f1)\" -- \"$cur\"))\n"
         "    fi\n"
         "}\n"
         "complete -F _rj rj\n";
    return s.str();
}

std::string fish_script() {
    std::ostringstream s;
    s << "# fish completion for rj, made by 'rj -b completion fish'.\n"
         "complete -c rj -f\n"
         "complete -c rj -n 'not __fish_seen_subcommand_from -b' -a '-b tui --mouse --version'\n"
         "complete -c rj -n '__fish_seen_subcommand_from -b; and not __fish_seen_subcommand_from "
      << command_words() << "' -a '" << command_words() << "'\n";
    for (const auto& c : commands()) {
        for (const auto& f : flags_of(c))
            s << "complete -c rj -n '__fish_seen_subcommand_from " << c.name << "' -l " << f << "\n";
    }
    s << "complete -c rj -n '__fish_seen_subcommand_from -b' -a '(rj -b hosts 2>/dev/null | cut -f1)'\n";
    return s.str();
}

void declare(po::options_description&, po::options_description& hidden, po::positional_options_description& pos) {
    hidden.add_options()("shell", po::value<std::string>(), "shell");
    pos.add("shell", 1);
}

int run(Context& ctx, const po::variables_map& vm) {
    std::string shell = vm.count("shell") ? vm["shell"].as<std::string>() : "";
    if (shell == "bash") ctx.out << bash_script();
    // zsh runs bash's completion functions through its bashcompinit layer.
    else if (shell == "zsh") ctx.out << "# zsh completion for rj, made by 'rj -b completion zsh'.\n"
                                        "autoload -U +X bashcompinit && bashcompinit\n" << bash_script();
    else if (shell == "fish") ctx.out << fish_script();
    else throw util::UsageError(shell.empty() ? "no shell given" : "unknown shell '" + shell + "'",
                                "usage: rj -b completion bash|zsh|fish (e.g. source <(rj -b completion bash))");
    return 0;
}

}  // namespace

extern const Command kCompletionCommand = {
    .name = "completion",
    .args = "bash|zsh|fish",
    .summary = "print a shell completion script (commands, flags, host names)",
    .details = "Made from this rj's own commands and flags. bash: source <(rj -b completion bash); zsh: the same in ~/.zshrc "
        "(it uses zsh's bashcompinit); fish: rj -b completion fish > ~/.config/fish/completions/rj.fish.",
    .declare = declare,
    .run = run,
};

}  // namespace cli
