// Drives the unmodified `etcd3` npm client against the member at process.argv[2] and exits non-zero on the
// first behaviour that differs from etcd's. Etcd3NodeIT runs it against Keyway (and, as a check of the
// script itself, against real etcd).
'use strict';
const assert = require('assert/strict');
const { Etcd3, EtcdLeaseInvalidError, EtcdRoleNotFoundError, EtcdUserNotFoundError } = require('etcd3');

const url = process.argv[2];
const client = new Etcd3({ hosts: url });
const prefix = `node-${process.pid}/`;
const k = (name) => prefix + name;

function nextEvent(watcher, type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event`)), 20000);
    watcher.once(type, (kv, prev) => { clearTimeout(timer); resolve({ kv, prev }); });
  });
}

async function kv() {
  await client.put(k('a')).value('1');
  await client.put(k('b')).value('2');
  assert.equal(await client.get(k('a')).string(), '1');
  assert.deepEqual(await client.getAll().prefix(prefix).strings(), { [k('a')]: '1', [k('b')]: '2' });
  assert.equal(await client.getAll().prefix(prefix).count(), 2);
  assert.deepEqual(await client.getAll().prefix(prefix).keys(), [k('a'), k('b')]);
  const del = await client.delete().key(k('a')).getPrevious();
  assert.equal(del[0].value.toString(), '1');
  assert.equal(await client.get(k('a')).string(), null);
}

async function txn() {
  await client.put(k('t')).value('v1');
  const hit = await client.if(k('t'), 'Value', '==', 'v1').then(client.put(k('t')).value('v2')).commit();
  assert.equal(hit.succeeded, true);
  const miss = await client.if(k('t'), 'Value', '==', 'v1').then(client.put(k('t')).value('v3'))
    .else(client.get(k('t'))).commit();
  assert.equal(miss.succeeded, false);
  assert.equal(miss.responses[0].response_range.kvs[0].value.toString(), 'v2');
}

async function watch() {
  const watcher = await client.watch().prefix(k('w/')).withPreviousKV().create();
  try {
    const put = nextEvent(watcher, 'put');
    await client.put(k('w/x')).value('1');
    assert.equal((await put).kv.value.toString(), '1');
    const second = nextEvent(watcher, 'put');
    await client.put(k('w/x')).value('2');
    const got = await second;
    assert.equal(got.kv.value.toString(), '2');
    assert.equal(got.prev.value.toString(), '1');
    const deleted = nextEvent(watcher, 'delete');
    await client.delete().key(k('w/x'));
    assert.equal((await deleted).kv.key.toString(), k('w/x'));
  } finally {
    await watcher.cancel();
  }
}

async function leases() {
  const lease = client.lease(30, { autoKeepAlive: false });
  const id = await lease.grant();
  await lease.put(k('leased')).value('v');
  assert.equal(await client.get(k('leased')).string(), 'v');
  const ttl = await client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
  assert.equal(ttl.grantedTTL, '30');
  assert.deepEqual(ttl.keys.map((b) => b.toString()), [k('leased')]);
  assert.equal((await lease.keepaliveOnce()).TTL, '30');
  await lease.revoke();
  assert.equal(await client.get(k('leased')).string(), null);
  assert.ok(id.length > 0);
}

async function locks() {
  const lock = client.lock(k('lock'));
  await lock.acquire();
  // the etcd3 client's lock is try-once (a txn on create_revision == 0): a held lock fails the second acquire
  await assert.rejects(client.lock(k('lock')).ttl(30).acquire(), /Failed to acquire a lock/);
  await lock.release();
  const second = client.lock(k('lock'));
  await second.acquire();
  await second.release();
}

async function election() {
  const e = client.election(k('elect'), 30);
  const campaign = e.campaign('candidate-1');
  await new Promise((resolve, reject) => { campaign.on('elected', resolve); campaign.on('error', reject); });
  assert.equal(await e.leader(), 'candidate-1');
  await campaign.resign();
}

async function maintenance() {
  const status = await client.maintenance.status();
  assert.ok(status.version.startsWith('3.'), status.version);
  const members = await client.cluster.memberList({});
  assert.equal(members.members.length, 1);
}

async function errors() {
  // the client maps etcd's error text (gRPC status message) to its error classes: the text must arrive intact
  await assert.rejects(client.leaseClient.leaseRevoke({ ID: '123456789' }), EtcdLeaseInvalidError);
  await assert.rejects(client.role(k('no-such-role')).delete(), EtcdRoleNotFoundError);
  await assert.rejects(client.user(k('no-such-user')).delete(), EtcdUserNotFoundError);
}

(async () => {
  const steps = { kv, txn, watch, leases, locks, election, maintenance, errors };
  for (const [name, step] of Object.entries(steps)) {
    await step();
    console.log(`ok ${name}`);
  }
  await client.delete().prefix(prefix);
  client.close();
})().catch((err) => {
  console.error(`FAILED: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
