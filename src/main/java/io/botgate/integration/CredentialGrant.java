package io.botgate.integration;

import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.client.WebClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What a credential adds to one upstream request: headers (Basic, a token, an OAuth 2.0 bearer), the secret
 * texts they carry (masked wherever the request or an answer quoting it is shown, as {@code {$env.*}} values
 * are), and, for a client certificate, the client to send with.
 *
 * @param credential the credential's name, for messages
 * @param secrets    every text to hide: header values and what they are made of
 * @param httpClient the client holding the certificate, or null to use the gateway's own
 * @param webClient  the same client wrapped as a Web Client, or null
 * @param renewable  whether a 401 is worth one renewal and one more attempt (an OAuth 2.0 token)
 */
public record CredentialGrant(String credential, List<Map.Entry<String, String>> headers, List<String> secrets,
                              HttpClient httpClient, WebClient webClient, boolean renewable) {

  public CredentialGrant {
    headers = List.copyOf(headers);
    secrets = List.copyOf(secrets);
  }

  /** The {@code Authorization} value URL user info stands for: Basic, of the user info percent-decoded. */
  public static String basicOf(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The texts a Basic {@code Authorization} of {@code user:password} puts in a request, to hide wherever it may be
   * echoed: the header's value, its Base64 part, the password and the user.
   */
  public static List<String> basicSecrets(String userInfo) {
    String header = basicOf(userInfo);
    int colon = userInfo.indexOf(':');
    return colon < 0 ? List.of(header, header.substring(6), userInfo)
      : List.of(header, header.substring(6), userInfo.substring(colon + 1), userInfo.substring(0, colon));
  }
}
