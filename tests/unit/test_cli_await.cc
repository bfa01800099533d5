// The batch commands' one way of waiting for the engine: an answer is
// returned; no answer within the deadline is an error naming the operation.
#include "config.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "cli/command.h"
#include "test_support.h"

using test_support::TempDir;

namespace {

struct Rig {
    TempDir tmp;
    event::Loop loop;
    std::unique_ptr<engine::Engine> engine;
    std::ostringstream out, err;
    std::unique_ptr<cli::Context> ctx;
    Rig() {
        std::ofstream(tmp / "ssh_config") << "Host alpha\n";
        engine::EngineOptions o;
        o.ssh_config_path = tmp / "ssh_config";
        o.db_path = tmp / "rj.db";
        o.config_path = tmp / "config";
        engine = std::make_unique<engine::Engine>(loop, o);
        ctx = std::make_unique<cli::Context>(cli::Context{*engine, out, err, false, 80, false, {}});
    }
};

}  // namespace

TEST_CASE("await returns the answer an operation gives later on the loop", "[cli]") {
    Rig rig;
    int got = cli::await<int>(*rig.ctx, "answer", [&](auto done) {
        rig.loop.after(std::chrono::milliseconds(20), [done] { done(42); });
    });
    CHECK(got == 42);
}

TEST_CASE("await gives up at its deadline with an error naming the operation, and a late answer is harmless", "[cli]") {
    Rig rig;
    std::function<void(int)> keep;
    CHECK_THROWS_WITH(cli::await<int>(*rig.ctx, "sync alpha", [&](auto done) { keep = done; },
                                      std::chrono::milliseconds(50)),
                      Catch::Contains("sync alpha: no answer within"));
    keep(7);  // the answer lands in state the caller no longer reads
    size_t answers = 0;
    CHECK_THROWS_WITH(cli::wait_for(*rig.ctx, "kill", [&] { return answers == 2; }, std::chrono::milliseconds(50)),
                      Catch::Contains("kill: no answer"));
}
