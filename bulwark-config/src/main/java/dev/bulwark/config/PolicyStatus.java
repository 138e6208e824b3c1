package dev.bulwark.config;

import java.util.Optional;

/**
 * What one name runs from a config center: the key and revision of the document in force, and
 * the last document refused for it, if its refusal is more recent than the document in force.
 * {@code revision} 0 means the name runs its configured policy, no document being in force.
 */
public record PolicyStatus(String name, String key, long revision, Optional<String> lastError, long lastErrorRevision) {
}
