package dev.bulwark.call;

/** Where the pick leaves the breaker permit of the endpoint it admitted a call to. */
final class PermitSlot {
    long permit;
}
