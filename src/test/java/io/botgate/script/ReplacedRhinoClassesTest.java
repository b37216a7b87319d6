package io.botgate.script;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Constructor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Rhino classes botgate ships in place of Rhino's (ScriptRuntime, Interpreter) keep what Rhino 1.9.2 added over
 * the 1.9.1 text they are made from: its serializable nested classes refuse Java serialization unless Rhino's policy
 * allows it, as every other Rhino class does, so a replaced class is never the one way around that guard.
 */
class ReplacedRhinoClassesTest {

  @ParameterizedTest
  @ValueSource(strings = {"org.mozilla.javascript.ScriptRuntime$LookupResult",
    "org.mozilla.javascript.ScriptRuntime$IdEnumeration", "org.mozilla.javascript.Interpreter$ContinuationJump",
    "org.mozilla.javascript.Interpreter$CallFrame"})
  void shouldRefuseJavaSerializationAsRhinosOwnClassesDo(String name) throws Exception {
    Object instance = anInstanceOf(Class.forName(name));
    assertThat(instance).isInstanceOf(Serializable.class);
    assertThatThrownBy(() -> new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(instance))
      .as("serializing %s", name).isInstanceOf(NotSerializableException.class)
      .hasMessageContaining("serialization");
  }

  /** One made without running a constructor: what matters is what the class does when written. */
  private static Object anInstanceOf(Class<?> type) throws Exception {
    Constructor<Object> plain = Object.class.getDeclaredConstructor();
    Constructor<?> bare = sun.reflect.ReflectionFactory.getReflectionFactory()
      .newConstructorForSerialization(type, plain);
    return bare.newInstance();
  }
}
