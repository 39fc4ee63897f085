package io.keyway.gateway.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.keyway.api.etcdserverpb.Compare;
import io.keyway.api.etcdserverpb.LeaseGrantRequest;
import io.keyway.api.etcdserverpb.Member;
import io.keyway.api.etcdserverpb.MemberListResponse;
import io.keyway.api.etcdserverpb.PutRequest;
import io.keyway.api.etcdserverpb.RangeRequest;
import io.keyway.api.etcdserverpb.RangeResponse;
import io.keyway.api.etcdserverpb.RequestOp;
import io.keyway.api.etcdserverpb.ResponseHeader;
import io.keyway.api.etcdserverpb.TxnRequest;
import io.keyway.api.mvccpb.KeyValue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The gateway's JSON rules (etcd 3.5, golang/protobuf jsonpb + grpc-gateway v1 JSONPb{OrigName}). */
class JsonCodecTest {

  private static RangeRequest range(String json) {
    return JsonCodec.merge(json.getBytes(StandardCharsets.UTF_8), RangeRequest.newBuilder()).build();
  }

  private static String rangeError(String json) {
    return assertThrows(JsonDecodeException.class, () -> range(json)).getMessage();
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void emptyBodyAndNullAreEmptyRequests() {
    assertEquals(RangeRequest.getDefaultInstance(), range(""));
    assertEquals(RangeRequest.getDefaultInstance(), range("null"));
    assertEquals(RangeRequest.getDefaultInstance(), range("{}"));
    assertEquals(RangeRequest.getDefaultInstance(), range("{\"key\":null}"));
  }

  @Test
  void acceptsProtoAndJsonNamesWithTheJsonNameWinning() {
    RangeRequest r = range("{\"key\":\"Zm9v\",\"range_end\":\"Zm9w\",\"countOnly\":true,\"keys_only\":true}");
    assertEquals(bytes("foo"), r.getKey());
    assertEquals(bytes("fop"), r.getRangeEnd());
    assertTrue(r.getCountOnly());
    assertTrue(r.getKeysOnly());
    assertEquals(bytes("b"), range("{\"range_end\":\"YQ==\",\"rangeEnd\":\"Yg==\"}").getRangeEnd());
    assertEquals(bytes("b"), range("{\"rangeEnd\":\"Yg==\",\"range_end\":\"YQ==\"}").getRangeEnd());
  }

  @Test
  void ignoresUnknownFieldsAndTrailingData() {
    assertEquals(bytes("foo"), range("{\"key\":\"Zm9v\",\"bogus\":[1,{\"x\":2}]} trailing").getKey());
  }

  @Test
  void int64AsNumberOrString() {
    assertEquals(5, range("{\"limit\":5}").getLimit());
    assertEquals(5, range("{\"limit\":\"5\"}").getLimit());
    assertEquals(-3, range("{\"revision\":\"-3\"}").getRevision());
    assertEquals(0, range("{\"limit\":\"null\"}").getLimit());
  }

  @Test
  void uint64AcceptsValuesAboveInt64() {
    Member m = JsonCodec.merge("{\"ID\":\"18446744073709551615\"}".getBytes(StandardCharsets.UTF_8),
        Member.newBuilder()).build();
    assertEquals(-1L, m.getID());
  }

  @Test
  void exactKeySpellingsMatter() {
    LeaseGrantRequest r = JsonCodec.merge("{\"ttl\":\"100\",\"id\":\"4242\",\"TTL\":7}"
        .getBytes(StandardCharsets.UTF_8), LeaseGrantRequest.newBuilder()).build();
    assertEquals(7, r.getTTL());
    assertEquals(0, r.getID());
  }

  @Test
  void enumsByNameOrNumber() {
    assertEquals(RangeRequest.SortOrder.DESCEND, range("{\"sort_order\":\"DESCEND\"}").getSortOrder());
    assertEquals(RangeRequest.SortOrder.DESCEND, range("{\"sort_order\":2}").getSortOrder());
    assertEquals(5, range("{\"sort_order\":5}").getSortOrderValue()); // accepted, as jsonpb does
  }

  @Test
  void nestedMessagesOneofsAndRepeatedFields() {
    TxnRequest t = JsonCodec.merge(("{\"compare\":[{\"key\":\"Zm9v\",\"target\":\"VALUE\",\"value\":\"YmFy\"}],"
        + "\"success\":[{\"request_put\":{\"key\":\"YQ==\",\"value\":\"MQ==\"}},null],"
        + "\"failure\":[{\"requestRange\":{\"key\":\"Yg==\"}}]}").getBytes(StandardCharsets.UTF_8),
        TxnRequest.newBuilder()).build();
    assertEquals(Compare.CompareTarget.VALUE, t.getCompare(0).getTarget());
    assertEquals(bytes("bar"), t.getCompare(0).getValue());
    assertEquals(PutRequest.newBuilder().setKey(bytes("a")).setValue(bytes("1")).build(),
        t.getSuccess(0).getRequestPut());
    assertEquals(RequestOp.getDefaultInstance(), t.getSuccess(1)); // null element = empty message
    assertEquals(bytes("b"), t.getFailure(0).getRequestRange().getKey());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"count_only\":\"true\"}|json: cannot unmarshal string into Go value of type bool",
      "{\"count_only\":1}|json: cannot unmarshal number into Go value of type bool",
      "{\"key\":\"Zm9vYg\"}|illegal base64 data at input byte 4",
      "{\"key\":\"_-8=\"}|illegal base64 data at input byte 0",
      "{\"key\":123}|json: cannot unmarshal number into Go value of type []uint8",
      "{\"key\":[300]}|json: cannot unmarshal number 300 into Go value of type uint8",
      "{\"limit\":1.5}|json: cannot unmarshal number 1.5 into Go value of type int64",
      "{\"limit\":\"1e2\"}|json: cannot unmarshal number 1e2 into Go value of type int64",
      "{\"limit\":\"abc\"}|invalid character 'a' looking for beginning of value",
      "{\"limit\":\"\"}|unexpected end of JSON input",
      "{\"limit\":true}|json: cannot unmarshal bool into Go value of type int64",
      "{\"limit\":{}}|json: cannot unmarshal object into Go value of type int64",
      "{\"limit\":99999999999999999999}|json: cannot unmarshal number 99999999999999999999 into Go value of type int64",
      "{\"sort_order\":1.5}|json: cannot unmarshal number 1.5 into Go value of type protoreflect.EnumNumber",
      "[]|json: cannot unmarshal array into Go value of type map[string]json.RawMessage",
      "\"str\"|json: cannot unmarshal string into Go value of type map[string]json.RawMessage",
      "7|json: cannot unmarshal number into Go value of type map[string]json.RawMessage",
  })
  void rejectsWhatEtcdRejects(String json, String message) {
    assertEquals(message, rangeError(json));
  }

  @Test
  void unknownEnumNameQuotesTheRawLiteral() {
    assertEquals("unknown value \"\\\"BOGUS\\\"\" for enum etcdserverpb.RangeRequest.SortOrder",
        rangeError("{\"sort_order\":\"BOGUS\"}"));
  }

  @Test
  void typeErrorsInNestedAndRepeatedFields() {
    String wrongList = assertThrows(JsonDecodeException.class, () -> JsonCodec.merge(
        "{\"success\":{}}".getBytes(StandardCharsets.UTF_8), TxnRequest.newBuilder())).getMessage();
    assertEquals("json: cannot unmarshal object into Go value of type []json.RawMessage", wrongList);
    String wrongMessage = assertThrows(JsonDecodeException.class, () -> JsonCodec.merge(
        "{\"success\":[{\"request_put\":5}]}".getBytes(StandardCharsets.UTF_8), TxnRequest.newBuilder())).getMessage();
    assertEquals("json: cannot unmarshal number into Go value of type map[string]json.RawMessage", wrongMessage);
    String unsigned = assertThrows(JsonDecodeException.class, () -> JsonCodec.merge(
        "{\"ID\":\"-1\"}".getBytes(StandardCharsets.UTF_8), Member.newBuilder())).getMessage();
    assertEquals("json: cannot unmarshal number -1 into Go value of type uint64", unsigned);
  }

  @Test
  void printsLikeEtcdsGateway() {
    RangeResponse r = RangeResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setClusterId(-1L).setMemberId(2).setRevision(4).setRaftTerm(2))
        .addKvs(KeyValue.newBuilder().setKey(bytes("foo")).setCreateRevision(2).setModRevision(3).setVersion(2)
            .setValue(bytes("baz")))
        .addKvs(KeyValue.newBuilder().setKey(bytes("empty")).setCreateRevision(4).setModRevision(4).setVersion(1))
        .setCount(2)
        .build();
    assertEquals("{\"header\":{\"cluster_id\":\"18446744073709551615\",\"member_id\":\"2\",\"revision\":\"4\","
        + "\"raft_term\":\"2\"},\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"3\","
        + "\"version\":\"2\",\"value\":\"YmF6\"},{\"key\":\"ZW1wdHk=\",\"create_revision\":\"4\","
        + "\"mod_revision\":\"4\",\"version\":\"1\"}],\"count\":\"2\"}", JsonCodec.print(r));
    assertEquals("{\"header\":{\"raft_term\":\"1\"},\"members\":[{\"ID\":\"7\",\"name\":\"a\","
            + "\"peerURLs\":[\"http://x:2380\"],\"isLearner\":true}]}",
        JsonCodec.print(MemberListResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRaftTerm(1))
            .addMembers(Member.newBuilder().setID(7).setName("a").addPeerURLs("http://x:2380").setIsLearner(true))
            .build()));
  }
}
