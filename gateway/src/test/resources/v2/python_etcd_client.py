# Drives Debian's python-etcd (the v2 client) against one endpoint; prints one line per check, exits 1 on failure.
import sys
import threading

import etcd

host, port, other_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
client = etcd.Client(host=host, port=port)
other = etcd.Client(host=host, port=other_port)


def check(name, ok, detail=""):
    print(("ok " if ok else "FAIL ") + name + " " + str(detail))
    if not ok:
        sys.exit(1)


r = client.write("/py/a", "1")
check("write", r.value == "1" and r.action == "set", r)
check("read", client.read("/py/a").value == "1")
r = client.test_and_set("/py/a", "2", "1")
check("test_and_set", r.value == "2" and r.action == "compareAndSwap", r)
try:
    client.test_and_set("/py/a", "3", "wrong")
    check("test_and_set refused", False)
except ValueError as e:  # python-etcd maps errorCode 101 to ValueError
    check("test_and_set refused", True, e)
client.write("/py/dir/x", "x")
client.write("/py/dir/y", "y")
listing = client.read("/py", recursive=True)
check("recursive read", sorted(c.key for c in listing.leaves) == ["/py/a", "/py/dir/x", "/py/dir/y"],
      [c.key for c in listing.leaves])
q = client.write("/py/queue", "job", append=True)
check("append", q.key.startswith("/py/queue/") and q.action == "create", q.key)
try:
    client.read("/py/missing")
    check("missing", False)
except etcd.EtcdKeyNotFound as e:
    check("missing", True, e)
try:
    client.write("/py/a", "x", prevExist=False)
    check("prevExist", False)
except etcd.EtcdAlreadyExist as e:
    check("prevExist", True, e)
t = client.write("/py/ttl", "t", ttl=30)
check("ttl", t.ttl is not None and 0 < t.ttl <= 30, t.ttl)

# a watch on this member sees a write made through another member
index = client.read("/py/a").modifiedIndex
seen = {}


def watch():
    seen["event"] = client.watch("/py/a", index=index + 1, timeout=20)


thread = threading.Thread(target=watch)
thread.start()
other.write("/py/a", "from-other")
thread.join(25)
check("watch across members", seen.get("event") is not None and seen["event"].value == "from-other", seen)

client.delete("/py/dir", recursive=True)
try:
    client.read("/py/dir")
    check("delete recursive", False)
except etcd.EtcdKeyNotFound:
    check("delete recursive", True)
check("machines", len(client.machines) == 3, client.machines)
check("members", len(client.members) == 3, list(client.members))
check("leader", client.leader["id"] in client.members, client.leader)
check("stats", client.stats["id"] in client.members, client.stats)
print("done")
