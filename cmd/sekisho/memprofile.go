package main

import (
	"os"
	"runtime"
	"strings"
)

// Heap profiling is off unless asked for: by default the runtime records
// a stack trace for one allocation in every 512 KiB (runtime.MemProfileRate),
// which costs CPU on the allocation path and memory for the profile's
// buckets, and nothing in sekisho reads that profile unless
// SEKISHO_MEMPROFILE names a file for it (serve_profile.go). GODEBUG's
// memprofilerate setting, which the runtime applies at start, is left as
// it is. Set at package initialisation, before main and before the
// daemon's big allocations (the dictionary, the rules).
var _ = setMemProfileRate(os.Getenv)

// setMemProfileRate turns heap profiling off unless SEKISHO_MEMPROFILE or
// GODEBUG's memprofilerate asks for it, and returns the rate in force.
func setMemProfileRate(getenv func(string) string) int {
	if getenv("SEKISHO_MEMPROFILE") == "" && !godebugSets(getenv("GODEBUG"), "memprofilerate") {
		runtime.MemProfileRate = 0
	}
	return runtime.MemProfileRate
}

// godebugSets reports whether the GODEBUG value gd sets key.
func godebugSets(gd, key string) bool {
	for _, kv := range strings.Split(gd, ",") {
		if k, _, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && k == key {
			return true
		}
	}
	return false
}
