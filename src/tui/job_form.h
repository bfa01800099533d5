// The new-job form (n) and the edit-and-restart form (R): building the
// fields, and turning them back into an engine::SubmitRequest, checking every
// field first so that errors show inline and nothing is sent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/jobs.h"
#include "util/error.h"
#include "tui/form.h"

namespace tui {

enum JobField : size_t { FHost, FDir, FCommand, FDescription, FEnv, FTimeout, FQueue, FGpus, FIfOffline, FCount_ };

// Fields pre-filled from `request` (empty for a new job); hosts complete the host field.
std::vector<Field> job_form_fields(const engine::SubmitRequest& request, const std::vector<std::string>& hosts);

// Checks the fields and builds the request. On a problem, sets the field's
// error and returns nullopt. `engine` checks the host name. `opened_with`
// (what the form was filled from) supplies what the form does not show: a
// queued job's priority and array, the idle timeout.
std::optional<engine::SubmitRequest> job_form_request(std::vector<Field>& fields, engine::Engine& engine,
                                                      const engine::SubmitRequest& opened_with = {});

// Why `name` is not a queue name ("" when it is): 1 to 32 letters, digits, _ and -,
// as the host's runner takes them.
std::string queue_name_problem(const std::string& name);

// Words as a shell would split them: spaces separate, '...' and "..." quote,
// backslash escapes. Throws util::UsageError on an unclosed quote.
std::vector<std::string> split_words(const std::string& text);

// K=V pairs as one line that split_words() reads back exactly.
std::string join_env(const std::vector<std::pair<std::string, std::string>>& env);

// An engine error about one input, named as this form names it ("GPUs:
// must be between 0 and 64"), with its hint.
std::string form_error_text(const util::Error& e);

}  // namespace tui
