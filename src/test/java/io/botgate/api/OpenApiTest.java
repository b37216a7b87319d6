package io.botgate.api;

import io.botgate.Await;
import io.botgate.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document against the running gateway: real answers of every route, successes and errors,
 * validated with vertx-openapi, so the document cannot drift from what botgate answers.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class OpenApiTest {

  private static final Path DOCUMENT = Path.of("src/main/resources/openapi.json");
  private static Vertx vertx;
  private static TestGateway gw;
  private static OpenAPIContract contract;
  private static ResponseValidator validator;
  private static final Set<String> covered = new HashSet<>();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    gw = Await.result(TestGateway.start(vertx));
    contract = Await.result(OpenAPIContract.from(vertx, new JsonObject(Files.readString(DOCUMENT))));
    validator = ResponseValidator.create(vertx, contract);
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @Test
  void shouldServeTheDocumentKeptInTheRepository() throws Exception {
    HttpResponse<Buffer> r = call(HttpMethod.GET, "/openapi.json", null);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject(Files.readString(DOCUMENT)));
    assertThat(r.bodyAsJsonObject().getString("openapi")).isEqualTo("3.1.0");
  }

  @Test
  void shouldDescribeEveryAnswerOfEveryRoute() {
    JsonObject definition = new JsonObject().put("method", "GET").put("url", gw.upstream.url("/faq"))
      .put("customDataFields", new JsonObject().put("title", "{$.api_doc.results[i].title}"));
    call(HttpMethod.PUT, "/api/integrations/doc", definition);
    call(HttpMethod.PUT, "/api/integrations/doc", definition);
    call(HttpMethod.PUT, "/api/integrations/bad", new JsonObject().put("method", "FETCH"));
    call(HttpMethod.GET, "/api/integrations", null);
    call(HttpMethod.GET, "/api/integrations/doc", null);
    call(HttpMethod.GET, "/api/integrations/missing", null);
    call(HttpMethod.POST, "/api/sessions/d1/integrations/doc", new JsonObject().put("variables", new JsonObject().put("q", "bill"))
      .put("postProcess", "botContext.sendMessage('n=' + botContext.getBotVariable('doc.title.count'));"));
    call(HttpMethod.POST, "/api/sessions/d1/integrations/missing", null);
    call(HttpMethod.POST, "/api/sessions/d1/integrations/doc", new JsonObject().put("variables", "not an object"));
    call(HttpMethod.POST, "/api/sessions/d1/scripts", new JsonObject().put("code", "botContext.sendMessage('hi')"));
    call(HttpMethod.POST, "/api/sessions/d1/scripts", new JsonObject().put("code", "var x = ;"));
    call(HttpMethod.POST, "/api/sessions/d1/scripts", new JsonObject());
    call(HttpMethod.GET, "/api/sessions/d1", null);
    call(HttpMethod.GET, "/api/sessions/nobody", null);
    call(HttpMethod.GET, "/api/cluster", null);
    call(HttpMethod.GET, "/api/sessions/d1/events?after=0&limit=5", null);
    call(HttpMethod.GET, "/api/sessions/d1/events?limit=0", null);
    call(HttpMethod.PUT, "/api/integrations/pass", new JsonObject().put("method", "GET").put("url", gw.upstream.url("/")));
    call(HttpMethod.GET, "/proxy/pass/faq?q=roaming", null, Map.of("X-Botgate-Session", "d2"));
    call(HttpMethod.POST, "/proxy/pass/echo", new JsonObject().put("a", 1), Map.of("X-Botgate-Session", "d2"));
    for (HttpMethod method : java.util.List.of(HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)) {
      call(method, "/proxy/pass/echo", new JsonObject().put("b", 2), Map.of("X-Botgate-Session", "d2"));
    }
    call(HttpMethod.HEAD, "/proxy/pass/faq?q=roaming", null, Map.of("X-Botgate-Session", "d2"));
    call(HttpMethod.OPTIONS, "/proxy/pass/echo", null, Map.of("X-Botgate-Session", "d2"));
    call(HttpMethod.OPTIONS, "/proxy/pass/echo", null, Map.of("Origin", "http://elsewhere.example",
      "Access-Control-Request-Method", "POST")); // a preflight carries no session: 400
    call(HttpMethod.GET, "/proxy/pass/faq", null);
    call(HttpMethod.GET, "/proxy/missing/faq", null, Map.of("X-Botgate-Session", "d2"));
    call(HttpMethod.DELETE, "/api/sessions/d1", null);
    call(HttpMethod.DELETE, "/api/integrations/doc", null);
    call(HttpMethod.DELETE, "/api/integrations/doc", null);
    call(HttpMethod.GET, "/health", null);
    call(HttpMethod.POST, "/console/check", null);
    call(HttpMethod.POST, "/console/check", null, Map.of("Origin", "https://elsewhere.example"));
    call(HttpMethod.GET, "/metrics", null);
    call(HttpMethod.GET, "/demo/faq?q=roaming", null);
    call(HttpMethod.GET, "/api/sessions?limit=5", null);
    describeConversationBuilderRoutes();
    JsonObject credential = new JsonObject().put("type", "token").put("header", "X-Api-Key").put("value", "{$env.DOC_KEY}");
    call(HttpMethod.PUT, "/api/credentials/docKey", credential);
    call(HttpMethod.PUT, "/api/credentials/docKey", credential);
    call(HttpMethod.PUT, "/api/credentials/docBad", new JsonObject().put("type", "oauth2"));
    call(HttpMethod.GET, "/api/credentials", null);
    call(HttpMethod.GET, "/api/credentials/docKey", null);
    call(HttpMethod.GET, "/api/credentials/missing", null);
    call(HttpMethod.PUT, "/api/integrations/docAuth", new JsonObject().put("method", "GET").put("url", gw.upstream.url("/faq"))
      .put("credential", "docKey").put("mode", "mock").put("mocks", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("match", new JsonObject().put("path", "/faq")).put("status", 200).put("body", new JsonObject()))));
    call(HttpMethod.DELETE, "/api/credentials/docKey", null);
    call(HttpMethod.DELETE, "/api/integrations/docAuth", null);
    call(HttpMethod.DELETE, "/api/credentials/docKey", null);
    call(HttpMethod.DELETE, "/api/credentials/docKey", null);
    // HEAD where GET is: the same answers without content
    contract.operations().stream().filter(op -> op.getHttpMethod() == HttpMethod.HEAD && !op.getOpenAPIPath().startsWith("/proxy/"))
      .forEach(op -> call(HttpMethod.HEAD, op.getOpenAPIPath().replaceAll("\\{[A-Za-z]+}", "d1"), null));
    call(HttpMethod.HEAD, "/api/integrations/faqIntegration", null);
    assertThat(covered).as("operations exercised").containsAll(contract.operations().stream()
      .map(Operation::getOperationId).filter(id -> !id.equals("console") && !id.equals("openapi")).toList());
  }

  /**
   * The document against the live router, both ways: every route and method the router takes is documented (HEAD
   * wherever GET is: the router answers it as that GET; the pass-through forwards what OPTIONS * lists), and no other;
   * each documented operation is answered by its route, not refused as a method or a path the gateway does not serve,
   * and every other method on a documented path is answered 405.
   */
  @Test
  void shouldDocumentExactlyTheRoutesAndMethodsTheRouterAnswers() {
    Map<String, Set<String>> routed = new TreeMap<>();
    for (Route route : gw.gateway.routes()) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty() || !route.isExactPath()) {
        continue; // filters, the console's files (GET /, not documented), the pass-through and its refusal of TRACE
      }
      Set<String> methods = routed.computeIfAbsent(route.getPath().replaceAll(":[A-Za-z]+", "{}"), p -> new TreeSet<>());
      route.methods().forEach(m -> methods.add(m.name()));
      if (methods.contains("GET")) {
        methods.add("HEAD");
      }
    }
    routed.put("/proxy/{}/{}", new TreeSet<>(List.of(AsteriskOptions.ALLOW.split(", "))));
    Map<String, Set<String>> documented = new TreeMap<>(); // parameters unnamed: the router's names are its own
    contract.operations().forEach(op -> documented.computeIfAbsent(op.getOpenAPIPath().replaceAll("\\{[A-Za-z]+}", "{}"),
      p -> new TreeSet<>()).add(op.getHttpMethod().name()));
    assertThat(documented).isEqualTo(routed);

    for (Map.Entry<String, Set<String>> path : documented.entrySet()) {
      String uri = path.getKey().replace("{}", "probe");
      int getStatus = path.getValue().contains("GET") ? send(HttpMethod.GET, uri).statusCode() : 0;
      for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
        HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE)) {
        HttpResponse<Buffer> answer = send(method, uri);
        String what = method + " " + uri + " answered " + answer.statusCode() + " " + answer.bodyAsString();
        if (!path.getValue().contains(method.name())) {
          assertThat(answer.statusCode()).as(what).isEqualTo(405);
        } else if (method == HttpMethod.HEAD && path.getValue().contains("GET")) {
          assertThat(answer.statusCode()).as(what).isEqualTo(getStatus);
        } else {
          assertThat(answer.statusCode()).as(what).isNotEqualTo(405);
          if (answer.statusCode() == 404) {
            assertThat(answer.bodyAsJsonObject().getJsonObject("error").getString("code")).as(what).isNotEqualTo("not_found");
          }
        }
      }
    }
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String uri) {
    return Await.result(gw.http.request(method, gw.gateway.port(), "127.0.0.1", uri)
      .putHeader("X-Botgate-Session", "probe-session").send());
  }

  /** Every route answers a Host it does not know 403 (DNS rebinding): the document says so for each. */
  @Test
  void shouldDescribeTheRefusalOfAForeignHostOnEveryRoute() {
    for (String uri : java.util.List.of("/health", "/metrics", "/openapi.json", "/demo/faq", "/api/cluster",
      "/api/sessions", "/api/integrations")) {
      assertThat(call(HttpMethod.GET, uri, null, Map.of("Host", "rebound.example")).statusCode()).as(uri).isEqualTo(403);
    }
  }

  private static void describeConversationBuilderRoutes() {
    JsonObject export;
    try {
      export = new JsonObject(Files.readString(Path.of("src/test/resources/cb/store-helper.json")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String stub = gw.upstream.url("");
    JsonObject request = new JsonObject().put("export", export).put("baseUrls", new JsonObject()
      .put("https://stores.example.com/api", stub).put("https://quiz.example.com/random", stub)
      .put("https://tickets.example.com/api", stub));
    call(HttpMethod.POST, "/api/import/cb", request);
    call(HttpMethod.POST, "/api/import/cb", request);
    call(HttpMethod.POST, "/api/import/cb", new JsonObject().put("export", new JsonObject().put("bot", new JsonObject())));
    call(HttpMethod.POST, "/api/import/cb", new JsonObject().put("export", new JsonObject()
      .put("bot", new JsonObject().put("name", "Other")).put("responder", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("name", "Trivia").put("webhook", "https://x.example.com/").put("method", "GET")))));
    call(HttpMethod.GET, "/api/bots", null);
    call(HttpMethod.GET, "/api/bots/Store%20Helper", null);
    call(HttpMethod.GET, "/api/bots/nobody", null);
    JsonObject context = new JsonObject().put("context", new JsonObject().put("userPlatformId", "doc-user")
      .put("channel", "lp_web"));
    call(HttpMethod.POST, "/api/sessions/d3/bots/Store%20Helper/interactions/find%20stores", context);
    call(HttpMethod.POST, "/api/sessions/d3/bots/Store%20Helper/interactions/route", new JsonObject().put("userMessage", "x"));
    call(HttpMethod.POST, "/api/sessions/d3/bots/Store%20Helper/interactions/missing", null);
    call(HttpMethod.POST, "/api/sessions/d3/bots/Store%20Helper/interactions/route", new JsonObject().put("context", "no"));
    call(HttpMethod.POST, "/api/sessions/d3/scripts", new JsonObject().put("code", "botContext.getUserChannel()")
      .put("context", new JsonObject().put("channel", "lp_sms")));
    call(HttpMethod.GET, "/api/context/namespaces", null);
    call(HttpMethod.PUT, "/api/context/namespaces/docs", new JsonObject().put("ttlSeconds", 60));
    call(HttpMethod.PUT, "/api/context/namespaces/docs", new JsonObject().put("ttlSeconds", "soon"));
    for (String scope : java.util.List.of("global", "users/doc-user", "conversations/d3")) {
      String base = "/api/context/namespaces/docs/" + scope;
      call(HttpMethod.PUT, base + "/k", new JsonObject().put("value", new JsonObject().put("a", 1)));
      call(HttpMethod.PUT, base + "/k", new JsonObject());
      call(HttpMethod.GET, base + "/k", null);
      call(HttpMethod.GET, base, null);
      call(HttpMethod.DELETE, base + "/k", null);
      call(HttpMethod.GET, base + "/k", null);
      call(HttpMethod.DELETE, base, null);
      call(HttpMethod.GET, "/api/context/namespaces/none/" + scope, null);
    }
    // names no route takes: a control character, a user no conversation has, a session id against the rules
    call(HttpMethod.GET, "/api/context/namespaces/docs/global/a%01b", null);
    call(HttpMethod.DELETE, "/api/context/namespaces/docs/users/%20", null);
    call(HttpMethod.GET, "/api/context/namespaces/docs/users/%20/k", null);
    call(HttpMethod.GET, "/api/context/namespaces/docs/conversations/" + "s".repeat(300), null);
    call(HttpMethod.DELETE, "/api/context/namespaces/docs", null);
    call(HttpMethod.DELETE, "/api/context/namespaces/docs", null);
    call(HttpMethod.DELETE, "/api/bots/Store%20Helper", null);
    call(HttpMethod.DELETE, "/api/bots/Store%20Helper", null);
  }

  /** Sends the request, finds the documented operation for its path and method, and validates the answer. */
  private static HttpResponse<Buffer> call(HttpMethod method, String uri, JsonObject body) {
    return call(method, uri, body, Map.of());
  }

  private static HttpResponse<Buffer> call(HttpMethod method, String uri, JsonObject body, Map<String, String> with) {
    HttpRequest<Buffer> request = gw.http.request(method, gw.gateway.port(), "127.0.0.1", uri);
    with.forEach((name, value) -> {
      if (name.equals("Host")) {
        request.virtualHost(value); // what the Host header says; the connection still goes to the gateway
      } else {
        request.putHeader(name, value);
      }
    });
    HttpResponse<Buffer> response = Await.result(body == null ? request.send() : request.sendJsonObject(body));
    String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    Operation operation = contract.findOperation(path, method);
    assertThat(operation).as("%s %s is documented", method, path).isNotNull();
    covered.add(operation.getOperationId());
    Map<String, String> headers = new HashMap<>();
    response.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
    String header = response.getHeader("Content-Type");
    String type = header == null ? null : header.split(";")[0].trim(); // the media type; charset aside
    if (response.body() != null && response.body().length() > 0 && !"application/json".equals(type)) {
      // vertx-openapi validates JSON bodies only: for text (the Prometheus page) the status and type are checked
      assertThat(operation.getResponse(response.statusCode())).as("%s %s answered %d", method, uri,
        response.statusCode()).isNotNull();
      assertThat(operation.getResponse(response.statusCode()).getContent()).containsKey(type);
      return response;
    }
    ValidatableResponse answer = response.body() == null || response.body().length() == 0
      ? ValidatableResponse.create(response.statusCode(), headers)
      : ValidatableResponse.create(response.statusCode(), headers, response.body(), type);
    Await.result(validator.validate(answer, operation.getOperationId())
      .recover(e -> io.vertx.core.Future.failedFuture(new AssertionError(method + " " + uri + " answered "
        + response.statusCode() + " " + response.bodyAsString() + ", which the document does not allow: " + e.getMessage(), e))));
    return response;
  }
}
