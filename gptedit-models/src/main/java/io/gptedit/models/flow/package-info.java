/**
 * Rectified-flow sampling and training helpers: the BFL and SD3 time schedules, a seeded noise source, the Euler
 * sampler, and timestep densities and loss weights for training.
 */
package io.gptedit.models.flow;
