// Aligned text tables for batch output that fit the terminal width: columns
// are as wide as their widest cell, and the last column is cut to fit.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cli {

class Table {
public:
    explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream& out, int width) const;
    bool empty() const { return rows_.empty(); }

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text (one column per code point; control chars shown as one).
size_t display_width(const std::string& s);
// Cut to at most `width` columns, ending in "…" when cut; never splits a code point.
std::string fit(const std::string& s, size_t width);

}  // namespace cli
