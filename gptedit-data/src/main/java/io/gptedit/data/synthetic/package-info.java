/**
 * The synthetic edit world ({@link io.gptedit.data.synthetic.SyntheticWorld}): procedural scenes, edit programs and
 * instructions with exact ground truth ({@link io.gptedit.data.synthetic.SyntheticTruth}), and the object- and
 * pixel-level metrics that score edits against it.
 *
 * @since 0.1
 */
package io.gptedit.data.synthetic;
