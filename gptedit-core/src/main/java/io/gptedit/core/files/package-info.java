/**
 * File sets as users name them: {@link io.gptedit.core.files.FilePattern} expands a file, a folder or a glob.
 *
 * @since 0.1
 */
package io.gptedit.core.files;
