/** Example programs and the {@code gptedit} command-line tool. */
package io.gptedit.examples;
