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
    // Which line each event came from: each line alone, framed the same way,
    // gives its own verdict (a line's meaning may not depend on its
    // neighbours), and the events of the whole journal are those verdicts in
    // line order. (Searching the lines for the event's word cannot pair them:
    // a bad line may hold " exit" too.)
    size_t e = 0;
    for (const auto& text : texts) {
        const std::string alone = text + "\n";
        remote::SyncReply one;
        try {
            one = remote::parse_sync("RJ-SYNC v=1 now=1700000000\nRJ-TMUX ok\nRJ-JOURNAL offset=0 size=" +
                                     std::to_string(alone.size()) + " reset=0 more=0 rotated=0 bytes=" +
                                     std::to_string(alone.size()) + "\n" + alone + "\nRJ-END\n");
        } catch (const remote::ProtocolError&) {
            FUZZ_CHECK(!"well-framed one-line sync reply refused");
        }
        FUZZ_CHECK(one.events.size() + static_cast<size_t>(one.bad_lines) == 1);
        if (one.events.empty()) continue;
        FUZZ_CHECK(e < rep.events.size());
        const auto& ev = rep.events[e++];
        const auto& mine = one.events.front();
        FUZZ_CHECK(ev.time == mine.time && ev.id == mine.id && ev.event == mine.event && ev.fields == mine.fields);
        // rj's own lines are short: a longer one is never an event.
        FUZZ_CHECK(text.size() <= 1024);
        // "<time> <id> <event> ...": the event's word is the line's third field.
        const auto words = fuzz::split(text, ' ');
        FUZZ_CHECK(words.size() >= 3 && words[2] == ev.event);
        FUZZ_CHECK(!ev.event.empty() && ev.event.find(' ') == std::string::npos);
        for (const auto& [k, v] : ev.fields) {
            FUZZ_CHECK(k.find(' ') == std::string::npos);
            if (k != "msg") FUZZ_CHECK(v.find(' ') == std::string::npos);
            (void)ev.get(k);
            (void)ev.get_int(k);
            (void)ev.get_double(k);
        }
    }
    FUZZ_CHECK(e == rep.events.size());
    return 0;
}
