package io.keyway.openapi;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The schemas are strict enough to catch what a wrong gateway would write. */
class ContractValidatorTest {
  private static final String RANGE = "#/components/schemas/etcdserverpbRangeResponse";
  private final ContractValidator contract =
      new ContractValidator(Path.of(System.getProperty("keyway.openapi.file", "keyway-openapi.json")));

  ContractValidatorTest() throws Exception {}

  @Test
  void etcdsOwnBodyConforms() {
    assertNull(contract.violations(RANGE, "{\"header\":{\"cluster_id\":\"14841639068965178418\",\"member_id\":"
        + "\"10276657743932975437\",\"revision\":\"3\",\"raft_term\":\"2\"},\"kvs\":[{\"key\":\"Zm9v\","
        + "\"create_revision\":\"2\",\"mod_revision\":\"3\",\"version\":\"2\",\"value\":\"YmFy\"}],\"count\":\"1\"}"));
  }

  @Test
  void int64AsANumberIsRejected() {
    assertNotNull(contract.violations(RANGE, "{\"count\":1}"));
  }

  @Test
  void camelCaseOrUnknownFieldsAreRejected() {
    assertNotNull(contract.violations(RANGE, "{\"kvs\":[{\"key\":\"Zm9v\",\"createRevision\":\"2\"}]}"));
  }

  @Test
  void bytesMustBeBase64() {
    assertNotNull(contract.violations(RANGE, "{\"kvs\":[{\"key\":\"not base64!\"}]}"));
  }

  @Test
  void enumsAreNames() {
    assertNotNull(contract.violations("#/components/schemas/mvccpbEvent", "{\"type\":1}"));
    assertNull(contract.violations("#/components/schemas/mvccpbEvent", "{\"type\":\"DELETE\"}"));
  }
}
