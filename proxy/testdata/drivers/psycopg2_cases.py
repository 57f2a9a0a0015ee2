# psycopg2's protocol-sensitive cases (after its test suite: named cursors
# in test_cursor.py, test_copy.py, notices in test_connection.py,
# test_async.py, test_cancel.py), run against SD_DSN. It prints what the
# client saw, one line per fact; the Go test compares the lines straight on
# PostgreSQL and through the proxy.
import io
import os
import select
import threading
import time

import psycopg2
import psycopg2.extensions as ext

DSN = os.environ["SD_DSN"]
ADMIN = os.environ["SD_ADMIN_DSN"]


def out(*parts):
    print(*parts, flush=True)


def wait(conn):
    # psycopg2's documented wait loop for asynchronous connections
    while True:
        state = conn.poll()
        if state == ext.POLL_OK:
            return
        if state == ext.POLL_WRITE:
            select.select([], [conn.fileno()], [], 10)
        elif state == ext.POLL_READ:
            select.select([conn.fileno()], [], [], 10)
        else:
            raise psycopg2.OperationalError("poll() returned %s" % state)


def failure(e):
    return "%s %s %s" % (type(e).__name__, e.pgcode, (e.pgerror or "").strip().splitlines()[0] if e.pgerror else str(e).strip())


def named_cursors(conn):
    cur = conn.cursor("c1")
    cur.itersize = 3
    cur.execute("SELECT id, val FROM t ORDER BY id")
    out("named cursor, itersize 3:", list(cur))
    cur = conn.cursor("c2")
    cur.execute("SELECT id FROM t ORDER BY id")
    out("fetchone, fetchmany(2), fetchall:", cur.fetchone(), cur.fetchmany(2), cur.fetchall(), cur.rowcount)
    cur.close()
    cur = conn.cursor("c3", scrollable=True)
    cur.execute("SELECT generate_series(1, 10)")
    cur.scroll(5, mode="absolute")
    a = cur.fetchone()
    cur.scroll(-2)
    out("scrollable:", a, cur.fetchone())
    cur.close()
    conn.commit()
    cur = conn.cursor("c4", withhold=True)
    cur.execute("SELECT id FROM t WHERE id < 8 ORDER BY id")
    out("withhold, before commit:", cur.fetchone())
    conn.commit()
    out("withhold, after commit:", cur.fetchall())
    cur.close()
    cur = conn.cursor("c5")
    try:
        cur.execute("SELECT 1/0")
        out("named cursor on an error:", cur.fetchall())
    except psycopg2.Error as e:
        out("named cursor on an error:", failure(e))
    conn.rollback()
    cur = conn.cursor("c6")
    cur.execute("SELECT id FROM t2 ORDER BY id")
    for row in cur:
        if row[0] > 2:
            break
    out("named cursor left open, then:", row, conn.info.transaction_status)
    conn.rollback()


def copy(conn):
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE tcopy (id int, data text)")
    cur.copy_from(io.StringIO("1\tone\n2\t\\N\n3\ttab\\there\n"), "tcopy")
    out("copy_from:", cur.rowcount)
    buf = io.StringIO()
    cur.copy_to(buf, "tcopy", sep="|")
    out("copy_to:", repr(buf.getvalue()))
    buf = io.StringIO()
    cur.copy_expert("COPY (SELECT id, val FROM t ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", buf)
    out("copy_expert to, a soft-delete table:", repr(buf.getvalue()))
    buf = io.StringIO()
    cur.copy_to(buf, "t", columns=("id", "grp"))
    out("copy_to, a soft-delete table:", sorted(buf.getvalue().splitlines()))
    try:
        cur.copy_expert("COPY tcopy FROM STDIN", io.StringIO("4\tfour\nnot a number\tx\n"))
    except psycopg2.Error as e:
        out("copy_expert from, a bad row:", failure(e))
    conn.rollback()
    cur.execute("CREATE TEMP TABLE tcopy2 (id int, data text)")
    big = "".join("%d\t%s\n" % (i, "x" * (i % 100)) for i in range(20000))
    cur.copy_expert("COPY tcopy2 FROM STDIN", io.StringIO(big), size=8192)
    cur.execute("SELECT count(*), sum(length(data)) FROM tcopy2")
    out("copy_expert from, 20000 rows:", cur.fetchone())
    conn.commit()


def notices(conn):
    del conn.notices[:]
    cur = conn.cursor()
    cur.execute("DO $$ BEGIN RAISE NOTICE 'hello %', 42; RAISE WARNING 'careful'; END $$")
    cur.execute("SET client_min_messages = debug1")
    cur.execute("CREATE TEMP TABLE chatty (id serial PRIMARY KEY)")
    out("statusmessage:", cur.statusmessage)
    cur.execute("RESET client_min_messages")
    out("notices:", [n.strip() for n in conn.notices])
    conn.commit()


def asynchronous():
    conn = psycopg2.connect(DSN, async_=1)
    wait(conn)
    out("async connection: autocommit", conn.autocommit)
    cur = conn.cursor()
    cur.execute("CREATE TEMPORARY TABLE table1 (id int PRIMARY KEY)")
    wait(conn)
    cur.execute("select 'a'")
    out("executing:", conn.isexecuting())
    wait(conn)
    out("async select:", cur.fetchone(), conn.isexecuting())
    cur.execute("insert into table1 values (%s)", (1,))
    wait(conn)
    cur.execute("insert into table1 values (%s)", (1,))
    try:
        wait(conn)
    except psycopg2.Error as e:
        out("async error:", failure(e))
    cur.execute("insert into table1 values (%s); insert into table1 values (%s)", (2, 2))
    try:
        wait(conn)
    except psycopg2.Error as e:
        out("async error in a multi-statement query:", failure(e))
    cur.execute("insert into table1 values (2)")
    wait(conn)
    cur.execute("select * from table1 order by id")
    wait(conn)
    out("after errors:", cur.fetchall())
    cur.execute("select repeat('a', 10000); select repeat('b', 10000)")
    wait(conn)
    out("async multi-statement: the last result:", cur.fetchone()[0] == "b" * 10000)
    cur.execute("SELECT id FROM t WHERE grp = 0 ORDER BY id")
    wait(conn)
    out("async read of a soft-delete table:", cur.fetchall())
    sync = psycopg2.connect(DSN)
    sync.autocommit = True
    scur = sync.cursor()
    scur.execute("LISTEN test_notify")
    cur.execute("NOTIFY test_notify, 'from async'")
    wait(conn)
    pid = conn.info.backend_pid
    for _ in range(100):
        select.select([sync], [], [], 0.1)
        sync.poll()
        if sync.notifies:
            break
    n = sync.notifies.pop() if sync.notifies else None
    out("notification from the async connection:", n is not None and (n.pid == pid, n.channel, n.payload))
    sync.close()
    cur.execute("copy (select 1) to stdout")
    try:
        wait(conn)
    except psycopg2.ProgrammingError as e:
        out("async COPY:", type(e).__name__, str(e).strip())
    conn.close()


def cancel():
    conn = psycopg2.connect(DSN)
    admin = psycopg2.connect(ADMIN)
    admin.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    conn.commit()

    def cancel_when_running():
        acur = admin.cursor()
        for _ in range(500):
            acur.execute("SELECT state, query FROM pg_stat_activity WHERE pid = %s", (pid,))
            state, query = acur.fetchone()
            if state == "active" and "pg_sleep(10)" in query:
                conn.cancel()
                return
            time.sleep(0.01)

    th = threading.Thread(target=cancel_when_running)
    th.start()
    try:
        cur.execute("SELECT pg_sleep(10)")
        out("cancel: not cancelled")
    except psycopg2.extensions.QueryCanceledError as e:
        out("cancel:", failure(e))
    th.join()
    conn.rollback()
    cur.execute("SELECT 1")
    out("after cancel:", cur.fetchone())
    conn.close()
    admin.close()


def main():
    conn = psycopg2.connect(DSN)
    named_cursors(conn)
    copy(conn)
    notices(conn)
    conn.close()
    asynchronous()
    cancel()
    out("done")


main()
