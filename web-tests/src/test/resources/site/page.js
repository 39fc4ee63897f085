// What a browser application does with Keyway: WebSocket watches and lease keep-alives, a streaming fetch of
// the chunked watch, plain JSON calls, and the library the member serves (/keyway.js) keeping a KeyspaceCache.
// The tests read the collected state back through WebDriver.
'use strict';
const sockets = {};
const streams = {};

function openSocket(name, path, firstFrame) {
  const s = { frames: [], opened: false, closed: null, errors: 0 };
  sockets[name] = s;
  const ws = new WebSocket(`ws://${location.host}${path}`);
  s.ws = ws;
  ws.onopen = () => {
    s.opened = true;
    if (firstFrame) ws.send(JSON.stringify(firstFrame));
  };
  ws.onmessage = (m) => s.frames.push(JSON.parse(m.data));
  ws.onerror = () => { s.errors++; };
  ws.onclose = (e) => { s.closed = { code: e.code, reason: e.reason, clean: e.wasClean }; };
}

function sendFrame(name, frame) {
  sockets[name].ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
}

function socketState(name) {
  const s = sockets[name];
  return { frames: s.frames, opened: s.opened, closed: s.closed, errors: s.errors, readyState: s.ws.readyState };
}

async function streamWatch(name, request) {
  const s = { lines: [], done: false, status: 0, error: null };
  streams[name] = s;
  try {
    const response = await fetch('/v3/watch', { method: 'POST', body: JSON.stringify(request) });
    s.status = response.status;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) s.lines.push(JSON.parse(line));
      }
    }
  } catch (e) {
    s.error = String(e);
  }
  s.done = true;
}

function streamState(name) {
  return streams[name];
}

async function callJson(path, body) {
  const response = await fetch(path, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

// A KeyspaceCache of keyway.js (imported by index.html as window.keyway) and what its callbacks reported.
const caches = {};

async function startCache(name, prefix, options) {
  const c = { mirror: {}, puts: 0, deletes: 0, resets: 0, errors: [], failed: null, cache: null };
  caches[name] = c;
  try {
    const client = new keyway.KeywayClient(); // this page's origin: nginx in front of the member
    c.cache = await keyway.KeyspaceCache.open(client, prefix, {
      ...options,
      onPut: ({ kv }) => { c.puts++; c.mirror[kv.key] = kv.value; },
      onDelete: ({ key }) => { c.deletes++; delete c.mirror[key]; },
      onReset: () => { c.resets++; },
      onError: (e) => { c.errors.push(String(e)); },
    });
  } catch (e) {
    c.failed = String(e);
  }
}

function cacheState(name) {
  const c = caches[name];
  if (!c || !c.cache) return { started: false, failed: c ? c.failed : null };
  return {
    started: true,
    revision: c.cache.revision,
    size: c.cache.size,
    entries: c.cache.entries().map((kv) => [kv.key, kv.value, kv.modRevision]),
    mirror: Object.entries(c.mirror).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    puts: c.puts, deletes: c.deletes, resets: c.resets, errors: c.errors,
  };
}
