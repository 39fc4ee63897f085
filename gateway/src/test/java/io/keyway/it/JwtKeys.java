package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** An RSA key pair made by openssl (as etcd's docs make them) for {@code --auth-token jwt,...}. */
record JwtKeys(Path privateKey, Path publicKey) {

  static JwtKeys generate(String name) throws IOException, InterruptedException {
    Path dir = ItEnvironment.newDataDir(name);
    JwtKeys keys = new JwtKeys(dir.resolve("priv.pem"), dir.resolve("pub.pem"));
    run("openssl", "genrsa", "-traditional", "-out", keys.privateKey.toString(), "2048");
    run("openssl", "rsa", "-in", keys.privateKey.toString(), "-pubout", "-out", keys.publicKey.toString());
    return keys;
  }

  /** etcd's flag for RS256 tokens signed with this pair. */
  String authTokenFlag(String ttl) {
    return "--auth-token=jwt,pub-key=" + publicKey + ",priv-key=" + privateKey + ",sign-method=RS256,ttl=" + ttl;
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }
}
