package io.botgate.integration;

import io.botgate.events.SecretMask;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Definitions as {@code GET /api/integrations} shows them, and back: secrets written into a definition
 * (URL user info, values under secret-looking header, query and body names, in the definition and in its
 * mocks' headers, match query and body) are shown as the mask, while
 * placeholders such as {@code Bearer {$env.TOKEN}} stay readable. A PUT that sends a masked value back
 * unchanged keeps the stored secret; a mask anywhere else a secret would be is refused, so the mask can
 * never silently replace a real secret.
 */
public final class DefinitionMask {

  /** What may stand beside placeholders in a shown secret: an auth scheme, or ':' between user and password. */
  private static final Pattern REFERENCE_ONLY = Pattern.compile("(?i)\\s*(bearer|basic|token|digest|bot|apikey)?\\s*:?\\s*");
  /** Stands in for the mask while checking whether masking would hide it: a private-use character. */
  private static final String PROBE = "\uE000";

  private final SecretMask mask;

  public DefinitionMask(SecretMask mask) {
    this.mask = mask;
  }

  /** The definition with its written-in secrets masked. */
  public JsonObject show(JsonObject definition) {
    JsonObject out = definition.copy();
    if (out.getValue("url") instanceof String url) {
      out.put("url", url(url));
    }
    pairs(out.getValue("headers"));
    pairs(out.getValue("query"));
    body(out);
    if (out.getValue("mocks") instanceof JsonArray mocks) {
      for (Object m : mocks) {
        if (m instanceof JsonObject mock) {
          pairs(mock.getValue("headers"));
          if (mock.getValue("match") instanceof JsonObject match) {
            pairs(match.getValue("query"));
          }
          body(mock);
        }
      }
    }
    return out;
  }

  /** Values under secret-looking names masked in place (headers, a query), references to secrets aside. */
  private void pairs(Object node) {
    if (node instanceof JsonObject pairs) {
      for (String name : new ArrayList<>(pairs.fieldNames())) {
        if (pairs.getValue(name) instanceof String v && mask.isSecret(name) && !referenceOnly(v)) {
          pairs.put(name, SecretMask.MASK);
        }
      }
    }
  }

  /** The {@code body} of a definition or a mock with its secret-named fields masked in place. */
  private void body(JsonObject holder) {
    Object body = holder.getValue("body");
    if (body instanceof String text) {
      holder.put("body", mask.text(text, DefinitionMask::referenceOnly));
    } else if (body instanceof JsonObject || body instanceof JsonArray) {
      holder.put("body", json(body, false));
    }
  }

  /**
   * The definition a PUT stores: each value sent back exactly as {@link #show} showed the stored one is
   * that stored value again — only while the URL still targets the same scheme, host and port, so a PUT
   * can never send a stored secret to a host of its own choosing.
   *
   * @param stored the stored definition's JSON, null when there is none
   * @throws DefinitionException when the mask still stands where a secret would be
   */
  public JsonObject restore(String name, JsonObject incoming, JsonObject stored) {
    boolean sameTarget = stored != null && incoming.getValue("url") instanceof String url
      && target(url).equals(target(stored.getString("url", "")));
    JsonObject restored = sameTarget ? (JsonObject) restore(incoming, show(stored), stored) : incoming;
    if (!sameTarget && stored != null && incoming.getValue("mocks") != null) {
      // A mock's values are never sent anywhere: they are kept whatever the URL targets now.
      restored = restored.copy().put("mocks", restore(incoming.getValue("mocks"), show(stored).getValue("mocks"),
        stored.getValue("mocks")));
    }
    List<DefinitionException.Problem> problems = new ArrayList<>();
    JsonObject probed = (JsonObject) probe(restored);
    // A mask in a mock is taken as written, not refused: in match.query it matches any value, and a recorded
    // mock pasted into a definition holds it in its headers and body; a mock sends nothing to the network.
    probed.remove("mocks");
    findHiddenProbes(probed, show(probed), "", name, problems);
    if (!problems.isEmpty()) {
      throw new DefinitionException("integration '" + name + "' is invalid", problems);
    }
    return restored;
  }

  /** The scheme and authority of a URL template, user info aside, as written: where its secrets would go. */
  static String target(String url) {
    String u = SecretMask.withoutUserInfo(url);
    int scheme = u.indexOf("://");
    int end = scheme < 0 ? 0 : scheme + 3;
    while (end < u.length() && "/?#".indexOf(u.charAt(end)) < 0) {
      end++;
    }
    return u.substring(0, end).toLowerCase(Locale.ROOT);
  }

  /** A definition's URL as {@link #show} shows it: user info and secret-looking query values masked. */
  public String url(String url) {
    int[] userInfo = SecretMask.userInfo(url);
    if (userInfo != null && !referenceOnly(url.substring(userInfo[0], userInfo[1]))) {
      url = url.substring(0, userInfo[0]) + SecretMask.MASK + url.substring(userInfo[1]);
    }
    return mask.query(url, DefinitionMask::referenceOnly);
  }

  private Object json(Object node, boolean secret) {
    if (node instanceof JsonObject obj) {
      JsonObject out = new JsonObject();
      obj.forEach(e -> out.put(e.getKey(), json(e.getValue(), secret || mask.isSecret(e.getKey()))));
      return out;
    }
    if (node instanceof JsonArray arr) {
      JsonArray out = new JsonArray();
      arr.forEach(v -> out.add(json(v, secret)));
      return out;
    }
    if (secret && (node instanceof Number || node instanceof String s && !referenceOnly(s))) {
      return SecretMask.MASK;
    }
    return node;
  }

  /** Only placeholders (and an auth scheme): a reference to a secret kept elsewhere, safe to show. */
  static boolean referenceOnly(String value) {
    return REFERENCE_ONLY.matcher(Template.withoutPlaceholders(value)).matches();
  }

  private static Object restore(Object in, Object shown, Object stored) {
    if (in instanceof JsonObject obj && shown instanceof JsonObject s && stored instanceof JsonObject st) {
      JsonObject out = new JsonObject();
      obj.forEach(e -> out.put(e.getKey(), restore(e.getValue(), s.getValue(e.getKey()), st.getValue(e.getKey()))));
      return out;
    }
    if (in instanceof JsonArray arr && shown instanceof JsonArray s && stored instanceof JsonArray st
      && s.size() == st.size()) {
      // An element sent back as shown is its stored self wherever it moved (mocks reordered, one removed); an
      // element changed is matched by its place only while the array keeps its length (edited in place), so a
      // mask never takes the secret of an element that moved into its place: it stays as written.
      boolean[] taken = new boolean[s.size()];
      int[] from = new int[arr.size()];
      for (int i = 0; i < arr.size(); i++) {
        from[i] = -1;
        for (int j = 0; j < s.size() && from[i] < 0; j++) {
          if (!taken[j] && Objects.equals(arr.getValue(i), s.getValue(j))) {
            from[i] = j;
            taken[j] = true;
          }
        }
      }
      JsonArray out = new JsonArray();
      for (int i = 0; i < arr.size(); i++) {
        int j = from[i] >= 0 ? from[i] : arr.size() == s.size() && !taken[i] ? i : -1;
        out.add(j >= 0 ? restore(arr.getValue(i), s.getValue(j), st.getValue(j)) : arr.getValue(i));
      }
      return out;
    }
    return in != null && in.equals(shown) && !Objects.equals(shown, stored) ? stored : in;
  }

  /** Every mask in a string replaced by the probe character, which masking hides like any secret text. */
  private static Object probe(Object node) {
    if (node instanceof JsonObject obj) {
      JsonObject out = new JsonObject();
      obj.forEach(e -> out.put(e.getKey(), probe(e.getValue())));
      return out;
    }
    if (node instanceof JsonArray arr) {
      JsonArray out = new JsonArray();
      arr.forEach(v -> out.add(probe(v)));
      return out;
    }
    return node instanceof String s && s.contains(SecretMask.MASK) ? s.replace(SecretMask.MASK, PROBE) : node;
  }

  private static void findHiddenProbes(Object probed, Object shown, String path, String name,
                                       List<DefinitionException.Problem> problems) {
    if (probed instanceof JsonObject obj && shown instanceof JsonObject s) {
      for (Map.Entry<String, Object> e : obj) {
        findHiddenProbes(e.getValue(), s.getValue(e.getKey()), path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
          name, problems);
      }
    } else if (probed instanceof JsonArray arr && shown instanceof JsonArray s) {
      for (int i = 0; i < arr.size() && i < s.size(); i++) {
        findHiddenProbes(arr.getValue(i), s.getValue(i), path + "[" + i + "]", name, problems);
      }
    } else if (probed instanceof String p && p.contains(PROBE)
      && !(shown instanceof String s && count(s) == count(p))) {
      problems.add(new DefinitionException.Problem(name, path, "holds the mask '" + SecretMask.MASK
        + "' where a secret goes; send the real value, or the value exactly as GET showed it to keep the stored one"));
    }
  }

  private static int count(String s) {
    int n = 0;
    for (int i = s.indexOf(PROBE); i >= 0; i = s.indexOf(PROBE, i + 1)) {
      n++;
    }
    return n;
  }
}
