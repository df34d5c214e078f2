// The PostgreSQL adapter, over libpq. Use open_warehouse() with type "postgres"; this header is for the registry and
// for tests that need the adapter directly.
//
// Timeouts: each statement runs under `statement_timeout` set to QueryOptions::timeout (per session outside a
// transaction, SET LOCAL inside one), so the server cancels it; a client-side deadline a little later sends PQcancel
// in case the server does not, and resets the connection if even that gets no answer.
// Read-only access: the session defaults to read-only transactions and every statement runs alone inside
// BEGIN TRANSACTION READ ONLY ... ROLLBACK (one statement per call, so it cannot end that transaction and write
// after it); PostgreSQL itself refuses the writes. begin() opens a read-only transaction in that mode.
#pragma once

#include <memory>

#include "warehouse/warehouse.hpp"

namespace cowork::warehouse {

// Connects to config.host:config.port/config.dbname within config.connect_timeout. Errors name host:port/dbname:
// unavailable (the server could not be reached or is not accepting connections), permission_denied (it refused the
// user or password), not_found (the database does not exist).
Result<std::unique_ptr<Warehouse>> open_postgres_warehouse(const ConnectionConfig& config);

// Registers open_postgres_warehouse under "postgres"; called by register_builtin_warehouses().
void register_postgres_warehouse();

}  // namespace cowork::warehouse
