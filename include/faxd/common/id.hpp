#pragma once
// Object ids: 26-character, time-ordered (ULID layout: 48-bit milliseconds then 80 random bits,
// Crockford base32). Newer objects sort after older ones, so "newest first" lists and cursors
// walk the primary key. Ids are opaque to users.
#include <string>
#include <string_view>

#include "faxd/common/clock.hpp"

namespace faxd {

std::string new_id(SysTime now);
// True for strings of our id alphabet and length: used to reject path tricks before any lookup.
bool is_valid_id(std::string_view id) noexcept;
// The smallest id new_id could give at `t` (its time part, zero random part): every id made at
// or after t sorts at or after it, so a time range can be walked on an id index.
std::string id_floor(SysTime t);
// Random bytes as lowercase hex (for tokens and secrets); backed by libsodium's CSPRNG.
std::string random_hex(std::size_t bytes);

}  // namespace faxd
