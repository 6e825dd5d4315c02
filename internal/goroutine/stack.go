// Package goroutine holds what the daemon's per-connection and per-scan
// goroutines share about their own running.
package goroutine

// stackReserve is the stack a request's goroutine is given at once by
// GrowStack: net/http and the milter server start a goroutine per
// connection with a small stack, which the runtime then doubles one step
// at a time as a request goes deeper (reading the body, the scan's wait,
// the synchronous quarantine write, the reply), copying the stack and
// adjusting every frame's pointers at each step (runtime.copystack was
// ~2.4 % of the daemon's CPU under sekisho bench, nearly all of it in
// these goroutines); action's goroutine per scan grows the same way
// (mail.Parse, the policy, the observers).
const stackReserve = 16 << 10

// GrowStack makes the calling goroutine's stack large enough for a
// request in one step, while the stack is still shallow (copying it is
// then cheap): a frame of stackReserve bytes makes the runtime grow the
// stack to at least twice that at once. Call it first in a per-connection
// or per-scan goroutine.
func GrowStack() { growStack(0) }

//go:noinline
func growStack(i int) byte {
	var b [stackReserve]byte
	b[i&(len(b)-1)] = 1
	return b[(i+1)&(len(b)-1)]
}
