package io.botgate;

import io.netty.util.NetUtil;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The syntax of the hosts settings name ({@code http.host}, {@code cluster.members}, {@code egress.allow}...):
 * a name, an IPv4 address or an IPv6 one, with a port where the setting takes one. Checked before anything uses
 * them, without a look-up: a value that is none of these was taken as a name and failed later, far from its key
 * ({@code cluster.members=a:b:c} passed as "an IPv6 address" and failed inside Hazelcast), or never matched.
 */
public final class HostPort {

  /** Letters (any script), digits, dots, hyphens and underscores: what a host name or an IPv4 address holds. */
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}._-]+");

  private static final String NOT_HOST_AND_PORT = "is not host or host:port (a name or an address, and a port from 1 "
    + "to 65535; an IPv6 address with a port in brackets: [::1]:5701)";

  private HostPort() {
  }

  /** What is wrong with {@code text} as a host without a port; empty when it is one. */
  public static Optional<String> hostProblem(String text) {
    String host = text.trim();
    if (host.isEmpty()) {
      return Optional.of("is blank: give a host name or address, such as 127.0.0.1");
    }
    if (isHost(host)) {
      return Optional.empty();
    }
    int colon = host.lastIndexOf(':');
    boolean withPort = colon > 0 && host.indexOf(':') == colon && host.substring(colon + 1).matches("[0-9]+");
    return Optional.of(withPort ? "holds a port: give the host alone (the port is a setting of its own)"
      : "is not a host name or address, such as 127.0.0.1, localhost or ::1");
  }

  /** What is wrong with {@code text} as {@code host} or {@code host:port} ({@code [v6]:port}); empty when nothing. */
  public static Optional<String> hostAndPortProblem(String text) {
    String entry = text.trim();
    String host = entry;
    String port = null;
    if (entry.startsWith("[") && entry.contains("]")) {
      host = entry.substring(0, entry.indexOf(']') + 1);
      String rest = entry.substring(host.length());
      if (!rest.isEmpty() && !rest.startsWith(":")) { // "[::1]8080": a port follows a colon, as in a URL
        return Optional.of(NOT_HOST_AND_PORT);
      }
      port = rest.isEmpty() ? null : rest.substring(1);
    } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
      host = entry.substring(0, entry.indexOf(':'));
      port = entry.substring(entry.indexOf(':') + 1);
    }
    if (!isHost(host)) {
      return Optional.of(NOT_HOST_AND_PORT);
    }
    if (port != null && !(port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535)) {
      return Optional.of("has no valid port: a port is from 1 to 65535");
    }
    return Optional.empty();
  }

  /** A name, an IPv4 address, or an IPv6 address with or without brackets. */
  private static boolean isHost(String host) {
    if (host.startsWith("[") && host.endsWith("]")) {
      return NetUtil.isValidIpV6Address(host.substring(1, host.length() - 1));
    }
    return host.indexOf(':') >= 0 ? NetUtil.isValidIpV6Address(host) : NAME.matcher(host).matches();
  }
}
