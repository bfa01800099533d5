#include "config.h"

#include "ssh/ssh_config.h"

#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "ssh/destination.h"
#include "ssh/host_pattern.h"
#include "util/duration.h"
#include "util/error.h"

namespace ssh {

// The parsed form of one config file. Everything that can be checked without
// knowing the target host (syntax, values, Include expansion) is checked once
// here; resolve() only walks the tree, as OpenSSH re-reads the file per host.
struct MatchCriterion {
    enum class Kind { All, Host, OriginalHost, User, LocalUser, Canonical, Final } kind;
    bool negated = false;
    std::string arg;
};

struct Directive {
    enum class Kind { Host, Match, Include, Option } kind = Kind::Option;
    std::string keyword;            // lower case
    std::vector<std::string> args;  // split with OpenSSH's quoting rules
    std::string raw;                // text after the keyword, verbatim (ProxyCommand)
    std::vector<MatchCriterion> criteria;
    bool unsupported_match = false;
    std::vector<ConfigFile> included;
    std::string where;  // "file:line" for messages
};

struct ConfigFile {
    std::string path;
    std::vector<Directive> directives;
};

namespace {

constexpr int kMaxIncludeDepth = 16;  // OpenSSH's READCONF_MAX_DEPTH

const char* const kHint = "fix or remove that line; `ssh -G HOST` shows how OpenSSH reads the file";

[[noreturn]] void bad_line(const std::string& where, const std::string& msg) {
    throw util::Error(where + ": " + msg, kHint);
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

std::string home_dir() {
    // $HOME rather than the password database, so tests and users can
    // redirect it.
    if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') return h;
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr)
        return pw->pw_dir;
    throw util::Error("cannot determine the home directory", "set HOME");
}

std::string local_user() {
    if (const char* u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_name != nullptr)
        return pw->pw_name;
    return std::to_string(getuid());
}

std::string local_hostname() {
    char buf[256];
    if (gethostname(buf, sizeof buf) != 0) return "localhost";
    buf[sizeof buf - 1] = '\0';
    return buf;
}

// Reads a whole file; returns 0 or an errno value.
int read_file(const std::string& path, std::string& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        return EISDIR;
    }
    out.clear();
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            ::close(fd);
            return e;
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
    }
    ::close(fd);
    return 0;
}

std::string tilde_expand(const std::string& path, const std::string& where) {
    if (path.empty() || path[0] != '~') return path;
    size_t slash = path.find('/');
    std::string name = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    std::string rest = slash == std::string::npos ? std::string() : path.substr(slash);
    if (name.empty()) return home_dir() + rest;
    const passwd* pw = getpwnam(name.c_str());
    if (pw == nullptr || pw->pw_dir == nullptr) bad_line(where, "unknown user in '" + path + "'");
    return std::string(pw->pw_dir) + rest;
}

using Tokens = std::vector<std::pair<char, std::string>>;

// OpenSSH's percent_expand (and, with `dollar`, its ${VAR} expansion). An
// unknown token is an error, as in ssh, rather than silently kept.
std::string expand(const std::string& in, const Tokens& tokens, bool dollar,
                   const std::string& keyword, const std::string& where) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 1 >= in.size()) bad_line(where, keyword + ": '%' at end of value");
            char t = in[++i];
            if (t == '%') {
                out += '%';
                continue;
            }
            bool found = false;
            for (const auto& [tok, value] : tokens) {
                if (tok == t) {
                    out += value;
                    found = true;
                    break;
                }
            }
            if (!found)
                bad_line(where, keyword + ": unknown or unsupported token %" + std::string(1, t));
        } else if (dollar && c == '$' && i + 1 < in.size() && in[i + 1] == '{') {
            size_t close = in.find('}', i + 2);
            if (close == std::string::npos) bad_line(where, keyword + ": unterminated ${");
            std::string name = in.substr(i + 2, close - i - 2);
            const char* v = std::getenv(name.c_str());
            if (name.empty() || v == nullptr)
                bad_line(where, keyword + ": environment variable '" + name + "' is not set");
            out += v;
            i = close;
        } else {
            out += c;
        }
    }
    return out;
}

// OpenSSH's argv_split with comment termination: double or single quotes
// group, backslash escapes quotes, backslash and (unquoted) space; a '#' at
// the start of an argument ends the line.
bool split_args(std::string_view s, std::vector<std::string>& out) {
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        if (i >= s.size() || s[i] == '#') break;
        std::string arg;
        char quote = 0;
        for (; i < s.size(); ++i) {
            char c = s[i];
            if (c == '\\' && i + 1 < s.size()) {
                char n = s[i + 1];
                if (n == '\'' || n == '"' || n == '\\' || (quote == 0 && n == ' ')) {
                    arg += n;
                    ++i;
                } else {
                    arg += c;
                }
            } else if (quote == 0 && (c == ' ' || c == '\t')) {
                break;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else {
                arg += c;
            }
        }
        if (quote != 0) return false;
        out.push_back(std::move(arg));
    }
    return true;
}

std::optional<bool> parse_flag(const std::string& v) {
    std::string l = ascii_lower(v);
    if (l == "yes" || l == "true") return true;
    if (l == "no" || l == "false") return false;
    return std::nullopt;
}

std::optional<HostConfig::StrictHostKey> parse_strict(const std::string& v) {
    using S = HostConfig::StrictHostKey;
    std::string l = ascii_lower(v);
    if (l == "yes" || l == "true") return S::Yes;
    if (l == "no" || l == "false" || l == "off") return S::No;
    if (l == "accept-new") return S::AcceptNew;
    if (l == "ask") return S::Ask;
    return std::nullopt;
}

std::optional<int> parse_nonneg_int(const std::string& v) {
    if (v.empty() || v.size() > 9) return std::nullopt;
    int n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

std::optional<int> parse_port(const std::string& v) {
    auto n = parse_nonneg_int(v);
    if (!n || *n < 1 || *n > 65535) return std::nullopt;
    return n;
}

// ConnectTimeout / ServerAliveInterval: OpenSSH time format (90, 90s, 1m30s).
std::optional<int> parse_time(const std::string& v) {
    if (ascii_lower(v) == "none") return 0;
    auto d = util::parse_duration(ascii_lower(v));
    if (!d) return std::nullopt;
    return int(d->count());
}

enum class Canonicalize { No, Yes, Always };

std::optional<Canonicalize> parse_canonicalize(const std::string& v) {
    std::string l = ascii_lower(v);
    if (l == "no" || l == "false") return Canonicalize::No;
    if (l == "yes" || l == "true") return Canonicalize::Yes;
    if (l == "always") return Canonicalize::Always;
    return std::nullopt;
}

enum class Arity { One, OneOrMore, Raw };

// The keywords rj acts on. Every other keyword is accepted and ignored.
std::optional<Arity> known_option(const std::string& kw) {
    static const std::pair<const char*, Arity> table[] = {
        {"hostname", Arity::One},
        {"user", Arity::One},
        {"port", Arity::One},
        {"identityfile", Arity::One},
        {"identitiesonly", Arity::One},
        {"proxyjump", Arity::One},
        {"proxycommand", Arity::Raw},
        {"connecttimeout", Arity::One},
        {"serveraliveinterval", Arity::One},
        {"serveralivecountmax", Arity::One},
        {"stricthostkeychecking", Arity::One},
        {"userknownhostsfile", Arity::OneOrMore},
        {"globalknownhostsfile", Arity::OneOrMore},
        {"hostkeyalias", Arity::One},
        {"hashknownhosts", Arity::One},
        {"batchmode", Arity::One},
        {"canonicalizehostname", Arity::One},
        {"canonicaldomains", Arity::OneOrMore},
        {"canonicalizemaxdots", Arity::One},
        {"canonicalizefallbacklocal", Arity::One},
    };
    for (const auto& [name, arity] : table)
        if (kw == name) return arity;
    return std::nullopt;
}

void validate_option(const Directive& d) {
    const std::string& kw = d.keyword;
    const std::string& v = d.args[0];
    bool ok = true;
    if (kw == "port") ok = parse_port(v).has_value();
    else if (kw == "identitiesonly" || kw == "hashknownhosts" || kw == "batchmode" ||
             kw == "canonicalizefallbacklocal")
        ok = parse_flag(v).has_value();
    else if (kw == "stricthostkeychecking") ok = parse_strict(v).has_value();
    else if (kw == "connecttimeout" || kw == "serveraliveinterval") ok = parse_time(v).has_value();
    else if (kw == "serveralivecountmax" || kw == "canonicalizemaxdots") ok = parse_nonneg_int(v).has_value();
    else if (kw == "canonicalizehostname") ok = parse_canonicalize(v).has_value();
    if (!ok) bad_line(d.where, "bad value '" + v + "' for " + kw);
}

class Parser {
public:
    // `include_base`: where a relative Include path points (OpenSSH: ~/.ssh
    // for the user's file, /etc/ssh for the system one).
    Parser(std::vector<std::string>& warnings, std::string include_base)
        : warnings_(warnings), include_base_(std::move(include_base)) {}

    ConfigFile parse_text(const std::string& text, const std::string& path, int depth) {
        ConfigFile file;
        file.path = path;
        size_t pos = 0;
        int lineno = 0;
        while (pos < text.size()) {
            size_t nl = text.find('\n', pos);
            if (nl == std::string::npos) nl = text.size();
            std::string_view line(text.data() + pos, nl - pos);
            pos = nl + 1;
            ++lineno;
            parse_line(line, path + ":" + std::to_string(lineno), depth, file);
        }
        return file;
    }

private:
    void parse_line(std::string_view line, const std::string& where, int depth, ConfigFile& file) {
        while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
        size_t i = 0;
        while (i < line.size() && is_blank(line[i])) ++i;
        if (i >= line.size() || line[i] == '#') return;

        // Keyword, then whitespace and/or one '=' (OpenSSH's strdelim).
        size_t k = i;
        while (k < line.size() && !is_blank(line[k]) && line[k] != '=') ++k;
        std::string keyword(line.substr(i, k - i));
        bool word = !keyword.empty() && std::isalpha(static_cast<unsigned char>(keyword[0]));
        for (char c : keyword)
            if (!std::isalnum(static_cast<unsigned char>(c))) word = false;
        if (!word) bad_line(where, "not a configuration line: '" + std::string(line.substr(i)) + "'");
        while (k < line.size() && is_blank(line[k])) ++k;
        if (k < line.size() && line[k] == '=') {
            ++k;
            while (k < line.size() && is_blank(line[k])) ++k;
        }

        Directive d;
        d.keyword = ascii_lower(keyword);
        d.raw = std::string(line.substr(k));
        d.where = where;
        if (d.raw.empty()) bad_line(where, "no argument after keyword \"" + keyword + "\"");
        if (!split_args(d.raw, d.args)) bad_line(where, "unterminated quote");
        if (d.args.empty()) bad_line(where, "no argument after keyword \"" + keyword + "\"");

        if (d.keyword == "host") {
            d.kind = Directive::Kind::Host;
            for (const auto& a : d.args)
                if (a.empty() || a == "!") bad_line(where, "empty Host pattern");
        } else if (d.keyword == "match") {
            d.kind = Directive::Kind::Match;
            parse_match(d);
        } else if (d.keyword == "include") {
            d.kind = Directive::Kind::Include;
            resolve_include(d, depth);
        } else if (auto arity = known_option(d.keyword)) {
            if (*arity == Arity::One && d.args.size() > 1)
                bad_line(where, "extra arguments at end of line for " + keyword);
            if (d.args[0].empty()) bad_line(where, "empty value for " + keyword);
            validate_option(d);
        } else {
            return;  // one of OpenSSH's many other keywords: not rj's concern
        }
        file.directives.push_back(std::move(d));
    }

    void parse_match(Directive& d) {
        using K = MatchCriterion::Kind;
        std::vector<std::string> unsupported;
        bool has_all = false;
        size_t i = 0;
        while (i < d.args.size()) {
            std::string attr = d.args[i++];
            bool negated = !attr.empty() && attr[0] == '!';
            if (negated) attr.erase(0, 1);
            attr = ascii_lower(attr);
            if (attr == "all") {
                has_all = true;
                d.criteria.push_back({K::All, negated, {}});
                continue;
            }
            if (attr == "canonical" || attr == "final") {
                d.criteria.push_back({attr == "final" ? K::Final : K::Canonical, negated, {}});
                continue;
            }
            if (i >= d.args.size()) bad_line(d.where, "Match " + attr + " needs an argument");
            std::string arg = d.args[i++];
            if (attr == "host") d.criteria.push_back({K::Host, negated, arg});
            else if (attr == "originalhost") d.criteria.push_back({K::OriginalHost, negated, arg});
            else if (attr == "user") d.criteria.push_back({K::User, negated, arg});
            else if (attr == "localuser") d.criteria.push_back({K::LocalUser, negated, arg});
            else unsupported.push_back(attr);  // exec, localnetwork, tagged, newer ones
        }
        if (!unsupported.empty()) {
            d.unsupported_match = true;
            std::string list;
            for (const auto& u : unsupported) list += (list.empty() ? "" : ", ") + u;
            warnings_.push_back(d.where + ": Match " + list +
                                " is not supported by rj; that Match block is skipped");
        } else if (has_all && d.args.size() > 1) {
            bad_line(d.where, "'Match all' cannot be combined with other criteria");
        }
    }

    // Reads the files an Include names now; whether their lines apply is
    // decided per host in resolve(), as OpenSSH does.
    void resolve_include(Directive& d, int depth) {
        for (const auto& arg : d.args) {
            std::string pattern;
            if (!arg.empty() && arg[0] == '~') pattern = tilde_expand(arg, d.where);
            else if (!arg.empty() && arg[0] != '/') pattern = include_base_ + "/" + arg;
            else pattern = arg;

            glob_t g{};
            int r = glob(pattern.c_str(), 0, nullptr, &g);
            std::vector<std::string> paths;
            if (r == 0)
                for (size_t j = 0; j < g.gl_pathc; ++j) paths.emplace_back(g.gl_pathv[j]);
            globfree(&g);
            if (r == GLOB_NOMATCH) continue;
            if (r != 0) bad_line(d.where, "Include " + arg + ": cannot expand the pattern");

            for (const auto& p : paths) {
                if (depth + 1 > kMaxIncludeDepth)
                    bad_line(d.where, "Include nested more than " + std::to_string(kMaxIncludeDepth) +
                                          " levels deep (does a file include itself?)");
                std::string text;
                int err = read_file(p, text);
                if (err == ENOENT) continue;
                if (err == EISDIR) {
                    warnings_.push_back(d.where + ": Include " + p + " is a directory; skipped");
                    continue;
                }
                if (err != 0) bad_line(d.where, "cannot read included file " + p + ": " + std::strerror(err));
                d.included.push_back(parse_text(text, p, depth + 1));
            }
        }
    }

    std::vector<std::string>& warnings_;
    std::string include_base_;
};

// Values as first obtained while walking the file, with the line they came
// from for messages raised during expansion.
struct Sourced {
    std::string value;
    std::string where;
};

class Resolver {
public:
    // What the command line fixed (user@, ssh://...:port) is set before the
    // files are read, so it wins over them as in ssh.
    explicit Resolver(const Destination& d) : typed_(d.typed), alias_(d.host), match_host_(d.host) {
        if (d.user) user_ = Sourced{*d.user, ""};
        if (d.port) port_ = *d.port;
    }

    // OpenSSH's second pass over the files (ssh.c, "re-parsing
    // configuration"): after CanonicalizeHostname, or when a `Match final`
    // asked for it. Host lines then see the (canonical) host name, HostName
    // is fixed to it, and Match canonical/final match.
    bool wants_second_pass() const {
        return want_final_ || canonicalize_.value_or(Canonicalize::No) != Canonicalize::No;
    }
    void start_second_pass() {
        std::string h = current_hostname();
        bool direct = !proxy_command_ && (!proxy_jump_ || is_none(*proxy_jump_));
        auto mode = canonicalize_.value_or(Canonicalize::No);
        if (mode == Canonicalize::Always || (mode == Canonicalize::Yes && direct)) {
            Canonicalization c;
            c.domains = canonical_domains_.value_or(std::vector<std::string>{});
            c.max_dots = canonical_max_dots_.value_or(1);
            c.fallback_local = canonical_fallback_.value_or(true);
            if (auto full = canonicalize(h, c)) h = *full;
            else if (!c.fallback_local && !is_address(h) && count_dots(h) <= c.max_dots)
                throw util::Error("cannot canonicalize host name '" + h + "' with CanonicalDomains",
                                  "CanonicalizeFallbackLocal is off: fix CanonicalDomains or the name");
        }
        std::string escaped;
        for (char c : h) escaped += c == '%' ? std::string("%%") : std::string(1, c);
        hostname_ = Sourced{escaped, ""};
        match_host_ = h;
        post_canon_ = true;
    }

    void walk(const ConfigFile& file, bool& active, bool never_match) {
        for (const Directive& d : file.directives) {
            switch (d.kind) {
            case Directive::Kind::Host:
                active = !never_match && host_matches(d);
                break;
            case Directive::Kind::Match:
                active = !never_match && match_matches(d);
                break;
            case Directive::Kind::Include: {
                // An included file starts in the including block's state; a
                // Host/Match inside it must not leak out, and inside an
                // inactive block nothing in it may ever match.
                bool outer = active;
                for (const ConfigFile& inc : d.included) {
                    walk(inc, active, never_match || !outer);
                    active = outer;
                }
                break;
            }
            case Directive::Kind::Option:
                if (active) apply(d);
                break;
            }
        }
    }

    HostConfig finish() const;

private:
    static int count_dots(const std::string& h) { return int(std::count(h.begin(), h.end(), '.')); }
    static bool is_none(const std::string& v) { return ascii_lower(v) == "none"; }

    bool host_matches(const Directive& d) const {
        bool matched = false;
        for (const auto& a : d.args) {
            bool negated = a[0] == '!';
            std::string_view pat(a);
            if (negated) pat.remove_prefix(1);
            if (match_pattern(match_host_, pat)) {
                if (negated) return false;
                matched = true;
            }
        }
        return matched;
    }

    bool match_matches(const Directive& d) {
        using K = MatchCriterion::Kind;
        if (d.unsupported_match) return false;
        for (const auto& c : d.criteria)
            if (c.kind == K::Final) want_final_ = true;
        for (const auto& c : d.criteria) {
            bool r = false;
            switch (c.kind) {
            case K::All: r = true; break;
            case K::Canonical:
            case K::Final: r = post_canon_; break;
            case K::Host: r = match_host_pattern_list(current_hostname(), c.arg); break;
            case K::OriginalHost: r = match_host_pattern_list(alias_, c.arg); break;
            case K::User:
                r = match_pattern_list(user_ ? user_->value : local_user(), c.arg, false) ==
                    PatternListResult::Match;
                break;
            case K::LocalUser:
                r = match_pattern_list(local_user(), c.arg, false) == PatternListResult::Match;
                break;
            }
            if (c.negated) r = !r;
            if (!r) return false;
        }
        return true;
    }

    std::string current_hostname() const {
        if (!hostname_) return ascii_lower(alias_);
        return ascii_lower(expand(hostname_->value, {{'h', alias_}}, false, "HostName", hostname_->where));
    }

    template <class T>
    static void set_once(std::optional<T>& slot, T value) {
        if (!slot) slot = std::move(value);
    }

    void apply(const Directive& d) {
        const std::string& kw = d.keyword;
        const std::string& v = d.args[0];
        if (kw == "hostname") set_once(hostname_, Sourced{v, d.where});
        else if (kw == "user") set_once(user_, Sourced{v, d.where});
        else if (kw == "port") set_once(port_, *parse_port(v));
        else if (kw == "identityfile") identity_files_.push_back({v, d.where});
        else if (kw == "identitiesonly") set_once(identities_only_, *parse_flag(v));
        else if (kw == "proxyjump") {
            // Whichever of ProxyJump/ProxyCommand comes first wins, except
            // that "ProxyJump none" does not block a later ProxyCommand
            // (checked against ssh -G of OpenSSH 9.2).
            if (!proxy_jump_ && !proxy_command_) proxy_jump_ = v;
        } else if (kw == "proxycommand") {
            bool real_jump = proxy_jump_ && ascii_lower(*proxy_jump_) != "none";
            if (!real_jump) set_once(proxy_command_, Sourced{d.raw, d.where});
        } else if (kw == "connecttimeout") set_once(connect_timeout_, *parse_time(v));
        else if (kw == "serveraliveinterval") set_once(alive_interval_, *parse_time(v));
        else if (kw == "serveralivecountmax") set_once(alive_count_, *parse_nonneg_int(v));
        else if (kw == "stricthostkeychecking") set_once(strict_, *parse_strict(v));
        else if (kw == "userknownhostsfile") {
            if (!user_known_hosts_) {
                user_known_hosts_.emplace();
                for (const auto& a : d.args) user_known_hosts_->push_back({a, d.where});
            }
        } else if (kw == "globalknownhostsfile") set_once(global_known_hosts_, d.args);
        else if (kw == "hostkeyalias") set_once(host_key_alias_, v);
        else if (kw == "hashknownhosts") set_once(hash_known_hosts_, *parse_flag(v));
        else if (kw == "batchmode") set_once(batch_mode_, *parse_flag(v));
        else if (kw == "canonicalizehostname") set_once(canonicalize_, *parse_canonicalize(v));
        else if (kw == "canonicaldomains") set_once(canonical_domains_, d.args);
        else if (kw == "canonicalizemaxdots") set_once(canonical_max_dots_, *parse_nonneg_int(v));
        else if (kw == "canonicalizefallbacklocal") set_once(canonical_fallback_, *parse_flag(v));
    }

    std::string typed_;       // as typed: HostConfig::alias
    std::string alias_;       // the host part of it: %n, Match originalhost
    std::string match_host_;  // what Host lines match: alias_, then the host name on the second pass
    bool post_canon_ = false, want_final_ = false;
    std::optional<Canonicalize> canonicalize_;
    std::optional<std::vector<std::string>> canonical_domains_;
    std::optional<int> canonical_max_dots_;
    std::optional<bool> canonical_fallback_;
    std::optional<Sourced> hostname_, user_, proxy_command_;
    std::optional<std::string> proxy_jump_, host_key_alias_;
    std::optional<int> port_, connect_timeout_, alive_interval_, alive_count_;
    std::optional<bool> identities_only_, hash_known_hosts_, batch_mode_;
    std::optional<HostConfig::StrictHostKey> strict_;
    std::vector<Sourced> identity_files_;
    std::optional<std::vector<Sourced>> user_known_hosts_;
    std::optional<std::vector<std::string>> global_known_hosts_;
};

HostConfig Resolver::finish() const {
    HostConfig hc;
    hc.alias = typed_;
    hc.hostname = current_hostname();
    hc.user = user_ ? user_->value : local_user();
    hc.port = port_.value_or(22);
    // OpenSSH lower-cases the alias, like the host name, before using it.
    if (host_key_alias_) hc.host_key_alias = ascii_lower(*host_key_alias_);
    if (proxy_jump_ && !is_none(*proxy_jump_)) hc.proxy_jump = *proxy_jump_;
    hc.identities_only = identities_only_.value_or(false);
    hc.connect_timeout_s = connect_timeout_.value_or(0);
    hc.server_alive_interval_s = alive_interval_.value_or(0);
    hc.server_alive_count_max = alive_count_.value_or(3);
    hc.strict_host_key = strict_.value_or(HostConfig::StrictHostKey::Ask);
    hc.hash_known_hosts = hash_known_hosts_.value_or(false);
    hc.batch_mode = batch_mode_.value_or(false);

    const std::string home = home_dir();
    const std::string lhost = local_hostname();
    const std::string port = std::to_string(hc.port);
    // The tokens OpenSSH 9 accepts in IdentityFile and UserKnownHostsFile
    // (all but %C, the connection hash, which nothing here needs).
    const Tokens file_tokens = {
        {'d', home},
        {'u', local_user()},
        {'l', lhost},
        {'L', lhost.substr(0, lhost.find('.'))},
        {'h', hc.hostname},
        {'r', hc.user},
        {'p', port},
        {'n', alias_},
        {'i', std::to_string(getuid())},
        {'k', hc.host_key_alias.empty() ? alias_ : hc.host_key_alias},
        {'j', hc.proxy_jump},
    };

    if (!identity_files_.empty()) {
        std::set<std::string> seen;
        for (const auto& f : identity_files_) {
            if (is_none(f.value)) continue;
            std::string p = expand(tilde_expand(f.value, f.where), file_tokens, true, "IdentityFile", f.where);
            if (seen.insert(p).second) hc.identity_files.push_back(std::move(p));
        }
    } else {
        // OpenSSH's order, less the key types libssh2 cannot use.
        for (const char* name : {"id_rsa", "id_ecdsa", "id_ed25519"})
            hc.identity_files.push_back(home + "/.ssh/" + name);
        hc.identity_files_are_defaults = true;
    }

    if (user_known_hosts_) {
        if (!(user_known_hosts_->size() == 1 && is_none(user_known_hosts_->front().value)))
            for (const auto& f : *user_known_hosts_)
                hc.user_known_hosts_files.push_back(
                    expand(tilde_expand(f.value, f.where), file_tokens, true, "UserKnownHostsFile", f.where));
    } else {
        hc.user_known_hosts_files = {home + "/.ssh/known_hosts", home + "/.ssh/known_hosts2"};
    }

    // OpenSSH uses GlobalKnownHostsFile verbatim: no ~ or token expansion.
    if (global_known_hosts_) {
        if (!(global_known_hosts_->size() == 1 && is_none(global_known_hosts_->front())))
            hc.global_known_hosts_files = *global_known_hosts_;
    } else {
        hc.global_known_hosts_files = {"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"};
    }

    if (proxy_command_ && !is_none(proxy_command_->value)) {
        hc.proxy_command = expand(proxy_command_->value,
                                  {{'h', hc.hostname}, {'p', port}, {'r', hc.user}, {'n', alias_}},
                                  false, "ProxyCommand", proxy_command_->where);
    }
    return hc;
}

void collect_hosts(const ConfigFile& file, std::vector<std::string>& out, std::set<std::string>& seen) {
    for (const Directive& d : file.directives) {
        if (d.kind == Directive::Kind::Host) {
            for (const auto& a : d.args)
                if (a.find_first_of("*?!") == std::string::npos && seen.insert(a).second) out.push_back(a);
        } else if (d.kind == Directive::Kind::Include) {
            for (const ConfigFile& inc : d.included) collect_hosts(inc, out, seen);
        }
    }
}

}  // namespace

SshConfig SshConfig::parse(const std::string& text, const std::string& origin_path) {
    SshConfig cfg;
    Parser parser(cfg.warnings_, home_dir() + "/.ssh");
    cfg.roots_.push_back(std::make_shared<const ConfigFile>(parser.parse_text(text, origin_path, 0)));
    return cfg;
}

namespace {

// One file of the config: nullptr when it does not exist (an empty config).
std::shared_ptr<const ConfigFile> load_file(const std::string& path, const std::string& include_base,
                                            std::vector<std::string>& warnings) {
    std::string text;
    int err = read_file(path, text);
    if (err == ENOENT || err == ENOTDIR) return nullptr;
    if (err != 0)
        throw util::Error("cannot read ssh config " + path + ": " + std::strerror(err),
                          "check the file's permissions, or point RJ_SSH_CONFIG / -F at another file");
    Parser parser(warnings, include_base);
    return std::make_shared<const ConfigFile>(parser.parse_text(text, path, 0));
}

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

SshConfig SshConfig::load(const std::string& path, const std::string& system_path) {
    SshConfig cfg;
    if (auto f = load_file(path, home_dir() + "/.ssh", cfg.warnings_)) cfg.roots_.push_back(f);
    // Relative Includes of the system file are taken from its own directory
    // (/etc/ssh for the real one, as OpenSSH does).
    if (!system_path.empty())
        if (auto f = load_file(system_path, dir_of(system_path), cfg.warnings_)) cfg.roots_.push_back(f);
    return cfg;
}

HostConfig SshConfig::resolve(const std::string& typed) const {
    Resolver r(parse_destination(typed));
    auto walk_all = [&] {
        for (const auto& root : roots_) {
            bool active = true;  // each file starts outside any Host block
            r.walk(*root, active, false);
        }
    };
    walk_all();
    if (r.wants_second_pass()) {
        r.start_second_pass();
        walk_all();
    }
    return r.finish();
}

std::vector<std::string> SshConfig::concrete_hosts() const {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& root : roots_) collect_hosts(*root, out, seen);
    return out;
}

std::string default_ssh_system_config_path() {
    if (const char* e = std::getenv("RJ_SSH_SYSTEM_CONFIG"); e != nullptr && *e != '\0') return e;
    return "/etc/ssh/ssh_config";
}

std::string default_ssh_config_path(const std::string& cli_override) {
    if (!cli_override.empty()) return cli_override;
    if (const char* e = std::getenv("RJ_SSH_CONFIG"); e != nullptr && *e != '\0') return e;
    return home_dir() + "/.ssh/config";
}

}  // namespace ssh
