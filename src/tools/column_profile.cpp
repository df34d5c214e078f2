// column_profile: what the values of one column look like in a model's relation and in its nearest parent: counts,
// top values, values outside an accepted list with when they were first and last seen.
#include <algorithm>

#include "tools/support.hpp"
#include "util/strings.hpp"

namespace cowork::tools {
namespace {

struct ProfileRequest {
  std::string column;
  std::vector<std::string> accepted;
  bool has_accepted = false;
  std::string timestamp_column;  // as given; empty: guessed per relation
};

std::int64_t int_cell(const warehouse::Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) return std::strtoll(s->c_str(), nullptr, 10);
  return 0;
}

// The relation's column names, from an empty select of it.
Result<std::vector<std::string>> columns_of(ToolContext& context, const std::string& relation) {
  COWORK_ASSIGN_OR_RETURN(const warehouse::QueryResult result,
                          run_guarded(context, fmt::format("select * from {} where 1 = 0", relation), 1));
  std::vector<std::string> names;
  for (const auto& column : result.columns) names.push_back(column.name);
  return names;
}

const std::string* find_name(const std::vector<std::string>& names, std::string_view wanted) {
  for (const auto& name : names)
    if (iequals(name, wanted)) return &name;
  return nullptr;
}

// When rows changed: updated_at, then created_at, then the first *_at or *_date column.
std::string guess_timestamp_column(const std::vector<std::string>& names, std::string_view profiled) {
  for (std::string_view preferred : {"updated_at", "created_at"})
    if (const auto* found = find_name(names, preferred)) return *found;
  for (const auto& name : names) {
    const std::string lower = to_lower(name);
    if (iequals(name, profiled)) continue;
    if (lower.ends_with("_at") || lower.ends_with("_date")) return name;
  }
  return {};
}

// Profiles `request.column` of `relation`; nullopt when the relation has no such column.
Result<std::optional<nlohmann::json>> profile(ToolContext& context, warehouse::Warehouse& warehouse,
                                              const std::string& relation, const ProfileRequest& request) {
  COWORK_ASSIGN_OR_RETURN(const std::vector<std::string> names, columns_of(context, relation));
  const std::string* column_name = find_name(names, request.column);
  if (column_name == nullptr) return std::optional<nlohmann::json>();
  const std::string column = warehouse.quote(*column_name);
  std::string timestamp = request.timestamp_column;
  if (!timestamp.empty()) {
    const std::string* found = find_name(names, timestamp);
    if (found == nullptr)
      return make_error(ErrorCode::invalid_argument, "{} has no column {} (timestamp_column); its columns: {}",
                        relation, timestamp, join(names, ", "));
    timestamp = *found;
  } else {
    timestamp = guess_timestamp_column(names, *column_name);
  }
  const std::string ts = timestamp.empty() ? std::string() : warehouse.quote(timestamp);

  nlohmann::json out = {{"relation", relation}, {"column", *column_name}};
  auto stats = run_guarded(
      context,
      fmt::format("select count(*), count({0}), count(distinct {0}), min({0}), max({0}) from {1}", column, relation),
      1);
  if (!stats)  // types without an order (booleans on PostgreSQL, structs) have no min and max
    stats = run_guarded(
        context, fmt::format("select count(*), count({0}), count(distinct {0}), null, null from {1}", column, relation),
        1);
  if (!stats) return std::unexpected(stats.error());
  const auto& row = stats->rows.at(0);
  const std::int64_t rows = int_cell(row[0]);
  out["rows"] = rows;
  out["nulls"] = rows - int_cell(row[1]);
  out["distinct"] = int_cell(row[2]);
  out["min"] = cell_json(row[3]);
  out["max"] = cell_json(row[4]);

  COWORK_ASSIGN_OR_RETURN(const warehouse::QueryResult top,
                          run_guarded(context,
                                      fmt::format("select {0} as cowork_value, count(*) as cowork_n from {1} group by "
                                                  "{0} order by cowork_n desc, cowork_value limit 10",
                                                  column, relation),
                                      10));
  nlohmann::json top_values = nlohmann::json::array();
  for (const auto& r : top.rows) top_values.push_back({{"value", cell_json(r[0])}, {"count", int_cell(r[1])}});
  out["top_values"] = std::move(top_values);
  out["timestamp_column"] = timestamp.empty() ? nlohmann::json(nullptr) : nlohmann::json(timestamp);

  if (request.has_accepted) {
    std::vector<std::string> literals;
    for (const auto& value : request.accepted) literals.push_back(sql_literal(value));
    const std::string seen = ts.empty() ? "null, null" : fmt::format("min({0}), max({0})", ts);
    // Compared as text, as the accepted list is text: numbers and booleans match their spelling.
    const std::string filter = literals.empty() ? fmt::format("{} is not null", column)
                                                : fmt::format("{0} is not null and cast({0} as varchar) not in ({1})",
                                                              column, join(literals, ", "));
    COWORK_ASSIGN_OR_RETURN(
        const warehouse::QueryResult outside,
        run_guarded(context,
                    fmt::format("select {0} as cowork_value, count(*) as cowork_n, {1} from {2} where {3} group by {0} "
                                "order by cowork_n desc, cowork_value limit 100",
                                column, seen, relation, filter),
                    100));
    nlohmann::json values = nlohmann::json::array();
    for (const auto& r : outside.rows)
      values.push_back({{"value", cell_json(r[0])},
                        {"count", int_cell(r[1])},
                        {"first_seen", cell_json(r[2])},
                        {"last_seen", cell_json(r[3])}});
    out["outside_accepted"] = std::move(values);
  }
  out["null_first_seen"] = nullptr;
  out["null_last_seen"] = nullptr;
  if (!ts.empty() && out["nulls"].get<std::int64_t>() > 0) {
    COWORK_ASSIGN_OR_RETURN(
        const warehouse::QueryResult nulls,
        run_guarded(context, fmt::format("select min({0}), max({0}) from {1} where {2} is null", ts, relation, column),
                    1));
    out["null_first_seen"] = cell_json(nulls.rows.at(0)[0]);
    out["null_last_seen"] = cell_json(nulls.rows.at(0)[1]);
  }
  return std::optional<nlohmann::json>(std::move(out));
}

// "37 rows outside the accepted list ('Entire place')", or the null and distinct counts.
std::string describe(const nlohmann::json& profile) {
  if (auto outside = profile.find("outside_accepted"); outside != profile.end()) {
    std::int64_t count = 0;
    std::vector<std::string> values;
    for (const auto& v : *outside) {
      count += v["count"].get<std::int64_t>();
      if (values.size() < 3)
        values.push_back(v["value"].is_string() ? "'" + v["value"].get<std::string>() + "'" : v["value"].dump());
    }
    if (count == 0) return "every value in the accepted list";
    return fmt::format("{} outside the accepted list ({}{})", plural(count, "row"), join(values, ", "),
                       outside->size() > values.size() ? ", ..." : "");
  }
  return fmt::format("{} of {} null, {} distinct", profile["nulls"].get<std::int64_t>(),
                     plural(profile["rows"].get<std::int64_t>(), "row"), profile["distinct"].get<std::int64_t>());
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* node, context.find_node(string_arg(args, "model")));
  ProfileRequest request;
  request.column = string_arg(args, "column");
  request.has_accepted = args.contains("accepted_values");
  request.accepted = string_list_arg(args, "accepted_values");
  request.timestamp_column = string_arg(args, "timestamp_column");
  if (!context.warehouse) return make_error(ErrorCode::unavailable, "no warehouse is configured for this project");
  COWORK_ASSIGN_OR_RETURN(warehouse::Warehouse * warehouse, context.warehouse());
  COWORK_ASSIGN_OR_RETURN(const std::string relation, relation_sql(*node, *warehouse));
  COWORK_ASSIGN_OR_RETURN(std::optional<nlohmann::json> own, profile(context, *warehouse, relation, request));
  if (!own) {
    COWORK_ASSIGN_OR_RETURN(const std::vector<std::string> names, columns_of(context, relation));
    return make_error(ErrorCode::not_found, "{} ({}) has no column {}; its columns: {}", node->unique_id, relation,
                      request.column, join(names, ", "));
  }
  nlohmann::json result = std::move(*own);
  result["model"] = std::string(node->unique_id);

  // The nearest ancestor with a relation and the same column: whether the bad values were already there.
  result["parent"] = nullptr;
  const dbt::Graph& graph = *context.artifacts.graph;
  auto ancestors = graph.walk(*graph.find(node->unique_id), dbt::Direction::up);
  std::stable_sort(ancestors.begin(), ancestors.end(), [&](const dbt::Reached& a, const dbt::Reached& b) {
    const bool a_model = graph.node(a.node).resource_type == dbt::ResourceType::model;
    const bool b_model = graph.node(b.node).resource_type == dbt::ResourceType::model;
    return a.depth != b.depth ? a.depth < b.depth : a_model > b_model;
  });
  ProfileRequest parent_request = request;
  if (!request.timestamp_column.empty()) parent_request.timestamp_column.clear();  // it may not exist up there
  for (const dbt::Reached& reached : ancestors) {
    const dbt::Node& ancestor = graph.node(reached.node);
    if (ancestor.placeholder ||
        !(dbt::is_buildable(ancestor.resource_type) || ancestor.resource_type == dbt::ResourceType::source))
      continue;
    auto parent_relation = relation_sql(ancestor, *warehouse);
    if (!parent_relation) continue;
    auto parent = profile(context, *warehouse, *parent_relation, parent_request);
    if (!parent || !*parent) continue;  // not built, or without the column: look further up
    nlohmann::json entry = std::move(**parent);
    entry["model"] = std::string(ancestor.unique_id);
    result["parent"] = std::move(entry);
    break;
  }

  std::string summary = fmt::format("{}.{}: {}", node->name, request.column, describe(result));
  if (result["parent"].is_object())
    summary += fmt::format("; in {}: {}", dbt::short_name(result["parent"]["model"].get<std::string>()),
                           describe(result["parent"]));
  return ToolOutput{std::move(result), std::move(summary)};
}

}  // namespace

void register_column_profile(ToolRegistry& registry) {
  registry.add({
      "column_profile",
      "Profiles one column of a model's relation in the warehouse: row, null and distinct counts, the 10 most common "
      "values, min and max, and, given the accepted values, each value outside them with its count and when it was "
      "first and last seen (from timestamp_column, else updated_at/created_at/*_at/*_date); the same for the nearest "
      "parent that has the column. Use it to size a data problem and to see whether it arrived from upstream.",
      object_schema({{"model", string_param("The model (or seed, snapshot, source), by name or unique id")},
                     {"column", string_param("The column to profile")},
                     {"accepted_values", string_list_param("The values the column may hold, as the test lists them")},
                     {"timestamp_column", string_param("A column saying when each row arrived or changed")}},
                    {"model", "column"}),
      run,
  });
}

}  // namespace cowork::tools
