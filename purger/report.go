package purger

import "time"

// Report is what one pass did (or, dry, would do) in each database.
type Report struct {
	DryRun    bool             `json:"dry_run"`
	Databases []DatabaseReport `json:"databases"`
}

// DatabaseReport is one database's part of a pass.
type DatabaseReport struct {
	Database string        `json:"database"`
	Leader   bool          `json:"leader"` // this instance held the lock (always false in a dry run)
	Result   string        `json:"result"` // success, error, skipped; "dry_run" in a dry run
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Tables   []TableReport `json:"tables,omitempty"` // in purge order
}

// TableReport is one table's part of a pass.
type TableReport struct {
	Table     string        `json:"table"`
	Retention time.Duration `json:"retention_ns"` // 0: kept forever, never purged
	Purged    int64         `json:"purged"`       // rows deleted, or that a dry run would delete
	// Evicted is the records of the table's evicted rows deleted from
	// softdelete.evicted (or that a dry run would delete).
	Evicted int64 `json:"evicted"`
	Batches int   `json:"batches"`
	// LongestBatch is the longest batch transaction: its row locks were
	// held no longer than this.
	LongestBatch time.Duration `json:"longest_batch_ns"`
	Error        string        `json:"error,omitempty"`
}

// Purged is the total of rows purged (or that would be) over all databases.
func (r Report) Purged() int64 {
	var n int64
	for _, d := range r.Databases {
		for _, t := range d.Tables {
			n += t.Purged
		}
	}
	return n
}
