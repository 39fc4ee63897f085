package io.keyway.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * etcd's YAML configuration file ({@code --config-file}): keys spelled like the flags, scalar values;
 * URL lists as comma-separated strings (a YAML list is accepted too). Keys etcd knows but Keyway ignores
 * behave like the ignored flags; keys etcd does not know are reported and skipped, as etcd's YAML decoding
 * skips them.
 */
final class ConfigFile {
  private ConfigFile() {}

  static Map<String, String> load(Path path, List<String> warnings) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(path));
    } catch (NoSuchFileException e) {
      throw new ConfigException("open " + path + ": no such file or directory");
    } catch (JsonProcessingException e) {
      throw new ConfigException("error converting YAML to JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (root == null || root.isNull() || root.isMissingNode()) {
      return values;
    }
    if (!root.isObject()) {
      throw new ConfigException("error unmarshaling JSON: the config file " + path + " is not a YAML mapping");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      Map<String, String> nested = TRANSPORT_SECURITY.get(key);
      if (nested != null && field.getValue().isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> inner = field.getValue().fields(); inner.hasNext(); ) {
          Map.Entry<String, JsonNode> sub = inner.next();
          String flagName = nested.get(sub.getKey());
          if (flagName == null) {
            warnings.add("unknown key \"" + key + "." + sub.getKey() + "\" in config file " + path + " ignored");
          } else {
            put(values, flagName, sub.getValue());
          }
        }
        continue;
      }
      if (EtcdFlag.find(key) == null) {
        warnings.add("unknown key \"" + key + "\" in config file " + path + " ignored");
        continue;
      }
      put(values, key, field.getValue());
    }
    return values;
  }

  /**
   * etcd's YAML nests the TLS settings: {@code client-transport-security} and {@code peer-transport-security}
   * hold {@code cert-file}, {@code key-file}, ... (its {@code securityConfig}); here each maps to its flag.
   */
  private static final Map<String, Map<String, String>> TRANSPORT_SECURITY = Map.of(
      "client-transport-security", Map.of("cert-file", "cert-file", "key-file", "key-file",
          "client-cert-file", "client-cert-file", "client-key-file", "client-key-file",
          "client-cert-auth", "client-cert-auth", "trusted-ca-file", "trusted-ca-file", "auto-tls", "auto-tls",
          "allowed-hostname", "client-cert-allowed-hostname"),
      "peer-transport-security", Map.of("cert-file", "peer-cert-file", "key-file", "peer-key-file",
          "client-cert-file", "peer-client-cert-file", "client-key-file", "peer-client-key-file",
          "client-cert-auth", "peer-client-cert-auth", "trusted-ca-file", "peer-trusted-ca-file",
          "auto-tls", "peer-auto-tls", "allowed-cn", "peer-cert-allowed-cn",
          "allowed-hostname", "peer-cert-allowed-hostname"));

  private static void put(Map<String, String> values, String key, JsonNode value) {
    EtcdFlag flag = EtcdFlag.find(key);
    if (value.isNull()) {
      return;
    }
    // etcd decodes the file into its Go config struct, where a duration is an integer of nanoseconds
    String text = flag.kind() == FlagKind.DURATION && value.isIntegralNumber()
        ? value.asText() + "ns" : scalar(key, value);
    try {
      flag.kind().check(key, text);
    } catch (FlagException e) {
      throw new ConfigException(e.getMessage());
    }
    values.put(key, text);
  }

  private static String scalar(String key, JsonNode value) {
    if (value.isArray()) {
      List<String> parts = new ArrayList<>();
      value.forEach(v -> parts.add(v.asText()));
      return String.join(",", parts);
    }
    if (value.isObject()) {
      throw new ConfigException("config file key \"" + key + "\" must be a scalar value");
    }
    return value.asText();
  }
}
