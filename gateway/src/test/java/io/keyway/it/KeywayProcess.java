package io.keyway.it;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** The real Keyway executable: {@code java -Xmx256m -jar keyway.jar} with etcd's flags. */
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
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx256m"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString()));
    return cmd;
  }
}
