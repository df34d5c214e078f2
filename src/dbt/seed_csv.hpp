// Seed files: CSV parsed as dbt does (a header row, RFC 4180 quoting, empty strings as NULL) with dbt's column type
// inference (integer, number, boolean, date, timestamp, else text), which `column_types` can override per column.
// Used by the native runner to create and load seed tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cowork::dbt {

enum class SeedType { integer, number, boolean, date, timestamp, text };
std::string_view to_string(SeedType type);

struct SeedColumn {
  std::string name;
  SeedType type = SeedType::text;
  std::string declared_type;  // from column_types: the warehouse type to use instead of the inferred one
};

struct SeedTable {
  std::vector<SeedColumn> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt = NULL
};

// Parses `text` (the file `label`). `column_types` maps column names to warehouse types. Errors name the file and
// line: a row with the wrong number of values, an unterminated quoted value, an empty or duplicate header.
Result<SeedTable> parse_seed_csv(std::string_view text, std::string_view label,
                                 const nlohmann::json& column_types = nlohmann::json::object());

}  // namespace cowork::dbt
