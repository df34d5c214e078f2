// Reading dbt's target/catalog.json (written by `dbt docs generate`): the columns and types each relation really has
// in the warehouse, which the investigation compares with what the project declares.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dbt/artifact_metadata.hpp"
#include "util/error.hpp"

namespace cowork::dbt {

struct CatalogColumn {
  std::string name;
  std::string type;
  std::int64_t index = 0;
  std::string comment;
};

struct CatalogEntry {
  std::string unique_id;
  std::string relation_type;  // BASE TABLE, VIEW...
  std::string database;
  std::string schema;
  std::string name;
  std::string owner;
  std::vector<CatalogColumn> columns;  // ordered by index
  std::optional<std::int64_t> row_count;
};

struct Catalog {
  std::string path;
  ArtifactMetadata metadata;
  std::unordered_map<std::string, CatalogEntry> entries;  // nodes and sources, by unique id
  std::vector<std::string> errors;                        // the file's own `errors` (relations dbt could not read)
  std::vector<std::string> warnings;
};

Result<Catalog> load_catalog(const std::filesystem::path& path);

}  // namespace cowork::dbt
