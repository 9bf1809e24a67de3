/**
 * The gptedit vocabulary shared by every other module.
 *
 * <p>The one-line data flow of the SDK is
 * {@code TripletSource -> CurationPipeline -> Shards/Index -> FineTuner -> Editor -> Benchmark -> Report}; this
 * module holds the types every stage speaks: {@link io.gptedit.core.image.RgbImage images},
 * {@link io.gptedit.core.geometry.PadCropPlan pad/crop geometry},
 * {@link io.gptedit.core.triplet.EditTriplet edit triplets},
 * {@link io.gptedit.core.metadata.SampleMetadata per-sample metadata},
 * {@link io.gptedit.core.quality quality checks} and the {@link io.gptedit.core.editor.ImageEditor} interface that every
 * editor (local model, ONNX graph or remote API) implements.
 */
package io.gptedit.core;
