/**
 * The per-sample metadata record of the paper's appendix B.6 ({@link io.gptedit.core.metadata.SampleMetadata})
 * and its JSON codec ({@link io.gptedit.core.metadata.MetadataCodec}), with a JSON Schema shipped as the resource
 * {@code io/gptedit/core/metadata/sample-metadata.schema.json}.
 */
package io.gptedit.core.metadata;
