// The console's entry point: login when the member has auth on, then three views (keys, watch, cluster)
// switched by the URL's fragment.
import { h, fill, notice, describe } from './dom.js';
import { Session } from './session.js';
import { KeyBrowser } from './browser.js';
import { KeyPage } from './keypage.js';
import { WatchPanel } from './watchpanel.js';
import { ClusterView } from './cluster.js';

const session = new Session();
const main = document.getElementById('main');
let current = null;
let views = null;

function makeViews() {
  const page = new KeyPage(session);
  const browser = new KeyBrowser(session, {
    onOpen: (key) => page.open(key),
    onCreate: (prefix) => page.create(prefix),
    onEvent: (event) => page.onEvent(event),
  });
  const keys = {
    el: h('div', { class: 'keys' }, browser.el, page.el),
    started: false,
    show() {
      if (!this.started) {
        this.started = true;
        const first = session.readable && session.readable.find((r) => r.prefix !== null);
        browser.setRoot(first ? first.prefix : '');
      }
    },
    close() { browser.close(); page.close(); },
    browser,
    page,
  };
  const watch = new WatchPanel(session);
  const cluster = new ClusterView(session);
  return {
    keys,
    watch: { el: watch.el, show() {}, close() { watch.close(); } },
    cluster: { el: cluster.el, show() { cluster.show(); }, close() {} },
  };
}

function route() {
  if (!views) return;
  const name = (location.hash.replace('#', '') || 'keys').split('/')[0];
  const view = views[name] || views.keys;
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === name));
  if (current !== view) {
    notice(null);
    fill(main, view.el);
    current = view;
  }
  view.show();
}

function showWho() {
  const who = document.getElementById('who');
  if (!session.authEnabled) {
    fill(who, h('span', { class: 'muted' }, 'auth off'));
    return;
  }
  fill(who, 'signed in as ', h('strong', {}, session.user), ' ',
    h('button', { class: 'link', id: 'logout', onclick: () => { session.logout(); } }, 'log out'));
}

function showLogin(message) {
  if (views) Object.values(views).forEach((v) => v.close());
  views = null;
  current = null;
  fill(document.getElementById('who'));
  document.getElementById('nav').hidden = true;
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const error = h('p', { class: 'error', role: 'alert', id: 'loginerror' }, message || '');
  const form = h('form', { class: 'login', id: 'login', onsubmit: async (e) => {
    e.preventDefault();
    fill(error);
    try {
      await session.login(user.value, password.value);
    } catch (err) {
      fill(error, describe(err));
    }
  } },
  h('h2', {}, 'Log in'),
  h('p', { class: 'muted' }, 'This cluster has authentication enabled.'),
  h('label', {}, 'User', user), h('label', {}, 'Password', password),
  h('button', { type: 'submit', class: 'primary' }, 'Log in'), error);
  fill(main, form);
  user.focus();
}

function enter() {
  notice(null);
  document.getElementById('nav').hidden = false;
  showWho();
  views = makeViews();
  route();
}

session.addEventListener('change', () => (session.user || !session.authEnabled ? enter() : showLogin()));
window.addEventListener('hashchange', route);
window.addEventListener('keyway:unauthenticated', () => {
  if (!session.authEnabled || !session.user) return;
  session.expire();
  showLogin('Your session ended (the token expired or was revoked): log in again.');
});

(async () => {
  try {
    if (await session.start()) enter();
    else showLogin();
  } catch (e) {
    fill(main, h('p', { class: 'error', role: 'alert' }, `Cannot reach the member: ${describe(e)}`));
  }
  document.body.dataset.ready = 'true';
})();
