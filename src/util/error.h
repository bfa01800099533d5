// Error values that carry what went wrong and what the user can do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace util {

// An error meant for the user: `what()` says what happened, `hint()` says how
// to fix it (may be empty). Exit status follows the batch-mode convention:
// 2 for usage errors (bad flags, malformed input), 1 for everything else.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what, std::string hint = {}, int exit_status = 1)
        : std::runtime_error(what), hint_(std::move(hint)), exit_status_(exit_status) {}
    const std::string& hint() const { return hint_; }
    int exit_status() const { return exit_status_; }
    // The input the error is about ("array", "env", "gpus"), when one is:
    // the engine words its message without naming any face's flag or form
    // field; each face names it its own way (`--array`, the Array field).
    const std::string& field() const { return field_; }

protected:
    std::string field_;

private:
    std::string hint_;
    int exit_status_;
};

// Bad input from the user: exit status 2.
class UsageError : public Error {
public:
    explicit UsageError(const std::string& what, std::string hint = {})
        : Error(what, std::move(hint), 2) {}
    // A bad value of one input, named by the face: what() is the rest.
    static UsageError in(std::string field, const std::string& what, std::string hint = {}) {
        UsageError e(what, std::move(hint));
        e.field_ = std::move(field);
        return e;
    }
};

}  // namespace util
