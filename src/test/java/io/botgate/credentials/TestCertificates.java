package io.botgate.credentials;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Certificates made for a test with the JDK's keytool (EC keys: fast), handed out as PEM. */
final class TestCertificates {

  /** A certificate and its PKCS#8 key, PEM-encoded. */
  record Pem(String cert, String key) {
  }

  private TestCertificates() {
  }

  /**
   * A self-signed certificate for {@code cn}, valid for 127.0.0.1 and localhost.
   *
   * @param startDate keytool's -startdate ("-3d" for three days ago), or null for now
   * @param validityDays how long it is valid from its start
   */
  static Pem selfSigned(Path dir, String cn, String startDate, int validityDays) throws Exception {
    Path store = dir.resolve(cn + "-" + System.nanoTime() + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    List<String> command = new java.util.ArrayList<>(List.of(keytool, "-genkeypair", "-alias", "k", "-keyalg", "EC",
      "-groupname", "secp256r1", "-dname", "CN=" + cn, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
      "-validity", String.valueOf(validityDays), "-keystore", store.toString(), "-storetype", "PKCS12",
      "-storepass", "changeit", "-keypass", "changeit"));
    if (startDate != null) {
      command.addAll(List.of("-startdate", startDate));
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) ks.getKey("k", "changeit".toCharArray());
    return new Pem(pem("CERTIFICATE", ks.getCertificate("k").getEncoded()), pem("PRIVATE KEY", key.getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
      .encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
