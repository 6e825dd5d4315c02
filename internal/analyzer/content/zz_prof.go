package content

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"time"
)

var profMu sync.Mutex
var profT = map[string]time.Duration{}

func profAdd(n string, d time.Duration) { profMu.Lock(); profT[n] += d; profMu.Unlock() }

func ProfDump() {
	profMu.Lock()
	defer profMu.Unlock()
	type kv struct {
		k string
		v time.Duration
	}
	var l []kv
	for k, v := range profT {
		l = append(l, kv{k, v})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
	for i, x := range l {
		if i > 25 {
			break
		}
		fmt.Fprintln(os.Stderr, x.v, x.k)
	}
}
