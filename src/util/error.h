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

private:
    std::string hint_;
    int exit_status_;
};

// Bad input from the user: exit status 2.
class UsageError : public Error {
public:
    explicit UsageError(const std::string& what, std::string hint = {})
        : Error(what, std::move(hint), 2) {}
};

}  // namespace util
