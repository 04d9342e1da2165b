// Producer -> consumer round trip: keyed messages with headers and timestamps, acks=-1, GZIP,
// read back with exact keys, values, headers, timestamps and offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';

const { CompressionTypes, Partitioners } = kafkajs;
import { makeKafka, createTopic, uniqueName, waitFor, disconnectAll, FAST_CONSUMER } from './helpers.mjs';

const PARTITIONS = 2;

// Messages sent in two produce calls; some keys repeat so the default (murmur2) partitioner puts
// them on the same partition, and the per-partition offsets can be checked in send order.
function makeMessages(round, n, baseTs) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const headers = {
      'trace-id': `r${round}-m${i}`,
      bin: Buffer.from([0, i, 0xff, round]),
    };
    if (i % 3 === 0) headers.tag = ['first', 'second']; // repeated header key
    out.push({
      key: `key-${i % 4}`,
      value: i === n - 1 ? '' : `value ${round}.${i} ${'x'.repeat(i * 7)}`,
      headers,
      timestamp: String(baseTs + round * 1000 + i),
    });
  }
  return out;
}

test('producer (acks=-1, GZIP, keys, headers) and consumer read back exactly', { timeout: 60000 }, async () => {
  const kafka = makeKafka();
  const topic = uniqueName('kjs-produce');
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 2 } });
  const consumer = kafka.consumer({ groupId: uniqueName('kjs-produce-g'), ...FAST_CONSUMER });
  try {
    await admin.connect();
    await createTopic(admin, topic, PARTITIONS);

    await producer.connect();
    const baseTs = Date.now() - 60000;
    const rounds = [makeMessages(0, 12, baseTs), makeMessages(1, 7, baseTs)];
    const expected = new Map(); // partition -> [{offset, message}]
    for (let p = 0; p < PARTITIONS; p++) expected.set(p, []);

    for (const messages of rounds) {
      const meta = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
      // One entry per partition written, each with errorCode 0 and the base offset of its batch.
      assert.ok(meta.length >= 1, `send returned ${JSON.stringify(meta)}`);
      for (const m of meta) {
        assert.equal(m.topicName, topic);
        assert.equal(m.errorCode, 0, `partition ${m.partition}: errorCode ${m.errorCode}`);
        assert.equal(Number(m.baseOffset), expected.get(m.partition).length,
          `baseOffset of partition ${m.partition}`);
      }
      // The response does not say which partition each message went to: recompute it with the
      // murmur2 partitioner KafkaJS used (same key -> same partition, kept in send order).
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = Array.from({ length: PARTITIONS }, (_, i) => ({ partitionId: i, leader: 0 }));
      for (const msg of messages) {
        const p = partitioner({ topic, partitionMetadata, message: msg });
        const list = expected.get(p);
        list.push({ offset: list.length, message: msg });
      }
    }
    const total = rounds[0].length + rounds[1].length;
    assert.ok([...expected.values()].every((l) => l.length > 0), 'both partitions got messages (keys spread)');

    // The high watermarks match what was produced.
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const o of offsets) {
      assert.equal(Number(o.high), expected.get(o.partition).length, `high watermark of partition ${o.partition}`);
      assert.equal(Number(o.low), 0);
    }

    // Read everything back.
    const received = new Map();
    for (let p = 0; p < PARTITIONS; p++) received.set(p, []);
    let count = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        assert.equal(t, topic);
        received.get(partition).push(message);
        count++;
      },
    });
    await waitFor(() => count >= total, { timeout: 20000, what: `${total} messages`, describe: () => `got ${count}` });

    for (const [p, exp] of expected) {
      const got = received.get(p);
      assert.equal(got.length, exp.length, `message count of partition ${p}`);
      exp.forEach(({ offset, message: want }, i) => {
        const m = got[i];
        const where = `partition ${p} #${i}`;
        assert.equal(m.offset, String(offset), `${where}: offset`);
        assert.ok(Buffer.isBuffer(m.key), `${where}: key is a Buffer`);
        assert.equal(m.key.toString(), want.key, `${where}: key`);
        assert.ok(Buffer.isBuffer(m.value), `${where}: value is a Buffer`);
        assert.equal(m.value.toString(), want.value, `${where}: value`);
        assert.equal(m.timestamp, want.timestamp, `${where}: timestamp (CreateTime)`);
        const h = m.headers;
        assert.deepEqual(Object.keys(h).sort(), Object.keys(want.headers).sort(), `${where}: header keys`);
        assert.equal(h['trace-id'].toString(), want.headers['trace-id'], `${where}: trace-id`);
        assert.ok(h.bin.equals(want.headers.bin), `${where}: binary header`);
        if (want.headers.tag) {
          assert.ok(Array.isArray(h.tag), `${where}: repeated header comes back as an array`);
          assert.deepEqual(h.tag.map(String), want.headers.tag, `${where}: repeated header values`);
        }
      });
    }
    // Nothing more arrives (no duplicates).
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(count, total, 'no extra (duplicate) messages');
  } finally {
    await disconnectAll(consumer, producer);
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await disconnectAll(admin);
  }
});

test('producer with a null key and null value (tombstone), single message per send', { timeout: 30000 }, async () => {
  const kafka = makeKafka();
  const topic = uniqueName('kjs-null');
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: uniqueName('kjs-null-g'), ...FAST_CONSUMER });
  try {
    await admin.connect();
    await createTopic(admin, topic, 1);
    await producer.connect();
    const r1 = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP,
      messages: [{ key: null, value: 'no key' }] });
    const r2 = await producer.send({ topic, acks: -1, messages: [{ key: 'gone', value: null }] });
    assert.equal(r1[0].baseOffset, '0');
    assert.equal(r2[0].baseOffset, '1');

    const got = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push(message); } });
    await waitFor(() => got.length >= 2, { what: '2 messages', describe: () => `got ${got.length}` });
    assert.equal(got[0].key, null);
    assert.equal(got[0].value.toString(), 'no key');
    assert.equal(got[0].offset, '0');
    assert.equal(got[1].key.toString(), 'gone');
    assert.equal(got[1].value, null);
    assert.equal(got[1].offset, '1');
  } finally {
    await disconnectAll(consumer, producer);
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await disconnectAll(admin);
  }
});

test('idempotent producer (InitProducerId, sequence numbers)', { timeout: 30000 }, async () => {
  const kafka = makeKafka();
  const topic = uniqueName('kjs-idem');
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: uniqueName('kjs-idem-g'), ...FAST_CONSUMER });
  try {
    await admin.connect();
    await createTopic(admin, topic, 1);
    await producer.connect();
    const r1 = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP,
      messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}` })) });
    const r2 = await producer.send({ topic, acks: -1, messages: [3, 4].map((i) => ({ key: `k${i}`, value: `v${i}` })) });
    assert.equal(r1[0].baseOffset, '0');
    assert.equal(r2[0].baseOffset, '3');

    const got = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push(message); } });
    await waitFor(() => got.length >= 5, { what: '5 messages', describe: () => `got ${got.length}` });
    assert.deepEqual(got.map((m) => `${m.offset}:${m.key}=${m.value}`), ['0:k0=v0', '1:k1=v1', '2:k2=v2', '3:k3=v3', '4:k4=v4']);
    // The batches carry the producer id the broker handed out and consecutive sequence numbers.
    const ctx = got.map((m) => m.batchContext);
    assert.ok(Number(ctx[0].producerId) >= 0, `producerId ${ctx[0].producerId}`);
    assert.equal(ctx[0].producerEpoch, 0);
    assert.equal(ctx[3].producerId, ctx[0].producerId);
    assert.equal(ctx[0].firstSequence, 0);
    assert.equal(ctx[3].firstSequence, 3);
  } finally {
    await disconnectAll(consumer, producer);
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await disconnectAll(admin);
  }
});
