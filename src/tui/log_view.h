// The detail pane's log: the lines fetched so far for one job, where the
// next follow request starts (a byte offset), and the scroll position. While
// `follow` is on the view sticks to the bottom as new output arrives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tui {

class LogView {
public:
    void reset(int64_t job_id);
    int64_t job_id() const { return job_id_; }

    // Appends fetched bytes (may end mid-line; the partial line is kept open).
    void append(const std::string& bytes);
    // Replaces everything (a cached tail, or the first fetch).
    void replace(const std::string& bytes);

    const std::vector<std::string>& lines() const { return lines_; }
    size_t line_count() const { return lines_.size() + (partial_.empty() ? 0 : 1); }
    std::string line(size_t i) const;

    // Scrolling: the index of the first shown line for a pane `height` rows tall.
    size_t first_line(int height) const;
    void scroll_by(long delta, int height);
    void to_top() { follow_ = false; top_ = 0; }
    void to_bottom() { follow_ = true; }
    bool following() const { return follow_; }

    // Fetch state, owned by whoever polls the log.
    bool loaded = false;      // the first fetch came back
    bool in_flight = false;
    bool cached = false;      // the host was offline: this is the last cached tail
    int64_t cached_at = 0;
    bool running = false;     // the job still runs (keep polling)
    int64_t next_offset = 0;
    std::string error;

private:
    void add(const std::string& bytes);
    int64_t job_id_ = 0;
    std::vector<std::string> lines_;
    std::string partial_;  // raw bytes after the last newline
    bool follow_ = true;
    size_t top_ = 0;
};

// Lines kept per log; older ones are dropped (the host keeps the whole file).
inline constexpr size_t kMaxLogLines = 20000;
// Bytes of an unfinished line kept before it is shown as cut.
inline constexpr size_t kMaxPartialLine = 64 * 1024;

}  // namespace tui
