package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the daemon to the file named by
// SEKISHO_CPUPROFILE, from start to a clean stop, and a heap profile
// (what is live at the stop, and what was allocated since the start) to
// the file named by SEKISHO_MEMPROFILE at the stop (for `go tool pprof`;
// docs/performance.md). It returns the function that ends them.
func startProfile() (func(), error) {
	endMem := func() {}
	if mp := os.Getenv("SEKISHO_MEMPROFILE"); mp != "" {
		endMem = func() {
			f, err := os.OpenFile(mp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
			if err != nil {
				return
			}
			runtime.GC()
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	path := os.Getenv("SEKISHO_CPUPROFILE")
	if path == "" {
		return endMem, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("SEKISHO_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("SEKISHO_CPUPROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		endMem()
	}, nil
}
