// Fuzz target: the journal lines a host returns inside a sync reply
// ("<epoch> <id> <event> k=v ..."). The input is the journal's raw bytes
// (first byte: flags), framed here as the sync script frames them, so the
// fuzzer spends its time on the line splitting and event parsing.
#include "config.h"

#include "fuzz_support.h"
#include "remote/protocol.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool rotated = data[0] & 1, reset = data[0] & 2;
    const int64_t offset = (data[0] >> 2) * int64_t{1000};
    std::string journal = fuzz::bytes(data + 1, size - 1);
    std::string out = "RJ-SYNC v=1 now=1700000000\nRJ-TMUX ok\nRJ-JOURNAL offset=" + std::to_string(offset) +
                      " size=" + std::to_string(offset + static_cast<int64_t>(journal.size())) +
                      " reset=" + (reset ? "1" : "0") + " more=0 rotated=" + (rotated ? "1" : "0") +
                      " bytes=" + std::to_string(journal.size()) + "\n" + journal + "\nRJ-END\n";
    remote::SyncReply rep;
    try {
        rep = remote::parse_sync(out);
    } catch (const remote::ProtocolError&) {
        // A well-framed reply must parse, whatever the journal holds.
        FUZZ_CHECK(!"well-framed sync reply refused");
    }
    // Which bytes count: complete lines only (all of them after a rotation).
    std::string used = journal;
    if (rotated && !used.empty() && used.back() != '\n') used += '\n';
    size_t last = used.rfind('\n');
    used.resize(last == std::string::npos ? 0 : last + 1);
    FUZZ_CHECK(rep.journal_offset == offset);
    FUZZ_CHECK(rep.new_offset == (rotated ? 0 : offset + static_cast<int64_t>(used.size())));
    // Every non-empty complete line is either one event or one bad line, in order.
    size_t lines = 0;
    std::vector<std::string> texts;
    for (const auto& line : fuzz::split(used, '\n'))
        if (!line.empty()) {
            ++lines;
            texts.push_back(line);
        }
    FUZZ_CHECK(rep.events.size() + static_cast<size_t>(rep.bad_lines) == lines);
    size_t t = 0;
    for (const auto& ev : rep.events) {
        // The event's line comes at or after the previous one and holds its word.
        while (t < texts.size() && texts[t].find(" " + ev.event) == std::string::npos) ++t;
        FUZZ_CHECK(t < texts.size());
        FUZZ_CHECK(texts[t].size() <= 1024);
        FUZZ_CHECK(!ev.event.empty() && ev.event.find(' ') == std::string::npos);
        for (const auto& [k, v] : ev.fields) {
            FUZZ_CHECK(k.find(' ') == std::string::npos);
            if (k != "msg") FUZZ_CHECK(v.find(' ') == std::string::npos);
            (void)ev.get(k);
            (void)ev.get_int(k);
            (void)ev.get_double(k);
        }
        ++t;
    }
    return 0;
}
