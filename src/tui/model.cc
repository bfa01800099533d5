#include "config.h"

#include "tui/model.h"

namespace tui {

const char* filter_name(StatusFilter f) {
    switch (f) {
        case StatusFilter::All: return "all";
        case StatusFilter::Active: return "active";
        case StatusFilter::Succeeded: return "succeeded";
        case StatusFilter::Failed: return "failed";
    }
    return "all";
}

std::vector<std::string> filter_statuses(StatusFilter f) {
    namespace s = store::status;
    switch (f) {
        case StatusFilter::All: return {};
        case StatusFilter::Active: return {s::pending, s::starting, s::running};
        case StatusFilter::Succeeded: return {s::completed};
        case StatusFilter::Failed: return {s::failed, s::killed, s::timeout, s::dead};
    }
    return {};
}

}  // namespace tui
