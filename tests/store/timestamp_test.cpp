#include "store/timestamp.hpp"

#include <gtest/gtest.h>

namespace cowork::store {
namespace {

using std::chrono::milliseconds;

TEST(TimestampTest, FormatsUtcWithMilliseconds) {
  const Timestamp epoch{};
  EXPECT_EQ(format_timestamp(epoch), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(epoch + milliseconds(1'714'564'800'250)), "2024-05-01T12:00:00.250Z");
}

TEST(TimestampTest, ReadsTheFormsDbtAndPeopleWrite) {
  const auto expect = [](std::string_view text, std::string_view canonical) {
    auto parsed = normalize_timestamp(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, canonical) << text;
  };
  expect("2024-05-01T12:00:00.250Z", "2024-05-01T12:00:00.250Z");
  expect("2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00.123Z");  // dbt writes microseconds
  expect("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z");
  expect("2024-05-01 12:00", "2024-05-01T12:00:00.000Z");
  expect("2024-05-01", "2024-05-01T00:00:00.000Z");
  expect("2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00.000Z");
  expect("2024-05-01T07:30:00-0430", "2024-05-01T12:00:00.000Z");
  expect("2024-05-01T12:00:00", "2024-05-01T12:00:00.000Z");  // no zone: UTC
}

TEST(TimestampTest, RefusesWhatIsNotATime) {
  for (std::string_view text : {"", "yesterday", "2024-13-01", "2024-02-30", "2024-05-01T25:00", "2024-05-01T12:00Zx",
                                "2024-05-01T12:00:00."}) {
    auto parsed = parse_timestamp(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(parsed.error().message.find(std::string(text)), std::string::npos) << parsed.error().message;
  }
}

TEST(TimestampTest, TextOrderIsTimeOrder) {
  const Timestamp base = *parse_timestamp("2024-05-01T12:00:00Z");
  EXPECT_LT(format_timestamp(base), format_timestamp(base + milliseconds(1)));
  EXPECT_LT(format_timestamp(base + milliseconds(999)), format_timestamp(base + milliseconds(1000)));
}

}  // namespace
}  // namespace cowork::store
