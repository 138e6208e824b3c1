/**
 * The HashiCorp Consul backend of Bulwark's service discovery:
 * {@link dev.bulwark.discovery.consul.ConsulRegistry}, found by {@code Registries.create} through
 * {@link dev.bulwark.discovery.consul.ConsulRegistryProvider}. Everything else in the package is
 * internal.
 */
package dev.bulwark.discovery.consul;
