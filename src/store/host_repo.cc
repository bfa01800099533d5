#include "config.h"

#include "store/host_repo.h"

#include "store/database.h"

namespace store {

namespace {

const char* const kColumns = "name, journal_offset, last_seen, offline_since, last_error, info";

HostState read_host(Statement& st) {
    HostState h;
    h.name = st.column_text(0);
    h.journal_offset = st.column_int64(1);
    h.last_seen = st.column_opt_int64(2);
    h.offline_since = st.column_opt_int64(3);
    h.last_error = st.column_text(4);
    h.info = st.column_text(5);
    return h;
}

}  // namespace

HostState HostRepo::get(const std::string& name) {
    auto st = db_.cached("SELECT " + std::string(kColumns) + " FROM hosts WHERE name = ?");
    st->bind(1, name);
    if (st->step()) return read_host(*st);
    HostState h;
    h.name = name;
    return h;
}

void HostRepo::put(const HostState& h) {
    auto st = db_.cached(
        "INSERT INTO hosts (name, journal_offset, last_seen, offline_since, last_error, info) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET journal_offset = excluded.journal_offset, "
        "last_seen = excluded.last_seen, offline_since = excluded.offline_since, "
        "last_error = excluded.last_error, info = excluded.info");
    st->bind_all(h.name, h.journal_offset, h.last_seen, h.offline_since, h.last_error, h.info);
    st->run();
}

std::vector<HostState> HostRepo::all() {
    std::vector<HostState> hosts;
    auto st = db_.cached("SELECT " + std::string(kColumns) + " FROM hosts ORDER BY name");
    while (st->step()) hosts.push_back(read_host(*st));
    return hosts;
}

void HostRepo::remove(const std::string& name) {
    auto st = db_.cached("DELETE FROM hosts WHERE name = ?");
    st->bind(1, name);
    st->run();
}

}  // namespace store
