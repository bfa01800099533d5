#include "config.h"

#include "store/job_event_repo.h"

#include <ctime>

#include "store/database.h"

namespace store {

int64_t JobEventRepo::append(int64_t job_id, const std::string& kind, const std::string& detail, int64_t at) {
    if (at == 0) at = static_cast<int64_t>(std::time(nullptr));
    auto st = db_.cached("INSERT INTO job_events (job_id, at, kind, detail) VALUES (?, ?, ?, ?)");
    st->bind_all(job_id, at, kind, detail);
    st->run();
    return db_.last_insert_id();
}

std::vector<JobEvent> JobEventRepo::for_job(int64_t job_id) {
    std::vector<JobEvent> events;
    auto st = db_.cached("SELECT id, job_id, at, kind, detail FROM job_events WHERE job_id = ? ORDER BY id");
    st->bind(1, job_id);
    while (st->step())
        events.push_back({st->column_int64(0), st->column_int64(1), st->column_int64(2), st->column_text(3),
                          st->column_text(4)});
    return events;
}

}  // namespace store
