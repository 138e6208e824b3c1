/**
 * The etcd v3 backend of Bulwark's service discovery: {@link dev.bulwark.discovery.etcd.EtcdRegistry},
 * found by {@code Registries.create} through {@link dev.bulwark.discovery.etcd.EtcdRegistryProvider}.
 * Everything else in the package is internal.
 */
package dev.bulwark.discovery.etcd;
