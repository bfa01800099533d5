// Internal to src/remote: the pieces every script builder uses (build.cc),
// shared with the SLURM builders (slurm_build.cc).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "remote/protocol.h"

namespace remote::detail {

void assign(std::string& s, const char* name, std::string_view value);
void assign_num(std::string& s, const char* name, int64_t value);
// The header: what the script is, RJ_DIR_ARG and RJ_SP (checked).
std::string begin(const char* what, const RemoteDir& dir);
// The prelude and the bodies, then the one call of `entry` that runs it all.
std::string finish(std::string s, std::initializer_list<std::string_view> bodies, const char* entry = "rj_main");
std::string id_list(const std::vector<int64_t>& ids);
// Checks a job spec and assigns its data as submit writes it (RJ_WORKDIR,
// RJ_COMMAND, ..., the wrapper); RJ_ID and RJ_ENVTEXT are the caller's.
void assign_checked_job(std::string& s, const JobSpec& spec);
std::string env_file_text(int64_t id, const std::vector<std::pair<std::string, std::string>>& vars);

}  // namespace remote::detail
