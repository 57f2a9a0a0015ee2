package tracker

import "github.com/jackc/pgx/v5/pgproto3"

// ownQuery is a query the proxy sends on the session's upstream connection
// for itself (the probe). Its replies are read here and never reach the
// client; done runs, under the session lock, at its ReadyForQuery.
type ownQuery struct {
	rows [][]string
	err  string
	done func(rows [][]string, err string)
}

// reply takes one of the query's replies.
func (q *ownQuery) reply(typ byte, body []byte) {
	switch typ {
	case 'D':
		var dr pgproto3.DataRow
		if err := dr.Decode(body); err != nil {
			q.fail("bad DataRow: " + err.Error())
			return
		}
		row := make([]string, len(dr.Values))
		for i, v := range dr.Values {
			row[i] = string(v)
		}
		q.rows = append(q.rows, row)
	case 'E':
		var e pgproto3.ErrorResponse
		if err := e.Decode(body); err != nil {
			q.fail("bad ErrorResponse: " + err.Error())
			return
		}
		q.fail(e.Code + ": " + e.Message)
	}
}

func (q *ownQuery) fail(msg string) {
	if q.err == "" {
		q.err = msg
	}
}

// finish reports the answer.
func (q *ownQuery) finish() {
	if q.done != nil {
		q.done(q.rows, q.err)
	}
}
