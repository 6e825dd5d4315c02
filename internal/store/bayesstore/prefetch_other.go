//go:build !amd64 && !arm64

package bayesstore

const hasPrefetch = false

func prefetchLines(at *[getBatch]*line, n int) {}
