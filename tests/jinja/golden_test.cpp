// Golden tests: every tests/jinja/golden/<case>.jinja is rendered and compared with <case>.expected (the output,
// plus one newline, since files end with one), or, for a case that must fail, its error message with
// <case>.error. Optional files:
//   <case>.vars.json          render variables
//   <case>.<namespace>.macros macro files loaded into that namespace before rendering (my_project is searched
//                             first for unqualified names, then the others in name order)
// The environment is dbt-shaped: fake ref, source, config, var, this, target, adapter (with dispatch), env_var,
// is_incremental, exceptions, run_query (which always fails, as out of scope). Adding a case is adding two files;
// tests/jinja/oracle.py checks the cases that do not need dbt against Python's Jinja2. COWORK_JINJA_RECORD=1 writes
// the files of a new case from the engine's output, for review.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "jinja/environment.hpp"

namespace cowork::jinja {
namespace {

namespace fs = std::filesystem;

const fs::path k_golden_dir = COWORK_JINJA_GOLDEN_DIR;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Value relation(const std::string& database, const std::string& schema, const std::string& identifier) {
  auto object =
      std::make_shared<HostObject>("Relation", fmt::format("\"{}\".\"{}\".\"{}\"", database, schema, identifier));
  object->set("database", Value(database)).set("schema", Value(schema)).set("identifier", Value(identifier));
  object->set("name", Value(identifier));
  return Value::object(std::move(object));
}

// dbt's `config`: callable (`{{ config(materialized='table') }}`) and readable (`config.get('materialized')`).
class FakeConfig : public Object {
 public:
  FakeConfig() : m_values(Value::dict()) {}
  std::string_view type_name() const override { return "Config"; }
  bool is_callable() const override { return true; }
  Result<Value> call(CallContext& context) override {
    if (!context.args().empty())
      return make_error(ErrorCode::invalid_argument, "config() takes keyword arguments only");
    for (const auto& [key, value] : context.kwargs()) m_values.as_dict().set(key, value);
    return Value("");
  }
  std::optional<Value> attribute(std::string_view name) const override {
    if (name != "get") return std::nullopt;
    Value values = m_values;
    return Value::function("config.get", [values](CallContext& context) -> Result<Value> {
      COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"name", "default"}, 1));
      if (const Value* found = values.as_dict().find(args[0])) return *found;
      return args[1].is_undefined() ? Value::none() : args[1];
    });
  }

 private:
  Value m_values;
};

void install_fake_dbt(Environment& env) {
  env.set_function("ref", [](CallContext& context) -> Result<Value> {
    const auto args = context.args();
    if (args.empty() || args.size() > 2)
      return make_error(ErrorCode::invalid_argument, "ref() takes 1 or 2 arguments, {} given", args.size());
    return relation("analytics", "main", args.back().str());
  });
  env.set_function("source", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"source_name", "table_name"}, 2));
    return relation("raw", args[0].str(), args[1].str());
  });
  env.set_function("var", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"name", "default"}, 1));
    static const Value vars = Value::dict({{"start_date", Value("2024-01-01")}, {"limit", Value(10)}});
    if (const Value* found = vars.as_dict().find(args[0])) return *found;
    if (!args[1].is_undefined()) return args[1];
    return make_error(ErrorCode::invalid_argument, "Required var '{}' not found in config", args[0].str());
  });
  env.set_function("env_var", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"name", "default"}, 1));
    if (args[0].str() == "DBT_USER") return Value("cowork");
    if (!args[1].is_undefined()) return args[1];
    return make_error(ErrorCode::invalid_argument, "Env var required but not provided: '{}'", args[0].str());
  });
  env.set_function("is_incremental", [](CallContext&) -> Result<Value> { return Value(false); });
  env.set_function("run_query", [](CallContext&) -> Result<Value> {
    return make_error(ErrorCode::invalid_argument, "run_query is out of scope: this render does not execute SQL");
  });
  env.set_function("log", [](CallContext&) -> Result<Value> { return Value(""); });
  env.set_global("execute", Value(true));
  env.set_global("this", relation("analytics", "main", "this_model"));
  env.set_global("config", Value::object(std::make_shared<FakeConfig>()));
  env.set_global("target", Value::dict({{"name", Value("dev")},
                                        {"type", Value("duckdb")},
                                        {"database", Value("analytics")},
                                        {"schema", Value("main")},
                                        {"threads", Value(4)}}));
  auto exceptions = std::make_shared<HostObject>("Exceptions");
  exceptions->set_method("raise_compiler_error", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(std::array<std::string_view, 1>{"msg"}, 1));
    return make_error(ErrorCode::invalid_argument, "Compilation Error: {}", args[0].str());
  });
  env.set_global("exceptions", Value::object(exceptions));
  auto adapter = std::make_shared<HostObject>("Adapter");
  // dbt's adapter.dispatch: the adapter's implementation, else the default one, searched in the given namespace
  // and then as the caller would see unqualified names.
  adapter->set_method("dispatch", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<2>({"macro_name", "macro_namespace"}, 1));
    const std::string name = args[0].str();
    std::vector<std::string> candidates;
    for (const char* prefix : {"duckdb__", "default__"}) {
      if (args[1].is_string()) candidates.push_back(args[1].as_string() + "." + prefix + name);
      candidates.push_back(prefix + name);
    }
    for (const auto& candidate : candidates) {
      Value found = context.lookup(candidate);
      if (found.is_undefined()) found = context.macro(candidate);
      if (!found.is_undefined()) return found;
    }
    return make_error(ErrorCode::invalid_argument, "No macro named '{}' found within namespace: '{}'", name,
                      args[1].is_string() ? args[1].as_string() : "None");
  });
  adapter->set_method("quote", [](CallContext& context) -> Result<Value> {
    COWORK_ASSIGN_OR_RETURN(auto args, context.bind<1>(std::array<std::string_view, 1>{"identifier"}, 1));
    return Value(fmt::format("\"{}\"", args[0].str()));
  });
  env.set_global("adapter", Value::object(adapter));
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(k_golden_dir))
    if (entry.path().extension() == ".jinja") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, RendersAsExpected) {
  const std::string name = GetParam();
  const fs::path base = k_golden_dir / name;
  const fs::path expected_path = fs::path(base.string() + ".expected");
  const fs::path error_path = fs::path(base.string() + ".error");
  const bool record = std::getenv("COWORK_JINJA_RECORD") != nullptr;
  if (!record) {
    ASSERT_TRUE(fs::exists(expected_path) != fs::exists(error_path))
        << name << ": needs exactly one of " << expected_path.filename() << " and " << error_path.filename();
  }

  Environment env;
  install_fake_dbt(env);
  // Macro files of this case, by namespace.
  std::vector<std::string> namespaces;
  std::vector<fs::path> macro_files;
  for (const auto& entry : fs::directory_iterator(k_golden_dir)) {
    const std::string file = entry.path().filename().string();
    if (file.starts_with(name + ".") && entry.path().extension() == ".macros") macro_files.push_back(entry.path());
  }
  std::sort(macro_files.begin(), macro_files.end());
  for (const auto& path : macro_files) {
    const std::string ns = path.stem().extension().string().substr(1);
    auto loaded = env.load_macros(read_file(path), path.filename().string(), ns);
    ASSERT_TRUE(loaded) << loaded.error().message;
    if (std::find(namespaces.begin(), namespaces.end(), ns) == namespaces.end()) namespaces.push_back(ns);
  }
  std::sort(namespaces.begin(), namespaces.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(a != "my_project", a) < std::make_pair(b != "my_project", b);
  });
  if (!namespaces.empty()) env.set_search_order(namespaces);

  Variables variables;
  const fs::path vars_path = fs::path(base.string() + ".vars.json");
  if (fs::exists(vars_path)) {
    const auto json = nlohmann::ordered_json::parse(read_file(vars_path));
    for (auto it = json.begin(); it != json.end(); ++it) variables[it.key()] = from_json(it.value());
  }

  const std::string file = name + ".jinja";
  auto rendered = env.render(read_file(base.string() + ".jinja"), file, variables);
  // COWORK_JINJA_RECORD=1 writes the result of a new case (one with neither file) for review.
  if (record && !fs::exists(expected_path) && !fs::exists(error_path)) {
    std::ofstream(rendered ? expected_path : error_path, std::ios::binary)
        << (rendered ? *rendered : rendered.error().message) << "\n";
    GTEST_SKIP() << "recorded " << name;
  }
  if (fs::exists(expected_path)) {
    ASSERT_TRUE(rendered) << rendered.error().message;
    EXPECT_EQ(*rendered + "\n", read_file(expected_path)) << "case " << name;
  } else {
    ASSERT_FALSE(rendered) << "case " << name << " rendered:\n" << *rendered;
    EXPECT_EQ(rendered.error().message + "\n", read_file(error_path)) << "case " << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(GoldenFolder, HasEnoughCases) {
  EXPECT_GE(case_names().size(), 80u);
}

}  // namespace
}  // namespace cowork::jinja
