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
      EtcdFlag flag = EtcdFlag.find(key);
      if (flag == null) {
        warnings.add("unknown key \"" + key + "\" in config file " + path + " ignored");
        continue;
      }
      JsonNode value = field.getValue();
      if (value.isNull()) {
        continue;
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
    return values;
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
