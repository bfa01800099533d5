// The database schema as a numbered list of migration steps. The schema
// version lives in `PRAGMA user_version`; step N takes a database from
// version N-1 to N inside one write transaction.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace store {

class Database;

struct Migration {
    int version;              // the user_version after this step
    std::string description;  // for humans reading the list
    std::function<void(Database&)> apply;
};

// Every step, in order; steps are only ever appended, never edited once released.
const std::vector<Migration>& migrations();

// The version this rj writes (the last step's).
int latest_schema_version();

// Throws util::Error when the database was written by a newer rj.
void check_schema_not_newer(Database& db);

// Applies the missing steps up to `target` (default: latest), each in its own
// transaction. Safe against another process migrating at the same moment: each
// step re-reads the version under the write lock. Throws util::Error for a
// newer schema, touching nothing.
void migrate(Database& db, int target = -1);

}  // namespace store
