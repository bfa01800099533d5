// Where the laptop stands in each host journal it reads, and the database's
// own identity on hosts (its client id).
#pragma once

#include <cstdint>
#include <string>

namespace store {

class Database;

// The random id this database was created with (10 hex digits). It is part
// of every remote name of the jobs it creates, so two databases (two
// laptops, RJ_DB, a database moved aside) never share a job on a host.
std::string client_id(Database& db);

class JournalRepo {
public:
    explicit JournalRepo(Database& db) : db_(db) {}

    // Bytes of the journal in `remote_dir` on `host` already applied (0 when new).
    int64_t offset(const std::string& host, const std::string& remote_dir);
    void set_offset(const std::string& host, const std::string& remote_dir, int64_t offset);

private:
    Database& db_;
};

}  // namespace store
