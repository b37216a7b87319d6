/* -*- Mode: java; tab-width: 8; indent-tabs-mode: nil; c-basic-offset: 4 -*-
 *
 * This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at http://mozilla.org/MPL/2.0/. */

package org.mozilla.javascript;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * Rhino 1.9.2's ConsString, replaced by botgate (the shade plugin drops Rhino's own copy) so that the
 * length of a string built by {@code +} is checked before the string exists. Rhino's interpreter makes a
 * ConsString for every {@code +} on strings, with no hook a sandbox could use; a rope doubled 30 times is
 * 30 small objects, and the first builtin that reads it flattened 2^30 pieces into one gigabyte in a
 * single step no limit could interrupt. Changes from Rhino's: the length is checked by {@link
 * #limitLengthWith the sandbox's check} (and never wraps past {@code Integer.MAX_VALUE}), and a rope of
 * more than {@link #MAX_PIECES} pieces flattens its two parts first, so flattening never walks more
 * pieces than that, whatever the empty strings a script doubles.
 *
 * <p>This class represents a string composed of two components, each of which may be a {@code
 * java.lang.String} or another ConsString.
 *
 * <p>This string representation is optimized for concatenation using the "+" operator. Instead of
 * immediately copying both components to a new character array, ConsString keeps references to the
 * original components and only converts them to a String if either toString() is called or a
 * certain depth level is reached.
 *
 * <p>Note that instances of this class are only immutable if both parts are immutable, i.e. either
 * Strings or ConsStrings that are ultimately composed of Strings.
 *
 * <p>Both the name and the concept are borrowed from V8.
 */
public class ConsString implements CharSequence, Serializable {

    private static final long serialVersionUID = -8432806714471372570L;

    /** Ropes up to this length are made unchecked: the check reads the current context. */
    static final int CHECKED_FROM = 1 << 16;
    /** Most strings one flattening copies, one by one. */
    static final int MAX_PIECES = 1 << 20;

    private static volatile LongConsumer lengthCheck = length -> {};

    private CharSequence left, right;
    private final int length;
    /** Strings the flattening would copy (1 once flat). */
    private final int pieces;
    private boolean isFlat;

    public ConsString(CharSequence str1, CharSequence str2) {
        if (!(str1 instanceof String) && !(str1 instanceof ConsString)) {
            str1 = str1.toString();
        }
        if (!(str2 instanceof String) && !(str2 instanceof ConsString)) {
            str2 = str2.toString();
        }
        long joined = (long) str1.length() + str2.length();
        if (joined > CHECKED_FROM) {
            lengthCheck.accept(joined);
            if (joined > Integer.MAX_VALUE) {
                throw ScriptRuntime.rangeError("Invalid string length " + joined);
            }
        }
        long parts = (long) pieces(str1) + pieces(str2);
        if (parts > MAX_PIECES) {
            str1 = str1.toString();
            str2 = str2.toString();
            parts = 2;
        }
        left = str1;
        right = str2;
        length = (int) joined;
        pieces = (int) parts;
        isFlat = false;
    }

    /**
     * Sets the check every string longer than {@link #CHECKED_FROM} made by concatenation goes through
     * before it is made: it throws to refuse the string.
     */
    public static void limitLengthWith(LongConsumer check) {
        lengthCheck = check;
    }

    private static int pieces(CharSequence part) {
        return part instanceof ConsString rope && !rope.isFlat ? rope.pieces : 1;
    }

    // Replace with string representation when serializing
    private Object writeReplace() {
        return this.toString();
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("ConsString must be serialized as a String");
    }

    private void readObjectNoData() throws InvalidObjectException {
        throw new InvalidObjectException("ConsString must be serialized as a String");
    }

    @Override
    public String toString() {
        return isFlat ? (String) left : flatten();
    }

    private synchronized String flatten() {
        if (!isFlat) {
            final char[] chars = new char[length];
            int charPos = length;

            ArrayDeque<CharSequence> stack = new ArrayDeque<>();
            stack.addFirst(left);

            CharSequence next = right;
            do {
                if (next instanceof ConsString) {
                    ConsString casted = (ConsString) next;
                    if (casted.isFlat) {
                        next = casted.left;
                    } else {
                        stack.addFirst(casted.left);
                        next = casted.right;
                        continue;
                    }
                }

                final String str = (String) next;
                charPos -= str.length();
                str.getChars(0, str.length(), chars, charPos);
                next = stack.isEmpty() ? null : stack.removeFirst();
            } while (next != null);

            left = new String(chars);
            right = "";
            isFlat = true;
        }
        return (String) left;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        String str = isFlat ? (String) left : flatten();
        return str.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        String str = isFlat ? (String) left : flatten();
        return str.substring(start, end);
    }
}
