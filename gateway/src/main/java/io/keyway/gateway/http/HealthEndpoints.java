package io.keyway.gateway.http;

import com.google.protobuf.ByteString;
import io.keyway.api.EtcdError;
import io.keyway.api.etcdserverpb.AlarmMember;
import io.keyway.api.etcdserverpb.AlarmType;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.gateway.json.GoStrings;
import io.keyway.gateway.rpc.RpcFailure;
import io.keyway.raft.EtcdKv;
import io.keyway.raft.EtcdMaintenance;
import io.keyway.raft.MemberView;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * etcd 3.5's {@code /health}, {@code /livez} and {@code /readyz} (with {@code /livez/<check>} and
 * {@code /readyz/<check>}): same checks, query parameters, status codes and bodies. An active alarm fails
 * {@code /health} (unless excluded) and CORRUPT fails the {@code data_corruption} check.
 */
final class HealthEndpoints {
  /** Any key will do: the checks only need a read to go through (etcd reads with an empty key). */
  private static final ByteString PROBE_KEY = ByteString.copyFrom(new byte[] {0});

  private final Vertx vertx;
  private final EtcdKv kv;
  private final MemberView view;
  private final EtcdMaintenance maintenance;
  private final long timeoutMs;
  private final Map<String, Supplier<Future<Void>>> livez = new LinkedHashMap<>();
  private final Map<String, Supplier<Future<Void>>> readyz = new LinkedHashMap<>();

  /** @param maintenance the alarm table's owner; null when alarms are not served */
  HealthEndpoints(Vertx vertx, EtcdKv kv, MemberView view, EtcdMaintenance maintenance, long timeoutMs) {
    this.vertx = vertx;
    this.kv = kv;
    this.view = view;
    this.maintenance = maintenance;
    this.timeoutMs = timeoutMs;
    livez.put("serializable_read", () -> read(true));
    readyz.put("data_corruption", () -> activeAlarm(AlarmType.CORRUPT)
        ? Future.failedFuture(new IllegalStateException("alarm activated: CORRUPT"))
        : Future.succeededFuture());
    readyz.put("serializable_read", () -> read(true));
    readyz.put("linearizable_read", () -> read(false));
    readyz.put("non_learner", () -> view.isLearner()
        ? Future.failedFuture(new IllegalStateException("not supported for learner"))
        : Future.succeededFuture());
  }

  /** Handles the request if {@code path} is one of these endpoints; false otherwise. */
  boolean serve(String path, RoutingContext ctx) {
    if (path.equals("/health")) {
      return answer(ctx, () -> health(ctx));
    }
    for (String root : List.of("/livez", "/readyz")) {
      Map<String, Supplier<Future<Void>>> checks = root.equals("/livez") ? livez : readyz;
      if (path.equals(root)) {
        return answer(ctx, () -> runChecks(ctx, checks, selected(checks, ctx.queryParams())));
      }
      if (path.startsWith(root + "/") && checks.containsKey(path.substring(root.length() + 1))) {
        return answer(ctx, () -> runChecks(ctx, checks, List.of(path.substring(root.length() + 1))));
      }
    }
    return false;
  }

  private static boolean answer(RoutingContext ctx, Runnable get) {
    if (!"GET".equals(ctx.request().method().name())) {
      GoHttp.onlyGet(ctx.response());
    } else {
      get.run();
    }
    return true;
  }

  private void health(RoutingContext ctx) {
    boolean serializable = "true".equals(ctx.queryParams().get("serializable"));
    List<String> excluded = ctx.queryParams().getAll("exclude");
    for (AlarmMember alarm : alarms()) {
      if (!excluded.contains(alarm.getAlarm().name())) {
        unhealthy(ctx, switch (alarm.getAlarm()) {
          case NOSPACE -> "ALARM NOSPACE";
          case CORRUPT -> "ALARM CORRUPT";
          default -> "ALARM UNKNOWN";
        });
        return;
      }
    }
    if (!serializable && view.leaderId() == 0) {
      unhealthy(ctx, "RAFT NO LEADER");
      return;
    }
    read(serializable).onComplete(ar -> {
      if (ar.succeeded()) {
        GoHttp.sniffedText(ctx.response(), 200, "{\"health\":\"true\",\"reason\":\"\"}");
      } else {
        unhealthy(ctx, "RANGE ERROR:" + ar.cause().getMessage());
      }
    });
  }

  private List<AlarmMember> alarms() {
    return maintenance == null ? List.of() : maintenance.activeAlarms();
  }

  private boolean activeAlarm(AlarmType type) {
    return alarms().stream().anyMatch(a -> a.getAlarm() == type);
  }

  private static void unhealthy(RoutingContext ctx, String reason) {
    GoHttp.error(ctx.response(), 503, "{\"health\":\"false\",\"reason\":" + GoStrings.jsonString(reason) + "}");
  }

  private static List<String> selected(Map<String, Supplier<Future<Void>>> checks, MultiMap query) {
    List<String> names = new ArrayList<>(checks.keySet());
    names.removeAll(query.getAll("exclude")); // unknown names are ignored, as etcd does
    return names;
  }

  private void runChecks(RoutingContext ctx, Map<String, Supplier<Future<Void>>> checks, List<String> names) {
    StringBuilder report = new StringBuilder();
    boolean[] failed = {false};
    Future<Void> chain = Future.succeededFuture();
    for (String name : names) {
      chain = chain.transform(ignored -> checks.get(name).get().transform(ar -> {
        if (ar.succeeded()) {
          report.append("[+]").append(name).append(" ok\n");
        } else {
          failed[0] = true;
          report.append("[-]").append(name).append(" failed: ").append(ar.cause().getMessage()).append('\n');
        }
        return Future.<Void>succeededFuture();
      }));
    }
    chain.onComplete(ignored -> {
      if (failed[0]) {
        GoHttp.error(ctx.response(), 503, report.toString());
      } else if (ctx.queryParams().contains("verbose")) {
        GoHttp.text(ctx.response(), 200, report + "ok\n");
      } else {
        GoHttp.text(ctx.response(), 200, "ok\n");
      }
    });
  }

  /** A one-key read; fails with etcd's error text, or "request timed out" after the request timeout. */
  private Future<Void> read(boolean serializable) {
    RangeRequest probe = RangeRequest.newBuilder()
        .setKey(PROBE_KEY).setKeysOnly(true).setLimit(1).setSerializable(serializable).build();
    Promise<Void> promise = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, id -> promise.tryFail(EtcdError.TIMEOUT.exception()));
    Future.fromCompletionStage(safeRange(probe), vertx.getOrCreateContext()).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        promise.tryComplete();
      } else {
        promise.tryFail(new IllegalStateException(RpcFailure.of(ar.cause()).message()));
      }
    });
    return promise.future();
  }

  private CompletionStage<?> safeRange(RangeRequest probe) {
    try {
      return kv.range(probe);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
