package io.gptedit.eval.rewrite;

import static java.util.Objects.requireNonNull;

/**
 * A structured rewrite of an edit instruction.
 *
 * @param input what the input image shows, as far as the edit is concerned
 * @param edit the explicit, self-contained edit instruction that replaces the original
 * @param output what the edited image should look like
 * @since 0.1
 */
public record RewrittenInstruction(String input, String edit, String output) {
  /** Validates the rewrite. */
  public RewrittenInstruction {
    requireNonNull(input, "input");
    requireNonNull(edit, "edit");
    requireNonNull(output, "output");
  }
}
