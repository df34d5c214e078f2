#include "dbt/catalog.hpp"

#include <algorithm>

#include "util/files.hpp"
#include "util/json_reader.hpp"

namespace cowork::dbt {
namespace {

using json::JsonReader;
using json::Value;

Status parse_entry(JsonReader& reader, Value& value, CatalogEntry& entry) {
  return reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
    if (key == "unique_id") return reader.read_string(field, entry.unique_id);
    if (key == "metadata") {
      return reader.for_each_field(field, [&](std::string_view meta_key, Value& meta) -> Status {
        if (meta_key == "type") return reader.read_string(meta, entry.relation_type);
        if (meta_key == "database") return reader.read_string(meta, entry.database);
        if (meta_key == "schema") return reader.read_string(meta, entry.schema);
        if (meta_key == "name") return reader.read_string(meta, entry.name);
        if (meta_key == "owner") return reader.read_string(meta, entry.owner);
        return {};
      });
    }
    if (key == "columns") {
      return reader.for_each_field(field, [&](std::string_view column_key, Value& column_value) -> Status {
        CatalogColumn column;
        COWORK_TRY(reader.for_each_field(column_value, [&](std::string_view ckey, Value& cfield) -> Status {
          if (ckey == "name") return reader.read_string(cfield, column.name);
          if (ckey == "type") return reader.read_string(cfield, column.type);
          if (ckey == "comment") return reader.read_string(cfield, column.comment);
          if (ckey == "index") {
            COWORK_ASSIGN_OR_RETURN(auto index, reader.get_optional_int(cfield));
            column.index = index.value_or(0);
          }
          return {};
        }));
        if (column.name.empty()) column.name = column_key;
        entry.columns.push_back(std::move(column));
        return {};
      });
    }
    if (key == "stats") {
      return reader.for_each_field(field, [&](std::string_view stat_key, Value& stat) -> Status {
        if (stat_key != "row_count" && stat_key != "num_rows") return {};
        return reader.for_each_field(stat, [&](std::string_view skey, Value& sfield) -> Status {
          if (skey != "value") return {};
          COWORK_ASSIGN_OR_RETURN(auto text, reader.get_scalar_text(sfield));
          try {
            if (!text.empty()) entry.row_count = static_cast<std::int64_t>(std::stod(text));
          } catch (const std::exception&) {
            // A non-numeric statistic says nothing about the row count.
          }
          return {};
        });
      });
    }
    return {};
  });
}

}  // namespace

Result<Catalog> load_catalog(const std::filesystem::path& path) {
  COWORK_ASSIGN_OR_RETURN(auto file, PaddedFile::open(path, simdjson::SIMDJSON_PADDING));
  Catalog catalog;
  catalog.path = path.string();
  JsonReader reader(catalog.path, file.data(), file.size(), file.capacity());
  COWORK_TRY(reader.open());
  bool saw_metadata = false;
  COWORK_TRY(reader.for_each_root_field([&](std::string_view key, Value& value) -> Status {
    if (key == "metadata") {
      saw_metadata = true;
      return read_metadata(reader, value, catalog.metadata);
    }
    if (key == "nodes" || key == "sources") {
      return reader.for_each_field(value, [&](std::string_view id, Value& entry_value) -> Status {
        CatalogEntry entry;
        COWORK_TRY(parse_entry(reader, entry_value, entry));
        if (entry.unique_id.empty()) entry.unique_id = id;
        std::sort(entry.columns.begin(), entry.columns.end(),
                  [](const CatalogColumn& a, const CatalogColumn& b) { return a.index < b.index; });
        catalog.entries.insert_or_assign(entry.unique_id, std::move(entry));
        return {};
      });
    }
    if (key == "errors") return reader.read_string_list(value, catalog.errors);
    return {};
  }));
  COWORK_TRY(check_metadata(ArtifactKind::catalog, catalog.path, saw_metadata, catalog.metadata, catalog.warnings));
  return catalog;
}

}  // namespace cowork::dbt
