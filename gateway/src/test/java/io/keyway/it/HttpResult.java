package io.keyway.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpHeaders;

/** Status, headers and raw body of one HTTP exchange. */
record HttpResult(int status, HttpHeaders headers, String body) {

  JsonNode json() {
    return Json.parse(body);
  }

  String header(String name) {
    return headers.firstValue(name).orElse(null);
  }

  @Override
  public String toString() {
    return status + " " + body;
  }
}
