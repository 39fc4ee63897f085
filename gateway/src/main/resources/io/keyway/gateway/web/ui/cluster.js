// The cluster as the members see it: the member list, each member's status (asked of the member itself at its
// advertised client URL, which the browser may or may not reach), alarms, and compaction/defragmentation behind
// a confirmation.
import { KeywayClient } from '../keyway.js';
import { h, fill, notice, describe, confirmInline, formatBytes, hexId } from './dom.js';

export class ClusterView {
  constructor(session) {
    this.session = session;
    this.el = h('section', { class: 'cluster' });
  }

  close() {}

  /** A client for one member: this page's own endpoint for the member serving it, else its client URL. */
  _clientFor(member, selfId) {
    if (member.ID === selfId) return this.session.client;
    return new KeywayClient({ endpoint: member.clientURLs[0], token: this.session.token || undefined, timeout: 3000 });
  }

  async show() {
    const client = this.session.client;
    fill(this.el, h('p', { class: 'muted' }, 'loading…'));
    let members;
    let self;
    try {
      [members, self] = await Promise.all([client.call('/v3/cluster/member/list', {}), client.call('/v3/maintenance/status', {})]);
    } catch (e) {
      fill(this.el, h('p', { class: 'error', role: 'alert' }, describe(e)));
      return;
    }
    const selfId = self.header.member_id;
    const rows = h('tbody', { id: 'members' });
    const list = members.members || [];
    for (const m of list) rows.append(this._memberRow(m, selfId, m.ID === selfId ? self : null));
    const alarms = h('div', { id: 'alarms' }, 'loading…');
    const compactRev = h('input', { type: 'number', id: 'compactrev', min: 1, value: self.header.revision });
    const actions = h('div', { class: 'actions' });
    fill(this.el,
      h('h2', {}, 'Members'),
      h('div', { class: 'meta' }, `cluster ${hexId(self.header.cluster_id)} · served by ${hexId(selfId)} · revision ${self.header.revision} · leader ${hexId(self.leader)}`),
      h('table', { class: 'members' },
        h('thead', {}, h('tr', {}, ['name', 'id', 'client URLs', 'role', 'revision', 'raft index', 'raft term', 'db size', 'in use', 'version', 'status']
          .map((t) => h('th', {}, t)))), rows),
      h('h2', {}, 'Alarms'), alarms,
      h('h2', {}, 'Maintenance'),
      h('div', { class: 'maint' },
        h('label', {}, 'Compact up to revision ', compactRev),
        h('button', { id: 'compact', onclick: () => confirmInline(actions,
          `Compact history before revision ${compactRev.value}? Older revisions become unreadable.`,
          () => this._compact(Number(compactRev.value)), 'Compact') }, 'Compact…'),
        h('button', { id: 'defrag', onclick: () => confirmInline(actions,
          'Defragment every member (one at a time)? Each pauses its writes meanwhile.',
          () => this._defragment(list, selfId), 'Defragment') }, 'Defragment…')),
      actions);
    for (const m of list) {
      if (m.ID !== selfId) this._status(m, selfId, rows);
    }
    this._alarms(alarms);
  }

  _memberRow(m, selfId, status) {
    const role = m.isLearner ? 'learner' : '';
    const tr = h('tr', { 'data-member': m.ID },
      h('td', {}, m.name || '(unstarted)'), h('td', {}, h('code', {}, hexId(m.ID))),
      h('td', {}, (m.clientURLs || []).join(', ')), h('td', { class: 'role' }, role),
      h('td', { class: 'num' }), h('td', { class: 'num' }), h('td', { class: 'num' }), h('td', { class: 'num' }),
      h('td', { class: 'num' }), h('td', {}), h('td', { class: 'status' }, status ? '' : '…'));
    if (status) this._fillStatus(tr, m, status);
    return tr;
  }

  _fillStatus(tr, m, s) {
    const cells = tr.children;
    fill(cells[3], m.isLearner ? 'learner' : s.leader === m.ID ? 'leader' : 'follower');
    if (s.leader === m.ID) tr.classList.add('leader');
    fill(cells[4], s.header.revision);
    fill(cells[5], s.raftIndex);
    fill(cells[6], s.raftTerm);
    fill(cells[7], formatBytes(s.dbSize));
    fill(cells[8], formatBytes(s.dbSizeInUse));
    fill(cells[9], s.version);
    fill(cells[10], (s.errors || []).join('; ') || 'ok');
  }

  async _status(m, selfId, rows) {
    const tr = rows.querySelector(`tr[data-member="${CSS.escape(m.ID)}"]`);
    if (!m.clientURLs || !m.clientURLs.length) {
      fill(tr.children[10], 'not started');
      return;
    }
    try {
      this._fillStatus(tr, m, await this._clientFor(m, selfId).call('/v3/maintenance/status', {}));
    } catch (e) {
      fill(tr.children[10], `not reachable from this browser (${describe(e)})`);
    }
  }

  async _alarms(el) {
    try {
      const r = await this.session.client.call('/v3/maintenance/alarm', { action: 'GET' });
      const alarms = r.alarms || [];
      fill(el, alarms.length ? h('ul', {}, alarms.map((a) => h('li', { class: 'error' }, `${a.alarm} on member ${hexId(a.memberID)}`)))
        : h('span', { class: 'ok' }, 'none'));
    } catch (e) {
      fill(el, h('span', { class: 'error' }, describe(e)));
    }
  }

  async _compact(revision) {
    try {
      await this.session.client.compact(revision, { physical: true });
      notice(`Compacted up to revision ${revision}.`, 'info');
    } catch (e) {
      notice(describe(e));
    }
  }

  async _defragment(members, selfId) {
    const done = [];
    for (const m of members) {
      try {
        await this._clientFor(m, selfId).call('/v3/maintenance/defragment', {});
        done.push(m.name || hexId(m.ID));
      } catch (e) {
        notice(`Defragmenting ${m.name || hexId(m.ID)} failed: ${describe(e)}`);
        return;
      }
    }
    notice(`Defragmented ${done.join(', ')}.`, 'info');
    this.show();
  }
}
