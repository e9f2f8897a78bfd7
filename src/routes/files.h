// SPDX-License-Identifier: MIT
// files — answering a request from a file on disk: what --static-dir and
// the VS Code server's own files share.
//
// Names: a raw path tail is decoded once (file_name) and checked segment by
// segment: no "." or "..", no hidden files or directories, no encoded
// separators, no NUL, no malformed escapes, nothing but UTF-8 (so no
// overlong forms).  Files are opened
// below a directory opened once at start (open_beneath): with openat2 and
// RESOLVE_BENEATH where the kernel has it (a symbolic link inside the
// directory is followed, one that leads out is not), else one component at
// a time with O_NOFOLLOW (no link is followed at all).  Only regular files
// are answered.
//
// Answers (answer_file): 200 with a strong ETag (inode, size and mtime of
// the file sent), 304 for a matching If-None-Match, 206 for one satisfiable
// byte range (416 for none; several ranges get the whole file), HEAD with
// the GET's head.  The body is sent from the file by the connection
// (sendfile(2), or 16 KiB reads into a TLS engine); nothing is held whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <sys/stat.h>

#include "http/codings.h"
#include "routes/chain.h"

namespace routes {

// Decodes the part of a path below a served directory into `out`.  Returns
// 0 and sets *name, or the status to answer (400 malformed, 404 never served).
int file_name(std::string_view raw, char* out, size_t cap, std::string_view* name);

// `name` (as file_name made it) below `dir`: an fd opened read-only, or -1.
int open_beneath(int dir, std::string_view name);
// The same for a regular file only, with its stat in *st: an fd, or -1.
int open_file(int dir, std::string_view name, struct stat* st);
// Whether open_beneath has openat2 here (probed once).
bool beneath_follows_links();
// The status for a file that could not be opened (errno `err`): 404 for a
// name that is not there (or not allowed there), 403 when it may not be
// read, 503 when descriptors or memory ran out.
int open_failure_status(int err);
// Fails `ex` with that status; `not_found` is the 404's message.
Outcome fail_open(Exchange& ex, int err, std::string_view not_found);

// If-None-Match `list` ("*" or entity-tags) matches `tag`, compared weakly.
bool none_match(std::string_view list, std::string_view tag);
// One range of `size` bytes from a Range value ("bytes=first-last",
// "first-" or "-suffix").  1: *off and *len set, *len > 0 and within size;
// 0: nothing to honour (absent, several ranges, malformed: the whole file);
// -1: unsatisfiable (416).
int byte_range(std::string_view spec, uint64_t size, uint64_t* off, uint64_t* len);

struct FileAnswer {
  std::string_view content_type;
  std::string_view cache_control;                 // "" for none
  http::Coding coding = http::Coding::Identity;   // the file is this coding of the resource
  bool vary = false;                              // Vary: Accept-Encoding (siblings exist)
  std::string_view extra_name, extra_value;       // one more header field, if named
};

// Answers ex with the regular file `fd` (stat `st`), which it owns from here
// on.  Only GET and HEAD come here.
Outcome answer_file(Exchange& ex, int fd, const struct stat& st, const FileAnswer& a);
// The same for `name` below `dir`, opened here: fail_open's answer when it
// cannot be (what --static-dir and code-server's files share).
Outcome answer_named(Exchange& ex, int dir, std::string_view name, const FileAnswer& a);

}  // namespace routes
