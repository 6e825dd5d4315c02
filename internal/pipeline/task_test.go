package pipeline

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/mail"
)

func TestTaskHits(t *testing.T) {
	task := NewTask("id", mail.Parse([]byte("From: a@b.example\r\n\r\nx"), mail.Limits{}), Envelope{}, nil)
	task.Add("X_ONE", "a")
	task.AddScaled("X_ONE", 2, "b", "a")
	task.AddScaled("X_ONE", 0.5, "c")
	task.Add("X_TWO", "\xff\x00bad", strings.Repeat("あ", 100))
	hs := task.Hits()
	if len(hs) != 2 || hs[0].Name != "X_ONE" || hs[0].Factor != 2 || strings.Join(hs[0].Options, ",") != "a,b,c" {
		t.Fatalf("merge: %+v", hs)
	}
	for _, o := range hs[1].Options {
		if !utf8.ValidString(o) || strings.ContainsRune(o, 0) || len(o) > 210 {
			t.Fatalf("option not cleaned: %q", o)
		}
	}
	if !task.Has("X_TWO") || task.Has("X_THREE") {
		t.Fatal("Has")
	}
}

func TestRegisterRejectsBadNames(t *testing.T) {
	for _, d := range []SymbolDef{
		{Name: "lower_case", EN: "x", JA: "x"},
		{Name: "NOPREFIX", EN: "x", JA: "x"},
		{Name: "GOOD_NAME_NO_JA", EN: "x"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s accepted", d.Name)
				}
			}()
			Register(d)
		}()
	}
}
