// Admin client: topics, offsets, configs, partitions, record deletion, groups.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { makeKafka, createTopic, uniqueName, waitFor, disconnectAll, FAST_CONSUMER } from './helpers.mjs';

// Kafka's ConfigSource values (DescribeConfigs v1+).
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;
const { ConfigResourceTypes } = kafkajs;

// KafkaJS's retrier wraps the errors it gives up on (KafkaJSNonRetriableError,
// KafkaJSNumberOfRetriesExceeded) with the original error as the cause: unwrap them.
const cause = (e) => {
  while (e?.cause && /^KafkaJS(NonRetriableError|NumberOfRetriesExceeded)$/.test(e.name)) e = e.cause;
  return e;
};

describe('admin client', { timeout: 60000 }, () => {
  let kafka;
  let admin;
  let producer;
  const topics = []; // deleted at the end

  before(async () => {
    kafka = makeKafka();
    admin = kafka.admin();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await admin.connect();
    await producer.connect();
  });

  after(async () => {
    const existing = await admin.listTopics().catch(() => []);
    const leftover = topics.filter((t) => existing.includes(t));
    if (leftover.length) await admin.deleteTopics({ topics: leftover }).catch(() => {});
    await disconnectAll(producer, admin);
  });

  const newTopic = (prefix) => {
    const t = uniqueName(prefix);
    topics.push(t);
    return t;
  };

  test('createTopics (numPartitions, configEntries), listTopics, fetchTopicMetadata', async () => {
    const topic = newTopic('kjs-admin-create');
    const created = await admin.createTopics({
      topics: [{
        topic,
        numPartitions: 3,
        replicationFactor: 1,
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: 'delete' },
        ],
      }],
      waitForLeaders: true,
    });
    assert.equal(created, true);

    // A second create of the same name: KafkaJS maps TOPIC_ALREADY_EXISTS to false.
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] }), false);

    assert.ok((await admin.listTopics()).includes(topic), 'listTopics includes the new topic');

    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(md.topics.length, 1);
    assert.equal(md.topics[0].name, topic);
    const parts = [...md.topics[0].partitions].sort((a, b) => a.partitionId - b.partitionId);
    assert.deepEqual(parts.map((p) => p.partitionId), [0, 1, 2]);
    for (const p of parts) {
      assert.equal(p.partitionErrorCode, 0);
      assert.ok(Number.isInteger(p.leader) && p.leader >= 0, `leader of ${p.partitionId}`);
      assert.deepEqual(p.replicas, [p.leader]);
      assert.deepEqual(p.isr, [p.leader]);
    }
  });

  test('createTopics rejects an invalid config value and a bad partition count', async () => {
    const topic = newTopic('kjs-admin-bad');
    await assert.rejects(
      admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: 'soon' }] }] }),
      (e) => {
        assert.equal(cause(e).name, 'KafkaJSAggregateError', e.stack);
        assert.equal(cause(e).errors[0].type, 'INVALID_CONFIG');
        return true;
      });
    await assert.rejects(
      admin.createTopics({ topics: [{ topic, numPartitions: 0, replicationFactor: 1 }] }),
      (e) => {
        assert.equal(cause(e).errors?.[0]?.type, 'INVALID_PARTITIONS', e.stack);
        return true;
      });
    assert.ok(!(await admin.listTopics()).includes(topic), 'rejected topic was not created');
  });

  // KafkaJS sends -1 for numPartitions and replicationFactor when they are not given, and speaks
  // CreateTopics v0-v3. Kafka >= 2.4 (KIP-464) resolves -1 to num.partitions /
  // default.replication.factor whatever the request version (only the Java client refuses to
  // send -1 below v4), so the usual KafkaJS call without replicationFactor works on Kafka.
  test('createTopics without replicationFactor (KafkaJS sends -1: broker default)', async () => {
    const topic = newTopic('kjs-admin-default-rf');
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }), true);
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(md.topics[0].partitions.length, 3);
  });

  test('createTopics without numPartitions and replicationFactor (both -1: broker defaults)', async () => {
    const topic = newTopic('kjs-admin-defaults');
    assert.equal(await admin.createTopics({ topics: [{ topic }], waitForLeaders: true }), true);
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(md.topics[0].partitions.length, Number(process.env.SLUICE_DEFAULT_PARTITIONS ?? 1),
      'num.partitions of the broker (run.sh passes --partitions)');
  });

  test('fetchTopicOffsets and fetchTopicOffsetsByTimestamp', async () => {
    const topic = newTopic('kjs-admin-offsets');
    await createTopic(admin, topic, 2);
    const t0 = Date.now() - 3600000; // an hour ago, so "now" is after every message
    // Partition 0: timestamps t0, t0+1000, ..., t0+4000; partition 1: empty.
    await producer.send({
      topic,
      acks: -1,
      messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `m${i}`, timestamp: String(t0 + i * 1000) })),
    });

    const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
    assert.deepEqual(offsets.map(({ partition, offset, high, low }) => ({ partition, offset, high, low })), [
      { partition: 0, offset: '5', high: '5', low: '0' },
      { partition: 1, offset: '0', high: '0', low: '0' },
    ]);

    const byTs = async (ts) => Object.fromEntries(
      (await admin.fetchTopicOffsetsByTimestamp(topic, ts)).map((p) => [p.partition, String(p.offset)]));
    assert.deepEqual(await byTs(t0 - 1), { 0: '0', 1: '0' }, 'before the first message');
    assert.deepEqual(await byTs(t0), { 0: '0', 1: '0' }, 'exactly the first timestamp');
    assert.deepEqual(await byTs(t0 + 2500), { 0: '3', 1: '0' }, 'first offset with timestamp >= ts');
    assert.deepEqual(await byTs(t0 + 4000), { 0: '4', 1: '0' }, 'the last timestamp');
    // After the last message Kafka answers -1; KafkaJS maps that to the high watermark.
    assert.deepEqual(await byTs(t0 + 5000), { 0: '5', 1: '0' }, 'after the last message');
  });

  test('describeConfigs of a topic: overrides and defaults (retention.ms, ...)', async () => {
    const topic = newTopic('kjs-admin-configs');
    await createTopic(admin, topic, 1, [{ name: 'retention.ms', value: '3600000' }]);

    const res = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms: false,
    });
    assert.equal(res.resources.length, 1);
    const [r] = res.resources;
    assert.equal(r.errorCode, 0);
    assert.equal(r.resourceType, ConfigResourceTypes.TOPIC);
    assert.equal(r.resourceName, topic);
    const entries = Object.fromEntries(r.configEntries.map((e) => [e.configName, e]));

    assert.equal(entries['retention.ms']?.configValue, '3600000');
    assert.equal(entries['retention.ms'].isDefault, false);
    assert.equal(entries['retention.ms'].configSource, DYNAMIC_TOPIC_CONFIG);

    // Defaults are included too, flagged as such.
    const defaults = {
      'cleanup.policy': 'delete',
      'retention.bytes': '-1',
      'segment.bytes': '1073741824',
      'max.message.bytes': '1048588',
      'message.timestamp.type': 'CreateTime',
    };
    for (const [name, value] of Object.entries(defaults)) {
      assert.ok(entries[name], `${name} is listed (got ${Object.keys(entries).length} entries)`);
      assert.equal(entries[name].configValue, value, `${name} default value`);
      assert.equal(entries[name].isDefault, true, `${name} isDefault`);
      assert.equal(entries[name].configSource, DEFAULT_CONFIG, `${name} configSource`);
      assert.equal(entries[name].isSensitive, false);
    }

    // configNames narrows the answer.
    const some = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'segment.bytes'] }],
      includeSynonyms: false,
    });
    assert.deepEqual(some.resources[0].configEntries.map((e) => e.configName).sort(), ['retention.ms', 'segment.bytes']);
  });

  test('alterConfigs replaces a topic\'s overrides', async () => {
    const topic = newTopic('kjs-admin-alter');
    await createTopic(admin, topic, 1, [{ name: 'retention.ms', value: '3600000' }]);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [{ name: 'max.message.bytes', value: '2000000' }],
      }],
    });
    const res = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'max.message.bytes'] }],
      includeSynonyms: false,
    });
    const entries = Object.fromEntries(res.resources[0].configEntries.map((e) => [e.configName, e]));
    assert.equal(entries['max.message.bytes'].configValue, '2000000');
    assert.equal(entries['max.message.bytes'].isDefault, false);
    // AlterConfigs (not incremental) drops overrides it does not name.
    assert.equal(entries['retention.ms'].configValue, '604800000');
    assert.equal(entries['retention.ms'].isDefault, true);
  });

  test('createPartitions grows a topic', async () => {
    const topic = newTopic('kjs-admin-partitions');
    await createTopic(admin, topic, 2);
    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.deepEqual(md.topics[0].partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3, 4]);
    // The new partitions take writes.
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ partition: 4, value: 'on a new partition' }] });
    assert.equal(meta.partition, 4);
    assert.equal(meta.baseOffset, '0');
    // Shrinking is refused.
    await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }), (e) => {
      assert.equal(cause(e).type, 'INVALID_PARTITIONS', e.stack);
      return true;
    });
  });

  test('deleteTopicRecords moves the log start offset', async () => {
    const topic = newTopic('kjs-admin-delrec');
    await createTopic(admin, topic, 2);
    await producer.send({
      topic,
      acks: -1,
      messages: [
        ...[0, 1, 2, 3, 4, 5].map((i) => ({ partition: 0, value: `p0-${i}` })),
        ...[0, 1, 2].map((i) => ({ partition: 1, value: `p1-${i}` })),
      ],
    });
    await admin.fetchTopicMetadata({ topics: [topic] }); // deleteTopicRecords needs the leaders
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '-1' }] });
    const offsets = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
    assert.deepEqual(offsets.map(({ partition, high, low }) => ({ partition, high, low })), [
      { partition: 0, high: '6', low: '4' },
      { partition: 1, high: '3', low: '3' }, // -1: up to the high watermark
    ]);

    // A consumer from the beginning starts at the new log start offset.
    const consumer = kafka.consumer({ groupId: uniqueName('kjs-admin-delrec-g'), ...FAST_CONSUMER });
    const got = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => {
        got.push(`${partition}@${message.offset}=${message.value}`);
      } });
      await waitFor(() => got.length >= 2, { what: '2 messages', describe: () => JSON.stringify(got) });
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(got, ['0@4=p0-4', '0@5=p0-5']);
    } finally {
      await disconnectAll(consumer);
    }

    // Past the high watermark: OFFSET_OUT_OF_RANGE.
    await assert.rejects(admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '100' }] }), (e) => {
      const err = cause(e);
      assert.equal(err.name, 'KafkaJSDeleteTopicRecordsError', e.stack);
      assert.equal(err.partitions[0].error.type, 'OFFSET_OUT_OF_RANGE');
      return true;
    });
  });

  test('listGroups, describeGroups, fetchOffsets, deleteGroups', async () => {
    const topic = newTopic('kjs-admin-groups');
    const groupId = uniqueName('kjs-admin-g');
    await createTopic(admin, topic, 1);
    await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });

    const consumer = kafka.consumer({ groupId, ...FAST_CONSUMER });
    let n = 0;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async () => { n++; } });
      await waitFor(() => n >= 3, { what: '3 messages' });
      await waitFor(async () => {
        const [r] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return r.partitions[0].offset === '3';
      }, { what: 'committed offset 3' });

      const { groups: [live] } = await admin.describeGroups([groupId]);
      assert.equal(live.groupId, groupId);
      assert.equal(live.state, 'Stable');
      assert.equal(live.protocolType, 'consumer');
      assert.equal(live.protocol, 'RoundRobinAssigner');
      assert.equal(live.members.length, 1);
      assert.equal(live.members[0].clientId, 'sluice-kafkajs-test');
      assert.ok(live.members[0].memberAssignment.length > 0, 'member assignment bytes');

      // A group with members cannot be deleted.
      await assert.rejects(admin.deleteGroups([groupId]), (e) => {
        assert.equal(cause(e).name, 'KafkaJSDeleteGroupsError', e.stack);
        assert.equal(cause(e).groups[0].error.type, 'NON_EMPTY_GROUP');
        return true;
      });
    } finally {
      await disconnectAll(consumer);
    }

    const listed = (await admin.listGroups()).groups.find((g) => g.groupId === groupId);
    assert.deepEqual(listed, { groupId, protocolType: 'consumer' });
    const { groups: [empty] } = await admin.describeGroups([groupId]);
    assert.equal(empty.state, 'Empty');
    assert.deepEqual(empty.members, []);

    const deleted = await admin.deleteGroups([groupId]);
    assert.deepEqual(deleted.map(({ groupId: g, errorCode }) => ({ groupId: g, errorCode })), [{ groupId, errorCode: 0 }]);
    assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === groupId), 'deleted group is not listed');
    const { groups: [dead] } = await admin.describeGroups([groupId]);
    assert.equal(dead.state, 'Dead');
    const [offs] = await admin.fetchOffsets({ groupId, topics: [topic] });
    assert.equal(offs.partitions[0].offset, '-1', 'committed offsets went with the group');
  });

  test('deleteTopics', async () => {
    const topic = newTopic('kjs-admin-delete');
    await createTopic(admin, topic, 2);
    assert.ok((await admin.listTopics()).includes(topic));
    await admin.deleteTopics({ topics: [topic], timeout: 5000 });
    assert.ok(!(await admin.listTopics()).includes(topic), 'deleted topic is not listed');
    // Deleting it again: UNKNOWN_TOPIC_OR_PARTITION.
    await assert.rejects(admin.deleteTopics({ topics: [topic], timeout: 5000 }), (e) => {
      assert.equal(cause(e).type, 'UNKNOWN_TOPIC_OR_PARTITION', e.stack);
      return true;
    });
  });
});
