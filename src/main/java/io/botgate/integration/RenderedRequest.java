package io.botgate.integration;

import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Map;

/** A request ready to send: absolute URL, headers in order, optional body; and the form it may be shown in. */
record RenderedRequest(String url, List<Map.Entry<String, String>> headers, Buffer body, ShownRequest shown) {
}
