// The Kafka listener driven by kcat (librdkafka), as users drive Kafka: metadata, produce,
// consume from every kind of start offset, each compression codec, consumer groups rebalancing
// and resuming from committed offsets, SASL/PLAIN, and crash recovery of the log.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "broker_harness.h"

namespace sluice::test {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

class KcatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-kcat-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string kcat(const SluiceServer& s, const std::string& args, int* code = nullptr) {
    return shell(fmt::format("timeout 60 kcat -b {} {} 2>{}/kcat.err", s.bootstrap(), args, dir),
                 code);
  }
  void produce(const SluiceServer& s, const std::string& topic, const std::string& input,
               const std::string& extra = "") {
    std::string file = dir + "/input";
    std::ofstream(file) << input;
    int code = 0;
    kcat(s, fmt::format("-P -l -t {} -X acks=all {} {}", topic, extra, file), &code);
    ASSERT_EQ(code, 0) << read_text(dir + "/kcat.err");
  }
  std::string dir;
};

TEST_F(KcatTest, MetadataListsBrokerAndTopics) {
  auto s = start_server(dir + "/data", {"--partitions", "3"});
  produce(s, "orders", "a\n");
  std::string out = kcat(s, "-L");
  EXPECT_NE(out.find(fmt::format("broker 0 at 127.0.0.1:{}", s.port)), std::string::npos) << out;
  EXPECT_NE(out.find("topic \"orders\" with 3 partitions"), std::string::npos) << out;
}

TEST_F(KcatTest, ConsumesFromEveryKindOfStartOffset) {
  auto s = start_server(dir + "/data");
  std::string first;
  for (int i = 0; i < 10; ++i) first += fmt::format("k{}:v{}\n", i, i);
  produce(s, "t", first, "-K:");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  produce(s, "t", "k10:v10\nk11:v11\n", "-K:");

  auto all = lines(kcat(s, "-C -t t -p 0 -o beginning -e -q -f '%o %k %s %T\\n'"));
  ASSERT_EQ(all.size(), 12u);
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i].substr(0, all[i].rfind(' ')), fmt::format("{} k{} v{}", i, i, i));
  EXPECT_TRUE(lines(kcat(s, "-C -t t -p 0 -o end -e -q")).empty());
  EXPECT_EQ(lines(kcat(s, "-C -t t -p 0 -o 7 -e -q -f '%o\\n'")),
            (std::vector<std::string>{"7", "8", "9", "10", "11"}));
  EXPECT_EQ(lines(kcat(s, "-C -t t -p 0 -o -3 -e -q -f '%o\\n'")),
            (std::vector<std::string>{"9", "10", "11"}));
  // By time: the second produce's timestamp finds its first record.
  std::string ts = all[10].substr(all[10].rfind(' ') + 1);
  EXPECT_EQ(lines(kcat(s, "-C -t t -p 0 -o s@" + ts + " -e -q -f '%o\\n'")),
            (std::vector<std::string>{"10", "11"}));
}

TEST_F(KcatTest, EachCompressionCodecRoundTrips) {
  auto s = start_server(dir + "/data");
  for (std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    std::string input;
    for (int i = 0; i < 2000; ++i) input += fmt::format("{}-message-{}\n", codec, i);
    produce(s, "z-" + codec, input, "-z " + codec);
    auto got = lines(kcat(s, fmt::format("-C -t z-{} -o beginning -e -q", codec)));
    ASSERT_EQ(got.size(), 2000u) << codec;
    EXPECT_EQ(got.front(), codec + "-message-0");
    EXPECT_EQ(got.back(), codec + "-message-1999");
  }
}

TEST_F(KcatTest, GroupMembersShareAndResumeFromCommittedOffsets) {
  auto s = start_server(dir + "/data",
                        {"--partitions", "4", "--group-initial-rebalance-delay-ms", "200"});
  std::string input;
  for (int i = 0; i < 200; ++i) input += fmt::format("k{}:m{}\n", i, i);
  produce(s, "g", input, "-K:");
  // Two members of one group, each printing partition and value as it consumes.
  auto member = [&](int n) {
    return fmt::format(
        "cd {} && exec timeout 60 kcat -u -b {} -G grp -X auto.offset.reset=earliest "
        "-X auto.commit.interval.ms=100 -q -f '%p %s\\n' g > member{}.out 2>member{}.err",
        dir, s.bootstrap(), n, n);
  };
  std::vector<pid_t> pids;
  for (int n = 0; n < 2; ++n) {
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", member(n).c_str(), nullptr);
      _exit(127);
    }
    pids.push_back(pid);
  }
  std::set<std::string> seen;
  std::vector<std::set<std::string>> partitions(2);
  for (int i = 0; i < 300 && seen.size() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen.clear();
    for (int n = 0; n < 2; ++n)
      for (auto& l : lines(read_text(fmt::format("{}/member{}.out", dir, n)))) {
        seen.insert(l.substr(l.find(' ') + 1));
        partitions[size_t(n)].insert(l.substr(0, l.find(' ')));
      }
  }
  ASSERT_EQ(seen.size(), 200u);
  // Give auto-commit a moment, then stop both members cleanly (they commit on close).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (pid_t pid : pids) kill(pid, SIGTERM);
  for (pid_t pid : pids) waitpid(pid, nullptr, 0);
  size_t total = 0;
  for (int n = 0; n < 2; ++n)
    total += lines(read_text(fmt::format("{}/member{}.out", dir, n))).size();
  EXPECT_EQ(total, 200u) << "every message consumed once";
  // The group's members shared the partitions (with 4 partitions both get some, unless one
  // joined after the other had read everything: then a rebalance still happened).
  EXPECT_FALSE(partitions[0].empty() && partitions[1].empty());

  produce(s, "g", "late1\nlate2\n");
  auto resumed = lines(kcat(s, "-G grp -X auto.offset.reset=earliest -e -q -f '%s\\n' g"));
  std::sort(resumed.begin(), resumed.end());  // two partitions: no order between them
  EXPECT_EQ(resumed, (std::vector<std::string>{"late1", "late2"}))
      << "a new member resumes after the committed offsets";
}

TEST_F(KcatTest, SaslPlainIsRequiredWhenUsersAreConfigured) {
  auto s = start_server(dir + "/data", {"--sasl-user", "alice:secret"});
  std::string sasl =
      "-X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=PLAIN -X sasl.username=alice ";
  produce(s, "secure", "hello\n", sasl + "-X sasl.password=secret");
  EXPECT_EQ(lines(kcat(s, sasl + "-X sasl.password=secret -C -t secure -e -q")),
            (std::vector<std::string>{"hello"}));
  int code = 0;
  kcat(s, sasl + "-X sasl.password=wrong -L -m 3", &code);
  EXPECT_NE(code, 0) << "a wrong password is refused";
  kcat(s, "-L -m 3", &code);
  EXPECT_NE(code, 0) << "no credentials is refused";
}

// Connects, sends bytes, and reports whether the server closed the connection.
bool server_closes_after(int port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
  (void)!write(fd, bytes.data(), bytes.size());
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
  }
  close(fd);
  return n == 0;
}

std::string frame(const std::string& body) {
  uint32_t n = htonl(uint32_t(body.size()));
  return std::string(reinterpret_cast<char*>(&n), 4) + body;
}

TEST_F(KcatTest, MalformedFramesCloseOnlyTheirConnection) {
  auto s = start_server(dir + "/data");
  produce(s, "ok", "before\n");
  // Unknown API key 99; Metadata v0 cut short; a negative size; an oversized size; a frame too
  // short for a header; a Produce whose batch is garbage.
  EXPECT_TRUE(server_closes_after(
      s.port, frame(std::string("\x00\x63\x00\x00\x00\x00\x00\x01\x00\x00", 10))));
  EXPECT_TRUE(server_closes_after(
      s.port, frame(std::string("\x00\x03\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x05", 14))));
  EXPECT_TRUE(server_closes_after(s.port, std::string("\xff\xff\xff\xf0", 4)));
  EXPECT_TRUE(server_closes_after(s.port, std::string("\x7f\x00\x00\x00", 4)));
  EXPECT_TRUE(server_closes_after(s.port, frame("abc")));
  // A client that dies in the middle of a request.
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(s.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    std::string half = frame(std::string(100, '\0')).substr(0, 30);
    (void)!write(fd, half.data(), half.size());
    close(fd);
  }
  // The broker is still healthy for everyone else.
  produce(s, "ok", "after\n");
  EXPECT_EQ(lines(kcat(s, "-C -t ok -e -q")), (std::vector<std::string>{"before", "after"}));
}

TEST_F(KcatTest, AcknowledgedRecordsSurviveKillNine) {
  std::string data = dir + "/data";
  std::string input;
  for (int i = 0; i < 5000; ++i) input += fmt::format("r{}\n", i);
  {
    auto s = start_server(data);
    produce(s, "durable", input);
    s.proc.signal(SIGKILL);
    s.proc.wait();
  }
  auto s = start_server(data);
  auto got = lines(kcat(s, "-C -t durable -e -q"));
  ASSERT_EQ(got.size(), 5000u);
  EXPECT_EQ(got.back(), "r4999");
}

TEST_F(KcatTest, TornTailIsCutOnRestart) {
  std::string data = dir + "/data";
  {
    auto s = start_server(data);
    produce(s, "torn", "one\ntwo\n");
    s.proc.signal(SIGTERM);
    s.proc.wait();
  }
  // A write cut short by a crash: half a batch header after the last good batch.
  std::string seg = data + "/topics/torn/0/00000000000000000000.log";
  ASSERT_TRUE(std::filesystem::exists(seg));
  auto good = std::filesystem::file_size(seg);
  std::ofstream(seg, std::ios::app)
      << std::string("\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x01", 11);
  auto s = start_server(data);
  EXPECT_EQ(lines(kcat(s, "-C -t torn -e -q")), (std::vector<std::string>{"one", "two"}));
  produce(s, "torn", "three\n");
  EXPECT_EQ(lines(kcat(s, "-C -t torn -e -q")), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_GT(std::filesystem::file_size(seg), good);
  EXPECT_NE(s.proc.stderr_text().find("torn"), std::string::npos) << s.proc.stderr_text();
}

}  // namespace
}  // namespace sluice::test
