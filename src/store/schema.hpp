// The state database's schema as an ordered list of migrations. Store applies them when it opens a database; a new
// version of the schema is a new entry at the end of the list, never an edit of one already released.
#pragma once

#include <cstdint>
#include <span>

#include "store/database.hpp"

namespace cowork::store {

// PRAGMA application_id of cowork's state databases ("CoWk").
inline constexpr std::int32_t k_application_id = 0x436F576B;

std::span<const Migration> schema_migrations();

}  // namespace cowork::store
