// SASL/PLAIN: the broker run.sh starts with --sasl-user alice:secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeKafka, saslBroker, createTopic, uniqueName, waitFor, disconnectAll, FAST_CONSUMER } from './helpers.mjs';

const kafkaAs = (sasl, config = {}) => makeKafka({ broker: saslBroker(), config: { sasl, ...config } });

test('SASL/PLAIN with the right credentials: admin, produce and consume work', { timeout: 30000 }, async () => {
  const kafka = kafkaAs({ mechanism: 'plain', username: 'alice', password: 'secret' });
  const topic = uniqueName('kjs-sasl');
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: uniqueName('kjs-sasl-g'), ...FAST_CONSUMER });
  try {
    await admin.connect();
    await createTopic(admin, topic, 1);
    assert.ok((await admin.listTopics()).includes(topic));

    await producer.connect();
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'over SASL' }] });
    assert.equal(meta.errorCode, 0);
    assert.equal(meta.baseOffset, '0');

    const got = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push(message); } });
    await waitFor(() => got.length >= 1, { what: 'the message' });
    assert.equal(got[0].key.toString(), 'k');
    assert.equal(got[0].value.toString(), 'over SASL');
  } finally {
    await disconnectAll(consumer, producer);
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await disconnectAll(admin);
  }
});

for (const [what, username, password] of [
  ['a wrong password', 'alice', 'wrong'],
  ['an unknown user', 'mallory', 'secret'],
]) {
  test(`SASL/PLAIN with ${what} is rejected with an authentication error`, { timeout: 20000 }, async () => {
    const admin = kafkaAs({ mechanism: 'plain', username, password }).admin();
    const started = Date.now();
    try {
      await assert.rejects(admin.connect(), (e) => {
        assert.equal(e.name, 'KafkaJSSASLAuthenticationError', e.stack);
        assert.match(e.message, /SASL PLAIN authentication failed/);
        return true;
      });
      // Authentication failures are not retried: the answer comes at once.
      assert.ok(Date.now() - started < 5000, `rejected after ${Date.now() - started} ms`);
    } finally {
      await disconnectAll(admin);
    }
  });
}

test('a client without SASL cannot use the SASL broker', { timeout: 20000 }, async () => {
  const admin = makeKafka({ broker: saslBroker(), config: { retry: { retries: 1, initialRetryTime: 100 } } }).admin();
  try {
    // Like Kafka, the broker closes a connection whose first request after ApiVersions is not
    // SaslHandshake (here Metadata, from listTopics).
    await assert.rejects(async () => {
      await admin.connect();
      await admin.listTopics();
    }, (e) => {
      let root = e;
      while (root.cause && /^KafkaJS(NonRetriableError|NumberOfRetriesExceeded)$/.test(root.name)) root = root.cause;
      assert.equal(root.name, 'KafkaJSConnectionClosedError', e.stack);
      return true;
    });
  } finally {
    await disconnectAll(admin);
  }
});
