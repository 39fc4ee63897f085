package io.keyway.gateway.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.protobuf.Message;
import io.keyway.api.EtcdError;
import io.keyway.api.EtcdException;
import io.keyway.api.etcdserverpb.CompactionRequest;
import io.keyway.api.etcdserverpb.CompactionResponse;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.v3electionpb.LeaderRequest;
import io.keyway.api.v3electionpb.LeaderResponse;
import io.keyway.api.v3lockpb.UnlockRequest;
import io.keyway.api.v3lockpb.UnlockResponse;
import io.keyway.gateway.testing.FakeMember;
import io.keyway.raft.EtcdKv;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RPCs served as a client of the member (etcd's Lock and Election) run with the client the gate makes for
 * their caller's token, never through the gate's own per-method rules; the member's own client serves them
 * only where no gate decides who calls.
 */
class ClientRpcRoutingTest {
  private final FakeMember member = new FakeMember();
  private final MemberClient self = new MemberClient(member, null);
  private final List<String> clientsUsed = new ArrayList<>();
  private final EtcdRpcs rpcs = EtcdRpcs.create(member, member, List.of())
      .add(UnaryRpc.asClient("v3lockpb.Lock", "Unlock", UnlockRequest.getDefaultInstance(),
          (client, request) -> {
            clientsUsed.add(client == self ? "self" : ((TokenClient) client.kv()).token());
            return CompletableFuture.completedFuture(UnlockResponse.getDefaultInstance());
          }, self))
      .addStream(ServerStreamRpc.<LeaderRequest, LeaderResponse>asClient("v3electionpb.Election", "Observe",
          LeaderRequest.getDefaultInstance(), (client, request, sink) -> {
            clientsUsed.add(client == self ? "self" : ((TokenClient) client.kv()).token());
            sink.end();
            return () -> { };
          }, self));

  @AfterEach
  void close() {
    member.close();
  }

  /** A KV service that only remembers whose it is. */
  private record TokenClient(String token) implements EtcdKv {
    @Override public CompletableFuture<RangeResponse> range(RangeRequest r) { throw unused(); }
    @Override public CompletableFuture<PutResponse> put(PutRequest r) { throw unused(); }
    @Override public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest r) { throw unused(); }
    @Override public CompletableFuture<TxnResponse> txn(TxnRequest r) { throw unused(); }
    @Override public CompletableFuture<CompactionResponse> compact(CompactionRequest r) { throw unused(); }

    private static UnsupportedOperationException unused() {
      return new UnsupportedOperationException("the routing test makes no KV request");
    }
  }

  /** Refuses every call at the door: a client RPC that reached these rules would fail. */
  private static final class RefusingGate implements RpcGate {
    @Override
    public CompletionStage<? extends Message> invoke(UnaryRpc<?, ?> rpc, Message request, String token) {
      return CompletableFuture.failedFuture(EtcdError.PERMISSION_DENIED_ERR.exception());
    }

    @Override
    public EtcdException refuseStream(String fullName, Message request, String token) {
      return EtcdError.PERMISSION_DENIED_ERR.exception();
    }

    @Override
    public EtcdException refuseKeepAlive(String token, long leaseId) {
      return EtcdError.PERMISSION_DENIED_ERR.exception();
    }

    @Override
    public MemberClient clientFor(String token) {
      return new MemberClient(new TokenClient(token), null);
    }
  }

  private Object unlock(String token) {
    try {
      return rpcs.invoke(rpcs.find("v3lockpb.Lock/Unlock"), UnlockRequest.getDefaultInstance(), token)
          .toCompletableFuture().join();
    } catch (RuntimeException e) {
      return RpcFailure.of(e).message();
    }
  }

  private String observe(String token) {
    List<String> ended = new ArrayList<>();
    rpcs.forCaller(rpcs.findStream("v3electionpb.Election/Observe"), token)
        .start(LeaderRequest.getDefaultInstance(), new StreamSink<Object>() {
          @Override public void next(Object message) { ended.add("message"); }
          @Override public void end() { ended.add("end"); }
          @Override public void fail(Throwable failure) { ended.add(RpcFailure.of(failure).message()); }
        });
    return String.join(",", ended);
  }

  @Test
  void withoutAGateTheMembersOwnClientServes() {
    assertSame(UnlockResponse.getDefaultInstance(), unlock("t1"));
    assertEquals("end", observe("t2"));
    assertEquals(List.of("self", "self"), clientsUsed);
  }

  @Test
  void withAGateTheCallersClientServesAndTheGatesMethodRulesDoNot() {
    rpcs.withGate(new RefusingGate());
    assertSame(UnlockResponse.getDefaultInstance(), unlock("t1"));
    assertEquals("end", observe("t2"));
    assertEquals(List.of("t1", "t2"), clientsUsed);
    // any other RPC still meets the gate's rules
    assertEquals("etcdserver: permission denied", range("t3"));
  }

  private String range(String token) {
    try {
      rpcs.invoke(rpcs.find("etcdserverpb.KV/Range"), RangeRequest.getDefaultInstance(), token)
          .toCompletableFuture().join();
      return "served";
    } catch (RuntimeException e) {
      return RpcFailure.of(e).message();
    }
  }
}
