// model_sql: raw and compiled SQL of a model.
#include <gtest/gtest.h>

#include "demo_workspace.hpp"

namespace cowork::testing {
namespace {

TEST(ModelSql, RawAndCompiled) {
  const auto out = call_ok("model_sql", {{"model", "dim_listings_cleansed"}});
  EXPECT_EQ(out.result["unique_id"], "model.airbnb.dim_listings_cleansed");
  EXPECT_EQ(out.result["path"], "models/dim/dim_listings_cleansed.sql");
  EXPECT_EQ(out.result["materialized"], "view");
  EXPECT_NE(out.result["raw_sql"].get<std::string>().find("{{ ref('src_listings') }}"), std::string::npos);
  const std::string compiled = out.result["compiled_sql"];
  EXPECT_NE(compiled.find("\"airbnb\".\"main\".\"src_listings\""), std::string::npos) << compiled;
  EXPECT_EQ(compiled.find("{{"), std::string::npos);
}

TEST(ModelSql, ASourceHasNoSql) {
  const Error error = call_error("model_sql", {{"model", "airbnb.listings"}});
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
  EXPECT_NE(error.message.find("source"), std::string::npos);
}

}  // namespace
}  // namespace cowork::testing
