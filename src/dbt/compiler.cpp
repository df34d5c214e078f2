#include "dbt/compiler.hpp"
#include "util/json_text.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "dbt/builtin_macros.hpp"
#include "dbt/config.hpp"
#include "sql/tokenizer.hpp"
#include "util/md5.hpp"
#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

namespace fs = std::filesystem;
using jinja::CallContext;
using jinja::Value;

std::string quote_identifier(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// A relation as templates see it: `{{ ref('x') }}` renders its quoted name; `.schema`, `.identifier` read its parts.
class RelationObject : public jinja::Object {
 public:
  RelationObject(std::string database, std::string schema, std::string identifier, std::string rendered)
      : m_database(std::move(database)),
        m_schema(std::move(schema)),
        m_identifier(std::move(identifier)),
        m_rendered(std::move(rendered)) {}
  std::string_view type_name() const override { return "Relation"; }
  std::optional<Value> attribute(std::string_view name) const override {
    if (name == "database") return m_database.empty() ? Value::none() : Value(m_database);
    if (name == "schema") return Value(m_schema);
    if (name == "identifier" || name == "name" || name == "table") return Value(m_identifier);
    if (name == "is_table" || name == "is_view" || name == "is_cte") return Value(false);
    if (name == "render") {
      std::string rendered = m_rendered;
      return Value::function("render", [rendered](CallContext&) -> Result<Value> { return Value(rendered); });
    }
    return std::nullopt;
  }
  std::string str() const override { return m_rendered; }

 private:
  std::string m_database, m_schema, m_identifier, m_rendered;
};

Value relation_value(std::string database, std::string schema, std::string identifier, std::string rendered) {
  return Value::object(std::make_shared<RelationObject>(std::move(database), std::move(schema), std::move(identifier),
                                                        std::move(rendered)));
}

// What one render of one node collects, and what its functions need.
struct RenderState {
  enum class Mode { parse, compile } mode = Mode::parse;
  ProjectNode* node = nullptr;
  nlohmann::json config_calls = nlohmann::json::object();  // config(...) in the file, merged
  std::vector<std::pair<std::string, std::string>> refs;   // (package, name)
  std::vector<std::pair<std::string, std::string>> sources;
  std::vector<std::string> ephemerals;  // unique ids of ephemeral models referenced, in order
  bool is_incremental = false;
};

// `config`: callable as config(materialized='table') and readable as config.get('where').
class ConfigObject : public jinja::Object {
 public:
  explicit ConfigObject(std::shared_ptr<RenderState> state) : m_state(std::move(state)) {}
  std::string_view type_name() const override { return "Config"; }
  bool is_callable() const override { return true; }
  Result<Value> call(CallContext& context) override {
    if (!context.args().empty()) {
      // config({'materialized': 'table'}) is allowed too.
      if (context.args().size() == 1 && context.args()[0].is_dict()) {
        merge_config(m_state->config_calls, nlohmann::json(jinja::to_json(context.args()[0])));
        return Value("");
      }
      return make_error(ErrorCode::invalid_argument,
                        "config() takes keyword arguments, like config(materialized='table')");
    }
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : context.kwargs()) values[key] = nlohmann::json(jinja::to_json(value));
    merge_config(m_state->config_calls, values);
    return Value("");
  }
  std::optional<Value> attribute(std::string_view name) const override {
    if (name == "get" || name == "require") {
      auto state = m_state;
      const bool require = name == "require";
      return Value::function(std::string(name), [state, require](CallContext& context) -> Result<Value> {
        COWORK_ASSIGN_OR_RETURN(auto args, context.bind(std::array<std::string_view, 2>{"name", "default"}, 1));
        if (!args[0].is_string()) return make_error(ErrorCode::invalid_argument, "config.get() needs a key name");
        const std::string key = normalize_config_key(args[0].as_string());
        nlohmann::json merged = state->node != nullptr ? state->node->config : nlohmann::json::object();
        merge_config(merged, state->config_calls);
        auto it = merged.find(key);
        if (it != merged.end() && !it->is_null()) return jinja::from_json(*it);
        if (require)
          return make_error(ErrorCode::invalid_argument, "config '{}' is required for {}", key,
                            state->node != nullptr ? state->node->unique_id : std::string("this node"));
        return args[1].is_undefined() ? Value::none() : args[1];
      });
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<RenderState> m_state;
};

// dbt renders test arguments that look like a function call (ref('x'), source(...), var(...), env_var(...)) as Jinja
// expressions, and other strings as templates; column_name is left alone.
const std::regex& looks_like_call() {
  static const std::regex pattern(R"(^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$)");
  return pattern;
}

// ref('x') / ref('pkg', 'x') / source('a', 'b') written as text, as in test arguments and exposures.
struct TextCall {
  std::string function;
  std::vector<std::string> args;
};
std::vector<TextCall> text_calls(std::string_view text) {
  static const std::regex pattern(R"(\b(ref|source)\s*\(\s*(['"])([^'"]*)\2\s*(?:,\s*(['"])([^'"]*)\4\s*)?[^)]*\))");
  std::vector<TextCall> out;
  const std::string subject(text);
  for (auto it = std::sregex_iterator(subject.begin(), subject.end(), pattern); it != std::sregex_iterator(); ++it) {
    TextCall call;
    call.function = (*it)[1];
    call.args.push_back((*it)[3]);
    if ((*it)[5].matched) call.args.push_back((*it)[5]);
    out.push_back(std::move(call));
  }
  return out;
}

std::string python_str(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  if (value.is_number_float()) {
    std::string out;
    jinja::append_float_repr(out, value.get<double>());
    return out;
  }
  return dump_json(value);
}

std::string checksum_of(std::string_view text) {
  return md5_hex(text);
}

// Where the ephemeral parents go: after the first WITH of the statement, or as a new WITH in front of it.
Result<std::string> inject_ctes(const std::string& sql, const std::vector<std::pair<std::string, std::string>>& ctes,
                                sql::Dialect dialect) {
  if (ctes.empty()) return sql;
  std::string definitions;
  for (const auto& [name, body] : ctes) {
    definitions += name + " as (\n" + body + "\n), ";
  }
  definitions.resize(definitions.size() - 2);  // the last ", "
  auto tokens = sql::tokenize(sql, dialect);
  if (tokens) {
    for (const auto& token : *tokens) {
      if (sql::is_trivia(token)) continue;
      if (sql::is_keyword(token, "with")) {
        const std::size_t after = token.offset + token.text.size();
        return sql.substr(0, after) + " " + definitions + ", " + sql.substr(after);
      }
      break;
    }
  }
  return "with " + definitions + "\n" + sql;
}

}  // namespace

std::string ProjectNode::materialized() const {
  auto it = config.find("materialized");
  return it != config.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool ProjectNode::enabled() const {
  auto it = config.find("enabled");
  return it == config.end() || !it->is_boolean() || it->get<bool>();
}

std::vector<std::string> ProjectNode::tags() const {
  std::vector<std::string> out;
  auto it = config.find("tags");
  if (it == config.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array())
    for (const auto& tag : *it)
      if (tag.is_string()) out.push_back(tag.get<std::string>());
  return out;
}

nlohmann::json ProjectNode::meta() const {
  auto it = config.find("meta");
  return it != config.end() && it->is_object() ? *it : nlohmann::json::object();
}

std::string ProjectNode::severity() const {
  auto it = config.find("severity");
  if (it != config.end() && it->is_string() && iequals(it->get<std::string>(), "warn")) return "WARN";
  return "ERROR";
}

std::pair<std::string, std::string> generic_test_names(const std::string& test_type, const std::string& target_name,
                                                       const nlohmann::json& args) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : args.items())
    if (key != "model") keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> flat;
  for (const auto& key : keys) {
    const auto& value = args.at(key);
    if (value.is_object()) {
      for (const auto& [k, v] : value.items()) flat.push_back(python_str(v));
    } else if (value.is_array()) {
      for (const auto& v : value) flat.push_back(python_str(v));
    } else {
      flat.push_back(python_str(value));
    }
  }
  static const std::regex non_word("[^0-9a-zA-Z_]+");
  std::vector<std::string> clean;
  for (const auto& part : flat) clean.push_back(std::regex_replace(part, non_word, "_"));
  const std::string identifier = test_type + "_" + target_name;
  const std::string full = identifier + "_" + join(clean, "__");
  if (full.size() >= 64) return {identifier.substr(0, 30) + "_" + md5_hex(full), full};
  return {full, full};
}

struct Compiler::Impl {
  jinja::Environment env;
  std::unordered_map<std::string, jinja::Template> templates;   // by unique id
  std::unordered_map<std::string, std::string> models_by_name;  // name -> unique id (models, seeds, snapshots)
  std::map<std::pair<std::string, std::string>, std::string> sources_by_name;
  nlohmann::json vars = nlohmann::json::object();
  std::string database;  // the target's database (duckdb: the file's stem)
  sql::Dialect dialect = sql::Dialect::duckdb;
  bool custom_schema_macro = false;
  bool custom_alias_macro = false;
};

Compiler::Compiler(Project project, ProfileTarget target, CompileOptions options)
    : m_impl(std::make_unique<Impl>()),
      m_project(std::move(project)),
      m_target(std::move(target)),
      m_options(std::move(options)) {}

Compiler::~Compiler() = default;

const ProjectNode* Compiler::find(std::string_view unique_id) const {
  auto it = m_index.find(std::string(unique_id));
  return it == m_index.end() ? nullptr : &m_nodes[it->second];
}

std::string Compiler::quote(std::string_view identifier) const {
  return quote_identifier(identifier);
}

Result<std::unique_ptr<Compiler>> Compiler::create(Project project, ProfileTarget target, CompileOptions options) {
  std::unique_ptr<Compiler> compiler(new Compiler(std::move(project), std::move(target), std::move(options)));
  COWORK_TRY(compiler->setup_environment());
  COWORK_TRY(compiler->parse_all());
  return compiler;
}

struct CompilerAccess {
  // The Variables of one render of `node`: ref, source, config, this, is_incremental, model.
  static jinja::Variables node_variables(Compiler& compiler, const std::shared_ptr<RenderState>& state) {
    Compiler::Impl& impl = *compiler.m_impl;
    jinja::Variables vars;
    Compiler* self = &compiler;
    vars["ref"] = Value::function("ref", [self, state](CallContext& context) -> Result<Value> {
      std::vector<std::string> positional;
      for (const auto& arg : context.args()) {
        if (!arg.is_string()) return make_error(ErrorCode::invalid_argument, "ref() takes model names as strings");
        positional.push_back(arg.as_string());
      }
      if (positional.empty() || positional.size() > 2)
        return make_error(ErrorCode::invalid_argument, "ref() takes a name, or a package and a name");
      const std::string name = positional.back();
      const std::string package = positional.size() == 2 ? positional[0] : std::string();
      state->refs.emplace_back(package, name);
      if (state->mode == RenderState::Mode::parse) return relation_value("", "", name, quote_identifier(name));
      auto it = self->m_impl->models_by_name.find(name);
      if (it == self->m_impl->models_by_name.end())
        return make_error(ErrorCode::not_found, "ref('{}') names no model, seed or snapshot of the project", name);
      const ProjectNode& target = self->m_nodes[self->m_index.at(it->second)];
      if (target.materialized() == "ephemeral") {
        if (std::find(state->ephemerals.begin(), state->ephemerals.end(), target.unique_id) == state->ephemerals.end())
          state->ephemerals.push_back(target.unique_id);
        return relation_value("", "", "__dbt__cte__" + target.name, "__dbt__cte__" + target.name);
      }
      return relation_value(target.database, target.schema, target.alias, target.relation_name);
    });
    vars["source"] = Value::function("source", [self, state](CallContext& context) -> Result<Value> {
      COWORK_ASSIGN_OR_RETURN(auto args, context.bind(std::array<std::string_view, 2>{"source_name", "table_name"}, 2));
      if (!args[0].is_string() || !args[1].is_string())
        return make_error(ErrorCode::invalid_argument, "source() takes a source name and a table name");
      state->sources.emplace_back(args[0].as_string(), args[1].as_string());
      auto it = self->m_impl->sources_by_name.find({args[0].as_string(), args[1].as_string()});
      if (it == self->m_impl->sources_by_name.end()) {
        if (state->mode == RenderState::Mode::parse)
          return relation_value("", "", args[1].as_string(), quote_identifier(args[1].as_string()));
        return make_error(ErrorCode::not_found, "source('{}', '{}') is not defined in any sources: block",
                          args[0].as_string(), args[1].as_string());
      }
      const ProjectNode& source = self->m_nodes[self->m_index.at(it->second)];
      return relation_value(source.database, source.schema, source.identifier, source.relation_name);
    });
    vars["config"] = Value::object(std::make_shared<ConfigObject>(state));
    vars["is_incremental"] = Value::function(
        "is_incremental", [state](CallContext&) -> Result<Value> { return Value(state->is_incremental); });
    if (state->node != nullptr) {
      const ProjectNode& node = *state->node;
      if (!node.relation_name.empty())
        vars["this"] = relation_value(node.database, node.schema, node.alias, node.relation_name);
      vars["model"] = Value::dict({{"name", Value(node.name)},
                                   {"unique_id", Value(node.unique_id)},
                                   {"resource_type", Value(std::string(to_string(node.resource_type)))},
                                   {"package_name", Value(node.package_name)},
                                   {"original_file_path", Value(node.original_file_path)},
                                   {"config", jinja::from_json(node.config)}});
    }
    (void)impl;
    return vars;
  }
};

Status Compiler::setup_environment() {
  Impl& impl = *m_impl;
  jinja::Environment& env = impl.env;
  const std::string& project = m_project.settings.name;

  // The database name relations carry: DuckDB names a database after its file; PostgreSQL after dbname.
  if (m_target.type == "duckdb") {
    std::string path = m_target.settings.value("path", std::string(":memory:"));
    impl.database = (path.empty() || path == ":memory:") ? std::string("memory") : fs::path(path).stem().string();
    impl.dialect = sql::Dialect::duckdb;
  } else {
    impl.database = m_target.database;
    impl.dialect = sql::Dialect::postgres;
  }
  if (m_target.schema.empty()) m_target.schema = m_target.type == "duckdb" ? "main" : "public";

  auto load = [&](std::string_view source, const std::string& file, const std::string& ns) -> Status {
    COWORK_ASSIGN_OR_RETURN(auto tpl, jinja::Template::parse(source, file));
    COWORK_TRY(env.add_macros(tpl, ns));
    for (const auto& block : tpl.blocks()) {
      if (block.macro_name.empty()) continue;
      m_macros.push_back({fmt::format("macro.{}.{}", ns, block.macro_name), block.macro_name, ns, file, block.body});
    }
    return {};
  };
  COWORK_TRY(load(builtin_dbt_macros(), "<dbt builtin macros>", "dbt"));
  COWORK_TRY(load(builtin_dbt_utils_macros(), "<dbt_utils builtin macros>", "dbt_utils"));
  for (const auto& file : m_project.macro_files) COWORK_TRY(load(file.contents, file.path, project));
  env.set_search_order({project, "dbt"});
  for (const auto& info : env.macros()) {
    if (info.namespace_name != project) continue;
    if (info.name == "generate_schema_name") impl.custom_schema_macro = true;
    if (info.name == "generate_alias_name") impl.custom_alias_macro = true;
  }

  // Project vars: top-level values, then those scoped to the project, then --vars.
  for (const auto& [key, value] : m_project.settings.vars.items())
    if (!(value.is_object() && key == project)) impl.vars[key] = value;
  if (auto scoped = m_project.settings.vars.find(project);
      scoped != m_project.settings.vars.end() && scoped->is_object())
    for (const auto& [key, value] : scoped->items()) impl.vars[key] = value;
  for (const auto& [key, value] : m_options.vars.items()) impl.vars[key] = value;

  nlohmann::json target_json = m_target.settings;
  target_json.erase("password");
  target_json.erase("pass");
  target_json["name"] = m_target.target;
  target_json["target_name"] = m_target.target;
  target_json["schema"] = m_target.schema;
  target_json["type"] = m_target.type;
  target_json["database"] = impl.database;
  target_json["profile_name"] = m_target.profile;
  target_json["threads"] = m_target.threads;
  env.set_global("target", jinja::from_json(target_json));
  env.set_global("project_name", Value(project));
  env.set_global("invocation_id", Value(m_options.invocation_id));
  env.set_global("run_started_at", Value(m_options.run_started_at));
  env.set_global("execute", Value(true));
  env.set_global("flags", Value::dict({{"FULL_REFRESH", Value(false)}, {"WHICH", Value("build")}}));

  env.set_function("env_var", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind(std::array<std::string_view, 2>{"var", "default"}, 1));
    if (!args[0].is_string()) return make_error(ErrorCode::invalid_argument, "env_var() takes a variable name");
    if (const char* value = std::getenv(args[0].as_string().c_str()); value != nullptr) return Value(value);
    if (!args[1].is_undefined()) return Value(args[1].str());
    return make_error(ErrorCode::invalid_argument, "environment variable '{}' is not set and has no default",
                      args[0].as_string());
  });
  nlohmann::json vars = impl.vars;
  env.set_function("var", [vars](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind(std::array<std::string_view, 2>{"name", "default"}, 1));
    if (!args[0].is_string()) return make_error(ErrorCode::invalid_argument, "var() takes a variable name");
    auto it = vars.find(args[0].as_string());
    if (it != vars.end()) return jinja::from_json(*it);
    if (!args[1].is_undefined()) return args[1];
    return make_error(ErrorCode::invalid_argument,
                      "required var '{}' is not set: define it under `vars:` in dbt_project.yml or pass --vars",
                      args[0].as_string());
  });
  env.set_function("log", [](CallContext&) -> Result<Value> { return Value(""); });
  env.set_function("tojson", [](CallContext& context) -> Result<Value> {
    if (context.args().empty()) return Value("null");
    return Value(dump_json(jinja::to_json(context.args()[0])));
  });
  env.set_function("fromjson", [](CallContext& context) -> Result<Value> {
    if (context.args().empty() || !context.args()[0].is_string())
      return make_error(ErrorCode::invalid_argument, "fromjson() takes a string");
    try {
      return jinja::from_json(nlohmann::json::parse(context.args()[0].as_string()));
    } catch (const nlohmann::json::exception& e) {
      return make_error(ErrorCode::invalid_argument, "fromjson(): {}", e.what());
    }
  });
  env.set_function("local_md5", [](CallContext& context) -> Result<Value> {
    if (context.args().empty()) return make_error(ErrorCode::invalid_argument, "local_md5() takes a string");
    return Value(md5_hex(context.args()[0].str()));
  });
  auto out_of_scope = [](std::string what, std::string why) {
    return [what, why](CallContext&) -> Result<Value> {
      return make_error(ErrorCode::invalid_argument,
                        "{} is out of scope for cowork's native engine ({}); run this project with dbt (`--dbt PATH`) "
                        "or rewrite it without {}",
                        what, why, what);
    };
  };
  env.set_function("run_query", out_of_scope("run_query", "it runs SQL while compiling"));
  env.set_function("statement", out_of_scope("a statement block", "it runs SQL while compiling"));
  env.set_function("load_result", out_of_scope("load_result", "it reads the result of a statement block"));

  auto exceptions = std::make_shared<jinja::HostObject>("Exceptions");
  exceptions->set_method("raise_compiler_error", [](CallContext& context) -> Result<Value> {
    const std::string message = context.args().empty() ? std::string("compilation error") : context.args()[0].str();
    return make_error(ErrorCode::invalid_argument, "{}", message);
  });
  exceptions->set_method("warn", [](CallContext&) -> Result<Value> { return Value(""); });
  env.set_global("exceptions", Value::object(exceptions));

  auto adapter = std::make_shared<jinja::HostObject>("Adapter");
  adapter->set_method("quote", [](CallContext& context) -> Result<Value> {
    if (context.args().empty()) return make_error(ErrorCode::invalid_argument, "adapter.quote() takes an identifier");
    return Value(quote_identifier(context.args()[0].str()));
  });
  const std::string adapter_type = m_target.type;
  adapter->set_method("dispatch", [adapter_type](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args,
                            context.bind(std::array<std::string_view, 2>{"macro_name", "macro_namespace"}, 1));
    if (!args[0].is_string()) return make_error(ErrorCode::invalid_argument, "adapter.dispatch() takes a macro name");
    const std::string name = args[0].as_string();
    std::vector<std::string> prefixes;
    if (args[1].is_string()) prefixes.push_back(args[1].as_string() + ".");
    prefixes.push_back("");
    for (const auto& prefix : prefixes)
      for (const std::string& candidate : {adapter_type + "__" + name, "default__" + name}) {
        Value macro = context.macro(prefix + candidate);
        if (!macro.is_undefined()) return macro;
      }
    return make_error(ErrorCode::not_found, "adapter.dispatch('{}') found no {}__{} or default__{} macro", name,
                      adapter_type, name, name);
  });
  for (const char* introspection : {"get_relation", "get_columns_in_relation", "get_missing_columns", "drop_relation",
                                    "create_schema", "drop_schema", "rename_relation", "execute"})
    adapter->set_method(introspection, out_of_scope(fmt::format("adapter.{}", introspection),
                                                    "it queries the warehouse while compiling"));
  env.set_global("adapter", Value::object(adapter));
  return {};
}

Status Compiler::parse_all() {
  Impl& impl = *m_impl;
  const ProjectSettings& settings = m_project.settings;
  const std::string& project = settings.name;

  auto add_node = [&](ProjectNode node) -> Result<std::size_t> {
    if (m_index.contains(node.unique_id))
      return make_error(ErrorCode::invalid_argument, "{}: {} is defined twice (also in {})", node.location.str(),
                        node.unique_id, m_nodes[m_index.at(node.unique_id)].original_file_path);
    m_index.emplace(node.unique_id, m_nodes.size());
    m_nodes.push_back(std::move(node));
    return m_nodes.size() - 1;
  };

  auto properties_of = [](const std::vector<NodeProperties>& list, const std::string& name) -> const NodeProperties* {
    for (const auto& props : list)
      if (props.name == name) return &props;
    return nullptr;
  };

  // Renders a node's template once in parse mode to learn its refs, sources and config() calls.
  auto parse_render = [&](ProjectNode& node) -> Status {
    COWORK_ASSIGN_OR_RETURN(auto tpl, jinja::Template::parse(node.raw_code, node.original_file_path));
    auto state = std::make_shared<RenderState>();
    state->mode = RenderState::Mode::parse;
    state->node = &node;
    auto vars = CompilerAccess::node_variables(*this, state);
    auto rendered = impl.env.render(tpl, vars);
    if (!rendered) return std::unexpected(rendered.error());
    merge_config(node.config, state->config_calls);
    for (const auto& [package, name] : state->refs) {
      node.refs.push_back({{"name", name},
                           {"package", package.empty() ? nlohmann::json(nullptr) : nlohmann::json(package)},
                           {"version", nullptr}});
    }
    for (const auto& [source, table] : state->sources) node.sources.push_back({source, table});
    impl.templates.insert_or_assign(node.unique_id, std::move(tpl));
    return {};
  };

  auto resource_path = [](const std::string& file, const std::vector<std::string>& roots) {
    for (const auto& root : roots) {
      const fs::path inner = fs::path(file).lexically_relative(root);
      if (!inner.empty() && *inner.begin() != "..") return inner.generic_string();
    }
    return file;
  };

  // Models.
  for (const auto& file : m_project.models) {
    ProjectNode node;
    node.unique_id = fmt::format("model.{}.{}", project, file.name);
    node.name = file.name;
    node.resource_type = ResourceType::model;
    node.package_name = project;
    node.original_file_path = file.path;
    node.path = resource_path(file.path, settings.model_paths);
    node.fqn = file.fqn;
    node.raw_code = file.contents;
    node.checksum = checksum_of(file.contents);
    node.location = {file.path, 1, 1};
    node.config = {{"materialized", "view"}, {"enabled", true}};
    merge_config(node.config, resolve_tree_config(settings.models, file.fqn));
    if (const auto* props = properties_of(m_project.model_properties, file.name)) {
      merge_config(node.config, props->config);
      node.description = props->description;
      node.columns = props->columns;
      node.patch_path = props->file;
    }
    COWORK_TRY(parse_render(node));
    COWORK_TRY(add_node(std::move(node)));
  }
  // Seeds.
  for (const auto& file : m_project.seeds) {
    ProjectNode node;
    node.unique_id = fmt::format("seed.{}.{}", project, file.name);
    node.name = file.name;
    node.resource_type = ResourceType::seed;
    node.package_name = project;
    node.original_file_path = file.path;
    node.path = resource_path(file.path, settings.seed_paths);
    node.fqn = file.fqn;
    node.raw_code = "";
    node.checksum = checksum_of(file.contents);
    node.location = {file.path, 1, 1};
    node.config = {{"materialized", "seed"}, {"enabled", true}};
    merge_config(node.config, resolve_tree_config(settings.seeds, file.fqn));
    if (const auto* props = properties_of(m_project.seed_properties, file.name)) {
      merge_config(node.config, props->config);
      node.description = props->description;
      node.columns = props->columns;
      node.patch_path = props->file;
    }
    COWORK_TRY(add_node(std::move(node)));
  }
  // Sources (their schema may use Jinja: "{{ target.schema }}_raw").
  for (const auto& source : m_project.sources) {
    COWORK_ASSIGN_OR_RETURN(
        auto schema, impl.env.render(source.schema.empty() ? m_target.schema : source.schema, source.location.str()));
    std::string database = impl.database;
    if (!source.database.empty()) {
      COWORK_ASSIGN_OR_RETURN(database, impl.env.render(source.database, source.location.str()));
    }
    for (const auto& table : source.tables) {
      ProjectNode node;
      node.unique_id = fmt::format("source.{}.{}.{}", project, source.name, table.name);
      node.name = table.name;
      node.resource_type = ResourceType::source;
      node.package_name = project;
      node.original_file_path = source.file;
      node.path = source.file;
      node.fqn = {project, source.name, table.name};
      node.source_name = source.name;
      node.identifier = table.identifier.empty() ? table.name : table.identifier;
      node.description = table.description;
      node.source_description = source.description;
      node.loader = source.loader;
      node.loaded_at_field = table.loaded_at_field.empty() ? source.loaded_at_field : table.loaded_at_field;
      node.freshness = table.freshness.is_null() ? source.freshness : table.freshness;
      node.columns = table.columns;
      node.location = table.location;
      node.config = {{"enabled", true}};
      merge_config(node.config, resolve_tree_config(settings.sources, node.fqn));
      merge_config(node.config, source.config);
      merge_config(node.config, table.config);
      nlohmann::json meta = source.meta;
      for (const auto& [k, v] : table.meta.items()) meta[k] = v;
      if (!meta.empty()) merge_config(node.config, {{"meta", meta}});
      node.database = database;
      node.schema = schema;
      node.alias = node.identifier;
      node.relation_name = (database.empty() ? std::string() : quote_identifier(database) + ".") +
                           quote_identifier(schema) + "." + quote_identifier(node.identifier);
      impl.sources_by_name[{source.name, table.name}] = node.unique_id;
      COWORK_TRY(add_node(std::move(node)));
    }
  }

  // Disabled nodes leave the graph.
  std::erase_if(m_nodes, [](const ProjectNode& node) { return !node.enabled(); });
  m_index.clear();
  for (std::size_t i = 0; i < m_nodes.size(); ++i) m_index.emplace(m_nodes[i].unique_id, i);
  for (const auto& node : m_nodes)
    if (node.resource_type == ResourceType::model || node.resource_type == ResourceType::seed)
      impl.models_by_name[node.name] = node.unique_id;

  // Schemas, aliases and relation names, now that every config is known.
  for (auto& node : m_nodes) {
    if (node.resource_type != ResourceType::model && node.resource_type != ResourceType::seed) continue;
    const nlohmann::json custom = node.config.value("schema", nlohmann::json(nullptr));
    if (impl.custom_schema_macro) {
      auto value =
          impl.env.call_macro(project + ".generate_schema_name",
                              {custom.is_string() ? Value(custom.get<std::string>()) : Value::none(),
                               Value::dict({{"name", Value(node.name)}, {"unique_id", Value(node.unique_id)}})});
      if (!value)
        return std::unexpected(value.error().with_context(fmt::format("generate_schema_name for {}", node.unique_id)));
      node.schema = std::string(trim(value->str()));
    } else {
      node.schema = custom.is_string() && !custom.get<std::string>().empty()
                        ? m_target.schema + "_" + std::string(trim(custom.get<std::string>()))
                        : m_target.schema;
    }
    const nlohmann::json alias = node.config.value("alias", nlohmann::json(nullptr));
    node.alias = alias.is_string() && !alias.get<std::string>().empty() ? alias.get<std::string>() : node.name;
    node.database = impl.database;
    if (node.materialized() != "ephemeral")
      node.relation_name = (node.database.empty() ? std::string() : quote_identifier(node.database) + ".") +
                           quote_identifier(node.schema) + "." + quote_identifier(node.alias);
  }

  // Dependencies of models.
  auto resolve_ref = [&](const ProjectNode& from, const std::string& name) -> Result<std::string> {
    auto it = impl.models_by_name.find(name);
    if (it != impl.models_by_name.end()) return it->second;
    std::vector<std::string> similar;
    for (const auto& [candidate, id] : impl.models_by_name)
      if (candidate.find(name) != std::string::npos || name.find(candidate) != std::string::npos)
        similar.push_back(candidate);
    std::sort(similar.begin(), similar.end());
    return make_error(ErrorCode::not_found, "{}: ref('{}') names no model or seed of the project{}",
                      from.location.str(), name,
                      similar.empty() ? std::string() : "; did you mean " + join(similar, ", ") + "?");
  };
  auto resolve_source = [&](const ProjectNode& from, const std::string& source,
                            const std::string& table) -> Result<std::string> {
    auto it = impl.sources_by_name.find({source, table});
    if (it != impl.sources_by_name.end()) return it->second;
    return make_error(ErrorCode::not_found,
                      "{}: source('{}', '{}') is not defined in any sources: block of the project", from.location.str(),
                      source, table);
  };
  auto add_dependency = [](ProjectNode& node, const std::string& id) {
    if (std::find(node.depends_on.begin(), node.depends_on.end(), id) == node.depends_on.end())
      node.depends_on.push_back(id);
  };
  for (auto& node : m_nodes) {
    for (const auto& ref : node.refs) {
      COWORK_ASSIGN_OR_RETURN(auto id, resolve_ref(node, ref["name"].get<std::string>()));
      add_dependency(node, id);
    }
    for (const auto& source : node.sources) {
      COWORK_ASSIGN_OR_RETURN(auto id,
                              resolve_source(node, source[0].get<std::string>(), source[1].get<std::string>()));
      add_dependency(node, id);
    }
  }

  // Generic tests from the property files.
  std::vector<ProjectNode> tests;
  auto add_generic_test = [&](const TestSpec& spec, const ProjectNode& target) -> Status {
    const bool is_source = target.resource_type == ResourceType::source;
    std::string macro = "test_" + spec.name;
    if (!spec.namespace_.empty()) macro = spec.namespace_ + "." + macro;
    if (impl.env.macro(macro).is_undefined())
      return make_error(ErrorCode::invalid_argument,
                        "{}: unknown data test '{}': no macro {} (cowork runs dbt's tests, the dbt_utils tests and "
                        "the project's own generic tests)",
                        spec.location.str(), spec.test_name, macro);
    nlohmann::json args = spec.args;
    if (!spec.column.empty()) args["column_name"] = spec.column;
    std::string type = is_source ? "source_" + spec.name : spec.name;
    if (!spec.namespace_.empty()) type = spec.namespace_ + "_" + type;
    const std::string target_name = is_source ? target.source_name + "_" + target.name : target.name;
    auto [short_name, full_name] = generic_test_names(type, target_name, args);
    if (!spec.custom_name.empty()) short_name = full_name = spec.custom_name;

    ProjectNode test;
    test.name = full_name;
    test.resource_type = ResourceType::test;
    test.package_name = project;
    test.original_file_path = spec.location.file;
    test.path = short_name + ".sql";
    std::vector<std::string> fqn{project};
    const fs::path yml_dir = fs::path(resource_path(spec.location.file, settings.model_paths)).parent_path();
    for (const auto& part : yml_dir)
      if (!part.empty()) fqn.push_back(part.string());
    fqn.push_back(full_name);
    test.fqn = fqn;
    test.location = spec.location;
    test.test = spec;
    test.test_macro = macro;
    test.column_name = spec.column;
    test.attached_node = target.unique_id;
    test.config = {{"materialized", "test"}, {"enabled", true}, {"severity", "ERROR"}};
    merge_config(test.config, resolve_tree_config(settings.tests, fqn));
    merge_config(test.config, spec.config);
    if (test.config.contains("severity") && test.config["severity"].is_string())
      test.config["severity"] = iequals(test.config["severity"].get<std::string>(), "warn") ? "WARN" : "ERROR";
    if (short_name != full_name && !test.config.contains("alias")) test.config["alias"] = short_name;
    test.alias = test.config.value("alias", short_name);
    test.schema = m_target.schema + "_dbt_test__audit";
    test.database = impl.database;
    const std::string model_call = is_source ? fmt::format("source('{}', '{}')", target.source_name, target.name)
                                             : fmt::format("ref('{}')", target.name);
    test.test_kwargs = args;
    test.test_kwargs["model"] = "{{ get_where_subquery(" + model_call + ") }}";
    test.raw_code = fmt::format("{{{{ {}(**_dbt_generic_test_kwargs) }}}}", macro);
    if (is_source) {
      test.sources.push_back({target.source_name, target.name});
    } else {
      test.refs.push_back({{"name", target.name}, {"package", nullptr}, {"version", nullptr}});
    }
    test.depends_on.push_back(target.unique_id);
    test.depends_on_macros.push_back(spec.namespace_.empty() ? "macro.dbt." + std::string("test_") + spec.name
                                                             : "macro." + spec.namespace_ + ".test_" + spec.name);
    test.depends_on_macros.push_back("macro.dbt.get_where_subquery");
    // Other nodes its arguments name (relationships' `to`).
    for (const auto& [key, value] : args.items()) {
      if (!value.is_string() || key == "column_name") continue;
      for (const auto& call : text_calls(value.get<std::string>())) {
        if (call.function == "ref") {
          COWORK_ASSIGN_OR_RETURN(auto id, resolve_ref(test, call.args.back()));
          test.refs.push_back({{"name", call.args.back()}, {"package", nullptr}, {"version", nullptr}});
          add_dependency(test, id);
        } else if (call.args.size() == 2) {
          COWORK_ASSIGN_OR_RETURN(auto id, resolve_source(test, call.args[0], call.args[1]));
          test.sources.push_back({call.args[0], call.args[1]});
          add_dependency(test, id);
        }
      }
    }
    const std::string hash_input = full_name + "|" + target.unique_id + "|" + spec.location.str();
    test.unique_id = fmt::format("test.{}.{}.{}", project, full_name, md5_hex(hash_input).substr(0, 10));
    test.checksum = "";
    if (test.enabled()) tests.push_back(std::move(test));
    return {};
  };
  auto tests_for = [&](const ProjectNode& target, const std::vector<TestSpec>& node_tests,
                       const std::vector<ColumnSpec>& columns) -> Status {
    for (const auto& spec : node_tests) COWORK_TRY(add_generic_test(spec, target));
    for (const auto& column : columns)
      for (const auto& spec : column.tests) COWORK_TRY(add_generic_test(spec, target));
    return {};
  };
  for (const auto& props : m_project.model_properties) {
    auto it = impl.models_by_name.find(props.name);
    if (it == impl.models_by_name.end() || !it->second.starts_with("model.")) {
      m_warnings.push_back(fmt::format("{}: properties for '{}', which is not a model of the project (or is disabled)",
                                       props.location.str(), props.name));
      continue;
    }
    COWORK_TRY(tests_for(m_nodes[m_index.at(it->second)], props.tests, props.columns));
  }
  for (const auto& props : m_project.seed_properties) {
    auto it = impl.models_by_name.find(props.name);
    if (it == impl.models_by_name.end() || !it->second.starts_with("seed.")) {
      m_warnings.push_back(
          fmt::format("{}: properties for '{}', which is not a seed of the project", props.location.str(), props.name));
      continue;
    }
    COWORK_TRY(tests_for(m_nodes[m_index.at(it->second)], props.tests, props.columns));
  }
  for (const auto& source : m_project.sources)
    for (const auto& table : source.tables) {
      auto it = impl.sources_by_name.find({source.name, table.name});
      if (it == impl.sources_by_name.end() || !m_index.contains(it->second)) continue;
      COWORK_TRY(tests_for(m_nodes[m_index.at(it->second)], table.tests, table.columns));
    }

  // Singular tests.
  for (const auto& file : m_project.singular_tests) {
    ProjectNode test;
    test.unique_id = fmt::format("test.{}.{}", project, file.name);
    test.name = file.name;
    test.resource_type = ResourceType::test;
    test.package_name = project;
    test.original_file_path = file.path;
    test.path = resource_path(file.path, settings.test_paths);
    test.fqn = file.fqn;
    test.raw_code = file.contents;
    test.checksum = checksum_of(file.contents);
    test.location = {file.path, 1, 1};
    test.config = {{"materialized", "test"}, {"enabled", true}, {"severity", "ERROR"}};
    merge_config(test.config, resolve_tree_config(settings.tests, file.fqn));
    test.alias = file.name;
    test.schema = m_target.schema + "_dbt_test__audit";
    test.database = impl.database;
    COWORK_TRY(parse_render(test));
    if (test.config.contains("severity") && test.config["severity"].is_string())
      test.config["severity"] = iequals(test.config["severity"].get<std::string>(), "warn") ? "WARN" : "ERROR";
    for (const auto& ref : test.refs) {
      COWORK_ASSIGN_OR_RETURN(auto id, resolve_ref(test, ref["name"].get<std::string>()));
      add_dependency(test, id);
    }
    for (const auto& source : test.sources) {
      COWORK_ASSIGN_OR_RETURN(auto id,
                              resolve_source(test, source[0].get<std::string>(), source[1].get<std::string>()));
      add_dependency(test, id);
    }
    if (test.depends_on.size() == 1) test.attached_node = test.depends_on.front();
    if (test.enabled()) tests.push_back(std::move(test));
  }
  for (auto& test : tests) COWORK_TRY(add_node(std::move(test)));

  // Exposures.
  for (const auto& spec : m_project.exposures) {
    ProjectNode node;
    node.unique_id = fmt::format("exposure.{}.{}", project, spec.name);
    node.name = spec.name;
    node.resource_type = ResourceType::exposure;
    node.package_name = project;
    node.original_file_path = spec.file;
    node.path = spec.file;
    node.fqn = {project, spec.name};
    node.description = spec.description;
    node.exposure_type = spec.type;
    node.maturity = spec.maturity;
    node.url = spec.url;
    node.label = spec.label;
    node.owner_name = spec.owner_name;
    node.owner_email = spec.owner_email;
    node.location = spec.location;
    node.config = {{"enabled", true}};
    if (!spec.meta.empty()) node.config["meta"] = spec.meta;
    for (const auto& dependency : spec.depends_on) {
      const auto calls = text_calls(dependency);
      if (calls.empty())
        return make_error(ErrorCode::invalid_argument,
                          "{}: exposure '{}' depends on '{}': expected ref('...') or "
                          "source('...', '...')",
                          spec.location.str(), spec.name, dependency);
      for (const auto& call : calls) {
        if (call.function == "ref") {
          COWORK_ASSIGN_OR_RETURN(auto id, resolve_ref(node, call.args.back()));
          node.refs.push_back({{"name", call.args.back()}, {"package", nullptr}, {"version", nullptr}});
          add_dependency(node, id);
        } else if (call.args.size() == 2) {
          COWORK_ASSIGN_OR_RETURN(auto id, resolve_source(node, call.args[0], call.args[1]));
          node.sources.push_back({call.args[0], call.args[1]});
          add_dependency(node, id);
        }
      }
    }
    COWORK_TRY(add_node(std::move(node)));
  }

  // Analyses compile but never run.
  for (const auto& file : m_project.analyses) {
    ProjectNode node;
    node.unique_id = fmt::format("analysis.{}.{}", project, file.name);
    node.name = file.name;
    node.resource_type = ResourceType::analysis;
    node.package_name = project;
    node.original_file_path = file.path;
    node.path = resource_path(file.path, settings.analysis_paths);
    node.fqn = file.fqn;
    node.raw_code = file.contents;
    node.checksum = checksum_of(file.contents);
    node.location = {file.path, 1, 1};
    node.config = {{"materialized", "view"}, {"enabled", true}};
    COWORK_TRY(parse_render(node));
    for (const auto& ref : node.refs) {
      COWORK_ASSIGN_OR_RETURN(auto id, resolve_ref(node, ref["name"].get<std::string>()));
      add_dependency(node, id);
    }
    COWORK_TRY(add_node(std::move(node)));
  }

  // A cycle would make the build order impossible: find one and name it.
  std::unordered_map<std::string, int> colour;
  std::vector<std::string> stack;
  std::function<Status(const std::string&)> visit = [&](const std::string& id) -> Status {
    colour[id] = 1;
    stack.push_back(id);
    const ProjectNode& node = m_nodes[m_index.at(id)];
    for (const auto& parent : node.depends_on) {
      if (!m_index.contains(parent)) continue;
      if (colour[parent] == 1) {
        auto from = std::find(stack.begin(), stack.end(), parent);
        std::vector<std::string> cycle(from, stack.end());
        cycle.push_back(parent);
        return make_error(ErrorCode::invalid_argument, "the project's refs form a cycle: {}", join(cycle, " -> "));
      }
      if (colour[parent] == 0) COWORK_TRY(visit(parent));
    }
    stack.pop_back();
    colour[id] = 2;
    return {};
  };
  for (const auto& node : m_nodes)
    if (colour[node.unique_id] == 0) COWORK_TRY(visit(node.unique_id));
  return {};
}

Result<std::string> Compiler::compile(ProjectNode& node, const CompileState& compile_state) {
  Impl& impl = *m_impl;
  auto state = std::make_shared<RenderState>();
  state->mode = RenderState::Mode::compile;
  state->node = &node;
  state->is_incremental = compile_state.is_incremental;
  auto vars = CompilerAccess::node_variables(*this, state);

  std::string body;
  if (node.resource_type == ResourceType::test && node.test) {
    // A generic test: its macro called with the rendered arguments.
    jinja::Kwargs kwargs;
    for (const auto& [key, value] : node.test_kwargs.items()) {
      if (key == "column_name" || !value.is_string()) {
        kwargs.emplace_back(key, jinja::from_json(value));
        continue;
      }
      std::string text = value.get<std::string>();
      if (std::regex_match(text, looks_like_call())) text = "{{ " + text + " }}";
      if (text.find("{{") == std::string::npos && text.find("{%") == std::string::npos) {
        kwargs.emplace_back(key, Value(text));
        continue;
      }
      COWORK_ASSIGN_OR_RETURN(auto rendered, impl.env.render(text, node.location.str(), vars));
      kwargs.emplace_back(key, Value(rendered));
    }
    auto result = impl.env.call_macro(node.test_macro, {}, kwargs, vars);
    if (!result) return std::unexpected(result.error().with_context(fmt::format("compiling {}", node.unique_id)));
    body = result->str();
  } else if (node.resource_type == ResourceType::seed || node.resource_type == ResourceType::source ||
             node.resource_type == ResourceType::exposure) {
    return std::string();
  } else {
    auto it = impl.templates.find(node.unique_id);
    if (it == impl.templates.end())
      return make_error(ErrorCode::internal, "{} was not parsed before compiling", node.unique_id);
    COWORK_ASSIGN_OR_RETURN(body, impl.env.render(it->second, vars));
  }

  // Ephemeral parents become CTEs, theirs first.
  std::vector<std::pair<std::string, std::string>> ctes;
  std::set<std::string> done;
  std::function<Status(const std::vector<std::string>&)> add_ephemerals =
      [&](const std::vector<std::string>& ids) -> Status {
    for (const auto& id : ids) {
      if (done.contains(id)) continue;
      done.insert(id);
      ProjectNode& parent = m_nodes[m_index.at(id)];
      auto parent_state = std::make_shared<RenderState>();
      parent_state->mode = RenderState::Mode::compile;
      parent_state->node = &parent;
      auto parent_vars = CompilerAccess::node_variables(*this, parent_state);
      COWORK_ASSIGN_OR_RETURN(auto parent_sql, impl.env.render(impl.templates.at(id), parent_vars));
      COWORK_TRY(add_ephemerals(parent_state->ephemerals));
      ctes.emplace_back("__dbt__cte__" + parent.name, parent_sql);
    }
    return {};
  };
  COWORK_TRY(add_ephemerals(state->ephemerals));
  COWORK_ASSIGN_OR_RETURN(auto sql, inject_ctes(body, ctes, impl.dialect));
  node.compiled_code = sql;
  node.compiled = true;
  return sql;
}

Result<std::vector<std::string>> Compiler::render_hooks(const ProjectNode& node, std::string_view which) {
  std::vector<std::string> out;
  auto it = node.config.find(std::string(which));
  if (it == node.config.end() || it->is_null()) return out;
  std::vector<std::string> hooks;
  auto collect = [&](const nlohmann::json& hook) {
    if (hook.is_string()) hooks.push_back(hook.get<std::string>());
    if (hook.is_object() && hook.contains("sql") && hook["sql"].is_string())
      hooks.push_back(hook["sql"].get<std::string>());
  };
  if (it->is_array()) {
    for (const auto& hook : *it) collect(hook);
  } else {
    collect(*it);
  }
  auto state = std::make_shared<RenderState>();
  state->mode = RenderState::Mode::compile;
  state->node = const_cast<ProjectNode*>(&node);
  auto vars = CompilerAccess::node_variables(*this, state);
  for (const auto& hook : hooks) {
    COWORK_ASSIGN_OR_RETURN(auto sql,
                            m_impl->env.render(hook, fmt::format("{} ({})", node.original_file_path, which), vars));
    if (!trim(sql).empty()) out.push_back(sql);
  }
  return out;
}

}  // namespace cowork::dbt
