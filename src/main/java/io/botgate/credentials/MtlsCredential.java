package io.botgate.credentials;

import io.botgate.UpstreamFraming;
import io.botgate.PerEventLoop;
import io.botgate.integration.CredentialGrant;
import io.botgate.integration.CredentialUnavailable;
import io.botgate.integration.IntegrationDefinition;
import io.botgate.integration.UpstreamClients;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Mutual TLS: a client certificate and its key in PEM (inline, from {@code {$env.NAME}}, or the path of a PEM
 * file), and optionally the CA to trust instead of the JDK's. Each such credential has its own clients, one per
 * event loop (as executions and the pass-through have theirs), made at the first call on each and kept: Vert.x
 * closes a client nothing refers to. An expired certificate makes the credential
 * unavailable ("460") rather than failing a handshake with a less telling error.
 */
final class MtlsCredential extends Credential {

  /** A PEM file larger than this is refused rather than read: no certificate chain or key is this large. */
  static final int MAX_PEM_FILE_BYTES = 1_048_576;

  private final SecretText cert;
  private final SecretText key;
  private final SecretText ca;
  private Future<Built> built;

  MtlsCredential(String name, JsonObject source, SecretText cert, SecretText key, SecretText ca) {
    super(name, source);
    this.cert = cert;
    this.key = key;
    this.ca = ca;
  }

  /** The clients made with the certificate (one per event loop), and when the certificate is valid. */
  private record Built(PerEventLoop<Clients> clients, Instant notBefore, Instant notAfter) {
  }

  /** An HTTP client with the certificate (for the pass-through) and the Web Client over it (for executions). */
  private record Clients(HttpClient http, WebClient web) {
  }

  @Override
  public String type() {
    return "mtls";
  }

  static boolean isPem(String text) {
    return text.stripLeading().startsWith("-----BEGIN");
  }

  /** The text of the PEM file at {@code path} (surrounding space aside): a regular file, of no unlikely size. */
  static String readPemFile(String path) throws IOException {
    Path file = Path.of(path.trim());
    if (!Files.isRegularFile(file) || Files.size(file) > MAX_PEM_FILE_BYTES) {
      throw new IOException("not a regular file of at most " + MAX_PEM_FILE_BYTES + " bytes");
    }
    return Files.readString(file, StandardCharsets.US_ASCII);
  }

  /** What is wrong with PEM certificate text, or null when it holds at least one certificate. */
  static String certificateProblem(String pem) {
    try {
      return certificates(pem).isEmpty() ? "holds no PEM certificate" : null;
    } catch (CertificateException e) {
      return "is not a PEM certificate (" + e.getMessage() + ")";
    }
  }

  private static List<X509Certificate> certificates(String pem) throws CertificateException {
    Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
      .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    return all.stream().map(c -> (X509Certificate) c).toList();
  }

  @Override
  Future<CredentialGrant> obtain(CredentialContext context) {
    Future<Built> ready;
    synchronized (this) {
      if (built == null || built.failed()) {
        built = context.vertx().executeBlocking(() -> build(context), false);
      }
      ready = built;
    }
    if (ready.succeeded()) {
      return grant(ready.result(), context); // on the caller's thread, so with its loop's client
    }
    // The first calls: the build's future completes on the context of the call that started it, so each
    // caller takes its grant back to its own context (where its call goes on) before choosing a client.
    Context caller = context.vertx().getOrCreateContext();
    Promise<CredentialGrant> granted = Promise.promise();
    ready.onComplete(done -> caller.runOnContext(v -> {
      if (done.failed()) {
        granted.fail(done.cause());
      } else {
        grant(done.result(), context).onComplete(granted);
      }
    }));
    return granted.future();
  }

  /** The grant with the calling loop's client, if the certificate is valid now. */
  private Future<CredentialGrant> grant(Built b, CredentialContext context) {
    Instant now = Instant.ofEpochMilli(context.clock().getAsLong());
    if (now.isAfter(b.notAfter())) {
      return Future.failedFuture(unavailable("its client certificate expired on " + b.notAfter()));
    }
    if (now.isBefore(b.notBefore())) {
      return Future.failedFuture(unavailable("its client certificate is valid only from " + b.notBefore()));
    }
    Clients clients = b.clients().get(); // the calling loop's: a call on it never hops to another loop
    return Future.succeededFuture(new CredentialGrant(name(), List.of(), List.of(), clients.http(), clients.web(), false));
  }

  /** Reads the PEM texts, checks them and makes the client. Blocking (files, key parsing). */
  private Built build(CredentialContext context) {
    String certPem = pem(cert, context);
    String keyPem = pem(key, context);
    List<X509Certificate> chain;
    try {
      chain = certificates(certPem);
    } catch (CertificateException e) {
      throw unavailable("its cert is not a PEM certificate");
    }
    if (chain.isEmpty()) {
      throw unavailable("its cert holds no PEM certificate");
    }
    PemKeyCertOptions keyCert = new PemKeyCertOptions().setCertValue(Buffer.buffer(certPem))
      .setKeyValue(Buffer.buffer(keyPem));
    try {
      keyCert.getKeyManagerFactory(context.vertx());
    } catch (Exception e) {
      throw unavailable("its certificate and key cannot be used together (" + e.getClass().getSimpleName() + ")");
    }
    HttpClientOptions options = new HttpClientOptions().setKeyCertOptions(keyCert).setKeepAlive(true)
      .setConnectTimeout((int) IntegrationDefinition.DEFAULT_TIMEOUT_MS);
    if (ca != null) {
      String caPem = pem(ca, context);
      PemTrustOptions trust = new PemTrustOptions().addCertValue(Buffer.buffer(caPem));
      try {
        trust.getTrustManagerFactory(context.vertx());
      } catch (Exception e) {
        throw unavailable("its ca cannot be used (" + e.getClass().getSimpleName() + ")");
      }
      options.setTrustOptions(trust);
    }
    PerEventLoop<Clients> clients = new PerEventLoop<>(() -> {
      HttpClient http = context.vertx().httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(64))
        .withConnectHandler(UpstreamFraming::install).build();
      return new Clients(http, UpstreamClients.wrap(http));
    }, made -> made.http().close());
    X509Certificate leaf = chain.get(0);
    return new Built(clients, leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
  }

  /** PEM text as written or from the environment, or read from the file it names. */
  private String pem(SecretText text, CredentialContext context) {
    String value = text.value(context.env());
    if (isPem(value)) {
      return value;
    }
    try {
      return readPemFile(value);
    } catch (IOException | RuntimeException e) {
      throw unavailable("its " + fieldOf(text) + " is neither PEM text nor a readable PEM file");
    }
  }

  private String fieldOf(SecretText text) {
    return text == cert ? "cert" : text == key ? "key" : "ca";
  }

  @Override
  synchronized void close() {
    if (built != null) {
      built.onSuccess(b -> b.clients().close());
    }
  }

  private CredentialUnavailable unavailable(String why) {
    return new CredentialUnavailable("credential '" + name() + "': " + why);
  }
}
