package io.gptedit.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The executor JVM's services, one per factory and budget, shared by every task and closed at exit. */
final class ExecutorServices {
  private record Key(ServicesFactory factory, ClientBudget budget) {}

  private static final Map<Key, CurationServices> SERVICES = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ExecutorServices::closeAll, "gptedit-services-close"));
  }

  private ExecutorServices() {}

  static CurationServices get(ServicesFactory factory, ClientBudget budget) {
    return SERVICES.computeIfAbsent(new Key(factory, budget), k -> k.factory().create(k.budget()));
  }

  /** How many clients this JVM holds (one per distinct factory and budget). */
  static int size() {
    return SERVICES.size();
  }

  private static void closeAll() {
    for (CurationServices s : SERVICES.values()) {
      try {
        s.close();
      } catch (Exception e) {
        // the JVM is exiting; a client that cannot close changes nothing
      }
    }
    SERVICES.clear();
  }
}
