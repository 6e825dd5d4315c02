package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// root is the module root, two levels up.
var root = filepath.Join("..", "..")

// goFile is one parsed non-test source file.
type goFile struct {
	rel  string // slash path from the module root
	fset *token.FileSet
	f    *ast.File
}

func sources(t *testing.T) []goFile {
	t.Helper()
	var out []goFile
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			out = append(out, goFile{rel: filepath.ToSlash(rel), fset: fset, f: f})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d source files found: wrong root?", len(out))
	}
	return out
}

func under(rel string, dirs ...string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// familyRe is a symbol family prefix ("OUTBOUND_", "DMARC_").
var familyRe = regexp.MustCompile(`^[A-Z][A-Z0-9]*_$`)

// TestNoDecisionsOutsidePolicy: code outside the analyzers, the pipeline
// contract and the policy never matches symbol names by family prefix to
// decide something (the front end once held outbound mail on "OUTBOUND_",
// cmd found DMARC report rows on "DMARC_"). What a symbol means for the
// decision is declared on its definition (pipeline.SymbolDef: Category,
// MinAction, OutboundHold, Group) and read by the policy.
func TestNoDecisionsOutsidePolicy(t *testing.T) {
	// internal/config validates that [rules] disable names RULE_ symbols:
	// a check of configuration, not a decision about mail.
	allowed := map[string]bool{"internal/config/rules.go": true}
	for _, g := range sources(t) {
		if under(g.rel, "internal/analyzer", "internal/policy", "internal/pipeline") || allowed[g.rel] {
			continue
		}
		ast.Inspect(g.f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && familyRe.MatchString(s) {
				t.Errorf("%s: symbol family prefix %q outside the policy: declare the meaning on the SymbolDef and let the policy decide",
					g.fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
}

// TestFrontendNamesAreConstants: a front-end name is set from the
// pipeline.Frontend* constants (one place), never spelled as a literal.
func TestFrontendNamesAreConstants(t *testing.T) {
	for _, g := range sources(t) {
		ast.Inspect(g.f, func(n ast.Node) bool {
			kv, ok := n.(*ast.KeyValueExpr)
			if !ok {
				return true
			}
			if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Frontend" {
				if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					t.Errorf("%s: front-end name %s spelled out: use a pipeline.Frontend* constant", g.fset.Position(lit.Pos()), lit.Value)
				}
			}
			return true
		})
	}
}

// TestOneTestHarness: "skip, or fail under SEKISHO_REQUIRE_PEERS=1" is
// written once, in internal/testutil (NoPeer, PeerMissing, LookPeer,
// NeedFile); test files call it instead of reading the variable. Tests of
// the built binary are in one place, internal/e2e.
func TestOneTestHarness(t *testing.T) {
	for _, top := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if rel == "internal/testutil/peers.go" || rel == "internal/testutil/peers_test.go" || rel == "internal/archtest/decide_test.go" {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			// Tests of the built binary live in internal/e2e (and cmd/sekisho's
			// own CLI tests), not in analyzer packages.
			binaryOK := under(rel, "internal/e2e", "cmd/sekisho", "internal/testutil")
			ast.Inspect(f, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && !binaryOK && sel.Sel.Name == "Binary" {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "testutil" {
						t.Errorf("%s: a test of the built binary outside internal/e2e", fset.Position(sel.Pos()))
					}
				}
				// Building the binary is testutil.Binary's (one build per test
				// run), used from internal/e2e.
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && !binaryOK && lit.Value == `"github.com/sekisho/sekisho/cmd/sekisho"` {
					t.Errorf("%s: builds the sekisho binary itself: use testutil.Binary from internal/e2e", fset.Position(lit.Pos()))
				}
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.Contains(lit.Value, "SEKISHO_REQUIRE_PEERS") {
					t.Errorf("%s: reads SEKISHO_REQUIRE_PEERS itself: use testutil.NoPeer / PeerMissing / LookPeer", fset.Position(lit.Pos()))
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestHoldActionOnlyInPolicy: the outbound hold action is read where the
// policy is built (the engine hands it to policy.NewOutboundHold), never
// by a front end or the action step.
func TestHoldActionOnlyInPolicy(t *testing.T) {
	for _, g := range sources(t) {
		if under(g.rel, "internal/config", "internal/engine", "internal/policy", "internal/analyzer/outbound") {
			continue
		}
		ast.Inspect(g.f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "HoldAction" {
				t.Errorf("%s: hold_action read outside the policy", g.fset.Position(sel.Pos()))
			}
			return true
		})
	}
}

// storeUse lists the only state stores an analyzer package may import,
// with why and, for a store it must only read, the names it may use from
// it. Report rows, quarantine, history, accounts and the correspondence
// history are written by observers of the verdict (internal/observe) and
// by the action step, never by analyzers.
var storeUse = map[string]struct {
	why   string
	names map[string]bool // nil: any (the analyzer's own learned state)
}{
	// The classifier's own learned state: read to classify, written by
	// Learn/Forget (asked for) and by Observe after the verdict (autolearn);
	// TestAnalyzeWritesNoStore keeps writes off the scan path.
	"internal/analyzer/bayes -> internal/store/bayesstore": {why: "learned state of the classifier"},
	// Learned reputation and campaign hashes: read during the scan,
	// written by Observe (after the verdict) and Learn/Feedback.
	"internal/analyzer/reputation -> internal/store/repstore": {why: "learned reputation"},
	"internal/analyzer/fuzzy -> internal/store/fuzzystore":    {why: "learned campaign hashes"},
	// First contact and threads read the history through a read-only
	// handle (contacts.OpenReader: SQLite query_only); observe.Contacts
	// learns it.
	"internal/analyzer/sender -> internal/store/contacts": {why: "correspondence history, read only",
		names: map[string]bool{"Reader": true, "OpenReader": true, "OpenRedis": true, "Knowledge": true, "Thread": true}},
	// The shared Redis connection (a client, not a store): the classifier
	// reads its counts through it, the outbound analyzer keeps its
	// per-account counters there when [redis] is set (docs/scale-out.md).
	"internal/analyzer/bayes -> internal/store/redisconn":    {why: "connection to the shared Redis"},
	"internal/analyzer/outbound -> internal/store/redisconn": {why: "connection to the shared Redis"},
}

// readOnly lists, per store package an analyzer may only read, the
// interface it gets and the methods that interface may have.
var readOnly = map[string]struct {
	iface   string
	methods map[string]bool
}{
	"internal/store/contacts": {iface: "Reader", methods: map[string]bool{"Known": true, "KnownMin": true, "Thread": true, "Close": true}},
}

// TestAnalyzersWriteNoStores: analyzers import no store but their own
// learned state and the read side of the correspondence history, and no
// analyzer writes headers (Authentication-Results travels as data on the
// verdict; the action step writes it).
func TestAnalyzersWriteNoStores(t *testing.T) {
	const mod = "github.com/sekisho/sekisho/"
	for _, g := range sources(t) {
		if !under(g.rel, "internal/analyzer") {
			continue
		}
		pkg := filepath.ToSlash(filepath.Dir(g.rel))
		for _, imp := range g.f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, mod+"internal/store/") {
				continue
			}
			key := pkg + " -> " + strings.TrimPrefix(p, mod)
			use, ok := storeUse[key]
			if !ok {
				t.Errorf("%s: analyzer imports a store (%s): record from an observer of the verdict instead", g.rel, key)
				continue
			}
			if use.names == nil {
				continue
			}
			local := filepath.Base(p)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			ast.Inspect(g.f, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == local && !use.names[sel.Sel.Name] {
						t.Errorf("%s: analyzer uses %s.%s: it may only read this store (%s)", g.fset.Position(sel.Pos()), local, sel.Sel.Name, use.why)
					}
				}
				return true
			})
		}
		ast.Inspect(g.f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "AddHeader" || sel.Sel.Name == "SetDisposition") {
				t.Errorf("%s: analyzer calls %s", g.fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	// The read-only interfaces have no writing method.
	for dir, ro := range readOnly {
		found := false
		for _, g := range sources(t) {
			if filepath.ToSlash(filepath.Dir(g.rel)) != dir {
				continue
			}
			for _, d := range g.f.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, sp := range gd.Specs {
					ts, ok := sp.(*ast.TypeSpec)
					if !ok || ts.Name.Name != ro.iface {
						continue
					}
					it, ok := ts.Type.(*ast.InterfaceType)
					if !ok {
						t.Errorf("%s.%s is not an interface", dir, ro.iface)
						continue
					}
					found = true
					for _, m := range it.Methods.List {
						for _, n := range m.Names {
							if !ro.methods[n.Name] {
								t.Errorf("%s: %s.%s gives analyzers a method that may write", g.fset.Position(n.Pos()), ro.iface, n.Name)
							}
						}
						if len(m.Names) == 0 {
							t.Errorf("%s: %s embeds an interface", g.fset.Position(m.Pos()), ro.iface)
						}
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: no interface %s", dir, ro.iface)
		}
	}
}

// storeWrites are the methods of internal/store packages that write
// learned state, history or report rows (bayesstore.Store, contacts,
// dmarcrep, quarantine) and the database calls that would.
var storeWrites = map[string]bool{
	"Learn": true, "AddWeights": true, "Forget": true, "Prune": true, "Record": true, "Hold": true,
	"Exec": true, "ExecContext": true, "Begin": true, "BeginTx": true,
}

// TestAnalyzeWritesNoStore: nothing an analyzer runs during the scan —
// Analyze and every function of its package it calls, followed by name —
// writes to a store. An analyzer's own learned state (the classifier) is
// written from Learn/Forget (asked for) and Observe (after the verdict),
// which the scan never calls.
func TestAnalyzeWritesNoStore(t *testing.T) {
	type fn struct {
		pos   string
		calls []string // names called: f(), x.f()
	}
	pkgs := map[string]map[string][]fn{} // package dir -> func name -> bodies (methods of any receiver)
	for _, g := range sources(t) {
		if !under(g.rel, "internal/analyzer") {
			continue
		}
		dir := filepath.ToSlash(filepath.Dir(g.rel))
		if pkgs[dir] == nil {
			pkgs[dir] = map[string][]fn{}
		}
		for _, d := range g.f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			f := fn{pos: g.fset.Position(fd.Pos()).String()}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					switch x := c.Fun.(type) {
					case *ast.Ident:
						f.calls = append(f.calls, x.Name)
					case *ast.SelectorExpr:
						f.calls = append(f.calls, x.Sel.Name)
					}
				}
				return true
			})
			pkgs[dir][fd.Name.Name] = append(pkgs[dir][fd.Name.Name], f)
		}
	}
	checked := 0
	for dir, fns := range pkgs {
		if _, ok := fns["Analyze"]; !ok {
			continue
		}
		checked++
		// Breadth-first from Analyze over the package's own functions.
		seen := map[string]bool{"Analyze": true}
		queue := []string{"Analyze"}
		for len(queue) > 0 {
			name := queue[0]
			queue = queue[1:]
			for _, f := range fns[name] {
				for _, c := range f.calls {
					if storeWrites[c] {
						t.Errorf("%s: %s (reached from %s.Analyze) calls %s: write from an observer of the verdict instead", f.pos, name, dir, c)
					}
					if _, ok := fns[c]; ok && !seen[c] && !storeWrites[c] {
						seen[c] = true
						queue = append(queue, c)
					}
				}
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d analyzer packages with Analyze found", checked)
	}
}

// TestArchtestSeesViolations guards the guards: the checks above find the
// patterns they are meant to find.
func TestArchtestSeesViolations(t *testing.T) {
	src := `package x
import "strings"
func f(name string) bool { return strings.HasPrefix(name, "OUTBOUND_") }`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, _ := strconv.Unquote(lit.Value); familyRe.MatchString(s) {
				found = true
			}
		}
		return true
	})
	if !found {
		t.Fatal("family prefix literal not found")
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "policy", "outbound.go")); err != nil {
		t.Fatal("the outbound hold is not in the policy:", err)
	}
}
