// Who the console talks to and as whom. The member is wherever this file was served from (one level up from
// /ui/), so a reverse proxy that mounts the member under a path prefix keeps working. The token lives in memory
// and in sessionStorage (this tab only) and travels in the Authorization header: never a cookie, so another site
// cannot make the browser send it (no CSRF). The password is not kept.
import { KeywayClient, Code, prefixEnd, encodeBase64 } from '../keyway.js';

const STORE = 'keyway.console.session';
export const MEMBER = new URL('../', import.meta.url).href.replace(/\/+$/, '');

export class Session extends EventTarget {
  constructor() {
    super();
    this.authEnabled = false;
    this.user = null;
    this.readable = null; // null: everything; else [{key, rangeEnd, label}] the user's roles may read
    const saved = JSON.parse(sessionStorage.getItem(STORE) || 'null');
    this.client = this._client(saved && saved.token);
    if (saved) this.user = saved.user;
  }

  _client(token) {
    this.token = token || null;
    return new KeywayClient({ endpoint: MEMBER, token: token || undefined, timeout: 15000 });
  }

  /** Finds out whether auth is on; true when the console may be used now, false when a login is needed. */
  async start() {
    const status = await this.client.call('/v3/auth/status', {});
    this.authEnabled = Boolean(status.enabled);
    if (!this.authEnabled) {
      this.user = null;
      return true;
    }
    if (!this.user || !(await this.client.token())) return false;
    try {
      await this._loadPermissions();
      return true;
    } catch (e) {
      if (isAuthError(e)) {
        this._forget();
        return false;
      }
      throw e;
    }
  }

  async login(user, password) {
    const token = await this._client(null).authenticate(user, password);
    this.client = this._client(token);
    this.user = user;
    sessionStorage.setItem(STORE, JSON.stringify({ user, token }));
    await this._loadPermissions();
    this.dispatchEvent(new Event('change'));
  }

  logout() {
    this._forget();
    this.dispatchEvent(new Event('change'));
  }

  /** The server no longer takes the token: forget it (the page asks for a login). */
  expire() {
    this._forget();
  }

  _forget() {
    sessionStorage.removeItem(STORE);
    this.client = this._client(null);
    this.user = null;
    this.readable = null;
  }

  /** The ranges the user's roles may read (a user may read itself and its own roles); root reads everything. */
  async _loadPermissions() {
    const me = await this.client.call('/v3/auth/user/get', { name: this.user });
    const roles = me.roles || [];
    if (roles.includes('root')) {
      this.readable = null;
      return;
    }
    const readable = [];
    for (const role of roles) {
      const r = await this.client.call('/v3/auth/role/get', { role });
      for (const p of r.perm || []) {
        if ((p.permType || 'READ') === 'WRITE') continue;
        readable.push(describeRange(p.key, p.range_end));
      }
    }
    this.readable = readable;
  }
}

function describeRange(keyB64, endB64) {
  const key = atobText(keyB64);
  if (!endB64) return { key, prefix: null, label: key };
  const end = atob(endB64);
  if (end === '\0') return { key, prefix: key, label: `${key}… (and every key after it)` };
  const prefixEndOfKey = atob(encodeBase64(prefixEnd(key)));
  if (end === prefixEndOfKey) return { key, prefix: key, label: `${key}*` };
  return { key, prefix: null, label: `[${key}, ${atobText(endB64)})` };
}

function atobText(b64) {
  return new TextDecoder().decode(Uint8Array.from(atob(b64 || ''), (c) => c.charCodeAt(0)));
}

/** A missing, expired or revoked token. */
export function isAuthError(e) {
  return e && (e.code === Code.UNAUTHENTICATED || /invalid auth token|user name is empty|token/.test(e.message || ''));
}
