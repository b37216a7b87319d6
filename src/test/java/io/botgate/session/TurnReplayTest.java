package io.botgate.session;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.botgate.cluster.ClusterNode;
import io.botgate.cluster.ClusterNodes;
import io.botgate.cluster.ClusterOptions;
import io.botgate.session.TurnProcessors.BeginTurn;
import io.botgate.session.TurnProcessors.Save;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When the member holding a session's entry leaves before it answers, Hazelcast runs the operation once more
 * on the backup that takes the entry over, whose copy already has what the first run did (operations are run
 * at least once, not exactly once). Here the first run is on one member, which is then killed, and the second
 * on the other, as the survivor of a {@code kill -9} sees it: the turn's operations, run again for the same
 * member, answer as they did the first time.
 */
@Timeout(120)
class TurnReplayTest {

  private HazelcastInstance caller;
  private HazelcastInstance holder;
  private IMap<String, byte[]> map;
  private UUID self;

  @BeforeEach
  void join() {
    String name = "replay-" + UUID.randomUUID();
    List<Integer> ports = List.of(ClusterNodes.freePort(), ClusterNodes.freePort());
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    caller = Hazelcast.newHazelcastInstance(ClusterNode.hazelcastConfig(new ClusterOptions(true, name, "127.0.0.1",
      ports.get(0), members, 1, ClusterOptions.DEFAULT_TURN_WAIT_SECONDS), 3_600_000L, "caller"));
    holder = Hazelcast.newHazelcastInstance(ClusterNode.hazelcastConfig(new ClusterOptions(true, name, "127.0.0.1",
      ports.get(1), members, 1, ClusterOptions.DEFAULT_TURN_WAIT_SECONDS), 3_600_000L, "holder"));
    map = caller.getMap(ClusteredSessionStore.MAP);
    self = caller.getCluster().getLocalMember().getUuid();
    map.size(); // lays the partitions out
    // each partition has its backup on the other member: what the holder did, the caller's copy has too
    await().atMost(60, TimeUnit.SECONDS).until(() -> caller.getPartitionService().isClusterSafe());
  }

  @AfterEach
  void leave() {
    holder.getLifecycleService().terminate();
    caller.getLifecycleService().terminate();
  }

  @Test
  void shouldTakeTheTurnAgainWhenItsBeginningRunsAgainOnTheBackupThatTookOver() {
    String known = keyOfHolder(0);
    String other = keyOfHolder(1);
    map.set(known, session(known, "mine").toState(self, 7));
    byte[] byAnother = session(other, "theirs").toState(UUID.randomUUID(), 3);
    map.set(other, byAnother);
    byte[] unchanged = map.executeOnKey(known, new BeginTurn(self, null, 7));
    byte[] state = map.executeOnKey(other, new BeginTurn(self, null, 0));
    assertThat(BeginTurn.is(unchanged, BeginTurn.UNCHANGED)).isTrue();
    assertThat(state).isEqualTo(byAnother);

    killHolder();

    assertThat(map.executeOnKey(known, new BeginTurn(self, null, 7)))
      .as("still this member's save, and its turn not one lost with a node").isEqualTo(unchanged);
    assertThat(map.executeOnKey(other, new BeginTurn(self, null, 0))).as("the state as it was").isEqualTo(byAnother);
    assertThat(map.executeOnKey(known, new Save(self, session(known, "mine, again").toState(self, 8)))).isTrue();
    assertThat(map.executeOnKey(other, new Save(self, session(other, "mine now").toState(self, 9)))).isTrue();
  }

  @Test
  void shouldAnswerSavedWhenASaveRunsAgainOnTheBackupThatTookOver() {
    String id = keyOfHolder(0);
    map.set(id, session(id, "theirs").toState(UUID.randomUUID(), 3));
    map.executeOnKey(id, new BeginTurn(self, null, 0));
    byte[] mine = session(id, "mine").toState(self, 8);
    assertThat(map.executeOnKey(id, new Save(self, mine))).isTrue();

    killHolder();

    assertThat(map.executeOnKey(id, new Save(self, mine))).as("run again: the session has it").isTrue();
    assertThat(map.get(id)).isEqualTo(mine);
    // the session free again, another member's turn may save it before this one runs again (seen under load)
    byte[] next = session(id, "next").toState(UUID.randomUUID(), 41);
    map.set(id, next);
    assertThat(map.executeOnKey(id, new Save(self, mine))).as("run again after another member's turn").isTrue();
    assertThat(map.get(id)).as("what that turn saved, not overwritten").isEqualTo(next);
  }

  @Test
  void shouldRefuseTheSaveOfAMemberThatLeftOnceAnotherTookItsTurn() {
    String id = keyOfHolder(0);
    UUID left = holder.getCluster().getLocalMember().getUuid();
    map.set(id, Session.withTurn(session(id, "theirs").toState(left, 3), left));
    killHolder();
    byte[] taken = map.executeOnKey(id, new BeginTurn(self, null, 0));
    assertThat(Session.turnOpen(taken)).as("a turn lost with its node, taken over").isTrue();

    assertThat(map.executeOnKey(id, new Save(left, session(id, "late").toState(left, 4)))).isFalse();
    assertThat(Session.turnOwner(map.get(id))).isEqualTo(self);
  }

  /** The {@code n}-th session id whose entry the holder keeps, the caller its backup. */
  private String keyOfHolder(int n) {
    UUID holderUuid = holder.getCluster().getLocalMember().getUuid();
    int found = 0;
    for (int i = 0; ; i++) {
      String id = "s" + i;
      if (caller.getPartitionService().getPartition(id).getOwner().getUuid().equals(holderUuid) && found++ == n) {
        return id;
      }
    }
  }

  /** kill -9 of the holder, as the caller sees it: the member gone and its entries' backups promoted. */
  private void killHolder() {
    holder.getLifecycleService().terminate();
    await().atMost(60, TimeUnit.SECONDS).until(() -> caller.getCluster().getMembers().size() == 1
      && caller.getPartitionService().isClusterSafe());
  }

  private static Session session(String id, String value) {
    Session session = new Session(id, new SessionOptions(10, 10_000, 2, 60_000), new HeldTotal(Long.MAX_VALUE), 1_000);
    session.setVariable("v", value);
    return session;
  }
}
