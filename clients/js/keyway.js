// keyway.js: a client for Keyway and etcd over the HTTP/JSON gateway (/v3/...) and its WebSocket watch, for
// browsers and Node >= 18. One ES module, no dependencies. Keys and values are bytes on the wire (base64 in
// JSON); the API takes strings (UTF-8) or Uint8Array. int64 fields travel as JSON strings: revisions, versions
// and TTLs come back as numbers (exact below 2^53), ids (lease ids) as decimal strings.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---- bytes, base64 and keys -----------------------------------------------------------------------------

/** UTF-8 bytes of a string; a Uint8Array (or ArrayBuffer view) as it is. */
export function toBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`expected a string or bytes, got ${value === null ? 'null' : typeof value}`);
}

// A "binary string" holds one byte per UTF-16 code unit (0..255). JavaScript compares strings by code unit, so
// binary strings sort exactly as etcd sorts keys (bytewise), and atob/btoa convert them to and from base64.
function bytesToBinary(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return s;
}

function binaryToBytes(s) {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** Standard base64 with padding, as etcd's gateway reads and writes bytes. */
export function encodeBase64(value) {
  return btoa(bytesToBinary(toBytes(value)));
}

/** Bytes of a base64 string (an absent field decodes to empty bytes, as protobuf's zero value). */
export function decodeBase64(text) {
  return text ? binaryToBytes(atob(text)) : new Uint8Array(0);
}

function binaryKey(key) {
  return typeof key === 'string' && !/[^\x00-\x7f]/.test(key) ? key : bytesToBinary(toBytes(key));
}

/**
 * The end of the range of keys starting with prefix: prefix with its last byte incremented, trailing 0xff
 * bytes dropped; "\0" (every key from prefix on) for an empty or all-0xff prefix, as etcd's clients do.
 */
export function prefixEnd(prefix) {
  const bytes = toBytes(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      const end = bytes.slice(0, i + 1);
      end[i]++;
      return end;
    }
  }
  return new Uint8Array([0]);
}

function int64(value) {
  return value === undefined || value === null ? undefined : String(value);
}

function num(value) {
  return value === undefined || value === null ? 0 : Number(value);
}

// ---- values -------------------------------------------------------------------------------------------------

/** One key's state: bytes as Uint8Array, key/value also as (lazily decoded) UTF-8 strings. */
export class KeyValue {
  constructor(keyBytes, valueBytes, createRevision, modRevision, version, lease) {
    this.keyBytes = keyBytes;
    this.valueBytes = valueBytes;
    this.createRevision = createRevision;
    this.modRevision = modRevision;
    this.version = version;
    this.lease = lease;
  }

  /** From the gateway's JSON KeyValue (base64 bytes, int64 strings, zero fields omitted). */
  static fromJson(json) {
    return new KeyValue(decodeBase64(json.key), decodeBase64(json.value), num(json.create_revision),
      num(json.mod_revision), num(json.version), json.lease ? String(json.lease) : '0');
  }

  get key() {
    return decoder.decode(this.keyBytes);
  }

  get value() {
    return decoder.decode(this.valueBytes);
  }

  /** The value parsed as JSON. */
  json() {
    return JSON.parse(this.value);
  }

  toJSON() {
    return { key: this.key, value: this.value, createRevision: this.createRevision, modRevision: this.modRevision,
      version: this.version, lease: this.lease };
  }
}

/** An error answered by the server: code is the gRPC code (etcd's gateway body), status the HTTP status. */
export class KeywayError extends Error {
  constructor(message, code, status, body) {
    super(message);
    this.name = 'KeywayError';
    this.code = code;
    this.status = status;
    this.body = body;
  }

  /**
   * From an HTTP error answer: etcd 3.4/3.5's {"error","code","message"}, 3.6's {"code","message"}, or the
   * text/plain of a routing error (404/405).
   */
  static fromResponse(status, text) {
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: a routing error or a proxy's page
    }
    if (body && typeof body === 'object' && (body.message !== undefined || body.error !== undefined)) {
      const message = typeof body.message === 'string' ? body.message
        : typeof body.error === 'string' ? body.error : JSON.stringify(body.error);
      const code = typeof body.code === 'number' ? body.code
        : typeof body.grpc_code === 'number' ? body.grpc_code : Code.UNKNOWN; // a stream's error chunk
      return new KeywayError(message, code, status, body);
    }
    return new KeywayError((text || `HTTP ${status}`).trim(), statusToCode(status), status, text);
  }
}

/** gRPC status codes, as etcd's error bodies carry them. */
export const Code = Object.freeze({
  OK: 0, CANCELED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
});

function statusToCode(status) {
  switch (status) {
    case 400: return Code.INVALID_ARGUMENT;
    case 401: return Code.UNAUTHENTICATED;
    case 403: return Code.PERMISSION_DENIED;
    case 404: return Code.NOT_FOUND;
    case 429: return Code.RESOURCE_EXHAUSTED;
    case 501: return Code.UNIMPLEMENTED;
    case 503: return Code.UNAVAILABLE;
    case 504: return Code.DEADLINE_EXCEEDED;
    default: return Code.UNKNOWN;
  }
}

const INVALID_TOKEN = 'etcdserver: invalid auth token';
const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';

function isInvalidToken(err) {
  return err instanceof KeywayError && (err.code === Code.UNAUTHENTICATED || err.message === INVALID_TOKEN);
}

// ---- requests -----------------------------------------------------------------------------------------------

/** The range of a request: one key, key..rangeEnd, or every key starting with prefix (a string or bytes). */
function rangeFields(key, options = {}) {
  const fields = { key: encodeBase64(key) };
  if (options.prefix) {
    fields.range_end = encodeBase64(prefixEnd(key));
    if (toBytes(key).length === 0) fields.key = 'AA==';
  } else if (options.rangeEnd !== undefined) {
    fields.range_end = encodeBase64(options.rangeEnd);
  }
  return fields;
}

function rangeRequest(key, options = {}) {
  const r = rangeFields(key, options);
  if (options.revision) r.revision = int64(options.revision);
  if (options.limit) r.limit = int64(options.limit);
  if (options.serializable) r.serializable = true;
  if (options.keysOnly) r.keys_only = true;
  if (options.countOnly) r.count_only = true;
  if (options.sortOrder) r.sort_order = options.sortOrder;
  if (options.sortTarget) r.sort_target = options.sortTarget;
  if (options.minModRevision) r.min_mod_revision = int64(options.minModRevision);
  if (options.maxModRevision) r.max_mod_revision = int64(options.maxModRevision);
  if (options.minCreateRevision) r.min_create_revision = int64(options.minCreateRevision);
  if (options.maxCreateRevision) r.max_create_revision = int64(options.maxCreateRevision);
  return r;
}

function putRequest(key, value, options = {}) {
  const r = { key: encodeBase64(key) };
  if (value !== undefined && value !== null && !options.ignoreValue) r.value = encodeBase64(value);
  if (options.lease && options.lease !== '0') r.lease = int64(options.lease);
  if (options.prevKv) r.prev_kv = true;
  if (options.ignoreValue) r.ignore_value = true;
  if (options.ignoreLease) r.ignore_lease = true;
  return r;
}

function deleteRequest(key, options = {}) {
  const r = rangeFields(key, options);
  if (options.prevKv) r.prev_kv = true;
  return r;
}

function rangeResult(json) {
  return {
    revision: num(json.header && json.header.revision),
    kvs: (json.kvs || []).map(KeyValue.fromJson),
    more: Boolean(json.more),
    count: num(json.count),
  };
}

function putResult(json) {
  return { revision: num(json.header && json.header.revision), prevKv: json.prev_kv ? KeyValue.fromJson(json.prev_kv) : null };
}

function deleteResult(json) {
  return {
    revision: num(json.header && json.header.revision),
    deleted: num(json.deleted),
    prevKvs: (json.prev_kvs || []).map(KeyValue.fromJson),
  };
}

const COMPARE_TARGETS = { VERSION: 'version', CREATE: 'create_revision', MOD: 'mod_revision', VALUE: 'value', LEASE: 'lease' };
const COMPARE_RESULTS = { '=': 'EQUAL', '==': 'EQUAL', '>': 'GREATER', '<': 'LESS', '!=': 'NOT_EQUAL' };

/**
 * A txn compare: {key, target: 'VALUE'|'VERSION'|'CREATE'|'MOD'|'LEASE', result: 'EQUAL'|'GREATER'|'LESS'|
 * 'NOT_EQUAL' (or '=', '>', '<', '!='), value|version|createRevision|modRevision|lease, rangeEnd?, prefix?}.
 */
function compareJson(c) {
  const target = String(c.target || 'VALUE').toUpperCase();
  const field = COMPARE_TARGETS[target];
  if (!field) throw new TypeError(`unknown compare target ${c.target}`);
  const result = COMPARE_RESULTS[c.result] || String(c.result || 'EQUAL').toUpperCase();
  const json = { ...rangeFields(c.key, c), target, result };
  const operand = target === 'VALUE' ? c.value : target === 'VERSION' ? c.version
    : target === 'CREATE' ? c.createRevision : target === 'MOD' ? c.modRevision : c.lease;
  if (operand === undefined) throw new TypeError(`compare on ${target} needs its operand`);
  json[field] = target === 'VALUE' ? encodeBase64(operand) : int64(operand);
  return json;
}

/** A txn operation: {put: {key, value, ...putOptions}}, {get: {key, ...rangeOptions}}, {delete: {...}}, {txn}. */
function opJson(op) {
  if (op.put) return { request_put: putRequest(op.put.key, op.put.value, op.put) };
  if (op.get) return { request_range: rangeRequest(op.get.key, op.get) };
  if (op.range) return { request_range: rangeRequest(op.range.key, op.range) };
  if (op.delete) return { request_delete_range: deleteRequest(op.delete.key, op.delete) };
  if (op.txn) return { request_txn: txnJson(op.txn) };
  throw new TypeError(`unknown txn operation ${JSON.stringify(Object.keys(op))}`);
}

function txnJson(t) {
  return {
    compare: (t.compare || []).map(compareJson),
    success: (t.success || []).map(opJson),
    failure: (t.failure || []).map(opJson),
  };
}

function txnResult(json) {
  return {
    revision: num(json.header && json.header.revision),
    succeeded: Boolean(json.succeeded),
    responses: (json.responses || []).map((r) => {
      if (r.response_range) return { get: rangeResult(r.response_range) };
      if (r.response_put) return { put: putResult(r.response_put) };
      if (r.response_delete_range) return { delete: deleteResult(r.response_delete_range) };
      if (r.response_txn) return { txn: txnResult(r.response_txn) };
      return {};
    }),
  };
}

// ---- the client ---------------------------------------------------------------------------------------------

function defaultEndpoints() {
  return typeof location !== 'undefined' && location.origin && location.origin !== 'null'
    ? [location.origin] : ['http://127.0.0.1:2379'];
}

/**
 * The HTTP/JSON gateway of Keyway or etcd. Options: endpoints (URLs, tried in turn when one cannot be reached),
 * username/password (a token is fetched, and fetched again when the server calls it invalid) or token, timeout
 * (ms per request), fetch and WebSocket (implementations, default the global ones).
 */
export class KeywayClient {
  constructor(options = {}) {
    const endpoints = options.endpoints || (options.endpoint ? [options.endpoint] : defaultEndpoints());
    this.endpoints = (Array.isArray(endpoints) ? endpoints : String(endpoints).split(','))
      .map((e) => e.trim().replace(/\/+$/, '')).filter(Boolean);
    if (this.endpoints.length === 0) throw new TypeError('no endpoints');
    this._endpoint = 0;
    this._fetch = options.fetch || globalThis.fetch.bind(globalThis);
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    this.timeout = options.timeout === undefined ? 30000 : options.timeout;
    this._username = options.username;
    this._password = options.password;
    this._token = options.token || null;
    this._authenticating = null;
  }

  /** The endpoint calls go to now. */
  get endpoint() {
    return this.endpoints[this._endpoint];
  }

  /** Moves on to the next endpoint (after a connection failure). */
  nextEndpoint() {
    this._endpoint = (this._endpoint + 1) % this.endpoints.length;
    return this.endpoint;
  }

  // -- auth --

  /** The current token (fetched with the credentials when there is none), or null without auth. */
  async token() {
    if (this._token || this._username === undefined) return this._token;
    if (!this._authenticating) {
      this._authenticating = this.authenticate(this._username, this._password)
        .finally(() => { this._authenticating = null; });
    }
    return this._authenticating;
  }

  /** Forgets the token, so the next call authenticates again (when the client has credentials). */
  invalidateToken(token) {
    if (token === undefined || token === this._token) this._token = null;
  }

  /** POST /v3/auth/authenticate: the token is kept for the next calls and returned. */
  async authenticate(username, password) {
    const json = await this._post('/v3/auth/authenticate', { name: username, password }, { auth: false, retry: true });
    this._username = username;
    this._password = password;
    this._token = json.token;
    return json.token;
  }

  // -- kv --

  /** One key's KeyValue, or null. Options as range(). */
  async get(key, options = {}) {
    const r = await this.range(key, { ...options, prefix: false, rangeEnd: undefined });
    return r.kvs.length ? r.kvs[0] : null;
  }

  /**
   * POST /v3/kv/range. Options: prefix (every key starting with key), rangeEnd, revision, limit, serializable,
   * keysOnly, countOnly, sortOrder ('ASCEND'|'DESCEND'), sortTarget, min/max Mod/Create Revision.
   * Returns {revision, kvs: KeyValue[], more, count}.
   */
  async range(key, options = {}) {
    return rangeResult(await this._post('/v3/kv/range', rangeRequest(key, options), { retry: true }));
  }

  /** POST /v3/kv/put. Options: lease, prevKv, ignoreValue, ignoreLease. Returns {revision, prevKv}. */
  async put(key, value, options = {}) {
    return putResult(await this._post('/v3/kv/put', putRequest(key, value, options)));
  }

  /** POST /v3/kv/deleterange. Options: prefix, rangeEnd, prevKv. Returns {revision, deleted, prevKvs}. */
  async delete(key, options = {}) {
    return deleteResult(await this._post('/v3/kv/deleterange', deleteRequest(key, options)));
  }

  /**
   * POST /v3/kv/txn with {compare: [...], success: [...ops], failure: [...ops]}; see compareJson and opJson
   * above for their shapes. Returns {revision, succeeded, responses: [{get}|{put}|{delete}|{txn}]}.
   */
  async txn(request) {
    return txnResult(await this._post('/v3/kv/txn', txnJson(request)));
  }

  /** POST /v3/kv/compaction. */
  async compact(revision, options = {}) {
    const json = await this._post('/v3/kv/compaction', { revision: int64(revision), physical: Boolean(options.physical) });
    return { revision: num(json.header && json.header.revision) };
  }

  // -- leases --

  /** POST /v3/lease/grant: {id, ttl}. */
  async leaseGrant(ttl, id) {
    const json = await this._post('/v3/lease/grant', { TTL: int64(ttl), ID: int64(id) });
    return { id: String(json.ID), ttl: num(json.TTL) };
  }

  /** POST /v3/lease/revoke. */
  async leaseRevoke(id) {
    await this._post('/v3/lease/revoke', { ID: int64(id) });
  }

  /** One keep-alive (POST /v3/lease/keepalive): {id, ttl}; ttl 0 when the lease is gone. */
  async leaseKeepAlive(id) {
    const text = await this._send('/v3/lease/keepalive', { ID: int64(id) });
    const line = text.split('\n').find((l) => l.trim());
    const message = line ? JSON.parse(line) : {};
    if (message.error) throw KeywayError.fromResponse(200, JSON.stringify(message.error));
    const result = message.result || {};
    return { id: String(result.ID || id), ttl: num(result.TTL) };
  }

  /**
   * Keeps a lease alive every third of its TTL until stop() (or until the lease is gone, reported to onError
   * as a KeywayError with code NOT_FOUND).
   */
  keepAlive(id, options = {}) {
    let timer = null;
    let stopped = false;
    const tick = async () => {
      let delay = 1000;
      try {
        const r = await this.leaseKeepAlive(id);
        if (r.ttl <= 0) {
          stopped = true;
          throw new KeywayError('etcdserver: requested lease not found', Code.NOT_FOUND, 404, null);
        }
        delay = Math.max(500, (r.ttl * 1000) / 3);
      } catch (e) {
        if (options.onError) options.onError(e);
      }
      if (!stopped) timer = setTimeout(tick, delay);
    };
    tick();
    return { stop() { stopped = true; clearTimeout(timer); } };
  }

  /** POST /v3/lease/timetolive: {id, ttl (-1 when gone), grantedTtl, keys (Uint8Array[] with keys: true)}. */
  async leaseTimeToLive(id, options = {}) {
    const json = await this._post('/v3/lease/timetolive', { ID: int64(id), keys: Boolean(options.keys) });
    return { id: String(json.ID || id), ttl: num(json.TTL), grantedTtl: num(json.grantedTTL),
      keys: (json.keys || []).map(decodeBase64) };
  }

  // -- any other call --

  /**
   * POSTs any other gateway call (e.g. '/v3/maintenance/status', '/v3/cluster/member/list') with the client's
   * token; the parsed JSON answer, as the gateway writes it (base64 bytes, int64 strings).
   */
  async call(path, body = {}) {
    return this._post(path, body);
  }

  // -- transport --

  /** POSTs a JSON request; returns the parsed answer or throws a KeywayError. */
  async _post(path, body, options = {}) {
    const text = await this._send(path, body, options);
    return text ? JSON.parse(text) : {};
  }

  async _send(path, body, options = {}) {
    const auth = options.auth !== false;
    for (let attempt = 0; ; attempt++) {
      const token = auth ? await this.token() : null;
      try {
        return await this._once(path, body, token);
      } catch (e) {
        if (auth && token && isInvalidToken(e) && this._username !== undefined && attempt === 0) {
          this.invalidateToken(token); // expired or revoked: authenticate again, once
          continue;
        }
        // a request that may have been applied is not sent again; reads and authentication are
        if (!(e instanceof KeywayError) && options.retry && attempt < this.endpoints.length - 1) continue;
        throw e;
      }
    }
  }

  async _once(path, body, token) {
    const endpoint = this.endpoint;
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = token;
    const init = { method: 'POST', headers, body: JSON.stringify(body) };
    if (this.timeout > 0 && typeof AbortSignal !== 'undefined' && AbortSignal.timeout) {
      init.signal = AbortSignal.timeout(this.timeout);
    }
    let response;
    let text;
    try {
      response = await this._fetch(endpoint + path, init);
      text = await response.text();
    } catch (e) {
      if (this.endpoint === endpoint) this.nextEndpoint();
      throw e;
    }
    if (!response.ok) throw KeywayError.fromResponse(response.status, text);
    return text;
  }

  /** The ws:// or wss:// URL of a path on the current endpoint. */
  webSocketUrl(path) {
    return this.endpoint.replace(/^http/, 'ws') + path;
  }
}

// ---- the cache ----------------------------------------------------------------------------------------------

/** An event of a KeyspaceCache; detail as CustomEvent's (CustomEvent is not global in Node 18). */
class CacheEvent extends Event {
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

/**
 * The keys under a prefix (or in [key, rangeEnd)) kept in memory and in sync with the server: a consistent
 * snapshot (paged reads at one revision), then a WebSocket watch from the next revision. Each change is applied
 * in revision order and announced as a 'put' ({kv, prevKv, revision}) or 'delete' ({key, keyBytes, prevKv,
 * revision}) event. A lost connection resumes from the last applied revision (on the next endpoint); when that
 * history was compacted away the keys are read again and the difference announced as ordinary puts and
 * deletes, then a 'reset' ({revision, reason}) event. 'error' events report what went wrong meanwhile
 * (detail: the Error); the cache keeps trying.
 *
 * Options: pageSize (keys per snapshot read, default 1000), prevKv (ask the watch for prev_kv, default true),
 * progressNotify (default true), requestProgress ('auto': ask for progress while awaitRevision waits, on
 * servers that answer it only when the watch is synced: Keyway and etcd >= 3.5.8; true; false),
 * initialPuts (announce the first snapshot's keys as puts, default true), reconnectDelay ({min, max} ms),
 * connectTimeout (ms until a watch connection that is not created yet is dropped and tried again, default 10000),
 * onPut, onDelete, onReset, onError (callbacks, the same as event listeners).
 */
export class KeyspaceCache extends EventTarget {
  constructor(client, prefix, options = {}) {
    super();
    this.client = client;
    this.options = {
      pageSize: 1000, prevKv: true, progressNotify: true, requestProgress: 'auto', initialPuts: true, connectTimeout: 10000,
      ...options, reconnectDelay: { min: 100, max: 5000, ...(options.reconnectDelay || {}) },
    };
    const range = rangeFields(prefix === undefined ? '' : prefix,
      options.rangeEnd !== undefined ? { rangeEnd: options.rangeEnd } : { prefix: true });
    this._key = range.key;
    this._rangeEnd = range.range_end;
    this._entries = new Map(); // binary key -> KeyValue
    this._sorted = null; // binary keys in order, built on demand, kept up to date once built
    this._revision = 0;
    this._waiters = [];
    this._socket = null;
    this._generation = 0;
    this._failures = 0;
    this._closed = false;
    this._started = null;
    this._progressTimer = null;
    this._fragments = null;
    this._progressSupported = options.requestProgress === 'auto' || options.requestProgress === undefined
      ? null : Boolean(options.requestProgress);
    for (const [type, callback] of [['put', 'onPut'], ['delete', 'onDelete'], ['reset', 'onReset'], ['error', 'onError']]) {
      if (typeof options[callback] === 'function') this.addEventListener(type, (e) => options[callback](e.detail));
    }
  }

  /** Creates a cache and starts it: resolves once the snapshot is loaded (the watch then runs by itself). */
  static async open(client, prefix, options) {
    const cache = new KeyspaceCache(client, prefix, options);
    await cache.start();
    return cache;
  }

  /** Loads the snapshot and starts the watch; the same promise when called again. */
  start() {
    if (!this._started) {
      this._started = (async () => {
        const snapshot = await this._loadSnapshot();
        this._revision = snapshot.revision;
        for (const kv of snapshot.kvs) this._setEntry(kv);
        if (this.options.initialPuts) {
          for (const kv of this.entries()) this._emit('put', { kv, prevKv: null, revision: kv.modRevision, initial: true });
        }
        this._resolveWaiters();
        this._connect();
      })();
    }
    return this._started;
  }

  // -- read view --

  /** The revision the cache reflects: every change up to it is applied. */
  get revision() {
    return this._revision;
  }

  get size() {
    return this._entries.size;
  }

  get(key) {
    return this._entries.get(binaryKey(key));
  }

  has(key) {
    return this._entries.has(binaryKey(key));
  }

  /** Every KeyValue in key order. */
  entries() {
    return this._sortedKeys().map((k) => this._entries.get(k));
  }

  keys() {
    return this.entries().map((kv) => kv.key);
  }

  [Symbol.iterator]() {
    return this.entries()[Symbol.iterator]();
  }

  /** The KeyValues with from <= key < to (to omitted: to the end), in key order. */
  range(from, to) {
    const keys = this._sortedKeys();
    const start = lowerBound(keys, binaryKey(from === undefined ? '' : from));
    const end = to === undefined ? keys.length : lowerBound(keys, binaryKey(to));
    const out = [];
    for (let i = start; i < end; i++) out.push(this._entries.get(keys[i]));
    return out;
  }

  /** Resolves with the cache's revision once it is at least revision (read-your-writes after a put). */
  awaitRevision(revision, options = {}) {
    const target = Number(revision);
    if (this._revision >= target) return Promise.resolve(this._revision);
    if (this._closed) return Promise.reject(new Error('cache closed'));
    return new Promise((resolve, reject) => {
      const waiter = { target, resolve, reject, timer: null };
      if (options.timeout > 0) {
        waiter.timer = setTimeout(() => {
          this._waiters = this._waiters.filter((w) => w !== waiter);
          if (this._waiters.length === 0) {
            clearInterval(this._progressTimer);
            this._progressTimer = null;
          }
          reject(new Error(`revision ${target} not reached within ${options.timeout} ms (at ${this._revision})`));
        }, options.timeout);
      }
      this._waiters.push(waiter);
      this._askProgress();
    });
  }

  /** Stops the watch; the read view stays as it is. */
  close() {
    this._closed = true;
    this._generation++;
    this._dropSocket();
    clearTimeout(this._reconnectTimer);
    clearTimeout(this._connectTimer);
    clearInterval(this._progressTimer);
    for (const w of this._waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('cache closed'));
    }
    this._waiters = [];
  }

  // -- applying changes (also used by the unit tests through applyWatchResponse) --

  /**
   * Applies one watch response (the "result" of a watch message). Returns what it means for the connection:
   * 'ok', 'compacted' (re-list needed), or 'canceled'.
   */
  applyWatchResponse(result) {
    if (result.canceled) return num(result.compact_revision) > 0 ? 'compacted' : 'canceled';
    if (result.created) return 'ok'; // its header revision is the store's, not proof the watch caught up
    let events = result.events || [];
    if (result.fragment) { // parts of one revision's events: apply them together
      this._fragments = (this._fragments || []).concat(events);
      return 'ok';
    }
    if (this._fragments) {
      events = this._fragments.concat(events);
      this._fragments = null;
    }
    if (events.length === 0) {
      // a progress notification: every change up to its revision was sent before it
      this._advance(num(result.header && result.header.revision));
      return 'ok';
    }
    const base = this._revision; // events of one revision all apply, even after the first moved _revision
    let last = base;
    for (const event of events) {
      const kv = KeyValue.fromJson(event.kv || {});
      if (kv.modRevision <= base) continue; // already in the snapshot or applied before a reconnect
      last = Math.max(last, kv.modRevision);
      if (event.type === 'DELETE') {
        this._applyDelete(kv.keyBytes, kv.modRevision);
      } else {
        this._applyPut(kv, kv.modRevision);
      }
    }
    // not the header revision: a catching-up watch's batch may carry a later one than its last event
    this._advance(last);
    return 'ok';
  }

  _applyPut(kv, revision) {
    const key = bytesToBinary(kv.keyBytes);
    const prevKv = this._entries.get(key) || null;
    this._setEntry(kv, key);
    this._emit('put', { kv, prevKv, revision });
  }

  _applyDelete(keyBytes, revision) {
    const key = bytesToBinary(keyBytes);
    const prevKv = this._entries.get(key);
    if (!prevKv) return; // nothing to remove: no change to announce
    this._deleteEntry(key);
    this._emit('delete', { key: decoder.decode(keyBytes), keyBytes, prevKv, revision });
  }

  _setEntry(kv, key = bytesToBinary(kv.keyBytes)) {
    if (!this._entries.has(key) && this._sorted) this._sorted.splice(lowerBound(this._sorted, key), 0, key);
    this._entries.set(key, kv);
  }

  _deleteEntry(key) {
    if (this._entries.delete(key) && this._sorted) this._sorted.splice(lowerBound(this._sorted, key), 1);
  }

  _sortedKeys() {
    if (!this._sorted) this._sorted = [...this._entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this._sorted;
  }

  _advance(revision) {
    if (revision > this._revision) {
      this._revision = revision;
      this._resolveWaiters();
    }
  }

  _resolveWaiters() {
    if (this._waiters.length === 0) return;
    const still = [];
    for (const w of this._waiters) {
      if (this._revision >= w.target) {
        clearTimeout(w.timer);
        w.resolve(this._revision);
      } else {
        still.push(w);
      }
    }
    this._waiters = still;
    if (still.length === 0) {
      clearInterval(this._progressTimer);
      this._progressTimer = null;
    }
  }

  /**
   * Replaces the map with a new snapshot, announcing the difference as puts and deletes (in key order), then a
   * 'reset'. The application sees the same sequence it would have seen had it missed nothing.
   * snapshot: {revision, kvs: KeyValue[]}.
   */
  applySnapshot(snapshot, reason) {
    const fresh = new Map(snapshot.kvs.map((kv) => [bytesToBinary(kv.keyBytes), kv]));
    for (const key of [...this._sortedKeys()]) {
      if (!fresh.has(key)) {
        const prevKv = this._entries.get(key);
        this._deleteEntry(key);
        this._emit('delete', { key: prevKv.key, keyBytes: prevKv.keyBytes, prevKv, revision: snapshot.revision });
      }
    }
    const changed = [];
    for (const [key, kv] of fresh) {
      const old = this._entries.get(key);
      if (!old || old.modRevision !== kv.modRevision || old.createRevision !== kv.createRevision) changed.push(key);
    }
    changed.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of changed) {
      const kv = fresh.get(key);
      const prevKv = this._entries.get(key) || null;
      this._setEntry(kv, key);
      this._emit('put', { kv, prevKv, revision: snapshot.revision });
    }
    this._fragments = null;
    this._revision = Math.max(this._revision, snapshot.revision);
    this._emit('reset', { revision: snapshot.revision, reason });
    this._resolveWaiters();
  }

  _emit(type, detail) {
    this.dispatchEvent(new CacheEvent(type, detail));
  }

  _error(error) {
    this._emit('error', error);
  }

  // -- snapshot --

  /** Every key of the range at one revision, read in pages: {revision, kvs}. */
  async _loadSnapshot() {
    for (;;) {
      try {
        return await this._readPages();
      } catch (e) {
        // compacted between two pages: start again at a newer revision
        if (!(e instanceof KeywayError && e.code === Code.OUT_OF_RANGE && e.message === COMPACTED)) throw e;
      }
    }
  }

  async _readPages() {
    const kvs = [];
    let revision = 0;
    let key = this._key;
    for (;;) {
      const request = { key, range_end: this._rangeEnd, limit: int64(this.options.pageSize) };
      if (revision) request.revision = int64(revision);
      const json = await this.client._post('/v3/kv/range', request, { retry: true });
      if (!revision) revision = num(json.header && json.header.revision); // the first page fixes the revision
      const page = json.kvs || [];
      for (const j of page) kvs.push(KeyValue.fromJson(j));
      if (!json.more || page.length === 0) return { revision, kvs };
      key = btoa(atob(page[page.length - 1].key) + '\0'); // the next key after the last one read
    }
  }

  // -- watch connection --

  async _connect() {
    if (this._closed) return;
    const generation = ++this._generation;
    let socket;
    try {
      if (this._progressSupported === null) this._progressSupported = await this._detectProgressSupport();
      const token = await this.client.token();
      if (generation !== this._generation) return;
      const WebSocketImpl = this.client.WebSocket;
      if (!WebSocketImpl) throw new Error('no WebSocket implementation: pass one as the client option WebSocket');
      const url = this.client.webSocketUrl('/v3/watch');
      // etcd's WebSocket proxy and Keyway take the token as the subprotocol offer "Bearer, <token>"; no offer at
      // all without auth (etcd < 3.4.28 checks any offered token even with auth off)
      socket = token ? new WebSocketImpl(url, ['Bearer', token]) : new WebSocketImpl(url);
      socket.__token = token;
    } catch (e) {
      this._error(e);
      this._scheduleReconnect(generation);
      return;
    }
    this._socket = socket;
    // a connection that neither fails nor gets its watch created (a dead host; Node 20's WebSocket even stays
    // CONNECTING for good when the TCP connection drops during the handshake) is given up and tried again
    clearTimeout(this._connectTimer);
    this._connectTimer = setTimeout(() => {
      if (generation !== this._generation || this._watching) return;
      this._error(new Error(`watch not created within ${this.options.connectTimeout} ms on ${this.client.endpoint}`));
      this._reconnect(generation);
    }, this.options.connectTimeout);
    socket.onopen = () => {
      if (generation !== this._generation) return;
      const create = { key: this._key, range_end: this._rangeEnd, start_revision: int64(this._revision + 1) };
      if (this.options.prevKv) create.prev_kv = true;
      if (this.options.progressNotify) create.progress_notify = true;
      socket.send(JSON.stringify({ create_request: create }));
    };
    socket.onmessage = (message) => {
      if (generation !== this._generation) return;
      this._onMessage(socket, generation, typeof message.data === 'string' ? message.data : decoder.decode(message.data));
    };
    socket.onerror = () => {}; // the close that follows reconnects
    socket.onclose = () => {
      if (generation !== this._generation) return;
      this._socket = null;
      this._scheduleReconnect(generation, true);
    };
  }

  _onMessage(socket, generation, data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch (e) {
      this._error(new Error(`unreadable watch message: ${String(data).slice(0, 200)}`));
      return;
    }
    if (!message.result) {
      const body = message.error && typeof message.error === 'object' ? message.error : message;
      const err = KeywayError.fromResponse(body.http_code || 0, JSON.stringify(body));
      if (isInvalidToken(err)) this.client.invalidateToken(socket.__token);
      this._error(err);
      this._reconnect(generation);
      return;
    }
    const result = message.result;
    if (result.created && !result.canceled) {
      this._failures = 0;
      this._watching = true;
      clearTimeout(this._connectTimer);
      if (this._waiters.length) this._askProgress();
    }
    let outcome;
    try {
      outcome = this.applyWatchResponse(result);
    } catch (e) {
      this._error(e);
      return;
    }
    if (outcome === 'compacted') {
      this._dropSocket();
      this._relist(generation);
    } else if (outcome === 'canceled') {
      const reason = result.cancel_reason || 'watch canceled';
      const err = new KeywayError(reason, /invalid auth token/.test(reason) ? Code.UNAUTHENTICATED : Code.CANCELED, 0, result);
      if (isInvalidToken(err)) this.client.invalidateToken(socket.__token);
      this._error(err);
      this._reconnect(generation);
    }
  }

  /** History gone: read the range again at a new revision and announce the difference. */
  async _relist(generation) {
    try {
      const snapshot = await this._loadSnapshot();
      if (generation !== this._generation || this._closed) return;
      this.applySnapshot(snapshot, 'compacted');
      this._connect();
    } catch (e) {
      if (generation !== this._generation) return;
      this._error(e);
      this._failures++;
      clearTimeout(this._reconnectTimer);
      this._reconnectTimer = setTimeout(() => this._relist(generation), this._backoff());
    }
  }

  _reconnect(generation) {
    this._dropSocket();
    this._scheduleReconnect(generation, true);
  }

  _scheduleReconnect(generation, rotate) {
    if (this._closed || generation !== this._generation) return;
    this._watching = false;
    this._failures++;
    if (rotate && this._failures > 1) this.client.nextEndpoint();
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = setTimeout(() => this._connect(), this._backoff());
  }

  _backoff() {
    const { min, max } = this.options.reconnectDelay;
    const delay = Math.min(max, min * 2 ** Math.min(this._failures - 1, 16));
    return delay / 2 + Math.random() * delay / 2;
  }

  _dropSocket() {
    const socket = this._socket;
    this._socket = null;
    this._watching = false;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      try {
        socket.close();
      } catch {
        // already closing
      }
    }
  }

  /** Progress requests while awaitRevision waits, where the server answers them only once the watch is synced. */
  _askProgress() {
    if (!this._progressSupported || this._progressTimer) return;
    const ask = () => {
      if (this._socket && this._watching && this._socket.readyState === 1) {
        this._socket.send(JSON.stringify({ progress_request: {} }));
      }
    };
    ask();
    this._progressTimer = setInterval(ask, 250);
  }

  /**
   * etcd before 3.5.8 answers a progress request at once, even before the watch has sent every older event;
   * its answer would then skip events. Keyway reports 3.5.17 and answers only when synced.
   */
  async _detectProgressSupport() {
    try {
      const response = await this.client._fetch(this.client.endpoint + '/version', { method: 'GET' });
      if (!response.ok) return false;
      const v = String((await response.json()).etcdserver || '').split('.').map(Number);
      return v[0] > 3 || (v[0] === 3 && (v[1] > 5 || (v[1] === 5 && v[2] >= 8)));
    } catch {
      return false;
    }
  }
}

function lowerBound(sorted, key) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo;
}
