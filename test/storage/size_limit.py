"""The size limit of fit_points values (500,000,000 bytes, so that the text
form pg_dump writes fits PostgreSQL's 1 GB): a value one byte over it is
refused on receive with SQLSTATE 54000 before anything else reads it; one of
exactly the limit is not refused for its size (these bytes are no valid value:
22P03).  500 MB through COPY binary, a few seconds.  The aggregates, merges and
text input call the same check; a value at the limit round-trips through
pg_dump (measured by hand, README).  usage: size_limit.py PORT"""
import io
import struct
import sys

import psycopg2

LIMIT = 500_000_000
port = int(sys.argv[1])
conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
conn.autocommit = True
cur = conn.cursor()
cur.execute("CREATE TEMP TABLE big (p fit_points)")


def receive(size):
    head = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0) + struct.pack("!hi", 1, size)
    body = bytearray(size)
    body[0:2] = b"\x01\x01"
    data = io.BytesIO(head + bytes(body) + struct.pack("!h", -1))
    del body
    try:
        cur.copy_expert("COPY big FROM STDIN (FORMAT binary)", data)
        return "accepted", ""
    except psycopg2.Error as e:
        return e.pgcode, e.pgerror.splitlines()[0]


over, msg = receive(LIMIT + 1)
at, _ = receive(LIMIT)
ok = over == "54000" and "exceeds the limit of 500000000 bytes" in msg and at == "22P03"
print(("ok   - " if ok else "FAIL - ") +
      f"size limit: a {LIMIT + 1}-byte value is refused ({over}: {msg}); one of {LIMIT} bytes "
      f"is read as a value ({at})")
sys.exit(0 if ok else 1)
