#include "config.h"

#include "tui/log_view.h"

#include <algorithm>

#include "tui/text.h"

namespace tui {

void LogView::reset(int64_t job_id) {
    *this = LogView();
    job_id_ = job_id;
}

void LogView::add(const std::string& bytes) {
    std::string text = partial_ + bytes;
    partial_.clear();
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) {
            partial_ = text.substr(start);
            break;
        }
        lines_.push_back(sanitize(std::string_view(text).substr(start, nl - start)));
        start = nl + 1;
    }
    // The open line stays bounded: a progress bar redrawn with \r collapses
    // to what a terminal would show, and a line that never ends is cut.
    if (size_t cr = partial_.rfind('\r'); cr != std::string::npos && cr > 0)
        partial_ = sanitize(std::string_view(partial_).substr(0, cr)) + partial_.substr(cr);
    if (partial_.size() > kMaxPartialLine) {
        lines_.push_back(sanitize(partial_) + " [cut]");
        partial_.clear();
    }
    if (lines_.size() > kMaxLogLines) {
        size_t drop = lines_.size() - kMaxLogLines;
        lines_.erase(lines_.begin(), lines_.begin() + static_cast<long>(drop));
        top_ = top_ > drop ? top_ - drop : 0;
    }
}

void LogView::append(const std::string& bytes) { add(bytes); }

void LogView::replace(const std::string& bytes) {
    lines_.clear();
    partial_.clear();
    top_ = 0;
    add(bytes);
}

std::string LogView::line(size_t i) const {
    if (i < lines_.size()) return lines_[i];
    return sanitize(partial_);
}

size_t LogView::first_line(int height) const {
    size_t n = line_count();
    size_t h = static_cast<size_t>(std::max(1, height));
    size_t bottom = n > h ? n - h : 0;
    return follow_ ? bottom : std::min(top_, bottom);
}

void LogView::scroll_by(long delta, int height) {
    size_t n = line_count();
    size_t h = static_cast<size_t>(std::max(1, height));
    size_t bottom = n > h ? n - h : 0;
    long pos = static_cast<long>(first_line(height)) + delta;
    pos = std::clamp<long>(pos, 0, static_cast<long>(bottom));
    top_ = static_cast<size_t>(pos);
    follow_ = top_ >= bottom;
}

}  // namespace tui
