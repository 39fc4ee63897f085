// Unit tests of keyway.js without a server: encoding, request shapes, error bodies, and the cache's event
// application, re-list and reconnect logic driven through a fake fetch and a fake WebSocket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KeywayClient, KeyspaceCache, KeyValue, KeywayError, Code, encodeBase64, decodeBase64, prefixEnd, toBytes,
} from '../keyway.js';

const b64 = (s) => Buffer.from(s).toString('base64');
const kvJson = (key, value, mod, create = mod, version = 1) => ({
  key: b64(key), value: value === '' ? undefined : b64(value),
  create_revision: String(create), mod_revision: String(mod), version: String(version),
});
const put = (key, value, mod, create) => ({ kv: kvJson(key, value, mod, create) });
const del = (key, mod) => ({ type: 'DELETE', kv: { key: b64(key), mod_revision: String(mod) } });
const watchResult = (revision, events) => ({ header: { revision: String(revision) }, events });

test('base64 round-trips every byte value and UTF-8 text', () => {
  const all = new Uint8Array(256).map((_, i) => i);
  assert.equal(encodeBase64(all), Buffer.from(all).toString('base64'));
  assert.deepEqual(decodeBase64(encodeBase64(all)), all);
  assert.equal(encodeBase64('ключ/✓'), b64('ключ/✓'));
  assert.deepEqual(decodeBase64(undefined), new Uint8Array(0));
  assert.equal(encodeBase64(''), '');
  const big = new Uint8Array(200000).map((_, i) => (i * 7) & 0xff);
  assert.deepEqual(decodeBase64(encodeBase64(big)), big);
  assert.throws(() => toBytes(42), TypeError);
});

test('prefixEnd increments the last byte below 0xff, as etcd clients do', () => {
  assert.deepEqual(prefixEnd('a/'), toBytes('a0'));
  assert.deepEqual(prefixEnd(new Uint8Array([0x61, 0xff])), new Uint8Array([0x62]));
  assert.deepEqual(prefixEnd(new Uint8Array([0xff, 0xff])), new Uint8Array([0]));
  assert.deepEqual(prefixEnd(''), new Uint8Array([0]));
});

test('KeyValue reads the gateway JSON with omitted zero fields and int64 strings', () => {
  const kv = KeyValue.fromJson({ key: b64('k'), create_revision: '5', mod_revision: '9', version: '3', lease: '7587' });
  assert.equal(kv.key, 'k');
  assert.equal(kv.value, '');
  assert.deepEqual([kv.createRevision, kv.modRevision, kv.version, kv.lease], [5, 9, 3, '7587']);
  assert.equal(KeyValue.fromJson({ key: b64('j'), value: b64('{"a":1}') }).json().a, 1);
  assert.equal(KeyValue.fromJson({ key: b64('j') }).lease, '0');
});

test('error bodies of etcd 3.4/3.5, 3.6, routing errors and stream error chunks', () => {
  let e = KeywayError.fromResponse(400, '{"error":"etcdserver: key is not provided","message":"etcdserver: key is not provided","code":3}');
  assert.deepEqual([e.message, e.code, e.status], ['etcdserver: key is not provided', Code.INVALID_ARGUMENT, 400]);
  e = KeywayError.fromResponse(401, '{"code":16,"message":"etcdserver: invalid auth token"}');
  assert.deepEqual([e.message, e.code], ['etcdserver: invalid auth token', Code.UNAUTHENTICATED]);
  e = KeywayError.fromResponse(404, 'Not Found\n');
  assert.deepEqual([e.message, e.code], ['Not Found', Code.NOT_FOUND]);
  e = KeywayError.fromResponse(429, '{"grpc_code":8,"http_code":429,"message":"grpc: received message larger than max"}');
  assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
  assert.ok(e instanceof Error);
});

/** A fetch that records requests and answers from a handler (path, body, headers) -> [status, json|text]. */
function fakeFetch(handler) {
  const calls = [];
  const fn = async (url, init) => {
    const path = new URL(url).pathname;
    const body = init.body ? JSON.parse(init.body) : null;
    calls.push({ url, path, body, headers: init.headers || {} });
    const [status, answer] = await handler(path, body, init.headers || {}, calls.length);
    const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
    return { ok: status >= 200 && status < 300, status, text: async () => text, json: async () => JSON.parse(text) };
  };
  fn.calls = calls;
  return fn;
}

test('requests carry base64 bytes and int64 strings in etcd gateway JSON', async () => {
  const fetch = fakeFetch((path) => {
    if (path === '/v3/kv/range') return [200, { header: { revision: '12' }, kvs: [kvJson('a/1', 'x', 11)], count: '1' }];
    if (path === '/v3/kv/put') return [200, { header: { revision: '13' }, prev_kv: kvJson('a/1', 'x', 11) }];
    if (path === '/v3/kv/deleterange') return [200, { header: { revision: '14' }, deleted: '2' }];
    if (path === '/v3/kv/txn') return [200, { header: { revision: '15' }, succeeded: true, responses: [{ response_put: { header: { revision: '15' } } }, { response_range: { header: {}, kvs: [kvJson('b', 'y', 15)], count: '1' } }] }];
    if (path === '/v3/lease/grant') return [200, { header: {}, ID: '7587868590390210001', TTL: '30' }];
    if (path === '/v3/lease/timetolive') return [200, { header: {}, ID: '7587868590390210001', TTL: '29', grantedTTL: '30', keys: [b64('a/1')] }];
    if (path === '/v3/lease/keepalive') return [200, '{"result":{"header":{},"ID":"7587868590390210001","TTL":"30"}}\n'];
    return [200, { header: {} }];
  });
  const client = new KeywayClient({ endpoints: ['http://h:1/'], fetch });
  const r = await client.range('a/', { prefix: true, limit: 10, revision: 11 });
  assert.deepEqual(fetch.calls[0].body, { key: b64('a/'), range_end: b64('a0'), limit: '10', revision: '11' });
  assert.equal(fetch.calls[0].url, 'http://h:1/v3/kv/range');
  assert.deepEqual([r.revision, r.count, r.kvs[0].key, r.kvs[0].value], [12, 1, 'a/1', 'x']);

  const p = await client.put('a/1', new Uint8Array([0, 255]), { lease: '7587868590390210001', prevKv: true });
  assert.deepEqual(fetch.calls[1].body, { key: b64('a/1'), value: 'AP8=', lease: '7587868590390210001', prev_kv: true });
  assert.deepEqual([p.revision, p.prevKv.value], [13, 'x']);

  const d = await client.delete('a/', { prefix: true });
  assert.deepEqual(fetch.calls[2].body, { key: b64('a/'), range_end: b64('a0') });
  assert.equal(d.deleted, 2);

  const t = await client.txn({
    compare: [{ key: 'a/1', target: 'MOD', result: '<', modRevision: 14 }, { key: 'b', target: 'VALUE', value: 'y' }],
    success: [{ put: { key: 'b', value: 'z' } }, { get: { key: 'b' } }],
    failure: [{ delete: { key: 'b', prevKv: true } }],
  });
  assert.deepEqual(fetch.calls[3].body, {
    compare: [
      { key: b64('a/1'), target: 'MOD', result: 'LESS', mod_revision: '14' },
      { key: b64('b'), target: 'VALUE', result: 'EQUAL', value: b64('y') },
    ],
    success: [{ request_put: { key: b64('b'), value: b64('z') } }, { request_range: { key: b64('b') } }],
    failure: [{ request_delete_range: { key: b64('b'), prev_kv: true } }],
  });
  assert.equal(t.succeeded, true);
  assert.equal(t.responses[1].get.kvs[0].value, 'y');

  const lease = await client.leaseGrant(30);
  assert.deepEqual(fetch.calls[4].body, { TTL: '30' });
  assert.deepEqual(lease, { id: '7587868590390210001', ttl: 30 }); // 63-bit ids stay exact as strings
  const ttl = await client.leaseTimeToLive(lease.id, { keys: true });
  assert.deepEqual(fetch.calls[5].body, { ID: '7587868590390210001', keys: true });
  assert.deepEqual([ttl.ttl, ttl.grantedTtl, new TextDecoder().decode(ttl.keys[0])], [29, 30, 'a/1']);
  assert.deepEqual(await client.leaseKeepAlive(lease.id), { id: lease.id, ttl: 30 });
});

test('server errors surface as KeywayError with etcd code and message', async () => {
  const fetch = fakeFetch(() => [400, { error: 'etcdserver: mvcc: required revision has been compacted', message: 'etcdserver: mvcc: required revision has been compacted', code: 11 }]);
  const client = new KeywayClient({ endpoint: 'http://h:1', fetch });
  await assert.rejects(client.range('k', { revision: 2 }), (e) => e instanceof KeywayError
    && e.code === Code.OUT_OF_RANGE && e.status === 400 && /compacted/.test(e.message));
});

test('token auth: Authorization header, one re-authentication when the token is no longer valid', async () => {
  let tokens = 0;
  let valid = null;
  const fetch = fakeFetch((path, body, headers) => {
    if (path === '/v3/auth/authenticate') {
      assert.deepEqual(body, { name: 'app', password: 'pw' });
      valid = `tok${++tokens}`;
      return [200, { header: {}, token: valid }];
    }
    if (headers.Authorization !== valid) return [401, { error: 'etcdserver: invalid auth token', message: 'etcdserver: invalid auth token', code: 16 }];
    return [200, { header: { revision: '3' } }];
  });
  const client = new KeywayClient({ endpoint: 'http://h:1', fetch, username: 'app', password: 'pw' });
  await client.put('k', 'v');
  assert.equal(fetch.calls[1].headers.Authorization, 'tok1');
  valid = 'rotated-by-server'; // the server forgot tok1 (restart, TTL)
  await client.put('k', 'v2');
  assert.equal(tokens, 2);
  assert.equal(fetch.calls.at(-1).headers.Authorization, 'tok2');
  const noAuth = new KeywayClient({ endpoint: 'http://h:1', fetch: fakeFetch(() => [200, {}]) });
  assert.equal(await noAuth.token(), null);
});

test('reads move to the next endpoint when one cannot be reached; writes are not sent twice', async () => {
  const fetch = fakeFetch((path, body, headers, n) => {
    if (n === 1) throw new TypeError('fetch failed');
    return [200, { header: { revision: '5' } }];
  });
  const client = new KeywayClient({ endpoints: ['http://a:1', 'http://b:1'], fetch });
  assert.equal((await client.range('k')).revision, 5);
  assert.deepEqual(fetch.calls.map((c) => new URL(c.url).host), ['a:1', 'b:1']);
  const failing = new KeywayClient({ endpoints: ['http://a:1', 'http://b:1'], fetch: fakeFetch(() => { throw new TypeError('fetch failed'); }) });
  await assert.rejects(failing.put('k', 'v'), TypeError);
  assert.equal(failing.endpoint, 'http://b:1');
});

/** A cache not started: events come in through applyWatchResponse/applySnapshot. */
function recordingCache(snapshotKvs = [], revision = 10) {
  const cache = new KeyspaceCache(new KeywayClient({ endpoint: 'http://h:1', fetch: fakeFetch(() => [500, '']) }), 'p/');
  const log = [];
  cache.addEventListener('put', (e) => log.push(['put', e.detail.kv.key, e.detail.kv.value, e.detail.prevKv && e.detail.prevKv.value, e.detail.revision]));
  cache.addEventListener('delete', (e) => log.push(['delete', e.detail.key, e.detail.prevKv.value, e.detail.revision]));
  cache.addEventListener('reset', (e) => log.push(['reset', e.detail.revision, e.detail.reason]));
  cache.applySnapshot({ revision, kvs: snapshotKvs.map(KeyValue.fromJson) }, 'test');
  log.length = 0;
  return { cache, log };
}

test('events apply in order; only mod_revision above the cache revision; a txn revision applies whole', () => {
  const { cache, log } = recordingCache([kvJson('p/a', '1', 5)], 10);
  assert.equal(cache.applyWatchResponse(watchResult(10, [put('p/a', 'old', 9)])), 'ok'); // already in the snapshot
  cache.applyWatchResponse(watchResult(11, [put('p/a', '2', 11, 5), put('p/b', '3', 11), del('p/c', 11)]));
  assert.equal(cache.revision, 11);
  cache.applyWatchResponse(watchResult(12, [del('p/a', 12)]));
  cache.applyWatchResponse(watchResult(12, [put('p/a', 'dup', 12)])); // a duplicate after a resume
  assert.deepEqual(log, [
    ['put', 'p/a', '2', '1', 11],
    ['put', 'p/b', '3', null, 11],
    // p/c was not in the cache: no change, no callback
    ['delete', 'p/a', '2', 12],
  ]);
  assert.equal(cache.get('p/a'), undefined);
  assert.equal(cache.get('p/b').value, '3');
  assert.equal(cache.size, 1);
});

test('a catching-up batch advances to its last event, not its header revision', () => {
  const { cache } = recordingCache([], 10);
  cache.applyWatchResponse(watchResult(40, [put('p/a', '1', 11), put('p/b', '1', 12)]));
  assert.equal(cache.revision, 12);
  cache.applyWatchResponse(watchResult(40, [put('p/c', '1', 20)])); // the rest of the catch-up still applies
  assert.equal(cache.get('p/c').value, '1');
  assert.equal(cache.revision, 20);
});

test('created does not advance; progress notifications do and release awaitRevision', async () => {
  const { cache } = recordingCache([], 10);
  cache.applyWatchResponse({ header: { revision: '50' }, created: true });
  assert.equal(cache.revision, 10);
  const waiting = cache.awaitRevision(30);
  cache.applyWatchResponse({ header: { revision: '30' }, watch_id: '0' }); // progress_notify
  assert.equal(await waiting, 30);
  await assert.rejects(cache.awaitRevision(99, { timeout: 20 }), /not reached/);
});

test('compaction and other cancels are reported, not applied', () => {
  const { cache } = recordingCache([], 10);
  assert.equal(cache.applyWatchResponse({ header: {}, canceled: true, compact_revision: '15' }), 'compacted');
  assert.equal(cache.applyWatchResponse({ header: {}, canceled: true, cancel_reason: 'etcdserver: permission denied' }), 'canceled');
  assert.equal(cache.revision, 10);
});

test('fragments of one revision apply together', () => {
  const { cache, log } = recordingCache([], 10);
  cache.applyWatchResponse({ ...watchResult(11, [put('p/a', '1', 11)]), fragment: true });
  assert.equal(cache.size, 0);
  cache.applyWatchResponse(watchResult(11, [put('p/b', '1', 11)]));
  assert.deepEqual(log.map((l) => l[1]), ['p/a', 'p/b']);
});

test('a re-list announces exactly the difference, and the callbacks rebuild the same map', () => {
  const { cache, log } = recordingCache([kvJson('p/keep', 'k', 3), kvJson('p/change', 'c1', 4), kvJson('p/gone', 'g', 5)], 10);
  const mirror = new Map(cache.entries().map((kv) => [kv.key, kv.value]));
  cache.addEventListener('put', (e) => mirror.set(e.detail.kv.key, e.detail.kv.value));
  cache.addEventListener('delete', (e) => mirror.delete(e.detail.key));
  cache.applySnapshot({ revision: 30, kvs: [kvJson('p/change', 'c2', 25, 4, 2), kvJson('p/keep', 'k', 3), kvJson('p/new', 'n', 28)].map(KeyValue.fromJson) }, 'compacted');
  assert.deepEqual(log, [
    ['delete', 'p/gone', 'g', 30],
    ['put', 'p/change', 'c2', 'c1', 30],
    ['put', 'p/new', 'n', null, 30],
    ['reset', 30, 'compacted'],
  ]);
  assert.equal(cache.revision, 30);
  assert.deepEqual([...mirror].sort(), cache.entries().map((kv) => [kv.key, kv.value]));
});

test('the read view sorts keys bytewise (as etcd) and stays sorted through changes', () => {
  const { cache } = recordingCache([kvJson('p/b', '', 2), kvJson('p/é', '', 3), kvJson('p/a', '', 4)], 10);
  assert.deepEqual(cache.keys(), ['p/a', 'p/b', 'p/é']);
  cache.applyWatchResponse(watchResult(11, [put('p/ab', '', 11), put('p/\u{1F600}', '', 11), del('p/b', 11)]));
  assert.deepEqual(cache.keys(), ['p/a', 'p/ab', 'p/é', 'p/\u{1F600}']); // UTF-8 order: é (c3) < 😀 (f0)
  assert.deepEqual(cache.range('p/ab', 'p/é').map((kv) => kv.key), ['p/ab']);
  assert.deepEqual(cache.range('p/b').map((kv) => kv.key), ['p/é', 'p/\u{1F600}']);
  assert.ok(cache.has(new TextEncoder().encode('p/é')));
  assert.deepEqual([...cache].length, 4);
});

/** A WebSocket stand-in: records what the cache sends; the test plays the server. */
class FakeSocket {
  static all = [];
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.sent = [];
    this.readyState = 0;
    FakeSocket.all.push(this);
    setTimeout(() => { this.readyState = 1; this.onopen && this.onopen(); }, 0);
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  serverSends(result) { this.onmessage && this.onmessage({ data: JSON.stringify({ result }) }); }
  serverDrops() { this.readyState = 3; this.onclose && this.onclose({ code: 1006 }); }
}

const until = async (condition, what) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), `timed out waiting for ${what}`);
};

test('snapshot paging, watch from revision+1, resume after a drop, re-list after compaction, Bearer token', async () => {
  FakeSocket.all = [];
  let store = [kvJson('p/a', '1', 3), kvJson('p/b', '1', 4), kvJson('p/c', '1', 5)];
  let storeRevision = 7;
  let tokens = 0;
  const fetch = fakeFetch((path, body) => {
    if (path === '/v3/auth/authenticate') return [200, { token: `t${++tokens}` }];
    if (path === '/version') return [200, { etcdserver: '3.4.23' }];
    assert.equal(path, '/v3/kv/range');
    const from = Buffer.from(body.key, 'base64').toString();
    const rows = store.filter((kv) => Buffer.from(kv.key, 'base64').toString() >= from);
    const page = rows.slice(0, Number(body.limit));
    return [200, { header: { revision: String(storeRevision) }, kvs: page, more: rows.length > page.length, count: String(rows.length) }];
  });
  const client = new KeywayClient({ endpoints: ['http://a:1', 'http://b:1'], fetch, WebSocket: FakeSocket, username: 'u', password: 'p' });
  const puts = [];
  const cache = await KeyspaceCache.open(client, 'p/', { pageSize: 2, reconnectDelay: { min: 1, max: 2 }, onPut: (d) => puts.push(d.kv.key) });
  const ranges = fetch.calls.filter((c) => c.path === '/v3/kv/range').map((c) => c.body);
  assert.deepEqual(ranges, [
    { key: b64('p/'), range_end: b64('p0'), limit: '2' },
    { key: b64('p/b\0'), range_end: b64('p0'), limit: '2', revision: '7' }, // same revision, after the last key
  ]);
  assert.deepEqual(puts, ['p/a', 'p/b', 'p/c']);
  assert.equal(cache.revision, 7);

  await until(() => FakeSocket.all.length === 1 && FakeSocket.all[0].sent.length === 1, 'the watch');
  let ws = FakeSocket.all[0];
  assert.equal(ws.url, 'ws://a:1/v3/watch');
  assert.deepEqual(ws.protocols, ['Bearer', 't1']);
  assert.deepEqual(ws.sent[0], { create_request: { key: b64('p/'), range_end: b64('p0'), start_revision: '8', prev_kv: true, progress_notify: true } });
  ws.serverSends({ header: { revision: '7' }, created: true });
  ws.serverSends(watchResult(8, [put('p/d', '1', 8)]));
  assert.equal(cache.revision, 8);

  ws.serverDrops();
  await until(() => FakeSocket.all.length === 2 && FakeSocket.all[1].sent.length === 1, 'a reconnect');
  ws = FakeSocket.all[1];
  assert.equal(ws.sent[0].create_request.start_revision, '9');

  // compaction while away: the watch is canceled; the cache reads the keys again and announces the difference
  store = [kvJson('p/a', '2', 20, 3, 2), kvJson('p/c', '1', 5), kvJson('p/d', '1', 8), kvJson('p/e', '1', 21)];
  storeRevision = 22;
  const changes = [];
  cache.addEventListener('put', (e) => changes.push(`put ${e.detail.kv.key}`));
  cache.addEventListener('delete', (e) => changes.push(`delete ${e.detail.key}`));
  cache.addEventListener('reset', (e) => changes.push(`reset ${e.detail.revision}`));
  ws.serverSends({ header: { revision: '7' }, created: true });
  ws.serverSends({ header: {}, canceled: true, compact_revision: '19' });
  await until(() => FakeSocket.all.length === 3 && FakeSocket.all[2].sent.length === 1, 'the watch after the re-list');
  assert.deepEqual(changes, ['delete p/b', 'put p/a', 'put p/e', 'reset 22']);
  assert.equal(FakeSocket.all[2].sent[0].create_request.start_revision, '23');
  assert.deepEqual(cache.keys(), ['p/a', 'p/c', 'p/d', 'p/e']);

  // the server no longer takes the token: authenticate again for the next socket
  ws = FakeSocket.all[2];
  ws.serverSends({ header: {}, created: true, canceled: true, watch_id: '-1', cancel_reason: 'rpc error: code = Unauthenticated desc = etcdserver: invalid auth token' });
  await until(() => FakeSocket.all.length === 4, 'a socket with a new token');
  assert.deepEqual(FakeSocket.all[3].protocols, ['Bearer', 't2']);
  cache.close();
  await assert.rejects(cache.awaitRevision(1000), /closed/);
});
