#include "config.h"

#include "store/probe_repo.h"

#include "store/database.h"

namespace store {

void ProbeRepo::record(const std::string& host, const ProbeSample& s) {
    auto st = db_.cached("INSERT OR REPLACE INTO host_probes (host, minute, load, mem, gpu) VALUES (?, ?, ?, ?, ?)");
    auto opt = [](const std::optional<int>& v) { return v ? std::optional<int64_t>(*v) : std::nullopt; };
    st->bind_all(host, s.minute, opt(s.load), opt(s.mem), opt(s.gpu));
    st->run();
}

std::vector<ProbeSample> ProbeRepo::history(const std::string& host, int64_t since_minute) {
    std::vector<ProbeSample> out;
    auto st = db_.cached("SELECT minute, load, mem, gpu FROM host_probes WHERE host = ? AND minute >= ? ORDER BY minute");
    st->bind(1, host).bind(2, since_minute);
    while (st->step()) {
        ProbeSample s;
        s.minute = st->column_int64(0);
        auto get = [&](int c) -> std::optional<int> {
            auto v = st->column_opt_int64(c);
            return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
        };
        s.load = get(1);
        s.mem = get(2);
        s.gpu = get(3);
        out.push_back(s);
    }
    return out;
}

int ProbeRepo::prune(int64_t before_minute) {
    auto st = db_.cached("DELETE FROM host_probes WHERE minute < ?");
    st->bind(1, before_minute);
    st->run();
    return db_.changes();
}

}  // namespace store
