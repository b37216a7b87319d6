package io.botgate.session;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.internal.serialization.DataSerializerHook;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;

/**
 * What {@link ClusteredSessionStore} runs on the member holding a session's entry: taking a turn, ending
 * it, saving under it, and what their backups apply; and how they travel between members ({@link Wire}).
 */
public final class TurnProcessors {

  private TurnProcessors() {
  }

  /**
   * Runs on the member holding the session: unless a turn of another live member holds it (as that member
   * sees the cluster), takes the turn for {@code owner} and returns the state as it was, or {@link #UNCHANGED}
   * ({@link #UNCHANGED_LOST} when a turn of a member that left held it) when it is still {@code owner}'s
   * save number {@code known}; else returns {@link #HELD}. A session that does not exist is created as
   * {@code create} ({@link #CREATED}), or, with {@code create} null, left absent (null). Backups mark the
   * turn in their copy ({@link MarkTurn}) rather than receive the whole state again.
   *
   * <p>{@code owner}'s own turn or lease does not hold it off: a member begins a turn of a session only when
   * none of its own of that session is running ({@link Turns}), so its mark is this very operation run again
   * (Hazelcast runs an operation once more on the backup that takes over when the member holding the entry
   * left before answering, and the backup already holds the mark) or a turn of its that ended unmarked.
   */
  static final class BeginTurn implements EntryProcessor<String, byte[], byte[]>, HazelcastInstanceAware,
    IdentifiedDataSerializable {
    /** Answers, one byte long where a state is dozens (compared by content: results may be copies). */
    static final byte[] HELD = {'h'};
    static final byte[] CREATED = {'c'};
    static final byte[] UNCHANGED = {'u'};
    static final byte[] UNCHANGED_LOST = {'l'};
    private static final byte LEASED = 'L';

    static boolean is(byte[] answer, byte[] which) {
      return answer != null && answer.length == 1 && answer[0] == which[0];
    }

    private UUID owner;
    private byte[] create;
    /** The owner's save whose copy it holds, or 0. */
    private long known;
    /** The member running it, set by Hazelcast before it runs. */
    private transient HazelcastInstance member;
    private transient EntryProcessor<String, byte[], byte[]> backup;

    BeginTurn(UUID owner, byte[] create, long known) {
      this.owner = owner;
      this.create = create;
      this.known = known;
    }

    /** For Hazelcast, which then reads the fields. */
    BeginTurn() {
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      Wire.writeUuid(out, owner);
      out.writeByteArray(create);
      out.writeLong(known);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      owner = Wire.readUuid(in);
      create = in.readByteArray();
      known = in.readLong();
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.BEGIN_TURN;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
      member = hazelcast;
    }

    @Override
    public byte[] process(Map.Entry<String, byte[]> entry) {
      byte[] state = entry.getValue();
      if (state == null) {
        if (create == null) {
          return null;
        }
        entry.setValue(create);
        backup = new Write<>(create);
        return CREATED;
      }
      boolean held = Session.turnOpen(state);
      UUID holder = held ? Session.turnOwner(state) : null;
      boolean own = held && owner.equals(holder);
      if (held && !own && live(member, holder)) {
        return Session.leased(state) ? leasedBy(holder) : HELD;
      }
      entry.setValue(Session.withTurn(state, owner));
      backup = new MarkTurn(owner);
      boolean lost = held && !own; // a turn or lease of a member that left: it may have numbered events
      if (known != 0 && Session.savedBy(state, owner, known)) {
        return lost ? UNCHANGED_LOST : UNCHANGED;
      }
      return own ? Session.withTurn(state, null) : state;
    }

    /** The answer "leased by {@code holder}": a tag and its uuid (17 bytes, where a state has at least 49). */
    private static byte[] leasedBy(UUID holder) {
      return ByteBuffer.allocate(17).put(LEASED).putLong(holder.getMostSignificantBits())
        .putLong(holder.getLeastSignificantBits()).array();
    }

    /** The member holding the session's lease when the answer says so, else null. */
    static UUID leaseHolder(byte[] answer) {
      if (answer == null || answer.length != 17 || answer[0] != LEASED) {
        return null;
      }
      ByteBuffer in = ByteBuffer.wrap(answer, 1, 16);
      return new UUID(in.getLong(), in.getLong());
    }

    @Override
    public EntryProcessor<String, byte[], byte[]> getBackupProcessor() {
      return backup;
    }
  }

  /**
   * Whether {@code uuid} is a member of the cluster as {@code member} sees it. A member that was taken out of
   * the cluster never comes back under the same uuid: Hazelcast gives it a new one when it merges back.
   */
  private static boolean live(HazelcastInstance member, UUID uuid) {
    for (Member m : member.getCluster().getMembers()) {
      if (m.getUuid().equals(uuid)) {
        return true;
      }
    }
    return false;
  }

  /** Ends {@code owner}'s turn without changing the session. */
  static final class EndTurn implements EntryProcessor<String, byte[], byte[]>, IdentifiedDataSerializable {
    private UUID owner;
    private transient boolean ended;

    EndTurn(UUID owner) {
      this.owner = owner;
    }

    EndTurn() {
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      Wire.writeUuid(out, owner);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      owner = Wire.readUuid(in);
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.END_TURN;
    }

    @Override
    public byte[] process(Map.Entry<String, byte[]> entry) {
      byte[] state = entry.getValue();
      if (state != null && Session.turnOpen(state) && owner.equals(Session.turnOwner(state))) {
        entry.setValue(Session.withTurn(state, null));
        ended = true;
      }
      return null;
    }

    @Override
    public EntryProcessor<String, byte[], byte[]> getBackupProcessor() {
      return ended ? new MarkTurn(null) : null;
    }
  }

  /**
   * Writes {@code state} while {@code owner}'s turn or lease holds the session, and answers whether the
   * session has it: a member that was taken out of the cluster (and whose turn another member then took)
   * cannot overwrite what that member wrote. Backups get the state.
   *
   * <p>When {@code owner} is still a member, no other member can have taken its turn ({@link BeginTurn} takes
   * only the turn of a member that left), so a session its turn no longer holds has this save already: it is
   * this very operation run again (Hazelcast runs an operation once more on the backup that takes over when
   * the member holding the entry left before answering, and the first run ended the turn; other members'
   * turns may have followed meanwhile). It answers that the session has it, and writes nothing.
   *
   * <p>Unless the session is another life of its id than the one {@code state} is ({@link Session#incarnationOf}):
   * the one the turn read expired while it ran (a turn longer than the idle time) and another was made since. The
   * turn's work went into a session that is gone; it is answered not saved, and the new session is left as it is.
   */
  static final class Save implements EntryProcessor<String, byte[], Boolean>, HazelcastInstanceAware,
    IdentifiedDataSerializable {
    private UUID owner;
    private byte[] state;
    /** The member running it, set by Hazelcast before it runs. */
    private transient HazelcastInstance member;
    private transient boolean written;

    Save(UUID owner, byte[] state) {
      this.owner = owner;
      this.state = state;
    }

    Save() {
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
      member = hazelcast;
    }

    @Override
    public Boolean process(Map.Entry<String, byte[]> entry) {
      byte[] now = entry.getValue();
      if (now != null && !sameLife(Session.incarnationOf(state), Session.incarnationOf(now))) {
        return false;
      }
      written = now != null && Session.turnOpen(now) && owner.equals(Session.turnOwner(now));
      if (written) {
        entry.setValue(state);
        return true;
      }
      return now != null && live(member, owner);
    }

    @Override
    public EntryProcessor<String, byte[], Boolean> getBackupProcessor() {
      return written ? new Write<>(state) : null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      Wire.writeUuid(out, owner);
      out.writeByteArray(state);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      owner = Wire.readUuid(in);
      state = in.readByteArray();
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.SAVE;
    }
  }

  /** Whether two incarnations of a session may be the same life: equal, or either unknown (0). */
  static boolean sameLife(long one, long other) {
    return one == 0 || other == 0 || one == other;
  }

  /**
   * Runs on the member holding the session: answers which life of its id the session is
   * ({@link Session#incarnationOf}, 0 when its state does not say), making it as {@code create} (no turn holds it)
   * when there is none; null when there is none and {@code create} is null. For a call that begins in the session
   * outside its turns (a pass-through call), whose outcome is recorded in that life only.
   */
  static final class OpenSession implements EntryProcessor<String, byte[], Long>, IdentifiedDataSerializable {
    private byte[] create;
    private transient EntryProcessor<String, byte[], Long> backup;

    OpenSession(byte[] create) {
      this.create = create;
    }

    OpenSession() {
    }

    @Override
    public Long process(Map.Entry<String, byte[]> entry) {
      byte[] state = entry.getValue();
      if (state != null) {
        return Session.incarnationOf(state);
      }
      if (create == null) {
        return null;
      }
      entry.setValue(create);
      backup = new Write<>(create);
      return Session.incarnationOf(create);
    }

    @Override
    public EntryProcessor<String, byte[], Long> getBackupProcessor() {
      return backup;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeByteArray(create);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      create = in.readByteArray();
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.OPEN_SESSION;
    }
  }

  /**
   * Runs on the member holding the session: takes away a session made for a request that was answered before the
   * operation making it was ({@link BeginTurn} or {@link OpenSession} answered late, the request told 503
   * {@code session_store_timeout}), when it is still exactly as made: the same life ({@code incarnation}), never
   * saved, and held by {@code owner}'s turn (that late {@link BeginTurn}'s) or, with {@code owner} null, by no turn.
   * Answers whether it did; when it did not and {@code owner}'s turn or lease holds the session, that is ended, as
   * {@link EndTurn} does. A session anyone has used since stays.
   */
  static final class Discard implements EntryProcessor<String, byte[], Boolean>, IdentifiedDataSerializable {
    private UUID owner;
    private long incarnation;
    private transient EntryProcessor<String, byte[], Boolean> backup;

    Discard(UUID owner, long incarnation) {
      this.owner = owner;
      this.incarnation = incarnation;
    }

    Discard() {
    }

    @Override
    public Boolean process(Map.Entry<String, byte[]> entry) {
      byte[] state = entry.getValue();
      if (state == null) {
        return false;
      }
      boolean ours = owner == null ? !Session.turnOpen(state)
        : Session.turnOpen(state) && !Session.leased(state) && owner.equals(Session.turnOwner(state));
      if (ours && Session.incarnationOf(state) == incarnation && Session.neverSaved(state)) {
        entry.setValue(null);
        backup = new Write<>(null);
        return true;
      }
      if (owner != null && Session.turnOpen(state) && owner.equals(Session.turnOwner(state))) {
        byte[] ended = Session.withTurn(state, null);
        entry.setValue(ended);
        backup = new Write<>(ended);
      }
      return false;
    }

    @Override
    public EntryProcessor<String, byte[], Boolean> getBackupProcessor() {
      return backup;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      Wire.writeUuid(out, owner);
      out.writeLong(incarnation);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      owner = Wire.readUuid(in);
      incarnation = in.readLong();
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.DISCARD;
    }
  }

  /**
   * Runs on the member holding the session, reading only: the numbering of its events ({@link Session#lastSeqOf}, -1
   * when the state does not say, or when it says none but a turn holds the session: that turn, perhaps another
   * node's, numbers events it has not saved yet), or null when there is none. For what only a session with events
   * shows (a refused request), which then need not take the session's turn when it has none.
   */
  static final class EventsOf implements EntryProcessor<String, byte[], Long>, ReadOnly, IdentifiedDataSerializable {

    @Override
    public Long process(Map.Entry<String, byte[]> entry) {
      byte[] state = entry.getValue();
      if (state == null) {
        return null;
      }
      long seq = Session.lastSeqOf(state);
      return seq == 0 && Session.turnOpen(state) ? -1 : seq;
    }

    @Override
    public EntryProcessor<String, byte[], Long> getBackupProcessor() {
      return null; // it changes nothing
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.EVENTS_OF;
    }
  }

  /**
   * On a backup: the turn the primary marked ({@code owner}'s, none when null), applied to the backup's copy,
   * which held what the primary held before (backups apply a partition's changes in the primary's order).
   */
  static final class MarkTurn implements EntryProcessor<String, byte[], byte[]>, IdentifiedDataSerializable {
    private UUID owner;

    MarkTurn(UUID owner) {
      this.owner = owner;
    }

    MarkTurn() {
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      Wire.writeUuid(out, owner);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      owner = Wire.readUuid(in);
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.MARK_TURN;
    }

    @Override
    public byte[] process(Map.Entry<String, byte[]> entry) {
      byte[] state = entry.getValue();
      if (state != null) {
        entry.setValue(Session.withTurn(state, owner));
      }
      return null;
    }
  }

  /**
   * Runs on the member holding the session: writes {@code state} when there is no session of that id, and answers
   * whether it did. Sent by the build before this one for a turn whose session went with its partition; kept so that
   * such a member's operation still runs here. This build writes such a session back with a plain put-if-absent,
   * which a member of any build runs.
   */
  static final class Restore implements EntryProcessor<String, byte[], Boolean>, IdentifiedDataSerializable {
    private byte[] state;
    private transient boolean written;

    Restore(byte[] state) {
      this.state = state;
    }

    Restore() {
    }

    @Override
    public Boolean process(Map.Entry<String, byte[]> entry) {
      written = entry.getValue() == null;
      if (written) {
        entry.setValue(state);
      }
      return written;
    }

    @Override
    public EntryProcessor<String, byte[], Boolean> getBackupProcessor() {
      return written ? new Write<>(state) : null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeByteArray(state);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      state = in.readByteArray();
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.RESTORE;
    }
  }

  /** On a backup: the bytes the primary wrote; answers nothing, whatever its primary answers. */
  static final class Write<R> implements EntryProcessor<String, byte[], R>, IdentifiedDataSerializable {
    private byte[] state;

    Write(byte[] state) {
      this.state = state;
    }

    Write() {
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeByteArray(state);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      state = in.readByteArray();
    }

    @Override
    public int getFactoryId() {
      return Wire.FACTORY;
    }

    @Override
    public int getClassId() {
      return Wire.WRITE;
    }

    @Override
    public R process(Map.Entry<String, byte[]> entry) {
      entry.setValue(state);
      return null;
    }
  }

  /**
   * How the processors above travel between members: as {@link IdentifiedDataSerializable}, a few fields
   * each, rather than by Java serialization (class descriptors, an object stream per operation). Hazelcast
   * finds this hook through {@code META-INF/services/com.hazelcast.DataSerializerHook}, so every member in a
   * JVM holding botgate's classes reads them, a plain Vert.x member included.
   */
  public static final class Wire implements DataSerializerHook {
    static final int FACTORY = 0x0b07_5e55;
    static final int BEGIN_TURN = 1;
    static final int END_TURN = 2;
    static final int MARK_TURN = 3;
    static final int WRITE = 4;
    static final int SAVE = 5;
    static final int OPEN_SESSION = 6;
    static final int EVENTS_OF = 7;
    static final int DISCARD = 8;
    static final int RESTORE = 9;

    @Override
    public int getFactoryId() {
      return FACTORY;
    }

    @Override
    public DataSerializableFactory createFactory() {
      return classId -> switch (classId) {
        case BEGIN_TURN -> new BeginTurn();
        case END_TURN -> new EndTurn();
        case MARK_TURN -> new MarkTurn();
        case WRITE -> new Write<>();
        case SAVE -> new Save();
        case OPEN_SESSION -> new OpenSession();
        case EVENTS_OF -> new EventsOf();
        case DISCARD -> new Discard();
        case RESTORE -> new Restore();
        default -> null;
      };
    }

    static void writeUuid(ObjectDataOutput out, UUID uuid) throws IOException {
      out.writeBoolean(uuid != null);
      if (uuid != null) {
        out.writeLong(uuid.getMostSignificantBits());
        out.writeLong(uuid.getLeastSignificantBits());
      }
    }

    static UUID readUuid(ObjectDataInput in) throws IOException {
      return in.readBoolean() ? new UUID(in.readLong(), in.readLong()) : null;
    }
  }
}
