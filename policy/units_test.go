package policy

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * day, true},
		{"12h", 12 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"100ms", 100 * time.Millisecond, true},
		{"30s", 30 * time.Second, true},
		{"1d12h", 36 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"0", 0, true},
		{"0s", 0, true},
		{"", 0, false},
		{"30", 0, false},
		{"-1s", 0, false},
		{"+1s", 0, false},
		{"d", 0, false},
		{"1w", 0, false},
		{"1d1d", 0, false},
		{"forever", 0, false},
		{"99999999999d", 0, false},
		{"106751d23h47m17s", 0, false},
		{"106751d23h47m16s", 106751*day + 23*time.Hour + 47*time.Minute + 16*time.Second, true},
		{"1.5h", 90 * time.Minute, true},
	} {
		got, err := parseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseRetention(t *testing.T) {
	if d, err := ParseRetention("forever"); err != nil || d != 0 {
		t.Errorf("forever = %v, %v", d, err)
	}
	if d, err := ParseRetention("90d"); err != nil || d != 90*day {
		t.Errorf("90d = %v, %v", d, err)
	}
	for _, bad := range []string{"0s", "0", "", "Forever", "never"} {
		if _, err := ParseRetention(bad); err == nil {
			t.Errorf("ParseRetention(%q) accepted", bad)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for in, want := range map[time.Duration]string{
		30 * day: "30d", 36 * time.Hour: "1d12h", time.Hour: "1h", 90 * time.Minute: "1h30m",
		100 * time.Millisecond: "100ms", 0: "0s", 90 * time.Second: "1m30s", day + time.Second: "1d1s",
	} {
		if got := Duration(in).String(); got != want {
			t.Errorf("%v: got %q, want %q", in, got, want)
		}
		if back, err := parseDuration(want); err != nil || back != in {
			t.Errorf("%q does not read back: %v, %v", want, back, err)
		}
	}
}

func TestParseByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"64MiB", 64 << 20, true},
		{"512KiB", 512 << 10, true},
		{"1GiB", 1 << 30, true},
		{"10B", 10, true},
		{"64 MiB", 64 << 20, true},
		{"64MB", 0, false},
		{"64mib", 0, false},
		{"MiB", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"1.5MiB", 0, false},
		{"99999999999999GiB", 0, false},
		{"", 0, false},
	} {
		got, err := parseByteSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseByteSize(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if s := ByteSize(64 << 20).String(); s != "64MiB" {
		t.Errorf("String = %q", s)
	}
	if s := ByteSize(1000).String(); s != "1000B" {
		t.Errorf("String = %q", s)
	}
}
