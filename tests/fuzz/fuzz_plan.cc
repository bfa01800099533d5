// Fuzz target: the plan file parser (engine::parse_plan, YAML through
// yaml-cpp). Anything wrong may only throw util::Error (UsageError naming
// ORIGIN:LINE:COLUMN); what it accepts is a consistent list of jobs.
#include "config.h"

#include "engine/plan.h"
#include "fuzz_support.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text = fuzz::bytes(data, size);
    engine::Plan plan;
    try {
        plan = engine::parse_plan(text, "fuzz.yaml", "defhost");
    } catch (const util::Error& e) {
        FUZZ_CHECK(std::string(e.what()).find("fuzz.yaml") != std::string::npos);
        return 0;
    }
    for (size_t i = 0; i < plan.jobs.size(); ++i) {
        const auto& j = plan.jobs[i];
        FUZZ_CHECK(!j.command.empty());
        FUZZ_CHECK(j.series_prev >= -1 && j.series_prev < static_cast<int>(i));
        if (j.series_prev >= 0) FUZZ_CHECK(j.in_series);
        FUZZ_CHECK(!j.label().empty());
    }
    return 0;
}
