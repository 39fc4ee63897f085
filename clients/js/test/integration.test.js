// keyway.js against a running server: KEYWAY_ENDPOINTS (client URLs, comma-separated) and KEYWAY_TARGET
// ('keyway' or 'etcd'; etcd 3.4's WebSocket proxy cannot authenticate, so the auth test is Keyway's only).
// KeywayJsIT (gateway) starts the servers and runs this; by hand: start a member, then
//   KEYWAY_ENDPOINTS=http://127.0.0.1:2379 KEYWAY_TARGET=keyway node test/run.mjs integration
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { KeywayClient, KeyspaceCache, KeywayError, Code } from '../keyway.js';

const endpoints = (process.env.KEYWAY_ENDPOINTS || 'http://127.0.0.1:2379').split(',');
const target = process.env.KEYWAY_TARGET || 'keyway';
const WRITES = Number(process.env.KEYWAY_JS_WRITES || 640);
const client = new KeywayClient({ endpoints, WebSocket: globalThis.WebSocket, timeout: 10000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay in front of the server that the test can cut and restore: a network failure on demand. */
class CuttableProxy {
  constructor(upstream) {
    const url = new URL(upstream);
    this.sockets = new Set();
    this.cut = false;
    this.server = net.createServer((down) => {
      if (this.cut) { down.destroy(); return; }
      const up = net.connect(Number(url.port), url.hostname);
      for (const s of [down, up]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => { this.sockets.delete(s); down.destroy(); up.destroy(); });
      }
      down.pipe(up);
      up.pipe(down);
    });
  }

  async listen() {
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${this.server.address().port}`;
  }

  disconnect() {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  reconnect() {
    this.cut = false;
  }

  close() {
    this.disconnect();
    this.server.close();
  }
}

test('KV, txn, leases and errors over the JSON gateway', async () => {
  const bytes = new Uint8Array(256).map((_, i) => i);
  const first = await client.put('kv/bin', bytes);
  const got = await client.get('kv/bin');
  assert.deepEqual(got.valueBytes, bytes);
  assert.equal(got.modRevision, first.revision);
  await client.put('kv/ключ', 'значение');
  assert.equal((await client.get('kv/ключ')).value, 'значение');
  const listed = await client.range('kv/', { prefix: true, keysOnly: true });
  assert.deepEqual(listed.kvs.map((kv) => kv.key), ['kv/bin', 'kv/ключ']);
  assert.equal(listed.count, 2);
  assert.equal(await client.get('kv/missing'), null);

  const txn = await client.txn({
    compare: [{ key: 'kv/ключ', target: 'VALUE', result: 'EQUAL', value: 'значение' }],
    success: [{ put: { key: 'kv/t', value: '1' } }, { get: { key: 'kv/t' } }],
    failure: [{ put: { key: 'kv/t', value: 'failure' } }],
  });
  assert.equal(txn.succeeded, true);
  assert.equal(txn.responses[1].get.kvs[0].value, '1');
  const failed = await client.txn({
    compare: [{ key: 'kv/t', target: 'MOD', result: '<', modRevision: 1 }],
    success: [{ delete: { key: 'kv/t' } }],
    failure: [{ get: { key: 'kv/t' } }],
  });
  assert.equal(failed.succeeded, false);
  assert.equal(failed.responses[0].get.kvs[0].value, '1');

  const lease = await client.leaseGrant(30);
  assert.match(lease.id, /^\d+$/);
  assert.equal(lease.ttl, 30);
  await client.put('kv/leased', 'x', { lease: lease.id });
  const ttl = await client.leaseTimeToLive(lease.id, { keys: true });
  assert.equal(ttl.grantedTtl, 30);
  assert.deepEqual(ttl.keys.map((k) => new TextDecoder().decode(k)), ['kv/leased']);
  assert.equal((await client.leaseKeepAlive(lease.id)).ttl, 30);
  await client.leaseRevoke(lease.id);
  assert.equal(await client.get('kv/leased'), null);
  assert.equal((await client.leaseTimeToLive(lease.id)).ttl, -1);

  const deleted = await client.delete('kv/', { prefix: true, prevKv: true });
  assert.equal(deleted.deleted, 3);
  assert.deepEqual(deleted.prevKvs.map((kv) => kv.key).sort(), ['kv/bin', 'kv/t', 'kv/ключ']);

  await assert.rejects(client.range('kv/x', { revision: deleted.revision + 1000 }), (e) => e instanceof KeywayError
    && e.code === Code.OUT_OF_RANGE && e.status === 400
    && e.message === 'etcdserver: mvcc: required revision is a future revision');
  await assert.rejects(client.leaseRevoke('12345'), (e) => e.code === Code.NOT_FOUND && e.status === 404
    && e.message === 'etcdserver: requested lease not found');
});

/**
 * The cache under random writers through every failure it must ride out: a dropped connection (resume from the
 * last revision), a compaction while disconnected (re-list and diff), and with KEYWAY_FAULTS=1 on a cluster the
 * kill and restart of the member it watches, which the test asks its runner for with a
 * "KEYWAY_FAULT kill|restart <member index>" line on stdout and sees done when the member stops or starts
 * answering. At the end the cache, and the map its callbacks alone rebuild, equal a fresh range.
 */
test('the cache tracks random writers through a disconnect, a compaction while disconnected and member faults', async (t) => {
  const prefix = `cache-${Date.now()}/`; // a server reused by hand keeps earlier runs' keys
  const key = (i) => `${prefix}${String(i).padStart(4, '0')}`;
  const faults = Boolean(process.env.KEYWAY_FAULTS) && endpoints.length >= 3;
  // a prefix larger than one page, written in txns of 100 puts
  for (let batch = 0; batch < 3; batch++) {
    await client.txn({ success: Array.from({ length: 100 }, (_, i) => ({ put: { key: key(batch * 100 + i), value: `v0-${i}` } })) });
  }
  const outside = prefix.replace(/\/$/, '0');
  await client.put(outside, 'just past the prefix: never in the cache');

  // the cache reaches every member through a relay the test can cut
  const proxies = endpoints.map((e) => new CuttableProxy(e));
  t.after(() => proxies.forEach((p) => p.close()));
  const relayed = await Promise.all(proxies.map((p) => p.listen()));
  const viaProxy = new KeywayClient({ endpoints: relayed, WebSocket: globalThis.WebSocket, timeout: 5000 });
  const mirror = new Map(); // what the callbacks alone say the prefix holds
  const resets = [];
  const errors = [];
  const cache = await KeyspaceCache.open(viaProxy, prefix, {
    pageSize: 64,
    reconnectDelay: { min: 20, max: 300 },
    connectTimeout: 2000,
    onPut: ({ kv }) => mirror.set(kv.key, kv.value),
    onDelete: ({ key: k }) => mirror.delete(k),
    onReset: (d) => resets.push(d),
    onError: (e) => errors.push(e),
  });
  t.after(() => cache.close());
  assert.equal(cache.size, 300);
  assert.equal(mirror.size, 300);

  // writers go straight to the members and retry elsewhere: a write may fail while a member is down
  const writers = new KeywayClient({ endpoints: [...endpoints.slice(1), endpoints[0]], timeout: 5000 });
  let done = 0;
  let lastRevision = 0;
  let failure = null;
  const writer = async (w, count) => {
    for (let n = 0; n < count; n++) {
      const k = key(Math.floor(Math.random() * 400));
      for (let attempt = 0; ; attempt++) {
        try {
          const r = Math.random() < 0.25 ? await writers.delete(k) : await writers.put(k, `w${w}-${n}`);
          lastRevision = Math.max(lastRevision, r.revision);
          break;
        } catch (e) {
          if (!faults || attempt > 100) {
            failure = e;
            throw e;
          }
          await sleep(100);
        }
      }
      done++;
    }
  };
  const running = Array.from({ length: 8 }, (_, w) => writer(w, WRITES / 8));
  const waitWrites = async (share) => {
    while (done < WRITES * share) {
      if (failure) throw failure;
      await sleep(5);
    }
  };
  const disconnect = () => proxies.forEach((p) => p.disconnect());
  const reconnect = () => proxies.forEach((p) => p.reconnect());

  // 1. a plain disconnect: the watch resumes from the last applied revision, no re-list
  await waitWrites(0.15);
  disconnect();
  await waitWrites(0.25);
  reconnect();
  await waitWrites(0.35);
  assert.equal(resets.length, 0, 'a resumable disconnect must not re-list');

  // 2. compaction while disconnected: the history the cache needs is gone, so it re-lists and diffs
  disconnect();
  const before = cache.revision;
  await waitWrites(0.45);
  const compactAt = (await writers.range(prefix, { prefix: true, countOnly: true })).revision;
  assert.ok(compactAt > before + 1, `writes happened while disconnected (${before} -> ${compactAt})`);
  await writers.compact(compactAt, { physical: true });
  reconnect();

  // 3. the member the cache watches is killed (the watch moves on to another) and restarted
  if (faults) {
    await waitWrites(0.55);
    const watched = relayed.indexOf(viaProxy.endpoint);
    const health = async (endpoint) => {
      try {
        return (await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) })).status === 200;
      } catch {
        return false;
      }
    };
    const fault = async (action, healthy) => {
      console.log(`KEYWAY_FAULT ${action} ${watched}`);
      const deadline = Date.now() + 90000;
      while ((await health(endpoints[watched])) !== healthy) {
        assert.ok(Date.now() < deadline, `member ${watched} did not ${action}`);
        await sleep(100);
      }
    };
    await fault('kill', false);
    await waitWrites(0.75);
    await fault('restart', true);
  }

  await Promise.all(running);
  await cache.awaitRevision(lastRevision, { timeout: 30000 });
  assert.ok(resets.length >= 1 && resets[0].reason === 'compacted', `re-listed after compaction: ${JSON.stringify(resets)}`);

  const fresh = await writers.range(prefix, { prefix: true });
  const expect = fresh.kvs.map((kv) => [kv.key, kv.value, kv.modRevision, kv.version]);
  assert.deepEqual(cache.entries().map((kv) => [kv.key, kv.value, kv.modRevision, kv.version]), expect);
  assert.deepEqual([...mirror].sort((a, b) => (a[0] < b[0] ? -1 : 1)), expect.map(([k, v]) => [k, v]));
  assert.deepEqual(cache.range(key(100), key(200)).map((kv) => kv.key), expect.map((e) => e[0]).filter((k) => k >= key(100) && k < key(200)));
  assert.equal(cache.get(outside), undefined);
  assert.ok(errors.every((e) => !(e instanceof KeywayError) || e.code !== Code.INVALID_ARGUMENT), String(errors));
  if (faults) console.log(`ok cache survived faults (${WRITES} writes, ${resets.length} re-list(s))`);
});

// every cache is closed by t.after, also when an assertion fails: an open cache (its WebSocket, its timers) keeps
// node running, and the runner then sees a hang instead of the failure
test('awaitRevision reaches a write outside the prefix where progress requests are safe', { skip: target !== 'keyway' }, async (t) => {
  const cache = await KeyspaceCache.open(client, 'idle/');
  t.after(() => cache.close());
  const r = await client.put('elsewhere', 'x');
  assert.ok(await cache.awaitRevision(r.revision, { timeout: 5000 }) >= r.revision);
});

test('the member serves this very file at /keyway.js', { skip: target !== 'keyway' }, async () => {
  const response = await fetch(`${endpoints[0]}/keyway.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/javascript/);
  const served = await response.text();
  const source = await readFile(new URL('../keyway.js', import.meta.url), 'utf8');
  assert.ok(served === source, `the jar serves ${served.length} characters that differ from keyway.js (${source.length}): rebuild the jar`);
});

// last: it turns auth on for the whole server
test('token auth: the client authenticates, re-authenticates on a bad token, and the watch takes Bearer', { skip: target !== 'keyway' }, async (t) => {
  await client._post('/v3/auth/user/add', { name: 'root', password: 'rootpw' });
  await client._post('/v3/auth/user/grant', { user: 'root', role: 'root' });
  await client._post('/v3/auth/role/add', { name: 'app' });
  await client._post('/v3/auth/role/grant', { name: 'app', perm: { permType: 'READWRITE', key: btoa('app/'), range_end: btoa('app0') } });
  await client._post('/v3/auth/user/add', { name: 'app', password: 'apppw' });
  await client._post('/v3/auth/user/grant', { user: 'app', role: 'app' });
  await client._post('/v3/auth/enable', {});

  await assert.rejects(client.put('app/x', '1'), (e) => e instanceof KeywayError && e.message === 'etcdserver: user name is empty');
  const app = new KeywayClient({ endpoints, WebSocket: globalThis.WebSocket, username: 'app', password: 'apppw', token: 'stale.token' });
  await app.put('app/a', '1'); // the stale token is refused (401), the client authenticates and retries
  assert.notEqual(await app.token(), 'stale.token');
  await assert.rejects(app.put('other', '1'), (e) => e.code === Code.PERMISSION_DENIED && e.status === 403);

  const cache = await KeyspaceCache.open(app, 'app/');
  t.after(() => cache.close());
  const r = await app.put('app/b', '2');
  await cache.awaitRevision(r.revision, { timeout: 5000 });
  assert.deepEqual(cache.keys(), ['app/a', 'app/b']);

  const denied = [];
  const outside = new KeyspaceCache(app, 'other/', { initialPuts: false, onError: (e) => denied.push(e) });
  t.after(() => outside.close());
  await assert.rejects(outside.start(), (e) => e.code === Code.PERMISSION_DENIED);

  const root = new KeywayClient({ endpoints, username: 'root', password: 'rootpw' });
  await root._post('/v3/auth/disable', {});
});
