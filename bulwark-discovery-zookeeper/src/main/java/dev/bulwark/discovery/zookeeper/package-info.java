/**
 * The ZooKeeper backend of Bulwark's service discovery, on Apache Curator:
 * {@link dev.bulwark.discovery.zookeeper.ZooKeeperRegistry}, also made by
 * {@code Registries.create(RegistryConfig.builder(RegistryConfig.ZOOKEEPER)...)}.
 */
package dev.bulwark.discovery.zookeeper;
