// Probe history (store/probe_repo.h): one point per host and minute, kept a
// week; read back oldest first.
#include "config.h"

#include <catch2/catch.hpp>

#include "store/database.h"
#include "store/migrations.h"
#include "store/probe_repo.h"
#include "test_support.h"

using namespace store;
using test_support::TempDir;

TEST_CASE("probe history keeps one point per host and minute, reads it back in order, and prunes old points", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    migrate(db);
    ProbeRepo repo(db);
    repo.record("gpu1", {100, 250, 500, std::nullopt});
    repo.record("gpu1", {100, 300, 510, 900});  // the same minute: replaced
    repo.record("gpu1", {102, 50, 400, std::nullopt});
    repo.record("gpu2", {101, 1000, 1000, 1000});
    auto h = repo.history("gpu1", 0);
    REQUIRE(h.size() == 2);
    CHECK(h[0].minute == 100);
    CHECK(h[0].load == 300);
    CHECK(h[0].gpu == 900);
    CHECK(h[1].minute == 102);
    CHECK_FALSE(h[1].gpu.has_value());
    CHECK(repo.history("gpu1", 101).size() == 1);
    CHECK(repo.prune(102) == 2);  // gpu1's minute 100 and gpu2's 101
    CHECK(repo.history("gpu1", 0).size() == 1);
    CHECK(repo.history("gpu2", 0).empty());
    CHECK(kProbeKeepMinutes == 7 * 24 * 60);
}
