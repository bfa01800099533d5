// Regular expressions, matched with RE2: time linear in the text, memory
// bounded, no recursion. Whatever rj matches (progress patterns, `log -f
// --grep`) goes through here; a pattern RE2 cannot run (a backreference, a
// lookaround) is refused with the construct named, where it is given.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace util {

class Regex {
public:
    enum class Syntax {
        // RE2's own syntax, close to Perl's (\d, \s, (?:...), (?i)); progress patterns.
        Perl,
        // The syntax both sides of `log --grep` read alike: POSIX extended (grep -E),
        // without the extensions a host's grep would read differently (\d, \<, \1, ...).
        // Matched byte by byte, as LC_ALL=C grep does.
        PosixExtended,
    };

    // Compiles `pattern`; nullopt with `problem` set to a sentence that names
    // what is wrong ("backreferences (\1) are not supported") when it cannot.
    static std::optional<Regex> compile(std::string_view pattern, Syntax syntax, std::string* problem);

    // Whether the pattern matches somewhere in `text`.
    bool search(std::string_view text) const;
    int groups() const;
    const re2::RE2& re2() const { return *re_; }

private:
    explicit Regex(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}
    std::shared_ptr<const re2::RE2> re_;
};

}  // namespace util
