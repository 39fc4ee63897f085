package io.keyway.bench;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.LeaseGrpcClient;
import io.keyway.api.etcdserverpb.LeaseKeepAliveRequest;
import io.keyway.api.etcdserverpb.LeaseKeepAliveResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.client.GrpcClientRequest;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/** The request each closed-loop workload sends, identical for both servers. */
final class Workloads {
  static final int VALUE_SIZE = 256;
  static final int KEY_SPACE = 10_000;
  static final String READ_KEY = "bench/read";

  private Workloads() {}

  /** PUT of a 256-byte value to one of 10 000 keys, round robin. */
  static IntFunction<Future<?>> httpPut(HttpJson http, String prefix) {
    String value = Payloads.b64(Payloads.value(VALUE_SIZE, 1));
    AtomicLong n = new AtomicLong();
    return lane -> {
      String key = Payloads.b64(prefix + (n.getAndIncrement() % KEY_SPACE));
      return http.post("/v3/kv/put", Buffer.buffer("{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}"));
    };
  }

  /** Range of one existing key, linearizable (ReadIndex) or serializable (local read). */
  static IntFunction<Future<?>> httpRange(HttpJson http, boolean serializable) {
    Buffer body = Buffer.buffer("{\"key\":\"" + Payloads.b64(READ_KEY) + "\""
        + (serializable ? ",\"serializable\":true" : "") + "}");
    return lane -> http.post("/v3/kv/range", body.copy());
  }

  /** Compare-and-put: compare the key's version, put in either branch (a write txn, as locks and CAS use). */
  static IntFunction<Future<?>> httpTxn(HttpJson http) {
    String value = Payloads.b64(Payloads.value(VALUE_SIZE, 2));
    AtomicLong n = new AtomicLong();
    return lane -> {
      String key = Payloads.b64("bench/txn/" + (n.getAndIncrement() % KEY_SPACE));
      String put = "{\"request_put\":{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}}";
      String body = "{\"compare\":[{\"key\":\"" + key + "\",\"target\":\"VERSION\",\"result\":\"GREATER\","
          + "\"version\":\"0\"}],\"success\":[" + put + "],\"failure\":[" + put + "]}";
      return http.post("/v3/kv/txn", Buffer.buffer(body));
    };
  }

  static IntFunction<Future<?>> grpcPut(GrpcConnections grpc) {
    ByteString value = ByteString.copyFrom(Payloads.value(VALUE_SIZE, 3));
    AtomicLong n = new AtomicLong();
    return lane -> grpc.kv(lane).put(PutRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("bench/grpc/" + (n.getAndIncrement() % KEY_SPACE)))
        .setValue(value).build());
  }

  static IntFunction<Future<?>> grpcRange(GrpcConnections grpc, boolean serializable) {
    RangeRequest request = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(READ_KEY))
        .setSerializable(serializable).build();
    return lane -> grpc.kv(lane).range(request);
  }

  /**
   * One LeaseKeepAlive stream per lane on its own lease (granted on first use, TTL 600 s); each op writes one
   * keep-alive and completes when its answer arrives. An answer with TTL ≤ 0 (lease not found) is an error.
   */
  static IntFunction<Future<?>> leaseKeepAlive(GrpcConnections grpc, int lanes) {
    KeepAliveLane[] state = new KeepAliveLane[lanes];
    return lane -> {
      KeepAliveLane s = state[lane];
      if (s == null) {
        s = state[lane] = new KeepAliveLane();
        return s.open(grpc, lane).compose(v -> state[lane].ping());
      }
      return s.ping();
    };
  }

  private static final class KeepAliveLane {
    private long leaseId;
    private GrpcClientRequest<LeaseKeepAliveRequest, LeaseKeepAliveResponse> stream;
    private Promise<Void> pending;

    Future<Void> open(GrpcConnections grpc, int lane) {
      LeaseGrpcClient lease = LeaseGrpcClient.create(grpc.grpc(lane), grpc.address);
      return lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(600).build())
          .compose(granted -> {
            leaseId = granted.getID();
            return grpc.grpc(lane).request(grpc.address, LeaseGrpcClient.LeaseKeepAlive);
          })
          .map(req -> {
            stream = req;
            req.response().onSuccess(resp -> {
              resp.handler(this::answered);
              resp.exceptionHandler(this::broken);
              resp.endHandler(v -> broken(new IllegalStateException("keep-alive stream ended")));
            }).onFailure(this::broken);
            return null;
          });
    }

    Future<Void> ping() {
      pending = Promise.promise();
      Future<Void> answer = pending.future();
      stream.write(LeaseKeepAliveRequest.newBuilder().setID(leaseId).build()).onFailure(this::broken);
      return answer;
    }

    private void answered(LeaseKeepAliveResponse r) {
      Promise<Void> p = pending;
      pending = null;
      if (p == null) {
        return;
      }
      if (r.getTTL() <= 0) {
        p.tryFail("lease " + r.getID() + " not found (TTL " + r.getTTL() + ")");
      } else {
        p.tryComplete();
      }
    }

    private void broken(Throwable t) {
      Promise<Void> p = pending;
      if (p != null) {
        p.tryFail(t);
      }
    }
  }

}
