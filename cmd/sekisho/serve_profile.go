package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// startProfile writes a CPU profile of the daemon to the file named by
// SEKISHO_CPUPROFILE, from start to a clean stop, and a heap profile
// (what is live at the stop, and what was allocated since the start) to
// the file named by SEKISHO_MEMPROFILE at the stop (for `go tool pprof`;
// docs/performance.md), and an execution trace (scheduling, GC, blocking;
// for `go tool trace`) to the file named by SEKISHO_TRACE. It returns the
// function that ends them.
func startProfile() (func(), error) {
	endMem := func() {}
	if tp := os.Getenv("SEKISHO_TRACE"); tp != "" {
		f, err := os.OpenFile(tp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("SEKISHO_TRACE: %w", err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("SEKISHO_TRACE: %w", err)
		}
		endMem = func() {
			trace.Stop()
			f.Close()
		}
	}
	if mp := os.Getenv("SEKISHO_MEMPROFILE"); mp != "" {
		endTrace := endMem
		endMem = func() {
			defer endTrace()
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
