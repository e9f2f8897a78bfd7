// SPDX-License-Identifier: MIT
// The config file: the subset of YAML that code-server's config.yaml uses
// (code-server reads it with js-yaml).  Per line: a comment, a blank,
// "key: value", or "- item" under a key with no value (a list, applied as a
// repeated flag).  Values may be plain, "double-quoted" (with \" \\ \n \t
// escapes) or 'single-quoted' ('' for a quote), a flow list [a, b], or a
// block scalar (| or >, with - to drop the last newline) on the indented
// lines below.  Booleans are true/True/TRUE and false/False/FALSE, as
// YAML 1.2.  A map under a key ("key:" then indented "k: v" lines) is
// skipped with a warning: code-server has no such key either.  Nothing else
// of YAML is accepted: an unknown construct is an error naming its line.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>
#include <algorithm>

#include "base/fs.h"
#include "base/strings.h"
#include "config/config.h"

namespace config {
namespace {

constexpr size_t kMaxFile = 64 * 1024;

// The message is one line whatever the file holds: a control character
// (a decoded "\n" in a quoted value, a CR inside a key) is written as \xHH.
bool fail(Error* err, const std::string& path, int line, const std::string& what) {
  static constexpr char kHex[] = "0123456789abcdef";
  err->status = kExitConfig;
  err->message.clear();
  for (char c : "config " + path + ":" + std::to_string(line) + ": " + what) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) err->message += c;
    else err->message += {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
  }
  return false;
}

// Strips a trailing " # comment" outside quotes and surrounding blanks.
std::string_view strip_comment(std::string_view v) {
  char quote = 0;
  for (size_t i = 0; i < v.size(); i++) {
    char c = v[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') i++;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t')) {
      return base::trim_ows(v.substr(0, i));
    }
  }
  return base::trim_ows(v);
}

bool unquote(std::string_view v, std::string* out, std::string* why) {
  out->clear();
  if (v.empty() || (v.front() != '"' && v.front() != '\'')) {
    *out = std::string(v);
    return true;
  }
  char q = v.front();
  if (v.size() < 2 || v.back() != q) return *why = "unterminated quoted value", false;
  std::string_view in = v.substr(1, v.size() - 2);
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (q == '\'' && c == '\'') {
      if (i + 1 >= in.size() || in[i + 1] != '\'') return *why = "stray quote in value", false;
      i++;
    } else if (q == '"' && c == '\\') {
      if (++i >= in.size()) return *why = "dangling backslash", false;
      switch (in[i]) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case '"': case '\\': c = in[i]; break;
        default: return *why = "unsupported escape in value", false;
      }
    } else if (q == '"' && c == '"') {
      return *why = "stray quote in value", false;
    }
    out->push_back(c);
  }
  return true;
}

bool valid_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

bool is_true(std::string_view v) { return v == "true" || v == "True" || v == "TRUE"; }
bool is_false(std::string_view v) { return v == "false" || v == "False" || v == "FALSE"; }

// Applies one value of `key` (quoted, or already decoded when `decoded`);
// booleans turn flags on (true) or leave them off.
bool apply(Config* cfg, std::string_view key, std::string_view raw, const std::string& path, int line,
           Error* err, bool decoded = false) {
  const Option* o = find_option(key);
  if (o == nullptr || o->scope == Option::Scope::CommandLine) return fail(err, path, line, "unknown key '" + std::string(key) + "'");
  std::string value, why;
  if (decoded) value = std::string(raw);
  else if (!unquote(raw, &value, &why)) return fail(err, path, line, why);
  if (o->arg == nullptr) {
    if (is_false(value)) return true;
    if (!is_true(value)) return fail(err, path, line, std::string(key) + ": expected true or false");
    value = "true";
  } else if (o->arg[0] == '[' && (is_true(value) || is_false(value))) {
    value = is_true(value) ? "true" : "false";   // cert: True
  }
  if (!apply_option(*cfg, *o, value, &why)) return fail(err, path, line, std::string(key) + ": " + why);
  return true;
}

// The lines at `rest` that belong to the key above them: indented ones, and
// blanks between them.  Consumes them from `rest`, counting `line`.
std::vector<std::string_view> take_block(std::string_view* rest, int* line) {
  std::vector<std::string_view> out;
  while (!rest->empty()) {
    size_t nl = rest->find('\n');
    std::string_view l = rest->substr(0, nl);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    bool blank = base::trim_ows(l).empty();
    if (!blank && l.front() != ' ' && l.front() != '\t') break;
    out.push_back(l);
    *rest = nl == std::string_view::npos ? std::string_view() : rest->substr(nl + 1);
    ++*line;
  }
  while (!out.empty() && base::trim_ows(out.back()).empty()) out.pop_back();
  return out;
}

// A block scalar's text: the lines without their common indentation;
// literal (|) keeps the line breaks, folded (>) joins lines with a space;
// a final newline unless "-".
std::string block_text(const std::vector<std::string_view>& lines, bool folded, bool strip) {
  size_t indent = std::string_view::npos;
  for (std::string_view l : lines) {
    if (!base::trim_ows(l).empty()) indent = std::min(indent, l.find_first_not_of(" \t"));
  }
  std::string text;
  for (size_t i = 0; i < lines.size(); i++) {
    std::string_view l = lines[i].size() > indent ? lines[i].substr(indent) : std::string_view();
    if (i > 0) text += folded && !l.empty() && !text.empty() && text.back() != '\n' ? ' ' : '\n';
    text += l;
  }
  if (!strip && !text.empty()) text += '\n';
  return text;
}

bool apply_flow_list(Config* cfg, std::string_view key, std::string_view v, const std::string& path,
                     int line, Error* err) {
  v = v.substr(1, v.size() - 2);
  while (!base::trim_ows(v).empty()) {
    size_t comma = v.find(',');
    if (!apply(cfg, key, base::trim_ows(v.substr(0, comma)), path, line, err)) return false;
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return true;
}

}  // namespace

bool read_file(const std::string& path, Config* cfg, Error* err) {
  std::string text;
  if (!base::read_small(path, kMaxFile, &text, base::Links::Follow)) {
    return fail(err, path, 0, errno == EFBIG ? "larger than 64 KiB" : base::read_error());
  }

  std::string list_key;   // key whose "- item" lines (or a map, skipped) may follow
  int line = 0;
  for (std::string_view rest = text; !rest.empty();) {
    line++;
    size_t nl = rest.find('\n');
    std::string_view l = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    std::string_view t = strip_comment(l);
    if (t.empty() || t == "---") continue;
    if (l.front() == ' ' || l.front() == '\t' || t.front() == '-') {
      bool item = t.size() >= 2 && t[0] == '-' && t[1] == ' ';
      if (!item && !list_key.empty() && t.find(": ") != std::string_view::npos) {
        // A map under the key: nothing of code-server's takes one.
        cfg->warnings.push_back("config " + path + ":" + std::to_string(line - 1) + ": '" + list_key +
                                "' holds a map, which no option takes; ignored");
        take_block(&rest, &line);
        list_key.clear();
        continue;
      }
      if (!item || list_key.empty()) return fail(err, path, line, "unexpected indented line");
      if (!apply(cfg, list_key, base::trim_ows(t.substr(2)), path, line, err)) return false;
      continue;
    }
    size_t colon = t.find(':');
    if (colon == std::string_view::npos) return fail(err, path, line, "expected 'key: value'");
    std::string_view key = t.substr(0, colon);
    std::string_view value = base::trim_ows(t.substr(colon + 1));
    if (!valid_key(key)) return fail(err, path, line, "invalid key '" + std::string(key) + "'");
    list_key.clear();
    const Option* o = find_option(key);
    if (o == nullptr || o->scope == Option::Scope::CommandLine) return fail(err, path, line, "unknown key '" + std::string(key) + "'");
    if (value.empty()) {
      list_key = std::string(key);  // a list may follow; an empty scalar sets nothing
    } else if (value == "|" || value == "|-" || value == ">" || value == ">-") {
      int at = line;
      std::string block = block_text(take_block(&rest, &line), value[0] == '>', value.size() == 2);
      if (!apply(cfg, key, block, path, at, err, true)) return false;
    } else if (value.front() == '[' && value.back() == ']') {
      if (!apply_flow_list(cfg, key, value, path, line, err)) return false;
    } else if (!apply(cfg, key, value, path, line, err)) {
      return false;
    }
  }
  return true;
}

}  // namespace config
