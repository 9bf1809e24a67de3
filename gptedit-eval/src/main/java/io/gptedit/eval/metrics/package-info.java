/**
 * Local image metrics that need no judge: PSNR, SSIM and L1 on the unedited region.
 */
package io.gptedit.eval.metrics;
