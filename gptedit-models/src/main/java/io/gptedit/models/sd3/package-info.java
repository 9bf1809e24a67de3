/** The SD3 family: the SD3-Medium MMDiT (joint attention, patch embedding with cropped 2-D sin-cos positions). */
package io.gptedit.models.sd3;
