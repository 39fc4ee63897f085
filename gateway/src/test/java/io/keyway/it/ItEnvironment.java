package io.keyway.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the integration tests find the executables and where they may write (the module's build dir). */
final class ItEnvironment {

  static final String ETCD_BINARY = "/usr/bin/etcd";
  static final String ETCDCTL_BINARY = "/usr/bin/etcdctl";

  /**
   * Which server the "server under test" suites drive: {@code keyway} (default) or {@code etcd}. Pointing the
   * suites at etcd checks that their expectations match the oracle.
   */
  static final String TARGET_PROPERTY = "keyway.it.target";

  private ItEnvironment() {}

  static boolean targetIsEtcd() {
    return "etcd".equalsIgnoreCase(System.getProperty(TARGET_PROPERTY, "keyway"));
  }

  /** The shaded executable built at package time; failsafe passes its path. */
  static Path keywayJar() {
    String prop = System.getProperty("keyway.jar");
    if (prop == null || prop.isBlank()) {
      fail("system property keyway.jar is not set: run the ITs through maven-failsafe (mvn verify)");
    }
    Path jar = Paths.get(prop);
    if (!Files.isRegularFile(jar)) {
      fail("Keyway executable " + jar + " does not exist: build it with `mvn package` before the ITs");
    }
    return jar;
  }

  /** CI installs etcd-server and etcd-client; a missing oracle is a broken setup, so it must fail, not skip. */
  static Path requireExecutable(String path, String debianPackage) {
    Path p = Paths.get(path);
    if (!Files.isExecutable(p)) {
      fail(path + " is missing: install it with `apt-get install -y " + debianPackage + "`");
    }
    return p;
  }

  /** The module's build directory (parent of keyway.jar), so logs and data land next to the build output. */
  static Path buildDir() {
    String prop = System.getProperty("keyway.jar");
    Path dir = prop == null || prop.isBlank() ? Paths.get("target") : Paths.get(prop).toAbsolutePath().getParent();
    return dir;
  }

  static Path logDir() {
    return createDirectories(buildDir().resolve("it-logs"));
  }

  static Path newDataDir(String name) {
    try {
      return Files.createTempDirectory(createDirectories(buildDir().resolve("it-data")), name + "-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a data dir under " + buildDir(), e);
    }
  }

  private static Path createDirectories(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir, e);
    }
  }
}
