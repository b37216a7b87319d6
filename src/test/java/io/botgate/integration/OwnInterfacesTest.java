package io.botgate.integration;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A gateway listening on every interface is itself at every address of the machine, not only on loopback. */
class OwnInterfacesTest {

  /** One of this machine's addresses that is not loopback, if it has one. */
  private static Optional<InetAddress> otherLocalAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void shouldRefuseTheGatewaysApiAtAnyOfTheMachinesAddressesWhenItListensOnEveryInterface() throws Exception {
    Optional<InetAddress> lan = otherLocalAddress();
    assumeTrue(lan.isPresent(), "this machine has no address but loopback");
    EgressGuard everywhere = new EgressGuard(List.of());
    everywhere.own("127.0.0.1", 8080, "/demo", true);
    EgressGuard loopbackOnly = new EgressGuard(List.of());
    loopbackOnly.own("127.0.0.1", 8080, "/demo", false);

    assertThat(everywhere.ownRefusal(lan.get(), 8080, "/api/sessions/s/integrations/x")).isNotNull();
    assertThat(everywhere.ownRefusal(lan.get(), 8080, "/demo/faq")).isNull();
    assertThat(everywhere.ownRefusal(lan.get(), 9090, "/api/sessions/s/integrations/x")).isNull();
    assertThat(loopbackOnly.ownRefusal(lan.get(), 8080, "/api/sessions/s/integrations/x")).isNull();
  }
}
