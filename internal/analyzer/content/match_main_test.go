package content

import (
	"slices"
	"strings"
	"testing"
)

// matchMain is Rule.match as on main, before the keywords were passed over
// when every one holds a CJK character and no field text does: the
// reference of FuzzMatchMain.
func (r *Rule) matchMain(v *view) (bool, []string) {
	if !r.mayMatch(v) {
		return false, nil
	}
	var ev []string
	if r.Check != "" {
		btc, eth := v.walletsOf()
		var found []string
		switch r.Check {
		case "btc_address":
			found = btc
		case "eth_address":
			found = eth
		case "crypto_address":
			found = append(append(found, btc...), eth...)
		}
		if len(found) == 0 {
			return false, nil
		}
		ev = append(ev, found...)
		if len(r.regexes)+len(r.keywords) == 0 {
			return true, ev
		}
	}
	need := r.MinMatches
	if need == 0 {
		need = 1
	}
	n := 0
	for i := range r.regexes {
		for _, f := range r.fieldIDs {
			m := ""
			if v.mayFind(r, i, f, false) {
				m = v.findRegex(r, i, f, false)
			}
			if m == "" && r.compact[i] && v.mayFind(r, i, f, true) {
				m = v.findRegex(r, i, f, true)
			}
			if m != "" {
				n++
				if len(ev) < 5 {
					ev = append(ev, m)
				}
				break
			}
		}
		if n >= need {
			return true, ev
		}
	}
	for i, k := range r.keywords {
		for _, f := range r.fieldIDs {
			var hit bool
			switch {
			case r.kwCJK[i] && !v.cjk(f):
				// The keyword holds a CJK character, the text none.
			case r.kwIDs[i] >= 0:
				hit = v.has(f, r.kwCJK[i], r.kwIDs[i])
			default:
				hit = strings.Contains(v.textID(f, r.kwCJK[i]).txt, k)
			}
			if hit {
				n++
				if len(ev) < 5 {
					ev = append(ev, k)
				}
				break
			}
		}
		if n >= need {
			return true, ev
		}
	}
	return false, nil
}

// FuzzMatchMain: every shipped pattern rule fires, with the same
// evidence, as with main's match, on subjects and bodies of any script.
func FuzzMatchMain(f *testing.F) {
	f.Add("Re: your account", "Your mailbox has been suspended. Send your full name, age, occupation.")
	f.Add("【重要】アカウント", "お客様のアカウントが凍結されました。年齢 職業 住所")
	f.Add("Elon Musk", "前澤友作 send 0.5 btc to 36QEsMKieqmfCBuAdcWg9beAj3ANAp6cAN")
	f.Add("", "")
	a := shippedAnalyzer(f)
	f.Fuzz(func(t *testing.T, subject, body string) {
		if len(subject)+len(body) > 4000 {
			return
		}
		fields := map[string]string{"subject": subject, "body": body, "from_name": subject, "attachments": body}
		for _, r := range a.rules {
			if r.meta != nil {
				continue
			}
			v1 := newView(fields, noSymbols, a.lits, a.fieldNames)
			v2 := newView(fields, noSymbols, a.lits, a.fieldNames)
			ok1, ev1 := r.match(v1)
			ok2, ev2 := r.matchMain(v2)
			v1.release()
			v2.release()
			if ok1 != ok2 || !slices.Equal(ev1, ev2) {
				t.Fatalf("%s on %q / %q: %v %q, main %v %q", r.Name, subject, body, ok1, ev1, ok2, ev2)
			}
		}
	})
}
