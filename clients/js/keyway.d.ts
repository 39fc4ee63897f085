// Types of keyway.js. Keys and values: a string (UTF-8) or bytes. Revisions, versions and TTLs are numbers;
// lease ids are decimal strings (they need 63 bits).

export type Bytes = string | Uint8Array | ArrayBuffer | ArrayBufferView;

export declare function toBytes(value: Bytes): Uint8Array;
export declare function encodeBase64(value: Bytes): string;
export declare function decodeBase64(text: string | undefined | null): Uint8Array;
/** The end of the range of keys starting with prefix, as etcd's clients compute it. */
export declare function prefixEnd(prefix: Bytes): Uint8Array;

export declare const Code: Readonly<{
  OK: 0; CANCELED: 1; UNKNOWN: 2; INVALID_ARGUMENT: 3; DEADLINE_EXCEEDED: 4; NOT_FOUND: 5; ALREADY_EXISTS: 6;
  PERMISSION_DENIED: 7; RESOURCE_EXHAUSTED: 8; FAILED_PRECONDITION: 9; ABORTED: 10; OUT_OF_RANGE: 11;
  UNIMPLEMENTED: 12; INTERNAL: 13; UNAVAILABLE: 14; DATA_LOSS: 15; UNAUTHENTICATED: 16;
}>;

export declare class KeyValue {
  constructor(keyBytes: Uint8Array, valueBytes: Uint8Array, createRevision: number, modRevision: number,
    version: number, lease: string);
  static fromJson(json: object): KeyValue;
  readonly keyBytes: Uint8Array;
  readonly valueBytes: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
  /** "0" when the key has no lease. */
  readonly lease: string;
  /** The key as UTF-8 text. */
  readonly key: string;
  /** The value as UTF-8 text. */
  readonly value: string;
  json<T = unknown>(): T;
  toJSON(): { key: string; value: string; createRevision: number; modRevision: number; version: number; lease: string };
}

/** An error answered by the server (etcd's gateway error body). */
export declare class KeywayError extends Error {
  static fromResponse(status: number, text: string): KeywayError;
  /** gRPC status code (see Code). */
  readonly code: number;
  /** HTTP status; 0 for errors that came over a WebSocket. */
  readonly status: number;
  readonly body: unknown;
}

export interface RangeOptions {
  prefix?: boolean;
  rangeEnd?: Bytes;
  revision?: number;
  limit?: number;
  serializable?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  sortOrder?: 'NONE' | 'ASCEND' | 'DESCEND';
  sortTarget?: 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
  minModRevision?: number;
  maxModRevision?: number;
  minCreateRevision?: number;
  maxCreateRevision?: number;
}
export interface RangeResult { revision: number; kvs: KeyValue[]; more: boolean; count: number }

export interface PutOptions { lease?: string | number; prevKv?: boolean; ignoreValue?: boolean; ignoreLease?: boolean }
export interface PutResult { revision: number; prevKv: KeyValue | null }

export interface DeleteOptions { prefix?: boolean; rangeEnd?: Bytes; prevKv?: boolean }
export interface DeleteResult { revision: number; deleted: number; prevKvs: KeyValue[] }

export interface Compare {
  key: Bytes;
  target?: 'VALUE' | 'VERSION' | 'CREATE' | 'MOD' | 'LEASE';
  result?: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL' | '=' | '==' | '>' | '<' | '!=';
  value?: Bytes;
  version?: number;
  createRevision?: number;
  modRevision?: number;
  lease?: string | number;
  prefix?: boolean;
  rangeEnd?: Bytes;
}
export type TxnOp =
  | { put: { key: Bytes; value: Bytes } & PutOptions }
  | { get: { key: Bytes } & RangeOptions }
  | { range: { key: Bytes } & RangeOptions }
  | { delete: { key: Bytes } & DeleteOptions }
  | { txn: TxnRequest };
export interface TxnRequest { compare?: Compare[]; success?: TxnOp[]; failure?: TxnOp[] }
export type TxnResponse = { get: RangeResult } | { put: PutResult } | { delete: DeleteResult } | { txn: TxnResult };
export interface TxnResult { revision: number; succeeded: boolean; responses: TxnResponse[] }

export interface ClientOptions {
  /** Gateway URLs (http:// or https://), tried in turn; default the page's origin, else http://127.0.0.1:2379. */
  endpoints?: string[] | string;
  endpoint?: string;
  username?: string;
  password?: string;
  token?: string;
  /** Milliseconds per request (0: none); default 30000. */
  timeout?: number;
  fetch?: typeof fetch;
  /** A WebSocket constructor (browser-compatible), default globalThis.WebSocket. */
  WebSocket?: { new (url: string, protocols?: string | string[]): WebSocket };
}

export declare class KeywayClient {
  constructor(options?: ClientOptions);
  readonly endpoints: string[];
  readonly endpoint: string;
  nextEndpoint(): string;
  token(): Promise<string | null>;
  invalidateToken(token?: string): void;
  authenticate(username: string, password: string): Promise<string>;
  get(key: Bytes, options?: RangeOptions): Promise<KeyValue | null>;
  range(key: Bytes, options?: RangeOptions): Promise<RangeResult>;
  put(key: Bytes, value: Bytes, options?: PutOptions): Promise<PutResult>;
  delete(key: Bytes, options?: DeleteOptions): Promise<DeleteResult>;
  txn(request: TxnRequest): Promise<TxnResult>;
  compact(revision: number, options?: { physical?: boolean }): Promise<{ revision: number }>;
  leaseGrant(ttl: number, id?: string | number): Promise<{ id: string; ttl: number }>;
  leaseRevoke(id: string | number): Promise<void>;
  leaseKeepAlive(id: string | number): Promise<{ id: string; ttl: number }>;
  keepAlive(id: string | number, options?: { onError?: (error: Error) => void }): { stop(): void };
  leaseTimeToLive(id: string | number, options?: { keys?: boolean }):
    Promise<{ id: string; ttl: number; grantedTtl: number; keys: Uint8Array[] }>;
  /** POSTs any other gateway call (e.g. '/v3/maintenance/status') with the token; the gateway's JSON answer. */
  call(path: string, body?: object): Promise<any>;
  webSocketUrl(path: string): string;
}

export interface PutDetail { kv: KeyValue; prevKv: KeyValue | null; revision: number; initial?: boolean }
export interface DeleteDetail { key: string; keyBytes: Uint8Array; prevKv: KeyValue; revision: number }
export interface ResetDetail { revision: number; reason: string }

export interface CacheOptions {
  /** With a rangeEnd the cache holds [prefix, rangeEnd) instead of the keys starting with prefix. */
  rangeEnd?: Bytes;
  pageSize?: number;
  prevKv?: boolean;
  progressNotify?: boolean;
  requestProgress?: 'auto' | boolean;
  initialPuts?: boolean;
  reconnectDelay?: { min?: number; max?: number };
  /** Milliseconds until a watch connection whose watch is not created yet is dropped and tried again. */
  connectTimeout?: number;
  onPut?: (detail: PutDetail) => void;
  onDelete?: (detail: DeleteDetail) => void;
  onReset?: (detail: ResetDetail) => void;
  onError?: (error: Error) => void;
}

export interface CacheEvent<T> extends Event { readonly detail: T }

export declare class KeyspaceCache extends EventTarget {
  constructor(client: KeywayClient, prefix?: Bytes, options?: CacheOptions);
  static open(client: KeywayClient, prefix?: Bytes, options?: CacheOptions): Promise<KeyspaceCache>;
  start(): Promise<void>;
  readonly revision: number;
  readonly size: number;
  get(key: Bytes): KeyValue | undefined;
  has(key: Bytes): boolean;
  entries(): KeyValue[];
  keys(): string[];
  range(from?: Bytes, to?: Bytes): KeyValue[];
  [Symbol.iterator](): Iterator<KeyValue>;
  awaitRevision(revision: number, options?: { timeout?: number }): Promise<number>;
  close(): void;
  /** Applies one watch response's "result" (exposed for tests and custom transports). */
  applyWatchResponse(result: object): 'ok' | 'compacted' | 'canceled';
  /** Replaces the contents with a snapshot, announcing the difference as puts/deletes and then a reset. */
  applySnapshot(snapshot: { revision: number; kvs: KeyValue[] }, reason: string): void;
  addEventListener(type: 'put', listener: (event: CacheEvent<PutDetail>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'delete', listener: (event: CacheEvent<DeleteDetail>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'reset', listener: (event: CacheEvent<ResetDetail>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: 'error', listener: (event: CacheEvent<Error>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
