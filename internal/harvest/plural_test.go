package harvest

import "testing"

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		noun string
		want string
	}{
		{0, "page", "0 pages"},
		{1, "page", "1 page"},
		{2, "warning", "2 warnings"},
		{1, "entry/entries", "1 entry"},
		{3, "entry/entries", "3 entries"},
	} {
		if got := Count(tc.n, tc.noun); got != tc.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}
