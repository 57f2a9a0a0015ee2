package tracker

import (
	"fmt"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// checkAsOf refuses to run a prepared statement that names a managed
// table, prepared while softdelete.as_of was empty, now that it is set:
// it was rewritten for the present. A write gets the 25006 it would get
// prepared now; a read must be prepared again (0A000). The other way
// round needs nothing: a statement rewritten under as_of reads the
// setting itself, and sees the live rows once it is reset.
func (s *Session) checkAsOf(name string, st *statement, now rewrite.Session) error {
	if !st.touches || !now.AsOf || st.session.AsOf {
		return nil
	}
	pol, err := s.rewritePolicy(st.text)
	if err != nil {
		return err
	}
	same, _, err := s.rewriteAsPrepared(st, pol, now)
	if err != nil {
		return err
	}
	if same {
		return nil
	}
	return &rewrite.Error{Code: "0A000",
		Message: fmt.Sprintf("softdelete-proxy cannot run prepared statement %s under softdelete.as_of: it was prepared before the setting was set, to read the present", unnamed(name)),
		Hint:    "Prepare the statement again after setting softdelete.as_of (for pgx: use a new connection or clear the statement cache)."}
}
