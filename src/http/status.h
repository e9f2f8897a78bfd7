// SPDX-License-Identifier: MIT
// status — reason phrases for the status codes portico sends.
#pragma once

namespace http {

// The RFC 9110 reason phrase for `code`, or "Unknown" for codes portico never sends.
const char* reason(int code);

}  // namespace http
