/**
 * Training building blocks that do not depend on the architecture: optimizers ({@link
 * io.gptedit.models.train.AdamWOptimizer}, {@link io.gptedit.models.train.ProdigyOptimizer}), learning-rate schedules, gradient
 * clipping and an exponential moving average of weights. Parameters are named DJL arrays; gradients are the arrays
 * DJL's autograd attached to them.
 */
package io.gptedit.models.train;
