/**
 * Reading and writing the safetensors weight format: a memory-mapped, bounds-checked reader and a deterministic
 * writer.
 */
package io.gptedit.models.safetensors;
