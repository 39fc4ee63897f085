package io.keyway.gateway.v2;

import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.MemberListRequest;
import io.keyway.api.etcdserverpb.MemberListResponse;
import io.keyway.gateway.json.GoStrings;
import io.keyway.gateway.rpc.EtcdRpcs;
import io.keyway.gateway.rpc.UnaryRpc;
import io.keyway.raft.MemberView;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The v2 cluster endpoints clients read: {@code /v2/members} (and {@code /v2/members/leader}),
 * {@code /v2/machines}, {@code /v2/stats/self}, {@code /v2/stats/store}, {@code /v2/stats/leader}. Membership
 * changes are v3's (MemberAdd and friends); the v2 write methods answer 405.
 */
final class V2ClusterEndpoints {
  private final EtcdRpcs rpcs;
  private final MemberView view;
  private final V2StoreStats stats;
  private final V2Watches watches;
  private final Instant started = Instant.now();
  private volatile long knownLeader;
  private volatile Instant leaderSince = Instant.now();

  V2ClusterEndpoints(EtcdRpcs rpcs, MemberView view, V2StoreStats stats, V2Watches watches) {
    this.rpcs = rpcs;
    this.view = view;
    this.stats = stats;
    this.watches = watches;
  }

  boolean handle(HttpServerRequest request, String path) {
    HttpServerResponse response = request.response();
    switch (path) {
      case "/v2/machines" -> {
        if (only(request, "GET,HEAD", HttpMethod.GET, HttpMethod.HEAD)) {
          members(request, ms -> {
            StringBuilder sb = new StringBuilder();
            for (Member m : ms) {
              for (String url : m.getClientURLsList()) {
                sb.append(sb.length() == 0 ? "" : ", ").append(url);
              }
            }
            response.putHeader("Content-Type", "text/plain; charset=utf-8").end(sb.toString());
          });
        }
      }
      case "/v2/members", "/v2/members/" -> {
        if (only(request, "GET", HttpMethod.GET)) {
          clusterHeader(response);
          members(request, ms -> {
            StringBuilder sb = new StringBuilder("{\"members\":[");
            for (int i = 0; i < ms.size(); i++) {
              appendMember(sb.append(i == 0 ? "" : ","), ms.get(i));
            }
            V2Http.json(response, 200, sb.append("]}\n").toString());
          });
        }
      }
      case "/v2/members/leader" -> {
        if (only(request, "GET", HttpMethod.GET)) {
          clusterHeader(response);
          members(request, ms -> {
            long leader = view.leaderId();
            for (Member m : ms) {
              if (leader != 0 && m.getID() == leader) {
                V2Http.json(response, 200, appendMember(new StringBuilder(), m).append('\n').toString());
                return;
              }
            }
            V2Http.json(response, 503, "{\"message\":\"During election\"}\n");
          });
        }
      }
      case "/v2/stats/store" -> {
        if (only(request, "GET", HttpMethod.GET)) {
          V2Http.json(response, 200, stats.json(watches.parked(), watches.expired()));
        }
      }
      case "/v2/stats/self" -> {
        if (only(request, "GET", HttpMethod.GET)) {
          V2Http.json(response, 200, self());
        }
      }
      case "/v2/stats/leader" -> {
        if (only(request, "GET", HttpMethod.GET)) {
          if (view.leaderId() != view.memberId()) {
            V2Http.json(response, 403, "{\"message\":\"not current leader\"}\n");
          } else {
            StringBuilder sb = new StringBuilder("{\"leader\":\"").append(hex(view.memberId()))
                .append("\",\"followers\":{");
            boolean first = true;
            for (Member m : view.members()) {
              if (m.getID() != view.memberId()) {
                sb.append(first ? "" : ",").append('"').append(hex(m.getID())).append("\":{}");
                first = false;
              }
            }
            V2Http.json(response, 200, sb.append("}}").toString());
          }
        }
      }
      default -> {
        if (path.startsWith("/v2/members/")) {
          if (only(request, "GET", HttpMethod.GET)) {
            V2Http.json(response, 404, "{\"message\":\"Not found\"}\n");
          }
          return true;
        }
        if (path.equals("/v2") || path.startsWith("/v2/")) {
          V2Http.notFound(response);
          return true;
        }
        return false;
      }
    }
    return true;
  }

  private String self() {
    long leader = view.leaderId();
    if (leader != knownLeader) {
      knownLeader = leader;
      leaderSince = Instant.now();
    }
    Instant since = leaderSince;
    return "{\"name\":" + GoStrings.jsonString(view.name()) + ",\"id\":\"" + hex(view.memberId())
        + "\",\"state\":\"" + (leader == view.memberId() ? "StateLeader" : "StateFollower")
        + "\",\"startTime\":\"" + V2Node.rfc3339Nano(started) + "\",\"leaderInfo\":{\"leader\":\"" + hex(leader)
        + "\",\"uptime\":\"" + goDuration(Duration.between(since, Instant.now()))
        + "\",\"startTime\":\"" + V2Node.rfc3339Nano(since) + "\"}}";
  }

  private static String goDuration(Duration d) {
    long ms = d.toMillis();
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    double s = (ms % 60_000) / 1000.0;
    StringBuilder sb = new StringBuilder();
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      sb.append(m).append('m');
    }
    return sb.append(s == Math.floor(s) ? Long.toString((long) s) : Double.toString(s)).append('s').toString();
  }

  private static boolean only(HttpServerRequest request, String allow, HttpMethod... methods) {
    for (HttpMethod m : methods) {
      if (request.method() == m) {
        return true;
      }
    }
    V2Http.methodNotAllowed(request.response(), allow);
    return false;
  }

  private void clusterHeader(HttpServerResponse response) {
    response.putHeader("X-Etcd-Cluster-Id", hex(view.clusterId()));
  }

  private void members(HttpServerRequest request, Consumer<List<Member>> then) {
    UnaryRpc<?, ?> rpc = rpcs.find("etcdserverpb.Cluster/MemberList");
    Context context = Vertx.currentContext();
    CompletableFuture<List<Member>> list = rpc == null ? CompletableFuture.completedFuture(view.members())
        : rpcs.invoke(rpc, MemberListRequest.getDefaultInstance(), null).toCompletableFuture()
            .thenApply(r -> ((MemberListResponse) r).getMembersList());
    list.whenComplete((ms, failure) -> context.runOnContext(v -> {
      if (failure != null) {
        V2Http.json(request.response(), 500, "{\"message\":" + GoStrings.jsonString(
            String.valueOf(V2Store.unwrap(failure).getMessage())) + "}\n");
      } else {
        then.accept(ms);
      }
    }));
  }

  private static StringBuilder appendMember(StringBuilder sb, Member m) {
    sb.append("{\"id\":\"").append(hex(m.getID())).append("\",\"name\":").append(GoStrings.jsonString(m.getName()))
        .append(",\"peerURLs\":");
    urls(sb, m.getPeerURLsList()).append(",\"clientURLs\":");
    return urls(sb, m.getClientURLsList()).append('}');
  }

  private static StringBuilder urls(StringBuilder sb, List<String> urls) {
    sb.append('[');
    for (int i = 0; i < urls.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(GoStrings.jsonString(urls.get(i)));
    }
    return sb.append(']');
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }
}
