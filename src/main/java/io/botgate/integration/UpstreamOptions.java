package io.botgate.integration;

import io.vertx.core.json.JsonObject;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How upstreams are reached, for every integration: the mode used when a definition names none
 * ({@code upstream.mode}), where recorded mocks are kept ({@code upstream.mocksDir}) and the URL prefixes
 * replaced before a call ({@code upstream.rewrite}, as {@code baseUrls} at import: staging instead of production).
 */
public final class UpstreamOptions {

  public static final UpstreamMode DEFAULT_MODE = UpstreamMode.LIVE;
  public static final String DEFAULT_MOCKS_DIR = "conf/mocks";

  private final UpstreamMode mode;
  private final String mocksDir;
  /** Longest prefix first, so a more specific rule wins. */
  private final List<Map.Entry<String, String>> rewrite;

  public UpstreamOptions(UpstreamMode mode, String mocksDir, Map<String, String> rewrite) {
    this.mode = mode == null ? DEFAULT_MODE : mode;
    this.mocksDir = mocksDir;
    this.rewrite = rewrite.entrySet().stream().filter(e -> !e.getKey().isEmpty())
      .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed())
      .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
  }

  public static UpstreamOptions defaults() {
    return new UpstreamOptions(DEFAULT_MODE, DEFAULT_MOCKS_DIR, Map.of());
  }

  /**
   * From the settings' values.
   *
   * @throws IllegalArgumentException naming the key whose value is wrong
   */
  public static UpstreamOptions of(String mode, String mocksDir, JsonObject rewrite) {
    UpstreamMode m = UpstreamMode.parse(mode);
    if (mode != null && m == null) {
      throw new IllegalArgumentException("upstream.mode: '" + mode + "' is not one of live, mock, record");
    }
    Map<String, String> prefixes = new LinkedHashMap<>();
    if (rewrite != null) {
      rewrite.forEach(e -> {
        if (!(e.getValue() instanceof String to)) {
          throw new IllegalArgumentException("upstream.rewrite: the replacement of '" + e.getKey() + "' must be a string");
        }
        prefixes.put(e.getKey(), to);
      });
    }
    return new UpstreamOptions(m, mocksDir == null || mocksDir.isBlank() ? null : mocksDir, prefixes);
  }

  public UpstreamMode mode() {
    return mode;
  }

  /** The directory of recorded mocks, or null to keep them in memory only. */
  public String mocksDir() {
    return mocksDir;
  }

  /** The URL with its longest matching prefix replaced; the URL itself when none matches. */
  public String rewrite(String url) {
    for (Map.Entry<String, String> e : rewrite) {
      if (url.startsWith(e.getKey())) {
        return e.getValue() + url.substring(e.getKey().length());
      }
    }
    return url;
  }

  /** The request with its URL rewritten, as sent and as shown (the prefix is configuration, never a secret). */
  RenderedRequest rewrite(RenderedRequest request) {
    if (rewrite.isEmpty()) {
      return request;
    }
    String url = rewrite(request.url());
    if (url.equals(request.url())) {
      return request;
    }
    return new RenderedRequest(url, request.headers(), request.body(), request.shown().withUrl(rewrite(request.shown().url())));
  }
}
