#include "util/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/temp_dir.hpp"

namespace cowork {
namespace {

using testing::TempDir;

TEST(PaddedFile, MissingFileIsNotFoundAndNamesThePath) {
  TempDir dir;
  auto file = PaddedFile::open(dir.path() / "nope.json");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::not_found);
  EXPECT_EQ(file.error().message, (dir.path() / "nope.json").string() + ": no such file");
}

TEST(PaddedFile, DirectoryIsRefusedWithAClearMessage) {
  TempDir dir;
  auto file = PaddedFile::open(dir.path());
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(file.error().message, dir.path().string() + ": is a directory, not a file");
}

TEST(PaddedFile, SmallFileIsReadWithZeroPadding) {
  TempDir dir;
  auto path = dir.write("a.json", "{\"a\": 1}");
  auto file = PaddedFile::open(path, 64);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->view(), "{\"a\": 1}");
  ASSERT_GE(file->capacity(), file->size() + 64);
  for (std::size_t i = file->size(); i < file->capacity(); ++i) EXPECT_EQ(file->data()[i], '\0');
}

TEST(PaddedFile, LargeFileIsMappedWithReadablePaddingPastAPageBoundary) {
  TempDir dir;
  // Exactly a multiple of the page size, so the padding lies wholly past the file's last page.
  std::string content(4 << 20, 'x');
  auto path = dir.write("big.json", content);
  auto file = PaddedFile::open(path, 64);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->size(), content.size());
  EXPECT_EQ(file->view().substr(0, 3), "xxx");
  for (std::size_t i = file->size(); i < file->size() + 64; ++i) EXPECT_EQ(file->data()[i], '\0');
  PaddedFile moved = std::move(*file);
  EXPECT_EQ(moved.size(), content.size());
}

TEST(WriteFileAtomic, ReplacesContentAndLeavesNoTemporaryFile) {
  TempDir dir;
  auto path = dir.write("state.txt", "old");
  ASSERT_TRUE(write_file_atomic(path, "new content"));
  auto text = read_file(path);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "new content");
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".cowork-tmp"));
}

TEST(WriteFileAtomic, MissingFolderIsAnError) {
  TempDir dir;
  auto status = write_file_atomic(dir.path() / "no" / "such" / "file", "x");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("no/such/file"), std::string::npos);
}

TEST(WriteFile, LeavesUnchangedContentUntouchedAndReplacesChangedContent) {
  TempDir dir;
  auto path = dir.write("compiled/model.sql", "select 1");
  const auto inode = [&] {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_ino;
  };
  const auto before = inode();
  ASSERT_TRUE(write_file(path, "select 1"));
  EXPECT_EQ(inode(), before);  // same content: not rewritten
  ASSERT_TRUE(write_file(path, "select 2"));
  EXPECT_EQ(*read_file(path), "select 2");
  ASSERT_TRUE(write_file(path, "select 22 -- same size? no"));
  EXPECT_EQ(*read_file(path), "select 22 -- same size? no");
  ASSERT_TRUE(write_file(path, ""));
  EXPECT_EQ(*read_file(path), "");
}

TEST(WriteFile, MissingFolderIsAnErrorNamingThePath) {
  TempDir dir;
  auto status = write_file(dir.path() / "no" / "such" / "file.sql", "x");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("no/such/file.sql"), std::string::npos);
}

}  // namespace
}  // namespace cowork
