// The DuckDB adapter: an embedded database, the default warehouse and the one the demo and the verification sandbox
// use. DuckDB's C library is loaded at run time (duckdb_library.hpp). Use open_warehouse() with type "duckdb"; this
// header is for the registry and for tests that need the adapter directly.
//
// Read-only access opens the file with access_mode=READ_ONLY and turns off external access (no read_csv, COPY,
// ATTACH or extension loading from SQL), then locks the configuration so a statement cannot turn either back on.
// Databases in attach_read_only are attached before that lock-down, since attaching is itself external access.
// An in-memory database cannot be opened read-only in DuckDB; with read_only it stays writable but holds nothing of
// value (a scratch database), while its attachments and external access are locked down as above.
#pragma once

#include <memory>

#include "warehouse/warehouse.hpp"

namespace cowork::warehouse {

// Opens (creating a read-write file if needed) the database at config.path, attaches config.attach_read_only and
// applies config.access. Errors: unavailable (libduckdb.so missing, or the file is locked by another process),
// not_found (the folder or, read-only, the file does not exist), permission_denied, invalid_argument (not a DuckDB
// file, a failing ATTACH); each names the path.
Result<std::unique_ptr<Warehouse>> open_duckdb_warehouse(const ConnectionConfig& config);

// Registers open_duckdb_warehouse under "duckdb"; called by register_builtin_warehouses().
void register_duckdb_warehouse();

}  // namespace cowork::warehouse
