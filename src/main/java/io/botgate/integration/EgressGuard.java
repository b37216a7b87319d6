package io.botgate.integration;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Keeps integrations away from loopback, private, link-local and metadata addresses unless the
 * configuration allows them ({@code egress.allow}: {@code host}, {@code host:port} or CIDR entries).
 * Checked on the resolved address before each request, and again on the address actually connected to.
 */
public final class EgressGuard {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final List<String> hosts = new CopyOnWriteArrayList<>();
  private final List<Cidr> cidrs = new ArrayList<>();

  public EgressGuard(List<String> allow) {
    for (String raw : allow) {
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains("/")) {
        cidrs.add(Cidr.parse(entry));
      } else {
        hosts.add(entry);
      }
    }
  }

  /** Allows one more {@code host} or {@code host:port} (the gateway's own demo upstream). */
  public void permit(String hostOrHostPort) {
    hosts.add(hostOrHostPort.toLowerCase(Locale.ROOT));
  }

  /** Blocked: the message says which address and how to allow it. */
  public static final class Blocked extends RuntimeException {
    Blocked(String message) {
      super(message, null, false, false);
    }
  }

  /** Succeeds when every address the host resolves to may be reached; fails with {@link Blocked}. */
  public Future<Void> check(Vertx vertx, String host, int port) {
    String h = stripBrackets(host).toLowerCase(Locale.ROOT);
    if (hostAllowed(h, port)) {
      return Future.succeededFuture();
    }
    if (isLiteral(h)) {
      return verdict(h, port, resolveLiteral(h));
    }
    return vertx.executeBlocking(() -> InetAddress.getAllByName(h), false)
      .compose(addresses -> verdict(h, port, addresses));
  }

  /** Whether {@code host} or {@code host:port} is listed in {@code egress.allow} by name or address. */
  public boolean listed(String host, int port) {
    return hostAllowed(stripBrackets(host).toLowerCase(Locale.ROOT), port);
  }

  /** The synchronous check of an address already connected to. */
  public boolean allows(InetAddress address, int port) {
    return isPublic(address) || hostAllowed(address.getHostAddress(), port) || inCidr(address);
  }

  private Future<Void> verdict(String host, int port, InetAddress... addresses) {
    for (InetAddress a : addresses) {
      if (!allows(a, port)) {
        return Future.failedFuture(new Blocked("egress to " + host + (host.equals(a.getHostAddress()) ? "" :
          " (" + a.getHostAddress() + ")") + " is blocked: it is a " + kind(a)
          + " address; list it in egress.allow to permit it"));
      }
    }
    return Future.succeededFuture();
  }

  private boolean hostAllowed(String host, int port) {
    return hosts.contains(host) || hosts.contains(host + ":" + port);
  }

  private boolean inCidr(InetAddress address) {
    for (Cidr c : cidrs) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  static boolean isPublic(InetAddress a) {
    byte[] b = a.getAddress();
    boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
    boolean carrierNat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    return !(a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
      || a.isMulticastAddress() || uniqueLocalV6 || carrierNat);
  }

  private static String kind(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isLinkLocalAddress()) {
      return "link-local or cloud metadata";
    }
    return "private or reserved";
  }

  private static boolean isLiteral(String host) {
    return IPV4.matcher(host).matches() || host.contains(":");
  }

  private static InetAddress resolveLiteral(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private record Cidr(byte[] network, int bits) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      try {
        byte[] net = InetAddress.getByName(text.substring(0, slash)).getAddress();
        int bits = Integer.parseInt(text.substring(slash + 1));
        if (bits < 0 || bits > net.length * 8) {
          throw new IllegalArgumentException("egress.allow: '" + text + "' has a prefix length out of range");
        }
        return new Cidr(net, bits);
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException("egress.allow: '" + text + "' is not a CIDR such as 10.0.0.0/8");
      }
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);
        if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
