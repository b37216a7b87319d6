import io.vertx.core.Vertx;

/** The yardstick of bench/startup.sh: a bare Vert.x application answering /health, nothing else. */
public class BareVertx {
  public static void main(String[] args) {
    Vertx.vertx().createHttpServer()
      .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end("{\"status\":\"UP\"}"))
      .listen(Integer.parseInt(args[0]), "127.0.0.1");
  }
}
