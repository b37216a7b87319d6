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
 * {@code --save FILE} writes the ids found to FILE; {@code --only FILE} asks only for the ids in FILE;
 * {@code --create INTEGRATION} first executes INTEGRATION once in each session (so that every one exists).
 *   java bench/ClusterSessions.java http://127.0.0.1:18182 s 10000 [--save FILE | --only FILE | --create NAME]
 */
public final class ClusterSessions {
  public static void main(String[] args) throws Exception {
    String base = args[0];
    String prefix = args[1];
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(args[2]); i++) {
      ids.add(prefix + i);
    }
    if (args.length > 4 && args[3].equals("--only")) {
      ids = java.nio.file.Files.readAllLines(java.nio.file.Path.of(args[4]));
    }
    int count = ids.size();
    List<String> found = java.util.Collections.synchronizedList(new ArrayList<>());
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    Semaphore slots = new Semaphore(16);
    AtomicInteger present = new AtomicInteger();
    List<String> missing = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (String id : ids) {
      slots.acquire();
      HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id))
        .timeout(Duration.ofSeconds(60)).build();
      calls.add(client.sendAsync(get, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
        slots.release();
        if (e == null && r.statusCode() == 200 && r.body().contains("\"lastResult\":{")) {
          present.incrementAndGet();
          found.add(id);
        } else {
          missing.add(id + " (" + (e != null ? e : r.statusCode() + " " + r.body()) + ")");
        }
        return null;
      }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    if (args.length > 4 && args[3].equals("--create") && !missing.isEmpty()) {
      List<CompletableFuture<?>> created = new ArrayList<>();
      for (String entry : List.copyOf(missing)) {
        String id = entry.substring(0, entry.indexOf(' '));
        slots.acquire();
        HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id + "/integrations/" + args[4]))
          .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"variables\": {\"q\": \"bench\"}}")).build();
        created.add(client.sendAsync(post, HttpResponse.BodyHandlers.discarding()).handle((r, e) -> {
          slots.release();
          return null;
        }));
      }
      CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).join();
      System.out.println("created " + created.size() + " sessions");
      return;
    }
    if (args.length > 4 && args[3].equals("--save")) {
      java.nio.file.Files.write(java.nio.file.Path.of(args[4]), found);
    }
    System.out.println("present " + present.get() + " of " + count
      + (missing.isEmpty() ? "" : "; missing: " + missing.subList(0, Math.min(5, missing.size()))));
    System.exit(missing.isEmpty() ? 0 : 1);
  }
}
