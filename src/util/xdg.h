// Where rj keeps its files on the laptop, following the XDG base directory spec.
#pragma once

#include <string>
#include <sys/types.h>

namespace util {

// $HOME, else the password database entry of the current user.
std::string home_dir();

// $XDG_DATA_HOME/rj, else ~/.local/share/rj (relative XDG values are ignored, as the spec says).
std::string data_dir();
// $XDG_CONFIG_HOME/rj, else ~/.config/rj.
std::string config_dir();
// $XDG_CACHE_HOME/rj, else ~/.cache/rj.
std::string cache_dir();

// $RJ_DB, else data_dir()/rj.db.
std::string default_db_path();
// $RJ_CONFIG, else config_dir()/config.
std::string default_config_path();

// mkdir -p: creates missing components with `mode`; existing directories are left alone.
// Throws util::Error when a component exists but is not a directory, or mkdir fails.
void make_dirs(const std::string& path, mode_t mode);

// The directory part of a path ("a/b/c" -> "a/b", "c" -> ".", "/c" -> "/").
std::string parent_dir(const std::string& path);

}  // namespace util
