// The key browser: the keys under a prefix as a tree split at '/', read lazily one folder and one page at a
// time with keys_only ranges. A folder with a million keys below it costs one range request to step over, so no
// view ever lists a whole keyspace. The open prefix is watched: rows change as other clients write.
import { prefixEnd, toBytes } from '../keyway.js';
import { h, fill, describe, flash } from './dom.js';
import { Watcher } from './watcher.js';

const PAGE = 100;
const BATCH = 250;

function after(bytes) {
  const b = new Uint8Array(bytes.length + 1);
  b.set(bytes);
  return b;
}

/**
 * One page of the direct children of a prefix, from a cursor (the bytes to read on from, null for the start):
 * {children: [{name, key, modRevision} | {name, dir}], next (a cursor, null at the end), revision}.
 */
export async function listChildren(client, prefix, cursor, count = PAGE) {
  const end = prefixEnd(prefix);
  // etcd refuses an empty key: every key is ["\0", "\0")
  let start = cursor || (prefix === '' ? new Uint8Array([0]) : toBytes(prefix));
  const children = [];
  let revision = 0;
  for (;;) {
    const r = await client.range(start, { rangeEnd: end, keysOnly: true, limit: BATCH });
    if (!revision) revision = r.revision;
    const kvs = r.kvs;
    let i = 0;
    let skipTo = null;
    while (i < kvs.length && children.length < count) {
      const rest = kvs[i].key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        children.push({ name: rest, key: kvs[i].key, modRevision: kvs[i].modRevision });
        i++;
        continue;
      }
      const dir = prefix + rest.slice(0, slash + 1);
      children.push({ name: rest.slice(0, slash + 1), dir });
      while (i < kvs.length && kvs[i].key.startsWith(dir)) i++;
      if (i === kvs.length) skipTo = prefixEnd(dir); // the rest of that folder is stepped over, not read
    }
    if (i < kvs.length) return { children, next: kvs[i].keyBytes, revision };
    if (!r.more) return { children, next: null, revision };
    const next = skipTo || after(kvs[kvs.length - 1].keyBytes);
    if (children.length >= count) return { children, next, revision };
    start = next;
  }
}

class Folder {
  constructor(prefix, list) {
    this.prefix = prefix;
    this.list = list; // the <ul> of its children
    this.entries = new Map(); // name -> {li, row, folder?}
    this.expanded = false;
    this.loaded = false;
    this.next = null;
    this.lastSort = '';
    this.more = null;
  }

  get done() {
    return this.loaded && this.next === null;
  }
}

export class KeyBrowser {
  /** @param onOpen(key) opens a key's page; onCreate(prefix) the new-key form; onEvent(event) sees every change */
  constructor(session, { onOpen, onCreate, onEvent }) {
    this.session = session;
    this.onOpen = onOpen;
    this.onCreate = onCreate;
    this.onEvent = onEvent;
    this.watcher = null;
    this.selected = null;
    this.search = h('input', { type: 'search', name: 'prefix', placeholder: 'prefix, e.g. app/', 'aria-label': 'Prefix' });
    this.live = h('span', { class: 'live off', title: 'live updates' }, 'offline');
    this.tree = h('ul', { class: 'tree', id: 'tree' });
    this.hint = h('div', { class: 'hint' });
    this.el = h('section', { class: 'browser' },
      h('form', { class: 'search', onsubmit: (e) => { e.preventDefault(); this.setRoot(this.search.value); } },
        this.search, h('button', { type: 'submit' }, 'Browse'),
        h('button', { id: 'new', onclick: () => this.onCreate(this.root ? this.root.prefix : '') }, 'New key')),
      h('div', { class: 'treehead' }, h('span', { id: 'rootlabel' }), this.live),
      this.hint, this.tree);
  }

  /** Shows the keys under prefix (and starts watching it). */
  async setRoot(prefix) {
    this.search.value = prefix;
    if (this.watcher) this.watcher.stop();
    this.watcher = null;
    fill(this.el.querySelector('#rootlabel'), prefix ? `keys under “${prefix}”` : 'all keys');
    fill(this.hint);
    this.root = new Folder(prefix, this.tree);
    fill(this.tree);
    const revision = await this._expand(this.root);
    if (revision === null) return;
    this.watcher = new Watcher(this.session, prefix, {
      prefix: true,
      startRevision: revision + 1,
      onEvents: (events) => events.forEach((e) => this._apply(e)),
      onState: (s) => this._liveState(s),
    });
    this.watcher.start();
  }

  close() {
    if (this.watcher) this.watcher.stop();
  }

  _liveState(s) {
    this.live.className = `live ${s.state === 'live' ? 'on' : 'off'}`;
    fill(this.live, s.state === 'live' ? 'live' : s.state === 'error' ? `live updates off: ${s.reason}` : s.state);
  }

  /** Reads the next page of a folder's children; the revision read at, or null after an error (shown). */
  async _expand(folder) {
    folder.expanded = true;
    if (folder.more) folder.more.remove();
    folder.more = null;
    const loading = h('li', { class: 'loading' }, 'loading…');
    folder.list.append(loading);
    let page;
    try {
      page = await listChildren(this.session.client, folder.prefix, folder.next);
    } catch (e) {
      loading.remove();
      folder.list.append(h('li', { class: 'error', role: 'alert' }, describe(e)));
      if (folder === this.root) this._suggest();
      return null;
    }
    loading.remove();
    folder.loaded = true;
    folder.next = page.next;
    for (const c of page.children) {
      if (!folder.entries.has(c.name)) folder.list.append(this._entry(folder, c).li);
      folder.lastSort = c.dir || c.key;
    }
    if (folder.entries.size === 0) folder.list.append(h('li', { class: 'empty' }, 'no keys'));
    if (page.next) {
      folder.more = h('li', { class: 'more' },
        h('button', { class: 'link', 'data-more': folder.prefix, onclick: () => this._expand(folder) }, 'more…'));
      folder.list.append(folder.more);
    }
    return page.revision;
  }

  /** The prefixes a user without root may read, to start from. */
  _suggest() {
    const readable = this.session.readable;
    if (!readable || !readable.length) return;
    fill(this.hint, 'You may read: ', readable.map((r) => [
      r.prefix !== null
        ? h('button', { class: 'chip', onclick: () => this.setRoot(r.prefix) }, r.label)
        : h('button', { class: 'chip', onclick: () => this.onOpen(r.key) }, r.label), ' ']));
  }

  _entry(folder, c) {
    const sort = c.dir || c.key;
    let entry;
    if (c.dir) {
      const list = h('ul');
      const sub = new Folder(c.dir, list);
      const twisty = h('span', { class: 'twisty' }, '▸');
      const row = h('div', { class: 'row dir', 'data-prefix': c.dir, tabindex: 0,
        onclick: () => this._toggle(sub, twisty) }, twisty, h('span', { class: 'name' }, c.name));
      entry = { li: h('li', { 'data-sort': sort }, row, list), row, folder: sub };
    } else {
      const rev = h('span', { class: 'rev' }, c.modRevision ? `@${c.modRevision}` : '');
      const row = h('div', { class: 'row key', 'data-key': c.key, tabindex: 0, onclick: () => this._open(c.key, row) },
        h('span', { class: 'name' }, c.name === '' ? '(this prefix)' : c.name), rev);
      entry = { li: h('li', { 'data-sort': sort }, row), row, rev };
    }
    folder.entries.set(c.name, entry);
    folder.list.querySelectorAll(':scope > li.empty').forEach((e) => e.remove());
    return entry;
  }

  _open(key, row) {
    if (this.selected) this.selected.classList.remove('selected');
    this.selected = row;
    row.classList.add('selected');
    this.onOpen(key);
  }

  _toggle(folder, twisty) {
    if (folder.expanded) {
      folder.expanded = false;
      folder.list.hidden = true;
      fill(twisty, '▸');
      return;
    }
    fill(twisty, '▾');
    folder.list.hidden = false;
    if (folder.loaded) folder.expanded = true;
    else this._expand(folder);
  }

  /** One watch event: the rows it touches change, appear or go, and are highlighted. */
  _apply(event) {
    if (this.onEvent) this.onEvent(event);
    const key = event.kv.key;
    let folder = this.root;
    if (!folder || !key.startsWith(folder.prefix)) return;
    for (;;) {
      if (!folder.expanded || !folder.loaded) return;
      const rest = key.slice(folder.prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) {
        this._keyChanged(folder, rest, key, event);
        return;
      }
      const name = rest.slice(0, slash + 1);
      const entry = folder.entries.get(name);
      if (entry && entry.folder.expanded) {
        folder = entry.folder;
        continue;
      }
      if (entry) flash(entry.row);
      else if (event.type === 'PUT') this._insert(folder, { name, dir: folder.prefix + name });
      return;
    }
  }

  _keyChanged(folder, name, key, event) {
    const entry = folder.entries.get(name);
    if (event.type === 'DELETE') {
      if (!entry) return;
      entry.row.classList.add('deleted');
      folder.entries.delete(name);
      setTimeout(() => entry.li.remove(), 1500);
      return;
    }
    if (entry) {
      entry.row.classList.remove('deleted');
      fill(entry.rev, `@${event.kv.modRevision}`);
      flash(entry.row);
    } else {
      this._insert(folder, { name, key, modRevision: event.kv.modRevision });
    }
  }

  /** A new child within the part of the folder already shown goes in its place; beyond it, "more…" finds it. */
  _insert(folder, c) {
    const sort = c.dir || c.key;
    if (!folder.done && sort > folder.lastSort) return;
    const entry = this._entry(folder, c);
    const before = Array.from(folder.list.children).find((li) => li.dataset.sort !== undefined && li.dataset.sort > sort);
    folder.list.insertBefore(entry.li, before || folder.more || null);
    flash(entry.row);
  }
}
