// The registry (validation, timing, errors as values) and the context's lookups of nodes and incidents.
#include "tools/tool.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::tools {
namespace {

using testing::demo_context;

nlohmann::json schema() {
  return {{"type", "object"},
          {"properties",
           {{"name", {{"type", "string"}}},
            {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10}}},
            {"direction", {{"type", "string"}, {"enum", {"up", "down"}}}},
            {"values", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
          {"required", {"name"}},
          {"additionalProperties", false}};
}

std::string validation_error(const nlohmann::json& args) {
  auto status = validate_arguments(schema(), args);
  EXPECT_FALSE(status.has_value()) << args.dump();
  if (status) return {};
  EXPECT_EQ(status.error().code, ErrorCode::invalid_argument);
  return status.error().message;
}

TEST(ValidateArguments, AcceptsWhatTheSchemaAllows) {
  EXPECT_TRUE(validate_arguments(schema(), {{"name", "x"}}));
  EXPECT_TRUE(validate_arguments(schema(), {{"name", "x"}, {"limit", 10}, {"direction", "up"}, {"values", {"a"}}}));
}

TEST(ValidateArguments, NamesTheArgumentThatIsWrong) {
  EXPECT_EQ(validation_error(nlohmann::json::object()), "args.name: required argument missing");
  EXPECT_EQ(validation_error({{"name", 3}}), "args.name: expected a string, got an integer");
  EXPECT_EQ(validation_error({{"name", "x"}, {"limit", "5"}}), "args.limit: expected an integer, got a string");
  EXPECT_EQ(validation_error({{"name", "x"}, {"limit", 2.5}}), "args.limit: expected an integer, got a number");
  EXPECT_EQ(validation_error({{"name", "x"}, {"limit", 0}}), "args.limit: 0 is below the minimum 1");
  EXPECT_EQ(validation_error({{"name", "x"}, {"limit", 11}}), "args.limit: 11 is above the maximum 10");
  EXPECT_EQ(validation_error({{"name", "x"}, {"direction", "sideways"}}),
            "args.direction: \"sideways\" is not one of \"up\", \"down\"");
  EXPECT_EQ(validation_error({{"name", "x"}, {"values", {"a", 1}}}),
            "args.values[1]: expected a string, got an integer");
  EXPECT_EQ(validation_error({{"name", "x"}, {"colour", "red"}}),
            "args.colour: unknown argument; the arguments are: direction, limit, name, values");
  EXPECT_EQ(validation_error(nlohmann::json::array()), "args: expected an object, got an array");
}

TEST(ToolRegistry, AddsFindsAndReplacesByName) {
  ToolRegistry registry;
  registry.add({"a", "first", schema(), nullptr});
  registry.add({"b", "second", schema(), nullptr});
  registry.add({"a", "replaced", schema(), nullptr});
  ASSERT_EQ(registry.tools().size(), 2u);
  EXPECT_EQ(registry.tools()[0].name, "a");
  EXPECT_EQ(registry.find("a")->description, "replaced");
  EXPECT_EQ(registry.find("c"), nullptr);
}

TEST(ToolRegistry, CallRunsTheHandlerWithValidArguments) {
  ToolRegistry registry;
  registry.add({"echo", "echoes", schema(), [](ToolContext&, const nlohmann::json& args) -> Result<ToolOutput> {
                  return ToolOutput{{{"got", args["name"]}}, "echoed " + args["name"].get<std::string>()};
                }});
  ToolContext context;
  const ToolCall call = registry.call(context, "echo", {{"name", "hi"}});
  ASSERT_TRUE(call.ok()) << call.summary();
  EXPECT_EQ(call.tool, "echo");
  EXPECT_EQ(call.output->result["got"], "hi");
  EXPECT_EQ(call.summary(), "echoed hi");
  EXPECT_GE(call.duration.count(), 0);
}

TEST(ToolRegistry, BadArgumentsNeverReachTheHandler) {
  ToolRegistry registry;
  bool ran = false;
  registry.add({"echo", "echoes", schema(), [&ran](ToolContext&, const nlohmann::json&) -> Result<ToolOutput> {
                  ran = true;
                  return ToolOutput{};
                }});
  ToolContext context;
  const ToolCall call = registry.call(context, "echo", {{"limit", 3}});
  EXPECT_FALSE(ran);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error->code, ErrorCode::invalid_argument);
  EXPECT_EQ(call.summary(), "error: echo: args.name: required argument missing");
}

TEST(ToolRegistry, UnknownToolListsTheTools) {
  ToolContext context;
  const ToolCall call = builtin_tools().call(context, "colum_profile", nlohmann::json::object());
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error->code, ErrorCode::not_found);
  EXPECT_NE(call.error->message.find("no tool named 'colum_profile'"), std::string::npos);
  EXPECT_NE(call.error->message.find("column_profile"), std::string::npos);
}

TEST(ToolRegistry, AHandlersExceptionBecomesAnInternalError) {
  ToolRegistry registry;
  registry.add({"boom", "throws", {{"type", "object"}}, [](ToolContext&, const nlohmann::json&) -> Result<ToolOutput> {
                  throw std::runtime_error("kaboom");
                }});
  ToolContext context;
  const ToolCall call = registry.call(context, "boom", nlohmann::json::object());
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error->code, ErrorCode::internal);
  EXPECT_NE(call.error->message.find("kaboom"), std::string::npos);
}

TEST(BuiltinTools, EveryToolTheEngineUsesIsThereWithADescriptionAndAnObjectSchema) {
  for (const char* name :
       {"incident_details", "lineage", "column_lineage", "model_sql", "yaml_properties", "test_definition",
        "failed_rows", "run_sql", "column_profile", "kb_search", "git_history", "upstream_tests"}) {
    const Tool* tool = builtin_tools().find(name);
    ASSERT_NE(tool, nullptr) << name;
    EXPECT_GT(tool->description.size(), 80u) << name;
    EXPECT_EQ(tool->parameters["type"], "object") << name;
    EXPECT_TRUE(tool->handler) << name;
  }
}

TEST(FindNode, ByUniqueIdNameSourceAndTestName) {
  const ToolContext& context = demo_context();
  auto model = context.find_node("dim_listings_cleansed");
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ((*model)->unique_id, "model.airbnb.dim_listings_cleansed");
  auto by_id = context.find_node("model.airbnb.src_listings");
  ASSERT_TRUE(by_id);
  EXPECT_EQ((*by_id)->name, "src_listings");
  auto source = context.find_node("airbnb.listings");
  ASSERT_TRUE(source) << source.error().message;
  EXPECT_EQ((*source)->unique_id, "source.airbnb.airbnb.listings");
  auto test = context.find_node("not_null_dim_listings_cleansed_host_id");
  ASSERT_TRUE(test) << test.error().message;
  EXPECT_EQ((*test)->resource_type, dbt::ResourceType::test);
  auto any_case = context.find_node("DIM_Listings_Cleansed");
  ASSERT_TRUE(any_case);
  EXPECT_EQ((*any_case)->name, "dim_listings_cleansed");
}

TEST(FindNode, ANearMissSuggestsTheName) {
  auto missing = demo_context().find_node("dim_listing_cleansed");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("did you mean: dim_listings_cleansed"), std::string::npos)
      << missing.error().message;
}

TEST(FindNode, SomethingFarFromEveryNameSaysHowToListThem) {
  auto missing = demo_context().find_node("zzzz_quux");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cowork ls"), std::string::npos) << missing.error().message;
}

TEST(FindIncident, ByIdPrefixAndWithoutInc) {
  const ToolContext& context = demo_context();
  ASSERT_FALSE(context.report.incidents.empty());
  const std::string id = context.report.incidents.front().id;
  auto full = context.find_incident(id);
  ASSERT_TRUE(full);
  EXPECT_EQ((*full)->id, id);
  auto without_prefix = context.find_incident(id.substr(4));
  ASSERT_TRUE(without_prefix) << without_prefix.error().message;
  EXPECT_EQ((*without_prefix)->id, id);
  auto unknown = context.find_incident("inc_nothere");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  EXPECT_NE(unknown.error().message.find(id), std::string::npos) << "lists the incidents: " << unknown.error().message;
}

}  // namespace
}  // namespace cowork::tools
