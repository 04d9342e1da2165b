#include "pg/pgoutput.h"

#include <fmt/format.h>

namespace sluice::pg {

namespace {

// Big-endian reader that names what it was reading when the message ends early.
class Reader {
 public:
  Reader(std::string_view d, char type) : d_(d), type_(type) {}
  void need(size_t n, const char* what) {
    if (d_.size() - pos_ < n)
      throw ProtocolError(fmt::format("truncated pgoutput '{}' message: {} needs {} bytes, {} left",
                                      type_, what, n, d_.size() - pos_));
  }
  uint8_t u8(const char* what) {
    need(1, what);
    return uint8_t(d_[pos_++]);
  }
  uint16_t u16(const char* what) {
    need(2, what);
    uint16_t v = uint16_t(uint8_t(d_[pos_]) << 8 | uint8_t(d_[pos_ + 1]));
    pos_ += 2;
    return v;
  }
  uint32_t u32(const char* what) {
    need(4, what);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | uint8_t(d_[pos_ + i]);
    pos_ += 4;
    return v;
  }
  uint64_t u64(const char* what) {
    need(8, what);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | uint8_t(d_[pos_ + i]);
    pos_ += 8;
    return v;
  }
  std::string_view cstr(const char* what) {
    auto end = d_.find('\0', pos_);
    if (end == std::string_view::npos)
      throw ProtocolError(
          fmt::format("truncated pgoutput '{}' message: unterminated {}", type_, what));
    auto s = d_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }
  std::string_view bytes(size_t n, const char* what) {
    need(n, what);
    auto s = d_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ == d_.size(); }
  char type() const { return type_; }

 private:
  std::string_view d_;
  size_t pos_ = 1;
  char type_;
};

void read_tuple(Reader& r, Tuple& t) {
  uint16_t n = r.u16("tuple column count");
  t.resize(n);
  for (uint16_t i = 0; i < n; ++i) {
    char kind = char(r.u8("tuple column kind"));
    t[i].kind = kind;
    t[i].data = {};
    switch (kind) {
      case 'n':
      case 'u':
        break;
      case 't':
      case 'b': {
        uint32_t len = r.u32("tuple value length");
        t[i].data = r.bytes(len, "tuple value");
        break;
      }
      default:
        throw ProtocolError(fmt::format("pgoutput '{}' message: unknown tuple column kind 0x{:02x}",
                                        r.type(), uint8_t(kind)));
    }
  }
}

void expect_end(const Reader& r) {
  if (!r.done())
    throw ProtocolError(fmt::format("pgoutput '{}' message has trailing bytes", r.type()));
}

}  // namespace

void PgOutputDecoder::decode(std::string_view msg, PgOutputHandler& h) {
  if (msg.empty()) throw ProtocolError("empty pgoutput message");
  char type = msg[0];
  Reader r(msg, type);
  switch (type) {
    case 'B': {
      BeginMessage m;
      m.final_lsn = r.u64("final LSN");
      m.commit_time_us = int64_t(r.u64("commit time"));
      m.xid = r.u32("xid");
      expect_end(r);
      h.on_begin(m);
      break;
    }
    case 'C': {
      r.u8("flags");
      CommitMessage m;
      m.commit_lsn = r.u64("commit LSN");
      m.end_lsn = r.u64("end LSN");
      m.commit_time_us = int64_t(r.u64("commit time"));
      expect_end(r);
      h.on_commit(m);
      break;
    }
    case 'O': {
      Lsn lsn = r.u64("origin LSN");
      auto name = r.cstr("origin name");
      h.on_origin(lsn, name);
      break;
    }
    case 'R': {
      RelationMessage m;
      m.oid = r.u32("relation oid");
      m.schema = r.cstr("namespace");
      if (m.schema.empty()) m.schema = "pg_catalog";
      m.table = r.cstr("relation name");
      m.replica_identity = char(r.u8("replica identity"));
      uint16_t n = r.u16("column count");
      m.columns.resize(n);
      for (auto& c : m.columns) {
        c.is_key = r.u8("column flags") & 1;
        c.name = r.cstr("column name");
        c.type_oid = r.u32("column type");
        c.typmod = int32_t(r.u32("column typmod"));
      }
      expect_end(r);
      h.on_relation(m);
      break;
    }
    case 'Y': {
      uint32_t oid = r.u32("type oid");
      auto nsp = r.cstr("type namespace");
      auto name = r.cstr("type name");
      expect_end(r);
      h.on_type(oid, nsp, name);
      break;
    }
    case 'I': {
      uint32_t rel = r.u32("relation oid");
      char n = char(r.u8("tuple marker"));
      if (n != 'N')
        throw ProtocolError(fmt::format("pgoutput insert: expected 'N', got 0x{:02x}", uint8_t(n)));
      read_tuple(r, new_);
      expect_end(r);
      h.on_insert(rel, new_);
      break;
    }
    case 'U': {
      uint32_t rel = r.u32("relation oid");
      char marker = char(r.u8("tuple marker"));
      char old_kind = 0;
      old_.clear();
      if (marker == 'K' || marker == 'O') {
        old_kind = marker;
        read_tuple(r, old_);
        marker = char(r.u8("tuple marker"));
      }
      if (marker != 'N')
        throw ProtocolError(
            fmt::format("pgoutput update: expected 'N', got 0x{:02x}", uint8_t(marker)));
      read_tuple(r, new_);
      expect_end(r);
      h.on_update(rel, old_kind, old_, new_);
      break;
    }
    case 'D': {
      uint32_t rel = r.u32("relation oid");
      char marker = char(r.u8("tuple marker"));
      if (marker != 'K' && marker != 'O')
        throw ProtocolError(
            fmt::format("pgoutput delete: expected 'K' or 'O', got 0x{:02x}", uint8_t(marker)));
      read_tuple(r, old_);
      expect_end(r);
      h.on_delete(rel, marker, old_);
      break;
    }
    case 'T': {
      uint32_t n = r.u32("relation count");
      uint8_t options = r.u8("truncate options");
      rels_.clear();
      for (uint32_t i = 0; i < n; ++i) rels_.push_back(r.u32("relation oid"));
      expect_end(r);
      h.on_truncate(rels_, options);
      break;
    }
    case 'M': {
      LogicalMessage m;
      m.transactional = r.u8("flags") & 1;
      m.lsn = r.u64("message LSN");
      m.prefix = r.cstr("prefix");
      uint32_t len = r.u32("content length");
      m.content = r.bytes(len, "content");
      expect_end(r);
      h.on_message(m);
      break;
    }
    default:
      throw ProtocolError(fmt::format("unexpected pgoutput message type 0x{:02x} ('{}')",
                                      uint8_t(type), type >= 32 && type < 127 ? type : '?'));
  }
}

}  // namespace sluice::pg
