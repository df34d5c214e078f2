#include "jinja/value.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cowork::jinja {
namespace {

std::string float_repr(double value) {
  std::string out;
  append_float_repr(out, value);
  return out;
}

TEST(Value, FloatsRenderLikePythonRepr) {
  EXPECT_EQ(float_repr(1.0), "1.0");
  EXPECT_EQ(float_repr(0.1), "0.1");
  EXPECT_EQ(float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(float_repr(1e16), "1e+16");
  EXPECT_EQ(float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(float_repr(0.0001), "0.0001");
  EXPECT_EQ(float_repr(0.00001), "1e-05");
  EXPECT_EQ(float_repr(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(float_repr(123.456), "123.456");
  EXPECT_EQ(float_repr(-0.0), "-0.0");
  EXPECT_EQ(float_repr(1.0 / 0.0), "inf");
}

TEST(Value, StrAndReprFollowPython) {
  EXPECT_EQ(Value::none().str(), "None");
  EXPECT_EQ(Value(true).str(), "True");
  EXPECT_EQ(Value().str(), "");
  EXPECT_EQ(Value::list({Value("a"), Value(1), Value::none(), Value(2.0)}).str(), "['a', 1, None, 2.0]");
  EXPECT_EQ(Value::tuple({Value("x")}).str(), "('x',)");
  EXPECT_EQ(Value::dict({{"k", Value("it's")}}).str(), "{'k': \"it's\"}");
  EXPECT_EQ(Value("a\nb").repr(), "'a\\nb'");
}

TEST(Value, ListsAndDictsAreSharedReferences) {
  Value list = Value::list();
  Value alias = list;
  alias.as_list().items.push_back(Value(1));
  EXPECT_EQ(list.items().size(), 1u);
  Value dict = Value::dict();
  Value same = dict;
  same.as_dict().set("a", Value(1));
  EXPECT_NE(dict.as_dict().find("a"), nullptr);
}

TEST(Value, EqualityAcrossNumericTypes) {
  EXPECT_TRUE(Value(1) == Value(1.0));
  EXPECT_TRUE(Value(true) == Value(1));
  EXPECT_FALSE(Value("1") == Value(1));
  EXPECT_FALSE(Value::list({Value(1)}) == Value::tuple({Value(1)}));
  EXPECT_TRUE(Value::dict({{"a", Value(1)}, {"b", Value(2)}}) == Value::dict({{"b", Value(2)}, {"a", Value(1)}}));
  EXPECT_TRUE(Value() == Value::undefined("why"));
  EXPECT_FALSE(Value::none() == Value());
}

TEST(Value, DictKeepsInsertionOrderAndPythonKeys) {
  Value dict = Value::dict();
  for (int i = 20; i > 0; --i) dict.as_dict().set(Value(i), Value(i * 10));  // past the linear-scan size
  dict.as_dict().set(Value(5.0), Value("five"));                             // 5.0 == 5: replaces in place
  dict.as_dict().set(Value(true), Value("one"));                             // True == 1
  EXPECT_EQ(dict.as_dict().size(), 20u);
  EXPECT_EQ(dict.as_dict().entries().front().first.as_int(), 20);
  EXPECT_EQ(dict.as_dict().find(Value(5))->as_string(), "five");
  EXPECT_EQ(dict.as_dict().find(Value(1))->as_string(), "one");
  EXPECT_TRUE(dict.as_dict().erase(Value(10)));
  EXPECT_EQ(dict.as_dict().find(Value(10)), nullptr);
  EXPECT_EQ(dict.as_dict().find(Value(9))->as_int(), 90);
  EXPECT_FALSE(is_hashable(Value::list()));
  EXPECT_TRUE(is_hashable(Value::tuple({Value(1), Value("a")})));
}

TEST(Value, OrderingFollowsPython) {
  EXPECT_EQ(compare_values(Value(1), Value(2.5)), -1);
  EXPECT_EQ(compare_values(Value("b"), Value("a")), 1);
  EXPECT_EQ(compare_values(Value::list({Value(1), Value(2)}), Value::list({Value(1)})), 1);
  EXPECT_FALSE(compare_values(Value("a"), Value(1)).has_value());
}

TEST(Value, SelfContainingListRendersWithoutRecursingForever) {
  Value list = Value::list();
  list.as_list().items.push_back(list);
  EXPECT_NE(list.str().find("[...]"), std::string::npos);
  list.as_list().items.clear();  // break the cycle so the list is freed
}

TEST(Value, JsonRoundTripKeepsOrder) {
  const auto json =
      nlohmann::ordered_json::parse(R"({"z": 1, "a": [true, null, 2.5, "s"], "m": {"k": 9007199254740993}})");
  Value value = from_json(json);
  EXPECT_EQ(value.str(), "{'z': 1, 'a': [True, None, 2.5, 's'], 'm': {'k': 9007199254740993}}");
  EXPECT_EQ(to_json(value).dump(), json.dump());
}

TEST(Value, HostObjectsExposeAttributesAndRender) {
  auto object = std::make_shared<HostObject>("Relation", "\"db\".\"s\".\"t\"");
  object->set("schema", Value("s"));
  Value value = Value::object(object);
  EXPECT_EQ(value.str(), "\"db\".\"s\".\"t\"");
  EXPECT_EQ(value.type_name(), "Relation");
  EXPECT_EQ(value.as_object().attribute("schema")->as_string(), "s");
  EXPECT_FALSE(value.as_object().attribute("missing").has_value());
}

}  // namespace
}  // namespace cowork::jinja
