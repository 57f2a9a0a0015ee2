package proxy

import (
	"fmt"
	"math/rand"
)

// The workload of the differential test: a seeded stream of statements over
// the twin's tables (t, t2 managed; u not), mixing inserts, updates, deletes
// of many shapes, reads, statements that fail, and transactions that commit
// or roll back. Every statement's outcome must be the same whether the
// deletes are real or soft, so the generator avoids what soft delete
// legitimately changes: it never reuses a primary key (a trashed row still
// holds it) and never returns deleted_at of a deleted row.

type genStmt struct {
	sql  string
	args []any
}

type workload struct {
	r      *rand.Rand
	nextID int // fresh primary keys for t, t2 and u
	step   int
	inTx   bool
	txLen  int // statements left in the open transaction
	hasSP  bool
}

func newWorkload(seed int64) *workload {
	return &workload{r: rand.New(rand.NewSource(seed)), nextID: 1000}
}

func (w *workload) fresh() int { w.nextID++; return w.nextID }

// id is a key that often exists (seeded rows 1..12, inserted rows from
// 1001) and sometimes does not.
func (w *workload) id() int {
	if w.nextID > 1000 && w.r.Intn(4) != 0 {
		return 1001 + w.r.Intn(w.nextID-1000+2)
	}
	return 1 + w.r.Intn(14)
}

func (w *workload) grp() int { return w.r.Intn(5) }

func (w *workload) pick(fs ...func() genStmt) genStmt { return fs[w.r.Intn(len(fs))]() }

// next returns the next statement, handling transaction boundaries. The
// first three fill the tables.
func (w *workload) next() genStmt {
	w.step++
	switch w.step {
	case 1:
		first := w.nextID + 1
		w.nextID += 60
		return genStmt{sql: fmt.Sprintf("INSERT INTO t (id, grp, val, parent) SELECT i, i %% 5, 'g' || i, CASE WHEN i > %d THEN (i + %d) / 2 END FROM generate_series(%d, %d) i",
			first, first, first, w.nextID)}
	case 2:
		first := w.nextID + 1
		w.nextID += 40
		return genStmt{sql: fmt.Sprintf("INSERT INTO t2 (id, t_id, amount) SELECT i, i - 40 + (i %% 3), (i * 7) %% 100 FROM generate_series(%d, %d) i",
			first, w.nextID)}
	case 3:
		return genStmt{sql: "INSERT INTO u (id, t_id, note) SELECT id + 500000, id, 'u' || id FROM t WHERE id % 4 = 0"}
	case 4:
		return genStmt{sql: "PREPARE dp(int) AS DELETE FROM t WHERE id = $1 OR parent = $1"}
	}
	if w.inTx {
		w.txLen--
		if w.txLen <= 0 {
			w.inTx, w.hasSP = false, false
			if w.r.Intn(3) == 0 {
				return genStmt{sql: "ROLLBACK"}
			}
			return genStmt{sql: "COMMIT"}
		}
		switch n := w.r.Intn(12); {
		case n == 0 && !w.hasSP:
			w.hasSP = true
			return genStmt{sql: "SAVEPOINT sp"}
		case n == 1 && w.hasSP:
			return genStmt{sql: "ROLLBACK TO SAVEPOINT sp"}
		}
	} else if w.r.Intn(10) == 0 {
		w.inTx, w.txLen = true, 2+w.r.Intn(8)
		return genStmt{sql: "BEGIN"}
	}
	switch n := w.r.Intn(20); {
	case n < 6:
		return w.write()
	case n < 11:
		return w.del()
	case n < 18:
		return w.read()
	default:
		return w.bad()
	}
}

// end closes an open transaction.
func (w *workload) end() (genStmt, bool) {
	if !w.inTx {
		return genStmt{}, false
	}
	w.inTx = false
	return genStmt{sql: "ROLLBACK"}, true
}

func (w *workload) write() genStmt {
	return w.pick(
		func() genStmt {
			id := w.fresh()
			return genStmt{sql: "INSERT INTO t (id, grp, val, parent) VALUES ($1, $2, $3, $4)",
				args: []any{id, w.grp(), fmt.Sprintf("g%d", id), w.id()}}
		},
		func() genStmt {
			a, b := w.fresh(), w.fresh()
			return genStmt{sql: fmt.Sprintf("INSERT INTO t (id, grp, val, parent) VALUES (%d, %d, 'g%d', %d), (%d, %d, 'g%d', NULL) RETURNING id, grp",
				a, w.grp(), a, w.id(), b, w.grp(), b)}
		},
		func() genStmt {
			return genStmt{sql: "INSERT INTO t2 (id, t_id, amount) VALUES ($1, $2, $3)", args: []any{w.fresh(), w.id(), w.r.Intn(100)}}
		},
		func() genStmt {
			base := w.fresh() * 100000
			return genStmt{sql: fmt.Sprintf("INSERT INTO u (id, t_id, note) SELECT %d + id, id, val FROM t WHERE grp = %d", base, w.grp())}
		},
		func() genStmt {
			// The suffix is the row's own id: two rows' new values never
			// meet, so the result cannot depend on the order in which the
			// rows are updated (a unique index is checked row by row).
			return genStmt{sql: fmt.Sprintf("UPDATE t SET val = val || '-' || id WHERE grp = %d", w.grp())}
		},
		func() genStmt {
			return genStmt{sql: "UPDATE t SET grp = (grp + 1) % 5 WHERE id % $1 = 0 RETURNING id, grp", args: []any{2 + w.r.Intn(4)}}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("UPDATE t2 SET amount = amount + 1 FROM t WHERE t.id = t2.t_id AND t.grp = %d", w.grp())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("UPDATE u SET note = 'orphan' WHERE t_id NOT IN (SELECT id FROM t WHERE grp <> %d)", w.grp())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("UPDATE t SET parent = NULL WHERE parent = %d RETURNING id", w.id())}
		},
		func() genStmt {
			id := w.fresh()
			return genStmt{sql: fmt.Sprintf("INSERT INTO t (id, grp, val) VALUES (%d, %d, 'c%d') ON CONFLICT (val) DO UPDATE SET grp = excluded.grp RETURNING id, grp",
				id, w.grp(), w.r.Intn(20))}
		},
	)
}

func (w *workload) del() genStmt {
	return w.pick(
		func() genStmt { return genStmt{sql: "DELETE FROM t WHERE id = $1", args: []any{w.id()}} },
		func() genStmt { return genStmt{sql: fmt.Sprintf("DELETE FROM t WHERE id = %d", w.id())} },
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t WHERE grp = %d AND id %% %d = %d", w.grp(), 2+w.r.Intn(3), w.r.Intn(2))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t WHERE id IN (SELECT t_id FROM t2 WHERE amount > %d)", 30+w.r.Intn(70))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t USING t2 WHERE t2.t_id = t.id AND t2.amount < %d", w.r.Intn(40))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t x WHERE x.parent = %d OR x.id = %d RETURNING x.id, x.val", w.id(), w.id())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t WHERE grp = %d AND NOT EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id)", w.grp())}
		},
		func() genStmt { return genStmt{sql: "DELETE FROM t2 WHERE t_id NOT IN (SELECT id FROM t)"} },
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t2 WHERE amount BETWEEN %d AND %d RETURNING id, t_id", w.r.Intn(50), 50+w.r.Intn(50))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("WITH d AS (DELETE FROM t WHERE grp = %d AND id > %d RETURNING id) SELECT count(*) FROM d", w.grp(), w.id())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM u WHERE t_id IN (SELECT id FROM t WHERE grp = %d)", w.grp())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("MERGE INTO t USING (SELECT t_id FROM t2 WHERE amount < %d) s ON s.t_id = t.id WHEN MATCHED THEN DELETE", w.r.Intn(60))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("MERGE INTO t USING (SELECT t_id, amount FROM t2) s ON s.t_id = t.id WHEN MATCHED AND s.amount > %d THEN DELETE WHEN MATCHED THEN UPDATE SET grp = (t.grp + 1) %% 5", w.r.Intn(100))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t USING u WHERE u.t_id = t.id AND u.id %% %d = 0", 2+w.r.Intn(5))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM t WHERE id = (SELECT min(id) FROM t WHERE grp = %d)", w.grp())}
		},
		func() genStmt { return genStmt{sql: fmt.Sprintf("EXECUTE dp(%d)", w.id())} },
	)
}

func (w *workload) read() genStmt {
	return w.pick(
		func() genStmt { return genStmt{sql: "SELECT * FROM t ORDER BY id"} },
		func() genStmt { return genStmt{sql: "SELECT grp, count(*), sum(id) FROM t GROUP BY grp"} },
		func() genStmt { return genStmt{sql: fmt.Sprintf("SELECT id, val FROM t WHERE grp = %d", w.grp())} },
		func() genStmt { return genStmt{sql: "SELECT id, val FROM t WHERE id = $1", args: []any{w.id()}} },
		func() genStmt { return genStmt{sql: "SELECT t.id, t2.id, t2.amount FROM t JOIN t2 ON t2.t_id = t.id"} },
		func() genStmt { return genStmt{sql: "SELECT u.id, t.id, t.val FROM u LEFT JOIN t ON t.id = u.t_id"} },
		func() genStmt { return genStmt{sql: "SELECT t.id, t2.id FROM t FULL JOIN t2 ON t2.t_id = t.id"} },
		func() genStmt { return genStmt{sql: "SELECT t2.id, t.id FROM t RIGHT JOIN t2 ON t2.t_id = t.id"} },
		func() genStmt {
			return genStmt{sql: "SELECT id FROM u WHERE EXISTS (SELECT 1 FROM t WHERE t.id = u.t_id AND t.grp = $1)", args: []any{w.grp()}}
		},
		func() genStmt { return genStmt{sql: "SELECT id FROM u WHERE t_id NOT IN (SELECT id FROM t)"} },
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("WITH RECURSIVE r AS (SELECT id FROM t WHERE id = %d UNION ALL SELECT t.id FROM t JOIN r ON t.parent = r.id) SELECT id FROM r", w.id())}
		},
		func() genStmt {
			return genStmt{sql: "SELECT id FROM t UNION SELECT t_id FROM t2 EXCEPT SELECT t_id FROM u"}
		},
		func() genStmt {
			return genStmt{sql: "SELECT t.id, (SELECT count(*) FROM t2 WHERE t2.t_id = t.id) FROM t WHERE t.grp = $1", args: []any{w.grp()}}
		},
		func() genStmt {
			return genStmt{sql: "SELECT t.id, l.n FROM t CROSS JOIN LATERAL (SELECT count(*) AS n FROM t c WHERE c.parent = t.id) l"}
		},
		func() genStmt {
			return genStmt{sql: "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM t2), (SELECT count(*) FROM u)"}
		},
		func() genStmt { return genStmt{sql: "SELECT count(*) FROM t a JOIN t b ON b.parent = a.id"} },
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("SELECT id, grp FROM t ORDER BY id LIMIT 5 OFFSET %d", w.r.Intn(30))}
		},
		func() genStmt {
			return genStmt{sql: "SELECT id FROM t WHERE grp = $1 ORDER BY id FOR UPDATE", args: []any{w.grp()}}
		},
		func() genStmt {
			return genStmt{sql: "SELECT count(*) FROM t WHERE id IN (SELECT t_id FROM t2) AND id NOT IN (SELECT t_id FROM u WHERE t_id IS NOT NULL)"}
		},
		func() genStmt {
			return genStmt{sql: "SELECT t.grp, count(t2.id) FROM t LEFT JOIN t2 ON t2.t_id = t.id AND t2.amount > $1 GROUP BY t.grp", args: []any{w.r.Intn(100)}}
		},
	)
}

// bad returns a statement that fails (or, for some, fails only when rows
// match, which must happen in both databases alike).
func (w *workload) bad() genStmt {
	return w.pick(
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("SELECT id / (grp - grp) FROM t WHERE id = %d", w.id())}
		},
		func() genStmt {
			return genStmt{sql: "INSERT INTO t (id, grp) VALUES ($1, NULL)", args: []any{w.fresh()}}
		},
		func() genStmt { return genStmt{sql: "SELECT nope FROM t"} },
		func() genStmt { return genStmt{sql: "DELETE FROM t WHERE id = 'x'"} },
		func() genStmt { return genStmt{sql: "DELETE FROM t WHERE"} },
		func() genStmt {
			id := w.fresh()
			return genStmt{sql: fmt.Sprintf("INSERT INTO t (id, grp, val) VALUES (%d, 0, (SELECT val FROM t ORDER BY id LIMIT 1))", id)}
		},
		func() genStmt { return genStmt{sql: "UPDATE t SET grp = NULL WHERE grp = $1", args: []any{w.grp()}} },
	)
}
