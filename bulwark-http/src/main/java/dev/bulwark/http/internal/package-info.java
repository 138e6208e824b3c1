/** Internal to bulwark-http: public only because its packages share it; not an API, changes without notice. */
package dev.bulwark.http.internal;
