package io.botgate.cb.context;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.MapInterceptor;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.Serial;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.botgate.Await.result;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Context Service's clustered store on a real two-member cluster (two botgate nodes): each member's store
 * reads and writes the same data, and a write racing a namespace's deletion on the other member leaves nothing
 * that a read serves once the deletion is done.
 */
@Timeout(180)
class ClusteredContextStoreTest {

  static ClusterNodes cluster;
  static ContextStore a;
  static ContextStore b;
  static HazelcastInstance hazelcastA;

  @BeforeAll
  static void start() {
    cluster = ClusterNodes.start(2, new JsonObject());
    hazelcastA = ClusterNode.hazelcast(cluster.node(0).vertx());
    a = new ClusteredContextStore(hazelcastA, ContextOptions.defaults(), System::currentTimeMillis);
    b = new ClusteredContextStore(ClusterNode.hazelcast(cluster.node(1).vertx()), ContextOptions.defaults(),
      System::currentTimeMillis);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Counts down the armed latch at the next read of a namespace's registration, on whichever member owns it. */
  static final class NextRegistrationRead implements MapInterceptor {
    @Serial
    private static final long serialVersionUID = 1L;
    static final AtomicReference<CountDownLatch> ARMED = new AtomicReference<>();

    @Override
    public Object interceptGet(Object value) {
      CountDownLatch latch = ARMED.getAndSet(null);
      if (latch != null) {
        latch.countDown();
      }
      return null;
    }

    @Override
    public void afterGet(Object value) {
    }

    @Override
    public Object interceptPut(Object oldValue, Object newValue) {
      return null;
    }

    @Override
    public void afterPut(Object value) {
    }

    @Override
    public Object interceptRemove(Object removedValue) {
      return null;
    }

    @Override
    public void afterRemove(Object value) {
    }
  }

  @Test
  void shouldRefuseAValueWithALoneSurrogateOnAnyNodeAndKeepAWholePairIntact() {
    ClusterNodes.Node first = cluster.node(0);
    ClusterNodes.Node second = cluster.node(1);
    String property = "/api/context/namespaces/texts/global/p";
    assertThat(result(first.http().put(first.port(), "127.0.0.1", "/api/context/namespaces/texts").send())
      .statusCode()).isEqualTo(200);

    HttpResponse<Buffer> lone = result(second.http().put(second.port(), "127.0.0.1", property)
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"value\": \"a\\ud800\"}")));
    HttpResponse<Buffer> script = result(second.http().post(second.port(), "127.0.0.1", "/api/sessions/texts-1/scripts")
      .sendJsonObject(new JsonObject().put("code", "botContext.setGlobalContextData('texts', 'p', 'b\\udc00');")));

    assertThat(lone.statusCode()).as(lone.bodyAsString()).isEqualTo(400);
    assertThat(lone.bodyAsJsonObject().getJsonObject("error").getString("message"))
      .contains("\"value\" holds a lone surrogate (half of a UTF-16 pair) in value,");
    assertThat(script.bodyAsJsonObject().getJsonObject("error")).as(script.bodyAsString()).isNotNull();
    assertThat(script.bodyAsJsonObject().getJsonObject("error").getString("message"))
      .contains("the value for 'p' holds a lone surrogate (half of a UTF-16 pair) in value,");
    assertThat(result(first.http().get(first.port(), "127.0.0.1", property).send()).statusCode())
      .as("nothing kept, not even as '?'").isEqualTo(404);

    HttpResponse<Buffer> pair = result(second.http().put(second.port(), "127.0.0.1", property)
      .sendJsonObject(new JsonObject().put("value", "ok \ud83d\ude00")));
    assertThat(pair.statusCode()).as(pair.bodyAsString()).isEqualTo(200);
    assertThat(result(first.http().get(first.port(), "127.0.0.1", property).send()).bodyAsJsonObject()
      .getString("value")).isEqualTo("ok \ud83d\ude00");
  }

  @Test
  void shouldKeepANamespacesTtlWhenAnotherMemberRegistersItAgainWithoutOne() {
    assertThat(a.registerNamespace("renewed", 60L)).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(b.set(ContextStore.Scope.USER, "renewed", "u1", "p", "kept")).isEqualTo(ContextStore.Outcome.DONE);

    assertThat(b.registerNamespace("renewed", null)).isEqualTo(ContextStore.Outcome.DONE);

    assertThat(a.namespaces()).containsEntry("renewed", 60L);
    assertThat(a.get(ContextStore.Scope.USER, "renewed", "u1", "p")).as("its data kept").isEqualTo("kept");
    assertThat(b.registerNamespace("renewed", 0L)).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(a.namespaces()).containsEntry("renewed", null);
  }

  @Test
  void shouldServeNothingSetBeforeANamespaceWasDeletedEvenAWriteThatRacedTheDeletion() throws Exception {
    assertThat(a.registerNamespace("raced", null)).isEqualTo(ContextStore.Outcome.DONE);
    assertThat(b.set(ContextStore.Scope.GLOBAL, "raced", "", "first", 1)).isEqualTo(ContextStore.Outcome.DONE);
    IMap<String, String> data = hazelcastA.getMap(ClusteredContextStore.DATA);
    List<String> keys = data.keySet().stream().filter(k -> k.startsWith("raced\u0000")).toList();
    assertThat(keys).hasSize(1);
    String bucket = keys.get(0); // found, not built: the test holds what the store writes, however it keys it
    assertThat(b.delete(ContextStore.Scope.GLOBAL, "raced", "", "first")).isEqualTo(ContextStore.Outcome.DONE);

    // B's write reads the namespace, then waits on the bucket's lock; the namespace is deleted on A meanwhile
    IMap<String, Object> registrations = hazelcastA.getMap(ClusteredContextStore.NAMESPACES);
    String interceptor = registrations.addInterceptor(new NextRegistrationRead());
    CountDownLatch read = new CountDownLatch(1);
    CompletableFuture<ContextStore.Outcome> late;
    data.lock(bucket);
    try {
      NextRegistrationRead.ARMED.set(read);
      late = CompletableFuture.supplyAsync(() -> b.set(ContextStore.Scope.GLOBAL, "raced", "", "late", "stale"));
      assertThat(read.await(60, TimeUnit.SECONDS)).as("B's write read the namespace").isTrue();
      assertThat(a.deleteNamespace("raced")).isTrue();
    } finally {
      data.unlock(bucket);
      registrations.removeInterceptor(interceptor);
    }
    assertThat(late.get(60, TimeUnit.SECONDS)).as("the raced write says it was not kept")
      .isEqualTo(ContextStore.Outcome.UNKNOWN_NAMESPACE);

    for (ContextStore store : List.of(a, b)) {
      assertThat(store.get(ContextStore.Scope.GLOBAL, "raced", "", "late")).as("read after the deletion").isNull();
    }
    assertThat(a.registerNamespace("raced", null)).isEqualTo(ContextStore.Outcome.DONE);
    for (ContextStore store : List.of(a, b)) {
      assertThat(store.get(ContextStore.Scope.GLOBAL, "raced", "", "late")).as("read once registered again").isNull();
      assertThat(store.all(ContextStore.Scope.GLOBAL, "raced", "")).isEmpty();
    }
    assertThat(data.keySet().stream().filter(k -> k.startsWith("raced\u0000"))).as("no bucket left holding its bytes")
      .isEmpty();
  }
}
