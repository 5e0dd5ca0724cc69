//go:build !unix

package sourcetest

import "time"

var start = time.Now()

// cpuTime falls back on the wall clock where rusage is not available.
func cpuTime() time.Duration { return time.Since(start) }
