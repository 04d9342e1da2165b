// Kafka protocol error codes used by sluice (values from Kafka's Errors.java).
#pragma once
#include <cstdint>

namespace sluice::kafka::err {

constexpr int16_t kNone = 0;
constexpr int16_t kOffsetOutOfRange = 1;
constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int16_t kInvalidFetchSize = 4;
constexpr int16_t kLeaderNotAvailable = 5;
constexpr int16_t kRequestTimedOut = 7;
constexpr int16_t kMessageTooLarge = 10;
constexpr int16_t kOffsetMetadataTooLarge = 12;
constexpr int16_t kCoordinatorLoadInProgress = 14;
constexpr int16_t kCoordinatorNotAvailable = 15;
constexpr int16_t kNotCoordinator = 16;
constexpr int16_t kInvalidTopicException = 17;
constexpr int16_t kRecordListTooLarge = 18;
constexpr int16_t kInvalidRequiredAcks = 21;
constexpr int16_t kIllegalGeneration = 22;
constexpr int16_t kInconsistentGroupProtocol = 23;
constexpr int16_t kInvalidGroupId = 24;
constexpr int16_t kUnknownMemberId = 25;
constexpr int16_t kInvalidSessionTimeout = 26;
constexpr int16_t kRebalanceInProgress = 27;
constexpr int16_t kInvalidCommitOffsetSize = 28;
constexpr int16_t kTopicAuthorizationFailed = 29;
constexpr int16_t kGroupAuthorizationFailed = 30;
constexpr int16_t kUnsupportedSaslMechanism = 33;
constexpr int16_t kIllegalSaslState = 34;
constexpr int16_t kUnsupportedVersion = 35;
constexpr int16_t kTopicAlreadyExists = 36;
constexpr int16_t kInvalidPartitions = 37;
constexpr int16_t kInvalidReplicationFactor = 38;
constexpr int16_t kInvalidReplicaAssignment = 39;
constexpr int16_t kInvalidConfig = 40;
constexpr int16_t kInvalidRequest = 42;
constexpr int16_t kUnsupportedForMessageFormat = 43;
constexpr int16_t kPolicyViolation = 44;
constexpr int16_t kOutOfOrderSequenceNumber = 45;
constexpr int16_t kDuplicateSequenceNumber = 46;
constexpr int16_t kInvalidProducerEpoch = 47;
constexpr int16_t kInvalidTxnState = 48;
constexpr int16_t kInvalidProducerIdMapping = 49;
constexpr int16_t kInvalidTransactionTimeout = 50;
constexpr int16_t kClusterAuthorizationFailed = 31;
constexpr int16_t kSecurityDisabled = 54;
constexpr int16_t kKafkaStorageError = 56;
constexpr int16_t kSaslAuthenticationFailed = 58;
constexpr int16_t kUnknownProducerId = 59;
constexpr int16_t kNonEmptyGroup = 68;
constexpr int16_t kGroupIdNotFound = 69;
constexpr int16_t kFetchSessionIdNotFound = 70;
constexpr int16_t kMemberIdRequired = 79;
constexpr int16_t kGroupMaxSizeReached = 81;
constexpr int16_t kFencedInstanceId = 82;
constexpr int16_t kInvalidRecord = 87;
constexpr int16_t kUnknownServerError = -1;

}  // namespace sluice::kafka::err
