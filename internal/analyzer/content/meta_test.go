package content

import (
	"hash/fnv"
	"testing"
)

// FuzzSlotExpr: the meta expressions resolved to slots answer as the
// parsed ones do with the name lookup of evalState.meta, whatever rules
// fired and whatever the symbols say.
func FuzzSlotExpr(f *testing.F) {
	f.Add(uint64(0), uint64(0))
	f.Add(uint64(0x5555555555555555), uint64(1))
	f.Add(uint64(0xdeadbeef), uint64(42))
	a := shippedAnalyzer(f)
	st := a.newEvalState()
	st.fired = make([]int8, len(a.nameSlot))
	f.Fuzz(func(t *testing.T, seed, symSeed uint64) {
		for i := range st.fired {
			h := fnv.New64a()
			h.Write([]byte{byte(i), byte(i >> 8), byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
			st.fired[i] = int8(h.Sum64() % 3)
		}
		st.symbols = func(n string) bool {
			h := fnv.New64a()
			h.Write([]byte(n))
			return (h.Sum64()^symSeed)&1 == 1
		}
		for _, r := range a.rules {
			if r.meta == nil {
				continue
			}
			if r.cmeta == nil {
				t.Fatalf("%s: no resolved expression", r.Name)
			}
			if got, want := r.cmeta.eval(st.fired, st.symbols), r.meta.eval(st.meta); got != want {
				t.Fatalf("%s (%s): %v, want %v", r.Name, r.Meta, got, want)
			}
		}
	})
}
