// Reads an output line of event_builder.h back as a Kafka record:
// {"topic":"…","partition":0,"key":<JSON or null>,"value":<JSON or null>,"headers":{…}}
// The key and value bytes are their JSON text, exactly as Kafka Connect's JsonConverter writes
// them; a null value is a tombstone. A header given as a JSON string is that string's content
// (the JSON of a Debezium key struct, as Connect's SimpleHeaderConverter writes it); null is a
// null header; any other JSON is taken as its text. No allocation per record: views point into the
// line, or into the parser's scratch storage for the rare escaped topic name and for headers.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/record_batch.h"

namespace sluice::cdc {

struct RecordLine {
  std::string_view topic;
  std::optional<std::string_view> key;    // nullopt: a null key
  std::optional<std::string_view> value;  // nullopt: a tombstone
  std::vector<kafka::RecordHeader> headers;
};

class RecordLineParser {
 public:
  // Parses one line without its newline. False on a malformed line; error() says why. The views
  // stay valid until the next call.
  bool parse(std::string_view line, RecordLine& out);
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string_view why, size_t at);
  std::string error_;
  std::string topic_scratch_;
  std::vector<std::string> header_scratch_;  // names and values, two per header
  std::vector<char> header_null_;            // per header: its value is JSON null
};

// Calls fn(line) for each newline-terminated line of text (a partial last line is ignored).
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  size_t pos = 0;
  for (;;) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return;
    fn(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
}

// Decodes the body of a JSON string (between the quotes) into out. False when malformed.
bool json_unescape(std::string_view body, std::string& out);
// The index just past the JSON value starting at s[i], or npos when it is malformed.
size_t json_skip_value(std::string_view s, size_t i);

}  // namespace sluice::cdc
