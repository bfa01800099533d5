#include "config.h"

#include "util/regex.h"

#include <re2/re2.h>

#include <cctype>
#include <set>

namespace util {

namespace {

// RE2 refuses larger counts; a count it cannot even read (x{3333333333333333333})
// it takes as literal text, which is never what was meant: refused here first.
constexpr long kMaxCount = 1000;

const std::set<std::string_view> kPosixClasses = {"alnum", "alpha", "blank", "cntrl", "digit",  "graph",
                                                  "lower", "print", "punct", "space", "upper", "xdigit"};

std::string unsupported(const std::string& what) { return "cannot be run: " + what; }
std::string not_common(const std::string& what) {
    return "is not in the syntax --grep takes: " + what;
}

// A count {n}, {n,} or {n,m} at p[i] == '{': the problem when a number is
// over kMaxCount; i is left on its '}'. Not a count: i unchanged, "".
std::string check_count(std::string_view p, size_t& i) {
    size_t j = i + 1;
    bool big = false, any = false;
    for (int part = 0; part < 2; ++part) {
        long v = 0;
        size_t start = j;
        for (; j < p.size() && std::isdigit(static_cast<unsigned char>(p[j])); ++j) {
            if (v <= kMaxCount) v = v * 10 + (p[j] - '0');
        }
        if (j > start) any = true;
        if (v > kMaxCount) big = true;
        if (part == 0 && j > start && j < p.size() && p[j] == ',') {
            ++j;
            continue;
        }
        break;
    }
    if (!any || j >= p.size() || p[j] != '}') return {};
    std::string count(p.substr(i, j - i + 1));
    i = j;
    if (big) return unsupported("repetition counts above 1000 are not supported (" + count + ")");
    return {};
}

// What RE2 would not name well, or (in the grep syntax) would read
// differently from grep -E: "" when nothing.
std::string precheck(std::string_view p, Regex::Syntax syntax) {
    const bool ere = syntax == Regex::Syntax::PosixExtended;
    const size_t n = p.size();
    for (size_t i = 0; i < n; ++i) {
        char c = p[i];
        if (ere && (c == '\n' || c == '\0'))
            return not_common("a newline or NUL byte (grep would read several patterns); give one line");
        if (c == '\\') {
            if (i + 1 >= n) return {};  // RE2 names a trailing backslash
            char d = p[i + 1];
            if (d >= '1' && d <= '9') return unsupported(std::string("backreferences (\\") + d + ") are not supported");
            if (ere && (std::isalnum(static_cast<unsigned char>(d)) || d == '<' || d == '>' || d == '`' || d == '\''))
                return not_common(std::string("'\\") + d +
                                  "' is an extension a host's grep may read differently; write [0-9] for \\d, "
                                  "[[:space:]] for \\s, [[:alnum:]_] for \\w");
            if (!ere && d == 'Q') {  // \Q...\E: literal text
                size_t e = p.find("\\E", i + 2);
                i = e == std::string_view::npos ? n : e + 1;
                continue;
            }
            if (!ere && (d == 'x' || d == 'p' || d == 'P') && i + 2 < n && p[i + 2] == '{') {
                size_t e = p.find('}', i + 3);  // \x{263a}, \p{Greek}: not counts
                i = e == std::string_view::npos ? n : e;
                continue;
            }
            ++i;
            continue;
        }
        if (c == '[') {
            size_t j = i + 1;
            if (j < n && p[j] == '^') ++j;
            if (j < n && p[j] == ']') ++j;
            for (; j < n && p[j] != ']'; ++j) {
                if (p[j] == '\\') {
                    if (ere)
                        return not_common("a backslash inside [...] (grep reads it as itself, RE2 as an escape); "
                                          "match a backslash with \\\\ outside brackets");
                    ++j;
                    continue;
                }
                if (p[j] == '[' && j + 1 < n && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
                    char kind = p[j + 1];
                    size_t end = p.find(std::string{kind, ']'}, j + 2);
                    if (end == std::string_view::npos) break;
                    if (ere && kind != ':')
                        return not_common("collating elements and equivalence classes ([.a.], [=a=]) are not supported");
                    std::string_view name = p.substr(j + 2, end - j - 2);
                    if (ere && !kPosixClasses.count(name))
                        return not_common("[:" + std::string(name) +
                                          ":] is not a POSIX character class (alnum, alpha, blank, cntrl, digit, "
                                          "graph, lower, print, punct, space, upper, xdigit)");
                    j = end + 1;
                }
            }
            i = j;
            continue;
        }
        if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            std::string_view rest = p.substr(i + 2);
            if (rest.substr(0, 1) == "=" || rest.substr(0, 1) == "!")
                return unsupported("lookahead ((?=...), (?!...)) is not supported");
            if (rest.substr(0, 2) == "<=" || rest.substr(0, 2) == "<!")
                return unsupported("lookbehind ((?<=...), (?<!...)) is not supported");
            if (rest.substr(0, 1) == ">") return unsupported("atomic groups ((?>...)) are not supported");
            if (ere) return not_common("(?...) groups (non-capturing, flags) are not POSIX; use plain (...)");
            continue;
        }
        if (c == '{') {
            if (ere && i + 1 < n && p[i + 1] == ',')
                return not_common("{,n} is read differently by different greps; write {0,n}");
            if (std::string problem = check_count(p, i); !problem.empty()) return problem;
        }
    }
    return {};
}

// RE2's complaint, with the construct named where RE2's words are terse.
std::string explain(const re2::RE2& re) {
    const std::string& arg = re.error_arg();
    switch (re.error_code()) {
    case re2::RE2::ErrorRepeatSize:
        return unsupported("repetitions of more than 1000 are not supported, nested ones multiplied (" + arg + ")");
    case re2::RE2::ErrorPatternTooLarge:
        return unsupported("the pattern is too large once its repetitions are expanded; simplify it");
    case re2::RE2::ErrorRepeatOp:
        if (arg.size() == 2 && arg[1] == '+') return unsupported("possessive repetitions (" + arg + ") are not supported");
        break;
    case re2::RE2::ErrorBadPerlOp:
        return unsupported("this (?...) construct is not supported (" + re.error() + ")");
    default: break;
    }
    return "is not a regular expression (" + re.error() + ")";
}

}  // namespace

std::optional<Regex> Regex::compile(std::string_view pattern, Syntax syntax, std::string* problem) {
    if (std::string p = precheck(pattern, syntax); !p.empty()) {
        if (problem) *problem = p;
        return std::nullopt;
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    if (syntax == Syntax::PosixExtended) {
        // As LC_ALL=C grep -E: bytes, POSIX syntax, no Perl classes.
        options.set_posix_syntax(true);
        options.set_encoding(re2::RE2::Options::EncodingLatin1);
        options.set_never_capture(true);
    }
    auto re = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
    if (!re->ok()) {
        if (problem) *problem = explain(*re);
        return std::nullopt;
    }
    return Regex(std::move(re));
}

bool Regex::search(std::string_view text) const {
    return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

int Regex::groups() const { return re_->NumberOfCapturingGroups(); }

}  // namespace util
