package main

import (
	"context"
	"fmt"
	"io"

	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

// evicted runs trash evicted: the records of softdelete.evicted (of one
// managed table when pos names it), or with --restore one record put back.
func evicted(ctx context.Context, tr *purger.Trash, pos []string, f *trashFlags, stdout io.Writer) error {
	if f.restore == 0 {
		o := purger.EvictedOptions{OlderThan: f.olderThan, Limit: f.limit}
		if len(pos) == 1 {
			o.Table = pos[0]
		}
		recs, err := tr.ListEvicted(ctx, o)
		if err != nil {
			return err
		}
		return purger.WriteEvicted(stdout, recs, f.format)
	}
	rec, err := tr.RestoreEvicted(ctx, f.restore)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored evicted record %d into %s, trashed as it was (trash restore brings it back live)\n", rec.ID, rec.Table)
	return nil
}
