// The web console in a real browser: headless Chromium (Debian's) driven by playwright-core,
// against `sluice run` and a throwaway PostgreSQL started by run.sh. The steps build on each
// other, as a user would: browse the topics, create a Debezium connector through the form,
// change a row, read the change event, pause and resume the connector, look at a consumer
// group's lag and the throughput charts, and get the API's error for a bad connector. Each view
// is saved as a screenshot in E2E_ARTIFACTS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the test through tests/e2e/run.sh`);
  return v;
}

const HTTP = need('SLUICE_HTTP');
const KAFKA = need('SLUICE_KAFKA');
const PGPORT = need('PGPORT');
const ARTIFACTS = need('E2E_ARTIFACTS');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const tag = randomBytes(3).toString('hex');
const CONNECTOR = `shop-${tag}`;
const PREFIX = `shop${tag}`;
const TOPIC = `${PREFIX}.public.orders`;
const GROUP = `e2e-readers-${tag}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function psql(sql) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8', timeout: 20000,
  }).trim();
}

async function getJson(path) {
  const r = await fetch(HTTP + path, { headers: { Accept: 'application/json' } });
  return { status: r.status, body: await r.json() };
}

// Polls fn until it returns a truthy value or the time is up.
async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

let context;
let page;
let userDataDir;
const pageErrors = [];
let shot = 0;

async function screenshot(name) {
  shot += 1;
  const file = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function open(hash) {
  await page.goto(`${HTTP}/${hash}`);
  await page.waitForLoadState('domcontentloaded');
}

const t = (name) => `[data-test="${name}"]`;
const connectorRow = () => page.locator(`${t('connector-row')}[data-connector="${CONNECTOR}"]`);
const connectorState = () => connectorRow().locator(t('connector-state'));

describe('web console', { concurrency: false }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    userDataDir = mkdtempSync(join(process.env.E2E_TMP || '/tmp', 'chromium-profile-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context.setDefaultTimeout(15000);
    page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // Failed requests are checked below, by URL, where the expected ones can be told apart.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        pageErrors.push(`console: ${m.text()}`);
      }
    });
    page.on('response', (r) => {
      const expected = r.status() === 400 && r.request().method() === 'POST' &&
        new URL(r.url()).pathname === '/connectors'; // the bad connector, on purpose
      if (r.status() >= 400 && !expected) pageErrors.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
    });

    psql('CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), ' +
      'status text); ALTER TABLE orders REPLICA IDENTITY FULL; ' +
      "INSERT INTO orders VALUES (1, 'first customer', 10.00, 'new')");
  });

  after(async () => {
    if (context) await context.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('serves the console at / to browsers and lists the topics', async () => {
    await open('');
    await page.locator(t('topics-table')).waitFor();
    assert.match(await page.title(), /sluice/);
    // The overview line names the Kafka listener's real port.
    await assert.doesNotReject(page.locator(t('cluster')).getByText(KAFKA).waitFor());
    // Internal topics show on demand.
    assert.equal(await page.locator(`${t('topic-row')}[data-topic="__consumer_offsets"]`).count(), 0);
    await page.locator(t('show-internal')).check();
    await page.locator(`${t('topic-row')}[data-topic="__consumer_offsets"]`).waitFor();
    await screenshot('topics');
    // JSON clients still get Kafka Connect's answer at /.
    const root = await getJson('/');
    assert.ok(root.body.version && 'kafka_cluster_id' in root.body);
  });

  it('creates a Debezium connector through the form and shows it RUNNING', async () => {
    await open('#/connectors');
    await page.locator(t('connector-form')).waitFor();
    const field = (prop) => page.locator(t(`cf-${prop}`));
    await field('name').fill(CONNECTOR);
    await field('database.hostname').fill('127.0.0.1');
    await field('database.port').fill(PGPORT);
    await field('database.user').fill('postgres');
    await field('database.dbname').fill('postgres');
    await field('topic.prefix').fill(PREFIX);
    await field('table.include.list').fill('public.orders');
    await field('decimal.handling.mode').selectOption('string');
    await field('slot.name').fill(`slot_${tag}`);
    await field('publication.name').fill(`pub_${tag}`);
    await page.locator(t('cf-extra')).fill('tombstones.on.delete=false');
    await screenshot('connector-form');
    await page.locator(t('cf-submit')).click();
    await connectorRow().waitFor();
    await until('the connector to be RUNNING', async () =>
      (await connectorState().textContent()) === 'RUNNING', 30000);
    const status = await getJson(`/connectors/${CONNECTOR}/status`);
    assert.equal(status.body.connector.state, 'RUNNING');
    const config = await getJson(`/connectors/${CONNECTOR}/config`);
    assert.equal(config.body['topic.prefix'], PREFIX);
    assert.equal(config.body['decimal.handling.mode'], 'string');
    assert.equal(config.body['tombstones.on.delete'], 'false');
    await screenshot('connectors');
  });

  it('shows the topic the snapshot created, with partitions and configs', async () => {
    await until('the snapshot record', async () => {
      const r = await getJson(`/api/topics/${TOPIC}`);
      return r.status === 200 && r.body.messages >= 1;
    });
    await open('#/topics');
    const row = page.locator(`${t('topic-row')}[data-topic="${TOPIC}"]`);
    await row.waitFor();
    await row.click();
    await page.locator(t('topic-title')).getByText(TOPIC).waitFor();
    assert.equal(await page.locator(t('partition-row')).count(), 1);
    await page.locator(`${t('config-row')}[data-config="cleanup.policy"]`).waitFor();
    await page.locator(t('only-overrides')).check();
    await page.locator(t('only-overrides')).uncheck();
    await screenshot('topic-detail');
  });

  let beforeInsert;
  let marker;

  it('shows a changed row as a message, with the Debezium schema folded', async () => {
    await sleep(1100);
    beforeInsert = Date.now();
    marker = `changed-${tag}`;
    psql(`INSERT INTO orders VALUES (2, 'second customer', 20.50, 'new');
          UPDATE orders SET status = '${marker}', amount = amount + 150 WHERE id = 2`);

    await page.locator(t('browse-messages')).click();
    await page.locator(t('messages-form')).waitFor();
    // Newest first, refreshed every 2 s: the update arrives without a reload.
    const card = page.locator(t('message'), { hasText: marker }).first();
    await card.waitFor({ timeout: 30000 });
    assert.equal(await card.locator(t('op')).textContent(), 'UPDATE');
    const first = page.locator(t('message')).first();
    assert.equal(await first.getAttribute('data-offset'), await card.getAttribute('data-offset'));

    // The value's schema section is folded, its payload shown.
    const schema = card.locator(`details${t('value-schema')}`);
    assert.equal(await schema.getAttribute('open'), null);
    assert.equal(await schema.locator('pre').isVisible(), false);
    const payload = card.locator(t('value-payload'));
    assert.ok(await payload.isVisible());
    const text = await payload.textContent();
    assert.match(text, new RegExp(`"status": "${marker}"`));
    assert.match(text, /"amount": "170.50"/); // decimal.handling.mode=string
    assert.match(text, /"before": \{/); // REPLICA IDENTITY FULL: the before-image
    assert.match(await card.locator(t('message-key')).textContent(), /"id": 2/);
    await screenshot('messages-newest');

    await schema.locator('summary').click();
    assert.ok(await schema.locator('pre').isVisible());
    assert.match(await schema.textContent(), /"field": "after"/);
    await card.screenshot({ path: join(ARTIFACTS, `${String(++shot).padStart(2, '0')}-message-schema-open.png`) });
  });

  it('jumps to an offset and to a time, oldest first', async () => {
    await page.locator(t('msg-partition')).selectOption('0');
    await page.locator(t('msg-mode')).selectOption('offset');
    await page.locator(t('msg-offset')).fill('0');
    await page.locator(t('msg-order')).selectOption('asc');
    await page.locator(t('msg-go')).click();
    await until('offset 0 first', async () =>
      (await page.locator(t('message')).first().getAttribute('data-offset')) === '0');
    assert.equal(await page.locator(t('message')).first().locator(t('op')).textContent(), 'READ');
    const offsets = await page.locator(t('message')).evaluateAll((els) => els.map((e) => Number(e.dataset.offset)));
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
    await screenshot('messages-offset');

    // The time before the insert: the insert comes first, the snapshot row is before it.
    const d = new Date(beforeInsert);
    const pad = (n) => String(n).padStart(2, '0');
    const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    await page.locator(t('msg-mode')).selectOption('time');
    await page.locator(t('msg-time')).fill(local);
    await page.locator(t('msg-go')).click();
    await until('the insert first', async () =>
      (await page.locator(t('message')).first().locator(t('op')).textContent()) === 'CREATE');
    await screenshot('messages-time');
  });

  it('pauses and resumes the connector from its buttons', async () => {
    await open('#/connectors');
    await connectorRow().waitFor();
    await connectorRow().locator(t('connector-pause')).click();
    await until('PAUSED', async () => (await connectorState().textContent()) === 'PAUSED');
    assert.equal((await getJson(`/connectors/${CONNECTOR}/status`)).body.connector.state, 'PAUSED');
    await screenshot('connector-paused');
    await connectorRow().locator(t('connector-resume')).click();
    await until('RUNNING again', async () => (await connectorState().textContent()) === 'RUNNING');
    assert.equal((await getJson(`/connectors/${CONNECTOR}/status`)).body.connector.state, 'RUNNING');
    // Still capturing after the resume.
    psql(`UPDATE orders SET status = 'after-resume-${tag}' WHERE id = 1`);
    await until('the change after resume', async () => {
      const r = await getJson(`/api/topics/${TOPIC}/messages?position=newest&limit=5`);
      return r.body.messages.some((m) => m.value && m.value.includes(`after-resume-${tag}`));
    });
  });

  it('shows the API\'s 400 message for a bad pasted connector', async () => {
    const bad = {
      name: `bad-${tag}`,
      config: { 'connector.class': 'com.example.NoSuchConnector', 'topic.prefix': 'bad' },
    };
    const direct = await fetch(`${HTTP}/connectors`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bad),
    });
    assert.equal(direct.status, 400);
    const { message } = await direct.json();
    assert.ok(message);

    await page.locator(t('tab-json')).click();
    await page.locator(t('cj-text')).fill(JSON.stringify(bad, null, 2));
    await page.locator(t('cj-submit')).click();
    const shown = page.locator(t('create-error'));
    await shown.waitFor();
    assert.equal((await shown.textContent()).trim(), message);
    assert.equal(await page.locator(`${t('connector-row')}[data-connector="bad-${tag}"]`).count(), 0);
    // A syntax error is caught before posting.
    await page.locator(t('cj-text')).fill('{"name": "x", ');
    await page.locator(t('cj-submit')).click();
    await page.locator(t('create-error')).getByText('not valid JSON').waitFor();
    await page.locator(t('cj-text')).fill(JSON.stringify(bad, null, 2));
    await page.locator(t('cj-submit')).click();
    await page.locator(t('create-error')).getByText(message).waitFor();
    await page.locator('#new-connector').scrollIntoViewIfNeeded();
    await screenshot('connector-bad-json');
  });

  it('shows a failed task with its trace, and deletes that connector', async () => {
    const failing = `nopub-${tag}`;
    await page.locator(t('cj-text')).fill(JSON.stringify({
      name: failing,
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'database.hostname': '127.0.0.1', 'database.port': PGPORT, 'database.user': 'postgres',
      'database.dbname': 'postgres', 'topic.prefix': `nopub${tag}`, 'slot.name': `nopub_${tag}`,
      'publication.autocreate.mode': 'disabled', 'publication.name': `missing_${tag}`,
    }, null, 2)); // the flat form: the console wraps it as {"name","config"}
    await page.locator(t('cj-submit')).click();
    const row = page.locator(`${t('connector-row')}[data-connector="${failing}"]`);
    await row.waitFor();
    await until('the task to fail', async () =>
      (await row.locator(t('task-state')).first().textContent()) === 'FAILED');
    const trace = page.locator(`${t('connector-detail')}[data-connector="${failing}"] ${t('connector-trace')}`);
    await trace.waitFor();
    assert.match(await trace.textContent(), new RegExp(`missing_${tag}.*does not exist`));
    await screenshot('connector-failed');
    await row.locator(t('connector-delete')).click();
    await row.locator(t('connector-delete')).click();
    await until('the failed connector to go', async () => (await row.count()) === 0);
  });

  it('shows a consumer group with its lag per partition', async (tt) => {
    if (spawnSync('kcat', ['-V']).status !== 0) {
      tt.skip('kcat is not installed');
      return;
    }
    // kcat reads the topic to its end in group mode and commits on close.
    const r = spawnSync('kcat', ['-b', KAFKA, '-G', GROUP, '-o', 'beginning', '-e', '-q',
      '-X', 'enable.auto.commit=true', '-X', 'auto.commit.interval.ms=100', TOPIC],
    { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, `kcat failed: ${r.stderr}`);
    const consumed = await until('committed offsets', async () => {
      const g = (await getJson('/api/groups')).body.find((x) => x.group_id === GROUP);
      return g && g.offsets.length ? g : null;
    });
    assert.equal(consumed.lag, 0);
    // Two more changes the group has not read: lag 2.
    psql(`INSERT INTO orders VALUES (3, 'third', 1.00, 'new'); UPDATE orders SET amount = 2 WHERE id = 3`);
    await until('two new records', async () => {
      const g = (await getJson('/api/groups')).body.find((x) => x.group_id === GROUP);
      return g && g.lag === 2;
    });
    await open('#/groups');
    const group = page.locator(`${t('group')}[data-group="${GROUP}"]`);
    await group.waitFor();
    await until('lag 2 in the view', async () =>
      (await group.locator(`${t('group-offset')}[data-topic="${TOPIC}"] ${t('lag')}`).textContent()) === '2');
    assert.equal(await group.locator(t('group-lag')).textContent(), '2');
    assert.equal(await group.locator(t('group-state')).textContent(), 'Empty');
    await screenshot('groups');
  });

  it('charts live throughput of topics and connectors', async () => {
    // Through the menu, so the samples taken since the last page load stay charted.
    await page.locator(t('nav-throughput')).click();
    const topics = page.locator(t('chart-topics'));
    await topics.waitFor();
    // A trickle of changes while the console samples /api/metrics every 2 s.
    for (let i = 0; i < 6; i++) {
      psql(`INSERT INTO orders SELECT g, 'bulk ${i}', g, 'new' FROM generate_series(${100 + i * 50}, ${149 + i * 50}) g`);
      await sleep(1000);
    }
    await until('a drawn topic series', async () => Number(await topics.getAttribute('data-points')) > 2);
    await page.locator(`${t('legend-topics')} ${t('legend-item')}[data-name="${TOPIC}"]`).waitFor();
    await page.locator(`${t('legend-connectors')} ${t('legend-item')}[data-name="${CONNECTOR}"]`).waitFor();
    assert.ok(Number(await page.locator(t('chart-connectors')).getAttribute('data-points')) > 0);
    // The canvas really has ink on it: count the pixels of the series' colour.
    const inked = await topics.evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i + 2] > 150 && d[i] < 120) n++;
      return n;
    });
    assert.ok(inked > 50, `only ${inked} coloured pixels on the topics chart`);
    // A non-zero rate was charted for the topic.
    const rate = await page.locator(`${t('legend-topics')} ${t('legend-item')}[data-name="${TOPIC}"]`).textContent();
    assert.match(rate, /\/s/);
    await screenshot('throughput');
  });

  it('deletes the connector after a confirming second click', async () => {
    await open('#/connectors');
    await connectorRow().waitFor();
    const del = connectorRow().locator(t('connector-delete'));
    await del.click();
    assert.equal((await del.textContent()).trim(), 'Confirm delete');
    await del.click();
    await until('the row to go', async () => (await connectorRow().count()) === 0);
    assert.equal((await getJson(`/connectors/${CONNECTOR}/status`)).status, 404);
    await screenshot('connector-deleted');
  });

  it('raised no errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
