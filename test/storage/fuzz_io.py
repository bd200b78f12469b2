"""Randomized corruption through the real fit_points input and receive
functions: corrupted text through fit_points_in ('...'::fit_points) and
corrupted bytes through fit_points_recv (COPY ... FROM STDIN (FORMAT binary)).
Every case must either be accepted (and then print back to the same text, in
canonical form: a y of -0.0 prints as 0.0) or
fail with SQLSTATE 22P02 / 22P03; the server must stay up.
usage: fuzz_io.py PORT CASES"""
import io
import random
import struct
import sys

import psycopg2

port, cases = int(sys.argv[1]), int(sys.argv[2])
conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
conn.autocommit = True
cur = conn.cursor()
cur.execute("CREATE TEMP TABLE sink1 (p fit_points); CREATE TEMP TABLE sink2 (p fit_points2)")
bases = {}
for k, typ, args in ((1, "fit_points", "x, y"), (2, "fit_points2", "x, x * 1.5 + i % 3, y")):
    cur.execute(f"""SELECT fit_points({args})::text FROM
        (SELECT i, 100.0 * (1 + i % 9) AS x, 1 + 3 * (100.0 * (1 + i % 9)) ^ (-0.4) + 0.01 * sin(i) AS y
         FROM generate_series(1, 40) i) s""")
    bases[k] = bytes.fromhex(cur.fetchone()[0][2:])

rng = random.Random(20240607)


def corrupt(b):
    b = bytearray(b)
    kind = rng.randrange(5)
    if kind == 0:
        return bytes(b[: rng.randrange(len(b))])
    if kind == 1:
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] ^= rng.randint(1, 255)
    elif kind == 2:
        at = rng.randrange(len(b) - 8)
        v = rng.choice([0, 1, -1, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63), rng.getrandbits(63)])
        b[at:at + 8] = struct.pack("<q", v)
    elif kind == 3:
        b += bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 40)))
    else:
        a, c, n = rng.randrange(len(b)), rng.randrange(len(b)), rng.randint(1, 40)
        chunk = b[a:a + n]
        b[c:c + len(chunk)] = chunk
        b = b[: len(b)]
    return bytes(b)


def canonical(b):
    """an accepted value as the server writes it: a single y of -0.0 (as 1.1
    wrote) becomes 0.0"""
    b = bytearray(b)
    k, m = b[1], struct.unpack_from("<i", b, 4)[0]
    off = 16 + 8 + 8 * struct.unpack_from("<i", b, 20)[0]
    for _ in range(m):
        off += 8 * k
        w = struct.unpack_from("<q", b, off)[0]
        off += 8
        if w == 1:
            if b[off:off + 8] == b"\0" * 7 + b"\x80":
                b[off:off + 8] = b"\0" * 8
            off += 8
        else:
            off += 8 + 8 * struct.unpack_from("<i", b, off + 4)[0]
    return bytes(b)


def copy_binary(value):
    out = io.BytesIO()
    out.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
    out.write(struct.pack("!hi", 1, len(value)) + value)
    out.write(struct.pack("!h", -1))
    out.seek(0)
    return out


stats = {"accepted": 0, "22P02": 0, "22P03": 0, "other": 0}
others = []
for c in range(cases):
    k = 1 + c % 2
    typ, sink = ("fit_points", "sink1") if k == 1 else ("fit_points2", "sink2")
    value = corrupt(bases[k])
    try:
        if c % 2 == 0:
            text = "\\x" + value.hex()
            if rng.random() < 0.2:
                i = rng.randrange(len(text))
                text = text[:i] + rng.choice("g\\ xZ0") + text[i + 1:]
            cur.execute(f"SELECT %s::{typ}::text", (text,))
            printed = cur.fetchone()[0]
            if printed != "\\x" + canonical(bytes.fromhex(text[2:])).hex():
                others.append(("text not canonical", text[:80]))
        else:
            cur.copy_expert(f"COPY {sink} FROM STDIN (FORMAT binary)", copy_binary(value))
            cur.execute(f"SELECT p::text FROM {sink}")
            if cur.fetchone()[0] != "\\x" + canonical(value).hex():
                others.append(("received value prints differently", value.hex()[:80]))
            cur.execute(f"TRUNCATE {sink}")
        stats["accepted"] += 1
    except psycopg2.Error as e:
        if e.pgcode in ("22P02", "22P03"):
            stats[e.pgcode] += 1
        else:
            stats["other"] += 1
            others.append((e.pgcode, str(e)[:120]))
cur.execute("SELECT 1")
alive = cur.fetchone()[0] == 1
print(f"    {cases} cases: {stats}")
for o in others[:5]:
    print("    unexpected:", o)
ok = alive and stats["other"] == 0 and not others and stats["22P02"] > 0 and stats["22P03"] > 0
print(("ok   - " if ok else "FAIL - ") +
      f"SQL-level corruption of fit_points input and receive: {cases} cases, "
      "every one accepted canonically or an ERROR with SQLSTATE 22P02/22P03, server alive")
sys.exit(0 if ok else 1)
