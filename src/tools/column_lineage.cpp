// column_lineage: where a model's column comes from, through its compiled SQL and up through the parent models, to
// the columns of sources and seeds.
#include <algorithm>
#include <deque>
#include <set>
#include <unordered_map>

#include "sql/column_lineage.hpp"
#include "tools/support.hpp"
#include "util/strings.hpp"

namespace cowork::tools {
namespace {

// Relation names as the lineage writes them (a.b.c, unquoted, any case) to the nodes that build them.
class RelationIndex {
 public:
  explicit RelationIndex(const dbt::Graph& graph) : m_graph(graph) {
    for (std::size_t i = 0; i < graph.size(); ++i) {
      const auto id = static_cast<dbt::NodeId>(i);
      const dbt::Node& node = graph.node(id);
      if (node.placeholder ||
          !(dbt::is_buildable(node.resource_type) || node.resource_type == dbt::ResourceType::source))
        continue;
      std::string_view name = node.alias;
      if (name.empty()) name = node.identifier;
      if (name.empty()) name = node.name;
      const std::string alias = to_lower(name);
      const std::string schema = to_lower(node.schema);
      m_by_name[alias].push_back(id);
      if (!schema.empty()) m_by_name[schema + "." + alias].push_back(id);
      if (!schema.empty() && !node.database.empty())
        m_by_name[to_lower(node.database) + "." + schema + "." + alias].push_back(id);
    }
  }

  // The node behind `relation`: a parent of `reader` first (that is what its SQL reads), then models over sources
  // over seeds, since a seed loaded into a source's table is read through source().
  std::optional<dbt::NodeId> find(std::string_view relation, dbt::NodeId reader) const {
    const auto it = m_by_name.find(to_lower(relation));
    if (it == m_by_name.end()) return std::nullopt;
    const auto parents = m_graph.parents(reader);
    auto rank = [&](dbt::NodeId id) {
      const bool parent = std::find(parents.begin(), parents.end(), id) != parents.end();
      const dbt::ResourceType type = m_graph.node(id).resource_type;
      const int kind = type == dbt::ResourceType::model || type == dbt::ResourceType::snapshot ? 0
                       : type == dbt::ResourceType::source                                     ? 1
                                                                                               : 2;
      return (parent ? 0 : 10) + kind;
    };
    return *std::min_element(it->second.begin(), it->second.end(),
                             [&](dbt::NodeId a, dbt::NodeId b) { return rank(a) < rank(b); });
  }

 private:
  const dbt::Graph& m_graph;
  std::unordered_map<std::string, std::vector<dbt::NodeId>> m_by_name;
};

bool is_model(const dbt::Node& node) {
  return node.resource_type == dbt::ResourceType::model || node.resource_type == dbt::ResourceType::snapshot;
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* model, context.find_node(string_arg(args, "model")));
  const std::string column = string_arg(args, "column");
  if (!is_model(*model))
    return make_error(ErrorCode::invalid_argument,
                      "{} is a {}, not a model: column_lineage follows a model's SQL (give the model the test is on)",
                      model->unique_id, dbt::to_string(model->resource_type));
  const dbt::Graph& graph = *context.artifacts.graph;
  const RelationIndex relations(graph);

  // The warehouse, when it can be reached, tells the parser what `select *` of a table expands to.
  sql::ColumnCatalog catalog = [&context](std::string_view relation) -> std::optional<std::vector<std::string>> {
    if (!context.warehouse) return std::nullopt;
    auto warehouse = context.warehouse();
    if (!warehouse) return std::nullopt;
    const auto dot = relation.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto columns = (*warehouse)->relation_columns(relation.substr(0, dot), relation.substr(dot + 1));
    if (!columns) return std::nullopt;
    std::vector<std::string> names;
    for (const auto& c : *columns) names.push_back(c.name);
    return names;
  };

  nlohmann::json hops = nlohmann::json::array(), sources = nlohmann::json::array(), notes = nlohmann::json::array();
  std::set<std::string> seen, seen_sources;
  std::deque<std::pair<dbt::NodeId, std::string>> queue{{*graph.find(model->unique_id), column}};
  std::vector<std::string> chain;
  bool all_direct = true;
  while (!queue.empty()) {
    auto [id, name] = queue.front();
    queue.pop_front();
    const dbt::Node& node = graph.node(id);
    const std::string key = fmt::format("{}.{}", node.unique_id, to_lower(name));
    if (!seen.insert(key).second) continue;
    const bool first = hops.empty();
    auto sql = compiled_sql(context, node);
    if (!sql) {
      if (first) return std::unexpected(sql.error());
      notes.push_back(fmt::format("{}: stopped here, no compiled SQL: {}", node.name, sql.error().message));
      continue;
    }
    auto lineage = sql::trace_column(*sql, name, context.dialect, catalog);
    if (!lineage) {
      if (first && lineage.error().code == ErrorCode::not_found) {
        lineage.error().with_context(fmt::format("{} ({})", node.unique_id, node.original_file_path));
        return std::unexpected(lineage.error());
      }
      notes.push_back(fmt::format("{}: stopped here, the SQL parser gave up on column {}: {}", node.name, name,
                                  lineage.error().message));
      continue;
    }
    hops.push_back({{"model", std::string(node.unique_id)},
                    {"column", lineage->column},
                    {"expression", lineage->expression},
                    {"direct", lineage->direct}});
    chain.push_back(fmt::format("{}.{}", node.name, lineage->column));
    all_direct = all_direct && lineage->direct;
    for (const std::string& note : lineage->notes) notes.push_back(fmt::format("{}: {}", node.name, note));
    if (lineage->sources.empty())
      notes.push_back(fmt::format("{}.{} reads no column (a literal or a row count): {}", node.name, lineage->column,
                                  lineage->expression));
    for (const sql::ColumnSource& source : lineage->sources) {
      const auto parent = relations.find(source.relation, id);
      if (parent && is_model(graph.node(*parent)) && source.column != "*") {
        queue.emplace_back(*parent, source.column);
        continue;
      }
      if (!seen_sources.insert(to_lower(source.relation + "." + source.column)).second) continue;
      nlohmann::json entry = {{"relation", source.relation}, {"column", source.column}, {"node", nullptr}};
      if (parent) entry["node"] = std::string(graph.node(*parent).unique_id);
      if (!parent)
        notes.push_back(
            fmt::format("{}: {} is not a node of this project (a table loaded outside dbt, or a "
                        "hard-coded name)",
                        node.name, source.relation));
      if (source.column == "*")
        notes.push_back(
            fmt::format("{}: the columns of {} are not known, so the column could not be followed into "
                        "it",
                        node.name, source.relation));
      sources.push_back(std::move(entry));
    }
  }

  std::vector<std::string> ends;
  for (const auto& source : sources) {
    const std::string node = source["node"].is_string() ? dbt::short_name(source["node"].get<std::string>())
                                                        : source["relation"].get<std::string>();
    ends.push_back(fmt::format("{}.{}", node, source["column"].get<std::string>()));
  }
  std::string summary = join(chain, " <- ");
  if (!ends.empty()) summary += " <- " + join(ends, ", ");
  summary += all_direct ? " (copied unchanged)" : " (computed on the way)";
  if (!notes.empty()) summary += fmt::format("; {}", plural(static_cast<std::int64_t>(notes.size()), "note"));
  return ToolOutput{{{"model", std::string(model->unique_id)},
                     {"column", column},
                     {"hops", std::move(hops)},
                     {"sources", std::move(sources)},
                     {"notes", std::move(notes)}},
                    std::move(summary)};
}

}  // namespace

void register_column_lineage(ToolRegistry& registry) {
  registry.add({
      "column_lineage",
      "Traces one column of a model back through its compiled SQL and up through the parent models to the source or "
      "seed columns it comes from. Each hop says the expression and whether the value is copied unchanged (direct) or "
      "computed; notes say where the SQL parser had to assume or gave up. Use it to find which model first produces "
      "a bad value, so a fix lands at the root instead of downstream.",
      object_schema({{"model", string_param("The model, by name or unique id")},
                     {"column", string_param("The column of that model")}},
                    {"model", "column"}),
      run,
  });
}

}  // namespace cowork::tools
