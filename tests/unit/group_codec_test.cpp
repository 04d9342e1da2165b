// Wire layouts of the group APIs across their versions.
#include "kafka/group/group_codec.h"

#include <gtest/gtest.h>

namespace sluice::kafka::group {
namespace {

TEST(GroupCodecTest, JoinGroupRequestByVersion) {
  for (int16_t v : {0, 1, 5}) {
    std::string body;
    Writer w(body);
    w.string("grp");
    w.i32(45000);
    if (v >= 1) w.i32(300000);
    w.string("m-1");
    if (v >= 5) w.nullable_string(std::nullopt);
    w.string("consumer");
    w.array_count(2);
    w.string("range");
    w.bytes("r");
    w.string("roundrobin");
    w.bytes(std::nullopt);
    Reader r(body);
    auto req = decode_join_group(r, v);
    EXPECT_EQ(r.remaining(), 0u) << v;
    EXPECT_EQ(req.group_id, "grp");
    EXPECT_EQ(req.session_timeout_ms, 45000);
    EXPECT_EQ(req.rebalance_timeout_ms, v >= 1 ? 300000 : -1);
    EXPECT_EQ(req.member_id, "m-1");
    EXPECT_EQ(req.require_known_member_id, v >= 4);
    ASSERT_EQ(req.protocols.size(), 2u);
    EXPECT_EQ(req.protocols[0].metadata, "r");
    EXPECT_EQ(req.protocols[1].name, "roundrobin");
  }
}

TEST(GroupCodecTest, JoinGroupResponseByVersion) {
  JoinResult res{0, 3, "range", "L", "L", {{"L", "inst", "md"}}};
  std::string v0 = encode_join_group(res, 0);
  std::string v5 = encode_join_group(res, 5);
  // v2+ adds throttle time; v5 adds each member's instance id.
  EXPECT_EQ(v5.size(), v0.size() + 4 + 2 + 4);
  Reader r(v5);
  EXPECT_EQ(r.i32(), 0);
  EXPECT_EQ(r.i16(), 0);
  EXPECT_EQ(r.i32(), 3);
  EXPECT_EQ(r.string(), "range");
  EXPECT_EQ(r.string(), "L");
  EXPECT_EQ(r.string(), "L");
  EXPECT_EQ(r.array_count(), 1);
  EXPECT_EQ(r.string(), "L");
  EXPECT_EQ(r.nullable_string(), "inst");
  EXPECT_EQ(r.bytes(), "md");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(GroupCodecTest, OffsetCommitRequestByVersion) {
  for (int16_t v : {0, 1, 2, 6, 7}) {
    std::string body;
    Writer w(body);
    w.string("grp");
    if (v >= 1) {
      w.i32(4);
      w.string("m");
    }
    if (v >= 7) w.nullable_string("i");
    if (v >= 2 && v <= 4) w.i64(-1);
    w.array_count(1);
    w.string("t");
    w.array_count(1);
    w.i32(2);
    w.i64(99);
    if (v >= 6) w.i32(7);
    if (v == 1) w.i64(123);
    w.nullable_string("meta");
    Reader r(body);
    auto req = decode_offset_commit(r, v);
    EXPECT_EQ(r.remaining(), 0u) << v;
    EXPECT_EQ(req.generation, v >= 1 ? 4 : -1);
    EXPECT_EQ(req.member_id, v >= 1 ? "m" : "");
    ASSERT_EQ(req.topics.size(), 1u);
    auto& p = req.topics[0].partitions.at(0);
    EXPECT_EQ(p.partition, 2);
    EXPECT_EQ(p.offset, 99);
    EXPECT_EQ(p.leader_epoch, v >= 6 ? 7 : -1);
    EXPECT_EQ(p.metadata, "meta");
  }
}

TEST(GroupCodecTest, OffsetFetchNullTopicsOnlyFromV2) {
  std::string body;
  Writer w(body);
  w.string("grp");
  w.array_count(-1);
  Reader r2(body);
  EXPECT_FALSE(decode_offset_fetch(r2, 2).topics.has_value());
  Reader r1(body);
  EXPECT_THROW(decode_offset_fetch(r1, 1), WireError);
}

TEST(GroupCodecTest, OffsetFetchResponseByVersion) {
  OffsetFetchResult res{0, {{"t", {{0, 5, 2, "m", 0}}}}};
  std::string v1 = encode_offset_fetch(res, 1);
  EXPECT_EQ(encode_offset_fetch(res, 2).size(), v1.size() + 2);      // top-level error
  EXPECT_EQ(encode_offset_fetch(res, 3).size(), v1.size() + 2 + 4);  // throttle
  std::string v5 = encode_offset_fetch(res, 5);
  Reader r(v5);
  r.i32();
  EXPECT_EQ(r.array_count(), 1);
  EXPECT_EQ(r.string(), "t");
  EXPECT_EQ(r.array_count(), 1);
  EXPECT_EQ(r.i32(), 0);
  EXPECT_EQ(r.i64(), 5);
  EXPECT_EQ(r.i32(), 2);
  EXPECT_EQ(r.nullable_string(), "m");
  EXPECT_EQ(r.i16(), 0);
  EXPECT_EQ(r.i16(), 0);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(GroupCodecTest, LeaveGroupSingleAndBatch) {
  std::string body;
  Writer w(body);
  w.string("grp");
  w.string("m");
  Reader r0(body);
  auto one = decode_leave_group(r0, 0);
  ASSERT_EQ(one.members.size(), 1u);
  EXPECT_EQ(one.members[0].member_id, "m");

  LeaveResult res{0, {{"m", std::nullopt, 25}}};
  EXPECT_EQ(encode_leave_group(res, 0), std::string("\0\x19", 2));  // the member's error
  std::string v3 = encode_leave_group(res, 3);
  Reader r(v3);
  EXPECT_EQ(r.i32(), 0);
  EXPECT_EQ(r.i16(), 0);
  EXPECT_EQ(r.array_count(), 1);
  EXPECT_EQ(r.string(), "m");
  EXPECT_EQ(r.nullable_string(), std::nullopt);
  EXPECT_EQ(r.i16(), 25);
}

TEST(GroupCodecTest, DescribeGroupsAuthorizedOperations) {
  DescribedGroup g;
  g.group_id = "grp";
  g.state = "Stable";
  g.authorized_operations = 328;
  g.members.push_back({"m", std::nullopt, "c", "/h", "md", "as"});
  std::string v3 = encode_describe_groups({g}, false, 3);
  std::string v4 = encode_describe_groups({g}, true, 4);
  EXPECT_EQ(v4.size(), v3.size() + 2);  // the member's (null) instance id
  EXPECT_EQ(v3.substr(v3.size() - 4), std::string("\x80\0\0\0", 4));  // not requested
  EXPECT_EQ(v4.substr(v4.size() - 4), std::string("\0\0\x01\x48", 4));
}

TEST(GroupCodecTest, FindCoordinatorResponse) {
  FindCoordinatorResult res{0, std::nullopt, 1, "h", 9092};
  EXPECT_EQ(encode_find_coordinator(res, 0), std::string("\0\0\0\0\0\1\0\1h\0\0\x23\x84", 13));
  EXPECT_EQ(encode_find_coordinator(res, 1).size(), 13u + 4 + 2);
  std::string body;
  Writer w(body);
  w.string("txn");
  w.i8(1);
  Reader r(body);
  EXPECT_EQ(decode_find_coordinator(r, 1).key_type, 1);
}

}  // namespace
}  // namespace sluice::kafka::group
