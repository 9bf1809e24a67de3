/**
 * The synthetic world's stand-in services ({@link io.gptedit.testkit.synthetic.SyntheticServices}: exact edits,
 * renderings and chat answers for {@link io.gptedit.data.synthetic.SyntheticWorld} scenes) and
 * {@link io.gptedit.testkit.synthetic.SyntheticCuration}, which runs the whole curation pipeline offline on them,
 * in process or over the loopback stand-in server.
 */
package io.gptedit.testkit.synthetic;
