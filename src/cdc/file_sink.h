// Records as JSON lines in a file, with the position in FILE.pos (see position.h), or on
// standard output (no position: the slot's confirmed LSN is where a restart resumes).
#pragma once
#include <memory>
#include <string>

#include "cdc/output_file.h"
#include "cdc/position.h"
#include "cdc/sink.h"

namespace sluice::cdc {

class FileSink : public Sink {
 public:
  explicit FileSink(const std::string& path);  // "" or "-": standard output

  // Cuts bytes written after the saved position (PostgreSQL sends them again).
  std::optional<Position> recover() override;
  void write(std::string_view lines) override { out_.write_all(lines); }
  void sync() override { out_.sync(); }
  bool save(Position& pos) override;  // durable on return
  std::string describe() const override;

 private:
  OutputFile out_;
  std::unique_ptr<PositionStore> store_;  // null for standard output
};

}  // namespace sluice::cdc
