package pdf

import (
	"os"
	"testing"
)

// FuzzScan checks the PDF scanner stays bounded and never panics.
func FuzzScan(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<< /OpenAction << /S /J#61vaScript /JS (app.alert\\(1\\)) >> /URI (http://x.example/) >>\nendobj\n"))
	f.Add([]byte("%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /Filter [/AHx /Fl] /Length 4 >>\nstream\n789c>\nendstream\nendobj\n"))
	if b, err := os.ReadFile("/usr/share/clamav-testfiles/clam.pdf"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := Scan(b, Limits{MaxStream: 1 << 20, MaxTotal: 4 << 20, MaxStreams: 100})
		if r.Inflated > 100 {
			t.Fatal("stream bound exceeded")
		}
	})
}
