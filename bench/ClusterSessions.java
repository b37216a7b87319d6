import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks that every session {@code <prefix>0 .. <prefix>(count-1)} is held by the gateway at {@code base}:
 * {@code GET /api/sessions/<id>} answers 200 with a last result. Prints "present P of N" and the first
 * missing ones; exits 1 when any is missing. 16 requests at a time, each session asked once.
 *   java bench/ClusterSessions.java http://127.0.0.1:18182 s 10000
 */
public final class ClusterSessions {
  public static void main(String[] args) throws Exception {
    String base = args[0];
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    Semaphore slots = new Semaphore(16);
    AtomicInteger present = new AtomicInteger();
    List<String> missing = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = prefix + i;
      slots.acquire();
      HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id))
        .timeout(Duration.ofSeconds(60)).build();
      calls.add(client.sendAsync(get, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
        slots.release();
        if (e == null && r.statusCode() == 200 && r.body().contains("\"lastResult\":{")) {
          present.incrementAndGet();
        } else {
          missing.add(id + " (" + (e != null ? e : r.statusCode() + " " + r.body()) + ")");
        }
        return null;
      }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    System.out.println("present " + present.get() + " of " + count
      + (missing.isEmpty() ? "" : "; missing: " + missing.subList(0, Math.min(5, missing.size()))));
    System.exit(missing.isEmpty() ? 0 : 1);
  }
}
