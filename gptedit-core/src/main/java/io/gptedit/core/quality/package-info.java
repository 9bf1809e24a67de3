/**
 * The paper's automatic quality filters (appendix B.5): {@link io.gptedit.core.quality.ResidualPaddingCheck}
 * rejects crops that still show padding, {@link io.gptedit.core.quality.PaddingMaskCheck} rejects samples whose
 * recorded padding disagrees with what the generated pixels show. Each returns a
 * {@link io.gptedit.core.quality.QualityVerdict} with typed {@link io.gptedit.core.quality.RejectReason}s.
 */
package io.gptedit.core.quality;
