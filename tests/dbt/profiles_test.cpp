#include "dbt/profiles.hpp"

#include <cstdlib>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace cowork::dbt {
namespace {

using testing::TempDir;

// Stands in for the Jinja renderer: replaces {{ env_var('PORT') }} and {{ env_var('USER_NAME') }}.
Result<std::string> fake_render(std::string_view text, std::string_view) {
  std::string out(text);
  for (auto [from, to] : {std::pair<std::string, std::string>{"{{ env_var('PORT') }}", "6543"},
                          {"{{ env_var('USER_NAME') }}", "analyst"}}) {
    for (auto at = out.find(from); at != std::string::npos; at = out.find(from)) out.replace(at, from.size(), to);
  }
  if (out.find("{{") != std::string::npos) return make_error(ErrorCode::invalid_argument, "cannot render {}", text);
  return out;
}

const char* k_profiles = R"(
shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: dev.duckdb
      schema: main
      threads: 4
    pg:
      type: postgres
      host: 127.0.0.1
      port: "{{ env_var('PORT') }}"
      user: "{{ env_var('USER_NAME') }}"
      password: ""
      dbname: shop
      schema: analytics
)";

class ProfilesTest : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("DBT_PROFILES_DIR"); }
  void TearDown() override { ::unsetenv("DBT_PROFILES_DIR"); }
};

TEST_F(ProfilesTest, DefaultTargetAndRenderedSettings) {
  TempDir dir;
  auto file = dir.write("profiles.yml", k_profiles);
  auto dev = load_profile_target(file, "shop", "", fake_render);
  ASSERT_TRUE(dev) << dev.error().message;
  EXPECT_EQ(dev->target, "dev");
  EXPECT_EQ(dev->type, "duckdb");
  EXPECT_EQ(dev->schema, "main");
  EXPECT_EQ(dev->threads, 4);
  EXPECT_EQ(dev->settings["path"], "dev.duckdb");

  auto pg = load_profile_target(file, "shop", "pg", fake_render);
  ASSERT_TRUE(pg) << pg.error().message;
  EXPECT_EQ(pg->settings["port"], 6543);  // rendered text that is a number becomes one
  EXPECT_EQ(pg->settings["user"], "analyst");
  EXPECT_EQ(pg->database, "shop");
}

TEST_F(ProfilesTest, MissingProfileOrTargetListsWhatExists) {
  TempDir dir;
  auto file = dir.write("profiles.yml", k_profiles);
  auto profile = load_profile_target(file, "shopp", "", fake_render);
  ASSERT_FALSE(profile);
  EXPECT_NE(profile.error().message.find("no profile named 'shopp' (the project's `profile`); profiles here: shop"),
            std::string::npos);
  auto target = load_profile_target(file, "shop", "prod", fake_render);
  ASSERT_FALSE(target);
  EXPECT_NE(target.error().message.find("profile 'shop' has no target 'prod'; targets: dev, pg"), std::string::npos);
}

TEST_F(ProfilesTest, LookupOrder) {
  TempDir project, flag, env;
  project.write("profiles.yml", k_profiles);
  flag.write("profiles.yml", k_profiles);
  env.write("profiles.yml", k_profiles);
  EXPECT_EQ(*find_profiles_file(project.path(), flag.path().string()), flag.path() / "profiles.yml");
  ::setenv("DBT_PROFILES_DIR", env.path().c_str(), 1);
  EXPECT_EQ(*find_profiles_file(project.path(), ""), env.path() / "profiles.yml");
  ::unsetenv("DBT_PROFILES_DIR");
  EXPECT_EQ(*find_profiles_file(project.path(), ""), project.path() / "profiles.yml");
  TempDir empty;
  auto missing = find_profiles_file(empty.path(), (empty.path() / "nowhere").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("given with --profiles-dir"), std::string::npos);
}

TEST_F(ProfilesTest, RenderErrorsAndMissingTypeAreReported) {
  TempDir dir;
  auto file = dir.write("profiles.yml", "p:\n  target: t\n  outputs:\n    t:\n      schema: x\n");
  auto untyped = load_profile_target(file, "p", "", fake_render);
  ASSERT_FALSE(untyped);
  EXPECT_NE(untyped.error().message.find("target 't' of profile 'p' has no `type`"), std::string::npos);
  auto broken = dir.write("profiles2.yml",
                          "p:\n  target: t\n  outputs:\n    t:\n      type: duckdb\n      path: \"{{ nope }}\"\n");
  EXPECT_FALSE(load_profile_target(broken, "p", "", fake_render));
}

}  // namespace
}  // namespace cowork::dbt
