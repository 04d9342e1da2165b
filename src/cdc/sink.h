// Where a source connector's records go: a file, standard output, the embedded log's topics or
// an external Kafka cluster. The Flusher drives a sink on its own thread; recover() runs once on
// the connector's thread before the Flusher starts. Records arrive as the output lines of
// event_builder.h, whole lines only; a sink that is not a file parses them (record_line.h).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/position.h"

namespace sluice::cdc {

class Sink {
 public:
  virtual ~Sink() = default;

  // The durable position to resume from (none: start where the slot is). Also prepares for the
  // records written after that position before a crash: cut them (a file) or note how many of
  // the records sent again to drop (topics). Throws FatalError when the output cannot be used.
  virtual std::optional<Position> recover() = 0;
  // The records found past the position by recover() will not be sent again (a snapshot starts
  // afresh instead): keep them, and count the position from after them.
  virtual void forget_replay() {}
  // Passes whole lines on (buffered or in the page cache; not yet durable).
  virtual void write(std::string_view lines) = 0;
  // Makes everything written so far durable; throws when it cannot.
  virtual void sync() = 0;
  // Records pos as covering everything written and synced so far; may fill in the sink's part
  // of pos (a file's size). Called only after sync(). True when pos is durable on return;
  // false when the sink's next sync() makes it durable (together with the records written
  // meanwhile: one round of syncing per flush instead of two).
  virtual bool save(Position& pos) = 0;
  // The least time between two rounds of write+sync under load (group commit): records that
  // arrive meanwhile share the next round. Worth it where a sync costs more than the fsync of
  // one file (several partitions, another thread, the network).
  virtual std::chrono::microseconds sync_window() const { return {}; }
  // For messages: "output file X", "topics of the embedded log", ...
  virtual std::string describe() const = 0;
};

}  // namespace sluice::cdc
