// engine/lifecycle: every cell of the table, its writers on a real SQLite
// database, and docs/ARCHITECTURE.md printing the same table as the code.
#include "config.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/lifecycle.h"
#include "store/database.h"
#include "store/job_event_repo.h"
#include "store/job_repo.h"
#include "test_support.h"

namespace lc = engine::lifecycle;
using lc::Event;
using store::Status;

namespace {

// The statuses in the order of the expectations below.
const std::vector<Status> kOrder = {Status::Pending,  Status::Queued, Status::Starting, Status::Running,
                                    Status::Completed, Status::Failed, Status::Killed,   Status::Timeout,
                                    Status::Dead,      Status::Cancelled};

// What each event makes of a job in each status of kOrder, written out by
// hand (not derived from the table): "-" does not apply, "=" stays, else
// the new status. Events with several outcomes are checked below.
const std::map<Event, std::string> kExpected = {
    {Event::Created, "- - - - - - - - - -"},
    {Event::CreatedHeld, "- - - - - - - - - -"},
    {Event::CreatedArray, "- - - - - - - - - -"},
    {Event::Placed, "starting - - - - - - - - -"},
    {Event::Sent, "queued - queued - - - - - - -"},
    {Event::SendFailedKept, "- = = - - - - - - -"},
    {Event::SendFailedPending, "- - pending - - - - - - -"},
    {Event::SendFailedRemoved, "- = = - - - - - - -"},
    {Event::SendFailedReturned, "- - pending - - - - - - -"},
    {Event::SendFailedRefused, "- - failed - - - - - - -"},
    {Event::Started, "running running running running - - - - - -"},
    {Event::Lost, "dead dead dead dead - - - - - -"},
    {Event::KillRequested, "= = = = - - - - - -"},
    {Event::Killed, "killed killed killed killed - - - - - -"},
    {Event::Cancelled, "cancelled cancelled cancelled cancelled - - - - - -"},
    {Event::CancelledDependency, "cancelled - - - - - - - - -"},
    {Event::Held, "= = = - - - - - - -"},
    {Event::Released, "= = = - - - - - - -"},
    {Event::Moved, "starting starting starting - - - - - - -"},
    {Event::Retried, "= - = - - - - - - -"},
};

std::string row_of(Event e, std::optional<Status> chosen = {}) {
    std::string out;
    for (Status s : kOrder) {
        auto n = lc::next(e, s, chosen);
        out += out.empty() ? "" : " ";
        out += !n ? "-" : *n == s && lc::rule(e).to.size() != 1 ? "=" : store::to_string(*n);
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string srcdir() {
    const char* src = std::getenv("RJ_SRCDIR");
    if (src && *src) return src;
    std::string top = __FILE__;
    top = top.substr(0, top.rfind("tests/unit/"));
    return top.empty() ? "." : top;
}

struct Db {
    test_support::TempDir tmp;
    store::Database db{tmp / "rj.db"};
    store::JobRepo jobs{db};

    int64_t job(Status s) {
        store::Job j;
        j.host = "h";
        j.command = "true";
        j.status = s;
        return jobs.insert(j);
    }
    Status status(int64_t id) { return jobs.get(id)->status; }
    std::vector<std::string> ignored(int64_t id) {
        std::vector<std::string> out;
        for (const auto& e : store::JobEventRepo(db).for_job(id))
            if (e.kind == "ignored") out.push_back(e.detail);
        return out;
    }
};

}  // namespace

TEST_CASE("lifecycle: every event has one row, in order", "[lifecycle]") {
    const auto& t = lc::table();
    REQUIRE(t.size() == static_cast<size_t>(Event::TasksChanged) + 1);
    for (size_t i = 0; i < t.size(); ++i) CHECK(static_cast<size_t>(t[i].event) == i);
    for (const auto& [e, _] : kExpected) CHECK(&lc::rule(e) == &t[static_cast<size_t>(e)]);
}

TEST_CASE("lifecycle: each cell of the single-outcome events", "[lifecycle]") {
    for (const auto& [e, want] : kExpected) {
        INFO(lc::rule(e).name);
        CHECK(row_of(e) == want);
    }
}

TEST_CASE("lifecycle: an end takes the status its record names, only from a job that has not ended", "[lifecycle]") {
    CHECK(row_of(Event::Ended, Status::Completed) == "completed completed completed completed - - - - - -");
    CHECK(row_of(Event::Ended, Status::Failed) == "failed failed failed failed - - - - - -");
    CHECK(row_of(Event::Ended, Status::Timeout) == "timeout timeout timeout timeout - - - - - -");
    // Not an outcome of "ended" (those are lost, killed, cancelled), or none named.
    CHECK(row_of(Event::Ended, Status::Dead) == "- - - - - - - - - -");
    CHECK(row_of(Event::Ended) == "- - - - - - - - - -");
    CHECK(lc::event_for_end(Status::Completed) == Event::Ended);
    CHECK(lc::event_for_end(Status::Failed) == Event::Ended);
    CHECK(lc::event_for_end(Status::Timeout) == Event::Ended);
    CHECK(lc::event_for_end(Status::Dead) == Event::Lost);
    CHECK(lc::event_for_end(Status::Killed) == Event::Killed);
    CHECK(lc::event_for_end(Status::Cancelled) == Event::Cancelled);
}

TEST_CASE("lifecycle: an array's row follows its tasks from any status", "[lifecycle]") {
    for (Status to : {Status::Running, Status::Queued, Status::Completed, Status::Failed, Status::Killed,
                      Status::Cancelled}) {
        for (Status from : kOrder) CHECK(lc::next(Event::TasksChanged, from, to) == to);
    }
    CHECK_FALSE(lc::next(Event::TasksChanged, Status::Running, Status::Dead));
}

TEST_CASE("lifecycle: new rows start as their creation says", "[lifecycle]") {
    CHECK(lc::created(Event::Created) == Status::Starting);
    CHECK(lc::created(Event::CreatedHeld) == Status::Pending);
    CHECK(lc::created(Event::CreatedArray) == Status::Queued);
    CHECK_THROWS(lc::created(Event::Started));
}

TEST_CASE("lifecycle: one place decides what a failed send leaves", "[lifecycle]") {
    // submit, queue submit, SLURM submit: maybe ran > unreachable with --queue-on-fail > removed.
    CHECK(lc::after_send_failure(true, true, true) == Event::SendFailedKept);
    CHECK(lc::after_send_failure(true, false, false) == Event::SendFailedKept);
    CHECK(lc::after_send_failure(false, true, true) == Event::SendFailedPending);
    CHECK(lc::after_send_failure(false, true, false) == Event::SendFailedRemoved);
    CHECK(lc::after_send_failure(false, false, true) == Event::SendFailedRemoved);
    // A laptop-placed job: GPUs taken or host unreachable, back to the laptop; refused, failed.
    CHECK(lc::after_placed_send_failure(true, true, false) == Event::SendFailedReturned);
    CHECK(lc::after_placed_send_failure(false, true, true) == Event::SendFailedKept);
    CHECK(lc::after_placed_send_failure(false, false, true) == Event::SendFailedReturned);
    CHECK(lc::after_placed_send_failure(false, false, false) == Event::SendFailedRefused);
}

TEST_CASE("lifecycle: a late start for an ended job changes nothing and is logged", "[lifecycle]") {
    Db d;
    int64_t id = d.job(Status::Starting);
    store::JobEnd end;
    end.status = Status::Completed;
    end.exit_code = 0;
    end.ended_at = 1700000100;
    REQUIRE(lc::end(d.jobs, id, end));
    CHECK_FALSE(lc::start(d.jobs, id, 4242, 1700000000));
    auto j = d.jobs.get(id);
    CHECK(j->status == Status::Completed);
    CHECK_FALSE(j->pid);
    CHECK(d.ignored(id) == std::vector<std::string>{"started while completed"});
    // A second end (a kill answer after the journal's exit) is the first writer's.
    end.status = Status::Killed;
    CHECK_FALSE(lc::end(d.jobs, id, end, "late"));
    CHECK(d.status(id) == Status::Completed);
    CHECK(d.jobs.get(id)->error.empty());
    CHECK(d.ignored(id).size() == 2);
}

TEST_CASE("lifecycle: the same news again is no news", "[lifecycle]") {
    Db d;
    int64_t id = d.job(Status::Starting);
    CHECK(lc::apply(d.jobs, id, Event::Sent));
    CHECK(d.status(id) == Status::Queued);
    CHECK_FALSE(lc::apply(d.jobs, id, Event::Sent));  // queued, and reported queued at every sync
    CHECK(d.ignored(id).empty());
}

TEST_CASE("lifecycle: a dependency that can never be met cancels only a waiting job, through the end path",
          "[lifecycle]") {
    Db d;
    int64_t waiting = d.job(Status::Pending);
    int64_t sent = d.job(Status::Starting);  // another rj placed it meanwhile
    CHECK(lc::end_now(d.jobs, waiting, Event::CancelledDependency, "job 7 failed"));
    auto j = d.jobs.get(waiting);
    CHECK(j->status == Status::Cancelled);
    CHECK(j->ended_at);
    CHECK(j->error == "job 7 failed");
    CHECK_FALSE(lc::end_now(d.jobs, sent, Event::CancelledDependency, "job 7 failed"));
    CHECK(d.status(sent) == Status::Starting);
    CHECK(d.ignored(sent) == std::vector<std::string>{"cancelled (dependency never met) while starting"});
}

TEST_CASE("lifecycle: each failed send leaves what its row says", "[lifecycle]") {
    Db d;
    int64_t kept = d.job(Status::Starting), pend = d.job(Status::Starting), gone = d.job(Status::Starting),
            refused = d.job(Status::Starting), back = d.job(Status::Starting), ran = d.job(Status::Running);
    CHECK(lc::send_failed(d.jobs, kept, Event::SendFailedKept, "timed out"));
    CHECK(d.status(kept) == Status::Starting);
    CHECK(d.jobs.get(kept)->error == "timed out");
    CHECK(lc::send_failed(d.jobs, pend, Event::SendFailedPending, "unreachable"));
    CHECK(d.status(pend) == Status::Pending);
    CHECK(d.jobs.get(pend)->error == "unreachable");
    CHECK(lc::send_failed(d.jobs, gone, Event::SendFailedRemoved, "refused"));
    CHECK_FALSE(d.jobs.get(gone));
    CHECK(lc::send_failed(d.jobs, refused, Event::SendFailedRefused, "no such directory"));
    CHECK(d.status(refused) == Status::Failed);
    CHECK(d.jobs.get(refused)->ended_at);
    CHECK(lc::send_failed(d.jobs, back, Event::SendFailedReturned, "unreachable", "@gpus"));
    CHECK(d.status(back) == Status::Pending);
    CHECK(d.jobs.get(back)->laptop_wait);
    CHECK(d.jobs.get(back)->host == "@gpus");
    // A job that runs already (a sync found it) is not removed by a late failure.
    CHECK_FALSE(lc::send_failed(d.jobs, ran, Event::SendFailedRemoved, "late"));
    CHECK(d.status(ran) == Status::Running);
}

TEST_CASE("lifecycle: a move starts a waiting job again on its new host, not an ended one", "[lifecycle]") {
    Db d;
    int64_t id = d.job(Status::Queued), done = d.job(Status::Completed);
    store::Job j = *d.jobs.get(id);
    j.host = "other";
    CHECK(lc::move(d.jobs, j));
    CHECK(d.status(id) == Status::Starting);
    CHECK(d.jobs.get(id)->host == "other");
    store::Job k = *d.jobs.get(done);
    k.host = "other";
    CHECK_FALSE(lc::move(d.jobs, k));
    CHECK(d.status(done) == Status::Completed);
    CHECK(d.jobs.get(done)->host == "h");
}

TEST_CASE("lifecycle: docs/ARCHITECTURE.md prints the table the code holds", "[lifecycle]") {
    std::string doc = read_file(srcdir() + "/docs/ARCHITECTURE.md");
    REQUIRE_FALSE(doc.empty());
    const std::string begin = "<!-- lifecycle table: engine::lifecycle::table_text() -->\n";
    const std::string end = "<!-- end of lifecycle table -->";
    auto b = doc.find(begin);
    REQUIRE(b != std::string::npos);
    b += begin.size();
    auto e = doc.find(end, b);
    REQUIRE(e != std::string::npos);
    CHECK(doc.substr(b, e - b) == lc::table_text());
}
