package io.botgate.script;

import org.mozilla.javascript.BaseFunction;
import org.mozilla.javascript.Function;

/**
 * A function that stands in for a builtin (behind a check, see {@link NativeGuards} and {@link BudgetedFunction}) and
 * shows the builtin's name, length and arity, so a script sees no difference but the check.
 */
abstract class StandIn extends BaseFunction {

  final Function target;

  StandIn(Function target) {
    this.target = target;
  }

  @Override
  public String getFunctionName() {
    return target instanceof BaseFunction f ? f.getFunctionName() : "";
  }

  @Override
  public int getLength() {
    return target instanceof BaseFunction f ? f.getLength() : 0;
  }

  @Override
  public int getArity() {
    return target instanceof BaseFunction f ? f.getArity() : 0;
  }
}
