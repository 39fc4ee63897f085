package io.keyway.it;

import static io.keyway.it.Json.b64;
import static io.keyway.it.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.DeleteRangeRequest;
import io.keyway.api.etcdserverpb.DeleteRangeResponse;
import io.keyway.api.etcdserverpb.KVGrpcClient;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.PutResponse;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.etcdserverpb.TxnResponse;
import io.keyway.api.mvccpb.KeyValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The register workload's requests to one member over one protocol (HTTP/JSON gateway or gRPC). Answers are
 * definite results; {@link Refused} means the request certainly had no effect (connection refused);
 * {@link Indeterminate} means it may or may not have (timeout, broken connection, etcd error).
 */
interface RegisterClient {

  /** Answer of a read: the value (null when absent), its mod_revision and the header revision. */
  record Read(String value, long modRevision, long revision) {}

  /** Answer of a write: header revision and, for a CAS, the branch taken and what its failure branch read. */
  record Written(long revision, boolean succeeded, Read failureRead) {}

  /** The request did not reach the server. */
  final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** The request may or may not have taken effect; {@code unexpected} marks errors etcd would not give. */
  final class Indeterminate extends Exception {
    final boolean unexpected;

    Indeterminate(String message, boolean unexpected) {
      super(message, null, false, false);
      this.unexpected = unexpected;
    }
  }

  /** Errors etcd gives while it has no usable leader or is overloaded: a client retries them. */
  List<String> RETRYABLE = List.of(
      "etcdserver: leader changed",
      "etcdserver: no leader",
      "etcdserver: request timed out",
      "etcdserver: server stopped",
      "etcdserver: too many requests",
      "etcdserver: request timed out, possibly due to previous leader failure",
      "etcdserver: request timed out, possibly due to connection lost",
      "etcdserver: request timed out, waiting for the applied index took too long");

  static boolean retryable(String message) {
    return message != null && RETRYABLE.stream().anyMatch(message::startsWith);
  }

  String describe();

  Written put(String key, String value) throws Refused, Indeterminate;

  Read get(String key) throws Refused, Indeterminate;

  /**
   * Txn: if the key holds {@code expect} (by value, or by its {@code expectModRevision} when {@code byModRevision};
   * absent when {@code expect} is null) put {@code value}, otherwise range the key.
   */
  Written cas(String key, String expect, long expectModRevision, boolean byModRevision, String value)
      throws Refused, Indeterminate;

  Written delete(String key) throws Refused, Indeterminate;

  // ---- HTTP/JSON gateway -----------------------------------------------------------------------------------

  final class Http implements RegisterClient {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private final String baseUrl;
    private final String name;
    private final Duration timeout;

    Http(String memberName, String baseUrl, Duration timeout) {
      this.baseUrl = baseUrl;
      this.name = memberName + "/http";
      this.timeout = timeout;
    }

    @Override
    public String describe() {
      return name;
    }

    private JsonNode call(String path, JsonNode body) throws Refused, Indeterminate {
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
          .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
      HttpResponse<String> response;
      try {
        response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        throw new Refused(e.toString());
      } catch (IOException e) {
        throw new Indeterminate(e.toString(), false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Indeterminate("interrupted", false);
      }
      if (response.statusCode() == 200) {
        return Json.parse(response.body());
      }
      String message;
      try {
        message = Json.parse(response.body()).path("message").asText(response.body());
      } catch (AssertionError notJson) {
        message = response.body();
      }
      boolean expected = retryable(message) && response.statusCode() != 500;
      throw new Indeterminate("HTTP " + response.statusCode() + " " + response.body(), !expected);
    }

    private static long rev(JsonNode r) {
      return r.path("header").path("revision").asLong();
    }

    private static Read read(JsonNode range, long revision) {
      JsonNode kvs = range.path("kvs");
      if (kvs.isEmpty()) {
        return new Read(null, 0, revision);
      }
      JsonNode kv = kvs.get(0);
      return new Read(Json.unb64(kv.path("value").asText()), kv.path("mod_revision").asLong(), revision);
    }

    @Override
    public Written put(String key, String value) throws Refused, Indeterminate {
      JsonNode r = call("/v3/kv/put", obj("key", b64(key), "value", b64(value)));
      return new Written(rev(r), true, null);
    }

    @Override
    public Read get(String key) throws Refused, Indeterminate {
      JsonNode r = call("/v3/kv/range", obj("key", b64(key)));
      return read(r, rev(r));
    }

    @Override
    public Written cas(String key, String expect, long expectModRevision, boolean byModRevision, String value)
        throws Refused, Indeterminate {
      JsonNode compare;
      if (expect == null) {
        compare = obj("key", b64(key), "target", "CREATE", "result", "EQUAL", "create_revision", 0);
      } else if (byModRevision) {
        compare = obj("key", b64(key), "target", "MOD", "result", "EQUAL", "mod_revision", expectModRevision);
      } else {
        compare = obj("key", b64(key), "target", "VALUE", "result", "EQUAL", "value", b64(expect));
      }
      JsonNode r = call("/v3/kv/txn", obj(
          "compare", Json.arr(compare),
          "success", Json.arr(obj("request_put", obj("key", b64(key), "value", b64(value)))),
          "failure", Json.arr(obj("request_range", obj("key", b64(key))))));
      boolean succeeded = r.path("succeeded").asBoolean(false);
      Read failureRead = succeeded ? null : read(r.path("responses").path(0).path("response_range"), rev(r));
      return new Written(rev(r), succeeded, failureRead);
    }

    @Override
    public Written delete(String key) throws Refused, Indeterminate {
      JsonNode r = call("/v3/kv/deleterange", obj("key", b64(key)));
      return new Written(rev(r), r.path("deleted").asLong() > 0, null);
    }
  }

  // ---- gRPC ------------------------------------------------------------------------------------------------

  final class Grpc implements RegisterClient {
    private final GrpcClient client;
    private final SocketAddress address;
    private final String name;
    private final Duration timeout;

    Grpc(Vertx vertx, String memberName, String clientUrl, Duration timeout) {
      this.client = GrpcClient.client(vertx, new GrpcClientOptions(), new HttpClientOptions()
          .setHttp2ClearTextUpgrade(false).setConnectTimeout(2000));
      URI uri = URI.create(clientUrl);
      this.address = SocketAddress.inetSocketAddress(uri.getPort(), uri.getHost());
      this.name = memberName + "/grpc";
      this.timeout = timeout;
    }

    @Override
    public String describe() {
      return name;
    }

    private <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request) throws Refused, Indeterminate {
      Object[] body = new Object[1];
      Future<Resp> reply = client.request(address, method)
          .compose(req -> {
            req.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return req.send(request);
          })
          .compose(resp -> {
            resp.handler(m -> body[0] = m);
            return resp.end().transform(ar -> {
              if (ar.failed() && resp.status() == null) {
                // the stream ended without trailers: the connection was cut (a killed or frozen member)
                return Future.failedFuture(new StreamCut(ar.cause()));
              }
              if (resp.status() == GrpcStatus.OK && body[0] != null) {
                @SuppressWarnings("unchecked")
                Resp r = (Resp) body[0];
                return Future.succeededFuture(r);
              }
              return Future.failedFuture(new GrpcError(resp.status(), resp.statusMessage()));
            });
          });
      try {
        return reply.toCompletionStage().toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof GrpcError g) {
          // our own deadline or a cut connection report no message; etcd's errors carry one
          boolean clientSide = g.getMessage() == null
              && (g.status == GrpcStatus.DEADLINE_EXCEEDED || g.status == GrpcStatus.CANCELLED
              || g.status == GrpcStatus.UNAVAILABLE);
          boolean expected = clientSide || retryable(g.getMessage()) && g.status != GrpcStatus.INTERNAL
              && g.status != GrpcStatus.UNKNOWN;
          throw new Indeterminate("gRPC " + g.status + " " + g.getMessage(), !expected);
        }
        if (cause instanceof ConnectException || String.valueOf(cause).contains("Connection refused")) {
          throw new Refused(String.valueOf(cause));
        }
        if (cause instanceof StreamCut cut) {
          throw new Indeterminate("gRPC stream cut: " + cut.getCause(), false);
        }
        throw new Indeterminate(String.valueOf(cause), false);
      } catch (TimeoutException e) {
        throw new Indeterminate("no answer in " + timeout, false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Indeterminate("interrupted", false);
      }
    }

    /** A response that ended without a gRPC status because its connection closed. */
    private static final class StreamCut extends Exception {
      StreamCut(Throwable cause) {
        super(cause);
      }
    }

    private static final class GrpcError extends Exception {
      final GrpcStatus status;

      GrpcError(GrpcStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
      }
    }

    private static ByteString bytes(String s) {
      return ByteString.copyFromUtf8(s);
    }

    private static Read read(RangeResponse r) {
      long rev = r.getHeader().getRevision();
      if (r.getKvsCount() == 0) {
        return new Read(null, 0, rev);
      }
      KeyValue kv = r.getKvs(0);
      return new Read(kv.getValue().toStringUtf8(), kv.getModRevision(), rev);
    }

    @Override
    public Written put(String key, String value) throws Refused, Indeterminate {
      PutResponse r = call(KVGrpcClient.Put, PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build());
      return new Written(r.getHeader().getRevision(), true, null);
    }

    @Override
    public Read get(String key) throws Refused, Indeterminate {
      return read(call(KVGrpcClient.Range, RangeRequest.newBuilder().setKey(bytes(key)).build()));
    }

    @Override
    public Written cas(String key, String expect, long expectModRevision, boolean byModRevision, String value)
        throws Refused, Indeterminate {
      Compare.Builder c = Compare.newBuilder().setKey(bytes(key)).setResult(Compare.CompareResult.EQUAL);
      if (expect == null) {
        c.setTarget(Compare.CompareTarget.CREATE).setCreateRevision(0);
      } else if (byModRevision) {
        c.setTarget(Compare.CompareTarget.MOD).setModRevision(expectModRevision);
      } else {
        c.setTarget(Compare.CompareTarget.VALUE).setValue(bytes(expect));
      }
      TxnResponse r = call(KVGrpcClient.Txn, TxnRequest.newBuilder().addCompare(c)
          .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(key))
              .setValue(bytes(value))))
          .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bytes(key))))
          .build());
      Read failureRead = null;
      if (!r.getSucceeded()) {
        RangeResponse range = r.getResponses(0).getResponseRange();
        Read inner = read(range);
        failureRead = new Read(inner.value(), inner.modRevision(), r.getHeader().getRevision());
      }
      return new Written(r.getHeader().getRevision(), r.getSucceeded(), failureRead);
    }

    @Override
    public Written delete(String key) throws Refused, Indeterminate {
      DeleteRangeResponse r = call(KVGrpcClient.DeleteRange, DeleteRangeRequest.newBuilder().setKey(bytes(key)).build());
      return new Written(r.getHeader().getRevision(), r.getDeleted() > 0, null);
    }
  }
}
