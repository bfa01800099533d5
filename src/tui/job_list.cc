#include "config.h"

#include "tui/job_list.h"

#include <algorithm>

#include "engine/queries.h"

namespace tui {

namespace {
// Rows loaded beyond the visible ones, above and below.
constexpr int64_t kMargin = 20;
}  // namespace

void JobList::set_filter(store::JobFilter filter) {
    filter_ = std::move(filter);
    filter_.limit = 0;
    filter_.before_id = 0;
    cursor_ = top_ = 0;
    rows_.clear();
    window_start_ = window_anchor_ = 0;
    refresh();
}

void JobList::set_height(int rows) {
    height_ = std::max(1, rows);
    ensure_visible();
}

int64_t JobList::count_before(int64_t before_id) {
    store::JobFilter f = filter_;
    f.before_id = before_id;
    ++queries_;
    return engine::count_jobs(engine_, f);
}

const store::Job* JobList::at(int64_t index) const {
    int64_t i = index - window_start_;
    if (index < 0 || i < 0 || i >= static_cast<int64_t>(rows_.size())) return nullptr;
    return &rows_[static_cast<size_t>(i)];
}

int64_t JobList::anchor_for(int64_t index) {
    if (index <= 0) return 0;
    if (const store::Job* above = at(index - 1)) return above->id;
    // The window should start right below the row at index-1, i.e. at the
    // smallest id X with count(id < X) >= total - index... found by bisection
    // over ids (count is monotonic in X); ~17 index range counts for 100k jobs.
    int64_t want = total_ - index;
    store::JobFilter newest = filter_;
    newest.limit = 1;
    ++queries_;
    auto first = engine::list_jobs(engine_, newest);
    if (first.empty()) return 0;
    int64_t lo = 1, hi = first.front().id + 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (count_before(mid) >= want) hi = mid;
        else lo = mid + 1;
    }
    // `lo` is one past the id at `index`; the row at index-1 has an id >= lo,
    // so "id < lo" starts exactly at `index`.
    return lo;
}

void JobList::load_window(int64_t start) {
    start = std::max<int64_t>(0, start);
    int64_t anchor = anchor_for(start);
    store::JobFilter f = filter_;
    f.before_id = anchor;
    f.limit = height_ + 2 * static_cast<int>(kMargin);
    ++queries_;
    rows_ = engine::list_jobs(engine_, f);
    window_start_ = start;
    window_anchor_ = anchor;
}

void JobList::ensure_visible() {
    if (total_ <= 0) {
        cursor_ = top_ = 0;
        return;
    }
    cursor_ = std::clamp<int64_t>(cursor_, 0, total_ - 1);
    if (cursor_ < top_) top_ = cursor_;
    if (cursor_ >= top_ + height_) top_ = cursor_ - height_ + 1;
    top_ = std::clamp<int64_t>(top_, 0, std::max<int64_t>(0, total_ - height_));
    int64_t last = std::min(total_, top_ + height_);
    int64_t have_end = window_start_ + static_cast<int64_t>(rows_.size());
    if (top_ < window_start_ || last > have_end) load_window(top_ - kMargin);
}

std::vector<store::Job> JobList::visible() const {
    std::vector<store::Job> v;
    for (int64_t i = top_; i < top_ + height_; ++i)
        if (const store::Job* j = at(i)) v.push_back(*j);
    return v;
}

bool JobList::refresh() {
    int64_t old_total = total_, old_cursor = cursor_, old_top = top_;
    std::vector<store::Job> before = visible();
    int64_t selected_id = 0;
    if (const store::Job* j = selected()) selected_id = j->id;
    int64_t cursor_offset = cursor_ - top_;
    ++queries_;
    total_ = engine::count_jobs(engine_, filter_);
    // Reload the same stretch of ids: new jobs above shift it down.
    store::JobFilter f = filter_;
    f.before_id = window_anchor_;
    f.limit = height_ + 2 * static_cast<int>(kMargin);
    ++queries_;
    rows_ = engine::list_jobs(engine_, f);
    window_start_ = window_anchor_ > 0 ? total_ - count_before(window_anchor_) : 0;
    bool found = false;
    for (size_t i = 0; i < rows_.size() && selected_id; ++i) {
        if (rows_[i].id == selected_id) {
            int64_t idx = window_start_ + static_cast<int64_t>(i);
            // At the very top, stay there so new jobs come into view.
            if (cursor_ != 0 || top_ != 0) {
                top_ = std::max<int64_t>(0, idx - cursor_offset);
                cursor_ = idx;
            }
            found = true;
            break;
        }
    }
    if (!found && selected_id && cursor_ > 0) select_id(selected_id);
    ensure_visible();
    return total_ != old_total || cursor_ != old_cursor || top_ != old_top || visible() != before;
}

void JobList::step(int64_t delta) { move_to(cursor_ + delta); }

void JobList::move_to(int64_t index) {
    if (total_ <= 0) return;
    cursor_ = std::clamp<int64_t>(index, 0, total_ - 1);
    ensure_visible();
}

bool JobList::select_id(int64_t id) {
    store::JobFilter f = filter_;
    f.before_id = id + 1;
    ++queries_;
    // The job itself must match the filter.
    f.limit = 1;
    auto rows = engine::list_jobs(engine_, f);
    if (rows.empty() || rows.front().id != id) return false;
    int64_t index = total_ - count_before(id + 1);
    move_to(index);
    return true;
}

}  // namespace tui
