package policy

import (
	"sort"
	"strings"
)

// suggest returns the name in names closest to s when it is a likely typo
// (two edits or fewer) or one contains the other ("cert" for "cert_file"),
// or "".
func suggest(s string, names []string) string {
	sort.Strings(names)
	best, bestDist := "", -1
	for _, n := range names {
		d := editDistance(s, n)
		near := d <= 2 && d < len(n)/2+1
		part := len(s) >= 4 && len(n) >= 4 && (strings.Contains(n, s) || strings.Contains(s, n))
		if (near || part) && (bestDist < 0 || d < bestDist) {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
