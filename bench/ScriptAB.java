import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two builds side by side in one JVM, each in a class loader of its own: the seed example on 1 thread and on
 * 2, the builds alternating every {@code seconds} (their order reversed every other round), so that a load
 * that comes and goes on a shared machine falls on both alike. Prints per build the median and best runs/s,
 * the median and least CPU of the measuring threads per run (the collector's and the compiler's threads not
 * counted) and the bytes allocated per run, then the median of the rounds' CPU-per-run ratios.
 *   java -cp DIR ScriptAB rounds seconds label=jar:classes label=jar:classes
 * where classes holds ScriptABRun compiled against that jar (bench/script-throughput.sh ab does all this).
 */
public class ScriptAB {

  private record Build(String label, ClassLoader loader, Object runner, Method batch) {
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    long nanos = (long) (Double.parseDouble(args[1]) * 1e9);
    // the seed's first example, as ScriptThroughput runs it (from the project folder, as script-throughput.sh runs this)
    String seed = java.nio.file.Files.readString(java.nio.file.Path.of("bench/seed-example.js"));
    List<Build> builds = new ArrayList<>();
    for (String spec : Arrays.copyOfRange(args, 2, args.length)) {
      String label = spec.substring(0, spec.indexOf('='));
      String[] paths = spec.substring(label.length() + 1).split(":");
      URLClassLoader loader = new URLClassLoader(new URL[] {new File(paths[1]).toURI().toURL(),
        new File(paths[0]).toURI().toURL()}, ClassLoader.getPlatformClassLoader());
      // Rhino finds its RegExp support through the context class loader
      Thread.currentThread().setContextClassLoader(loader);
      Class<?> run = loader.loadClass("ScriptABRun");
      builds.add(new Build(label, loader, run.getConstructor(String.class).newInstance(seed),
        run.getMethod("batch", long.class, String.class)));
    }
    // Until the JIT has compiled the path, the builds taking turns: the JDK's own methods are shared by both,
    // and type profiles gathered from one build first favoured it (a build against a copy of itself measured
    // 7-15 % more CPU per run when it was warmed second; taking turns, still 1-7 %: run it both ways round).
    for (int turn = 0; turn < 12; turn++) {
      for (Build build : builds) {
        measure(build, 1 + turn % 2, 500_000_000L);
      }
    }
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (int threads = 1; threads <= 2; threads++) {
        for (int i = 0; i < builds.size(); i++) {
          Build build = builds.get(round % 2 == 0 ? i : builds.size() - 1 - i);
          long[] sum = measure(build, threads, nanos);
          String key = build.label + ", " + threads + (threads == 1 ? " thread" : " threads");
          results.computeIfAbsent(key, k -> new ArrayList<>())
            .add(new double[] {sum[0] / (nanos / 1e9), sum[1] / (double) sum[0], sum[2] / (double) sum[0]});
        }
      }
    }
    for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
      double[] rate = column(e.getValue(), 0);
      double[] cpu = column(e.getValue(), 1);
      System.out.printf("%-22s runs/s median %,9.0f best %,9.0f | CPU per run median %5.0f ns least %5.0f ns"
          + " | %,5.0f bytes per run%n", e.getKey(), rate[rate.length / 2], rate[rate.length - 1], cpu[cpu.length / 2],
        cpu[0], column(e.getValue(), 2)[rounds / 2]);
    }
    if (builds.size() == 2) {
      for (String threads : List.of(", 1 thread", ", 2 threads")) {
        List<double[]> a = results.get(builds.get(0).label + threads);
        List<double[]> b = results.get(builds.get(1).label + threads);
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          ratios[r] = b.get(r)[1] / a.get(r)[1];
        }
        Arrays.sort(ratios);
        System.out.printf("CPU per run, %s : %s%s, median of the rounds: %.3f%n", builds.get(1).label,
          builds.get(0).label, threads, ratios[rounds / 2]);
      }
    }
  }

  private static double[] column(List<double[]> rows, int i) {
    return rows.stream().mapToDouble(row -> row[i]).sorted().toArray();
  }

  /** Runs the build on {@code threads} threads for about {@code nanos}; returns {runs, CPU ns, bytes} summed. */
  private static long[] measure(Build build, int threads, long nanos) throws InterruptedException {
    long[][] out = new long[threads][];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      workers[t] = new Thread(() -> {
        try {
          out[index] = (long[]) build.batch.invoke(build.runner, nanos, "ab-" + index);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      });
      workers[t].setContextClassLoader(build.loader);
      workers[t].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    long[] sum = new long[3];
    for (long[] o : out) {
      for (int i = 0; i < 3; i++) {
        sum[i] += o[i];
      }
    }
    return sum;
  }
}
