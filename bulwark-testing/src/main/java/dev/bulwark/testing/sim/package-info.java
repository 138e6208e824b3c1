/**
 * Deterministic discrete-event simulations of client-side load balancing in virtual time: put
 * {@link dev.bulwark.testing.sim.Backend simulated backends} (slow, failing, stalled) behind the
 * real balancers, statistics and breakers, replay the same traffic for each
 * {@link dev.bulwark.testing.sim.Balancing balancing} and compare their
 * {@link dev.bulwark.testing.sim.SimulationReport reports}. A run of 200 000 requests takes a
 * fraction of a second and is repeatable to the last request. See
 * {@link dev.bulwark.testing.sim.Simulation} for the model.
 */
package dev.bulwark.testing.sim;
