/**
 * Bulwark's HTTP service client: {@link dev.bulwark.http.ServiceClient} calls services by name,
 * found through discovery, on the one call path; {@link dev.bulwark.http.HttpStatuses} says what
 * HTTP outcomes mean to the policies. {@code dev.bulwark.http.internal} is not an API.
 */
package dev.bulwark.http;
