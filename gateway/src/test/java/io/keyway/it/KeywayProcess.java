package io.keyway.it;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** The real Keyway executable: {@code java -Xmx256m -jar keyway.jar} with etcd's flags. */
final class KeywayProcess extends ServerProcess {

  private final Path jar;

  KeywayProcess(String memberName, String... extraFlags) {
    super(memberName, List.of(extraFlags));
    this.jar = ItEnvironment.keywayJar();
  }

  /** @param tls serve clients on an {@code https://} URL (give the TLS flags in {@code extraFlags}) */
  KeywayProcess(String memberName, boolean tls, String... extraFlags) {
    super(memberName, tls, List.of(extraFlags));
    this.jar = ItEnvironment.keywayJar();
  }

  @Override
  String kind() {
    return "keyway";
  }

  @Override
  protected List<String> launcher() {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-Xmx256m", "-jar", jar.toString());
  }
}
