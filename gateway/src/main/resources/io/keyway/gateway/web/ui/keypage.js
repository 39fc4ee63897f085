// One key: its value (text, JSON or hex), metadata, lease countdown, edits and deletes guarded by the
// mod_revision the user saw (a stale edit is refused and shown, never written over someone else's), and its
// history back to the compaction point with a diff between any two revisions.
import { Code } from '../keyway.js';
import { h, fill, notice, describe, confirmInline } from './dom.js';
import { render, preferredMode, asText, preview } from './values.js';
import { diffLines } from './diff.js';

const HISTORY_PAGE = 20;

export class KeyPage {
  constructor(session) {
    this.session = session;
    this.el = h('section', { class: 'keypage', id: 'keypage' },
      h('p', { class: 'muted' }, 'Choose a key on the left, or create one.'));
    this.key = null;
    this.kv = null;
    this.ticker = null;
  }

  get client() {
    return this.session.client;
  }

  close() {
    clearInterval(this.ticker);
    this.ticker = null;
  }

  async open(key) {
    this.close();
    this.key = key;
    this.mode = null;
    this.el.setAttribute('aria-busy', 'true');
    let kv;
    try {
      kv = await this.client.get(key);
    } catch (e) {
      fill(this.el, h('h2', { class: 'keyname' }, key), h('p', { class: 'error', role: 'alert' }, describe(e)));
      this.el.removeAttribute('aria-busy');
      return;
    }
    if (this.key !== key) return; // another key was opened meanwhile
    this.kv = kv;
    this._render();
  }

  /** A change seen by the browser's watch: the page says so (it never swaps the value under an open editor). */
  onEvent(event) {
    if (!this.kv || event.kv.key !== this.key || event.kv.modRevision <= this.kv.modRevision) return;
    const banner = this.el.querySelector('.stale');
    if (!banner) return;
    fill(banner, `${event.type === 'DELETE' ? 'Deleted' : 'Changed'} by another client at revision ${event.kv.modRevision}. `,
      h('button', { class: 'link', onclick: () => this.open(this.key) }, 'reload'));
    banner.hidden = false;
  }

  _render() {
    this.el.removeAttribute('aria-busy');
    const key = this.key;
    const kv = this.kv;
    if (!kv) {
      fill(this.el, h('h2', { class: 'keyname' }, key), h('p', { class: 'muted' }, 'This key does not exist (any more).'),
        h('button', { onclick: () => this.create(key) }, 'Create it'));
      return;
    }
    this.mode = this.mode || preferredMode(kv.valueBytes);
    const value = h('pre', { class: 'value', id: 'value' }, render(kv.valueBytes, this.mode));
    const tabs = h('div', { class: 'tabs' }, ['text', 'json', 'hex'].map((m) =>
      h('button', { class: m === this.mode ? 'tab active' : 'tab', 'data-mode': m,
        onclick: () => { this.mode = m; this._render(); } }, m === 'json' ? 'JSON' : m)));
    const lease = kv.lease !== '0'
      ? h('span', {}, ' · lease ', h('code', {}, BigInt(kv.lease).toString(16)), ' TTL ', h('span', { id: 'ttl' }, '…'))
      : null;
    const actions = h('div', { class: 'actions' },
      h('button', { id: 'edit', onclick: () => this._edit() }, 'Edit'),
      h('button', { id: 'delete', class: 'danger', onclick: () => confirmInline(actions, `Delete ${key}?`, () => this._delete(), 'Delete') }, 'Delete'),
      h('button', { id: 'history', onclick: () => this._history() }, 'History'));
    fill(this.el,
      h('h2', { class: 'keyname' }, key),
      h('div', { class: 'meta' }, `revision ${kv.modRevision} · created at ${kv.createRevision} · version ${kv.version} · ${kv.valueBytes.length} bytes`, lease),
      h('div', { class: 'stale notice info', hidden: true }),
      h('div', { class: 'editor' }),
      tabs, value, actions,
      h('div', { class: 'historybox', id: 'historybox' }));
    if (lease) this._countdown(kv.lease);
  }

  async _countdown(lease) {
    let ttl;
    let at;
    const show = () => {
      const el = this.el.querySelector('#ttl');
      if (!el) return;
      const left = Math.max(-1, Math.round(ttl - (Date.now() - at) / 1000));
      fill(el, left < 0 ? 'expired' : `${left}s`);
    };
    const refresh = async () => {
      try {
        ({ ttl } = await this.client.leaseTimeToLive(lease));
        at = Date.now();
        show();
      } catch (e) {
        const el = this.el.querySelector('#ttl');
        if (el) fill(el, describe(e));
      }
    };
    await refresh();
    let ticks = 0;
    this.ticker = setInterval(() => (++ticks % 10 === 0 ? refresh() : show()), 1000);
  }

  _edit() {
    const kv = this.kv;
    const text = asText(kv.valueBytes);
    const box = this.el.querySelector('.editor');
    if (text === null) {
      fill(box, h('p', { class: 'error' }, 'This value is not UTF-8 text; it cannot be edited here.'));
      return;
    }
    const area = h('textarea', { id: 'editor', rows: 10, spellcheck: 'false', value: text });
    const result = h('div', { class: 'result', id: 'editresult' });
    fill(box,
      h('div', { class: 'muted' }, `Editing revision ${kv.modRevision}. Saving fails if the key changed since.`),
      area,
      h('div', { class: 'actions' },
        h('button', { id: 'save', class: 'primary', onclick: () => this._save(area.value, kv, result) }, 'Save'),
        h('button', { onclick: () => fill(box) }, 'Cancel')),
      result);
    area.focus();
  }

  /** A txn: put only while mod_revision is still the one edited, else read what is there now. */
  async _save(text, edited, result) {
    const key = this.key;
    let r;
    try {
      r = await this.client.txn({
        compare: [{ key, target: 'MOD', result: 'EQUAL', modRevision: edited.modRevision }],
        success: [{ put: { key, value: text, lease: edited.lease !== '0' ? edited.lease : undefined } }],
        failure: [{ get: { key } }],
      });
    } catch (e) {
      fill(result, h('p', { class: 'error', role: 'alert' }, describe(e)));
      return;
    }
    if (!r.succeeded) {
      const now = r.responses[0] && r.responses[0].get.kvs[0];
      result.dataset.state = 'conflict';
      fill(result, h('div', { class: 'error', role: 'alert' },
        now ? `Refused: ${key} was changed by someone else at revision ${now.modRevision} (you edited revision ${edited.modRevision}). `
          : `Refused: ${key} was deleted by someone else. `,
        'Nothing was written. Your text is still in the editor.'),
      now ? h('div', {}, h('div', { class: 'muted' }, 'Their value:'), h('pre', { class: 'value' }, render(now.valueBytes, 'text'))) : null);
      return;
    }
    notice(`Saved ${key} at revision ${r.revision}.`, 'info');
    await this.open(key);
  }

  async _delete() {
    const key = this.key;
    const seen = this.kv;
    try {
      const r = await this.client.txn({
        compare: [{ key, target: 'MOD', result: 'EQUAL', modRevision: seen.modRevision }],
        success: [{ delete: { key } }],
      });
      if (!r.succeeded) {
        notice(`Refused: ${key} changed since revision ${seen.modRevision}; nothing was deleted. Reload it first.`);
        return;
      }
      notice(`Deleted ${key} at revision ${r.revision}.`, 'info');
      this.kv = null;
      this._render();
    } catch (e) {
      notice(describe(e));
    }
  }

  create(prefix) {
    this.close();
    this.key = null;
    this.kv = null;
    this.el.removeAttribute('aria-busy');
    const keyInput = h('input', { id: 'newkey', type: 'text', value: prefix, spellcheck: 'false', 'aria-label': 'Key' });
    const area = h('textarea', { id: 'newvalue', rows: 8, spellcheck: 'false', 'aria-label': 'Value' });
    const result = h('div', { class: 'result' });
    fill(this.el, h('h2', {}, 'New key'),
      h('label', {}, 'Key ', keyInput), h('label', {}, 'Value', area),
      h('div', { class: 'actions' }, h('button', { id: 'create', class: 'primary', onclick: async () => {
        const key = keyInput.value;
        try {
          // only if it does not exist yet: creating never overwrites
          const r = await this.client.txn({
            compare: [{ key, target: 'CREATE', result: 'EQUAL', createRevision: 0 }],
            success: [{ put: { key, value: area.value } }],
          });
          if (!r.succeeded) {
            fill(result, h('p', { class: 'error', role: 'alert' }, `${key} exists already; open it to edit it.`));
            return;
          }
          notice(`Created ${key} at revision ${r.revision}.`, 'info');
          this.open(key);
        } catch (e) {
          fill(result, h('p', { class: 'error', role: 'alert' }, describe(e)));
        }
      } }, 'Create')),
      result);
    keyInput.focus();
  }

  /** The key's earlier revisions, newest first, reading back one version at a time until its creation or the compaction point. */
  async _history(from) {
    const box = this.el.querySelector('#historybox');
    const key = this.key;
    if (!from) {
      this.revisions = [this.kv];
      fill(box, h('h3', {}, 'History'),
        h('p', { class: 'muted' }, 'Tick two revisions to compare them.'),
        h('table', { class: 'history' }, h('tbody', { id: 'revisions' })),
        h('div', { class: 'historyend', id: 'historyend' }),
        h('div', { class: 'actions' }, h('button', { id: 'compare', onclick: () => this._compare() }, 'Compare')),
        h('pre', { class: 'diff', id: 'diff', hidden: true }));
      this._historyRow(this.kv);
    }
    const endEl = box.querySelector('#historyend');
    fill(endEl, 'reading…');
    let cur = this.revisions[this.revisions.length - 1];
    let end = null;
    for (let n = 0; n < HISTORY_PAGE; n++) {
      const at = cur.modRevision - 1;
      if (at < cur.createRevision) {
        end = `created at revision ${cur.createRevision}`;
        break;
      }
      let r;
      try {
        r = await this.client.range(key, { revision: at });
      } catch (e) {
        end = e.code === Code.OUT_OF_RANGE || /compacted/.test(e.message)
          ? `older revisions were compacted (${describe(e)})` : describe(e);
        break;
      }
      if (!r.kvs.length) {
        end = `created at revision ${cur.createRevision}`;
        break;
      }
      cur = r.kvs[0];
      this.revisions.push(cur);
      this._historyRow(cur);
    }
    if (end) fill(endEl, `End of history: ${end}.`);
    else fill(endEl, h('button', { class: 'link', onclick: () => this._history(true) }, 'older…'));
  }

  _historyRow(kv) {
    const tbody = this.el.querySelector('#revisions');
    tbody.append(h('tr', { 'data-revision': kv.modRevision },
      h('td', {}, h('input', { type: 'checkbox', value: kv.modRevision, 'aria-label': `revision ${kv.modRevision}` })),
      h('td', { class: 'rev' }, String(kv.modRevision)),
      h('td', { class: 'muted' }, `v${kv.version}`),
      h('td', { class: 'preview' }, preview(kv.valueBytes))));
  }

  _compare() {
    const ticked = Array.from(this.el.querySelectorAll('#revisions input:checked')).map((i) => Number(i.value));
    const out = this.el.querySelector('#diff');
    out.hidden = false;
    if (ticked.length !== 2) {
      fill(out, 'Tick exactly two revisions.');
      return;
    }
    const [newer, older] = ticked.sort((a, b) => b - a).map((rev) => this.revisions.find((kv) => kv.modRevision === rev));
    const a = asText(older.valueBytes) ?? render(older.valueBytes, 'hex');
    const b = asText(newer.valueBytes) ?? render(newer.valueBytes, 'hex');
    const lines = diffLines(a, b);
    fill(out, h('div', { class: 'muted' }, `revision ${older.modRevision} → ${newer.modRevision}`),
      lines === null ? 'Too large to compare line by line.'
        : lines.map((l) => h('span', { class: l.op === '+' ? 'd-add' : l.op === '-' ? 'd-del' : 'd-same' }, `${l.op} ${l.line}\n`)));
  }
}
