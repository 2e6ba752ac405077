#include "package/archive.hpp"

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "load/sources.hpp"

namespace pareto {
namespace fs = std::filesystem;

namespace {

// node_modules too: a function's packages are installed for Lambda from its lock file, never
// taken from a developer's install for this machine.
constexpr zip_uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
constexpr zip_uint16_t kDosTime = 0;

bool shipped(std::string_view name) {
  return name.front() != '.' && !is_test_file(name) && !name.ends_with(".pyc") &&
         !name.ends_with(".pyo");
}

bool private_key(const fs::path& path, std::string_view name) {
  for (std::string_view key : {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"})
    if (name.rfind(key, 0) == 0 && !name.ends_with(".pub")) return true;
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  size_t begin = head.find("-----BEGIN ");
  return begin != std::string::npos && head.find("PRIVATE KEY-----", begin) != std::string::npos;
}

bool inside(const fs::path& folder, const fs::path& path) {
  auto [end, at] = std::mismatch(folder.begin(), folder.end(), path.begin(), path.end());
  return end == folder.end();
}

// The files to ship below `folder`, each at `prefix` + its path below `top` in the archive. A
// link is shipped as what it names when that is inside the app's folder (`root`, resolved), and
// refused otherwise; directory links are walked as folders of their own, once.
void collect(const fs::path& base, const fs::path& root, const fs::path& top,
             const std::string& prefix, const fs::path& folder, Shipped& out,
             std::set<fs::path>& walked) {
  std::error_code error;
  if (!fs::is_directory(folder, error)) return;
  if (!walked.insert(fs::canonical(folder, error)).second || error) return;
  for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::end(it);
       it.increment(error)) {
    std::string name = it->path().filename().string();
    std::string relative = it->path().lexically_relative(base).generic_string();
    std::error_code probe;  // a dangling link is refused below, not a failed walk
    bool directory = it->is_directory(probe);
    if (directory ? is_skipped_folder(name) : !shipped(name)) {
      if (directory) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(probe)) {
      std::error_code link_error;
      fs::path target = fs::canonical(it->path(), link_error);
      bool unresolved = static_cast<bool>(link_error);
      fs::path within = target.lexically_relative(root);
      bool hidden = std::any_of(within.begin(), within.end(), [](const fs::path& part) {
        return part.string().front() == '.';
      });
      if (unresolved || !inside(root, target) || hidden) {
        std::string named = fs::read_symlink(it->path(), link_error).string();
        std::string why = unresolved             ? "which does not resolve"
                          : inside(root, target) ? "a hidden file: .env, .git/ and .aws/ never ship"
                                                 : "outside the app's folder: pareto never "
                                                   "packages what is outside it";
        out.refused.push_back(
            {relative, fmt::format("{} is a symbolic link to {}, {}", relative, named, why)});
        continue;
      }
      if (directory) {
        Shipped linked;
        collect(base, root, top, prefix, it->path(), linked, walked);
        out.files.insert(linked.files.begin(), linked.files.end());
        out.refused.insert(out.refused.end(), linked.refused.begin(), linked.refused.end());
        continue;
      }
    }
    if (directory || !it->is_regular_file(probe)) continue;
    if (private_key(it->path(), name)) {
      out.refused.push_back({relative, fmt::format("{} holds a private key: pareto never ships "
                                                   "one; keep it out of the app's folder, or in "
                                                   "a secret", relative)});
      continue;
    }
    out.files.emplace(prefix + it->path().lexically_relative(top).generic_string(), relative);
  }
  if (error) throw ArchiveError(folder.string() + ": " + error.message());
}

}  // namespace

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw ArchiveError(path.string() + ": cannot be read");
  return text.str();
}

namespace {

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};

void zip_ok(bool ok, zip_t* z, const std::string& what) {
  if (!ok) throw ArchiveError(what + ": " + zip_strerror(z));
}

}  // namespace


Shipped files_to_ship(const fs::path& base, const std::string& folder, const std::string& prefix) {
  Shipped out;
  std::error_code error;
  fs::path root = fs::weakly_canonical(base, error);
  fs::path resolved = fs::weakly_canonical(base / folder, error);
  if (fs::exists(base / folder, error) && !inside(root, resolved)) {
    out.refused.push_back({folder, fmt::format("{} resolves to {}, outside the app's folder: "
                                               "pareto never packages what is outside it",
                                               folder,
                                               resolved.lexically_relative(root).generic_string())});
    return out;
  }
  std::set<fs::path> walked;
  collect(base, root, base / folder, prefix, base / folder, out, walked);
  // Directory order differs between file systems: the refusals come in the files' order.
  std::sort(out.refused.begin(), out.refused.end(),
            [](const Refusal& a, const Refusal& b) { return a.file < b.file; });
  return out;
}

bool executable(const fs::path& path) {
  std::error_code error;
  return (fs::status(path, error).permissions() & fs::perms::owner_exec) != fs::perms::none;
}

std::string build_archive(const std::map<std::string, fs::path>& files) {
  // libzip writes nothing for an archive without entries: the empty zip is its end record alone.
  if (files.empty()) return std::string("PK\x05\x06", 4) + std::string(18, '\0');

  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!buffer) throw ArchiveError(zip_error_strerror(&error));
  zip_source_keep(buffer);  // read back after the archive is closed
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> keep(buffer, zip_source_free);
  std::unique_ptr<zip_t, ZipDiscard> archive(zip_open_from_source(buffer, ZIP_TRUNCATE, &error));
  if (!archive) throw ArchiveError(zip_error_strerror(&error));
  zip_t* z = archive.get();

  std::vector<std::string> contents;  // libzip reads them when the archive is closed
  contents.reserve(files.size());
  for (const auto& [name, path] : files) {
    contents.push_back(read_file(path));
    zip_source_t* source = zip_source_buffer(z, contents.back().data(), contents.back().size(), 0);
    zip_ok(source != nullptr, z, name);
    zip_int64_t index = zip_file_add(z, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) zip_source_free(source);
    zip_ok(index >= 0, z, name);
    zip_uint32_t mode = 0100000u | (executable(path) ? 0755u : 0644u);  // a regular file
    zip_ok(zip_set_file_compression(z, index, ZIP_CM_DEFLATE, 9) == 0 &&
               zip_file_set_dostime(z, index, kDosTime, kDosDate, 0) == 0 &&
               zip_file_set_external_attributes(z, index, 0, ZIP_OPSYS_UNIX, mode << 16) == 0,
           z, name);
  }
  zip_ok(zip_close(z) == 0, z, "the archive");
  [[maybe_unused]] zip_t* closed = archive.release();  // nothing left to discard

  if (zip_source_open(buffer) != 0 || zip_source_seek(buffer, 0, SEEK_END) != 0)
    throw ArchiveError("the archive could not be read back");
  zip_int64_t size = zip_source_tell(buffer);
  std::string out(static_cast<size_t>(size < 0 ? 0 : size), '\0');
  bool read = zip_source_seek(buffer, 0, SEEK_SET) == 0 &&
              zip_source_read(buffer, out.data(), out.size()) == static_cast<zip_int64_t>(out.size());
  zip_source_close(buffer);
  if (!read) throw ArchiveError("the archive could not be read back");
  return out;
}

}  // namespace pareto
