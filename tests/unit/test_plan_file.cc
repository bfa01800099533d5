// Plan files (engine/plan.h): the remote-jobs format read unchanged, rj's
// extensions, and invalid plans refused whole with line and column.
#include <catch2/catch.hpp>

#include "engine/plan.h"
#include "util/error.h"

using engine::parse_plan;

namespace {

// The shape of remote-jobs' test-plan.yaml: no hosts (given by --host).
const char* kHostless = R"(version: 1
jobs:
  - job:
      name: test-hostname
      command: hostname
      description: Test single job

  - parallel:
      name: test-parallel
      jobs:
        - command: echo "Parallel job 1"
          description: Parallel test 1
        - command: echo "Parallel job 2"
          description: Parallel test 2

  - series:
      name: test-series
      wait: success
      jobs:
        - command: echo "Series job 1"
          description: Series test 1
        - command: echo "Series job 2"
          description: Series test 2
)";

std::string error_of(const std::string& text, const std::string& host = "alpha") {
    try {
        parse_plan(text, "p.yaml", host);
    } catch (const util::UsageError& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("the remote-jobs example plan reads unchanged, hosts from --host", "[plan]") {
    auto plan = parse_plan(kHostless, "test-plan.yaml", "studio");
    REQUIRE(plan.jobs.size() == 5);
    for (const auto& j : plan.jobs) CHECK(j.host == "studio");
    CHECK(plan.jobs[0].label() == "test-hostname");
    CHECK(plan.jobs[1].block == "test-parallel");
    CHECK(plan.jobs[1].label() == "echo \"Parallel job 1\"");
    CHECK_FALSE(plan.jobs[1].in_series);
    CHECK(plan.jobs[3].in_series);
    CHECK(plan.jobs[3].series_prev == -1);
    CHECK(plan.jobs[4].series_prev == 3);
    CHECK(plan.jobs[4].queue == "default");
    CHECK_FALSE(plan.jobs[4].series_any);
    CHECK_THAT(error_of(kHostless, ""), Catch::Contains("host missing"));
}

TEST_CASE("blocks share dir and env, a job overrides them", "[plan]") {
    auto plan = parse_plan(R"(version: 1
kill: [12, 19]
jobs:
  - series:
      name: evaluate
      wait: any
      queue: eval
      dir: ~/code/eval
      env: {CUDA_VISIBLE_DEVICES: "0", SEED: 1}
      jobs:
        - host: cool42
          command: python eval.py
          env: {SEED: 2}
        - host: cool42
          dir: /tmp
          command: python clean.py
)",
                           "p.yaml", "");
    CHECK(plan.kill == std::vector<int64_t>{12, 19});
    REQUIRE(plan.jobs.size() == 2);
    CHECK(plan.jobs[0].dir == "~/code/eval");
    CHECK(plan.jobs[1].dir == "/tmp");
    CHECK(plan.jobs[0].env == std::vector<std::pair<std::string, std::string>>{{"CUDA_VISIBLE_DEVICES", "0"}, {"SEED", "2"}});
    CHECK(plan.jobs[1].queue == "eval");
    CHECK(plan.jobs[1].series_any);
}

TEST_CASE("rj's extensions: when as a requirement, pool, after by name", "[plan]") {
    auto plan = parse_plan(R"(version: 1
jobs:
  - job:
      name: prep
      host: alpha
      command: ./prep
  - job:
      name: train
      pool: gpu
      require: gpu:2
      command: ./train
      after: prep
  - job:
      host: beta
      command: ./eval
      after: [prep, train]
      when:
        cpu_below: 30
        ram_free_gb: 16
        gpu: {device: any, util_below: 40, memory_free_gb: 12}
)",
                           "p.yaml", "");
    CHECK(plan.jobs[1].pool == "gpu");
    CHECK(plan.jobs[1].host.empty());
    CHECK(plan.jobs[1].require == "gpu:2");
    CHECK(plan.jobs[1].after == std::vector<std::string>{"prep"});
    CHECK(plan.jobs[2].require == "mem:16G,cpu_below:30,gpu_device:any,gpu_util_below:40,gpu_mem_free:12G");
}

// Seen reading the parser for tests/fuzz/fuzz_plan, confirmed by it under
// UBSan (corpus plan/found-*): "ram_free_gb: inf" (or 1e300)
// times 2^30 did not fit the int64 of bytes: undefined behaviour.
TEST_CASE("plan numbers are bounded: inf and huge sizes are refused, not converted", "[plan]") {
    CHECK_THAT(error_of("version: 1\njobs:\n  - job: {command: ls, when: {ram_free_gb: 1e300}}\n"),
               Catch::Contains("ram_free_gb: must be a number from 0 to 1000000000, not '1e300'"));
    CHECK_THAT(error_of("version: 1\njobs:\n  - job: {command: ls, when: {gpu: {memory_free_gb: inf}}}\n"),
               Catch::Contains("memory_free_gb: must be a number"));
    CHECK_THAT(error_of("version: 1\njobs:\n  - job: {command: ls, when: {cpu_below: nan}}\n"),
               Catch::Contains("cpu_below: must be a number"));
    auto plan = parse_plan("version: 1\njobs:\n  - job: {command: ls, when: {ram_free_gb: 1000000000}}\n", "p.yaml", "a");
    CHECK(plan.jobs.size() == 1);
}

TEST_CASE("an invalid plan is refused with line, column and reason", "[plan]") {
    CHECK(error_of("version: 1\njobs:\n  - job:\n      host: a\n      comand: ls\n") ==
          "p.yaml:5:7: jobs[0].job: unknown key 'comand'");
    CHECK(error_of("jobs:\n  - job: {host: a, command: ls}\n") ==
          "p.yaml:1:1: plan file missing required version: set version: 1");
    CHECK(error_of("version: 2\njobs: []\n") == "p.yaml:1:10: version: unsupported plan version '2'");
    CHECK_THAT(error_of("version: 1\njobs:\n  - job: {host: a, command: [ls\n"), Catch::StartsWith("p.yaml:4:1: not valid YAML"));
    CHECK(error_of("version: 1\njobs:\n  - job: {host: a}\n") == "p.yaml:3:10: jobs[0].job: missing command");
    CHECK(error_of("version: 1\njobs:\n  - series:\n      wait: sometimes\n      jobs: [{command: ls}]\n") ==
          "p.yaml:4:13: jobs[0].series.wait: must be 'success' or 'any'");
    CHECK(error_of("version: 1\njobs:\n  - series:\n      jobs:\n        - {host: a, command: ls}\n"
                   "        - {host: b, command: ls}\n") ==
          "p.yaml:6: jobs[0].series.jobs[1]: series block jobs must target the same host (found a and b)");
    CHECK(error_of("version: 1\njobs:\n  - job: {command: ls, after: later}\n  - job: {name: later, command: ls}\n") ==
          "p.yaml:3: jobs[0].job: after: 'later' names no earlier job of the plan");
    CHECK_THAT(error_of("version: 1\njobs:\n  - job: {command: ls, env: {1BAD: x}}\n"), Catch::StartsWith("p.yaml:3:"));
    CHECK_THAT(error_of("version: 1\njobs:\n  - job: {command: ls, when: {gpu: {device: first}}}\n"),
               Catch::Contains("device: must be any or a GPU index"));
    CHECK_THAT(error_of("version: 1\nkill: [x]\njobs: [{job: {command: ls}}]\n"), Catch::Contains("kill[0]: must be a job id"));
    CHECK_THAT(error_of("version: 1\njobs:\n  - job: {command: ls}\n    parallel: {jobs: [{command: ls}]}\n"),
               Catch::Contains("cannot contain more than one of job/parallel/series"));
}
