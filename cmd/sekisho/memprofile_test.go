package main

import (
	"runtime"
	"testing"
)

func TestSetMemProfileRate(t *testing.T) {
	saved := runtime.MemProfileRate
	defer func() { runtime.MemProfileRate = saved }()
	for _, c := range []struct {
		env  map[string]string
		keep bool
	}{
		{nil, false},
		{map[string]string{"GODEBUG": "gctrace=1"}, false},
		{map[string]string{"GODEBUG": "gctrace=1,xmemprofilerate=1"}, false},
		{map[string]string{"SEKISHO_MEMPROFILE": "/tmp/heap.prof"}, true},
		{map[string]string{"GODEBUG": "memprofilerate=1"}, true},
		{map[string]string{"GODEBUG": "gctrace=1, memprofilerate=4096"}, true},
		{map[string]string{"GODEBUG": "memprofilerate=0"}, true},
	} {
		runtime.MemProfileRate = 512 << 10
		got := setMemProfileRate(func(k string) string { return c.env[k] })
		if want := map[bool]int{false: 0, true: 512 << 10}[c.keep]; got != want || runtime.MemProfileRate != want {
			t.Errorf("%v: rate %d (returned %d), want %d", c.env, runtime.MemProfileRate, got, want)
		}
	}
}
