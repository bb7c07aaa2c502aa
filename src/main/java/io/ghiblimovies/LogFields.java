package io.ghiblimovies;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.MDC;

/**
 * A log line's meaning as fields, beside its prose. With JSON logs on (the container images and the
 * Kubernetes manifest: {@code quarkus.log.console.json.enabled}) they are the line's {@code mdc}
 * object, e.g. {@code {"event": "refresh-failed", "trouble": "timeout", "fetchedAt": "..."}}; plain
 * text at a terminal leaves them out. Set for the lines logged inside a try-with-resources block:
 * <pre>
 * try (LogFields fields = LogFields.of("refresh-failed", "trouble", kind)) {
 *     Log.warnf(...);
 * }
 * </pre>
 * {@code event} names the kind of line, the same in every version; a field whose value is null is
 * left out. The replica is the JSON line's own {@code hostName} (the pod's name in Kubernetes).
 */
public final class LogFields implements AutoCloseable {

    /** Each field set here, with the value it had before (null: none), put back on close. */
    private final Map<String, Object> before = new LinkedHashMap<>();

    private LogFields() {
    }

    /** {@code event}, then pairs of a field's name and its value. */
    public static LogFields of(String event, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("a field's name without its value");
        }
        LogFields fields = new LogFields();
        fields.put("event", event);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return fields;
    }

    private void put(String name, Object value) {
        if (value != null && !before.containsKey(name)) {
            before.put(name, MDC.get(name));
            MDC.put(name, value.toString());
        }
    }

    @Override
    public void close() {
        before.forEach((name, value) -> {
            if (value == null) {
                MDC.remove(name);
            } else {
                MDC.put(name, value);
            }
        });
    }
}
