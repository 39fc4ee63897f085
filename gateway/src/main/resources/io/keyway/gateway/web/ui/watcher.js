// One watch over the member's WebSocket (/v3/watch), resumable: stop() and start() again continue from the
// revision after the last event seen, so a pause loses nothing the server still has. A dropped socket is
// reopened the same way after a second.
import { KeyValue, encodeBase64, prefixEnd } from '../keyway.js';

export class Watcher {
  /**
   * @param options {prefix: true for every key starting with key, startRevision, prevKv,
   *   onEvents([{type, kv, prevKv}], revision), onState({state: 'connecting'|'live'|'stopped'|'error', ...})}
   */
  constructor(session, key, options = {}) {
    this.session = session;
    this.key = key;
    this.options = options;
    this.nextRevision = options.startRevision || 0;
    this.socket = null;
    this.stopped = true;
    this.timer = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000);
    this.socket = null;
    this._state({ state: 'stopped', revision: this.nextRevision - 1 });
  }

  _state(s) {
    if (this.options.onState) this.options.onState(s);
  }

  async _connect() {
    this._state({ state: 'connecting' });
    const client = this.session.client;
    const token = await client.token();
    if (this.stopped) return;
    const url = client.webSocketUrl('/v3/watch');
    const socket = token ? new WebSocket(url, ['Bearer', token]) : new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      // every key (an empty prefix) is ["\0", "\0"): etcd refuses an empty key
      const key = this.options.prefix && this.key === '' ? '\0' : this.key;
      const create = { key: encodeBase64(key), prev_kv: Boolean(this.options.prevKv) };
      if (this.options.prefix) create.range_end = encodeBase64(prefixEnd(this.key));
      if (this.nextRevision > 0) create.start_revision = String(this.nextRevision);
      socket.send(JSON.stringify({ create_request: create }));
    };
    socket.onmessage = (m) => this._message(socket, JSON.parse(m.data));
    socket.onclose = () => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      this._state({ state: 'connecting', reason: 'connection lost; reconnecting' });
      this.timer = setTimeout(() => this._connect(), 1000);
    };
  }

  _message(socket, message) {
    if (socket !== this.socket) return;
    if (message.error) {
      this._fail(message.error.message || JSON.stringify(message.error));
      return;
    }
    const r = message.result || {};
    const revision = Number((r.header && r.header.revision) || 0);
    if (r.created && this.nextRevision === 0) this.nextRevision = revision + 1;
    if (r.compact_revision && r.compact_revision !== '0') {
      // the history asked for is gone: continue from the oldest revision there is, and say so
      this.nextRevision = Number(r.compact_revision);
      this._state({ state: 'compacted', revision: this.nextRevision });
      socket.close(1000);
      return;
    }
    if (r.canceled) {
      this._fail(r.cancel_reason || 'watch canceled by the server');
      return;
    }
    if (r.created) this._state({ state: 'live', revision: this.nextRevision - 1 });
    const events = (r.events || []).map((e) => ({
      type: e.type || 'PUT',
      kv: KeyValue.fromJson(e.kv || {}),
      prevKv: e.prev_kv ? KeyValue.fromJson(e.prev_kv) : null,
    }));
    if (events.length) {
      this.nextRevision = events[events.length - 1].kv.modRevision + 1;
      if (this.options.onEvents) this.options.onEvents(events, this.nextRevision - 1);
    }
  }

  _fail(reason) {
    this.stopped = true;
    if (this.socket) this.socket.close(1000);
    this.socket = null;
    this._state({ state: 'error', reason });
  }
}
