package io.keyway.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.grpc.server.GrpcServerResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcStatusMessageTest {
  @Test
  void printableAsciiTravelsAsItIs() {
    assertEquals("etcdserver: requested lease not found",
        GrpcStatusMessage.encode("etcdserver: requested lease not found"));
    assertEquals("a/b?c=d&e#f [g] ~!", GrpcStatusMessage.encode("a/b?c=d&e#f [g] ~!"));
  }

  @Test
  void percentControlAndNonAsciiBytesAreEscaped() {
    assertEquals("100%25", GrpcStatusMessage.encode("100%"));
    assertEquals("a%0Ab%09", GrpcStatusMessage.encode("a\nb\t"));
    assertEquals("caf%C3%A9 %E2%9C%93%7F", GrpcStatusMessage.encode("café ✓\u007f"));
  }

  @Test
  void aCallEndedByTheClientIsLeftAlone() {
    List<String> calls = new ArrayList<>();
    GrpcServerResponse<?, ?> ended = (GrpcServerResponse<?, ?>) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {GrpcServerResponse.class}, (proxy, method, args) -> {
          calls.add(method.getName());
          if (method.getName().equals("trailers")) {
            throw new IllegalStateException("Trailers already sent");
          }
          throw new AssertionError("touched an ended call: " + method.getName());
        });
    GrpcStatusMessage.end(ended, 4, "context deadline exceeded");
    assertEquals(List.of("trailers"), calls);
  }
}
