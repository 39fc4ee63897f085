package io.keyway.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import com.google.protobuf.ByteString;
import io.keyway.gateway.testing.TestPki;
import io.keyway.raft.transport.PeerRpc;
import io.keyway.raft.transport.PeerTls;
import io.keyway.raft.transport.PeerTlsChannels;
import io.keyway.raft.transport.PeerTlsRpcFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft peer port on TLS (SOFABolt, as JRaft and {@link PeerRpc} use it): a peer is answered only over a
 * handshake that passes the --peer-* checks; a plaintext peer, a peer with another CA's certificate or a CN that
 * is not allowed, and a server not valid for the address dialled get no answer and reach no handler.
 */
class PeerTlsTransportTest {
  private static final byte KIND = 99;

  @TempDir
  Path dir;
  private TestPki pki;
  private final AtomicInteger handled = new AtomicInteger();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private RpcServer server;
  private int port;

  @BeforeEach
  void pki() {
    pki = TestPki.create(dir);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.shutdown();
    }
    executor.shutdownNow();
  }

  /** The server side of a member with the test PKI's server certificate, trusting the test CA. */
  private PeerTls member(boolean mutual, List<String> allowedCns) throws Exception {
    return new PeerTls(PeerTlsSetup.privateKey(pki.serverKey), PeerTlsSetup.certificates(pki.serverCert),
        PeerTlsSetup.certificates(pki.caCert), mutual, false, allowedCns, List.of(), List.of(),
        PeerTlsSetup.privateKey(pki.clientKey), PeerTlsSetup.certificates(pki.clientCert));
  }

  /** A member presenting the unrelated CA's certificates (it still trusts the test CA). */
  private PeerTls stranger() throws Exception {
    return new PeerTls(PeerTlsSetup.privateKey(pki.strangerServerKey),
        PeerTlsSetup.certificates(pki.strangerServerCert), PeerTlsSetup.certificates(pki.caCert), true, false,
        List.of(), List.of(), List.of(), PeerTlsSetup.privateKey(pki.strangerKey),
        PeerTlsSetup.certificates(pki.strangerCert));
  }

  private void serve(PeerTls tls) throws Exception {
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    server = RpcFactoryHelper.rpcFactory().createRpcServer(new Endpoint("127.0.0.1", port));
    PeerTlsRpcFactory.secure(server, PeerTlsChannels.of(tls));
    PeerRpc.serve(server, (kind, body) -> {
      handled.incrementAndGet();
      return CompletableFuture.completedFuture(body.concat(ByteString.copyFromUtf8(" pong")));
    }, executor);
    assertTrue(server.init(null), "server started");
  }

  private ByteString call(PeerTls clientTls, String host) throws Exception {
    try (PeerRpc client = PeerRpc.client(clientTls == null ? null : PeerTlsChannels.of(clientTls))) {
      // generous: a handshake on a loaded 2-core machine can take seconds
      return client.call(new Endpoint(host, port), KIND, ByteString.copyFromUtf8("ping"), 10_000)
          .get(20, TimeUnit.SECONDS);
    }
  }

  private void refused(PeerTls clientTls, String host) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call(clientTls, host));
    assertEquals(0, handled.get(), "a refused peer reached the handler: " + e.getCause());
  }

  @Test
  void jraftUsesTheFactoryThatCanSecureItsClients() {
    PeerTlsRpcFactory.requireThisFactory();
  }

  @Test
  void mutualTlsPeersAreAnswered() throws Exception {
    serve(member(true, List.of()));
    assertEquals("ping pong", call(member(true, List.of()), "127.0.0.1").toStringUtf8());
    assertEquals(1, handled.get());
  }

  @Test
  void aPlaintextPeerIsNotAnswered() throws Exception {
    serve(member(true, List.of()));
    refused(null, "127.0.0.1");
  }

  @Test
  void aPlaintextPeerGetsNoBoltFrameBack() throws Exception {
    serve(member(false, List.of()));
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(30_000);
      OutputStream out = raw.getOutputStream();
      // the start of a Bolt v1 request header: a TLS server reads it as a broken record and hangs up
      out.write(new byte[] {1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
      out.flush();
      InputStream in = raw.getInputStream();
      byte[] reply = in.readNBytes(64);
      // a TLS alert record (content type 21) or nothing at all, never a Bolt response (protocol code 1)
      assertTrue(reply.length == 0 || reply[0] == 21, () -> "plaintext reply starting with " + reply[0]);
    }
    assertEquals(0, handled.get());
  }

  @Test
  void aPeerWithAnotherCasCertificateIsRefused() throws Exception {
    serve(member(true, List.of()));
    refused(stranger(), "127.0.0.1");
  }

  @Test
  void aPeerWhoseCnIsNotAllowedIsRefused() throws Exception {
    serve(member(true, List.of("somebody-else")));
    refused(member(true, List.of()), "127.0.0.1");
  }

  @Test
  void aPeerWithAnAllowedCnIsAnswered() throws Exception {
    serve(member(true, List.of(TestPki.CLIENT_CN)));
    assertEquals("ping pong", call(member(true, List.of()), "127.0.0.1").toStringUtf8());
  }

  @Test
  void aServerNotValidForTheAddressDialledIsRefused() throws Exception {
    // the server certificate names 127.0.0.1 and localhost; 127.0.0.2 reaches the same socket on Linux
    serve(member(true, List.of()));
    refused(member(true, List.of()), "127.0.0.2");
  }
}
