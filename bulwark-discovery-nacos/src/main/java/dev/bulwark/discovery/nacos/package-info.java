/**
 * The Nacos backend of Bulwark's service discovery: {@link dev.bulwark.discovery.nacos.NacosRegistry},
 * found by {@code Registries.create} through {@link dev.bulwark.discovery.nacos.NacosRegistryProvider}.
 * Everything else in the package is internal.
 */
package dev.bulwark.discovery.nacos;
