// Consumer groups: two members share a 4-partition topic, each message is consumed once, one
// member leaves and the other takes over from the committed offsets, and a new member of the
// group resumes after the committed offsets without re-delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKafka, createTopic, uniqueName, waitFor, sleep, disconnectAll, FAST_CONSUMER } from './helpers.mjs';

const PARTITIONS = 4;

// A consumer that records its latest assignment, its messages and crashes.
function trackedConsumer(kafka, groupId, topic, name) {
  const consumer = kafka.consumer({ groupId, ...FAST_CONSUMER });
  const t = { name, consumer, assignment: null, joins: 0, messages: [], crashes: [] };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    t.joins++;
    t.assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  consumer.on(consumer.events.CRASH, (e) => t.crashes.push(e.payload.error));
  t.start = async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        t.messages.push({ partition, offset: Number(message.offset), value: message.value.toString() });
      },
    });
  };
  return t;
}

const state = (...ts) => ts.map((t) =>
  `${t.name}: assignment=${JSON.stringify(t.assignment)} joins=${t.joins} messages=${t.messages.length}` +
  (t.crashes.length ? ` crashes=${t.crashes.map(String).join('; ')}` : '')).join(' | ');

async function produceRound(producer, topic, round, perPartition) {
  const messages = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < perPartition; i++) {
      messages.push({ partition: p, key: `k${p}`, value: `r${round}-p${p}-${i}` });
    }
  }
  await producer.send({ topic, acks: -1, messages });
  return messages.map((m) => m.value);
}

// Waits until the group's committed offset of every partition equals `want`.
async function waitCommitted(admin, groupId, topic, want, what) {
  let last;
  await waitFor(async () => {
    const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
    last = res.partitions.map((p) => `${p.partition}:${p.offset}`).sort().join(',');
    return res.partitions.length === PARTITIONS && res.partitions.every((p) => Number(p.offset) === want);
  }, { timeout: 10000, interval: 100, what, describe: () => `committed ${last}` });
}

test('consumer group: sharing, exactly-once delivery, takeover, resume from committed offsets', { timeout: 75000 }, async () => {
  const kafka = makeKafka();
  const topic = uniqueName('kjs-group');
  const groupId = uniqueName('kjs-g');
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const a = trackedConsumer(kafka, groupId, topic, 'A');
  const b = trackedConsumer(kafka, groupId, topic, 'B');
  let c;
  try {
    await admin.connect();
    await createTopic(admin, topic, PARTITIONS);
    await producer.connect();

    // --- 1. A joins alone and owns everything; B joins and the group rebalances so that the
    // two share the partitions (A learns of the rebalance from its heartbeat).
    await a.start();
    await waitFor(() => a.assignment?.length === PARTITIONS,
      { timeout: 15000, what: 'A to own all 4 partitions', describe: () => state(a) });
    await b.start();
    await waitFor(() => {
      if (!a.assignment || !b.assignment || a.crashes.length || b.crashes.length) return false;
      const all = [...a.assignment, ...b.assignment].sort((x, y) => x - y);
      return a.assignment.length > 0 && b.assignment.length > 0 &&
        JSON.stringify(all) === JSON.stringify([0, 1, 2, 3]);
    }, { timeout: 20000, what: 'both members to own a disjoint share of the 4 partitions', describe: () => state(a, b) });

    const round1 = await produceRound(producer, topic, 1, 10);
    await waitFor(() => a.messages.length + b.messages.length >= round1.length,
      { timeout: 15000, what: `${round1.length} messages of round 1`, describe: () => state(a, b) });
    await sleep(300); // anything extra (a duplicate) would show up now
    const got1 = [...a.messages, ...b.messages].map((m) => m.value).sort();
    assert.deepEqual(got1, [...round1].sort(), 'every round-1 message consumed exactly once');
    for (const t of [a, b]) {
      assert.ok(t.messages.length > 0, `${t.name} consumed some messages`);
      for (const m of t.messages) {
        assert.ok(t.assignment.includes(m.partition), `${t.name} got partition ${m.partition} it does not own`);
      }
    }
    // Per partition, offsets 0..9 in order.
    for (let p = 0; p < PARTITIONS; p++) {
      const owner = a.assignment.includes(p) ? a : b;
      const offs = owner.messages.filter((m) => m.partition === p).map((m) => m.offset);
      assert.deepEqual(offs, [...Array(10).keys()], `offsets of partition ${p}`);
    }
    await waitCommitted(admin, groupId, topic, 10, 'round-1 offsets committed');

    // The group is Stable with two members.
    const { groups: [desc] } = await admin.describeGroups([groupId]);
    assert.equal(desc.state, 'Stable');
    assert.equal(desc.protocolType, 'consumer');
    assert.equal(desc.members.length, 2);

    // --- 2. B leaves; A takes over all partitions from the committed offsets.
    const bPartitions = b.assignment;
    const aBefore = a.messages.length;
    await b.consumer.disconnect();
    await waitFor(() => a.assignment.length === PARTITIONS && !a.crashes.length,
      { timeout: 20000, what: 'A to own all 4 partitions after B left', describe: () => state(a, b) });

    const round2 = await produceRound(producer, topic, 2, 5);
    await waitFor(() => a.messages.length - aBefore >= round2.length,
      { timeout: 15000, what: `${round2.length} messages of round 2 at A`, describe: () => state(a, b) });
    await sleep(300);
    const got2 = a.messages.slice(aBefore);
    assert.deepEqual(got2.map((m) => m.value).sort(), [...round2].sort(),
      'A consumed exactly round 2 (nothing of round 1 re-delivered from B\'s partitions)');
    for (const p of bPartitions) {
      assert.deepEqual(got2.filter((m) => m.partition === p).map((m) => m.offset), [10, 11, 12, 13, 14],
        `A continues B's partition ${p} at its committed offset`);
    }
    await waitCommitted(admin, groupId, topic, 15, 'round-2 offsets committed');
    await a.consumer.disconnect();

    // --- 3. A new member resumes after the committed offsets.
    const round3 = await produceRound(producer, topic, 3, 3);
    c = trackedConsumer(kafka, groupId, topic, 'C');
    await c.start();
    await waitFor(() => c.messages.length >= round3.length,
      { timeout: 20000, what: `${round3.length} messages of round 3 at C`, describe: () => state(c) });
    await sleep(500);
    assert.deepEqual(c.messages.map((m) => m.value).sort(), [...round3].sort(),
      'C got only the messages after the committed offsets');
    for (let p = 0; p < PARTITIONS; p++) {
      assert.deepEqual(c.messages.filter((m) => m.partition === p).map((m) => m.offset), [15, 16, 17],
        `C's offsets of partition ${p}`);
    }
    await waitCommitted(admin, groupId, topic, 18, 'round-3 offsets committed');
  } finally {
    await disconnectAll(a.consumer, b.consumer, c?.consumer, producer);
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await disconnectAll(admin);
  }
});
