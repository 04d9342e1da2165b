// Shared set-up for the KafkaJS tests: broker addresses (exported by run.sh), client factory
// with small retries and timeouts, and polling helpers.
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

function brokerFromEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run the tests through tests/kafkajs/run.sh`);
  }
  return v;
}

export const broker = () => brokerFromEnv('SLUICE_BROKER');
export const saslBroker = () => brokerFromEnv('SLUICE_SASL_BROKER');

// Failures should surface in seconds, not after KafkaJS's default ~30 s of retries.
export const RETRY = { retries: 3, initialRetryTime: 100, maxRetryTime: 1000, factor: 0.2 };

export function makeKafka(opts = {}) {
  return new Kafka({
    clientId: 'sluice-kafkajs-test',
    brokers: [opts.broker ?? broker()],
    logLevel: process.env.KAFKAJS_LOG_LEVEL ? logLevel[process.env.KAFKAJS_LOG_LEVEL] : logLevel.NOTHING,
    connectionTimeout: 3000,
    authenticationTimeout: 3000,
    requestTimeout: 10000,
    retry: RETRY,
    ...opts.config,
  });
}

// Fast consumer-group timings: short long-polls and heartbeats so rebalances are noticed quickly.
// The broker's minimum session timeout is 6000 ms (Kafka's group.min.session.timeout.ms).
export const FAST_CONSUMER = {
  sessionTimeout: 6000,
  rebalanceTimeout: 10000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 200,
  retry: RETRY,
};

export function uniqueName(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn() until it returns a truthy value; throws with describe() in the message on timeout.
export async function waitFor(fn, { timeout = 15000, interval = 50, what = 'condition', describe } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      const extra = describe ? `: ${describe()}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${extra}`);
    }
    await sleep(interval);
  }
}

// Disconnects clients, ignoring errors (for finally blocks).
export async function disconnectAll(...clients) {
  await Promise.all(clients.filter(Boolean).map((c) => c.disconnect().catch(() => {})));
}

// Creates a topic with an explicit replication factor of 1. (KafkaJS's default is -1, "broker
// default", which admin.test.mjs checks separately.)
export async function createTopic(admin, topic, numPartitions, configEntries = []) {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1, configEntries }],
    waitForLeaders: true,
  });
  if (created !== true) throw new Error(`createTopics(${topic}) returned ${created}`);
}
