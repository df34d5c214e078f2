#include "util/json_reader.hpp"

#include <gtest/gtest.h>

namespace cowork::json {
namespace {

// Owns a padded copy of a JSON text and a reader over it.
struct Doc {
  explicit Doc(std::string text) : buffer(std::move(text)) {
    size = buffer.size();
    buffer.append(simdjson::SIMDJSON_PADDING, '\0');
    reader = std::make_unique<JsonReader>("doc.json", buffer.data(), size, buffer.size());
  }
  std::string buffer;
  std::size_t size;
  std::unique_ptr<JsonReader> reader;
};

TEST(JsonReader, EmptyAndWhitespaceDocumentsAreEmptyFileErrors) {
  for (const char* text : {"", "  \n\t "}) {
    Doc doc(text);
    auto status = doc.reader->open();
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().message, "doc.json: the file is empty");
  }
}

TEST(JsonReader, TopLevelArrayIsRefused) {
  Doc doc("[1, 2]");
  auto status = doc.reader->open();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "doc.json: expected a JSON object at the top level, found an array");
}

TEST(JsonReader, TruncatedDocumentSaysSo) {
  Doc doc(R"({"nodes": {"model.a.b": {"name": "b")");
  ASSERT_TRUE(doc.reader->open());
  auto status = doc.reader->for_each_root_field([](std::string_view, Value&) -> Status { return {}; });
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("doc.json: invalid JSON: the document ends before"), std::string::npos)
      << status.error().message;
}

TEST(JsonReader, UnclosedStringIsReported) {
  Doc doc(R"({"a": "never closed)");
  auto status = doc.reader->open();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "doc.json: invalid JSON: a string is never closed (a truncated file?)");
}

TEST(JsonReader, MissingColonGivesLineAndColumn) {
  Doc doc("{\n  \"a\": 1,\n  \"b\" 2\n}");
  ASSERT_TRUE(doc.reader->open());
  auto status = doc.reader->for_each_root_field([&](std::string_view, Value& value) -> Status {
    auto number = doc.reader->get_optional_int(value);
    if (!number) return std::unexpected(number.error());
    return {};
  });
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("doc.json: invalid JSON at line 3"), std::string::npos)
      << status.error().message;
}

TEST(JsonReader, TypeErrorsNameTheJsonPath) {
  Doc doc(R"({"nodes": {"model.shop.orders": {"depends_on": {"nodes": ["a", 3]}}}})");
  ASSERT_TRUE(doc.reader->open());
  auto& reader = *doc.reader;
  auto status = reader.for_each_root_field([&](std::string_view, Value& nodes) -> Status {
    return reader.for_each_field(nodes, [&](std::string_view, Value& node) -> Status {
      return reader.for_each_field(node, [&](std::string_view, Value& depends) -> Status {
        return reader.for_each_field(depends, [&](std::string_view, Value& list) -> Status {
          std::vector<std::string> out;
          return reader.read_string_list(list, out);
        });
      });
    });
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "doc.json: $.nodes[\"model.shop.orders\"].depends_on.nodes[1]: expected a string, found a number");
}

TEST(JsonReader, NullIsAcceptedWhereOptionalAndStructuresMaterialise) {
  Doc doc(R"({"a": null, "b": {"x": [1, 2.5, "s", true, null, {"y": -3}]}, "c": 18446744073709551615})");
  ASSERT_TRUE(doc.reader->open());
  auto& reader = *doc.reader;
  nlohmann::json b;
  std::optional<std::string_view> a = "unset";
  ASSERT_TRUE(reader.for_each_root_field([&](std::string_view key, Value& value) -> Status {
    if (key == "a") {
      COWORK_ASSIGN_OR_RETURN(a, reader.get_optional_string(value));
    } else if (key == "b") {
      COWORK_ASSIGN_OR_RETURN(b, reader.get_json(value));
    } else if (key == "c") {
      COWORK_ASSIGN_OR_RETURN(auto c, reader.get_json(value));
      EXPECT_EQ(c.get<std::uint64_t>(), 18446744073709551615ULL);
    }
    return {};
  }));
  EXPECT_FALSE(a.has_value());
  EXPECT_EQ(b, nlohmann::json::parse(R"({"x": [1, 2.5, "s", true, null, {"y": -3}]})"));
}

TEST(JsonReader, UnreadValuesAreSkippedEvenWhenLarge) {
  std::string big = R"({"skip": [)";
  for (int i = 0; i < 10000; ++i) big += R"({"k": "v"},)";
  big += R"(1], "keep": "yes"})";
  Doc doc(big);
  ASSERT_TRUE(doc.reader->open());
  std::string keep;
  ASSERT_TRUE(doc.reader->for_each_root_field([&](std::string_view key, Value& value) -> Status {
    if (key == "keep") return doc.reader->read_string(value, keep);
    return {};
  }));
  EXPECT_EQ(keep, "yes");
}

}  // namespace
}  // namespace cowork::json
