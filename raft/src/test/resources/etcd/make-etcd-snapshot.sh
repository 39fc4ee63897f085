set -e
# How raft/src/test/resources/etcd/etcd-3.4.23.snap was made (EtcdSnapshotTest): a fresh etcd 3.4.23 on free ports,
# history, deletions, a compaction, a lease, a 10 kB value, users and roles, auth on, then `etcdctl snapshot save`.
# Usage: make-etcd-snapshot.sh <new data dir> <snapshot file>
P=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
PP=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
D=$1; OUT=$2
etcd --name e1 --data-dir $D --listen-client-urls http://127.0.0.1:$P --advertise-client-urls http://127.0.0.1:$P --listen-peer-urls http://127.0.0.1:$PP --initial-advertise-peer-urls http://127.0.0.1:$PP --initial-cluster e1=http://127.0.0.1:$PP > $D.log 2>&1 &
EP=$!
sleep 2
kill -0 $EP || { echo "etcd did not start"; exit 1; }
C="etcdctl --endpoints=http://127.0.0.1:$P"
$C endpoint status -w json | grep -q '"revision":1,' || { echo "not a fresh etcd"; kill $EP; exit 1; }
for i in $(seq 1 300); do $C put /k/$((i % 50)) v$i >/dev/null; done
$C del /k/3 >/dev/null; $C del /k/4 >/dev/null
$C compact 200 >/dev/null
for i in $(seq 1 20); do $C put /k/$i w$i > /dev/null; done
$C del /k/10
L=$($C lease grant 600 | awk '{print $2}')
$C put /leased/a x --lease=$L >/dev/null
$C put big "$(head -c 10000 /dev/zero | tr '\0' 'z')" >/dev/null
$C user add root:rootpw >/dev/null; $C user grant-role root root >/dev/null
$C role add app >/dev/null; $C role grant-permission app readwrite --prefix /k/ >/dev/null
$C user add app:apppw >/dev/null; $C user grant-role app app >/dev/null
$C auth enable
$C --user root:rootpw snapshot save $OUT >/dev/null 2>&1
$C --user root:rootpw endpoint status -w json
echo LEASE $L
kill $EP; wait $EP || true
