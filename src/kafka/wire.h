// The Kafka protocol's primitive types, big-endian: fixed-width integers, strings and bytes with
// int16/int32 lengths (-1 = null), arrays with int32 counts, and the compact (uvarint N+1)
// forms with tagged fields used by flexible versions. Reader throws WireError on truncated or
// inconsistent input, so a malformed request is refused as a whole and its connection closed.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::kafka {

class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  int8_t i8();
  int16_t i16();
  int32_t i32();
  int64_t i64();
  uint32_t u32();
  bool boolean() { return i8() != 0; }
  uint64_t uvarint();
  std::string_view string();  // non-null int16 length
  std::optional<std::string_view> nullable_string();
  std::optional<std::string_view> bytes();           // int32 length, -1 = null
  std::optional<std::string_view> compact_string();  // uvarint N+1, 0 = null
  std::optional<std::string_view> compact_bytes();
  // Array counts, checked against the bytes left so a forged count cannot make us allocate.
  int32_t array_count(size_t min_element_size = 1);          // int32; -1 (null) is returned as -1
  int32_t compact_array_count(size_t min_element_size = 1);  // -1 for null
  void skip_tagged_fields();
  std::string_view raw(size_t n);

  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  void need(size_t n) const;
  std::string_view in_;
  size_t pos_ = 0;
};

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void i8(int8_t v) { out_.push_back(char(v)); }
  void i16(int16_t v);
  void i32(int32_t v);
  void i64(int64_t v);
  void u32(uint32_t v);
  void boolean(bool v) { i8(v ? 1 : 0); }
  void uvarint(uint64_t v);
  void string(std::string_view s);
  void nullable_string(std::optional<std::string_view> s);
  void bytes(std::optional<std::string_view> b);
  void compact_string(std::optional<std::string_view> s);
  void compact_bytes(std::optional<std::string_view> b);
  void array_count(int32_t n) { i32(n); }
  void compact_array_count(int32_t n) { uvarint(uint64_t(n + 1)); }
  void empty_tagged_fields() { uvarint(0); }
  void raw(std::string_view b) { out_.append(b); }
  // Reserves an int32 to be filled with patch_i32 once its value is known (e.g. a size).
  size_t reserve_i32();
  void patch_i32(size_t at, int32_t v);
  size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

}  // namespace sluice::kafka
