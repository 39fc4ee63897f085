package io.keyway.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The real Keyway executable as users start it: the {@code keyway} launcher built next to keyway.jar (with its
 * JVM flags and AppCDS archive), given etcd's flags; test JVM options go through KEYWAY_JAVA_OPTS. Falls back
 * to {@code java -jar keyway.jar} when the launcher was not built.
 */
public final class KeywayProcess extends ServerProcess {

  private final Path jar;
  private final List<String> jvmOptions;

  public KeywayProcess(String memberName, String... extraFlags) {
    this(memberName, List.of(), extraFlags);
  }

  /** @param jvmOptions e.g. {@code -Dkey=value} test hooks, placed before {@code -jar} */
  public KeywayProcess(String memberName, List<String> jvmOptions, String... extraFlags) {
    super(memberName, List.of(extraFlags));
    this.jar = ItEnvironment.keywayJar();
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** @param tls serve clients on an {@code https://} URL (give the TLS flags in {@code extraFlags}) */
  public KeywayProcess(String memberName, boolean tls, String... extraFlags) {
    super(memberName, tls, List.of(extraFlags));
    this.jar = ItEnvironment.keywayJar();
    this.jvmOptions = List.of();
  }

  @Override
  String kind() {
    return "keyway";
  }

  @Override
  protected List<String> launcher() {
    Path script = jar.resolveSibling("keyway");
    if (Files.isExecutable(script)) {
      List<String> cmd = new java.util.ArrayList<>();
      if (!jvmOptions.isEmpty()) {
        cmd.addAll(List.of("env", "KEYWAY_JAVA_OPTS=" + String.join(" ", jvmOptions)));
      }
      cmd.add(script.toString());
      return cmd;
    }
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString()));
    return cmd;
  }
}
