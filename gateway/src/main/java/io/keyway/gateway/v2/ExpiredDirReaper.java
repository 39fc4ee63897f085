package io.keyway.gateway.v2;

import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import com.google.protobuf.ByteString;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.MemberView;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a directory's lease expires, only its own key goes (a lease deletes the keys attached to it); its children
 * are already invisible to v2 reads (every read checks the directories above a node) and this removes them from
 * the keyspace too, on the leader, in one Txn that only runs while the directory is still gone. The Txn's action
 * record is {@code reap}, which watchers ignore: the {@code expire} event was the directory's.
 */
final class ExpiredDirReaper implements Consumer<String> {
  private static final Logger LOG = LoggerFactory.getLogger(ExpiredDirReaper.class);

  private final EtcdKv kv;
  private final MemberView view;

  ExpiredDirReaper(EtcdKv kv, MemberView view) {
    this.kv = kv;
    this.view = view;
  }

  @Override
  public void accept(String dirPath) {
    if (view.leaderId() != view.memberId()) {
      return;
    }
    ByteString dir = V2Keys.dir(dirPath);
    ByteString end = V2Keys.prefixEnd(dir);
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(dir).setTarget(Compare.CompareTarget.VERSION)
            .setResult(Compare.CompareResult.EQUAL).setVersion(0))
        // only while something is left under it, so a second reaper (after a leader change) writes nothing
        .addCompare(Compare.newBuilder().setKey(dir).setRangeEnd(end).setTarget(Compare.CompareTarget.CREATE)
            .setResult(Compare.CompareResult.GREATER).setCreateRevision(0))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
            DeleteRangeRequest.newBuilder().setKey(dir).setRangeEnd(end)))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(V2Keys.ACTION)
            .setValue(ByteString.copyFromUtf8("reap " + dirPath))))
        .build();
    kv.txn(txn).whenComplete((r, failure) -> {
      if (failure != null) {
        LOG.warn("removing what expired directory {} left failed: {}", dirPath, failure.toString());
      }
    });
  }
}
