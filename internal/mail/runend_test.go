package mail

import "testing"

// runEndRef is runEnd a byte at a time, as writeCollapsed and tidySpaces
// found their runs' ends before it (the oracle).
func runEndRef(s string, j int, stop *[256]bool) int {
	for j < len(s) {
		if !stop[s[j]] {
			j++
		} else if s[j] == ' ' && j+1 < len(s) && !stop[s[j+1]] {
			j += 2
		} else {
			break
		}
	}
	return j
}

func checkRunEnd(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if !collapseStop[s[i]] {
			if got, want := runEnd([]byte(s), i+1, &collapseStop, 0), runEndRef(s, i+1, &collapseStop); got != want {
				t.Fatalf("runEnd(%q, %d, collapse) = %d, want %d", s, i+1, got, want)
			}
		}
		if !tidyStop[s[i]] {
			if got, want := runEnd(s, i+1, &tidyStop, 0xC2), runEndRef(s, i+1, &tidyStop); got != want {
				t.Fatalf("runEnd(%q, %d, tidy) = %d, want %d", s, i+1, got, want)
			}
		}
	}
}

var runEndSeeds = []string{
	"", "a", "hello world, this is a sentence.", "a  b", "abcdefg hijklmno pqrstuv", "abcdefgh ijklmnop qrstuvw ",
	"abcdefg\u00a0hij klmnopqrst", "abcdefg \n hij", "x\x01y\x0bz\x1f0123456789 abc", "a b c d e f g h i j k l m n o",
	"\xc2\xa0\xc2 \xc3 abcdefghi", "1234567 1234567 1234567  1", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	"caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 \xe2\x80\x94 done",
}

func TestRunEnd(t *testing.T) {
	for _, s := range runEndSeeds {
		checkRunEnd(t, s)
	}
	// Every byte at every place of two words.
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 18; pos++ {
			b := []byte("abcdefg hijklmn opq")
			b[pos] = byte(c)
			checkRunEnd(t, string(b))
			b[(pos+1)%len(b)] = ' '
			checkRunEnd(t, string(b))
		}
	}
}

func FuzzRunEnd(f *testing.F) {
	for _, s := range runEndSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkRunEnd(t, s) })
}
