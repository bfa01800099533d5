// store::HostRepo and store::JobEventRepo on real SQLite files.
#include "config.h"

#include <catch2/catch.hpp>

#include "store/database.h"
#include "store/host_repo.h"
#include "store/job_event_repo.h"
#include "store/job_repo.h"
#include "test_support.h"

using store::Database;
using store::HostRepo;
using store::HostState;
using test_support::TempDir;

TEST_CASE("an unknown host reads as a fresh state carrying its name", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    HostRepo repo(db);
    HostState h = repo.get("gpu1");
    CHECK(h.name == "gpu1");
    CHECK(h.journal_offset == 0);
    CHECK_FALSE(h.last_seen);
    CHECK_FALSE(h.offline_since);
    CHECK(repo.all().empty());
}

TEST_CASE("host state round-trips, is replaced by put and survives reopening", "[store]") {
    TempDir tmp;
    std::string path = tmp / "rj.db";
    {
        Database db(path);
        HostRepo repo(db);
        HostState a{"gpu1", 4096, 1700000000, std::nullopt, "", "cpus 32\ngpus 2"};
        HostState b{"lab", 0, std::nullopt, 1700000500, "connection refused", ""};
        repo.put(a);
        repo.put(b);
        CHECK(repo.get("gpu1") == a);
        a.journal_offset = 8192;
        a.offline_since = 1700000900;
        a.last_error = "timeout";
        repo.put(a);
        CHECK(repo.get("gpu1") == a);
    }
    Database db(path);
    HostRepo repo(db);
    auto all = repo.all();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "gpu1");
    CHECK(all[0].journal_offset == 8192);
    CHECK(all[0].info == "cpus 32\ngpus 2");
    CHECK(all[1].name == "lab");
    CHECK(all[1].offline_since == 1700000500);
    repo.remove("lab");
    CHECK(repo.all().size() == 1);
}

TEST_CASE("job events are kept per job in order", "[store]") {
    TempDir tmp;
    Database db(tmp / "rj.db");
    store::JobRepo jobs(db);
    store::JobEventRepo events(db);
    store::Job a, b;
    a.host = b.host = "h";
    a.command = b.command = "x";
    jobs.insert(a);
    jobs.insert(b);
    events.append(a.id, "submitted", "", 10);
    events.append(b.id, "submitted", "", 11);
    events.append(a.id, "exited", "code 0", 20);
    auto got = events.for_job(a.id);
    REQUIRE(got.size() == 2);
    CHECK(got[0].kind == "submitted");
    CHECK(got[0].at == 10);
    CHECK(got[1].kind == "exited");
    CHECK(got[1].detail == "code 0");
    CHECK(got[1].job_id == a.id);
    CHECK(events.for_job(b.id).size() == 1);
    auto before = std::time(nullptr);
    events.append(b.id, "kill");
    CHECK(events.for_job(b.id).back().at >= before);
}
