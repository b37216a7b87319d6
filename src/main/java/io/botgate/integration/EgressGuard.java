package io.botgate.integration;

import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps integrations away from loopback, private, link-local and metadata addresses unless the
 * configuration allows them ({@code egress.allow}: {@code host}, {@code host:port} or CIDR entries, where a
 * host is a name or an address; an IPv6 address with or without brackets, with a port in brackets only:
 * {@code ::1}, {@code [::1]}, {@code [::1]:8080}). An IPv6 address is compared as an address, whichever way it is
 * written ({@code [0:0::1]} is {@code ::1}). A name is resolved once, here, and the call connects to the very address
 * that was checked ({@link #resolve}): no second lookup can swap in another (DNS rebinding), and a listed
 * name is compared as a name, whatever private address it resolves to. The gateway's own server is open to
 * integrations only on its demo path ({@link #own}).
 */
public final class EgressGuard {

  /** Any port. */
  private static final int ANY = -1;

  private final Set<Listed> hosts = ConcurrentHashMap.newKeySet();
  private final List<Cidr> cidrs = new ArrayList<>();
  private volatile Own own;

  public EgressGuard(List<String> allow) {
    for (String raw : allow) {
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.contains("/")) {
        cidrs.add(Cidr.parse(entry));
      } else {
        hosts.add(Listed.parse(entry));
      }
    }
  }

  /**
   * Names the gateway's own HTTP server, {@code host:port}: whatever {@code egress.allow} says, calls there may
   * reach only {@code openPath} and below (the demo upstream; none when null), never the API, where an
   * integration calling itself would run without end. With an open path the address is allowed for it.
   * {@code everyInterface}: the gateway listens on every interface (0.0.0.0 or ::), so a call to any of the
   * machine's own addresses on its port reaches it too.
   */
  public void own(String host, int port, String openPath, boolean everyInterface) {
    InetAddress bound;
    try {
      bound = InetAddress.getByName(stripBrackets(host)); // an address literal: no look-up
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("the gateway's own address '" + host + "' is not an address", e);
    }
    own = new Own(bound, port, openPath, everyInterface);
    if (openPath != null) {
      hosts.add(new Listed(key(host), port));
    }
  }

  /**
   * Why a call to {@code address:port} for {@code rawPath} may not go, or null when it may: refused when it
   * reaches the gateway itself outside the open path. A path that is not plainly letters, digits, {@code -},
   * {@code _} and slashes (a dot or an escape could climb out of the open path once the server reads it) is
   * refused there too.
   */
  public Blocked ownRefusal(InetAddress address, int port, String rawPath) {
    Own self = own;
    if (self == null || port != self.port()
      || !(address.isLoopbackAddress() || address.isAnyLocalAddress() || address.equals(self.bound())
        || self.everyInterface() && local(address))) {
      return null;
    }
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    if (self.openPath() != null && (path.equals(self.openPath()) || path.startsWith(self.openPath() + "/"))
      && plain(path)) {
      return null;
    }
    return new Blocked("egress to " + address.getHostAddress() + ":" + port + " is blocked: it is this gateway, "
      + (self.openPath() == null ? "which integrations may not call"
        : "where integrations may reach only " + self.openPath() + "/")
      + " (an integration calling the gateway's API could call itself without end)");
  }

  /** {@link #ownRefusal(InetAddress, int, String)} for {@code host}, or the address it was resolved to when not null. */
  public Blocked ownRefusal(String host, InetAddress resolved, int port, String rawPath) {
    Own self = own;
    if (self == null || port != self.port()) {
      return null; // most calls: another port, so not the gateway; nothing to parse
    }
    if (resolved != null) {
      return ownRefusal(resolved, port, rawPath);
    }
    try {
      return ownRefusal(InetAddress.getByName(stripBrackets(host)), port, rawPath); // a literal: no look-up
    } catch (UnknownHostException e) {
      return null; // not an address: the call fails on its own
    }
  }

  /** Whether {@code address} is one of this machine's (looked up only for a call on the gateway's own port). */
  private static boolean local(InetAddress address) {
    try {
      return java.net.NetworkInterface.getByInetAddress(address) != null;
    } catch (java.net.SocketException e) {
      return false;
    }
  }

  private static boolean plain(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (!(c == '/' || c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private record Own(InetAddress bound, int port, String openPath, boolean everyInterface) {
  }

  /** Blocked: the message says which address and how to allow it. */
  public static final class Blocked extends RuntimeException {
    Blocked(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Succeeds when every address the host resolves to may be reached; fails with {@link Blocked}. Enough
   * for an address literal; for a name, connect to what {@link #resolve} gives instead.
   */
  public Future<Void> check(Vertx vertx, String host, int port) {
    String h = stripBrackets(host).toLowerCase(Locale.ROOT);
    if (hostAllowed(h, port)) {
      return Future.succeededFuture();
    }
    if (isLiteral(h)) {
      return literalVerdict(h, port, false).mapEmpty();
    }
    return resolve(vertx, h, port).mapEmpty();
  }

  /**
   * The address to connect to for {@code host}: its first address, once every address it resolves to may
   * be reached (the name is listed in {@code egress.allow}, with or without this port, or each address is
   * public or listed). The address carries no name, so connection errors never quote it.
   */
  public Future<InetAddress> resolve(Vertx vertx, String host, int port) {
    String h = stripBrackets(host).toLowerCase(Locale.ROOT);
    boolean listed = hostAllowed(h, port);
    if (isLiteral(h)) {
      return literalVerdict(h, port, listed);
    }
    return vertx.executeBlocking(() -> InetAddress.getAllByName(h), false)
      .compose(addresses -> verdict(h, port, listed, addresses));
  }

  /** Whether {@code host} or {@code host:port} is listed in {@code egress.allow} by name or address. */
  public boolean listed(String host, int port) {
    return hostAllowed(stripBrackets(host).toLowerCase(Locale.ROOT), port);
  }

  /** The synchronous check of an address already connected to. */
  public boolean allows(InetAddress address, int port) {
    return isPublic(address) || hostAllowed(NetUtil.toAddressString(address), port) || inCidr(address);
  }

  /** The check of an address reached through {@code host}: allowed by the name or by the address. */
  public boolean allows(String host, InetAddress address, int port) {
    return hostAllowed(stripBrackets(host).toLowerCase(Locale.ROOT), port) || allows(address, port);
  }

  private Future<InetAddress> verdict(String host, int port, boolean listed, InetAddress... addresses) {
    if (!listed) {
      for (InetAddress a : addresses) {
        if (!allows(a, port)) {
          return Future.failedFuture(new Blocked("egress to " + host + (host.equals(a.getHostAddress()) ? "" :
            " (" + a.getHostAddress() + ")") + " is blocked: it is a " + kind(a)
            + " address; list " + host + " (or " + withPort(host, port) + ") in egress.allow to permit it"));
        }
      }
    }
    try {
      return Future.succeededFuture(InetAddress.getByAddress(addresses[0].getAddress()));
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
  }

  private boolean hostAllowed(String host, int port) {
    String key = key(host);
    return hosts.contains(new Listed(key, ANY)) || hosts.contains(new Listed(key, port));
  }

  /**
   * How a host is compared: a name lower-cased; an IPv6 address without brackets or zone, in its shortest form
   * ({@code [0:0:0:0:0:0:0:1]} and {@code ::1} are one address, as is {@code ::ffff:10.0.0.1} and {@code
   * 10.0.0.1}), as the address connected to is written ({@link #allows(InetAddress, int)}).
   */
  static String key(String host) {
    String h = stripBrackets(host.trim()).toLowerCase(Locale.ROOT);
    if (h.indexOf(':') < 0) {
      return h;
    }
    int zone = h.indexOf('%');
    String literal = zone < 0 ? h : h.substring(0, zone);
    if (!NetUtil.isValidIpV6Address(literal)) {
      return h;
    }
    try {
      // Java's reading, as the guard's own of a URL's host: Netty's took ::127.0.0.1 (IPv4-compatible) for 127.0.0.1
      return NetUtil.toAddressString(InetAddress.getByName(literal)); // a valid literal: no look-up
    } catch (UnknownHostException e) {
      return h;
    }
  }

  /** {@code host:port} as egress.allow takes it: an IPv6 address in brackets. */
  private static String withPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** A host of {@code egress.allow} ({@link #key}), on one port or {@link #ANY}. */
  private record Listed(String host, int port) {
    /**
     * {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; an IPv6 address without brackets is an
     * address on any port ({@code ::1:8080} is the address 0::1:8080, never ::1 on port 8080).
     */
    static Listed parse(String entry) {
      if (entry.startsWith("[") && entry.indexOf(']') > 0) {
        int close = entry.indexOf(']');
        String rest = entry.substring(close + 1);
        return new Listed(key(entry.substring(0, close + 1)), rest.startsWith(":") ? port(rest.substring(1)) : ANY);
      }
      int colon = entry.indexOf(':');
      if (colon >= 0 && colon == entry.lastIndexOf(':')) {
        return new Listed(key(entry.substring(0, colon)), port(entry.substring(colon + 1)));
      }
      return new Listed(key(entry), ANY);
    }

    private static int port(String text) {
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("egress.allow: '" + text + "' is not a port", e);
      }
    }
  }

  private boolean inCidr(InetAddress address) {
    for (Cidr c : cidrs) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  static boolean isLiteral(String host) {
    String h = stripBrackets(host);
    return isIpv4(h) || h.contains(":");
  }

  /** Four groups of one to three ASCII digits split by dots ({@code \\d{1,3}(\\.\\d{1,3}){3}}), with no regex per call. */
  public static boolean isIpv4(String h) {
    int groups = 0;
    int digits = 0;
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (c >= '0' && c <= '9') {
        if (++digits > 3) {
          return false;
        }
      } else if (c == '.' && digits > 0 && groups < 3) {
        groups++;
        digits = 0;
      } else {
        return false;
      }
    }
    return groups == 3 && digits > 0;
  }

  static boolean isPublic(InetAddress a) {
    InetAddress carried = carriedIpv4(a);
    if (carried != null && !isPublic(carried)) {
      return false;
    }
    byte[] b = a.getAddress();
    boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
    boolean carrierNat = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    return !(a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
      || a.isMulticastAddress() || uniqueLocalV6 || carrierNat || specialPurpose(b));
  }

  /**
   * IANA's special-purpose ranges that no public host is in, beyond the private, loopback, link-local and multicast
   * ones Java names: "this network" 0/8, protocol assignments 192.0.0/24, documentation 192.0.2/24, 198.51.100/24,
   * 203.0.113/24 and 2001:db8::/32, benchmarking 198.18/15 and 2001:2::/48 (a network's own services may sit there:
   * an outside probe reached one), reserved 240/4 with the broadcast address and ::/8, local-use NAT64 64:ff9b:1::/48.
   */
  private static boolean specialPurpose(byte[] b) {
    if (b.length == 16) {
      boolean in2001 = (b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01;
      boolean localNat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0
        && b[5] == 1; // 64:ff9b:1::/48, RFC 8215: a network's own translator, to its private IPv4 addresses too
      return b[0] == 0 // ::/8, reserved: IPv4-translated ::ffff:0:a.b.c.d (SIIT) and the like, never a public host
        || localNat64 || in2001 && ((b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8 // documentation
        || b[2] == 0 && (b[3] & 0xff) == 0x02 && b[4] == 0 && b[5] == 0); // benchmarking
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    int third = b[2] & 0xff;
    return first == 0 || first >= 240 || first == 198 && (second & 0xfe) == 18
      || first == 192 && second == 0 && (third == 0 || third == 2) || first == 198 && second == 51 && third == 100
      || first == 203 && second == 0 && third == 113;
  }

  /**
   * The IPv4 address an IPv6 one carries and a host may route to: IPv4-compatible ({@code ::a.b.c.d}, with
   * {@code ::} and {@code ::1} themselves left to their own kinds), NAT64 ({@code 64:ff9b::a.b.c.d}) or 6to4
   * ({@code 2002:aabb:ccdd::}); null for any other. (IPv4-mapped {@code ::ffff:a.b.c.d} is an IPv4 address in
   * Java already.)
   */
  static InetAddress carriedIpv4(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length != 16) {
      return null;
    }
    int from = -1;
    if (zeros(b, 0, 12) && !zeros(b, 12, 15)) {
      from = 12;
    } else if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && zeros(b, 4, 12)) {
      from = 12;
    } else if (b[0] == 0x20 && b[1] == 0x02) {
      from = 2;
    }
    if (from < 0) {
      return null;
    }
    try {
      return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, from, from + 4));
    } catch (UnknownHostException e) {
      return null; // four bytes always make an address
    }
  }

  private static boolean zeros(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
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

  /**
   * The verdict on an address literal. One can still fail to parse (an IPv6 zone this machine has no interface
   * for): a failure of the call, as a failed look-up is, not an error of the gateway.
   */
  private Future<InetAddress> literalVerdict(String host, int port, boolean listed) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
    return verdict(host, port, listed, address);
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
