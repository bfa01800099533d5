// The Jobs pane's model: a virtualised window over the job table. Only the
// rows around the visible ones are loaded, with keyset paging (newest first,
// `before_id`), so 100 000 jobs cost what 100 do. Positions are found with
// COUNT queries on the same indexes, never by loading the rows above.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/engine.h"
#include "store/job.h"

namespace store {
class Database;
}

namespace tui {

class JobList {
public:
    explicit JobList(engine::Engine& engine) : engine_(engine) {}

    // A new filter: back to the top.
    void set_filter(store::JobFilter filter);
    const store::JobFilter& filter() const { return filter_; }
    // Rows the pane shows at once (the page size).
    void set_height(int rows);
    int height() const { return height_; }

    // Reloads after the database changed (sync, submit, another rj), keeping
    // the selected job selected when it still matches. Returns whether what the
    // pane shows changed (so an idle sync does not cause a redraw).
    bool refresh();

    int64_t size() const { return total_; }
    int64_t cursor() const { return cursor_; }
    int64_t top() const { return top_; }
    // The job at `index` (must be within [top, top + height)), or nullptr.
    const store::Job* at(int64_t index) const;
    const store::Job* selected() const { return at(cursor_); }

    void step(int64_t delta);
    void page(int pages) { step(static_cast<int64_t>(pages) * height_); }
    void home() { move_to(0); }
    void end() { move_to(total_ - 1); }
    void move_to(int64_t index);
    // Selects the job with this id when it is in the filtered list.
    bool select_id(int64_t id);

    // Queries run so far (tests and the benchmark look at it).
    uint64_t queries() const { return queries_; }

private:
    int64_t count_before(int64_t before_id);
    // before_id that starts a window at `index` (0: from the newest).
    int64_t anchor_for(int64_t index);
    void load_window(int64_t start);
    void ensure_visible();
    std::vector<store::Job> visible() const;

    engine::Engine& engine_;
    store::JobFilter filter_;
    int height_ = 10;
    int64_t total_ = 0;
    int64_t cursor_ = 0;
    int64_t top_ = 0;
    int64_t window_start_ = 0;   // index of rows_[0]
    int64_t window_anchor_ = 0;  // before_id rows_ were loaded with
    std::vector<store::Job> rows_;
    uint64_t queries_ = 0;
};

}  // namespace tui
