/**
 * Pad/crop geometry for generators that render only a few aspect ratios.
 *
 * <p>GPT-Image-1 renders 1024x1024, 1536x1024 and 1024x1536 only. The paper never resizes an input to fit:
 * it pads to the nearest supported ratio, generates, crops the padding away and resizes the crop back to the
 * original size. {@link io.gptedit.core.geometry.AspectPreset} names the three ratios and
 * {@link io.gptedit.core.geometry.PadCropPlan} does the exact integer arithmetic; its class documentation states
 * every rule (nearest ratio, centring, odd remainders, rounding at the generation resolution).
 */
package io.gptedit.core.geometry;
