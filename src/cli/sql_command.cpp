// `cowork sql "QUERY" [--limit N] [--format text|json]`: the read-only query tool investigations use, on the
// project's warehouse. The query passes the read-only guard first, and runs on a connection opened read-only with a
// timeout; a refusal exits 2 with the reason.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/engine.hpp"
#include "sql/guard.hpp"
#include "util/json_text.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

struct SqlOptions {
  CommonOptions common;
  std::string query;
  std::int64_t limit = 0;
  int timeout_seconds = 30;
};

nlohmann::ordered_json cell_json(const warehouse::Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return nullptr;
  if (auto* b = std::get_if<bool>(&value)) return *b;
  if (auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (auto* d = std::get_if<double>(&value)) return *d;
  return std::get<std::string>(value);
}

void print_table(const warehouse::QueryResult& result, const Style& style) {
  std::vector<std::size_t> widths;
  for (const auto& column : result.columns) widths.push_back(column.name.size());
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : result.rows) {
    auto& line = cells.emplace_back();
    for (std::size_t c = 0; c < row.size(); ++c) {
      line.push_back(one_line(warehouse::to_string(row[c]), 60));
      widths[c] = std::max(widths[c], line.back().size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& values) {
    for (std::size_t c = 0; c < values.size(); ++c) {
      std::cout << (c == 0 ? "" : " | ") << values[c];
      if (c + 1 < values.size()) std::cout << std::string(widths[c] - values[c].size(), ' ');
    }
    std::cout << '\n';
  };
  std::vector<std::string> header;
  for (const auto& column : result.columns) header.push_back(column.name);
  std::cout << style.bold("");
  print_row(header);
  std::size_t rule = 0;
  for (std::size_t w : widths) rule += w + 3;
  std::cout << std::string(rule > 3 ? rule - 3 : 0, '-') << '\n';
  for (const auto& line : cells) print_row(line);
  std::cout << style.dim(fmt::format("({} row{}{})", result.rows.size(), result.rows.size() == 1 ? "" : "s",
                                     result.truncated ? ", more not shown: raise --limit" : ""))
            << '\n';
}

int run(const SqlOptions& options) {
  auto project = dbt::load_project_settings(options.common.project_dir);
  if (!project) return report_error(project.error());
  auto target = load_target(options.common, *project);
  if (!target) return report_error(target.error());
  auto config = connection_config(*target, options.common.project_dir);
  if (!config) return report_error(config.error());
  const sql::Dialect dialect = target->type == "postgres" ? sql::Dialect::postgres : sql::Dialect::duckdb;
  auto guarded = sql::guard_read_only(options.query, dialect,
                                      options.limit > 0 ? std::optional<std::int64_t>(options.limit) : std::nullopt);
  if (!guarded) return report_error(guarded.error());
  config->access = warehouse::AccessMode::read_only;
  auto warehouse = warehouse::open_warehouse(*config);
  if (!warehouse) return report_error(warehouse.error());
  warehouse::QueryOptions query_options;
  query_options.row_limit = guarded->limit;
  query_options.timeout = std::chrono::seconds(options.timeout_seconds);
  auto result = (*warehouse)->query(guarded->sql, query_options);
  if (!result) return report_error(result.error());
  if (options.common.format == "json") {
    nlohmann::ordered_json columns = nlohmann::ordered_json::array(), rows = nlohmann::ordered_json::array();
    for (const auto& column : result->columns) columns.push_back({{"name", column.name}, {"type", column.type}});
    for (const auto& row : result->rows) {
      nlohmann::ordered_json line = nlohmann::ordered_json::array();
      for (const auto& cell : row) line.push_back(cell_json(cell));
      rows.push_back(std::move(line));
    }
    std::cout << dump_json(
                     nlohmann::ordered_json{{"columns", columns}, {"rows", rows}, {"truncated", result->truncated}}, 2)
              << '\n';
  } else {
    print_table(*result, Style());
  }
  return k_exit_ok;
}

}  // namespace

Runner setup_sql(CLI::App& app) {
  auto options = std::make_shared<SqlOptions>();
  app.add_option("query", options->query,
                 "One read-only statement: SELECT, WITH ... SELECT, VALUES, DESCRIBE, SHOW, EXPLAIN")
      ->required();
  app.add_option("--limit", options->limit, "Rows to return (default 100, at most 1000)");
  app.add_option("--timeout", options->timeout_seconds, "Seconds before the query is cancelled (default 30)")
      ->check(CLI::Range(1, 3600));
  add_common_options(app, options->common, {"text", "json"});
  app.footer(R"(The query runs on the profile's warehouse through a connection opened read-only, after a guard that
refuses anything that writes, reads files or the network, or changes the session. The limit is enforced by
wrapping the query. Exit code 2 with the reason when a query is refused.

Examples:
  cowork sql "select room_type, count(*) from main.dim_listings_cleansed group by 1"
  cowork sql "select * from main.fct_reviews where listing_id is null" --limit 20 --format json)");
  return [options] { return run(*options); };
}

}  // namespace cowork::cli
