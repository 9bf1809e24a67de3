/**
 * The edit lab: the SDK's one path ({@code TripletSource -> CurationPipeline -> Shards + Index -> FineTuner ->
 * Editor -> Benchmark -> Report}) configured at tiny size on the synthetic world, trainable on a CPU in minutes,
 * scored with the world's exact pixel- and object-level metrics. {@link io.gptedit.lab.EditLab} runs it; {@link
 * io.gptedit.lab.LabConfig} configures it.
 */
package io.gptedit.lab;
