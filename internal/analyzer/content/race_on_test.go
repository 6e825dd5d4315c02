//go:build race

package content

// raceOn: the race detector is on (sync.Pool then drops what it holds at
// random, so allocation counts say nothing).
const raceOn = true
