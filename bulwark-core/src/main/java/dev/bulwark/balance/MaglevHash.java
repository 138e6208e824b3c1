package dev.bulwark.balance;

import dev.bulwark.CallContext;
import java.util.random.RandomGenerator;

/**
 * Consistent hashing with Google's Maglev table: a lookup table of a prime size M filled by each
 * endpoint in turn along its own permutation, so every endpoint owns an almost equal share and a
 * change of membership moves little more than the keys of the endpoint that came or went. A pick
 * is one hash and one array read, whatever the number of endpoints. M is {@value #MIN_TABLE} and
 * doubles (to a prime) while under 100 × the endpoints: a key's slot depends on M, so M must not
 * follow every change of membership, only the rare doubling, which moves every key.
 *
 * <p>The key comes from the call context ({@link LoadBalancers#HASH_KEY}); a call without one goes
 * to a random endpoint. Weights are not used. When a key's endpoint is unavailable the key moves,
 * for that call only, to another endpoint chosen by probing further along the table.
 */
final class MaglevHash implements LoadBalancer {
    private static final int PROBES = 32;
    static final int MIN_TABLE = 65_537;

    private final RandomGenerator fixed;
    private final Prepared<int[]> tables = new Prepared<>();

    MaglevHash(RandomGenerator fixed) {
        this.fixed = fixed;
    }

    static int[] table(EndpointSet<?> endpoints) {
        int n = endpoints.size();
        int m = tableSize(n);
        long[] offset = new long[n];
        long[] skip = new long[n];
        for (int i = 0; i < n; i++) {
            long h = mix(endpoints.get(i).name().hashCode());
            offset[i] = Math.floorMod(h, (long) m);
            skip[i] = Math.floorMod(mix(h ^ 0x9E3779B97F4A7C15L), (long) (m - 1)) + 1;
        }
        int[] table = new int[m];
        java.util.Arrays.fill(table, -1);
        long[] next = new long[n];
        int filled = 0;
        while (filled < m) {
            for (int i = 0; i < n && filled < m; i++) {
                int slot = (int) ((offset[i] + next[i] * skip[i]) % m);
                while (table[slot] >= 0) {
                    next[i]++;
                    slot = (int) ((offset[i] + next[i] * skip[i]) % m);
                }
                table[slot] = i;
                next[i]++;
                filled++;
            }
        }
        return table;
    }

    @Override
    public Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion avoid) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        Object key = context.get(LoadBalancers.HASH_KEY);
        if (key == null) {
            return Picks.uniform(endpoints, avoid, Randoms.of(fixed));
        }
        int[] table = tables.of(endpoints, MaglevHash::table);
        long hash = mix(key.hashCode());
        int slot = (int) Math.floorMod(hash, (long) table.length);
        long step = Math.floorMod(mix(hash), (long) (table.length - 1)) + 1;
        for (int probe = 0; probe < PROBES; probe++) {
            Endpoint e = endpoints.get(table[slot]);
            if (Picks.eligible(e, avoid)) {
                return e;
            }
            slot = (int) ((slot + step) % table.length);
        }
        return Picks.firstAvailableFrom(endpoints, table[slot], avoid);
    }

    static int tableSize(int endpoints) {
        int m = MIN_TABLE;
        while (m < 100L * endpoints) {
            m = nextPrime(2 * m);
        }
        return m;
    }

    /** murmur3's 64-bit finalizer: spreads weak hash codes (small integers, similar strings). */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static int nextPrime(int from) {
        for (int candidate = from | 1; ; candidate += 2) {
            if (isPrime(candidate)) {
                return candidate;
            }
        }
    }

    private static boolean isPrime(int x) {
        for (int d = 3; (long) d * d <= x; d += 2) {
            if (x % d == 0) {
                return false;
            }
        }
        return x > 2;
    }

    @Override
    public String toString() {
        return "consistent hash (Maglev)";
    }
}
