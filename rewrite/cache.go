package rewrite

import (
	"hash/maphash"
	"sync"
)

// cacheKey is everything a rewrite depends on. text is the statement, or
// its normalised form (constants replaced by markers) for a template.
type cacheKey struct {
	text       string
	template   bool
	version    uint64
	searchPath string
	user       string
	vis        Visibility
	asOf       bool
	hard       bool
	nonStd     bool     // Session.NonStandardStrings
	enc        encoding // Session.ClientEncoding's class
	shadows    string
}

// cached is one cache value: an exact rewrite or a template.
type cached struct {
	res  Result // SQL is empty when !res.Changed (the input itself is the answer)
	tmpl *template
}

type lruEntry struct {
	key        cacheKey
	val        cached
	size       int64
	prev, next *lruEntry
}

// cacheShards spreads the cache over independently locked LRUs so that
// concurrent sessions rarely wait for each other.
const cacheShards = 16

// shardedLRU is a byte-bounded cache made of cacheShards LRUs.
type shardedLRU struct {
	seed   maphash.Seed
	shards [cacheShards]lru
}

func newCache(max int64) *shardedLRU {
	c := &shardedLRU{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i] = lru{max: max / cacheShards, m: make(map[cacheKey]*lruEntry)}
	}
	return c
}

func (c *shardedLRU) shard(k cacheKey) *lru {
	return &c.shards[maphash.String(c.seed, k.text)%cacheShards]
}

func (c *shardedLRU) get(k cacheKey) (cached, bool) { return c.shard(k).get(k) }
func (c *shardedLRU) put(k cacheKey, v cached)      { c.shard(k).put(k, v) }

func (c *shardedLRU) purge() {
	for i := range c.shards {
		c.shards[i].purge()
	}
}

func (c *shardedLRU) stats() (bytes int64, entries int) {
	for i := range c.shards {
		b, n := c.shards[i].stats()
		bytes += b
		entries += n
	}
	return bytes, entries
}

// lru is a byte-bounded least-recently-used map, safe for concurrent use.
type lru struct {
	mu         sync.Mutex
	max, bytes int64
	m          map[cacheKey]*lruEntry
	head, tail *lruEntry // head is the most recently used
}

func newLRU(max int64) *lru {
	return &lru{max: max, m: make(map[cacheKey]*lruEntry)}
}

// entryOverhead approximates the bookkeeping bytes of one entry.
const entryOverhead = 256

func (c *lru) get(k cacheKey) (cached, bool) {
	if c.max <= 0 {
		return cached{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		return cached{}, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.val, true
}

func (c *lru) put(k cacheKey, v cached) {
	size := entrySize(k, v)
	if c.max <= 0 || size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[k]; ok {
		c.remove(old)
	}
	e := &lruEntry{key: k, val: v, size: size}
	c.m[k] = e
	c.pushFront(e)
	c.bytes += size
	for c.bytes > c.max && c.tail != nil {
		c.remove(c.tail)
	}
}

func (c *lru) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = make(map[cacheKey]*lruEntry)
	c.head, c.tail, c.bytes = nil, nil, 0
}

func (c *lru) stats() (int64, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, len(c.m)
}

func (c *lru) remove(e *lruEntry) {
	c.unlink(e)
	delete(c.m, e.key)
	c.bytes -= e.size
}

func (c *lru) unlink(e *lruEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *lru) pushFront(e *lruEntry) {
	e.next = c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func entrySize(k cacheKey, v cached) int64 {
	n := len(k.text) + len(k.searchPath) + len(k.user) + len(k.shadows) + len(v.res.SQL) + entryOverhead
	for _, s := range v.res.Stmts {
		n += 128 + len(s.PrepareName) + len(s.ExecuteName) + len(s.DeallocateName) + len(s.ShowName)
		if s.Set != nil {
			n += 64 + len(s.Set.Name) + len(s.Set.Value)
		}
	}
	if v.tmpl != nil {
		for _, c := range v.tmpl.chunks {
			n += 16 + len(c)
		}
	}
	return int64(n)
}
