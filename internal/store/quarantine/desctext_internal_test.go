package quarantine

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/sekisho/sekisho/internal/pipeline"
)

// textsResult is a scan whose symbols have descriptions of every kind:
// a definition's pair, one of two texts, short ones (inline), text that
// JSON escapes, invalid UTF-8 and NUL (inline: a TEXT column would not
// give them back), and a symbol without any.
func textsResult(id, wording string) *pipeline.Result {
	return &pipeline.Result{ID: id, Time: time.UnixMilli(1_700_000_000_000),
		Verdict: pipeline.Verdict{Action: pipeline.ActionReject, Category: pipeline.CategoryPhishing, Score: 12.5, RequiredScore: 6,
			Symbols: []pipeline.SymbolResult{
				{Name: "BRAND_SPOOF", Score: 5, Options: []string{"microsoft"}, Category: pipeline.CategoryPhishing,
					EN: "The display name names a well-known brand, but the address is not one of that brand's domains." + wording,
					JA: "表示名が有名ブランドを名乗っていますが、アドレスはそのブランドのドメインではありません。" + wording},
				{Name: "ONLY_EN", Score: 1, EN: "Only an English text <here> & there, long enough to be named by key."},
				{Name: "ONLY_JA", Score: 1, JA: "日本語の説明だけがあります。キーで名指しされるくらいの長さです。"},
				{Name: "SHORT", Score: 0.5, EN: "short", JA: "短い"},
				{Name: "BAD_UTF8", Score: 0.1, EN: "invalid \xff UTF-8 in a description long enough for a key", JA: "x"},
				{Name: "NUL", Score: 0.1, EN: "a NUL \x00 in a description long enough for a key ......", JA: "y"},
				{Name: "NONE", Score: 0.2},
				{Name: "BRAND_SPOOF2", Score: 5, Options: []string{"microsoft"}, Category: pipeline.CategoryPhishing,
					EN: "The display name names a well-known brand, but the address is not one of that brand's domains." + wording,
					JA: "表示名が有名ブランドを名乗っていますが、アドレスはそのブランドのドメインではありません。" + wording},
			}}}
}

// inlineVerdict is the verdict as earlier releases stored and read it:
// json.Unmarshal of the column with every text in it.
func inlineVerdict(t *testing.T, r *pipeline.Result) pipeline.Verdict {
	t.Helper()
	col, _, _ := encodeColumns(r)
	var v pipeline.Verdict
	if err := json.Unmarshal([]byte(col), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDescTextsSQLite(t *testing.T)   { storedTexts(t, "sqlite") }
func TestDescTextsPostgres(t *testing.T) { storedTexts(t, "postgres") }

// storedTexts: rows written with descriptions by key read back exactly as
// rows with inline descriptions did (Record, Hold and its history row);
// a row written before (inline texts) reads as before; a row keeps its
// wording when later rows carry another; the texts are stored once.
func storedTexts(t *testing.T, driver string) {
	st := openPooled(t, driver)
	st.cfg.Quarantine.History = true
	ctx := context.Background()
	raw := []byte("From: a@example.com\r\nSubject: s\r\nMessage-ID: <x@example.com>\r\n\r\nbody\r\n")

	r1 := textsResult("scan-1", "")
	want1 := inlineVerdict(t, r1)
	if err := st.Record(ctx, raw, r1); err != nil {
		t.Fatal(err)
	}
	r2 := textsResult("scan-2", " (new wording)")
	r2.Verdict.Action = pipeline.ActionQuarantine
	want2 := inlineVerdict(t, r2)
	hid, err := st.Hold(ctx, raw, r2)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Record(ctx, raw, r2); err != nil {
		t.Fatal(err)
	}
	// A row of an earlier release: its verdict column has the texts.
	old := textsResult("scan-old", " (old wording)")
	wantOld := inlineVerdict(t, old)
	e := st.build(KindHistory, raw, old, true, false)
	e.verdict, e.urls, e.atts = encodeColumns(old)
	e.texts = nil
	if _, err := st.insertBatch(ctx, []*entry{e}); err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	byScan := func(scan string) []string {
		t.Helper()
		var ids []string
		rows, err := st.query(ctx, `SELECT id FROM messages WHERE scan_id = ?`, scan)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	// check reads the scan's rows: their verdict is want, their column
	// names the texts by key (keyed) or holds them.
	check := func(scan string, n int, want pipeline.Verdict, keyed bool) []string {
		t.Helper()
		ids := byScan(scan)
		if len(ids) != n {
			t.Fatalf("%s: %d rows, want %d", scan, len(ids), n)
		}
		for _, id := range ids {
			m, err := st.Message(ctx, id, false)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.Verdict, want) {
				t.Fatalf("%s (%s): verdict read back\n %+v\nwant\n %+v", id, scan, m.Verdict.Symbols, want.Symbols)
			}
			var col string
			if err := st.queryRow(ctx, `SELECT verdict FROM messages WHERE id = ?`, id).Scan(&col); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(col, drefMarker); got != keyed {
				t.Fatalf("%s: descriptions by key %v, want %v: %s", id, got, keyed, col)
			}
			if keyed && strings.Contains(col, "brand's domains") {
				t.Fatalf("%s: a definition's text in the column: %s", id, col)
			}
		}
		return ids
	}
	check("scan-1", 1, want1, true)
	ids := check("scan-2", 2, want2, true)
	if !containsString(ids, hid) {
		t.Fatalf("scan-2's rows %v (held %s)", ids, hid)
	}
	check("scan-old", 1, wantOld, false)
	// Two wordings of BRAND_SPOOF, ONLY_EN, ONLY_JA: each once.
	var n int
	if err := st.queryRow(ctx, `SELECT COUNT(*) FROM sym_text`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("sym_text holds %d pairs (%v), want 4", n, err)
	}
	// A store opened again (another instance, a restart) knows no key:
	// inserting again is a no-op and the rows read the same.
	st2, err := Open(ctx, st.cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if err := st2.Record(ctx, raw, textsResult("scan-3", "")); err != nil {
		t.Fatal(err)
	}
	if err := st2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.queryRow(ctx, `SELECT COUNT(*) FROM sym_text`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("sym_text holds %d pairs (%v) after another instance wrote, want 4", n, err)
	}
	if m, err := st2.Message(ctx, ids[0], false); err != nil || !reflect.DeepEqual(m.Verdict, want2) {
		t.Fatalf("read by another instance: %v", err)
	}
}

func unsafeString(b []byte) string { return unsafe.String(&b[0], len(b)) }

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestDescTextsRolledBack: pairs inserted by a transaction that is
// rolled back are not taken as known (a later row would name a key
// with no text); the next transaction inserts them.
func TestDescTextsRolledBack(t *testing.T) {
	st := openPooled(t, "sqlite")
	ctx := context.Background()
	r := textsResult("scan-rb", " (rolled back)")
	refs := descRefs{known: &st.texts}
	_, _, _ = encodeColumnsRefs(r, &refs)
	if len(refs.added) != 3 {
		t.Fatalf("%d pairs to insert, want 3", len(refs.added))
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := newTxStmts(tx)
	if err := st.insertTexts(ctx, ts, refs.added); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback()
	if known, _ := st.texts.has(refs.added[0]); known {
		t.Fatal("a rolled-back pair is known")
	}
	refs2 := descRefs{known: &st.texts}
	_, _, _ = encodeColumnsRefs(r, &refs2)
	if len(refs2.added) != 3 {
		t.Fatalf("after the rollback, %d pairs to insert, want 3", len(refs2.added))
	}
	tx, err = st.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts = newTxStmts(tx)
	if err := st.insertTexts(ctx, ts, refs2.added); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	st.committed(ts)
	refs3 := descRefs{known: &st.texts}
	v, _, _ := encodeColumnsRefs(r, &refs3)
	if len(refs3.added) != 0 || strings.Count(v, drefMarker) != 4 {
		t.Fatalf("after the commit: %d to insert, column %s", len(refs3.added), v)
	}
}

// TestDescTextsBounded: once maxKnownTexts keys are known, new pairs
// stay in the column (as before) and the set grows no further.
func TestDescTextsBounded(t *testing.T) {
	var k knownTexts
	var refs []*textRef
	for i := range maxKnownTexts + 10 {
		refs = append(refs, &textRef{key: refKey(strings.Repeat("x", i), "")})
	}
	k.add(refs)
	if len(k.keys) != maxKnownTexts {
		t.Fatalf("%d keys known", len(k.keys))
	}
	d := descRefs{known: &k}
	if key := d.ref("A text no store has met before, long enough to be named by key.", ""); key != "" || len(d.added) != 0 {
		t.Fatalf("full set: key %q, %d added", key, len(d.added))
	}
	if key := d.ref(strings.Repeat("x", 100), ""); key == "" {
		t.Fatal("a known key is not used once the set is full")
	}
}

// TestRefCacheByContent: the cache's hits are decided by the texts, not
// by where they lie (a text over a reused buffer).
func TestRefCacheByContent(t *testing.T) {
	buf := []byte(strings.Repeat("a", 64))
	s1 := string(buf) // a copy: then made to share an address below
	en := unsafeString(buf)
	r1 := lookupRef(en, "")
	copy(buf, strings.Repeat("b", 64))
	r2 := lookupRef(en, "")
	if r1 == nil || r2 == nil || r1.key == r2.key || r1.en != s1 || r2.en != strings.Repeat("b", 64) {
		t.Fatalf("same address, other text: %+v %+v", r1, r2)
	}
	if r1.key != refKey(s1, "") {
		t.Fatal("key of the first text changed")
	}
}

// TestKnownTextsPerStore: a pair one store noted committed is not known
// to another (its database may lack it), nor to a zero knownTexts.
func TestKnownTextsPerStore(t *testing.T) {
	a, b := newKnownTexts(), newKnownTexts()
	r := lookupRef("A pair of texts for two stores, long enough for a key.", "二つのストア")
	if r == nil {
		t.Fatal("no ref")
	}
	a.add([]*textRef{r})
	if known, _ := a.has(r); !known {
		t.Fatal("not known to the store that committed it")
	}
	if known, _ := b.has(r); known {
		t.Fatal("known to another store")
	}
	var z knownTexts
	if known, _ := z.has(r); known {
		t.Fatal("known to a zero knownTexts")
	}
	b.add([]*textRef{r})
	if known, _ := a.has(r); !known {
		t.Fatal("no longer known to the first store once another noted it")
	}
}

// FuzzResolveTexts: any verdict column reads without a panic; one that
// names no key reads as json.Unmarshal alone made it, and the symbols
// that name a stored key get its texts.
func FuzzResolveTexts(f *testing.F) {
	st := openPooled(f, "sqlite")
	ctx := context.Background()
	r := lookupRef("A stored pair of descriptions, long enough for a key.", "保存された説明")
	if _, err := st.exec(ctx, `INSERT INTO sym_text (id, en, ja) VALUES (?, ?, ?)`, r.key, r.en, r.ja); err != nil {
		f.Fatal(err)
	}
	f.Add(`{"action":"reject","symbols":[{"name":"A","score":1,"options":null,"dref":"` + r.key + `"},{"name":"B","score":0,"options":null}]}`)
	f.Add(`{"symbols":[{"name":"A","dref":"missing"}],"explanation":"\"dref\":\"x"}`)
	f.Add(`{"symbols":null}`)
	f.Add(`not json "dref":"`)
	f.Fuzz(func(t *testing.T, col string) {
		var v pipeline.Verdict
		_ = json.Unmarshal([]byte(col), &v)
		before, _ := json.Marshal(v)
		if err := st.resolveTexts(ctx, col, &v); err != nil {
			t.Fatal(err)
		}
		var refs struct {
			Symbols []struct {
				Ref string `json:"dref"`
			} `json:"symbols"`
		}
		_ = json.Unmarshal([]byte(col), &refs)
		named := false
		for i, s := range refs.Symbols {
			if s.Ref == r.key && i < len(v.Symbols) && len(refs.Symbols) == len(v.Symbols) {
				named = true
				if v.Symbols[i].EN != r.en || v.Symbols[i].JA != r.ja {
					t.Fatalf("symbol %d names the stored key: %q %q", i, v.Symbols[i].EN, v.Symbols[i].JA)
				}
			}
		}
		if after, _ := json.Marshal(v); !named && string(after) != string(before) {
			t.Fatalf("a verdict naming no stored key changed:\n%s\n%s", before, after)
		}
	})
}
