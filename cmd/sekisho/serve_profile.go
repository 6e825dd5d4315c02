package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the daemon to the file named by
// SEKISHO_CPUPROFILE, from start to a clean stop (for `go tool pprof`;
// docs/performance.md). It returns the function that ends it.
func startProfile() (func(), error) {
	path := os.Getenv("SEKISHO_CPUPROFILE")
	if path == "" {
		return func() {}, nil
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
	}, nil
}
