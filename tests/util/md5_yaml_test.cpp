#include <gtest/gtest.h>

#include "util/md5.hpp"
#include "util/yaml.hpp"

namespace cowork {
namespace {

TEST(Md5, KnownDigests) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(md5_hex(std::string(1000, 'a')), "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

TEST(Yaml, ScalarsKeepYamlTypesAndQuotedOnesStayStrings) {
  auto node = parse_yaml("a: true\nb: 3\nc: 2.5\nd: null\ne: '3'\nf: \"true\"\ng: text\nh: ~\ni: [1, x]\n", "t.yml");
  ASSERT_TRUE(node);
  auto json = yaml_to_json(*node);
  EXPECT_EQ(json["a"], true);
  EXPECT_EQ(json["b"], 3);
  EXPECT_EQ(json["c"], 2.5);
  EXPECT_TRUE(json["d"].is_null());
  EXPECT_EQ(json["e"], "3");
  EXPECT_EQ(json["f"], "true");
  EXPECT_EQ(json["g"], "text");
  EXPECT_TRUE(json["h"].is_null());
  EXPECT_EQ(json["i"], nlohmann::json::parse(R"([1, "x"])"));
}

TEST(Yaml, SyntaxErrorsNameFileLineAndColumn) {
  auto node = parse_yaml("models:\n  - name: a\n    columns: [unclosed\n", "models/schema.yml");
  ASSERT_FALSE(node);
  EXPECT_NE(node.error().message.find("models/schema.yml:4:1: invalid YAML"), std::string::npos)
      << node.error().message;
}

}  // namespace
}  // namespace cowork
