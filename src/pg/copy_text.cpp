#include "pg/copy_text.h"

namespace sluice::pg {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the unescaped form of field to out; false on a dangling backslash.
bool unescape(std::string_view f, std::string& out) {
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == f.size()) return false;
    c = f[i];
    switch (c) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < f.size() && hex_digit(f[i + 1]) >= 0)
          v = v * 16 + hex_digit(f[++i]), ++n;
        if (n == 0) {
          out += 'x';
        } else {
          out += char(v);
        }
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int v = c - '0', n = 1;
          while (n < 3 && i + 1 < f.size() && f[i + 1] >= '0' && f[i + 1] <= '7')
            v = v * 8 + (f[++i] - '0'), ++n;
          out += char(v);
        } else {
          out += c;  // \\ and any other escaped character stand for themselves
        }
    }
  }
  return true;
}

}  // namespace

bool parse_copy_text_row(std::string_view line, Tuple& row, std::string& scratch) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  row.clear();
  scratch.clear();
  // An unescaped value is never longer than its escaped form: with this reserve scratch never
  // moves, so views into it stay valid while the row is parsed.
  scratch.reserve(line.size());
  bool has_escapes = line.find('\\') != std::string_view::npos;
  std::string_view rest = line;
  for (;;) {
    size_t tab = rest.find('\t');
    std::string_view f = rest.substr(0, tab);
    TupleValue v;
    if (f == "\\N") {
      v.kind = 'n';
    } else {
      v.kind = 't';
      if (has_escapes && f.find('\\') != std::string_view::npos) {
        size_t begin = scratch.size();
        if (!unescape(f, scratch)) return false;
        v.data = std::string_view(scratch.data() + begin, scratch.size() - begin);
      } else {
        v.data = f;
      }
    }
    row.push_back(v);
    if (tab == std::string_view::npos) break;
    rest.remove_prefix(tab + 1);
  }
  return true;
}

}  // namespace sluice::pg
