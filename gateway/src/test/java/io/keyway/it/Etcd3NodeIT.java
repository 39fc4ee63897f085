package io.keyway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node {@code etcd3} package (1.1.2, over @grpc/grpc-js), unmodified, against the Keyway executable: the
 * script in {@code src/test/node/etcd3-client} exercises KV, txn, watch, leases, locks, elections and
 * maintenance and exits non-zero on the first difference from etcd's behaviour (it passes against etcd 3.4 with
 * {@code -Dkeyway.it.target=etcd}). Needs {@code node} and {@code npm} on the PATH; .ci/run installs them.
 */
class Etcd3NodeIT {

  @Test
  void nodeEtcd3ClientWorksUnmodified() throws Exception {
    Path client = installClient();
    try (ServerProcess server = ServerUnderTest.start("etcd3-node")) {
      NodeCommand.Result r = NodeCommand.run(client, 180, "node", "check.js", server.clientUrl());
      assertEquals(0, r.exitCode(), () -> "node etcd3 check failed against " + server + ":\n" + r.output());
      for (String step : List.of("kv", "txn", "watch", "leases", "locks", "election", "maintenance")) {
        assertTrue(r.output().contains("ok " + step + "\n"), () -> "step " + step + " did not pass:\n" + r.output());
      }
    }
  }

  /** Copies the script and its lock file under the build directory and installs exactly the locked packages. */
  private static Path installClient() throws Exception {
    Path source = Paths.get("src", "test", "node", "etcd3-client");
    Path target = ItEnvironment.keywayJar().getParent().resolve("etcd3-client");
    Files.createDirectories(target);
    for (String file : List.of("package.json", "package-lock.json", "check.js")) {
      Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(target.resolve("node_modules").resolve("etcd3"))) {
      NodeCommand.Result npm = NodeCommand.run(target, 600, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
      assertEquals(0, npm.exitCode(), () -> "npm ci failed:\n" + npm.output());
    }
    return target;
  }
}
