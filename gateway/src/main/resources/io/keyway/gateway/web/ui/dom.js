// The only way the console builds DOM: data becomes text nodes or attribute values, never markup, so a key or
// value that looks like HTML is shown as the characters it is.

/** h('div', {class: 'x', onclick: f, 'data-key': k}, 'text', child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  // a button submits its form only when it says so
  if (tag === 'button' && !(attrs && attrs.type)) el.type = 'button';
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value') el.value = value;
    else if (name === 'checked' || name === 'disabled' || name === 'hidden') el[name] = Boolean(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Shows a message (an error's message as the server wrote it) in the bar under the header. */
export function notice(message, kind = 'error') {
  const bar = document.getElementById('notice');
  if (!message) {
    bar.hidden = true;
    return;
  }
  bar.className = `notice ${kind}`;
  fill(bar, String(message), h('button', { class: 'link', onclick: () => notice(null) }, 'dismiss'));
  bar.hidden = false;
}

/**
 * The text of an error for a person: etcd's own message (e.g. "etcdserver: permission denied"). A token the
 * server no longer takes (code 16, expired or revoked) also tells the page, which asks for a login again.
 */
export function describe(error) {
  if (error && error.code === 16) window.dispatchEvent(new Event('keyway:unauthenticated'));
  return error && error.message ? error.message : String(error);
}

/** An in-page confirmation (no window.confirm: a page dialog would block tests and other tabs' watches). */
export function confirmInline(container, question, action, label = 'Yes') {
  const box = h('span', { class: 'confirm' }, question, ' ',
    h('button', { class: 'danger', 'data-confirm': 'yes', onclick: () => { box.remove(); action(); } }, label), ' ',
    h('button', { onclick: () => box.remove() }, 'Cancel'));
  container.querySelectorAll('.confirm').forEach((c) => c.remove());
  container.append(box);
  return box;
}

export function flash(el) {
  el.classList.remove('changed');
  void el.offsetWidth; // restart the animation
  el.classList.add('changed');
}

export function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n) || 0;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
}

export function hexId(decimal) {
  try {
    return BigInt(decimal || 0).toString(16);
  } catch {
    return String(decimal);
  }
}
