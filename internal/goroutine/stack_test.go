package goroutine

import (
	"runtime/debug"
	"testing"
	"unsafe"
)

// here is the address of a variable in its frame: it changes when the
// runtime moves (grows) the goroutine's stack.
//
//go:noinline
func here() uintptr {
	var x byte
	return uintptr(unsafe.Pointer(&x))
}

// deep uses about n bytes of stack, 1 KiB a frame.
//
//go:noinline
func deep(n int) byte {
	var b [1 << 10]byte
	b[n&(len(b)-1)] = byte(n)
	if n <= len(b) {
		return b[0]
	}
	return deep(n-len(b)) + b[(n+1)&(len(b)-1)]
}

// moves reports whether a fresh goroutine's stack moves while it uses
// 20 KiB, after GrowStack when grow.
func moves(grow bool) bool {
	done := make(chan bool)
	go func() {
		if grow {
			GrowStack()
		}
		before := here()
		deep(20 << 10)
		done <- here() != before
	}()
	return <-done
}

// TestGrowStack: after GrowStack, a goroutine uses 20 KiB of stack
// without its stack being moved again (the frame is kept: the compiler
// did not drop the array, and the runtime grew the stack in one step).
func TestGrowStack(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no stack shrinking meanwhile
	if moves(true) {
		t.Fatal("the stack moved after GrowStack: it did not reserve 20 KiB")
	}
	t.Logf("without GrowStack the stack moved: %v", moves(false))
}
