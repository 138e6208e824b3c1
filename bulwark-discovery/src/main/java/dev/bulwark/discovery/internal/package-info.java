/**
 * Helpers shared by Bulwark's registry backends; exported only to them, not part of the API.
 */
package dev.bulwark.discovery.internal;
