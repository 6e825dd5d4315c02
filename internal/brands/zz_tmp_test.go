package brands
import "testing"
func TestTmpLoad(t *testing.T) { _, err := Load(nil); if err != nil { t.Fatal(err) } }
