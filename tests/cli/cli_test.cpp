// The cowork binary as a user runs it: exit codes, output formats, and the messages bad input gets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/artifacts_builder.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace cowork::testing {
namespace {

const std::string k_corpus = fixtures_dir() + "/corpus/";
const std::string k_sprint = k_corpus + "ChrisAdan__sprint__v12-build-fail-error-skipped";

ProcessResult cowork(std::vector<std::string> args) {
  args.insert(args.begin(), cowork_binary());
  return run_process(args, {"NO_COLOR=1"});
}

TEST(Cli, HelpTeachesAndExitsZero) {
  auto result = cowork({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("incidents"), std::string::npos);
  EXPECT_NE(result.out.find("lineage"), std::string::npos);
  auto lineage = cowork({"lineage", "--help"});
  EXPECT_EQ(lineage.exit_code, 0);
  EXPECT_NE(lineage.out.find("Examples:"), std::string::npos);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(cowork({}).exit_code, 2);
  EXPECT_EQ(cowork({"no-such-command"}).exit_code, 2);
  auto bad_format = cowork({"incidents", "--format", "xml", "--target-path", k_sprint});
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_NE(bad_format.err.find("--format"), std::string::npos);
  EXPECT_EQ(cowork({"lineage"}).exit_code, 2);  // NODE is required
}

TEST(Cli, IncidentsJsonFromAFolderOfArtifacts) {
  auto result = cowork({"incidents", "--target-path", k_sprint, "--format", "json"});
  EXPECT_EQ(result.exit_code, 1) << result.err;  // incidents found
  auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["incidents"].size(), 2u);
  std::size_t skipped = 0;
  for (const auto& incident : json["incidents"]) skipped += incident["skipped"].size();
  EXPECT_EQ(skipped, 48u);
  EXPECT_EQ(json["incidents"][0]["failures"][0]["failures"], 12680);
}

TEST(Cli, IncidentsTextNamesTheIncidentsAndExitsOneWhenThereAreAny) {
  auto result = cowork({"incidents", "--target-path", k_sprint});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("2 incidents in"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("skipped       48 nodes"), std::string::npos) << result.out;

  auto clean = cowork({"incidents", "--target-path",
                       k_corpus + "fivetran__dbt_hubspot__package-docs-manifest-v1-to-v12/2022-06-13_dbt-1.0.0"});
  EXPECT_EQ(clean.exit_code, 0);
  EXPECT_NE(clean.out.find("No incidents"), std::string::npos);
}

TEST(Cli, IncidentsWithBrokenOrMissingArtifacts) {
  TempDir dir;
  auto missing = cowork({"incidents", "--target-path", (dir.path() / "nothing").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no such folder"), std::string::npos) << missing.err;

  dir.write(
      "target/run_results.json",
      R"({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}, "results": [{"unique_id": 5}]})");
  auto broken = cowork({"incidents", "--project-dir", dir.path().string()});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find("run_results.json: $.results[0].unique_id: expected a string, found a number"),
            std::string::npos)
      << broken.err;
}

TEST(Cli, IncidentsWithoutAManifestStillListFailures) {
  TempDir dir;
  RunResultsBuilder().result("model.shop.a", "error", nullptr, "boom").write(dir.path() / "target");
  auto result = cowork({"incidents", "--project-dir", dir.path().string(), "--format", "json"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no manifest.json in"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(result.out)["incidents"].size(), 1u);
}

TEST(Cli, LineageJsonMatchesTheContract) {
  const std::string dir =
      k_corpus + "yu-iskw__dbt-artifacts-parser__jaffle-shop-schema-v1-to-v12/manifest/v7/jaffle_shop";
  auto result = cowork({"lineage", "customers", "--target-path", dir, "--format", "json", "--up", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["root"], "model.jaffle_shop.customers");
  std::set<std::string> up;
  for (const auto& node : json["nodes"]) {
    for (const char* key : {"unique_id", "resource_type", "path", "direction", "depth"})
      EXPECT_TRUE(node.contains(key)) << key;
    if (node["direction"] == "up") {
      EXPECT_EQ(node["depth"], 1);
      up.insert(node["unique_id"].get<std::string>());
    }
  }
  EXPECT_EQ(up, (std::set<std::string>{"model.jaffle_shop.stg_customers", "model.jaffle_shop.stg_orders",
                                       "model.jaffle_shop.stg_payments"}));
}

TEST(Cli, LineageTextIsATree) {
  const std::string dir =
      k_corpus + "yu-iskw__dbt-artifacts-parser__jaffle-shop-schema-v1-to-v12/manifest/v7/jaffle_shop";
  auto result = cowork({"lineage", "stg_orders", "--target-path", dir});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("upstream"), std::string::npos);
  EXPECT_NE(result.out.find("└── raw_orders"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("downstream"), std::string::npos);
}

TEST(Cli, LineageOfAnUnknownNodeSuggests) {
  const std::string dir =
      k_corpus + "yu-iskw__dbt-artifacts-parser__jaffle-shop-schema-v1-to-v12/manifest/v7/jaffle_shop";
  auto result = cowork({"lineage", "customer", "--target-path", dir});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no node named 'customer'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("did you mean: model.jaffle_shop.customers"), std::string::npos) << result.err;
}

TEST(Cli, LineageShowsDisabledParentsWithoutWarning) {
  // In this dbt 1.0 manifest `customers` is disabled, yet a relationships test still refers to it.
  const std::string dir =
      k_corpus + "yu-iskw__dbt-artifacts-parser__jaffle-shop-schema-v1-to-v12/manifest/v4/jaffle_shop";
  auto result = cowork({"lineage", "customers", "--target-path", dir});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_NE(result.out.find("model.jaffle_shop.customers"), std::string::npos);
  EXPECT_NE(result.out.find("relationships(customer_id)"), std::string::npos) << result.out;
}

TEST(Cli, LsListsEveryNodeOfTheLargestCorpusManifest) {
  // 4 MB, 431 nodes: large enough for the parser's buffers to come from the huge-page allocator.
  const std::string dir = k_corpus + "tuva-health__tuva__docs-build-warn-v7-and-v11/2024-02-19_dbt-1.7.8_manifest-v11";
  for (const char* huge : {"COWORK_HUGE_PAGES=1", "COWORK_HUGE_PAGES=0"}) {
    auto result = run_process({cowork_binary(), "ls", "--output", "unique_id", "--target-path", dir}, {huge});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 431) << huge;
  }
}

TEST(Cli, LsSelectsLikeDbt) {
  const std::string dir =
      k_corpus + "yu-iskw__dbt-artifacts-parser__jaffle-shop-schema-v1-to-v12/manifest/v7/jaffle_shop";
  auto result =
      cowork({"ls", "--select", "+customers", "--resource-type", "model", "--output", "name", "--target-path", dir});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "customers\nstg_customers\nstg_orders\nstg_payments\n");
  auto bad = cowork({"ls", "--select", "nope:x", "--target-path", dir});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown selector method 'nope'"), std::string::npos);
}

}  // namespace
}  // namespace cowork::testing
