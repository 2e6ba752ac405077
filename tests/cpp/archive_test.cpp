// What the code archive ships of an app's folder: links are followed only inside it, private
// keys and hidden files never go, executables keep their bit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "package/archive.hpp"

namespace fs = std::filesystem;

namespace {

class ArchiveFolder : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("pareto-archive-" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(app() / "hello" / "lib");
    write(app() / "hello" / "index.py", "def handler(e, c): return {}\n");
    write(app() / "shared.py", "VALUE = 1\n");
    write(root_ / "secret.txt", "outside\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path app() const { return root_ / "app"; }
  static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
  pareto::Shipped shipped() const {
    return pareto::files_to_ship(app(), "hello");
  }
  fs::path root_;
};

TEST_F(ArchiveFolder, ShipsALinkInsideTheAppAsTheFileItNames) {
  fs::create_symlink("../shared.py", app() / "hello" / "shared.py");
  auto result = shipped();
  EXPECT_TRUE(result.refused.empty());
  EXPECT_EQ(result.files.at("shared.py"), "hello/shared.py");  // rooted at the handler's folder
}

TEST_F(ArchiveFolder, WalksALinkedFolderInsideTheAppOnce) {
  fs::create_directories(app() / "common");
  write(app() / "common" / "util.py", "X = 2\n");
  fs::create_directory_symlink("../common", app() / "hello" / "common");
  fs::create_directory_symlink("..", app() / "hello" / "lib" / "loop");  // a cycle: walked once
  auto result = shipped();
  EXPECT_TRUE(result.refused.empty());
  EXPECT_TRUE(result.files.count("common/util.py"));
  EXPECT_TRUE(result.files.count("index.py"));
}

TEST_F(ArchiveFolder, RefusesALinkOutOfTheAppAndShipsNothing) {
  fs::create_symlink("../../secret.txt", app() / "hello" / "notes.txt");
  auto result = shipped();
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_EQ(result.refused[0].file, "hello/notes.txt");
  EXPECT_EQ(result.refused[0].message,
            "hello/notes.txt is a symbolic link to ../../secret.txt, outside the app's folder: "
            "pareto never packages what is outside it");
}

TEST_F(ArchiveFolder, RefusesLinksToHiddenFilesAndDanglingLinks) {
  write(app() / ".env", "TOKEN=x\n");
  fs::create_symlink("../.env", app() / "hello" / "settings.txt");
  fs::create_symlink("nowhere", app() / "hello" / "gone.txt");
  auto result = shipped();
  ASSERT_EQ(result.refused.size(), 2u);
  EXPECT_NE(result.refused[0].message.find("does not resolve"), std::string::npos);
  EXPECT_NE(result.refused[1].message.find("a hidden file"), std::string::npos);
}

TEST_F(ArchiveFolder, RefusesAnActionFolderThatIsALinkOut) {
  fs::remove_all(app() / "hello");
  fs::create_directories(root_ / "elsewhere");
  write(root_ / "elsewhere" / "index.py", "\n");
  fs::create_directory_symlink("../elsewhere", app() / "hello");
  auto result = shipped();
  ASSERT_EQ(result.refused.size(), 1u);
  EXPECT_EQ(result.refused[0].message, "hello resolves to ../elsewhere, outside the app's folder: "
                                       "pareto never packages what is outside it");
}

TEST_F(ArchiveFolder, RefusesPrivateKeysByNameAndByContent) {
  write(app() / "hello" / "id_ed25519", "anything\n");
  write(app() / "hello" / "id_ed25519.pub", "ssh-ed25519 AAAA public\n");
  write(app() / "hello" / "client.pem", "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n");
  write(app() / "hello" / "ca.pem", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
  auto result = shipped();
  ASSERT_EQ(result.refused.size(), 2u);
  EXPECT_EQ(result.refused[0].file, "hello/client.pem");
  EXPECT_EQ(result.refused[1].file, "hello/id_ed25519");
  EXPECT_TRUE(result.files.count("ca.pem"));        // a certificate is public
  EXPECT_TRUE(result.files.count("id_ed25519.pub"));
}

TEST_F(ArchiveFolder, LeavesHiddenFilesOut) {
  write(app() / "hello" / ".env", "TOKEN=x\n");
  fs::create_directories(app() / "hello" / ".aws");
  write(app() / "hello" / ".aws" / "credentials", "[default]\n");
  auto result = shipped();
  EXPECT_TRUE(result.refused.empty());
  EXPECT_EQ(result.files, (std::map<std::string, std::string>{{"index.py", "hello/index.py"}}));
}

TEST_F(ArchiveFolder, LeavesNodeModulesOutAndPutsSharedFoldersUnderTheirName) {
  fs::create_directories(app() / "hello" / "node_modules" / "ms");
  write(app() / "hello" / "node_modules" / "ms" / "index.js", "module.exports = 1;\n");
  EXPECT_EQ(shipped().files.count("node_modules/ms/index.js"), 0u);  // built from the lock file
  auto shared = pareto::files_to_ship(app(), "hello/lib", "lib/");
  write(app() / "hello" / "lib" / "util.py", "\n");
  EXPECT_EQ(pareto::files_to_ship(app(), "hello/lib", "lib/").files.at("lib/util.py"),
            "hello/lib/util.py");
}

}  // namespace
