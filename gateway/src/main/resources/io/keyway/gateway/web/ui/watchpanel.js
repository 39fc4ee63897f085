// A stream of the watch events under any prefix. Pause closes the watch and remembers the revision; resume
// opens it again from the next one, so the events written meanwhile arrive (unless compacted, which is said).
import { h, fill } from './dom.js';
import { preview } from './values.js';
import { Watcher } from './watcher.js';

const KEEP = 1000;

export class WatchPanel {
  constructor(session) {
    this.session = session;
    this.watcher = null;
    this.count = 0;
    this.prefix = h('input', { type: 'search', id: 'watchprefix', placeholder: 'prefix (empty: every key)', 'aria-label': 'Prefix' });
    this.pause = h('button', { type: 'button', id: 'pause', disabled: true, onclick: () => this._pauseOrResume() }, 'Pause');
    this.state = h('span', { class: 'muted', id: 'watchstate' }, 'not watching');
    this.rows = h('tbody', { id: 'events' });
    this.el = h('section', { class: 'watchpanel' },
      h('form', { class: 'search', onsubmit: (e) => { e.preventDefault(); this.watch(this.prefix.value); } },
        this.prefix, h('button', { type: 'submit', id: 'watchstart' }, 'Watch'), this.pause,
        h('button', { type: 'button', onclick: () => { fill(this.rows); this.count = 0; } }, 'Clear')),
      this.state,
      h('table', { class: 'events' },
        h('thead', {}, h('tr', {}, h('th', {}, 'revision'), h('th', {}, 'event'), h('th', {}, 'key'), h('th', {}, 'value'))),
        this.rows));
  }

  watch(prefix) {
    this.close();
    this.watcher = new Watcher(this.session, prefix, {
      prefix: true,
      prevKv: false,
      onEvents: (events) => events.forEach((e) => this._row(e)),
      onState: (s) => this._state(s, prefix),
    });
    this.watcher.start();
    this.pause.disabled = false;
    fill(this.pause, 'Pause');
  }

  close() {
    if (this.watcher) this.watcher.stop();
    this.watcher = null;
  }

  _pauseOrResume() {
    if (!this.watcher) return;
    if (this.watcher.stopped) {
      this.watcher.start();
      fill(this.pause, 'Pause');
    } else {
      this.watcher.stop();
      fill(this.pause, 'Resume');
    }
  }

  _state(s, prefix) {
    const what = prefix ? `“${prefix}”` : 'every key';
    const text = {
      connecting: `connecting… ${s.reason || ''}`,
      live: `watching ${what} from revision ${s.revision + 1}`,
      stopped: `paused after revision ${s.revision}: resuming replays what happened since`,
      compacted: `history before revision ${s.revision} was compacted: events before it are lost`,
      error: `watch ended: ${s.reason}`,
    }[s.state];
    this.state.className = s.state === 'error' ? 'error' : 'muted';
    this.state.dataset.state = s.state;
    fill(this.state, text);
  }

  _row(e) {
    this.count++;
    this.rows.prepend(h('tr', { class: e.type === 'DELETE' ? 'del' : 'put' },
      h('td', { class: 'rev' }, String(e.kv.modRevision)), h('td', {}, e.type),
      h('td', { class: 'key' }, e.kv.key), h('td', { class: 'preview' }, e.type === 'DELETE' ? '' : preview(e.kv.valueBytes))));
    while (this.rows.children.length > KEEP) this.rows.lastChild.remove();
  }
}
