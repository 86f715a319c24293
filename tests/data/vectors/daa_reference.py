#!/usr/bin/env python3
"""Independent reference model of the difficulty algorithms in bitcoin-core.md section 1.6.

Written from the published definitions in Python's big integers (no code shared with the Rust
implementation). Running it prints every reference value pinned by the unit tests in
src/consensus/difficulty/{asert,bch,lwma}.rs:  python3 tests/data/vectors/daa_reference.py
"""

M = 1 << 256
POW_LIMIT = (1 << 224) - 1  # Bitcoin mainnet's powLimit
U64 = (1 << 64) - 1


def decode(n):
    """Compact nBits to a target (non-negative encodings only)."""
    size, word = n >> 24, n & 0x007FFFFF
    if size <= 3:
        return word >> (8 * (3 - size))
    return (word << (8 * (size - 3))) % M


def encode(t):
    """Target to compact nBits, truncating."""
    size = (t.bit_length() + 7) // 8
    if size <= 3:
        c = (t & U64) << (8 * (3 - size))
    else:
        c = (t >> (8 * (size - 3))) & U64
    c &= 0xFFFFFFFF
    if c & 0x00800000:
        c >>= 8
        size += 1
    return (c | (size << 24)) & 0xFFFFFFFF


def proof(bits):
    return M // (decode(bits) + 1)


def cdiv(a, b):
    """C's integer division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def asert(anchor_bits, T, dt, dh, tau, pow_limit=POW_LIMIT):
    """aserti3-2d: dt = parent time - anchor parent time, dh = parent height - anchor height."""
    exponent = cdiv((dt - T * (dh + 1)) * 65536, tau)
    shifts, frac = exponent >> 16, exponent & 0xFFFF
    cubic = (195766423245049 * frac + 971821376 * frac**2 + 5127 * frac**3 + (1 << 47)) & U64
    t = decode(anchor_bits) * (65536 + (cubic >> 48))
    shifts -= 16
    if shifts <= 0:
        t >>= -shifts
    else:
        t = pow_limit if (t << shifts) >= M else t << shifts
    t = 1 if t == 0 else min(t, pow_limit)
    return encode(t)


def mtp(times, h, w=11):
    ts = sorted(times[max(0, h - w + 1):h + 1])
    return ts[len(ts) // 2]


def cw144(times, bits, prev, T, pow_limit=POW_LIMIT):
    """BCH cw-144 for the child of height `prev` (block i at height i)."""
    work, acc = [], 0
    for b in bits:
        acc += proof(b)
        work.append(acc)

    def suitable(h):
        b = [h - 2, h - 1, h]
        if times[b[0]] > times[b[2]]:
            b[0], b[2] = b[2], b[0]
        if times[b[0]] > times[b[1]]:
            b[0], b[1] = b[1], b[0]
        if times[b[1]] > times[b[2]]:
            b[1], b[2] = b[2], b[1]
        return b[1]

    last, first = suitable(prev), suitable(prev - 144)
    ts = min(max(times[last] - times[first], 72 * T), 288 * T)
    W = (work[last] - work[first]) * T // ts
    return encode(min((M - W) // W, pow_limit))


def eda(times, bits, prev, T=600, I=2016, pow_limit=POW_LIMIT):
    """BCH EDA for the child of height `prev`."""
    if (prev + 1) % I == 0:
        span = min(max(times[prev] - times[prev - (I - 1)], T * I // 4), T * I * 4)
        return encode(min(decode(bits[prev]) * span // (T * I), pow_limit))
    if bits[prev] == encode(pow_limit):
        return bits[prev]
    if mtp(times, prev) - mtp(times, prev - 6) < 12 * 3600:
        return bits[prev]
    t = decode(bits[prev])
    return encode(min(t + (t >> 2), pow_limit))


def lwma(times, bits, prev, N, T=600, FTL=7200, pow_limit=POW_LIMIT):
    """zawy's LWMA for the child of height `prev`."""
    if prev < N:
        return encode(pow_limit)
    k = N * (N + 1) * T // 2
    t = s = 0
    for j, i in enumerate(range(prev - N + 1, prev + 1), start=1):
        t += j * max(-FTL, min(times[i] - times[i - 1], 6 * T))
        s += decode(bits[i]) // (k * N)
    return encode(min(max(t, k // 10) * s % M, pow_limit))


CYCLE = [0x1B0404CB, 0x1B0504CB, 0x1B0304CB]


def main():
    tau = 172800
    print("asert (anchor 0x1804dafe, T 600): time_diff, height_diff, half-life -> nBits")
    for dt, dh, hl in [(600, 0, tau), (0, -1, tau), (600 + tau, 0, tau), (600 - tau, 0, tau),
                       (600 * 101 + tau // 2, 100, tau), (600 * 101 - 3, 100, tau),
                       (600 * 101 - 1, 100, tau), (600 * 11 - 2 * tau - 1, 10, tau),
                       (600 * 11 + 2 * tau, 10, tau), (-1000, 5, tau), (600 + 40 * tau, 0, tau),
                       (100 * tau, 0, tau), (0, 100000, tau), (600 + 3600, 0, 3600),
                       (600 + 1800, 0, 3600)]:
        print(f"  {dt} {dh} {hl} -> {asert(0x1804DAFE, 600, dt, dh, hl):#010x}")

    print("cw-144 on bch.rs's `jittered` chains: spacing, parent height -> nBits")
    for sp, prev in [(600, 146), (600, 147), (600, 151), (150, 170), (1800, 170), (330, 170),
                     (1150, 170)]:
        times = [1_000_000 + sp * i + (i * 7919) % 3001 - 1500 for i in range(prev + 1)]
        bits = [CYCLE[i % 3] for i in range(prev + 1)]
        print(f"  {sp} {prev} -> {cw144(times, bits, prev, 600):#010x}")

    print("eda: bch.rs's `eda_chain` and the slow period")
    for el in [12 * 3600 - 1, 12 * 3600]:
        time, times = 1_000_000, []
        for h in range(41):
            if 30 <= h <= 35:
                time += el // 6 + (el % 6 if h == 35 else 0)
            elif h > 0:
                time += 600
            times.append(time)
        print(f"  elapsed {el} -> {eda(times, [0x1B0404CB] * 41, 40):#010x}")
    times = [1_000_000 + 1200 * i for i in range(2016)]
    print(f"  retarget after 1200 s blocks -> {eda(times, [0x1B0404CB] * 2016, 2015):#010x}")

    print("lwma: window, chain length, solve times -> nBits")
    for N, n, solve in [(5, 6, [600]), (5, 6, [-9000, 5000, 700, 1200, 900]),
                        (5, 6, [-7200, 3600, 700, 1200, 900]), (5, 6, [-300, 600, 700, 1200, 900]),
                        (5, 9, [1]), (60, 200, [600, 1300, 20, 900, 410, 2500, 90, 600, -40, 700, 610]),
                        (60, 61, [300]), (60, 61, [4000])]:
        time, times, bits = 1_000_000, [], []
        for i in range(n):
            if i > 0:
                time += solve[(i - 1) % len(solve)]
            times.append(time)
            bits.append(CYCLE[i % 3])
        print(f"  {N} {n} {solve} -> {lwma(times, bits, n - 1, N):#010x}")


if __name__ == "__main__":
    main()
