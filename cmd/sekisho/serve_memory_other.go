//go:build !linux

package main

// releaseReadOnlyPages does nothing here (see serve_memory_linux.go).
func releaseReadOnlyPages() int64 { return 0 }
