// What remote-jobs users type, read with remote-jobs' meaning (issue 21):
// the small parsing rules where the two tools' command lines differ.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cli {

// An age for --older-than: a bare number is days (remote-jobs' unit: `cleanup
// --older-than 3` keeps three days of jobs); a duration with a unit (90s,
// 30m, 2h, 1w) is read as written. UsageError naming `flag` otherwise.
int64_t parse_age_seconds(const std::string& text, const std::string& flag);

// The words given to -e, split into K=V assignments: `-e A=1,B=2` sets two
// variables, as remote-jobs' -e does. `\,` is a comma inside a value; a piece
// that does not start with NAME= continues the previous value (so
// `-e PATH=/a,/b` stays one variable). Checked by engine::parse_env_assignment.
std::vector<std::string> split_env_words(const std::vector<std::string>& words);

// remote-jobs' command lines that are rj commands under other words, written
// as those commands: `job log 3` is `log 3`, `host jobs H` is `list --host H`,
// `list --show 3` is `show 3`, `run H --kill 3` is `kill 3`. `words` starts
// with the command name; anything else is returned unchanged. `queue add` is
// left to the caller (it needs run's options to read --queue).
std::vector<std::string> rewrite_remote_jobs_words(std::vector<std::string> words);

}  // namespace cli
