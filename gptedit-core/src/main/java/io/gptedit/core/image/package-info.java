/**
 * Images as interleaved 8-bit RGB: {@link io.gptedit.core.image.RgbImage}, codecs
 * ({@link io.gptedit.core.image.ImageCodec}: PNG, JPEG, WebP read) and resampling
 * ({@link io.gptedit.core.image.Resampler}).
 */
package io.gptedit.core.image;
