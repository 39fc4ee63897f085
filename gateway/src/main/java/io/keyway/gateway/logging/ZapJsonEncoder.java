package io.keyway.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line, shaped as etcd's zap logger writes them:
 * {@code {"level":"info","ts":"2026-12-05T23:19:03.831561Z","caller":"gateway/KeywayServer.java:120",
 * "msg":"...", <key-value pairs>}}. A throwable becomes an {@code "error"} field (its text); only ERROR lines
 * carry a {@code "stacktrace"}, as zap's production config does, so a client's bad request never logs one.
 */
public final class ZapJsonEncoder extends EncoderBase<ILoggingEvent> {
  /** zap's etcd time format ("2006-01-02T15:04:05.000000Z0700"), in UTC. */
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);
  private static final byte[] NEWLINE = {'\n'};
  private static final JsonFactory JSON = new JsonFactory();

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("level", level(event.getLevel()));
      json.writeStringField("ts", TS.format(event.getInstant()));
      json.writeStringField("caller", caller(event));
      json.writeStringField("msg", event.getFormattedMessage());
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair kv : event.getKeyValuePairs()) {
          json.writeFieldName(kv.key);
          writeValue(json, kv.value);
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("error", errorText(thrown));
        if (event.getLevel().isGreaterOrEqual(Level.ERROR) && thrown instanceof ThrowableProxy proxy) {
          json.writeStringField("stacktrace", stackTrace(proxy.getThrowable()));
        }
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes(NEWLINE);
    return out.toByteArray();
  }

  private static String level(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> "error";
      case Level.WARN_INT -> "warn";
      case Level.INFO_INT -> "info";
      default -> "debug";
    };
  }

  /** zap's short caller: the last package element and the file, with the line ({@code raft/KeywayNode.java:88}). */
  private static String caller(ILoggingEvent event) {
    StackTraceElement[] callers = event.getCallerData();
    if (callers == null || callers.length == 0) {
      return shortName(event.getLoggerName());
    }
    StackTraceElement at = callers[0];
    String cls = at.getClassName();
    int lastDot = cls.lastIndexOf('.');
    String pkg = lastDot < 0 ? "" : cls.substring(0, lastDot);
    String dir = pkg.substring(pkg.lastIndexOf('.') + 1);
    String file = at.getFileName() != null ? at.getFileName() : cls.substring(lastDot + 1) + ".java";
    return (dir.isEmpty() ? "" : dir + "/") + file + ":" + at.getLineNumber();
  }

  /** Without caller data, the logger's class in the same short form, without the line. */
  private static String shortName(String loggerName) {
    int dot = loggerName.lastIndexOf('.');
    if (dot < 0) {
      return loggerName;
    }
    int before = loggerName.lastIndexOf('.', dot - 1);
    return loggerName.substring(before + 1, dot) + "/" + loggerName.substring(dot + 1);
  }

  private static String errorText(IThrowableProxy thrown) {
    String message = thrown.getMessage();
    return message == null ? thrown.getClassName() : message;
  }

  private static String stackTrace(Throwable t) {
    StringWriter text = new StringWriter();
    t.printStackTrace(new PrintWriter(text));
    return text.toString().stripTrailing();
  }

  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Boolean b) {
      json.writeBoolean(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      json.writeNumber(((Number) value).doubleValue());
    } else {
      json.writeString(value.toString());
    }
  }
}
