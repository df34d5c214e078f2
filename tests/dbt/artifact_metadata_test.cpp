#include "dbt/artifact_metadata.hpp"

#include <gtest/gtest.h>

namespace cowork::dbt {
namespace {

ArtifactMetadata with_url(std::string url, std::string dbt_version = "1.8.0") {
  ArtifactMetadata metadata;
  metadata.schema_url = std::move(url);
  metadata.dbt_version = std::move(dbt_version);
  return metadata;
}

TEST(ArtifactMetadata, KnownVersionsAreReadAsThemselves) {
  for (int v = 1; v <= 12; ++v) {
    auto metadata = with_url("https://schemas.getdbt.com/dbt/manifest/v" + std::to_string(v) + ".json");
    std::vector<std::string> warnings;
    ASSERT_TRUE(check_metadata(ArtifactKind::manifest, "m.json", true, metadata, warnings));
    EXPECT_EQ(metadata.schema_version, v);
    EXPECT_EQ(metadata.read_as_version, v);
    EXPECT_TRUE(warnings.empty());
  }
}

TEST(ArtifactMetadata, FusionManifestV20IsKnownAndFlagged) {
  auto metadata = with_url("https://schemas.getdbt.com/dbt/manifest/v20.json", "2.0.0-preview.92");
  std::vector<std::string> warnings;
  ASSERT_TRUE(check_metadata(ArtifactKind::manifest, "m.json", true, metadata, warnings));
  EXPECT_TRUE(metadata.fusion);
  EXPECT_EQ(metadata.read_as_version, 20);
  EXPECT_TRUE(warnings.empty());
}

TEST(ArtifactMetadata, UnknownNewerVersionIsReadAsNewestWithAWarning) {
  auto metadata = with_url("https://schemas.getdbt.com/dbt/manifest/v13.json");
  std::vector<std::string> warnings;
  ASSERT_TRUE(check_metadata(ArtifactKind::manifest, "target/manifest.json", true, metadata, warnings));
  EXPECT_EQ(metadata.schema_version, 13);
  EXPECT_EQ(metadata.read_as_version, 12);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "target/manifest.json: manifest schema v13 is newer than the newest this version of cowork knows (v12); "
            "reading it as v12. Fields added since then are ignored");

  auto run = with_url("https://schemas.getdbt.com/dbt/run-results/v9.json");
  warnings.clear();
  ASSERT_TRUE(check_metadata(ArtifactKind::run_results, "rr.json", true, run, warnings));
  EXPECT_EQ(run.read_as_version, 6);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(ArtifactMetadata, FileOfAnotherKindIsRefused) {
  auto metadata = with_url("https://schemas.getdbt.com/dbt/run-results/v6.json");
  std::vector<std::string> warnings;
  auto status = check_metadata(ArtifactKind::manifest, "target/manifest.json", true, metadata, warnings);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "target/manifest.json: this is a dbt run-results artifact "
            "(https://schemas.getdbt.com/dbt/run-results/v6.json), not a manifest");
}

TEST(ArtifactMetadata, MissingOrGarbledVersionIsAnError) {
  std::vector<std::string> warnings;
  ArtifactMetadata none;
  auto missing_block = check_metadata(ArtifactKind::manifest, "m.json", false, none, warnings);
  ASSERT_FALSE(missing_block);
  EXPECT_EQ(missing_block.error().message, "m.json: $.metadata is missing; is this a dbt manifest file?");

  auto missing_version = check_metadata(ArtifactKind::manifest, "m.json", true, none, warnings);
  ASSERT_FALSE(missing_version);
  EXPECT_NE(missing_version.error().message.find("$.metadata.dbt_schema_version is missing"), std::string::npos);

  auto garbled = with_url("manifest-twelve");
  auto bad = check_metadata(ArtifactKind::manifest, "m.json", true, garbled, warnings);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unrecognised schema 'manifest-twelve'"), std::string::npos);
}

}  // namespace
}  // namespace cowork::dbt
