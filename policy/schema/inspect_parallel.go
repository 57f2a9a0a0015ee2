package schema

import "sync"

// Through a Querier that several goroutines may share (Concurrent),
// Inspect reads inspectWorkers tables at once: on a schema of 1,000 tables
// that matters more than anything else (each table is a dozen small
// queries, each a round trip).

// inspectWorkers is how many tables Inspect reads at once through a pool.
const inspectWorkers = 4

// Concurrent is a Querier several goroutines may use at once.
type Concurrent interface {
	Querier
	Concurrent() bool
}

func concurrent(q Querier) bool {
	c, ok := q.(Concurrent)
	return ok && c.Concurrent()
}

// eachTable runs fn for every index of n, with inspectWorkers goroutines
// when q may be shared, and returns the first error (by index).
func eachTable(q Querier, n int, fn func(i int) error) error {
	if !concurrent(q) || n < 2 {
		for i := 0; i < n; i++ {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < inspectWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
