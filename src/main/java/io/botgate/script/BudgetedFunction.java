package io.botgate.script;

import org.mozilla.javascript.Context;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.JSFunction;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;

/**
 * A builtin that a builtin calls (a callback such as {@code arr.map(String.prototype.repeat, 'y')}, the target of
 * {@code bind}), behind the run's checks: the interpreter checks the budget before the calls it makes and at its
 * branches, but a builtin that calls a builtin runs no instruction between two calls, so
 * {@code Array(n).fill(s).map(Function.prototype.call.bind(String.prototype.toUpperCase))} made copy after copy with
 * nothing but the watchdog, twice over the budget, to stop it. A script's own functions need no wrapper: they run
 * instructions, which are checked.
 */
final class BudgetedFunction extends StandIn {

  private BudgetedFunction(Function target) {
    super(target);
  }

  /** {@code value} behind the checks if it is a builtin function, else {@code value} itself. */
  static Object of(Object value, Scriptable scope) {
    if (value instanceof Function target && !(value instanceof JSFunction) && !(value instanceof BudgetedFunction)) {
      BudgetedFunction budgeted = new BudgetedFunction(target);
      ScriptRuntime.setFunctionProtoAndParent(budgeted, scope);
      return budgeted;
    }
    return value;
  }

  @Override
  public Object call(Context cx, Scriptable scope, Scriptable thisObj, Object[] args) {
    SandboxContextFactory.checkBetweenBuiltins(cx);
    return target.call(cx, scope, thisObj, args);
  }

  @Override
  public Scriptable construct(Context cx, Scriptable scope, Object[] args) {
    SandboxContextFactory.checkBetweenBuiltins(cx);
    return target.construct(cx, scope, args);
  }

  @Override
  public boolean hasInstance(Scriptable instance) {
    return target.hasInstance(instance);
  }

  @Override
  protected boolean hasPrototypeProperty() {
    return false;
  }
}
