/** Server-side protection for the JDK's HTTP server: a per-key rate-limit filter. */
package dev.bulwark.http.server;
