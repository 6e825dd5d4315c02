package action

import (
	"runtime/debug"
	"testing"
	"unsafe"
)

//go:noinline
func stackHere() uintptr {
	var x byte
	return uintptr(unsafe.Pointer(&x))
}

//go:noinline
func stackDeep(n int) byte {
	var b [1 << 10]byte
	b[n&(len(b)-1)] = byte(n)
	if n <= len(b) {
		return b[0]
	}
	return stackDeep(n-len(b)) + b[(n+1)&(len(b)-1)]
}

// TestGrowStack: after growStack (the scan goroutine's first call), the
// goroutine uses 20 KiB of stack without its stack being moved again.
func TestGrowStack(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no stack shrinking meanwhile
	done := make(chan bool)
	go func() {
		growStack(0)
		before := stackHere()
		stackDeep(20 << 10)
		done <- stackHere() != before
	}()
	if <-done {
		t.Fatal("the stack moved after growStack: it did not reserve 20 KiB")
	}
}
