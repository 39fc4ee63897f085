package io.keyway.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A whole run: the machine, the settings, every row; serialised as bench/results/*.json. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Results {
  public String startedAt;
  public String finishedAt;
  public String mode;
  public Map<String, String> machine = new LinkedHashMap<>();
  public Map<String, Object> settings = new LinkedHashMap<>();
  public List<Row> rows = new ArrayList<>();
  /** Everything that makes the run fail: crashes, request errors, lost watch events. */
  public List<String> problems = new ArrayList<>();
}
