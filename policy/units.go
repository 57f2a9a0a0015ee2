package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

const day = 24 * time.Hour

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d as it would be written in the file ("30d", "1h30m0s").
func (d Duration) String() string { return formatDuration(time.Duration(d)) }

// UnmarshalYAML decodes "30d", "12h", "90m", "100ms", "30s" (and
// combinations such as "1d12h"); a bare number other than 0 is refused.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return fmt.Errorf("expected a duration such as 30s, 90m, 12h or 30d")
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// parseDuration is time.ParseDuration plus a leading whole number of days.
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("bad duration %q: want a number with a unit: ms, s, m, h or d (e.g. 30s, 90m, 12h, 30d)", s)
	if s == "" || s[0] == '-' || s[0] == '+' {
		return 0, bad
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil || i == 0 {
			return 0, bad
		}
		if n > uint64(math.MaxInt64/int64(day)) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		days, s = time.Duration(n)*day, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, bad
	}
	if v > math.MaxInt64-days {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return days + v, nil
}

// ParseRetention parses a retention: a positive duration, or "forever",
// which is returned as 0 (never purged).
func ParseRetention(s string) (time.Duration, error) {
	if s == "forever" {
		return 0, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%w, or forever", err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("retention must be positive (or forever), got %q", s)
	}
	return d, nil
}

// formatDuration writes d briefly: 30d, 1d12h, 1h, 90m → 1h30m, 100ms.
func formatDuration(d time.Duration) string {
	if d >= day {
		days := strconv.FormatInt(int64(d/day), 10) + "d"
		if d%day == 0 {
			return days
		}
		return days + formatDuration(d%day)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

var byteUnits = []struct {
	name string
	size int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

// Int returns b as an int (it is validated to fit).
func (b ByteSize) Int() int { return int(b) }

// String formats b with the largest unit that divides it ("64MiB").
func (b ByteSize) String() string {
	for _, u := range byteUnits {
		if b != 0 && int64(b)%u.size == 0 {
			return strconv.FormatInt(int64(b)/u.size, 10) + u.name
		}
	}
	return "0B"
}

// UnmarshalYAML decodes a number of bytes (1048576) or a number with a unit:
// B, KiB, MiB, GiB ("64MiB").
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return fmt.Errorf("expected a size such as 1048576, 512KiB or 64MiB")
	}
	v, err := parseByteSize(n.Value)
	if err != nil {
		return err
	}
	*b = ByteSize(v)
	return nil
}

func parseByteSize(s string) (int64, error) {
	num, mult := s, int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(s, u.name) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(s, u.name)), u.size
			break
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v < 0 || num == "" || num[0] == '+' || num[0] == '-' {
		return 0, fmt.Errorf("bad size %q: want a number of bytes or a number with a unit: B, KiB, MiB or GiB (e.g. 64MiB)", s)
	}
	if v > math.MaxInt64/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return v * mult, nil
}

// MarshalYAML writes d as it is read ("30d", "1m30s").
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalYAML writes b as it is read ("64MiB").
func (b ByteSize) MarshalYAML() (any, error) { return b.String(), nil }
